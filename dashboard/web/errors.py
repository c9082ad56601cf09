"""Clear answers instead of errors, in one place for every page and callback.

* **Pages** (a GET of an address the app draws): a query parameter given twice
  (``?period=2023&period=2024``) is a 400 page in the app's look, Swedish or English
  (``lang=en``), with a link to the portfolio.
* **The database out of reach or read-only**: every route but the static files and Dash's
  own (pages, the sign-in and sign-out forms and their POSTs, the audit log's CSV, the
  upload) first checks that the database answers; while it does not, and whenever a
  request meets it unreachable or refusing writes (:func:`unavailable`), the answer is a
  503 page "Tjänsten är tillfälligt otillgänglig" saying why, that reloads itself every
  :data:`RETRY_SECONDS` seconds, so that the app comes back by itself without a restart
  (a request that is not a page or a form gets ``{"message"}`` with 503).
* **Callbacks** (``POST /_dash-update-component``): a body that is not a JSON object
  naming a callback of the app with inputs and state of the shape it declares is refused
  with 400 and one line of text, before Dash reads it. What the callback itself raises
  goes to Dash's ``on_error`` (:func:`callback_error`, every callback, the pages' router
  included): the database out of reach gives the same message (as the page's content, or
  a banner above it) and the page reloads itself until the database answers; anything
  else is logged with its traceback and the user sees that the request could not be
  handled. In debug mode (``python app.py --debug``, the browser tests) such errors are
  raised as before, so that Dash's dev tools show them.
* **Page layouts** (``dash.page_registry``) are wrapped once: a repeated query
  parameter gives the 400 content instead of reaching the page.
"""

from __future__ import annotations

import functools
import html as html_text
import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import dash
from dash import Dash, html
from dash.exceptions import DependencyException
from flask import Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from dashboard.data.context import engine_of
from dashboard.data.startup import is_read_only, is_unreachable
from dashboard.i18n import _, lang_of
from dashboard.web.ids import Ids

log = logging.getLogger(__name__)

RETRY_SECONDS = 5
CALLBACK_PATH = "_dash-update-component"
_PAGES_CONTENT = "_pages_content"

class DatabaseDown(Exception):
    """The database did not answer the check before a page."""


# --------------------------------------------------------------------------- pages


def repeated_parameters(query: str) -> list[str]:
    """The names given more than once in a query string."""
    parsed = parse_qs(query, keep_blank_values=True)
    return sorted(name for name, values in parsed.items() if len(values) > 1)


def _request_lang() -> str:
    """``lang`` of the address (a page), or of the page that sent the request (a callback)."""
    for query in (request.query_string.decode("latin-1"),
                  urlsplit(request.referrer or "").query):
        values = parse_qs(query).get("lang")
        if values:
            return lang_of(values[-1])
    return "sv"


def error_page(app: Dash, status: int, title: str, text: str, lang: str, *,
               retry: bool = False) -> Response:
    """A plain HTML page in the app's look (its CSS, its header), with no script."""
    esc = html_text.escape
    portfolio = app.get_relative_path("/")
    other = "en" if lang == "sv" else "sv"
    switch = request.path + "?" + urlencode({"lang": other})
    css = "".join(f'<link rel="stylesheet" href="{esc(app.get_asset_url(p.name))}">'
                  for p in sorted(Path(app.config.assets_folder).glob("*.css")))
    refresh = f'<meta http-equiv="refresh" content="{RETRY_SECONDS}">' if retry else ""
    body = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}
