"""The web server holds up: security headers, a 400 page for a repeated query parameter,
crafted callback bodies answered with 400 or a message (never a 500 or nothing).

Against the app as users run it (``python app.py`` and gunicorn, processes of their own,
the demo data in a fresh SQLite file): see :mod:`tests.webserver`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from tests.conftest import BACKENDS
from tests.webserver import Client, add_accounts, post_json, request, router_body, serving

ADMIN_PASSWORD = "Skrivbord-Lampa-41"
AGREEMENT = "/agreements/krami-sthlm-2023"
PANEL = ("..panel-download-file.data...panel-download-fallback.data..."
         "panel-download-status.children...panel-download-status.is_open..")
PACK_OUTPUTS = [("export-job", "data"), ("export-poll", "disabled"),
                ("export-poll", "max_intervals"), ("export-pack", "disabled"),
                ("export-running", "style"), ("export-done", "style"),
                ("export-progress", "value"), ("export-step", "children"),
                ("export-status", "children")]
PACK = "..{}..".format("...".join(f"{i}.{p}" for i, p in PACK_OUTPUTS))  # the click


@pytest.fixture(scope="module", params=BACKENDS)
def app_url(request, tmp_path_factory):
    """``python app.py`` on the demo data (no proxy trusted, no framing allowed), on a
    SQLite file and on a PostgreSQL database."""
    folder = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'app.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(empty=True)
    with serving(url, "app", log=folder / "app.log", LOAD_DEMO="1") as base:
        yield base
    if request.param != "sqlite":
        request.getfixturevalue("postgres_server").drop_database(url)


@pytest.fixture(scope="module")
def proxied_url(tmp_path_factory):
    """gunicorn behind one trusted proxy, the presentation allowed in a kiosk's frame (an
    administrator's account first: behind a proxy the app never runs without sign-in)."""
    folder = tmp_path_factory.mktemp("proxied")
    add_accounts(f"sqlite:///{folder / 'app.sqlite'}", {"admin": (ADMIN_PASSWORD, True, [])})
    with serving(f"sqlite:///{folder / 'app.sqlite'}", "gunicorn", log=folder / "g.log",
                 LOAD_DEMO="0", TRUSTED_PROXIES="1",
                 FRAME_ANCESTORS="https://kiosk.example.local 'self'") as base:
        yield base


# --------------------------------------------------------------------------- headers


def inline_scripts(page: str) -> list[str]:
    """The inline scripts a browser would run (not JSON data blocks)."""
    return [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
            if "src=" not in attrs and "application/json" not in attrs]


def csp(reply) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in reply.headers["Content-Security-Policy"].split(";")]
    return {p[0]: p[1:] for p in parts if p}


def test_every_response_has_the_security_headers_and_no_server(app_url):
    page = request(app_url + AGREEMENT)
    replies = [page, request(app_url + "/"), request(app_url + "/assets/10-app.css"),
               request(app_url + "/_dash-layout"), request(app_url + "/_dash-dependencies"),
               post_json(app_url, router_body("/")), post_json(app_url, {"nonsense": 1})]
    for reply in replies:
        headers = {k.lower(): v for k, v in reply.headers.items()}
        assert "server" not in headers, headers.get("server")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in headers  # plain HTTP
        policy = csp(reply)
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["default-src"] == ["'self'"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert "'unsafe-inline'" not in policy["script-src"]
    # Dash's inline scripts (renderer, clientside callbacks) run by their hashes, and only
    # they: no CDN, everything from the app itself.
    scripts = inline_scripts(page.text)
    assert len(scripts) >= 2
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
              for s in scripts}
    assert hashes == set(csp(page)["script-src"]) - {"'self'"}
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page.text)


def test_forwarded_https_is_believed_only_from_a_trusted_proxy(app_url, proxied_url):
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    assert "Strict-Transport-Security" not in request(app_url + "/", headers=https).headers
    assert request(proxied_url + "/").headers.get("Strict-Transport-Security") is None
    trusted = request(proxied_url + "/", headers=https)
    assert trusted.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Server" not in trusted.headers  # gunicorn's too


def test_only_the_presentation_may_be_framed_and_only_by_the_kiosk(proxied_url):
    screen = Client(proxied_url)
    screen.sign_in("admin", ADMIN_PASSWORD)
    kiosk = screen.get("/present/krami-sthlm-2023")
    assert csp(kiosk)["frame-ancestors"] == ["https://kiosk.example.local", "'self'"]
    assert "X-Frame-Options" not in kiosk.headers
    other = screen.get(AGREEMENT)
    assert csp(other)["frame-ancestors"] == ["'none'"]
    assert other.headers["X-Frame-Options"] == "DENY"


