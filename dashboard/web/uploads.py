"""``POST /upload/file``: a steward's file as a stream (the body is the file; its name in
``X-File-Name``, URL-encoded), so that the browser can show its progress. Answers JSON:
``{"token", "name", "size", "renamed"}`` or ``{"message"}`` with 400/413/415.

Guarded like every route (:func:`dashboard.web.auth.guard`): stewards and admins only, the
session's CSRF token in ``X-CSRFToken`` (the gate checks it). The upload is bound to the
person who sent it; only they can preview and import it.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import unquote

import dash
from flask import Response, current_app, request

from dashboard.data.uploads import UploadError, UploadStore
from dashboard.i18n import _
from dashboard.web.auth import IMPORT, current_user, guard

log = logging.getLogger(__name__)

def store_of(app_or_server=None) -> UploadStore:
    server = app_or_server or current_app
    return server.config["DASHBOARD_UPLOADS"]


def install(app: dash.Dash, settings) -> None:
    server = app.server
    auth = state_settings(server)
    server.config["DASHBOARD_UPLOADS"] = UploadStore(auth.upload_dir, settings.upload_max_bytes,
                                                     auth.upload_minutes,
                                                     database=settings.database_url)

    @server.route(app.config.routes_pathname_prefix + "upload/file", methods=["POST"],
                  endpoint="upload_file")
    @guard(IMPORT)  # a steward of some agreement (which ones: checked at the preview)
    def upload_file():
        lang = "en" if request.args.get("lang") == "en" else "sv"
        name = unquote(request.headers.get("X-File-Name", ""))
        user = current_user()
        try:
            upload = store_of().save(request.stream, name, owner=user.login,
                                     length=request.content_length)
        except UploadError as exc:
            status = {"too_large": 413, "bad_type": 415}.get(exc.code, 400)
            return _json({"message": _(f"web.uploads.{exc.code}", lang, **exc.params)}, status)
        return _json({"token": upload.token, "name": upload.name, "size": upload.size,
                      "renamed": upload.renamed}, 200)


def state_settings(server):
    return server.config["DASHBOARD_AUTH"].settings


def _json(body: dict, status: int) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json", headers={"Cache-Control": "no-store"})
