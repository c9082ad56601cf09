"""The development server (``python app.py``, ``make run``) without a ``Server`` header.

Werkzeug announces ``Server: Werkzeug/<version> Python/<version>``; nothing needs to know.
"""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, minus the ``Server`` header."""

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "server":
            return
        super().send_header(keyword, value)
