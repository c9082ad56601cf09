"""``/admin/audit``: the audit log (admins only): the newest entries, filtered by action,
actor, agreement and a range of days, and those entries as CSV (``/admin/audit.csv`` with
the same filters, formula-safe cells). Who, when, what, from where: ids and counts, never
figures, names from the data or texts someone wrote."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.data import repository
from dashboard.data.context import engine
from dashboard.i18n import _, document_title, lang_of, swedish_time
from dashboard.people import audit, store
from dashboard.web import auth
from dashboard.web.components.cards import page_frame
from dashboard.web.components.links import href

dash.register_page(__name__, order=7, path="/admin/audit", title="Granskningslogg",
                   name="Granskningslogg", rights="admin")

SHOWN = 500
ACTION, ACTOR, AGREEMENT, SINCE, UNTIL = ("audit-action", "audit-actor", "audit-agreement",
                                          "audit-since", "audit-until")
ENTRIES, CSV, STATE = "audit-entries", "audit-csv", "audit-state"
DAY_PATTERN = r"\d{4}-\d{2}-\d{2}"  # a day as YYYY-MM-DD (the label says so)


def _when(at) -> list:
    """The day over the time, neither broken at its hyphens."""
    day, __, time = swedish_time(at)[:19].partition("T")
    return [day, html.Br(), time]


def entries_table(lang: str, **asked) -> html.Div:
    """The newest entries matching ``asked`` (checked by :func:`audit.filters`)."""
    chosen = audit.filters(**asked)
    entries = store.audit_entries(engine(), SHOWN, **chosen)
    total = store.audit_count(engine(), **chosen)
    rows = [html.Tr([
        html.Td(_when(e["at"]), className="text-nowrap"), html.Td(e["actor"]),
        html.Td(audit.action_label(e["action"], lang)), html.Td(e["agreement_id"] or ""),
        html.Td(e["cluster_id"] or ""), html.Td(e["object"] or "", className="long-text"),
        html.Td(audit.detail_text(e["detail"]), className="long-text"),
        html.Td(e["address"] or "", className="long-text")],
        **{"data-action": e["action"]}) for e in entries]
    head = html.Thead(html.Tr([html.Th(_(f"web.pages.audit.{k}", lang), scope="col") for k in (
        "when", "who", "action", "agreement", "cluster", "object", "detail", "address")]))
    return html.Div([
        html.P(_("web.pages.audit.shown", lang, n=len(entries), total=total), className="muted",
               id="audit-shown"),
        html.Table([head, html.Tbody(rows)], className="table table-sm admin-table",
                   id="audit-table"),
    ])


def csv_href(lang: str, **asked) -> str:
    """The CSV of the entries asked for (the same filters)."""
    query = {**audit.filters(**asked), **({"lang": "en"} if lang == "en" else {})}
    return dash.get_relative_path("/admin/audit.csv") + (f"?{urlencode(query)}" if query
                                                         else "")


def _control(label: str, id_: str, control) -> html.Div:
    return html.Div([html.Label(label, htmlFor=id_, className="control-label"), control],
                    className="control")


def layout(**query):
    lang = lang_of(query.get("lang"))
    options = [{"label": _("web.pages.audit.all", lang), "value": ""}] + [
        {"label": audit.action_label(a, lang), "value": a} for a in audit.ACTIONS]
    stored = repository.list_agreements(engine())
    agreements = [{"label": _("web.pages.audit.all_agreements", lang), "value": ""}] + [
        {"label": f"{n} ({a})", "value": a}
        for a, n in sorted(zip(stored["agreement_id"], stored["name"], strict=True),
                           key=lambda x: x[1])] if not stored.empty else \
        [{"label": _("web.pages.audit.all_agreements", lang), "value": ""}]
    filters = html.Div([
        _control(_("web.pages.audit.action", lang), ACTION,
                 dcc.Dropdown(id=ACTION, options=options, value="", clearable=False)),
        _control(_("web.pages.audit.who", lang), ACTOR,
                 dcc.Input(id=ACTOR, type="search", debounce=True, value="",
                           maxLength=audit.COLUMN_LIMITS["actor"],
                           className="form-control", autoComplete="off")),
        _control(_("web.pages.audit.agreement", lang), AGREEMENT,
                 dcc.Dropdown(id=AGREEMENT, options=agreements, value="", clearable=False)),
        _control(_("web.pages.audit.since", lang), SINCE,
                 dcc.Input(id=SINCE, type="text", debounce=True, value="", maxLength=10,
                           pattern=DAY_PATTERN,
                           className="form-control", autoComplete="off")),
        _control(_("web.pages.audit.until", lang), UNTIL,
                 dcc.Input(id=UNTIL, type="text", debounce=True, value="", maxLength=10,
                           pattern=DAY_PATTERN,
                           className="form-control", autoComplete="off")),
    ], className="admin-form mb-2", id="audit-filters")
    body = [
        html.H1(_("web.pages.audit.title", lang), className="view-title"),
        html.P(_("web.pages.audit.lead", lang)),
        html.Div([
            dcc.Link(f"← {_('web.pages.audit.back', lang)}", href=href("/admin", lang=lang),
                     className="btn btn-outline-dark me-2"),
            html.A(f"⬇ {_('web.pages.audit.csv', lang)}", href=csv_href(lang),
                   className="btn btn-dark", id=CSV, download="granskningslogg.csv"),
        ], className="mb-3"),
        filters,
        html.Div(entries_table(lang), id=ENTRIES),
        dcc.Store(id=STATE, data={"lang": lang}),
    ]
    return page_frame(body, lang=lang, path="/admin/audit", state={"lang": lang},
                      crumbs=[(_("web.pages.audit.administration", lang), href("/admin",
                                                                               lang=lang))],
                      title=document_title(_("web.pages.audit.title", lang), lang=lang))


@callback(
    Output(ENTRIES, "children"),
    Output(CSV, "href"),
    Input(ACTION, "value"),
    Input(ACTOR, "value"),
    Input(AGREEMENT, "value"),
    Input(SINCE, "value"),
    Input(UNTIL, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.ADMIN)
def filter_entries(action, actor, agreement, since, until, state):
    lang = lang_of(state.get("lang") if isinstance(state, dict) else None)
    asked = {"action": action, "actor": actor, "agreement": agreement, "since": since,
             "until": until}
    return entries_table(lang, **asked), csv_href(lang, **asked)
