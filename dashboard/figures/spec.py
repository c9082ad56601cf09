"""A figure as plain data: what plotly.js, Dash's ``dcc.Graph`` and kaleido read.

Building a figure through plotly's object graph (``go.Figure``, ``update_layout``,
``make_subplots``) validates every property on the way and cost 200–450 ms per view. The
figure functions build plain dicts instead: :class:`Figure` holds ``data`` (a list of trace
dicts) and ``layout`` (a dict), and :func:`grid` computes the axes of small multiples
(what ``make_subplots`` did). Nothing is validated on the hot path; the tests check that
every figure of every demo view is a valid plotly figure.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field


def merge(target: dict, changes: dict) -> dict:
    """Update ``target`` in place with ``changes``: dicts are merged key by key, a ``None``
    removes a key, anything else replaces it."""
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value
    return target


def number(v) -> float | int | None:
    """A value as JSON can carry it: ``None`` for missing or NaN, plain ``int``/``float``."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or math.isinf(f):
        return None
    if isinstance(v, bool):
        return int(v)
    return int(f) if f.is_integer() and not isinstance(v, float) else f


def numbers(values) -> list:
    return [number(v) for v in values]


@dataclass
class Figure:
    """A plotly figure as plain data.

    ``footer`` is the footer as plain text (data as of, source, *n*): media that draw the
    footer in the image have it in ``layout`` too (wrapped); the app writes it under the
    chart as text, where it wraps to whatever width the card has.
    """

    data: list[dict] = field(default_factory=list)
    layout: dict = field(default_factory=dict)
    footer: str = ""
    # How much the chart's type was shrunk to fit a slide or an image (1: not at all).
    fit: float = 1.0

    def add(self, trace: dict) -> dict:
        """Append a trace (``type`` defaults to ``bar``) and return it."""
        trace.setdefault("type", "bar")
        self.data.append(trace)
        return trace

    def update_layout(self, changes: dict | None = None, **kwargs) -> Figure:
        merge(self.layout, {**(changes or {}), **kwargs})
        return self

    def annotate(self, annotation: dict) -> dict:
        self.layout.setdefault("annotations", []).append(annotation)
        return annotation

    def shape(self, shape: dict) -> dict:
        self.layout.setdefault("shapes", []).append(shape)
        return shape

    @property
    def annotations(self) -> list[dict]:
        return self.layout.get("annotations", [])

    @property
    def shapes(self) -> list[dict]:
        return self.layout.get("shapes", [])

    @property
    def height(self) -> int | None:
        return self.layout.get("height")

    def to_dict(self) -> dict:
        """``{"data": [...], "layout": {...}}``: what ``dcc.Graph(figure=...)``, kaleido and
        ``plotly.graph_objects.Figure`` take."""
        return {"data": self.data, "layout": self.layout}

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def copy(self) -> Figure:
        return Figure(copy.deepcopy(self.data), copy.deepcopy(self.layout), self.footer,
                      self.fit)


@dataclass(frozen=True)
class Cell:
    """One subplot: its axis names in the layout (``xaxis2``) and in traces (``x2``)."""

    row: int
    col: int
    index: int  # 1-based

    @property
    def suffix(self) -> str:
        return "" if self.index == 1 else str(self.index)

    @property
    def x(self) -> str:
        return f"x{self.suffix}"

    @property
    def y(self) -> str:
        return f"y{self.suffix}"

    @property
    def xaxis(self) -> str:
        return f"xaxis{self.suffix}"

    @property
    def yaxis(self) -> str:
        return f"yaxis{self.suffix}"


def grid(fig: Figure, rows: list[float], cols: int = 1, *, gaps: list[float] | None = None,
         col_gap: float = 0.0) -> list[list[Cell]]:
    """Small multiples: ``rows`` are the rows' heights and ``gaps`` the space between
    them, all in the same unit (pixels, say); ``col_gap`` is the space between columns as
    a fraction of the width. Sets each cell's axis domains and anchors in the layout and
    returns the cells, ``cells[row][col]``, top row first."""
    gaps = gaps if gaps is not None else [0.0] * (len(rows) - 1)
    total = sum(rows) + sum(gaps)
    width = (1 - col_gap * (cols - 1)) / cols
    out: list[list[Cell]] = []
    top = total
    for r, h in enumerate(rows):
        y1 = top / total if total else 1.0
        y0 = (top - h) / total if total else 0.0
        top -= h + (gaps[r] if r < len(gaps) else 0)
        row = []
        for c in range(cols):
            cell = Cell(r + 1, c + 1, r * cols + c + 1)
            x0 = c * (width + col_gap)
            fig.layout.setdefault(cell.xaxis, {}).update(
                domain=[round(x0, 6), round(min(x0 + width, 1.0), 6)], anchor=cell.y)
            fig.layout.setdefault(cell.yaxis, {}).update(
                domain=[round(max(y0, 0.0), 6), round(min(y1, 1.0), 6)], anchor=cell.x)
            row.append(cell)
        out.append(row)
    return out
