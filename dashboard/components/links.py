"""Addresses that carry a view's whole state: period, breakdown and language."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlencode

import dash
from dash import Input, Output, clientside_callback

from dashboard.web.ids import Ids

DEFAULTS = {"lang": "sv", "breakdown": "total"}


def relative(path: str) -> str:
    """A path under the app's prefix (``requests_pathname_prefix``)."""
    try:
        return dash.get_relative_path(path)
    except Exception:  # outside a running app (unit tests of components)
        return path


def href(path: str, **state) -> str:
    """``/agreements/krami?period=2023&lang=en``; defaults and empty values are left out."""
    query = {k: v for k, v in state.items()
             if v not in (None, "") and DEFAULTS.get(k) != v}
    text = urlencode(query, safe=".:") if query else ""
    return relative(path) + (f"?{text}" if text else "")


def agreement_path(agreement_id: str) -> str:
    return f"/agreements/{quote(agreement_id, safe='')}"


def cluster_path(agreement_id: str, cluster_id: str) -> str:
    return f"{agreement_path(agreement_id)}/clusters/{quote(cluster_id, safe='')}"


def present_path(agreement_id: str) -> str:
    return f"/present/{quote(agreement_id, safe='')}"


def query_state(search: str | None) -> dict[str, str]:
    """``?period=2023&lang=en`` -> ``{"period": "2023", "lang": "en"}``."""
    parsed = parse_qs((search or "").lstrip("?"))
    return {k: v[-1] for k, v in parsed.items() if v}


# The address follows what is shown without a page rebuild: a callback writes the new
# address into the store ``Ids.URL_SYNC`` (``{"href": ..., "push": bool}``) and the browser
# puts it in the history (a new entry for a new period: Back goes to the one before).
clientside_callback(
    """
    function(target) {
        if (target && target.href && target.href !== window.location.pathname +
                window.location.search) {
            if (target.push) { window.history.pushState(null, "", target.href); }
            else { window.history.replaceState(null, "", target.href); }
        }
        if (target && target.title) {
            // The page's frame names the title (assets/a11y.js keeps it): follow the switch.
            var marked = document.querySelector("[data-document-title]");
            if (marked) { marked.setAttribute("data-document-title", target.title); }
            document.title = target.title;
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output(Ids.URL_SYNC, "id"),
    Input(Ids.URL_SYNC, "data"),
    prevent_initial_call=True,
)
