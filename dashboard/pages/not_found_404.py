"""The page for an address that leads nowhere: it links back to the portfolio."""

import dash
from dash import dcc, html

from dashboard.web.components.links import href
from dashboard.i18n import document_title, lang_of, t

dash.register_page(__name__, order=9, path="/404", title="Sidan finns inte")


def layout(**query):
    lang = lang_of(query.get("lang"))
    return html.Div([
        html.Main([
            html.H1(t("not_found", lang)),
            html.P(t("not_found_text", lang), className="lead"),
            dcc.Link(f"← {t('back_to_portfolio', lang)}", href=href("/", lang=lang),
                     className="btn btn-dark btn-lg", id="back-to-portfolio"),
        ], className="app-main not-found"),
    ], className="page", lang=lang,
        **{"data-document-title": document_title(t("not_found", lang), lang=lang)})