<title>{esc(title)}</title>
{css}
</head>
<body>
<div class="page" lang="{lang}">
<header class="app-header">
<nav class="crumbs" aria-label="breadcrumb"><a href="{esc(portfolio)}">{esc(_('ui.portfolio', lang))}</a></nav>
<a class="lang-switch" id="lang-switch" href="{esc(switch)}">{esc(_('ui.language', lang))}</a>
</header>
<main class="app-main error-page" id="error-page" data-status="{status}">
<h1>{esc(title)}</h1>
<p class="lead">{esc(text)}</p>
<a class="btn btn-dark btn-lg" id="back-to-portfolio" href="{esc(portfolio)}">← {esc(_('ui.back_to_portfolio', lang))}</a>
</main>
</div>
</body>
</html>
"""  # noqa: E501
    response = Response(body, status=status, mimetype="text/html")
    if retry:
        response.headers["Retry-After"] = str(RETRY_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def bad_address_page(app: Dash, names: list[str], lang: str) -> Response:
    return error_page(app, 400, _("web.errors.bad_title", lang),
                      _("web.errors.bad_text", lang, names=", ".join(names)), lang)


def unavailable(exc: BaseException) -> str | None:
    """``"down"`` (the database cannot be reached) or ``"read_only"`` (it takes no writes)
    when a database error means the service is unavailable for now, else None."""
    if not isinstance(exc, SQLAlchemyError):
        return None
    if is_unreachable(exc):
        return "down"
    return "read_only" if is_read_only(exc) else None


def _unavailable_text(lang: str, why: str = "down") -> str:
    if why == "read_only":
        return _("web.errors.read_only_text", lang, seconds=RETRY_SECONDS)
    return _("web.errors.down_text", lang, seconds=RETRY_SECONDS)


def database_down_page(app: Dash, lang: str, why: str = "down") -> Response:
    """503 "Tjänsten är tillfälligt otillgänglig", why, and a reload every few seconds."""
    return error_page(app, 503, _("web.errors.down_title", lang), _unavailable_text(lang, why),
                      lang, retry=True)


def database_down_answer(app: Dash, lang: str, why: str = "down") -> Response:
    """The 503 for what the request is: a page for a browser's navigation (a GET or a
    form), ``{"message"}`` for a script's request (an upload, a callback)."""
    form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if request.method in ("GET", "HEAD") or form:
        return database_down_page(app, lang, why)
    return Response(json.dumps({"message": f"{_('web.errors.down_title', lang)}. "
                                           f"{_unavailable_text(lang, why)}"},
                               ensure_ascii=False),
                    status=503, mimetype="application/json",
                    headers={"Retry-After": str(RETRY_SECONDS), "Cache-Control": "no-store"})


def check_database(engine) -> None:
    """Raise :class:`DatabaseDown` when the database does not answer a trivial query."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        raise DatabaseDown(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
            from exc


# --------------------------------------------------------------------------- in the app


def message_block(title: str, text: str, lang: str, *, retry: bool) -> html.Div:
    """The message as Dash components (the router's content or the banner's)."""
    children = [html.H1(title), html.P(text, className="lead"),
                dash.dcc.Link(f"← {_('ui.back_to_portfolio', lang)}",
                              href=dash.get_relative_path("/"), className="btn btn-dark")]
    if retry:  # reload the page: the GET answers 503 until the database is back
        children.append(html.Meta(httpEquiv="refresh", content=str(RETRY_SECONDS)))
    return html.Div(children, className="app-main error-page", lang=lang,
                    **{"data-retry": "1" if retry else "0"})


def down_block(lang: str, why: str = "down") -> html.Div:
    return message_block(_("web.errors.down_title", lang), _unavailable_text(lang, why),
                         lang, retry=True)


def bad_address_block(names: list[str], lang: str) -> html.Div:
    return message_block(_("web.errors.bad_title", lang), _("web.errors.bad_text", lang,
                                                            names=", ".join(names)),
                         lang, retry=False)


def guard_layout(layout):
    """A page's layout that refuses repeated query parameters (Dash passes them as lists)."""
    if getattr(layout, "_guarded", False) or not callable(layout):
        return layout

    @functools.wraps(layout)
    def guarded(**params):
        lang_value = params.get("lang")
        lang = lang_of(lang_value if isinstance(lang_value, str) else None)
        repeated = sorted(k for k, v in params.items() if isinstance(v, list))
        if repeated:
            return bad_address_block(repeated, lang)
        return layout(**params)

    guarded._guarded = True
    return guarded


def _callback_lang() -> str:
    ctx = dash.callback_context
    for item in [*getattr(ctx, "inputs_list", []), *getattr(ctx, "states_list", [])]:
        if isinstance(item, dict) and item.get("property") == "search" \
                and isinstance(item.get("value"), str):
            values = parse_qs(item["value"].lstrip("?")).get("lang")
            if values:
                return lang_of(values[-1])
    try:
        return _request_lang()
    except RuntimeError:  # a background job: no request
        return "sv"


def callback_error(exc: Exception):
    """Dash's ``on_error`` for every callback: a message instead of an error."""
    if isinstance(exc, SQLAlchemyError):
        down = unavailable(exc)
    else:  # a background job's error arrives as text
        text_error = type(exc).__name__ == "BackgroundCallbackError" and \
            "sqlalchemy" in str(exc).lower()
        down = None if not text_error else "down" if is_unreachable(exc) else \
            "read_only" if is_read_only(exc) else None
    if not down:
        try:
            debug = current_app.debug
        except RuntimeError:
            debug = False
        if debug:
            raise exc
    lang = _callback_lang()
    outputs = getattr(dash.callback_context, "outputs_list", None) or []
    router = isinstance(outputs, list) and any(
        isinstance(o, dict) and o.get("id") == _PAGES_CONTENT for o in outputs)
    if down:
        log.warning("the database %s: %s", "cannot be reached" if down == "down" else
                    "takes no writes", " ".join(str(exc).split())[:300])
        block = down_block(lang, down)
    else:
        log.error("a callback failed", exc_info=exc)
        block = message_block(_("web.errors.error_title", lang), _("web.errors.failed", lang),
                              lang, retry=False)
    if router:
        return [block, dash.no_update]
    dash.set_props(Ids.APP_ALERT, {"children": block,
                                   "className": "app-alert alert alert-danger m-3"})
    return None


