"""Do a figure's texts collide? Draw it with plotly.js in Chromium and measure.

One static page (``plot_page``) holds the installed plotly.js; :func:`measure` draws
many figures on it, one after the other, each at its own size, and returns the boxes
of every text plotly drew (titles, legend items, tick labels, annotations, value labels
of text traces and bars, footers; one box per line) and of every target or mean line
(the layout's shapes, and traces marked ``meta: "mean"`` / ``"target"``). The geometry
is checked in Python (:func:`problems`): text over text, a target or mean line through
a text, a text cut by the edge of the chart.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>figures</title>
<style>body { margin: 0; background: #fff; } .plot { position: absolute; left: 0; top: 0; }</style>
<script src="{plotly}"></script></head><body></body></html>
"""

MEASURE_GD = r"""
const kindOf = (el) => {
  const c = (n) => el.classList.contains(n);
  if (c('legendtext')) return 'legend';
  if (c('annotation-text')) return 'annotation';
  if (c('bartext')) return 'bar';
  if (c('gtitle')) return 'title';
  if (c('gtitle-subtitle')) return 'subtitle';
  if (el.closest('.xtick, .ytick, [class*="tick"]')) return 'tick';
  if (el.closest('.textpoint')) return 'value';
  if (el.closest('[class*="title"]')) return 'axis-title';
  return 'other';
};
const measureGd = (gd) => {
  const root = gd.getBoundingClientRect();
  const box = (r) => [r.left - root.left, r.top - root.top, r.right - root.left,
                      r.bottom - root.top];
  const texts = [];
  gd.querySelectorAll('svg text').forEach((el, n) => {
    if (!el.textContent.trim()) return;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' ||
        Number(style.opacity) === 0 || Number(style.fillOpacity) === 0) return;
    const lines = el.querySelectorAll('tspan.line');
    const parts = lines.length ? Array.from(lines) : [el];
    parts.forEach((p) => {
      if (!p.textContent.trim()) return;
      const r = p.getBoundingClientRect();
      if (r.width < 0.5 || r.height < 0.5) return;
      texts.push({el: n, kind: kindOf(el), text: p.textContent, box: box(r),
                  size: parseFloat(style.fontSize)});
    });
  });
  const scale = root.width / (gd._fullLayout ? gd._fullLayout.width : root.width);
  const lines = [];
  const stroke = (p) => (parseFloat(getComputedStyle(p).strokeWidth) || 1) * scale;
  const grow = (r, w) => [r.left - root.left - w, r.top - root.top - w,
                          r.right - root.left + w, r.bottom - root.top + w];
  gd.querySelectorAll('.shapelayer path').forEach((p) => {
    lines.push({kind: 'shape', box: grow(p.getBoundingClientRect(), stroke(p) / 2)});
  });
  gd.querySelectorAll('.scatterlayer .trace').forEach((g) => {
    const cd = g.__data__;
    const trace = cd && cd[0] && cd[0].trace;
    if (!trace || (trace.meta !== 'mean' && trace.meta !== 'target')) return;
    g.querySelectorAll('path.js-line, path.point').forEach((p) => {
      const r = p.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      const w = p.classList.contains('js-line') ? stroke(p) / 2 : 0;
      lines.push({kind: trace.meta, box: grow(r, w)});
    });
  });
  return {width: root.width, height: root.height, texts, lines};
};
"""

MEASURE = MEASURE_GD + r"""
const jobs = arguments[0];
const done = arguments[arguments.length - 1];
(async () => {
  const out = [];
  for (const job of jobs) {
    const gd = document.createElement('div');
    gd.className = 'plot';
    gd.style.width = job.width + 'px';
    gd.style.height = job.height + 'px';
    document.body.appendChild(gd);
    const layout = Object.assign({}, job.figure.layout,
                                 {width: job.width, height: job.height, autosize: false});
    try {
      await Plotly.newPlot(gd, job.figure.data, layout, {staticPlot: true});
    } catch (e) {
      out.push({id: job.id, error: String(e)});
      gd.remove();
      continue;
    }
    const m = measureGd(gd);
    m.id = job.id;
    out.push(m);
    Plotly.purge(gd);
    gd.remove();
  }
  return out;
})().then(done, (e) => done([{id: 'script', error: String(e)}]));
"""


def plot_page(driver) -> None:
    """Open the static page with the installed plotly.js in ``driver``'s tab."""
    folder = Path(tempfile.mkdtemp(prefix="figure-check-"))
    page = folder / "figures.html"
    page.write_text(PAGE.replace("{plotly}", PLOTLY_JS.as_uri()), encoding="utf-8")
    driver.get(page.as_uri())
    driver.set_script_timeout(300)
    for _ in range(200):
        if driver.execute_script("return !!window.Plotly"):
            return
        driver.execute_script("return new Promise(r => setTimeout(r, 50))")
    raise AssertionError("plotly.js did not load on the static page")


@dataclass
class Job:
    """One figure to draw at one size; ``id`` names it in the report."""

    id: str
    figure: dict
    width: int
    height: int


def measure(driver, jobs: list[Job], batch: int = 40) -> list[dict]:
    """Draw every job on the static page and return what was measured, in order."""
    out: list[dict] = []
    for i in range(0, len(jobs), batch):
        chunk = [{"id": j.id, "figure": json.loads(json.dumps(j.figure, default=_plain)),
                  "width": j.width, "height": j.height} for j in jobs[i:i + batch]]
        out += driver.execute_async_script(MEASURE, chunk)
    return out


def _plain(o):
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "to_dict"):
        return o.to_dict()
    raise TypeError(type(o))


# --------------------------------------------------------------------------- geometry

TOUCH = 1.0  # pixels two boxes may share (anti-aliasing, a tick label touching its axis)


def _overlap(a, b) -> tuple[float, float]:
    return (min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def _ink(box, size: float) -> list[float]:
    """A line of text's box without the empty band above its capitals and below its
    baseline's descenders' room: what a line drawn through it would really cross."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    return [x0, y0 + 0.16 * h, x1, y1 - 0.1 * h]


def problems(result: dict) -> list[str]:
    """Every collision in one measured figure, in words (empty: nothing collides)."""
    if "error" in result:
        return [f"{result['id']}: plotly.js failed: {result['error']}"]
    width, height = result["width"], result["height"]
    texts = result["texts"]
    found = []
    for t in texts:
        x0, y0, x1, y1 = t["box"]
        if x0 < -0.5 or y0 < -0.5 or x1 > width + 0.5 or y1 > height + 0.5:
            found.append(f"cut by the edge: {t['kind']} {t['text']!r} at "
                          f"{[round(v) for v in t['box']]} in {width}x{height}")
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if a["el"] == b["el"]:
                continue
            dx, dy = _overlap(a["box"], b["box"])
            if dx > TOUCH and dy > TOUCH:
                found.append(f"text over text: {a['kind']} {a['text']!r} and {b['kind']} "
                             f"{b['text']!r} ({dx:.0f}x{dy:.0f} px)")
    for line in result["lines"]:
        for t in texts:
            dx, dy = _overlap(line["box"], _ink(t["box"], t["size"]))
            if dx > TOUCH and dy > TOUCH:
                found.append(f"{line['kind']} line through {t['kind']} {t['text']!r}")
    return [f"{result['id']}: {p}" for p in found]
