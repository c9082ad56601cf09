"""Time and memory to write the meeting pack of each demo agreement.

    .venv/bin/python bench/pack.py [--repeat N] [--period P]

Loads the demo workbooks into a fresh SQLite file in a temporary folder, then writes each
agreement's meeting pack as the app's "Mötespaket" button does (every format: PNG for
screen and print, SVG, Word, PowerPoint, one slide per cluster) for its default period
(or ``--period``). Prints, per agreement: the charts and files written, their size, the
wall time of each run (the browser starts anew for every pack, as in the app), and the
peak memory of this process and of the browser it drives (proportional set size,
sampled every 100 ms). The target: under 10 s per pack on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.demo_db import demo_database  # noqa: E402
from dashboard.data import repository  # noqa: E402
from dashboard.export.pack import write_pack  # noqa: E402
from dashboard.model.view import build_view  # noqa: E402


class PeakMemory:
    """The highest memory of this process, and of it plus its children, while it runs.

    Proportional set size (PSS): memory shared between the browser's processes is
    counted once, not once per process as the resident set size would.
    """

    def __init__(self, every: float = 0.1):
        self.every = every
        self.peak_self = 0
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                own = me.memory_full_info().pss
                children = sum(c.memory_full_info().pss for c in me.children(recursive=True)
                               if c.is_running())
            except psutil.Error:
                continue
            self.peak_self = max(self.peak_self, own)
            self.peak_total = max(self.peak_total, own + children)
            time.sleep(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def mb(n: float) -> str:
    return f"{n / 1_000_000:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="packs per agreement (default 2)")
    parser.add_argument("--period", help="one period for every agreement (default: each "
                                         "agreement's default period)")
    args = parser.parse_args()

    with demo_database() as (engine, tmp):
        agreements = repository.list_agreements(engine)["agreement_id"].tolist()
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
              f"{args.repeat} pack(s) per agreement, every format, one slide per cluster")
        print(f"{'agreement':<20} {'period':<9} {'charts':>6} {'files':>5} {'size':>7} "
              f"{'seconds (each run)':<22} {'peak python':>11} {'peak +browser':>13}")
        everything: list[float] = []
        for agreement in agreements:
            view = build_view(engine, agreement, args.period)
            times, files, size = [], 0, 0
            with PeakMemory() as memory:
                for run in range(args.repeat):
                    out = tmp / f"{agreement}-{run}"
                    started = time.perf_counter()
                    paths = write_pack(engine, agreement, view.period.text, None, out,
                                       per_cluster=True)
                    times.append(time.perf_counter() - started)
                    files, size = len(paths), sum(p.stat().st_size for p in paths)
            charts = len({p.name.split("-")[0] for p in paths if p.suffix == ".svg"})
            everything += times
            print(f"{agreement:<20} {view.period.text:<9} {charts:>6} {files:>5} "
                  f"{mb(size):>7} {', '.join(f'{s:.1f}' for s in times):<22} "
                  f"{mb(memory.peak_self):>11} {mb(memory.peak_total):>13}")
        print(f"slowest pack: {max(everything):.1f} s, median "
              f"{statistics.median(everything):.1f} s; target: under 10 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
