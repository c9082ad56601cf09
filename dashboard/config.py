"""Settings: defaults, then environment variables, then explicit overrides.

=====================  ==========================================  =====================
setting                environment variable                        default
=====================  ==========================================  =====================
database_url           ``DATABASE_URL``                            SQLite file data/dashboard.sqlite
lang                   ``DASHBOARD_LANG`` (``sv`` or ``en``)       ``sv``
max_import_mb          ``MAX_IMPORT_MB`` (a file, folder or zip)    200
max_table_rows         ``MAX_TABLE_ROWS`` (rows with values)        5 000 000
max_workbook_cells     ``MAX_WORKBOOK_CELLS`` (empty ones too)      5 000 000
suppression_threshold  ``SUPPRESS_BELOW`` (exports: counts 1..n-1)  5
demo_dir               ``DEMO_DIR``                                data/demo
load_demo              ``LOAD_DEMO`` (``0`` to start empty)        ``1``
=====================  ==========================================  =====================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
ASSETS_DIR = PROJECT_ROOT / "assets"


def default_database_url() -> str:
    return f"sqlite:///{DATA_DIR / 'dashboard.sqlite'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    lang: str = "sv"
    max_import_mb: float = 200.0
    max_table_rows: int = 5_000_000
    max_workbook_cells: int = 5_000_000
    suppression_threshold: int = 5
    demo_dir: Path = DATA_DIR / "demo"
    load_demo: bool = True

    @property
    def max_import_bytes(self) -> int:
        return int(self.max_import_mb * 1_000_000)

    @property
    def import_limits(self):
        """What an import accepts (:class:`dashboard.ingest.readers.ImportLimits`)."""
        from .ingest.readers import ImportLimits

        return ImportLimits(max_bytes=self.max_import_bytes,
                            max_table_rows=self.max_table_rows,
                            max_workbook_cells=self.max_workbook_cells)


def load_settings(overrides: dict | None = None, environ=None) -> Settings:
    """Merge defaults, environment and ``overrides`` (tests, the app factory)."""
    env = os.environ if environ is None else environ
    values: dict = {
        "database_url": env.get("DATABASE_URL") or default_database_url(),
        "lang": env.get("DASHBOARD_LANG", "sv") if env.get("DASHBOARD_LANG") in ("sv", "en")
        else "sv",
    }
    if env.get("MAX_IMPORT_MB"):
        values["max_import_mb"] = float(env["MAX_IMPORT_MB"])
    if env.get("MAX_TABLE_ROWS"):
        values["max_table_rows"] = int(env["MAX_TABLE_ROWS"].replace(" ", "").replace("_", ""))
    if env.get("MAX_WORKBOOK_CELLS"):
        values["max_workbook_cells"] = int(env["MAX_WORKBOOK_CELLS"].replace(" ", "")
                                           .replace("_", ""))
    if env.get("SUPPRESS_BELOW"):
        values["suppression_threshold"] = int(env["SUPPRESS_BELOW"])
    if env.get("DEMO_DIR"):
        values["demo_dir"] = Path(env["DEMO_DIR"])
    if env.get("LOAD_DEMO"):
        values["load_demo"] = env["LOAD_DEMO"].strip().lower() not in ("0", "false", "no", "nej")
    settings = Settings(**values)
    if overrides:
        known = {f.name for f in fields(Settings)}
        settings = replace(settings, **{k: v for k, v in overrides.items() if k in known})
    return settings