# --------------------------------------------------------------------------- callbacks


def _matches(given, declared: dict) -> bool:
    """An input or state item of a request against what the callback declared."""
    wildcard = declared["id"].startswith("{")
    if wildcard:  # pattern matching: a list of items (ALL), or one (MATCH)
        items = given if isinstance(given, list) else [given]
        return all(isinstance(i, dict) and isinstance(i.get("id"), dict)
                   and i.get("property") == declared["property"] for i in items)
    return isinstance(given, dict) and given.get("id") == declared["id"] \
        and given.get("property") == declared["property"]


def _output_ok(item) -> bool:
    items = item if isinstance(item, list) else [item]
    return all(isinstance(i, dict) and isinstance(i.get("id"), (str, dict))
               and isinstance(i.get("property"), str) for i in items)


def callback_body_problem(body, callback_map: dict) -> str | None:
    """What is wrong with a callback request's body (None: Dash may read it)."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or not output:
        return "'output' is missing"
    spec = callback_map.get(output)
    if spec is None:
        return "no callback has that output"
    for key in ("inputs", "state"):
        given, declared = body.get(key, []), spec.get(key, [])
        if not isinstance(given, list) or len(given) != len(declared) or \
                not all(_matches(g, d) for g, d in zip(given, declared, strict=True)):
            return f"'{key}' is not what the callback takes"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' is not a list of names"
    if not spec.get("no_output"):
        outputs = body.get("outputs")
        declared = spec.get("output")
        if isinstance(declared, (list, tuple)):
            if not isinstance(outputs, list) or len(outputs) != len(declared) or \
                    not all(_output_ok(o) for o in outputs):
                return "'outputs' is not what the callback gives"
        elif not _output_ok(outputs):
            return "'outputs' is not what the callback gives"
    return None


# --------------------------------------------------------------------------- wiring


def install(app: Dash) -> None:
    """Wire the checks into ``app`` (``create_app`` calls this once)."""
    server = app.server
    prefix = app.config.routes_pathname_prefix
    pages = {prefix, prefix + "<path:path>"}
    callback_rule = prefix + CALLBACK_PATH
    # Not checked against the database: static files and Dash's own routes (_dash-layout,
    # _dash-dependencies, the bundles, _favicon.ico, _reload-hash); callbacks say it
    # themselves (callback_error and the sign-in gate).
    unchecked = (prefix + "assets/", prefix + "_")

    for page in dash.page_registry.values():
        page["layout"] = guard_layout(page["layout"])

    @server.before_request
    def check_request():
        rule = request.url_rule.rule if request.url_rule is not None else None
        if request.method == "GET" and rule in pages:
            repeated = repeated_parameters(request.query_string.decode("latin-1"))
            if repeated:
                return bad_address_page(app, repeated, _request_lang())
        if not request.path.startswith(unchecked) and request.method != "OPTIONS":
            try:
                check_database(engine_of(server))
            except DatabaseDown as exc:
                log.warning("the database cannot be reached: %s", exc)
                return database_down_answer(app, _request_lang())
        if request.method == "POST" and rule == callback_rule:
            body = request.get_json(silent=True) if request.is_json else None
            if body is None:
                return _bad_callback("the body is not JSON")
            problem = callback_body_problem(body, app.callback_map)
            if problem:
                return _bad_callback(problem)
        return None

    @server.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return exc
        lang = _request_lang()
        why = unavailable(exc)
        if why:  # met while answering (the check before came out well)
            log.warning("the database %s: %s", "cannot be reached" if why == "down" else
                        "takes no writes", " ".join(str(exc).split())[:300])
            return database_down_answer(app, lang, why)
        if isinstance(exc, DependencyException):  # a bundle Dash does not serve
            return error_page(app, 404, _("ui.not_found", lang), _("ui.not_found_text", lang),
                              lang)
        log.error("a request failed", exc_info=exc)
        if request.path.endswith(CALLBACK_PATH):
            return Response(json.dumps({"message": _("web.errors.failed", lang)}), status=500,
                            mimetype="application/json")
        return error_page(app, 500, _("web.errors.error_title", lang), _("web.errors.error_text",
                                                                         lang), lang)


def _bad_callback(problem: str) -> Response:
    lang = _request_lang()
    return Response(_("web.errors.bad_callback", lang, problem=problem), status=400,
                    mimetype="text/plain")
