"""What an address that leads nowhere shows: a link back to the portfolio. The 404 page,
a view that does not exist and a view that is not one's to see all show it."""

from dash import dcc, html

from dashboard.i18n import _, document_title, lang_of
from dashboard.web.components.links import href


def not_found_layout(**query):
    lang = lang_of(query.get("lang"))
    return html.Div([
        html.Main([
            html.H1(_("ui.not_found", lang)),
            html.P(_("ui.not_found_text", lang), className="lead"),
            dcc.Link(f"← {_('ui.back_to_portfolio', lang)}", href=href("/", lang=lang),
                     className="btn btn-dark btn-lg", id="back-to-portfolio"),
        ], className="app-main not-found"),
    ], className="page", lang=lang,
        **{"data-document-title": document_title(_("ui.not_found", lang), lang=lang)})
