"""Import speed and memory with the national dataset, on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py [--data DIR] [--regenerate] [--swedish] [--zip]
                                     [--again] [--backends sqlite,postgresql]

Generates the national dataset with ``bench/national.py`` (330 agreements, ~1 300
clusters, monthly 2015–2024: about 1.9 million rows) into ``--data`` (default
``/tmp/national``; with ``--swedish`` as Swedish Excel writes CSV, into
``/tmp/national-sv``), or reuses it when it is there. Then imports it, as one import, into
a fresh SQLite file and into a fresh PostgreSQL database: a throwaway server started as
the tests do (``tests/pg.py``) but with PostgreSQL's durable defaults (fsync on), its
data directory on disk beside the SQLite file; or the server of ``TEST_POSTGRES_URL``.

Each import runs in a process of its own, so that its peak memory (the resident set
size the kernel reports for the process, ``ru_maxrss``) is the import's. Prints rows
per second (wall clock), CPU seconds of the importing process (and of the throwaway
PostgreSQL server, which does the inserting) and peak RSS beside the goals of issue 9:
at least 100 000 rows/s and at most 1 GB. ``--zip`` also imports the dataset as one zip
file; ``--again`` then imports the same dataset a second time (every row replaced, and
backed up for undo) and undoes that import.

CPU seconds are shown because the reference machine is shared: when other work runs,
the wall clock says more about the machine than about the import.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.national import HEADERS, generate, write_zip  # noqa: E402

GOAL_ROWS_PER_S = 100_000
GOAL_PEAK_MB = 1024


def child(url: str, path: str, steps: list[str]) -> None:
    """Run in a process of its own: import (and maybe again and undo), print JSON."""
    from dashboard.data import repository
    from dashboard.data.db import make_engine
    from dashboard.data.ingest import import_dataset, undo_import

    engine = make_engine(url)
    repository.ensure_schema(engine)
    out = []
    for step in steps:
        wall, cpu = time.perf_counter(), time.process_time()
        if step == "undo":
            result = undo_import(engine, out[-1]["import_id"])
            rows = sum(result.restored.values()) + out[-1]["rows"]
            problems = [p.message("en") for p in result.problems]
        else:
            result = import_dataset(engine, path)
            rows = sum(result.rows.values())
            problems = result.messages("en")[:5]
        out.append({"step": step, "ok": result.ok, "rows": rows,
                    "timings": getattr(result, "timings", {}),
                    "import_id": getattr(result, "import_id", None),
                    "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "problems": problems})
    engine.dispose()
    print(json.dumps(out))


def run_child(url: str, path: Path, steps: list[str], server=None) -> list[dict]:
    """The child's results; with a throwaway ``server``, the CPU seconds its processes
    spent during the run as ``server_cpu`` of the last step (the server does nothing
    else)."""
    before = server_cpu(server)
    proc = subprocess.run([sys.executable, __file__, "--child", url, str(path), *steps],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"the import failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if before is not None and len(out) == 1:
        out[0]["server_cpu"] = server_cpu(server) - before
    return out


def server_cpu(server) -> float | None:
    """CPU seconds of a throwaway PostgreSQL server's processes so far (None: not ours)."""
    if server is None or server.base is None:
        return None
    import psutil

    pid = int((server.base / "data" / "postmaster.pid").read_text().split()[0])
    try:
        main = psutil.Process(pid)
        total = 0.0
        for p in [main, *main.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        return total
    except psutil.Error:
        return None


def ensure_dataset(folder: Path, regenerate: bool, swedish: bool) -> None:
    present = all((folder / f"{name}.csv").exists() for name in HEADERS)
    if present and not regenerate:
        print(f"reusing {folder} (--regenerate to write it again)")
        return
    started = time.perf_counter()
    counts = generate(folder, swedish=swedish)
    print(f"generated {sum(counts.values()):,} rows into {folder} in "
          f"{time.perf_counter() - started:.0f} s".replace(",", " "))


def postgres(scratch: str):
    """(url, server or None): TEST_POSTGRES_URL's server, or a throwaway one."""
    from tests.pg import PostgresServer, find_bin_dir

    admin = os.environ.get("TEST_POSTGRES_URL")
    bin_dir = None if admin else find_bin_dir()
    if admin is None and bin_dir is None:
        return None, None
    server = PostgresServer(bin_dir, admin, settings=["-c", "max_connections=20"],
                            scratch=scratch).start()
    return server.create_database(empty=True), server


def _fmt(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(argv[1], argv[2], argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="default /tmp/national, with --swedish /tmp/national-sv")
    parser.add_argument("--swedish", action="store_true",
                        help="the dataset as Swedish Excel saves CSV (';', decimal comma, "
                             "Windows-1252)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--zip", action="store_true", help="also import the zip file")
    parser.add_argument("--again", action="store_true",
                        help="import it a second time (every row replaced), then undo")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    args.data = args.data or Path("/tmp/national-sv" if args.swedish else "/tmp/national")
    ensure_dataset(args.data, args.regenerate, args.swedish)
    files = sorted(args.data.glob("*.csv"))
    size = sum(f.stat().st_size for f in files)
    sources = [("folder", args.data)]
    if args.zip:
        zipped = args.data.with_suffix(".zip")
        if not zipped.exists() or zipped.stat().st_mtime < max(f.stat().st_mtime
                                                              for f in files):
            write_zip(args.data, zipped)
        sources.append(("zip", zipped))
    steps = ["import", "again", "undo"] if args.again else ["import"]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        os.chmod(tmp, 0o755)  # as root, the server runs as another user and must get in
        for backend in args.backends.split(","):
            for label, path in sources:
                server = None
                if backend == "sqlite":
                    url = f"sqlite:///{Path(tmp) / f'{label}.sqlite'}"
                else:
                    url, server = postgres(tmp)
                    if url is None:
                        print("PostgreSQL skipped: no binaries (PG_BIN) and no "
                              "TEST_POSTGRES_URL")
                        continue
                try:
                    for r in run_child(url, path, steps, server):
                        results.append((backend, label, r))
                finally:
                    if server is not None:
                        server.stop()
    load = os.getloadavg()[0]
    print(f"\nnational dataset: {len(files)} CSV files, {size / 1e6:.0f} MB ({args.data}); "
          f"{os.cpu_count()} cores, load average {load:.1f} at the end")
    print(f"{'database':<11} {'source':<7} {'step':<7} {'rows':>10} {'seconds':>8} "
          f"{'rows/s':>9} {'cpu s':>6} {'server':>6} {'peak RSS':>9}  goal: "
          f"≥ {_fmt(GOAL_ROWS_PER_S)} rows/s, ≤ 1 GB")
    failed = False
    for backend, label, r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        verdict = ""
        if r["step"] == "import":
            meets = rate >= GOAL_ROWS_PER_S and r["peak_mb"] <= GOAL_PEAK_MB
            verdict = "met" if meets else "NOT met"
        if not r["ok"]:
            verdict = "REFUSED: " + "; ".join(r["problems"])
            failed = True
        server = f"{r['server_cpu']:.1f}" if r.get("server_cpu") is not None else "–"
        print(f"{backend:<11} {label:<7} {r['step']:<7} {_fmt(r['rows']):>10} "
              f"{r['seconds']:>8.1f} {_fmt(rate):>9} {r['cpu']:>6.1f} {server:>6} "
              f"{r['peak_mb']:>6.0f} MB  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
