"""Time to draw a view: what the server does when a user switches period.

    .venv/bin/python bench/views.py [--repeat N]

Loads the demo workbooks into a fresh SQLite file, then for every demo agreement (and
every cluster of it) and every period the period picker offers, times what the server
does for one page: read the agreement's rows and compute every key figure
(:func:`build_view`), build every panel's figure (:func:`build_panels`), and serialise
the figures to JSON as Dash sends them. Prints the median and the slowest per agreement,
and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.demo_db import demo_database  # noqa: E402
from dashboard.data import repository  # noqa: E402
from dashboard.figures.panels import build_panels  # noqa: E402
from dashboard.figures.theme import SCREEN  # noqa: E402
from dashboard.model.view import build_view, period_options  # noqa: E402


def draw(engine, agreement: str, period: str, cluster: str | None) -> float:
    """Seconds to build one view with its panels, serialised as Dash would send them."""
    started = time.perf_counter()
    view = build_view(engine, agreement, period, cluster)
    for panel in build_panels(view, SCREEN):
        if panel.figure is not None:
            pio.to_json(panel.figure.to_dict(), validate=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="draws per view (default 3)")
    args = parser.parse_args()
    with demo_database() as (engine, _):
        print(f"{'agreement':<20} {'views':>5} {'median ms':>9} {'slowest ms':>10}  slowest view")
        everything = []
        for agreement in repository.list_agreements(engine)["agreement_id"]:
            first = build_view(engine, agreement)
            periods = [value for value, _ in period_options(
                first.span, first.indicator_periods, "sv")]
            scopes = [None, *first.data.cluster_ids] if len(first.data.cluster_ids) > 1 \
                else [None]
            times = []
            for period in periods:
                for cluster in scopes:
                    best = min(draw(engine, agreement, period, cluster)
                               for _ in range(args.repeat))
                    times.append((best, period, cluster))
            everything += [t for t, _, _ in times]
            worst = max(times)
            where = f"{worst[1]}" + (f", cluster {worst[2]}" if worst[2] else "")
            print(f"{agreement:<20} {len(times):>5} "
                  f"{statistics.median(t for t, _, _ in times) * 1000:>9.0f} "
                  f"{worst[0] * 1000:>10.0f}  {where}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"all {len(everything)} views: median {statistics.median(everything) * 1000:.0f} "
              f"ms, slowest {max(everything) * 1000:.0f} ms; peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
