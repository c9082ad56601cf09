"""``/upload``: a data steward imports from the browser.

1. Drop (or choose) a workbook, a CSV file or a zip of CSV files; the browser sends it in a
   stream with a progress bar (``assets/upload.js``, ``POST /upload/file``).
2. The file is checked as the command line checks it, every problem at once (sheet, row,
   column). A file that names an agreement the steward has no steward role for is refused
   whole, naming those agreements, before anything else is said about it. Otherwise the
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
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from dashboard.web import auth
from dashboard.data import repository
from dashboard.web.components.cards import page_frame
from dashboard.i18n import document_title, fmt_number, lang_of, month_label, swedish_time, words
from dashboard.data.ingest import import_dataset, undo_import
from dashboard.data.ingest.preview import file_agreements, preview_import
from dashboard.web.uploads import store_of

dash.register_page(__name__, order=5, path="/upload", title="Ladda upp data",
                   name="Ladda upp data", rights="import")

RESULT, LOG, MESSAGE, TOKEN, MODE, STATE, IMPORT = (
    "upload-result", "upload-log", "upload-message", "upload-token", "upload-mode",
    "upload-state", "upload-import")

_T = {
    "title": ("Ladda upp data", "Upload data"),
    "yours": ("Du är dataförvaltare för:", "You are the data steward of:"),
    "all": ("Som administratör kan du importera data för alla överenskommelser.",
            "As an administrator you may import data for every agreement."),
    "step1": ("1. Välj fil", "1. Choose a file"),
    "mode": ("Hur filen ska läsas in", "How to import the file"),
    "upsert": ("Uppdatera: rader med samma nyckel ersätts, andra lagrade rader behålls",
               "Update: rows with the same key are replaced, other stored rows are kept"),
    "replace": ("Ersätt: alla lagrade rader i filens tabeller för filens överenskommelser "
                "tas bort först",
                "Replace: every stored row of the file's tables for the file's agreements "
                "goes first"),
    "drop": ("Dra en arbetsbok (.xlsx), en CSV-fil eller en zip-fil med CSV-filer hit, "
             "eller", "Drop a workbook (.xlsx), a CSV file or a zip file of CSV files here, "
             "or"),
    "choose": ("Välj fil …", "Choose a file …"),
    "limit": ("Högst {mb} MB. Filen sparas bara tills den är importerad (högst {minutes} "
              "minuter) och visas aldrig för någon annan.",
              "At most {mb} MB. The file is kept only until it is imported (at most {minutes} "
              "minutes) and is never shown to anyone else."),
    "step2": ("2. Kontroll och förhandsgranskning", "2. Check and preview"),
    "nothing_yet": ("Ingen fil än.", "No file yet."),
    "gone": ("Filen finns inte längre (den har importerats eller var för gammal): ladda upp "
             "den igen.",
             "The file is no longer there (it was imported or is too old): upload it again."),
    "not_yours": ("Filen rör överenskommelser som du inte är dataförvaltare för: {ids}. Hela "
                  "filen avvisas; inget har importerats.",
                  "The file touches agreements you are not the data steward of: {ids}. The "
                  "whole file is refused; nothing was imported."),
    "problems": ("Filen kan inte importeras: {n} problem. Inget har sparats. Rätta filen och "
                 "ladda upp den igen.",
                 "The file cannot be imported: {n} problem(s). Nothing was stored. Correct "
                 "the file and upload it again."),
    "renamed": ("Filnamnet innehöll något som liknar ett personnummer och har bytts ut.",
                "The file name held something like an identity number and was replaced."),
    "ok": ("”{name}” klarade alla kontroller. Så här skulle importen ändra data:",
           "'{name}' passed every check. This is what the import would change:"),
    "table": ("Tabell", "Table"),
    "in_file": ("I filen", "In the file"),
    "added": ("Nya", "Added"),
    "replaced_rows": ("Ersätts", "Replaced"),
    "removed": ("Tas bort", "Removed"),
    "touched": ("Överenskommelser och månader i filen", "Agreements and months in the file"),
    "no_months": ("inga månader", "no months"),
    "same_file": ("Samma fil importerades redan (import {id}, {when}).",
                  "The same file was already imported (import {id}, {when})."),
    "later": ("Det finns redan data för {agreement} till och med {stored}, senare än filens "
              "sista månad ({last}).",
              "{agreement} already has data up to {stored}, later than the file's last month "
              "({last})."),
    "earlier": ("Tidigare importer av samma överenskommelser (de kan inte ångras medan den "
                "här importen står kvar):",
                "Earlier imports of the same agreements (they cannot be undone while this "
                "import stands):"),
    "import": ("Importera", "Import"),
    "imported": ("Import {id} klar: {name}. {rows}", "Import {id} done: {name}. {rows}"),
    "refused_now": ("Importen avbröts – inget har sparats:", "The import was refused – "
                    "nothing was stored:"),
    "log": ("Importlogg", "Import log"),
    "no_imports": ("Inga importer av dina överenskommelser än.",
                   "No imports of your agreements yet."),
    "when": ("När", "When"),
    "file": ("Fil", "File"),
    "agreements": ("Överenskommelser", "Agreements"),
    "rows": ("Rader", "Rows"),
    "status": ("Status", "Status"),
    "active": ("aktiv", "active"),
    "undone": ("ångrad", "undone"),
    "undo": ("Ångra", "Undo"),
    "undo_label": ("Ångra import {id}", "Undo import {id}"),
    "undone_msg": ("Import {id} ångrad.", "Import {id} undone."),
    "undo_failed": ("Import {id} kunde inte ångras:", "Import {id} could not be undone:"),
    "warning": ("Observera", "Note"),
}


def _t(key: str, lang: str, **kw) -> str:
    return words(_T, key, lang, kw)


def engine():
    return current_app.config["DASHBOARD_ENGINE"]


def max_bytes() -> int:
    return current_app.config["DASHBOARD_SETTINGS"].max_import_bytes


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
        who = html.P(_t("all", lang))
    else:
        who = html.Div([html.P(_t("yours", lang), className="mb-1"), html.Ul(
            [html.Li(f"{names[a]} ({a})" if a in names else a) for a in sorted(mine)])])
    settings = current_app.config["DASHBOARD_AUTH"].settings
    drop = html.Div([
        html.P(_t("drop", lang), className="mb-2"),
        html.Button(_t("choose", lang), id="upload-choose", className="btn btn-dark btn-lg",
                    type="button"),
        html.P(_t("limit", lang, mb=fmt_number(max_bytes() / 1_000_000, 0, lang),
                  minutes=fmt_number(settings.upload_minutes, 0, lang)),
               className="muted mt-2 mb-0"),
    ], id="upload-drop", className="drop-zone",
        **{"data-url": dash.get_relative_path("/upload/file") + (
            "?lang=en" if lang == "en" else "")})
    body = [
        html.H1(_t("title", lang), className="view-title"), who,
        html.Section([
            html.H2(_t("step1", lang)),
            html.Fieldset([
                html.Legend(_t("mode", lang), className="control-label fs-6"),
                dbc.RadioItems(id=MODE, value="upsert", options=[
                    {"label": _t("upsert", lang), "value": "upsert"},
                    {"label": _t("replace", lang), "value": "replace"}]),
            ], className="mb-2"),
            drop,
            dbc.Progress(id="upload-progress", value=0, label="", className="upload-progress",
                         style={"display": "none"}),
            html.Div(id="upload-status", role="status", **{"aria-live": "polite"}),
        ], className="admin-section"),
        html.Section([html.H2(_t("step2", lang)),
                      html.Div(html.P(_t("nothing_yet", lang), className="muted"), id=RESULT)],
                     className="admin-section"),
        html.Div(id=MESSAGE, role="status", **{"aria-live": "polite"}),
        html.Section([html.H2(_t("log", lang)), html.Div(import_log(lang), id=LOG)],
                     className="admin-section"),
        dcc.Store(id=TOKEN), dcc.Store(id=STATE, data={"lang": lang}),
    ]
    return page_frame(body, lang=lang, path="/upload", state={"lang": lang},
                      title=document_title(_t("title", lang), lang=lang))


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
        undo = html.Button(_t("undo", lang), id={"type": "undo-import", "import": int(rec["id"])},
                           className="btn btn-outline-dark btn-sm", n_clicks=0,
                           **{"aria-label": _t("undo_label", lang, id=rec["id"])}) \
            if active and (mine is None or set(touched) <= mine) else None
        counts = json.loads(rec["rows_json"] or "{}")
        rows.append(html.Tr([
            html.Td(str(rec["id"])), html.Td(when(rec["imported_at"])),
            html.Td(rec["file_name"]), html.Td(", ".join(shown)),
            html.Td(", ".join(f"{k} {v}" for k, v in counts.items())),
            html.Td(_t("active" if active else "undone", lang)), html.Td(undo)],
            **{"data-import": str(rec["id"])}))
        if len(rows) >= 200:
            break
    if not rows:
        return html.P(_t("no_imports", lang), className="muted", id="import-log-empty")
    head = html.Thead(html.Tr([html.Th(x, scope="col") for x in (
        "#", _t("when", lang), _t("file", lang), _t("agreements", lang), _t("rows", lang),
        _t("status", lang), "")]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                      id="import-log")


# --------------------------------------------------------------------------- checking


def _lang(state) -> str:
    return lang_of(state.get("lang") if isinstance(state, dict) else None)


def _upload(token_data):
    user = auth.current_user()
    token = token_data.get("token") if isinstance(token_data, dict) else None
    return store_of().get(token, user.login) if user else None


def not_yours(path) -> list[str]:
    """The agreements the file names that the person asking may not import."""
    rights = auth.current_rights()
    return [a for a in file_agreements(path, max_bytes()) if not rights.may(auth.IMPORT, a)]


def problems_block(messages: list[str], lang: str) -> dbc.Alert:
    return dbc.Alert([html.P(_t("problems", lang, n=len(messages)), className="fw-bold"),
                      html.Ol([html.Li(m) for m in messages], className="problem-list")],
                     color="danger", id="upload-problems")


def preview_block(preview, upload, lang: str) -> html.Div:
    names = agreement_names()
    table = html.Table([
        html.Thead(html.Tr([html.Th(_t(k, lang), scope="col") for k in (
            "table", "in_file", "added", "replaced_rows", "removed")])),
        html.Tbody([html.Tr([html.Td(c.table)] + [html.Td(fmt_number(v, 0, lang)) for v in (
            c.in_file, c.added, c.replaced, c.removed)], **{"data-table": c.table})
                    for c in preview.tables])], className="table table-sm preview-table",
        id="preview-table")
    touched = []
    for a in preview.agreements:
        span = preview.months.get(a)
        months = f"{month_label(span[0], lang)} – {month_label(span[1], lang)}" if span \
            else _t("no_months", lang)
        touched.append(html.Li(f"{names.get(a, a)} ({a}): {months}"))
    notes = []
    if upload.renamed:
        notes.append(_t("renamed", lang))
    if preview.same_file:
        notes.append(_t("same_file", lang, id=preview.same_file["id"],
                        when=when(preview.same_file["imported_at"])))
    for a, stored in preview.later_data.items():
        notes.append(_t("later", lang, agreement=names.get(a, a),
                        stored=month_label(stored, lang),
                        last=month_label(preview.months[a][1], lang)))
    notes += [f"{_t('warning', lang)}: {w.message(lang)}" for w in preview.result.warnings]
    earlier = [html.Li(f"{e['id']}: {when(e['imported_at'])}, {e['file_name']}")
               for e in preview.earlier[:10]]
    return html.Div([
        dbc.Alert(_t("ok", lang, name=upload.name), color="success", id="upload-ok"),
        table,
        html.H3(_t("touched", lang), className="h5"), html.Ul(touched, id="preview-touched"),
        dbc.Alert([html.Ul([html.Li(n) for n in notes], className="mb-0")], color="warning",
                  id="preview-notes") if notes else None,
        html.Div([html.P(_t("earlier", lang), className="mb-1"), html.Ul(earlier)],
                 id="preview-earlier") if earlier else None,
        html.Button(_t("import", lang), id=IMPORT, n_clicks=0, className="btn btn-dark btn-lg"),
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
        return html.P(_t("nothing_yet", lang), className="muted")
    upload = _upload(token_data)
    if upload is None:
        return dbc.Alert(_t("gone", lang), color="warning", id="upload-gone")
    others = not_yours(upload.dataset)
    if others:
        return dbc.Alert(_t("not_yours", lang, ids=", ".join(others)), color="danger",
                         id="upload-not-yours")
    preview = preview_import(engine(), upload.dataset, replace=mode == "replace",
                             max_bytes=max_bytes())
    if not preview.ok:
        return problems_block(preview.result.messages(lang), lang)
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
        return dbc.Alert(_t("gone", lang), color="warning"), no_update, no_update
    others = not_yours(upload.dataset)
    if others:
        auth.record("import_refused", detail={"not_yours": others})
        return (dbc.Alert(_t("not_yours", lang, ids=", ".join(others)), color="danger",
                          id="upload-not-yours"), no_update, no_update)
    result = import_dataset(engine(), upload.dataset, replace=mode == "replace",
                            max_bytes=max_bytes())
    from dashboard.people.audit import file_name

    if not result.ok:
        auth.record("import_refused", detail={"problems": len(result.problems),
                                              "file": file_name(upload.name)})
        return problems_block(result.messages(lang), lang), no_update, no_update
    store_of().discard(upload.token)
    agreements = preview_agreements(result)
    auth.record("import", agreement=agreements[0] if len(agreements) == 1 else None,
                obj=str(result.import_id),
                detail={"agreements": agreements, "rows": result.rows,
                        "mode": mode if mode == "replace" else "upsert",
                        "file": file_name(upload.name)})
    rows = ", ".join(f"{k} {v}" for k, v in result.rows.items())
    done = dbc.Alert(_t("imported", lang, id=result.import_id, name=result.source, rows=rows),
                     color="success", id="upload-imported")
    return html.P(_t("nothing_yet", lang), className="muted"), import_log(lang), done


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
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (ctx.triggered and ctx.triggered[0].get("value")):
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
        return import_log(lang), dbc.Alert(
            [html.P(_t("undo_failed", lang, id=import_id)),
             html.Ul([html.Li(p.message(lang)) for p in result.problems])],
            color="danger", id="undo-failed")
    auth.record("undo", agreement=agreements[0] if len(agreements) == 1 else None,
                obj=str(import_id), detail={"agreements": agreements,
                                            "restored": result.restored})
    return import_log(lang), dbc.Alert(_t("undone_msg", lang, id=import_id), color="success",
                                       id="undo-done")
