"""Municipal statistics from Kolada (contract.md section 9; issue 19).

The recorded responses in ``data/demo/kolada/`` (the demo loads them too) are three pages of
one query in the API v3's shape (``count``, ``values``, ``next_url``): key figures N03926,
N03937, N31807 for the country (0000), Järfälla (0123), Stockholm (0180), Solna (0184: in no
agreement) and Grums (1764), 2016–2023, each with T, K and M; Grums' N03926 for 2016 is null
(Kolada's ``..``). ``kolada fetch`` is tested against a local HTTP server (``http.server``
in a thread) that serves those pages with their ``next_url`` pointed at itself; never the
internet.

Values by hand, from the recorded pages:

* N03937 (openly unemployed, %): Järfälla 2021 5.9, 2022 5.8, 2023 6.1; the country 2023 6.7;
  Stockholm 2023 5.9. A ``decrease`` target for 2023: 6.1 > 5.8, moved the wrong way: red.
* N31807 (income support, %): Järfälla 2022 3.6, 2023 3.4: decreased: green.
* N03926 (long-term unemployed, %): Järfälla 2023 1.7; the country 2023 1.5.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from dash import html

from dashboard.config import DATA_DIR
from dashboard.data import kolada as kolada_data
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.domain import kolada
from dashboard.domain.kolada import KoladaFormatError
from dashboard.domain.periods import Period
from dashboard.model.view import build_view
from dashboard.web.components.kolada import kolada_section
from tests.builders import write_csv_folder
from tests.cli import run_cli

RECORDED = DATA_DIR / "demo" / "kolada"
PAGES = sorted(RECORDED.glob("demo-page-*.json"))
LIVE = "https://api.kolada.se/v3"
KPIS = "N03926,N03937,N31807"
ALL_VALUES = 3 * 5 * 8 * 3  # key figures × places × years × genders

AGREEMENTS = {
    "agreements": [
        ["agreement_id", "name", "valid_from", "valid_to", "municipalities"],
        ["jfl", "Järfälla test", "2022-01-01", "2023-12-31", "0123"],
        ["sthlm", "Stockholm test", "2022-01-01", "2023-12-31", "0180"],
        ["grums", "Grums test", "2016-01-01", "2018-12-31", "1764"],
    ],
    "targets": [
        ["agreement_id", "kpi", "comparator"],
        ["jfl", "kolada:N03937", "decrease"],
        ["jfl", "Kolada:n31807", "decrease"],  # the prefix in any case, the code too
    ],
}


# --------------------------------------------------------------------------- the server


class _Recorded(BaseHTTPRequestHandler):
    """Kolada's data endpoint from the recorded pages: ``?page=N`` (default 1). Under
    ``/flaky`` each address first answers 500, then as recorded."""

    def do_GET(self):  # noqa: N802 - http.server's name
        server = self.server
        server.asked.append(self.path)
        parts = urlsplit(self.path)
        if parts.path.startswith("/flaky/") and self.path not in server.failed:
            server.failed.add(self.path)
            self._answer(500, b"{}")
            return
        if "/v3/data/kpi/" not in parts.path:
            self._answer(404, b"{}")
            return
        page = int(parse_qs(parts.query).get("page", ["1"])[0])
        body = PAGES[page - 1].read_text(encoding="utf-8")
        base = f"http://127.0.0.1:{server.server_port}{parts.path.split('/v3/')[0]}/v3"
        self._answer(200, body.replace(LIVE, base).encode())

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def kolada_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorded)
    server.asked, server.failed = [], set()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def server(kolada_server):
    kolada_server.asked.clear()
    kolada_server.failed.clear()
    return kolada_server


def _base(server, prefix: str = "") -> str:
    return f"http://127.0.0.1:{server.server_port}{prefix}/v3"


@pytest.fixture
def url(tmp_path, engine, db_url, prepared):
    """A SQLite file with the three test agreements (and no Kolada value yet): imported
    once per test process, each test starting from a copy (``prepared``)."""
    def build(eng):
        result = import_dataset(eng, write_csv_folder(tmp_path / "set", AGREEMENTS,
                                                      swedish=False))
        assert result.ok, result.messages("en")

    prepared.prepare(engine, "test_kolada.url", build)
    return db_url


def _stored(db: str):
    eng = make_engine(db)
    try:
        return repository.kolada_values_of(eng, ["0000", "0123", "0180", "0184", "1764"])
    finally:
        eng.dispose()


def _value(frame, kpi, municipality, year, gender="T"):
    row = frame[(frame.kpi == kpi) & (frame.municipality == municipality)
                & (frame.period == year) & (frame.gender == gender)]
    assert len(row) == 1
    return row["value"].iloc[0]


# --------------------------------------------------------------------------- reading pages


def test_a_recorded_page_is_read_value_by_value():
    page = kolada.parse_page(PAGES[0].read_bytes())
    assert page.count == 120 and len(page.rows) == 40 * 3
    assert page.next_url.endswith("per_page=40&page=2")
    assert page.rows[:3] == [("N03926", "0000", 2016, "T", 2.3),
                             ("N03926", "0000", 2016, "K", 2.0),
                             ("N03926", "0000", 2016, "M", 2.6)]
    last = kolada.parse_page(PAGES[-1].read_bytes())
    assert last.next_url is None
    # Pages in any order give one frame, one row per key.
    merged = kolada.merge_pages([kolada.parse_page(p.read_bytes()) for p in reversed(PAGES)])
    assert len(merged) == ALL_VALUES
    assert merged.duplicated(kolada.KEY).sum() == 0
    assert _value(merged, "N03937", "0123", 2023) == 6.1
    # The null value: kept as "not published", not dropped, not 0.
    for gender in "TKM":
        assert merged[(merged.kpi == "N03926") & (merged.municipality == "1764")
                      & (merged.period == 2016) & (merged.gender == gender)]["value"].isna().all()


@pytest.mark.parametrize(("text", "code"), [
    ("not json", "json"),
    ('[1, 2]', "shape"),
    ('{"count": 1}', "shape"),
    ('{"values": [], "next_url": 5}', "next_url"),
    ('{"values": [{"kpi": "N03937", "municipality": "0123", "period": 2023}]}', "entry"),
    ('{"values": [{"kpi": "X", "municipality": "0123", "period": 2023, "values": []}]}', "kpi"),
    ('{"values": [{"kpi": "N03937", "municipality": "123", "period": 2023, "values": []}]}',
     "municipality"),
    ('{"values": [{"kpi": "N03937", "municipality": "0123", "period": "2023-Q1", '
     '"values": []}]}', "period"),
    ('{"values": [{"kpi": "N03937", "municipality": "0123", "period": 2023, '
     '"values": [{"gender": "X", "value": 1}]}]}', "gender"),
    ('{"values": [{"kpi": "N03937", "municipality": "0123", "period": 2023, '
     '"values": [{"gender": "T", "value": "6,1"}]}]}', "value"),
])
def test_what_is_not_a_page_is_refused_saying_what(text, code):
    with pytest.raises(KoladaFormatError) as caught:
        kolada.parse_page(text)
    assert caught.value.code == code


# --------------------------------------------------------------------------- import


def test_import_any_order_idempotent_and_a_newer_value_replaces(any_engine, any_db_url,
                                                                tmp_path):
    """On SQLite and PostgreSQL (the repository's SQL): pages in any order, the same value
    twice stored once, a changed value replacing the stored one."""
    db = any_engine.url.render_as_string(hide_password=False)
    ran = run_cli(db, "kolada", "import", *map(str, reversed(PAGES)))
    assert ran.returncode == 0, ran.stderr
    assert f"{ALL_VALUES} värden från 3 sidor – {ALL_VALUES} nya, 0 ersatta" in ran.stdout
    with repository.read_transaction(any_engine) as conn:
        version = repository.data_versions(conn)[0]

    again = run_cli(db, "kolada", "import", *map(str, PAGES), lang="en")
    assert again.returncode == 0, again.stderr
    assert f"0 new, 0 replaced, {ALL_VALUES} unchanged" in again.stdout
    with repository.read_transaction(any_engine) as conn:
        assert repository.data_versions(conn)[0] == version  # nothing changed
    stored = repository.kolada_values_of(any_engine, ["0000", "0123", "0180", "0184", "1764"])
    assert len(stored) == ALL_VALUES
    assert _value(stored, "N03937", "0123", 2023) == 6.1
    assert stored[(stored.kpi == "N03926") & (stored.municipality == "1764")
                  & (stored.period == 2016)]["value"].isna().all()

    # A newer page with one value revised by Kolada: that value replaces the stored one.
    doc = json.loads(PAGES[1].read_text(encoding="utf-8"))
    entry = next(e for e in doc["values"] if (e["kpi"], e["municipality"], e["period"])
                 == ("N03937", "0123", 2023))
    entry["values"][0]["value"] = 6.3
    revised = tmp_path / "revised.json"
    revised.write_text(json.dumps(doc), encoding="utf-8")
    third = run_cli(db, "kolada", "import", str(revised), lang="en")
    assert third.returncode == 0, third.stderr
    assert "Kolada: 120 values from 1 pages – 0 new, 1 replaced, 119 unchanged." in third.stdout
    stored = repository.kolada_values_of(any_engine, ["0123"], ["N03937"])
    assert _value(stored, "N03937", "0123", 2023) == 6.3
    assert len(stored) == 8 * 3
    with repository.read_transaction(any_engine) as conn:
        assert repository.data_versions(conn)[0] != version  # views are computed anew


def test_a_broken_file_is_refused_by_name_and_nothing_is_stored(url, tmp_path):
    broken = tmp_path / "sparad-sida.json"
    broken.write_text('{"count": 3, "values": [{"kpi": "N03937", "municipality": "0123", '
                      '"period": 2023, "values": [{"gender": "T", "value": "6,1"}]}]}',
                      encoding="utf-8")
    ran = run_cli(url, "kolada", "import", str(PAGES[0]), str(broken))
    assert ran.returncode == 1
    assert ran.stderr.strip() == (
        "Ingenting sparades: sparad-sida.json är inget sparat svar från Koladas API v3: "
        "post 1: värdet ”6,1” är varken ett tal eller null.")
    assert "Traceback" not in ran.stderr
    missing = run_cli(url, "kolada", "import", str(tmp_path / "finns-inte.json"), lang="en")
    assert missing.returncode == 1
    assert "finns-inte.json" in missing.stderr and "does not exist" in missing.stderr
    assert _stored(url).empty


# --------------------------------------------------------------------------- fetch


def test_fetch_follows_next_url_and_stores_every_page(url, server):
    ran = run_cli(url, "kolada", "fetch", "--kpi", KPIS, "--year", "2016..2023",
                  KOLADA_URL=_base(server))
    assert ran.returncode == 0, ran.stderr
    assert f"{ALL_VALUES} värden från 3 sidor – {ALL_VALUES} nya" in ran.stdout
    first, *rest = server.asked
    # The stored agreements' municipalities and the country, every year, 5000 a page.
    assert first == ("/v3/data/kpi/N03926%2CN03937%2CN31807/municipality/"
                     "0123%2C0180%2C1764%2C0000/year/2016%2C2017%2C2018%2C2019%2C2020%2C"
                     "2021%2C2022%2C2023?per_page=5000")
    assert [urlsplit(a).query for a in rest] == ["per_page=40&page=2", "per_page=40&page=3"]
    stored = _stored(url)
    assert len(stored) == ALL_VALUES
    # Solna (0184) is in no agreement: stored, but no agreement shows it.
    assert (stored.municipality == "0184").any()
    shown = run_cli(url, "kolada", "show", "--agreement", "sthlm", "--format", "json")
    assert {r["municipality"] for r in json.loads(shown.stdout)} == {"0180", "0000"}


def test_fetch_asks_the_municipalities_given(url, server):
    ran = run_cli(url, "kolada", "fetch", "--kpi", "N03937", "--municipality", "0184",
                  KOLADA_URL=_base(server))
    assert ran.returncode == 0, ran.stderr
    assert server.asked[0] == "/v3/data/kpi/N03937/municipality/0184%2C0000?per_page=5000"


def test_a_500_is_tried_again_after_the_backoff(url, server):
    ran = run_cli(url, "kolada", "fetch", "--kpi", KPIS, KOLADA_URL=_base(server, "/flaky"),
                  KOLADA_RETRIES="2", KOLADA_BACKOFF="0")
    assert ran.returncode == 0, ran.stderr
    assert len(server.asked) == 6  # each of the 3 pages: a 500, then the page
    assert server.asked[0] == server.asked[1]
    assert len(_stored(url)) == ALL_VALUES


def test_a_500_every_time_is_refused_in_words_and_nothing_is_stored(url, server):
    ran = run_cli(url, "kolada", "fetch", "--kpi", KPIS, KOLADA_URL=_base(server, "/flaky"),
                  KOLADA_RETRIES="0", KOLADA_BACKOFF="0", lang="en")
    assert ran.returncode == 1
    assert ran.stderr.strip() == (
        f"Kolada could not be reached at {_base(server, '/flaky')} (HTTP 500; tried 1 times). "
        "Check the network or KOLADA_URL and try again later; nothing was stored.")
    assert _stored(url).empty


def test_offline_a_clear_message_and_exit_code_1(url):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ran = run_cli(url, "kolada", "fetch", "--kpi", "N03937", "--year", "2023",
                  KOLADA_URL=f"http://127.0.0.1:{port}/v3", KOLADA_RETRIES="1",
                  KOLADA_BACKOFF="0", KOLADA_TIMEOUT="2")
    assert ran.returncode == 1
    assert ran.stderr.startswith(f"Kolada kunde inte nås på http://127.0.0.1:{port}/v3 (")
    assert "försökt 2 gånger" in ran.stderr and "ingenting sparades" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert _stored(url).empty


def test_wrong_arguments_are_usage_errors(url):
    assert run_cli(url, "kolada", "fetch", "--kpi", "arbetslöshet").returncode == 2
    assert run_cli(url, "kolada", "fetch", "--kpi", "N03937", "--year", "2023..2020"
                   ).returncode == 2
    assert run_cli(url, "kolada", "fetch", "--kpi", "N03937", "--municipality", "12"
                   ).returncode == 2
    assert run_cli(url, "kolada", "show", "--agreement", "nope").returncode == 1


def test_the_data_url_caps_per_page():
    assert kolada_data.data_url("https://x/v3/", ["N03937"], ["0123"], [2023], 9000) == \
        "https://x/v3/data/kpi/N03937/municipality/0123/year/2023?per_page=5000"


# --------------------------------------------------------------------------- show, targets


@pytest.fixture
def imported(url, engine, prepared):
    """``url`` with the recorded pages imported from the command line: made once per test
    process, each test starting from a copy (``prepared``)."""
    def build(eng):
        ran = run_cli(url, "kolada", "import", *map(str, PAGES))
        assert ran.returncode == 0, ran.stderr

    prepared.prepare(engine, "test_kolada.imported", build)
    return url


def test_show_gives_the_agreements_municipality_and_the_country_by_hand(imported):
    ran = run_cli(imported, "kolada", "show", "--agreement", "jfl", "--period", "2023",
                  "--format", "json")
    assert ran.returncode == 0, ran.stderr
    rows = json.loads(ran.stdout)
    totals = {(r["kpi"], r["municipality"]): r["value"] for r in rows if r["gender"] == "T"}
    assert totals == {("N03926", "0123"): 1.7, ("N03926", "0000"): 1.5,
                      ("N03937", "0123"): 6.1, ("N03937", "0000"): 6.7,
                      ("N31807", "0123"): 3.4, ("N31807", "0000"): 3.7}
    assert rows[0] == {"municipality": "0123", "kpi": "N03926", "period": 2023,
                       "gender": "T", "value": 1.7}
    assert len(rows) == 3 * 2 * 3
    # Grums 2016: Kolada published nothing for N03926: null, not left out.
    grums = json.loads(run_cli(imported, "kolada", "show", "--agreement", "grums",
                               "--period", "2016", "--format", "json").stdout)
    assert [r["value"] for r in grums if r["kpi"] == "N03926"
            and r["municipality"] == "1764"] == [None, None, None]
    table = run_cli(imported, "kolada", "show", "--agreement", "grums", "--period", "2016")
    assert "N03926\tGrums\t2016\tT\t..\n" in table.stdout
    assert table.stdout.rstrip().endswith("Källa: Kolada, 2016")


def test_a_kolada_target_is_judged_against_the_year_before(imported):
    ran = run_cli(imported, "kpis", "--agreement", "jfl", "--period", "2023")
    assert ran.returncode == 0, ran.stderr
    figures = {r["kpi"]: r for r in json.loads(ran.stdout) if r["kpi"].startswith("kolada:")}
    # 6.1 against 5.8 in 2022: up, the wrong way for "decrease".
    assert (figures["kolada:N03937"]["value"], figures["kolada:N03937"]["status"],
            figures["kolada:N03937"]["comparator"]) == (6.1, "red", "decrease")
    # 3.4 against 3.6: down, the right way.
    assert (figures["kolada:N31807"]["value"], figures["kolada:N31807"]["status"]) == \
        (3.4, "green")
    # 2022 in the view: against 2021 (the recorded 5.9).
    eng = make_engine(imported)
    try:
        view = build_view(eng, "jfl", "2022")
    finally:
        eng.dispose()
    by_kpi = {v.kpi: v for v in view.values}
    # 5.8 against 5.9: down, the right way.
    assert (by_kpi["kolada:N03937"].value, by_kpi["kolada:N03937"].previous,
            by_kpi["kolada:N03937"].status) == (5.8, 5.9, "green")


def test_before_anything_is_stored_a_kolada_target_is_grey(url):
    ran = run_cli(url, "kpis", "--agreement", "jfl", "--period", "2023")
    figures = [(r["kpi"], r["value"], r["comparator"], r["status"])
               for r in json.loads(ran.stdout) if r["kpi"].startswith("kolada:")]
    assert figures == [("kolada:N03937", None, "decrease", "grey"),
                       ("kolada:N31807", None, "decrease", "grey")]


def test_a_kolada_target_needs_exactly_one_municipality(url, tmp_path):
    tables = {"agreements": [["agreement_id", "name", "valid_from", "valid_to",
                              "municipalities"],
                             ["two", "Två kommuner", "2023-01-01", "2023-12-31", "0180;0186"]],
              "targets": [["agreement_id", "kpi", "comparator"],
                          ["two", "kolada:N03937", "decrease"]]}
    ran = run_cli(url, "import", str(write_csv_folder(tmp_path / "two", tables,
                                                      swedish=False)), lang="en")
    assert ran.returncode == 1
    assert "targets.csv, row 2" in ran.stderr and "exactly one municipality" in ran.stderr


# --------------------------------------------------------------------------- the view


def _texts(node) -> list[str]:
    if isinstance(node, str | int | float):
        return [str(node)]
    if node is None:
        return []
    children = getattr(node, "children", None)
    if isinstance(children, list | tuple):
        return [t for c in children for t in _texts(c)]
    return _texts(children)


def _rows(section) -> list[list[str]]:
    table = next(c for c in section.children if isinstance(c, html.Table))
    head, body = table.children
    return [[" ".join(_texts(cell)) for cell in row.children]
            for row in [head.children, *body.children]]


def test_the_view_shows_the_municipality_beside_the_country(imported):
    eng = make_engine(imported)
    try:
        jfl = build_view(eng, "jfl", "2023")
        grums = build_view(eng, "grums", "2016-Q4")
    finally:
        eng.dispose()
    section = kolada_section(jfl.data, jfl.period, "sv")
    assert _rows(section) == [
        ["Nyckeltal", "Järfälla", "Riket"],
        ["Långtidsarbetslösa 25–64 år, andel (%) av befolkningen", "1,7", "1,5"],
        ["Öppet arbetslösa, andel (%) av befolkningen 18–65 år", "6,1", "6,7"],
        ["Invånare med ekonomiskt bistånd, andel (%) av befolkningen", "3,4", "3,7"]]
    assert "Källa: Kolada, 2023" in " ".join(_texts(section))
    assert ".." not in " ".join(_texts(section))
    # Grums 2016: ".." where Kolada published nothing, and what ".." means.
    section = kolada_section(grums.data, grums.period, "en")
    assert _rows(section)[1] == ["Long-term unemployed 25–64, share (%) of the population",
                                 "..", _rows(section)[1][2]]
    words = " ".join(_texts(section))
    assert "Source: Kolada, 2016" in words and ".. = Kolada publishes no value." in words
    # A year Kolada has not published yet shows the latest year before it, and says which.
    later = kolada_section(jfl.data, Period.parse("2024"), "sv")
    assert "Källa: Kolada, 2023" in " ".join(_texts(later))


def test_no_section_without_values(url):
    eng = make_engine(url)
    try:
        view = build_view(eng, "jfl", "2023")
    finally:
        eng.dispose()
    assert kolada_section(view.data, view.period, "sv") is None
