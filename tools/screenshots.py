"""Screenshots of every view at 1920x1080 and 1024x768 (for looking at them).

    python tools/screenshots.py [--base http://127.0.0.1:8050] [--out screenshots]
                                [--sizes 1920,1024] [--no-full] [view | name=path ...]

Uses Debian's chromium and chromedriver, headless. Writes ``<view>-<size>.png`` (the
first screen, as the room sees it) and ``<view>-<size>-full.png`` (the whole page). A
presentation (a path under ``/present/``) is shot slide by slide instead:
``<view>-sNN-<key>-<size>.png``, each when its chart is drawn and scaled to the slide; a
path ending in ``#ID`` is shot as that element only (e.g. ``#panel-staffing``).

Each picture is taken when the page is ready: loaded, Dash with no callback to run, every
chart drawn (waits on those conditions, with a timeout, never for a fixed time).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

SIZES = {"1920": (1920, 1080), "1024": (1024, 768)}

# Loaded, nothing loading, no callback queued or running, every chart drawn.
READY = """return (() => {
    if (document.readyState !== 'complete' || !document.querySelector('.page, #present'))
        return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    const state = window.store && window.store.getState();
    if (state) {
        const queues = state.callbacks || {};
        if (!['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed']
                .every(k => !queues[k] || queues[k].length === 0) || state.isLoading)
            return false;
    }
    return Array.from(document.querySelectorAll('.js-plotly-plot')).every(
        gd => gd._fullLayout && gd.querySelector('.main-svg') &&
              !(gd._promises && gd._promises.length));
})()"""

# The current slide's chart (if any) scaled to the slide by assets/present.js.
SLIDE_FITTED = """return (() => {
    const slide = document.querySelector('#present .slide.current');
    const gd = slide && slide.querySelector('.slide-graph .js-plotly-plot');
    return !!slide && (!gd || gd.style.transform.startsWith('scale('));
})()"""


def driver(width: int, height: int) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--hide-scrollbars", "--lang=sv-SE",
                f"--window-size={width},{height}"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def wait(d, script: str, timeout: float = 30, twice: bool = True) -> bool:
    """Until ``script`` returns true (twice in a row: a callback another one's answer
    starts is queued by then); False after ``timeout`` (the picture is taken anyway)."""
    end = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < end:
        seen = seen + 1 if d.execute_script(script) else 0
        if seen >= (2 if twice else 1):
            return True
        time.sleep(0.1)  # how often to look, not a wait for something
    return False


def viewport(d, w: int, h: int) -> None:
    """Make the viewport exactly w x h (window chrome differs in headless)."""
    d.set_window_size(w, h)
    inner = d.execute_script("return [window.innerWidth, window.innerHeight]")
    d.set_window_size(w + (w - inner[0]), h + (h - inner[1]))


def shoot_page(d, base: str, name: str, path: str, size: str, out: Path,
               full: bool) -> list[Path]:
    w, h = SIZES[size]
    viewport(d, w, h)
    d.get(base + path)
    wait(d, READY)
    if "#" in path:  # one element of the page, as large as it is on that screen
        # The window as tall as the page, so that the whole element is on screen.
        viewport(d, w, min(d.execute_script(
            "return document.documentElement.scrollHeight"), 12000))
        wait(d, READY)
        element = d.find_element(By.ID, path.split("#", 1)[1])
        shot = out / f"{name}-{size}.png"
        element.screenshot(str(shot))
        return [shot]
    first = out / f"{name}-{size}.png"
    d.save_screenshot(str(first))
    written = [first]
    if full:
        full_h = min(d.execute_script("return document.documentElement.scrollHeight"), 12000)
        d.set_window_size(w, full_h)
        viewport(d, w, full_h)
        wait(d, READY)
        whole = out / f"{name}-{size}-full.png"
        d.save_screenshot(str(whole))
        written.append(whole)
    return written


def shoot_deck(d, base: str, name: str, path: str, size: str, out: Path) -> list[Path]:
    """Every slide of a presentation, each as the room sees it."""
    w, h = SIZES[size]
    viewport(d, w, h)
    sep = "&" if "?" in path else "?"
    d.get(base + path + sep + "slide=1")
    wait(d, READY)
    count = int(d.execute_script("return document.getElementById('present').dataset.count"))
    written = []
    for index in range(1, count + 1):
        if index > 1:  # the next slide as a clicker moves on (assets/present.js)
            ActionChains(d).send_keys(Keys.PAGE_DOWN).perform()
        wait(d, f"return document.getElementById('present').dataset.current === '{index}'",
             twice=False)
        wait(d, SLIDE_FITTED)
        key = d.execute_script(
            "return document.querySelector('#present .slide.current').dataset.key || ''")
        shot = out / f"{name}-s{index:02d}-{key.replace(':', '-')}-{size}.png"
        d.save_screenshot(str(shot))
        written.append(shot)
    return written


def shoot(base: str, views: dict[str, str], out: Path, sizes=SIZES,
          full: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in sizes:
        w, h = SIZES[size]
        d = driver(w, h)
        try:
            for name, path in views.items():
                if path.startswith("/present/"):
                    written += shoot_deck(d, base, name, path, size, out)
                else:
                    written += shoot_page(d, base, name, path, size, out, full)
        finally:
            d.quit()
    return written


DEFAULT_VIEWS = {
    "portfolio": "/",
    "portfolio-county": "/?group=county",
    "krami": "/agreements/krami-sthlm-2023",
    "krami-gender": "/agreements/krami-sthlm-2023?breakdown=gender",
    "sthlm": "/agreements/sthlm-af-2023",
    "sthlm-jarva": "/agreements/sthlm-af-2023/clusters/jarva",
    "jarfalla": "/agreements/jarfalla-af-2023",
    "grums": "/agreements/grums-unga-2016",
    "notfound": "/agreements/finns-inte",
}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8050")
    p.add_argument("--out", default="screenshots", type=Path)
    p.add_argument("--sizes", default=",".join(SIZES), help="of " + ", ".join(SIZES))
    p.add_argument("--no-full", action="store_true", help="only the first screen")
    p.add_argument("views", nargs="*", help="names of DEFAULT_VIEWS, or name=path")
    a = p.parse_args()
    chosen = {}
    for v in a.views or DEFAULT_VIEWS:
        if "=" in v.split("?")[0]:
            k, path = v.split("=", 1)
            chosen[k] = path
        else:
            chosen[v] = DEFAULT_VIEWS[v]
    for f in shoot(a.base, chosen, a.out, a.sizes.split(","), not a.no_full):
        print(f)
