"""The sign-in, sign-out and signed-out pages: plain HTML in the app's look (its CSS, its
header), no script, Swedish by default and English with ``lang=en``. They work before any
Dash page can (nobody is signed in yet) and with JavaScript off."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from dash import Dash
from flask import Response
from markupsafe import escape

from dashboard.i18n import APP_NAME
from dashboard.access.texts import tt


def plain_page(app: Dash, title: str, main: str, lang: str, *, status: int = 200,
               switch_href: str | None = None) -> Response:
    css = "".join(f'<link rel="stylesheet" href="{escape(app.get_asset_url(p.name))}">'
                  for p in sorted(Path(app.config.assets_folder).glob("*.css")))
    switch = ""
    if switch_href:
        label = "English" if lang == "sv" else "Svenska"
        other = "en" if lang == "sv" else "sv"
        switch = (f'<a class="lang-switch" id="lang-switch" href="{escape(switch_href)}" '
                  f'lang="{other}">{label}</a>')
    body = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{css}
</head>
<body>
<div class="page" lang="{lang}">
<header class="app-header">
<span class="crumbs app-name">{escape(APP_NAME)}</span>
{switch}
</header>
<main class="app-main sign-in-page">
{main}
</main>
</div>
</body>
</html>
"""
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _href(app: Dash, path: str, **query) -> str:
    query = {k: v for k, v in query.items() if v and not (k == "lang" and v == "sv")}
    return app.get_relative_path(path) + (f"?{urlencode(query)}" if query else "")


def sign_in_page(app: Dash, *, lang: str, csrf: str, next_path: str, error: str | None,
                 local_login: bool, sso_label: str | None, login: str = "",
                 status: int = 200) -> Response:
    parts = [f'<h1>{escape(tt("sign_in", lang))}</h1>',
             f'<p class="lead">{escape(tt("sign_in_lead", lang))}</p>']
    if error:
        parts.append(f'<div class="alert alert-danger sign-in-error" role="alert" '
                     f'id="sign-in-error">{escape(error)}</div>')
    if local_login:
        parts.append(f"""<form method="post" action="{escape(_href(app, '/login'))}" \
class="sign-in-form" id="sign-in-form">
<input type="hidden" name="csrf_token" value="{escape(csrf)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<input type="hidden" name="lang" value="{escape(lang)}">
<div class="mb-3">
<label class="form-label" for="login">{escape(tt("login", lang))}</label>
<input class="form-control form-control-lg" type="text" id="login" name="login" \
value="{escape(login)}" autocomplete="username" autocapitalize="none" spellcheck="false" \
required{'' if login else ' autofocus'}>
</div>
<div class="mb-3">
<label class="form-label" for="password">{escape(tt("password", lang))}</label>
<input class="form-control form-control-lg" type="password" id="password" name="password" \
autocomplete="current-password" required{' autofocus' if login else ''}>
</div>
<button type="submit" class="btn btn-dark btn-lg" id="sign-in-button">\
{escape(tt("sign_in", lang))}</button>
</form>""")
    if sso_label:
        if local_login:
            parts.append(f'<p class="sign-in-or">{escape(tt("or", lang))}</p>')
        home = app.get_relative_path("/")
        href = _href(app, "/login/oidc", next=next_path if next_path != home else None,
                     lang=lang)
        parts.append(f'<a class="btn btn-outline-dark btn-lg" id="sign-in-sso" '
                     f'href="{escape(href)}">{escape(tt("sign_in_sso", lang, label=sso_label))}'
                     f'</a>')
    switch = _href(app, "/login", next=next_path if next_path != app.get_relative_path("/")
                   else None, lang="en" if lang == "sv" else "sv")
    return plain_page(app, tt("sign_in_title", lang), "\n".join(parts), lang, status=status,
                      switch_href=switch)


def sign_out_page(app: Dash, *, lang: str, csrf: str, name: str) -> Response:
    main = f"""<h1>{escape(tt("sign_out", lang))}</h1>
<p class="lead">{escape(tt("signed_in_as", lang, name=name))}. \
{escape(tt("sign_out_lead", lang))}</p>
<form method="post" action="{escape(_href(app, '/logout'))}" id="sign-out-form">
<input type="hidden" name="csrf_token" value="{escape(csrf)}">
<input type="hidden" name="lang" value="{escape(lang)}">
<button type="submit" class="btn btn-dark btn-lg" id="sign-out-button">\
{escape(tt("sign_out", lang))}</button>
<a class="btn btn-outline-dark btn-lg ms-2" href="{escape(_href(app, '/', lang=lang))}">\
{escape(tt("back", lang))}</a>
</form>"""
    switch = _href(app, "/logout", lang="en" if lang == "sv" else "sv")
    return plain_page(app, tt("sign_out_title", lang), main, lang, switch_href=switch)


def signed_out_page(app: Dash, *, lang: str) -> Response:
    main = f"""<h1 id="signed-out">{escape(tt("signed_out", lang))}</h1>
<p class="lead">{escape(tt("signed_out_lead", lang))}</p>
<a class="btn btn-dark btn-lg" id="sign-in-again" href="{escape(_href(app, '/login', lang=lang))}">\
{escape(tt("sign_in_again", lang))}</a>"""
    switch = _href(app, "/logged-out", lang="en" if lang == "sv" else "sv")
    return plain_page(app, tt("signed_out_title", lang), main, lang, switch_href=switch)


def message_page(app: Dash, *, lang: str, title: str, text: str, status: int) -> Response:
    main = f"""<h1>{escape(title)}</h1>
<p class="lead">{escape(text)}</p>
<a class="btn btn-dark btn-lg" href="{escape(_href(app, '/login', lang=lang))}">\
{escape(tt("sign_in", lang))}</a>"""
    return plain_page(app, f"{title} – {APP_NAME}", main, lang, status=status)
