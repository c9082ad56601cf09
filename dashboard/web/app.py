"""The Dash application factory.

``create_app(config=None)`` merges defaults, the environment and ``config`` (see
:mod:`dashboard.config`), opens the database (:func:`dashboard.data.startup.open_database`:
the schema created on first use, an outdated one refused with what to run, unless the
settings let it upgrade itself), loads the demo workbooks into an empty database, and
builds the app with its pages. Trouble with the database raises
:class:`~dashboard.data.startup.StartupError`, whose message is one line for the operator.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from dash import Dash, dcc, html

from dashboard.config import ASSETS_DIR, Settings, load_settings
from dashboard.data import kolada, repository
from dashboard.data.context import keep
from dashboard.data.ingest import import_dataset
from dashboard.data.startup import open_database
from dashboard.meetings.demo import load_demo_meetings
from dashboard.web import auth, errors, routes, security, uploads
from dashboard.web.ids import Ids

PAGES_DIR = Path(__file__).resolve().parent / "pages"
log = logging.getLogger(__name__)

INDEX = """<!DOCTYPE html>
<html lang="sv">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def load_demo(engine, settings: Settings) -> list:
    """Import every workbook of the demo folder (first start with an empty database), and
    say so in the log: what, from where, into which database, and how to start over."""
    results = []
    paths = sorted(Path(settings.demo_dir).glob("*.xlsx"))
    for path in paths:
        result = import_dataset(engine, path, limits=settings.import_limits)
        if not result.ok:
            log.error("demo workbook %s was refused: %s", path.name, result.messages("en"))
        results.append(result)
    loaded = sum(r.ok for r in results)
    where = engine.url.render_as_string(hide_password=True)
    # Kolada's recorded answers for the demo's municipalities (kolada/*.json, the pages the
    # tests serve as the API), stored as `python -m dashboard kolada import` stores them.
    pages = sorted((Path(settings.demo_dir) / "kolada").glob("*.json"))
    if pages:
        try:
            stored = kolada.import_files(engine, pages)
            log.info("Loaded %d Kolada values from %d recorded pages (kolada/).",
                     stored.values, stored.pages)
        except kolada.KoladaFileError as exc:
            log.error("A recorded Kolada page, %s, was refused: %s", exc.file, exc.code)
    # The demo's steering meetings (one with a decision tied to a target, closed, and a
    # later one showing its effect), for the agreements just imported.
    if any(r.ok for r in results):
        load_demo_meetings(engine, set(repository.list_agreements(engine)["agreement_id"]))
    if paths:
        log.info("Loaded the demo data (%d of %d workbooks) from %s into the empty database "
                 "%s. To start over, stop the app and delete the database (for the default "
                 "SQLite file: data/dashboard.sqlite); LOAD_DEMO=0 starts with an empty one.",
                 loaded, len(paths), Path(settings.demo_dir).resolve(), where)
    else:
        log.warning("No demo workbooks in %s: the database %s stays empty.",
                    Path(settings.demo_dir).resolve(), where)
    return results


def create_app(config: dict | None = None) -> Dash:
    """Build the dashboard; ``config`` overrides settings (``database_url``, ``lang``...,
    and sign-in's: ``host``, ``secret_key``..., see :mod:`dashboard.access.settings`)."""
    settings = load_settings(config)
    engine = open_database(settings, settings.lang)
    if settings.load_demo and repository.is_empty(engine):
        load_demo(engine, settings)
    # name="dashboard" makes Dash import the pages as dashboard.web.pages.<name>; QuietDash
    # names no version in the page (dashboard/web/security.py).
    app = security.QuietDash(
        "dashboard",
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR),
        title="Samverkan – uppföljning",
        update_title=None,
        suppress_callback_exceptions=True,
        on_error=errors.callback_error,  # a message instead of a 500 (dashboard/web/errors.py)
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = INDEX
    keep(app.server, engine, settings)
    app.layout = html.Div([dcc.Location(id=Ids.URL, refresh="callback-nav"),
                           dcc.Store(id=Ids.URL_SYNC),
                           html.Div(id=Ids.APP_ALERT, role="alert"),
                           dash.page_container])
    security.install(app, settings)  # headers on every response (dashboard/web/security.py)
    errors.install(app)  # 400/503 pages, a message instead of a 500
    auth.install(app, settings, config)  # sign-in, the rights of every request (README)
    uploads.install(app, settings)  # stewards' files from the browser (pages/upload.py)
    routes.install(app)  # the audit log as CSV, for admins
    return app
