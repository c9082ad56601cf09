"""What an address that leads nowhere shows: a link back to the portfolio. The 404 page,
a view that does not exist and a view that is not one's to see all show it."""

from dash import dcc, html

from dashboard.i18n import document_title, lang_of, t
from dashboard.web.components.links import href


def not_found_layout(**query):
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
