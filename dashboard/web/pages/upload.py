"""``/upload``: a data steward imports from the browser.

1. Drop (or choose) a workbook, a CSV file or a zip of CSV files; the browser sends it in a
   stream with a progress bar (``assets/upload.js``, ``POST /upload/file``).
2. The file is checked as the command line checks it, every problem at once (sheet, row,
   column), within the upload's limits (``UPLOAD_MAX_MB``, ``UPLOAD_MAX_ROWS``,
   ``UPLOAD_MAX_CELLS``, ``MAX_WORKBOOK_PART_MB``), in a process of its own with capped
   memory and time (:mod:`dashboard.data.ingest.capped`); a file refused for a limit is
   deleted at once. A file that names an agreement the steward has no steward role for is
   refused whole, naming those agreements, before anything else is said about it. Otherwise the
   preview: a dry run of the real import, rolled back (:mod:`dashboard.data.ingest.preview`):
   per table the rows added, replaced and removed, the agreements and months touched,
   earlier imports of the same agreements and stored data later than the file's.
3. "Importera" imports it (checked again); the import log below lists the imports of the
   steward's agreements, with undo. Every import and undo goes into the audit log.

Stewards (of at least one agreement) and admins only: to others the page does not exist.
"""

from __future__ import annotations

import json

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from flask import current_app

from dashboard.data import repository
from dashboard.data.context import engine
from dashboard.data.context import settings as app_settings
from dashboard.data.ingest import undo_import
from dashboard.data.ingest.capped import import_capped, preview_capped
from dashboard.data.ingest.problems import LIMIT_CODES
from dashboard.i18n import _, document_title, fmt_number, lang_of, month_label, swedish_time
from dashboard.people.audit import file_name
from dashboard.web import auth
from dashboard.web.components.cards import page_frame
from dashboard.web.ids import clicked
from dashboard.web.uploads import store_of

dash.register_page(__name__, order=5, path="/upload", title="Ladda upp data",
                   name="Ladda upp data", rights="import")

RESULT, LOG, MESSAGE, TOKEN, MODE, STATE, IMPORT = (
    "upload-result", "upload-log", "upload-message", "upload-token", "upload-mode",
    "upload-state", "upload-import")

def limits():
    """What an uploaded file is checked and imported within (the ``UPLOAD_*`` settings)."""
    return app_settings().upload_limits


def when(iso: str | None) -> str:
    return swedish_time(iso or "")[:16].replace("T", " ")


def agreement_names() -> dict[str, str]:
    frame = repository.list_agreements(engine())
    return dict(zip(frame["agreement_id"], frame["name"], strict=True)) if not frame.empty \
        else {}


# --------------------------------------------------------------------------- layout


