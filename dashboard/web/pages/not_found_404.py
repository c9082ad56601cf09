"""The page for an address that leads nowhere: it links back to the portfolio."""

import dash

from dashboard.web.components.not_found import not_found_layout

dash.register_page(__name__, order=9, path="/404", title="Sidan finns inte")


def layout(**query):
    return not_found_layout(**query)
