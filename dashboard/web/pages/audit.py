"""``/admin/audit``: the audit log (admins only): the newest entries, filtered by action,
and the whole log as CSV (``/admin/audit.csv``, formula-safe cells). Who, when, what, from
where: ids and counts, never figures or names from the data."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.data.context import engine
from dashboard.i18n import _, document_title, lang_of, swedish_time
from dashboard.people import audit, store
from dashboard.web import auth
from dashboard.web.components.cards import page_frame
from dashboard.web.components.links import href

dash.register_page(__name__, order=7, path="/admin/audit", title="Granskningslogg",
                   name="Granskningslogg", rights="admin")

SHOWN = 500
def entries_table(lang: str, action: str | None = None) -> html.Div:
    entries = store.audit_entries(engine(), SHOWN, action=action or None)
    total = store.audit_count(engine())
    rows = [html.Tr([
        html.Td(swedish_time(e["at"])[:19].replace("T", " ")), html.Td(e["actor"]),
        html.Td(audit.action_label(e["action"], lang)), html.Td(e["agreement_id"] or ""),
        html.Td(e["cluster_id"] or ""), html.Td(e["object"] or ""),
        html.Td(audit.detail_text(e["detail"])), html.Td(e["address"] or "")],
        **{"data-action": e["action"]}) for e in entries]
    head = html.Thead(html.Tr([html.Th(_(f"web.pages.audit.{k}", lang), scope="col") for k in (
        "when", "who", "action", "agreement", "cluster", "object", "detail", "address")]))
    return html.Div([
        html.P(_("web.pages.audit.shown", lang, n=len(entries), total=total), className="muted"),
        html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                   id="audit-table"),
    ])


def layout(**query):
    lang = lang_of(query.get("lang"))
    options = [{"label": _("web.pages.audit.all", lang), "value": ""}] + [
        {"label": audit.action_label(a, lang), "value": a} for a in audit.ACTIONS]
    csv_href = dash.get_relative_path("/admin/audit.csv") + ("?lang=en" if lang == "en" else "")
    body = [
        html.H1(_("web.pages.audit.title", lang), className="view-title"),
        html.P(_("web.pages.audit.lead", lang)),
        html.Div([
            dcc.Link(f"← {_('web.pages.audit.back', lang)}", href=href("/admin", lang=lang),
                     className="btn btn-outline-dark me-2"),
            html.A(f"⬇ {_('web.pages.audit.csv', lang)}", href=csv_href, className="btn btn-dark",
                   id="audit-csv", download="granskningslogg.csv"),
        ], className="mb-3"),
        html.Div([html.Label(_("web.pages.audit.action", lang), htmlFor="audit-action",
                             className="control-label"),
                  dcc.Dropdown(id="audit-action", options=options, value="", clearable=False)],
                 className="control mb-2", style={"maxWidth": "24rem"}),
        html.Div(entries_table(lang), id="audit-entries"),
        dcc.Store(id="audit-state", data={"lang": lang}),
    ]
    return page_frame(body, lang=lang, path="/admin/audit", state={"lang": lang},
                      crumbs=[(_("web.pages.audit.administration", lang), href("/admin",
                                                                               lang=lang))],
                      title=document_title(_("web.pages.audit.title", lang), lang=lang))


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
