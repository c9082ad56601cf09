"""``/agreements/<agreement_id>/clusters/<cluster_id>?period=P``: one cluster."""

import dash

from dashboard.web.components.links import cluster_path
from dashboard.web.components.view_page import page

dash.register_page(__name__, order=1,
                   path_template="/agreements/<agreement_id>/clusters/<cluster_id>",
                   title="Kluster", name="Kluster")


def layout(agreement_id: str | None = None, cluster_id: str | None = None, **query):
    if cluster_id and "/" in cluster_id:  # fnmatch lets <cluster_id> swallow "/"
        cluster_id = None
    return page(agreement_id, cluster_id, cluster_path(agreement_id or "", cluster_id or ""),
                query)