# --------------------------------------------------------------------------- 400 pages


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_repeated_query_parameter_is_a_400_page_in_the_apps_look(app_url, lang):
    query = "?period=2023&period=2024" + ("&lang=en" if lang == "en" else "")
    reply = request(app_url + AGREEMENT + query)
    assert reply.status == 400
    assert reply.headers["Content-Type"].startswith("text/html")
    text = reply.text
    assert f'<html lang="{lang}">' in text
    assert 'href="/assets/10-app.css' in text and 'class="app-header"' in text
    assert 'id="back-to-portfolio" href="/"' in text
    if lang == "sv":
        assert "Felaktig adress" in text and "Adressen har period mer än en gång" in text
        assert "Till alla överenskommelser" in text
    else:
        assert "Bad address" in text and "The address has period more than once" in text
        assert "To all agreements" in text
    assert "Traceback" not in text and "<script" not in text


def test_the_same_address_drawn_in_the_app_gives_the_400_content(app_url):
    for path, search, name in [(AGREEMENT, "?period=2023&period=2024", "period"),
                               ("/present/krami-sthlm-2023", "?slide=1&slide=2", "slide"),
                               ("/", "?lang=en&lang=en", "lang")]:
        reply = post_json(app_url, router_body(path, search))
        assert reply.status == 200
        content = json.dumps(reply.json()["response"]["_pages_content"], ensure_ascii=False)
        assert "Felaktig adress" in content or "Bad address" in content
        assert f" {name} " in content


# --------------------------------------------------------------------------- callbacks


SWITCH = "SWITCH"  # the period switch's output key, read from the app (it has a hash)
SWITCH_OUTPUTS = [("view-content", "children"), ("period-select", "value"),
                  ("period-prev-holder", "children"), ("period-next-holder", "children"),
                  ("view-state", "data"), ("url-sync", "data"), ("crumbs", "children"),
                  ("lang-switch", "href")]


def switch(period="2023", prev=0, nxt=0, breakdown="total", rendered=None,
           changed="period-select.value") -> dict:
    """The period switch's request, as the page sends it."""
    return {"output": SWITCH,
            "outputs": [{"id": i, "property": p} for i, p in SWITCH_OUTPUTS],
            "inputs": [{"id": "period-select", "property": "value", "value": period},
                       {"id": "period-prev", "property": "n_clicks", "value": prev},
                       {"id": "period-next", "property": "n_clicks", "value": nxt},
                       {"id": "breakdown-switch", "property": "value", "value": breakdown},
                       {"id": "history-target", "property": "data", "value": None}],
            "state": [{"id": "view-state", "property": "data",
                       "value": {"agreement": "krami-sthlm-2023", "cluster": None,
                                 "path": AGREEMENT, "lang": "sv", "period": "2022",
                                 "breakdown": "total", "prev": None, "next": "2023"}
                       if rendered is None else rendered}],
            "changedPropIds": [changed]}


def resolved(base: str, body: dict) -> dict:
    """The body with the switch's output key as the app names it."""
    if body.get("output") != SWITCH:
        return body
    deps = json.loads(request(base + "/_dash-dependencies").text)
    key = next(d["output"] for d in deps if d["output"].startswith("..view-content."))
    return {**body, "output": key}


def panel(clicks, state) -> dict:
    return {"output": PANEL,
            "outputs": [{"id": "panel-download-file", "property": "data"},
                        {"id": "panel-download-fallback", "property": "data"},
                        {"id": "panel-download-status", "property": "children"},
                        {"id": "panel-download-status", "property": "is_open"}],
            "inputs": [clicks], "state": [{"id": "export-view", "property": "data",
                                           "value": state}],
            "changedPropIds": ['{"format":"png","panel":"occupancy","type":"panel-download"}'
                               ".n_clicks"]}


def click(fmt="png", value=1) -> list[dict]:
    return [{"id": {"type": "panel-download", "panel": "occupancy", "format": fmt},
             "property": "n_clicks", "value": value}]


def test_callbacks_still_answer_well_formed_requests(app_url):
    reply = post_json(app_url, resolved(app_url, switch()))
    assert reply.status == 200
    response = reply.json()["response"]
    assert response["url-sync"]["data"]["href"] == AGREEMENT + "?period=2023"
    assert response["period-select"]["value"] == "2023"
    page = post_json(app_url, router_body(AGREEMENT, "?period=2023&lang=en"))
    assert page.status == 200 and "Krami" in page.text


FAILING = {  # crafted bodies that reach a callback, which fails on them
    "panel state not a dict": panel(click(), [1]),
    "panel state without an agreement": panel(click(), {"period": "2023"}),
    "clicks not a list": panel(click()[0], {"agreement": "krami-sthlm-2023"}),
    "page path of the wrong type": router_body(5, 7),
}


