"""Settings: defaults, then environment variables, then explicit overrides.

=====================  ==========================================  =====================
setting                environment variable                        default
=====================  ==========================================  =====================
database_url           ``DATABASE_URL``                            SQLite file data/dashboard.sqlite
lang                   ``DASHBOARD_LANG`` (``sv`` or ``en``)       ``sv``
max_import_mb          ``MAX_IMPORT_MB`` (a file, folder or zip)    200
max_table_rows         ``MAX_TABLE_ROWS`` (rows with values)        5 000 000
max_workbook_cells     ``MAX_WORKBOOK_CELLS`` (cells and texts)     1 000 000
max_workbook_part_mb   ``MAX_WORKBOOK_PART_MB`` (a part, unpacked)  50
import_memory_mb       ``IMPORT_MEMORY_MB`` (more than at start)    2048
upload_max_mb          ``UPLOAD_MAX_MB`` (the web's uploads: size)  20
upload_max_rows        ``UPLOAD_MAX_ROWS`` (rows of a table)        200 000
upload_max_cells       ``UPLOAD_MAX_CELLS`` (cells of a workbook)   500 000
upload_seconds         ``UPLOAD_SECONDS`` (a check or an import)    40
suppression_threshold  ``SUPPRESS_BELOW`` (exports: counts 1..n-1)  5
demo_dir               ``DEMO_DIR``                                data/demo
load_demo              ``LOAD_DEMO`` (``0`` to start empty)        ``1``
redis_url              ``REDIS_URL`` (shared cache and jobs)         none
cache_dir              ``CACHE_DIR`` (the disk cache of figures)     the system's temp folder
cache_items            ``CACHE_ITEMS`` (views kept per process)      128
cache_ttl              ``CACHE_TTL`` (seconds a figure is kept)      86400
warm_cache             ``WARM_CACHE`` (compute views ahead)        ``1``
warm_interval          ``WARM_INTERVAL`` (seconds between looks)   2
export_browsers        ``EXPORT_BROWSERS`` (browsers at once)      max(1, cores // 2)
export_result_ttl      ``EXPORT_RESULT_TTL`` (seconds kept)        3600
export_wait            ``EXPORT_WAIT`` (a chart waits, seconds)    20
export_cache_mb        ``EXPORT_CACHE_MB`` (results on disk)       1024
jobs_dir               ``JOBS_DIR`` (queue and results, local)     the system's temp folder
auto_upgrade           ``AUTO_UPGRADE`` (``1`` or ``0``)           only the default file
frame_ancestors        ``FRAME_ANCESTORS`` (origins, spaced)       none may frame the app
trusted_proxies        ``TRUSTED_PROXIES`` (proxies in front)      0: X-Forwarded-* unused
audit_retention_days   ``AUDIT_RETENTION_DAYS`` (0: keep all)      730
smtp_host              ``SMTP_HOST`` (the pre-read's mail server)   none: no mail is sent
smtp_port              ``SMTP_PORT``                                25 (587 with STARTTLS)
smtp_user              ``SMTP_USER`` (sign in to the server)        none
smtp_password          ``SMTP_PASSWORD``                            none
smtp_starttls          ``SMTP_STARTTLS`` (``1``: encrypt first)     ``0``
smtp_from              ``SMTP_FROM`` (the sender's address)         ``SMTP_USER``, else
                                                                    dashboard@<this host>
kolada_url             ``KOLADA_URL`` (Kolada's API v3)             https://api.kolada.se/v3
kolada_timeout         ``KOLADA_TIMEOUT`` (seconds per answer)      30
kolada_retries         ``KOLADA_RETRIES`` (tries again, failures)   3
kolada_backoff         ``KOLADA_BACKOFF`` (first wait, seconds)     1
=====================  ==========================================  =====================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
ASSETS_DIR = PROJECT_ROOT / "assets"


def default_browsers() -> int:
    """Browsers at once by default: one per two cores (each draws with about one core)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, cores // 2)


def default_database_url() -> str:
    return f"sqlite:///{DATA_DIR / 'dashboard.sqlite'}"


# The settings each limit of an import is changed with, for the messages that name them:
# the command line's (and the demo's) and the web upload's.
IMPORT_SETTINGS = {"bytes": "MAX_IMPORT_MB", "rows": "MAX_TABLE_ROWS",
                   "cells": "MAX_WORKBOOK_CELLS", "part": "MAX_WORKBOOK_PART_MB",
                   "memory": "IMPORT_MEMORY_MB", "seconds": "UPLOAD_SECONDS"}
UPLOAD_SETTINGS = {**IMPORT_SETTINGS, "bytes": "UPLOAD_MAX_MB", "rows": "UPLOAD_MAX_ROWS",
                   "cells": "UPLOAD_MAX_CELLS"}