def layout(**query):
    lang = lang_of(query.get("lang"))
    rights = auth.current_rights()
    mine = rights.agreements_with(auth.IMPORT)
    names = agreement_names()
    if mine is None:
        who = html.P(_("web.pages.upload.all", lang))
    else:
        who = html.Div([html.P(_("web.pages.upload.yours", lang), className="mb-1"), html.Ul(
            [html.Li(f"{names[a]} ({a})" if a in names else a) for a in sorted(mine)])])
    settings = current_app.config["DASHBOARD_AUTH"].settings
    drop = html.Div([
        html.P(_("web.pages.upload.drop", lang), className="mb-2"),
        html.Button(_("web.pages.upload.choose", lang), id="upload-choose",
                    className="btn btn-dark btn-lg",
                    type="button"),
        html.P(_("web.pages.upload.limit", lang,
                 mb=fmt_number(limits().max_bytes / 1_000_000, 0, lang),
                 rows=fmt_number(limits().max_table_rows, 0, lang),
                 cells=fmt_number(limits().max_workbook_cells, 0, lang),
                 minutes=fmt_number(settings.upload_minutes, 0, lang)),
               className="muted mt-2 mb-0"),
    ], id="upload-drop", className="drop-zone",
        **{"data-url": dash.get_relative_path("/upload/file") + (
            "?lang=en" if lang == "en" else ""),
           # A larger file is refused before it is sent (and a proxy's 413 said the same).
           "data-max-bytes": str(limits().max_bytes),
           "data-too-large": _("web.uploads.too_large", lang,
                               limit_mb=limits().max_bytes // 1_000_000)})
    body = [
        html.H1(_("web.pages.upload.title", lang), className="view-title"), who,
        html.Section([
            html.H2(_("web.pages.upload.step1", lang)),
            html.Fieldset([
                html.Legend(_("web.pages.upload.mode", lang), className="control-label fs-6"),
                dbc.RadioItems(id=MODE, value="upsert", options=[
                    {"label": _("web.pages.upload.upsert", lang), "value": "upsert"},
                    {"label": _("web.pages.upload.replace", lang), "value": "replace"}]),
            ], className="mb-2"),
            drop,
            dbc.Progress(id="upload-progress", value=0, label="", className="upload-progress",
                         style={"display": "none"}),
            html.Div(id="upload-status", role="status", **{"aria-live": "polite"}),
        ], className="admin-section"),
        html.Section([html.H2(_("web.pages.upload.step2", lang)),
                      html.Div(html.P(_("web.pages.upload.nothing_yet", lang), className="muted"),
                               id=RESULT)],
                     className="admin-section"),
        html.Div(id=MESSAGE, role="status", **{"aria-live": "polite"}),
        html.Section([html.H2(_("web.pages.upload.log", lang)), html.Div(import_log(lang), id=LOG)],
                     className="admin-section"),
        dcc.Store(id=TOKEN), dcc.Store(id=STATE, data={"lang": lang}),
    ]
    return page_frame(body, lang=lang, path="/upload", state={"lang": lang},
                      title=document_title(_("web.pages.upload.title", lang), lang=lang))


def import_log(lang: str) -> html.Div:
    """The imports of the steward's agreements (all, for an admin), newest first."""
    rights = auth.current_rights()
    mine = rights.agreements_with(auth.IMPORT)
    log = repository.list_imports(engine())
    rows = []
    for rec in log.to_dict("records") if not log.empty else []:
        touched = json.loads(rec["agreements_json"] or "[]")
        shown = touched if mine is None else [a for a in touched if a in mine]
        if not shown:
            continue
        active = rec["status"] == "active"
        undo = html.Button(_("web.pages.upload.undo", lang), id={"type": "undo-import",
                                                                 "import": int(rec["id"])},
                           className="btn btn-outline-dark btn-sm", n_clicks=0,
                           **{"aria-label": _("web.pages.upload.undo_label", lang, id=rec["id"])}) \
            if active and (mine is None or set(touched) <= mine) else None
        counts = json.loads(rec["rows_json"] or "{}")
        rows.append(html.Tr([
            html.Td(str(rec["id"])), html.Td(when(rec["imported_at"])),
            html.Td(rec["file_name"]), html.Td(", ".join(shown)),
            html.Td(", ".join(f"{k} {v}" for k, v in counts.items())),
            html.Td(_("web.pages.upload.active" if active else "web.pages.upload.undone", lang)),
            html.Td(undo)],
            **{"data-import": str(rec["id"])}))
        if len(rows) >= 200:
            break
    if not rows:
        return html.P(_("web.pages.upload.no_imports", lang), className="muted",
                      id="import-log-empty")
    head = html.Thead(html.Tr([html.Th(x, scope="col") for x in (
        "#", _("web.pages.upload.when", lang), _("web.pages.upload.file", lang),
        _("web.pages.upload.agreements", lang), _("web.pages.upload.rows", lang),
        _("web.pages.upload.status", lang), "")]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                      id="import-log")


# --------------------------------------------------------------------------- checking


def _lang(state) -> str:
    return lang_of(state.get("lang") if isinstance(state, dict) else None)


def _upload(token_data):
    user = auth.current_user()
    token = token_data.get("token") if isinstance(token_data, dict) else None
    return store_of().get(token, user.login) if user else None


def mine() -> set[str] | None:
    """The agreements the person asking may import (``None``: every one, an admin)."""
    return auth.current_rights().agreements_with(auth.IMPORT)


def not_yours(result) -> str | None:
    """The other agreements a refused file names, when that is why it was refused."""
    problems = result.problems
    if len(problems) == 1 and problems[0].code == "not_yours":
        return problems[0].params["ids"]
    return None


def refused(result, upload, lang: str):
    """The refusal shown: another's agreements, or the problems. An upload refused for a
    limit is deleted at once (it would be refused again in the other mode)."""
    others = not_yours(result)
    if others:
        return dbc.Alert(_("web.pages.upload.not_yours", lang, ids=others), color="danger",
                         id="upload-not-yours")
    if any(p.code in LIMIT_CODES for p in result.problems):
        store_of().discard(upload.token)
    return problems_block(result.messages(lang), lang)


def problems_block(messages: list[str], lang: str) -> dbc.Alert:
    return dbc.Alert([html.P(_("web.pages.upload.problems", lang, n=len(messages)),
                             className="fw-bold"),
                      html.Ol([html.Li(m) for m in messages], className="problem-list")],
                     color="danger", id="upload-problems")


def preview_block(preview, upload, lang: str) -> html.Div:
    names = agreement_names()
    table = html.Table([
        html.Thead(html.Tr([html.Th(_(f"web.pages.upload.{k}", lang), scope="col") for k in (
            "table", "in_file", "added", "replaced_rows", "removed")])),
        html.Tbody([html.Tr([html.Td(c.table)] + [html.Td(fmt_number(v, 0, lang)) for v in (
            c.in_file, c.added, c.replaced, c.removed)], **{"data-table": c.table})
                    for c in preview.tables])], className="table table-sm preview-table",
        id="preview-table")
    touched = []
    for a in preview.agreements:
        span = preview.months.get(a)
        months = f"{month_label(span[0], lang)} – {month_label(span[1], lang)}" if span \
            else _("web.pages.upload.no_months", lang)
        touched.append(html.Li(f"{names.get(a, a)} ({a}): {months}"))
    notes = []
    if upload.renamed:
        notes.append(_("web.pages.upload.renamed", lang))
    if preview.same_file:
        notes.append(_("web.pages.upload.same_file", lang, id=preview.same_file["id"],
                        when=when(preview.same_file["imported_at"])))
    for a, stored in preview.later_data.items():
        notes.append(_("web.pages.upload.later", lang, agreement=names.get(a, a),
                        stored=month_label(stored, lang),
                        last=month_label(preview.months[a][1], lang)))
    notes += [f"{_('web.pages.upload.warning', lang)}: {w.message(lang)}"
              for w in preview.result.warnings]
    earlier = [html.Li(f"{e['id']}: {when(e['imported_at'])}, {e['file_name']}")
               for e in preview.earlier[:10]]
    return html.Div([
        dbc.Alert(_("web.pages.upload.ok", lang, name=upload.name), color="success",
                  id="upload-ok"),
        table,
        html.H3(_("web.pages.upload.touched", lang), className="h5"), html.Ul(touched,
                                                                              id="preview-touched"),
        dbc.Alert([html.Ul([html.Li(n) for n in notes], className="mb-0")], color="warning",
                  id="preview-notes") if notes else None,
        html.Div([html.P(_("web.pages.upload.earlier", lang), className="mb-1"), html.Ul(earlier)],
                 id="preview-earlier") if earlier else None,
        html.Button(_("web.pages.upload.import", lang), id=IMPORT, n_clicks=0,
                    className="btn btn-dark btn-lg"),
    ])


@callback(
    Output(RESULT, "children"),
    Input(TOKEN, "data"),
    Input(MODE, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.IMPORT)  # which agreements: the file's, checked below
def check(token_data, mode, state):
    """The uploaded file: refused whole (another's agreement), its problems, or the preview."""
    lang = _lang(state)
    if not isinstance(token_data, dict):  # the mode changed before any file was sent
        return html.P(_("web.pages.upload.nothing_yet", lang), className="muted")
    upload = _upload(token_data)
    if upload is None:
        return dbc.Alert(_("web.pages.upload.gone", lang), color="warning", id="upload-gone")
    preview = preview_capped(engine(), upload.dataset, replace=mode == "replace",
                             limits=limits(), only=mine())
    if not preview.ok:
        return refused(preview.result, upload, lang)
    return preview_block(preview, upload, lang)


@callback(
    Output(RESULT, "children", allow_duplicate=True),
    Output(LOG, "children", allow_duplicate=True),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input(IMPORT, "n_clicks"),
    State(TOKEN, "data"),
    State(MODE, "value"),
    State(STATE, "data"),
    running=[(Output(IMPORT, "disabled"), True, False)],  # one click, one import
    prevent_initial_call=True,
)
@auth.guard(auth.IMPORT)
def run_import(clicks, token_data, mode, state):
    """Import the previewed file (every check again), log it, delete the upload."""
    if not clicks:
        return no_update, no_update, no_update
    lang = _lang(state)
    upload = _upload(token_data)
    if upload is None:
        return dbc.Alert(_("web.pages.upload.gone", lang), color="warning"), no_update, no_update
    result = import_capped(engine(), upload.dataset, replace=mode == "replace",
                           limits=limits(), only=mine())
    if not result.ok:
        others = not_yours(result)
        auth.record("import_refused", detail={"not_yours": others.split(", ")} if others else
                    {"problems": len(result.problems), "file": file_name(upload.name)})
        return refused(result, upload, lang), no_update, no_update
    store_of().discard(upload.token)
    agreements = preview_agreements(result)
    auth.record("import", agreement=agreements[0] if len(agreements) == 1 else None,
                obj=str(result.import_id),
                detail={"agreements": agreements, "rows": result.rows,
                        "mode": mode if mode == "replace" else "upsert",
                        "file": file_name(upload.name)})
    rows = ", ".join(f"{k} {v}" for k, v in result.rows.items())
    done = dbc.Alert(_("web.pages.upload.imported", lang, id=result.import_id, name=result.source,
                       rows=rows),
                     color="success", id="upload-imported")
    return html.P(_("web.pages.upload.nothing_yet", lang),
                  className="muted"), import_log(lang), done


def preview_agreements(result) -> list[str]:
    with repository.read_transaction(engine()) as conn:
        entry = repository.get_import(conn, result.import_id)
    return json.loads(entry["agreements_json"] or "[]") if entry else []


@callback(
    Output(LOG, "children", allow_duplicate=True),
    Output(MESSAGE, "children", allow_duplicate=True),
    Input({"type": "undo-import", "import": ALL}, "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.IMPORT)  # and a steward of every agreement of that import, below
def undo(clicks, state):
    """Undo one import of the steward's own agreements."""
    trigger = clicked()
    if trigger is None:
        return no_update, no_update
    lang = _lang(state)
    import_id = trigger.get("import")
    if not isinstance(import_id, int):
        raise auth.NotAllowed("import")
    with repository.read_transaction(engine()) as conn:
        entry = repository.get_import(conn, import_id)
    if entry is None:
        raise auth.NotAllowed("import")
    agreements = json.loads(entry["agreements_json"] or "[]")
    for a in agreements:
        auth.require(auth.IMPORT, a)
    result = undo_import(engine(), import_id)
    if not result.ok:
        auth.record("undo_refused", agreement=agreements[0] if len(agreements) == 1 else None,
                    obj=str(import_id), detail={"problems": len(result.problems)})
        return import_log(lang), dbc.Alert(
            [html.P(_("web.pages.upload.undo_failed", lang, id=import_id)),
             html.Ul([html.Li(p.message(lang)) for p in result.problems])],
            color="danger", id="undo-failed")
    auth.record("undo", agreement=agreements[0] if len(agreements) == 1 else None,
                obj=str(import_id), detail={"agreements": agreements,
                                            "restored": result.restored})
    return import_log(lang), dbc.Alert(_("web.pages.upload.undone_msg", lang, id=import_id),
                                       color="success",
                                       id="undo-done")
