"""``/agreements/<agreement_id>?period=P``: one agreement against its targets."""

import dash

from dashboard.web.components.links import agreement_path
from dashboard.web.components.view_page import page

dash.register_page(__name__, order=2, path_template="/agreements/<agreement_id>",
                   title="Överenskommelse", name="Överenskommelse")


def layout(agreement_id: str | None = None, **query):
    # Dash matches templates with fnmatch, where <agreement_id> would also swallow "/":
    # an address with more parts than this page's is not this page.
    if agreement_id and "/" in agreement_id:
        agreement_id = None
    return page(agreement_id, None, agreement_path(agreement_id or ""), query)
