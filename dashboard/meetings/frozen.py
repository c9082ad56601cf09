"""What closing a meeting freezes, and the view of a closed meeting drawn from it.

Closing reads, in one moment of the data (the agreement's data version before and after
the read must be the same, else it reads again):

* the rows the meeting's view is computed from: exactly what :func:`views.build_view`
  reads for the period (the agreement, its parties, clusters, targets, indicators, the
  monthly rows and kept monthly sums of the period and the same period a year earlier, the
  active imports), with the span of months and the indicator periods;
* every key figure of the agreement and its clusters for the period (all the fields of a
  :class:`~dashboard.domain.kpis.KpiValue`, the contract's and the room's);
* each target's status over the last eight quarters (the trend strip);
* the actions as they stood (the meeting's own and those carried over), and which meeting
  came before.

All as JSON in ``meetings.frozen`` (plain data, never a pickle). A closed meeting's view is
computed again from its rows by the same code as any view, with the frozen figures put in
place of the computed ones: the page, the slides (in either language, with or without
clusters) and the pack show the figures as they were, whatever is imported or undone later.
"""

from __future__ import annotations

import math
from dataclasses import asdict, fields

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from dashboard.data import repository
from dashboard.domain.kpis import AgreementData, KpiValue, MonthlySums
from dashboard.domain.periods import Period
from dashboard.domain.trends import status_trends, trend_window
from dashboard.model.view import View, build_view, cluster_views, view_from_data, view_window
from dashboard.store import versions

FORMAT = 1
FRAMES = ("parties", "clusters", "targets", "occupancy", "staffing", "cost_shares", "costs",
          "outcomes", "indicators", "imports", "indicator_defs")
SUMS = ("occupancy", "outcomes", "staffing")
KPI_FIELDS = {f.name for f in fields(KpiValue)}


# --------------------------------------------------------------------------- plain data


def plain(value):
    """A value as JSON holds it: numpy and pandas scalars as Python's, NaN as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def frame_to_json(frame: pd.DataFrame) -> dict:
    rows = [[plain(v) for v in row] for row in frame.astype(object).itertuples(index=False)]
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def frame_from_json(obj: dict) -> pd.DataFrame:
    """The frame as :mod:`dashboard.data.repository` builds it from the database's rows."""
    frame = pd.DataFrame(obj["rows"], columns=obj["columns"])
    text = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
    if text:  # as repository._blank_is_none: NULL text is None, not NaN
        frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
    return frame


def rows_to_json(data: AgreementData) -> dict:
    sums = data.monthly_sums()
    return {"agreement": {k: plain(v) for k, v in data.agreement.items()},
            "frames": {name: frame_to_json(getattr(data, name)) for name in FRAMES},
            "sums": {name: frame_to_json(getattr(sums, name)) for name in SUMS}}


def rows_from_json(obj: dict) -> AgreementData:
    # A meeting closed before issue 16 has no indicator_defs: every indicator as "last".
    frames = {name: frame_from_json(obj["frames"][name]) for name in FRAMES
              if name in obj["frames"]}
    sums = MonthlySums(*(frame_from_json(obj["sums"][name]) for name in SUMS))
    return AgreementData(agreement=dict(obj["agreement"]), **frames, sums=sums)


def figure_to_json(value: KpiValue) -> dict:
    return {k: plain(v) for k, v in asdict(value).items()}


def figure_from_json(obj: dict) -> KpiValue:
    return KpiValue(**{k: v for k, v in obj.items() if k in KPI_FIELDS})


# --------------------------------------------------------------------------- freezing


def read_moment(engine: Engine, agreement_id: str, period: Period, attempts: int = 5):
    """The rows of the meeting's view and of its trend strips (one read), its span and
    indicator periods and the agreement's data version, all of one moment:
    ``(data, wide, span, indicator_periods, version)``, or None when the agreement is gone."""

    windows = [view_window(period), trend_window(period)]
    for _ in range(attempts):
        _, before = versions(engine)
        span = repository.month_span(engine, agreement_id)
        indicator_periods = repository.indicator_periods(engine, agreement_id)
        data, wide = repository.load_agreement_windows(engine, agreement_id, windows)
        _, after = versions(engine)
        if before.get(agreement_id) == after.get(agreement_id):
            if data is None:
                return None
            return data, wide, span, indicator_periods, after.get(agreement_id)
    raise RuntimeError("the data kept changing while the meeting was being closed")


def freeze(engine: Engine, agreement_id: str, period_text: str) -> dict | None:
    """Everything closing keeps of the figures (the actions are added by the caller)."""

    period = Period.parse(period_text)
    moment = read_moment(engine, agreement_id, period)
    if moment is None:
        return None
    data, wide, span, indicator_periods, version = moment
    view = view_from_data(data, period, span, indicator_periods)
    trends = status_trends(wide, period)
    return {"format": FORMAT, "period": period.text, "data_version": version,
            "data_as_of": view.data_as_of,
            "figures": [figure_to_json(v) for v in view.values],
            "rows": rows_to_json(view.data),
            "span": list(span) if span else None,
            "indicator_periods": list(indicator_periods),
            "trends": trends_to_json(trends)}


def trends_to_json(trends: dict) -> list:
    return [{"kpi": k[0], "cluster_id": k[1], "party_id": k[2], "role": k[3],
             "points": [[p[0], p[1], plain(p[2])] for p in points]}
            for k, points in trends.items()]


def trends_from_json(items: list) -> dict:
    """The strips kept with a closed meeting (those closed before roles: all roles)."""
    return {(i["kpi"], i["cluster_id"], i["party_id"], i.get("role")): [tuple(p) for p in
                                                                     i["points"]]
            for i in items}


# --------------------------------------------------------------------------- views


def frozen_view(frozen: dict, cluster_id: str | None = None, breakdown: str | None = None,
                lang: str = "sv") -> View:
    """A closed meeting's view: computed from its frozen rows, with its frozen figures."""
    data = rows_from_json(frozen["rows"])
    span = tuple(frozen["span"]) if frozen.get("span") else None
    figures = [figure_from_json(f) for f in frozen["figures"]]
    if cluster_id is not None:  # a cluster's view holds the agreement's and its own
        figures = [f for f in figures if f.cluster_id in (None, cluster_id)]
    # The frozen figures are the view's: nothing is computed again from the rows.
    return view_from_data(data, Period.parse(frozen["period"]), span,
                          list(frozen.get("indicator_periods") or []), cluster_id, breakdown,
                          lang, values=figures)


def meeting_view(engine: Engine, agreement_id: str, period: str, frozen: dict | None,
                 cluster_id: str | None = None, breakdown: str | None = None,
                 lang: str = "sv") -> View | None:
    """The view a meeting shows: frozen once closed, else the data as it is now."""
    if frozen is not None:
        return frozen_view(frozen, cluster_id, breakdown, lang)
    return build_view(engine, agreement_id, period, cluster_id, breakdown, lang)


def frozen_cluster_views(view: View, frozen: dict | None) -> list[View]:
    """One view per cluster of a meeting's view (rows already read), with the frozen
    figures of each cluster once the meeting is closed."""

    views = cluster_views(view)
    if frozen is not None:
        figures = [figure_from_json(f) for f in frozen["figures"]]
        for cv in views:
            cv.values = [f for f in figures if f.cluster_id in (None, cv.cluster_id)]
    return views
