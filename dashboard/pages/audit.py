"""``/admin/audit``: the audit log (admins only): the newest entries, filtered by action,
and the whole log as CSV (``/admin/audit.csv``, formula-safe cells). Who, when, what, from
where: ids and counts, never figures or names from the data."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from flask import Response, current_app

from dashboard.web import auth
from dashboard.people import audit
from dashboard.people import store
from dashboard.web.components.cards import page_frame
from dashboard.web.components.links import href
from dashboard.i18n import document_title, lang_of, swedish_time, words

dash.register_page(__name__, order=7, path="/admin/audit", title="Granskningslogg",
                   name="Granskningslogg", rights="admin")

SHOWN = 500
_T = {
    "title": ("Granskningslogg", "Audit log"),
    "lead": ("Vem som gjorde vad och när: inloggningar, importer, ångrade importer, "
             "nedladdningar, roller och konton. Loggen innehåller id:n, aldrig siffror eller "
             "namn ur data.",
             "Who did what and when: sign-ins, imports, undone imports, downloads, roles and "
             "accounts. The log holds ids, never figures or names from the data."),
    "csv": ("Exportera hela loggen som CSV", "Export the whole log as CSV"),
    "action": ("Händelse", "Action"),
    "all": ("Alla händelser", "Every action"),
    "shown": ("Visar de senaste {n} av {total}.", "Showing the latest {n} of {total}."),
    "when": ("När", "When"),
    "who": ("Vem", "Who"),
    "agreement": ("Överenskommelse", "Agreement"),
    "cluster": ("Kluster", "Cluster"),
    "object": ("Objekt", "Object"),
    "detail": ("Detaljer", "Details"),
    "address": ("Adress", "Address"),
    "back": ("Till administration", "To administration"),
}


def _t(key: str, lang: str, **kw) -> str:
    return words(_T, key, lang, kw)


def engine():
    return current_app.config["DASHBOARD_ENGINE"]


def entries_table(lang: str, action: str | None = None) -> html.Div:
    entries = store.audit_entries(engine(), SHOWN, action=action or None)
    total = store.audit_count(engine())
    rows = [html.Tr([
        html.Td(swedish_time(e["at"])[:19].replace("T", " ")), html.Td(e["actor"]),
        html.Td(audit.action_label(e["action"], lang)), html.Td(e["agreement_id"] or ""),
        html.Td(e["cluster_id"] or ""), html.Td(e["object"] or ""),
        html.Td(audit.detail_text(e["detail"])), html.Td(e["address"] or "")],
        **{"data-action": e["action"]}) for e in entries]
    head = html.Thead(html.Tr([html.Th(_t(k, lang), scope="col") for k in (
        "when", "who", "action", "agreement", "cluster", "object", "detail", "address")]))
    return html.Div([
        html.P(_t("shown", lang, n=len(entries), total=total), className="muted"),
        html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                   id="audit-table"),
    ])


def layout(**query):
    lang = lang_of(query.get("lang"))
    options = [{"label": _t("all", lang), "value": ""}] + [
        {"label": audit.action_label(a, lang), "value": a} for a in audit.ACTIONS]
    csv_href = dash.get_relative_path("/admin/audit.csv") + ("?lang=en" if lang == "en" else "")
    body = [
        html.H1(_t("title", lang), className="view-title"),
        html.P(_t("lead", lang)),
        html.Div([
            dcc.Link(f"← {_t('back', lang)}", href=href("/admin", lang=lang),
                     className="btn btn-outline-dark me-2"),
            html.A(f"⬇ {_t('csv', lang)}", href=csv_href, className="btn btn-dark",
                   id="audit-csv", download="granskningslogg.csv"),
        ], className="mb-3"),
        html.Div([html.Label(_t("action", lang), htmlFor="audit-action",
                             className="control-label"),
                  dcc.Dropdown(id="audit-action", options=options, value="", clearable=False)],
                 className="control mb-2", style={"maxWidth": "24rem"}),
        html.Div(entries_table(lang), id="audit-entries"),
        dcc.Store(id="audit-state", data={"lang": lang}),
    ]
    return page_frame(body, lang=lang, path="/admin/audit", state={"lang": lang},
                      crumbs=[(words({"a": ("Administration", "Administration")}, "a", lang,
                                     {}), href("/admin", lang=lang))],
                      title=document_title(_t("title", lang), lang=lang))


@callback(
    Output("audit-entries", "children"),
    Input("audit-action", "value"),
    State("audit-state", "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def filter_entries(action, state):
    lang = lang_of(state.get("lang") if isinstance(state, dict) else None)
    return entries_table(lang, action if action in audit.ACTIONS else None)


def install_csv(app: dash.Dash) -> None:
    """``GET /admin/audit.csv`` (create_app wires it)."""
    server = app.server

    @server.route(app.config.routes_pathname_prefix + "admin/audit.csv", methods=["GET"],
                  endpoint="audit_csv")
    @auth.guard(auth.ADMIN)
    def audit_csv():
        from flask import request

        lang = "en" if request.args.get("lang") == "en" else "sv"
        entries = store.audit_entries(engine(), None)
        auth.record("audit_export", detail={"entries": len(entries)})
        name = "audit-log.csv" if lang == "en" else "granskningslogg.csv"
        return Response(audit.csv_text(entries, lang), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})
