"""The demo workbooks in a fresh SQLite file, for the benchmarks."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import Engine  # noqa: E402

from dashboard.config import DATA_DIR, load_settings  # noqa: E402
from dashboard.data import repository  # noqa: E402
from dashboard.data.db import make_engine  # noqa: E402
from dashboard.web.app import load_demo  # noqa: E402


@contextlib.contextmanager
def demo_database() -> Iterator[tuple[Engine, Path]]:
    """(engine, temporary folder) with every demo workbook loaded; removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = make_engine(url)
        try:
            repository.ensure_schema(engine)
            results = load_demo(engine, load_settings({"database_url": url,
                                                       "demo_dir": DATA_DIR / "demo"}))
            if not all(r.ok for r in results):
                raise SystemExit("the demo workbooks were refused")
            yield engine, Path(tmp)
        finally:
            engine.dispose()