@pytest.mark.parametrize("name", list(FAILING))
def test_a_crafted_value_gives_a_message_not_a_500(app_url, name):
    reply = post_json(app_url, FAILING[name], headers={"Referer": app_url + "/?lang=en"})
    assert reply.status == 200, reply.text
    text = json.dumps(reply.json(), ensure_ascii=False)
    # The callback fails on it, or its rights check cannot read what it is about
    # (dashboard/web/auth/guard.py): a message either way.
    assert "The request could not be handled" in text or "you have no access to it" in text
    assert "Traceback" not in text and "Error" not in text


HARMLESS = {  # crafted values the callbacks take in their stride
    "a bad lang in the address": router_body(AGREEMENT, "?lang=xx&period=2023"),
    "a bad lang in the export state": panel(click("nope"), {"agreement": "krami-sthlm-2023",
                                                            "lang": "xx", "period": "2023"}),
    "a period of the wrong type": switch(period={"a": 1}),
    "a click count of the wrong type": switch(prev="x", changed="period-prev.n_clicks"),
    "a view state that is not a dict": switch(rendered=[1, 2]),
    "an agreement of the wrong type": switch(rendered={"agreement": ["x"], "lang": "sv",
                                                       "path": 5, "period": "2023"}),
    "a period that is not one": switch(period="2023-13"),
    "a pack for nothing": {"output": PACK,
                           "outputs": [{"id": i, "property": p} for i, p in PACK_OUTPUTS],
                           "inputs": [{"id": "export-pack", "property": "n_clicks",
                                       "value": 0}],
                           "state": [{"id": "export-view", "property": "data", "value": "x"},
                                     {"id": "export-poll", "property": "n_intervals",
                                      "value": 0}],
                           "changedPropIds": ["export-pack.n_clicks"]},
}


@pytest.mark.parametrize("name", list(HARMLESS))
def test_a_harmless_crafted_value_is_answered(app_url, name):
    reply = post_json(app_url, resolved(app_url, HARMLESS[name]))
    assert reply.status in (200, 204), reply.text


BAD_BODIES = {
    "garbage JSON": (None, b"{not json", "application/json"),
    "not JSON at all": (None, b"period=2023", "application/x-www-form-urlencoded"),
    "an empty body": (None, b"", "application/json"),
    "a list": ([1, 2], None, "application/json"),
    "no output": ({"inputs": [], "state": []}, None, "application/json"),
    "an output no callback has": ({"output": "x.y", "outputs": {"id": "x", "property": "y"},
                                   "inputs": [], "state": []}, None, "application/json"),
    "inputs missing": ({k: v for k, v in switch().items() if k != "inputs"}, None,
                       "application/json"),
    "inputs not a list": ({**switch(), "inputs": {"a": 1}}, None, "application/json"),
    "state too short": ({**switch(), "state": []}, None, "application/json"),
    "an input of another component": ({**switch(), "inputs": [
        {"id": "other", "property": "value", "value": 1}, *switch()["inputs"][1:]]}, None,
        "application/json"),
    "outputs missing": ({k: v for k, v in switch().items() if k != "outputs"}, None,
                        "application/json"),
    "changed ids not names": ({**switch(), "changedPropIds": [1]}, None,
                              "application/json"),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_body_the_app_cannot_read_is_a_400(app_url, name):
    body, raw, content_type = BAD_BODIES[name]
    if isinstance(body, dict):
        body = resolved(app_url, body)
    reply = post_json(app_url, body, raw=raw, content_type=content_type)
    assert reply.status == 400
    assert reply.text.startswith("Ogiltig förfrågan: ") and "\n" not in reply.text.strip()
    english = post_json(app_url, body, raw=raw, content_type=content_type,
                        headers={"Referer": app_url + AGREEMENT + "?lang=en"})
    assert english.status == 400 and english.text.startswith("Bad request: ")


# --------------------------------------------------------------------------- settings


def test_frame_ancestors_must_be_origins():
    from dashboard.data.startup import StartupError
    from dashboard.web.security import frame_sources, policy

    assert frame_sources(("https://kiosk.example.local", "'self'", "https://*.example.se:8443")
                         ) == ["https://kiosk.example.local", "'self'",
                               "https://*.example.se:8443"]
    for bad in ("https://kiosk;script-src", "'unsafe-inline'", "javascript:", "*", "a,b"):
        with pytest.raises(StartupError, match="FRAME_ANCESTORS"):
            frame_sources((bad,))
    text = policy(["'sha256-x'"], [])
    assert "script-src 'self' 'sha256-x';" in text and text.endswith("frame-ancestors 'none'")