@dataclass(frozen=True)
class ImportLimits:
    """What an import accepts (settings ``MAX_IMPORT_MB``, ``MAX_TABLE_ROWS``,
    ``MAX_WORKBOOK_CELLS``, ``MAX_WORKBOOK_PART_MB``, ``IMPORT_MEMORY_MB``; a web upload's
    ``UPLOAD_MAX_MB``, ``UPLOAD_MAX_ROWS``, ``UPLOAD_MAX_CELLS``, ``UPLOAD_SECONDS``).

    A workbook is checked before anything is unpacked (the sizes its zip directory
    declares, which Python's zipfile never reads past) and before openpyxl reads it (its
    rows and cells counted in the unpacked XML); see :mod:`dashboard.data.ingest.readers`.
    ``memory_mb`` and ``seconds`` are kept by the process the import runs in
    (:mod:`dashboard.data.ingest.capped`)."""

    max_bytes: int = 200_000_000  # a file, or all files of a folder or zip, unpacked
    max_table_rows: int = 5_000_000  # rows with values, per table
    # Cells of a workbook: every cell its sheets hold and every text of its shared texts,
    # and, as it is read, every cell looked at, empty ones included (a stray value far to
    # the right or far down makes a sheet huge although the file is small). openpyxl reads
    # some 30 000 cells a second.
    max_workbook_cells: int = 1_000_000
    # Each part of a workbook (a sheet, the shared texts) unpacked: openpyxl holds the
    # shared texts in memory whole.
    max_part_bytes: int = 50_000_000
    memory_mb: int = 2048  # the importing process's memory beyond what it holds at start
    seconds: float | None = None  # the time an import may take; None: no limit
    upload: bool = False  # a web upload's limits (their settings are named so)

    def setting(self, what: str) -> str:
        """The setting that changes the limit ``what`` (``bytes``, ``rows``, ...)."""
        return (UPLOAD_SETTINGS if self.upload else IMPORT_SETTINGS)[what]


@dataclass(frozen=True)
class Settings:
    database_url: str
    lang: str = "sv"
    max_import_mb: float = 200.0
    max_table_rows: int = 5_000_000
    max_workbook_cells: int = 1_000_000
    max_workbook_part_mb: float = 50.0
    import_memory_mb: int = 2048
    # A steward's file sent through the web page: a month or a year of one agreement is
    # a few thousand rows; the command line takes the national dataset in one import.
    upload_max_mb: float = 20.0
    upload_max_rows: int = 200_000
    upload_max_cells: int = 500_000
    upload_seconds: float = 40.0  # below gunicorn's timeout (GUNICORN_TIMEOUT, 60)
    suppression_threshold: int = 5
    demo_dir: Path = DATA_DIR / "demo"
    load_demo: bool = True
    redis_url: str | None = None
    cache_dir: str | None = None  # None: the system's temporary folder; "": no shared cache
    cache_items: int = 128
    cache_ttl: int = 86_400
    # Views computed ahead of users at every new data version (dashboard/store/warm.py).
    warm_cache: bool = True
    warm_interval: float = 2.0
    # Jobs that start a browser (meeting packs, chart images): see dashboard/jobs.
    export_browsers: int = field(default_factory=default_browsers)
    export_result_ttl: int = 3600
    export_wait: float = 20.0
    export_cache_mb: int = 1024
    jobs_dir: str | None = None  # None: the system's temporary folder
    # None: upgrade the schema at start only for the embedded default SQLite file.
    auto_upgrade: bool | None = None
    frame_ancestors: tuple[str, ...] = ()
    trusted_proxies: int = 0
    # Days the audit log keeps an entry (dashboard/people/audit.py); 0: for ever.
    audit_retention_days: int = 730
    # The meeting's pre-read by e-mail (dashboard/export/mail.py, `python -m dashboard mail`).
    smtp_host: str | None = None
    smtp_port: int | None = None  # None: 587 with STARTTLS, else 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    smtp_from: str | None = None
    # Kolada's API (contract section 9; `python -m dashboard kolada fetch`): its address,
    # the seconds an answer may take, how often a failure is tried again, and the first
    # wait before trying again (doubled each time).
    kolada_url: str = "https://api.kolada.se/v3"
    kolada_timeout: float = 30.0
    kolada_retries: int = 3
    kolada_backoff: float = 1.0

    @property
    def upgrades_itself(self) -> bool:
        """Whether start-up brings an older schema up to date by itself."""
        if self.auto_upgrade is not None:
            return self.auto_upgrade
        return self.database_url == default_database_url()

    @property
    def max_import_bytes(self) -> int:
        return int(self.max_import_mb * 1_000_000)

    @property
    def import_limits(self):
        """What an import accepts (:class:`ImportLimits`)."""

        return ImportLimits(max_bytes=self.max_import_bytes,
                            max_table_rows=self.max_table_rows,
                            max_workbook_cells=self.max_workbook_cells,
                            max_part_bytes=int(self.max_workbook_part_mb * 1_000_000),
                            memory_mb=self.import_memory_mb)

    @property
    def upload_max_bytes(self) -> int:
        return int(self.upload_max_mb * 1_000_000)

    @property
    def upload_limits(self):
        """What a file sent through the web page is checked and imported within."""

        return replace(self.import_limits, max_bytes=self.upload_max_bytes,
                       max_table_rows=self.upload_max_rows,
                       max_workbook_cells=self.upload_max_cells,
                       seconds=self.upload_seconds, upload=True)


