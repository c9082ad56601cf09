"""``/``: every agreement, its status per target for the period shown, and how fresh its
data is (date of the latest import, months missing)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import repository
from ..components.cards import data_line, page_frame, status_badge, target_words
from ..components.links import agreement_path, href, present_path
from ..components.view_page import engine
from ..i18n import document_title, fmt_value, kpi_label, lang_of, period_label, t
from ..periods import parse_period_or_none
from ..series import missing_month_count, party_names
from ..views import View, build_view

dash.register_page(__name__, order=0, path="/", title="Överenskommelser", name="Överenskommelser")


def layout(**query):
    lang = lang_of(query.get("lang"))
    eng = engine()
    agreements = repository.list_agreements(eng)
    cards = []
    for agreement_id in agreements["agreement_id"]:
        view = build_view(eng, agreement_id, query.get("period"), lang=lang,
                          with_clusters=False)
        if view is not None:
            cards.append(dbc.Col(agreement_card(view), xs=12, xl=6))
    body = dbc.Row(cards, className="g-3") if cards else \
        dbc.Alert(t("no_agreements", lang), color="info")
    period = parse_period_or_none(query.get("period") or "")
    title = document_title(t("portfolio", lang), period_label(period, lang) if period else None,
                           lang=lang)
    return page_frame([html.H1(t("portfolio", lang), className="view-title"), body],
                      lang=lang, path="/", state={"lang": lang, "period": query.get("period")},
                      title=title)


def agreement_card(view: View) -> dbc.Card:
    """One agreement: name, period, each target's status in words, data freshness."""
    lang = view.lang
    state = {"period": view.period.text, "lang": lang}
    parties = party_names(view.data)
    targets = view.targets()
    rows = []
    for v in targets:
        name = kpi_label(v.kpi, lang)
        if v.party_id:
            name += f" – {parties.get(v.party_id, v.party_id)}"
        rows.append(html.Li([
            status_badge(v.status, lang, "sm", v.comparator),
            html.Span(name, className="target-name"),
            html.Span(f"{fmt_value(v.value, v.unit, lang)} ({target_words(v, lang)})",
                      className="target-value"),
        ], className="target-row", **{"data-kpi": v.kpi, "data-status": v.status}))
    missing = missing_month_count(view.notes)
    if missing:
        freshness = t("month_missing", lang) if missing == 1 else \
            t("months_missing", lang, n=missing)
    else:
        freshness = t("complete", lang)
    counts = view.status_counts()
    summary = " ".join(f"{symbol} {counts[s]}" for s, symbol in
                       (("green", "✔"), ("amber", "▲"), ("red", "✖")) if counts[s])
    title_link = dcc.Link(view.agreement_name, href=href(agreement_path(view.agreement_id),
                                                         **state))
    return dbc.Card(dbc.CardBody([
        html.H2(title_link, className="card-title"),
        html.Div([html.Span(f"{t('period_shown', lang)}: "),
                  html.Strong(view.period_text), html.Span(f"  {summary}", className="ms-2")],
                 className="card-period"),
        html.Ul(rows, className="target-list") if rows else
        html.P(t("no_targets", lang), className="muted"),
        data_line(view.data_as_of, view.sources, view.synthetic, lang),
        html.Div(("⚠ " if missing else "✔ ") + freshness,
                 className="freshness " + ("text-warning-emphasis" if missing else "")),
        html.Div([
            dcc.Link(t("open", lang), href=href(agreement_path(view.agreement_id), **state),
                     className="btn btn-primary me-2"),
            dcc.Link(f"▶ {t('present', lang)}", href=href(present_path(view.agreement_id),
                                                          **state),
                     className="btn btn-outline-dark"),
        ], className="mt-2"),
    ]), className="agreement-card", id=f"agreement-{view.agreement_id}")
