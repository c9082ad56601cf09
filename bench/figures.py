"""Time to build the figures of a view: every panel of every demo view, beside the goal.

    .venv/bin/python bench/figures.py [--repeat N]

Loads the demo workbooks into a fresh SQLite file; for every demo agreement (and every
cluster of it) and every period the period picker offers, reads the view once (untimed),
then times :func:`build_panels` in the app's theme (best of ``--repeat``): the figure
functions and what they are drawn from (:mod:`dashboard.model.series`), and apart from it the
figure functions alone, and the figures serialised to JSON as Dash sends them. Prints the
median and the slowest per agreement and over all views, beside the goal of issue 9:
at most 20 ms for every panel of a view.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from plotly.io.json import to_json_plotly

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.demo_db import demo_database  # noqa: E402
from dashboard.data import repository  # noqa: E402
from dashboard.figures import panels  # noqa: E402
from dashboard.figures.theme import SCREEN  # noqa: E402
from dashboard.model.view import build_view, period_options  # noqa: E402

GOAL_MS = 20.0
FIGURE_FUNCTIONS = ("occupancy_figure", "flow_figure", "outcomes_figure", "staffing_figure",
                    "costs_figure", "indicators_figure", "cluster_figure")
spent = [0.0]


def timed(function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started
    return wrapper


def measure(view, repeat: int) -> tuple[float, float, float]:
    """(panels, figure functions alone, JSON) in seconds, each the best of ``repeat``."""
    best = [float("inf")] * 3
    for _ in range(repeat):
        spent[0] = 0.0
        started = time.perf_counter()
        built = panels.build_panels(view, SCREEN)
        total = time.perf_counter() - started
        started = time.perf_counter()
        for panel in built:
            to_json_plotly(panel.figure.to_dict())
        best = [min(best[0], total), min(best[1], spent[0]),
                min(best[2], time.perf_counter() - started)]
    return best[0], best[1], best[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="builds per view (default 5)")
    args = parser.parse_args()
    for name in FIGURE_FUNCTIONS:
        setattr(panels, name, timed(getattr(panels, name)))
    everything: list[tuple[float, float, float]] = []
    with demo_database() as (engine, _):
        print(f"{'agreement':<20} {'views':>5} {'panels ms':>9} {'slowest':>8} "
              f"{'figures ms':>10} {'slowest':>8} {'json ms':>7}  slowest view")
        for agreement in repository.list_agreements(engine)["agreement_id"]:
            first = build_view(engine, agreement)
            periods = [value for value, _ in period_options(first.span, first.indicator_periods,
                                                            "sv")]
            scopes = [None, *first.data.cluster_ids] if len(first.data.cluster_ids) > 1 \
                else [None]
            rows = []
            for period in periods:
                for cluster in scopes:
                    view = build_view(engine, agreement, period, cluster)
                    rows.append((*measure(view, args.repeat), period, cluster))
            everything += [r[:3] for r in rows]
            worst = max(rows)
            where = worst[3] + (f", cluster {worst[4]}" if worst[4] else "")
            print(f"{agreement:<20} {len(rows):>5} "
                  f"{statistics.median(r[0] for r in rows) * 1000:>9.1f} "
                  f"{worst[0] * 1000:>8.1f} "
                  f"{statistics.median(r[1] for r in rows) * 1000:>10.1f} "
                  f"{max(r[1] for r in rows) * 1000:>8.1f} "
                  f"{statistics.median(r[2] for r in rows) * 1000:>7.1f}  {where}")
    panels_ms = [r[0] * 1000 for r in everything]
    figures_ms = [r[1] * 1000 for r in everything]
    within = sum(ms <= GOAL_MS for ms in panels_ms)
    print(f"all {len(everything)} views: panels median {statistics.median(panels_ms):.1f} ms, "
          f"slowest {max(panels_ms):.1f} ms ({within} of {len(everything)} within the goal of "
          f"{GOAL_MS:.0f} ms); figure functions alone median "
          f"{statistics.median(figures_ms):.1f} ms, slowest {max(figures_ms):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
