"""Plain routes beside Dash's pages: the audit log as CSV (``GET /admin/audit.csv``, with
the audit page's filters as its query: ``action``, ``actor``, ``agreement``, ``since``,
``until``).

Wired by :func:`dashboard.web.app.create_app`; guarded like every page and callback.
"""

from __future__ import annotations

import dash
from flask import Response, request

from dashboard.data.context import engine
from dashboard.people import audit, store
from dashboard.web import auth


def install(app: dash.Dash) -> None:
    """Add the routes to ``app``."""
    install_csv(app)


def install_csv(app: dash.Dash) -> None:
    """``GET /admin/audit.csv`` (create_app wires it)."""
    server = app.server

    @server.route(app.config.routes_pathname_prefix + "admin/audit.csv", methods=["GET"],
                  endpoint="audit_csv")
    @auth.guard(auth.ADMIN)
    def audit_csv():
        lang = "en" if request.args.get("lang") == "en" else "sv"
        chosen = audit.filters(**{k: request.args.get(k) for k in
                                  ("action", "actor", "agreement", "since", "until")})
        entries = store.audit_entries(engine(), None, **chosen)
        auth.record("audit_export", detail={"entries": len(entries),
                                            "filters": sorted(chosen)})
        name = "audit-log.csv" if lang == "en" else "granskningslogg.csv"
        return Response(audit.csv_text(entries, lang), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})