def _yes(text: str) -> bool:
    return text.strip().lower() not in ("0", "false", "no", "nej", "off")


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
    for name, variable, kind in (("max_workbook_cells", "MAX_WORKBOOK_CELLS", int),
                                 ("max_workbook_part_mb", "MAX_WORKBOOK_PART_MB", float),
                                 ("import_memory_mb", "IMPORT_MEMORY_MB", int),
                                 ("upload_max_mb", "UPLOAD_MAX_MB", float),
                                 ("upload_max_rows", "UPLOAD_MAX_ROWS", int),
                                 ("upload_max_cells", "UPLOAD_MAX_CELLS", int),
                                 ("upload_seconds", "UPLOAD_SECONDS", float)):
        if env.get(variable, "").strip():
            values[name] = kind(env[variable].replace(" ", "").replace("_", ""))
    if env.get("SUPPRESS_BELOW"):
        values["suppression_threshold"] = int(env["SUPPRESS_BELOW"])
    if env.get("DEMO_DIR"):
        values["demo_dir"] = Path(env["DEMO_DIR"])
    if env.get("LOAD_DEMO"):
        values["load_demo"] = _yes(env["LOAD_DEMO"])
    if env.get("AUTO_UPGRADE", "").strip():
        values["auto_upgrade"] = _yes(env["AUTO_UPGRADE"])
    if env.get("FRAME_ANCESTORS"):
        values["frame_ancestors"] = tuple(env["FRAME_ANCESTORS"].split())
    if env.get("TRUSTED_PROXIES", "").strip():
        values["trusted_proxies"] = int(env["TRUSTED_PROXIES"])
    if env.get("AUDIT_RETENTION_DAYS", "").strip():
        values["audit_retention_days"] = max(0, int(env["AUDIT_RETENTION_DAYS"]))
    if env.get("REDIS_URL"):
        values["redis_url"] = env["REDIS_URL"]
    if "CACHE_DIR" in env:
        values["cache_dir"] = env["CACHE_DIR"]
    if env.get("CACHE_ITEMS"):
        values["cache_items"] = int(env["CACHE_ITEMS"])
    if env.get("CACHE_TTL"):
        values["cache_ttl"] = int(env["CACHE_TTL"])
    if env.get("WARM_CACHE", "").strip():
        values["warm_cache"] = _yes(env["WARM_CACHE"])
    if env.get("WARM_INTERVAL", "").strip():
        values["warm_interval"] = float(env["WARM_INTERVAL"])
    for name, variable, kind in (("export_browsers", "EXPORT_BROWSERS", int),
                                 ("export_result_ttl", "EXPORT_RESULT_TTL", int),
                                 ("export_wait", "EXPORT_WAIT", float),
                                 ("export_cache_mb", "EXPORT_CACHE_MB", int)):
        if env.get(variable, "").strip():
            values[name] = kind(env[variable])
    if env.get("JOBS_DIR"):
        values["jobs_dir"] = env["JOBS_DIR"]
    for name, variable in (("smtp_host", "SMTP_HOST"), ("smtp_user", "SMTP_USER"),
                           ("smtp_password", "SMTP_PASSWORD"), ("smtp_from", "SMTP_FROM")):
        if env.get(variable, "").strip():
            values[name] = env[variable].strip() if name != "smtp_password" else env[variable]
    if env.get("SMTP_PORT", "").strip():
        values["smtp_port"] = int(env["SMTP_PORT"])
    if env.get("SMTP_STARTTLS", "").strip():
        values["smtp_starttls"] = _yes(env["SMTP_STARTTLS"])
    if env.get("KOLADA_URL", "").strip():
        values["kolada_url"] = env["KOLADA_URL"].strip()
    for name, variable, kind in (("kolada_timeout", "KOLADA_TIMEOUT", float),
                                 ("kolada_retries", "KOLADA_RETRIES", int),
                                 ("kolada_backoff", "KOLADA_BACKOFF", float)):
        if env.get(variable, "").strip():
            values[name] = max(kind(0), kind(env[variable]))
    settings = Settings(**values)
    if overrides:
        known = {f.name for f in fields(Settings)}
        settings = replace(settings, **{k: v for k, v in overrides.items() if k in known})
    return settings
