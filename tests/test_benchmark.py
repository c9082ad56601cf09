"""The benchmark on the comparison page (issue 19, part 4): the median and quartiles of the
agreements of the same kind, made from shown values only, for a kind of at least five,
and what a member of one agreement and a viewer of one cluster see of it.

One small dataset of two kinds (tests/builders.py), imported once for the module:

    agreement  kind   completed  work  study  work or study
    k1         krami  12         6     0      6 / 12 = 0,5
    k2         krami  20         10    2      12 / 20 = 0,6
    k3         krami  8          2     1      3 (< 5: not a shown share)
    k4         krami  30         15    6      21 / 30 = 0,7
    k5         krami  16         8     0      8 / 16 = 0,5
    k6         krami  3          1     0      (3 < 5: a hidden count, "<5")
    k7         krami  25         10    0      10 / 25 = 0,4
    u1         unga   10         5     0      0,5
    u2         unga   14         7     0      0,5

each with one cluster ``c`` holding all of it, in 2023-03.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from dashboard.data import repository
from dashboard.domain.periods import Period
from dashboard.model.benchmark import (
    MIN_UNITS,
    benchmark,
    quartiles,
    references_for,
    shown,
    unit_key,
    with_reference,
)
from dashboard.model.portfolio import compare
from dashboard.people.rights import Rights
from tests.builders import import_into
from tests.webserver import Client, add_accounts, router_body, serving

P = Period.parse("2023")
THRESHOLD = 5
OUTCOMES = {  # agreement: (kind, completed, work, study)
    "k1": ("krami", 12, 6, 0), "k2": ("krami", 20, 10, 2), "k3": ("krami", 8, 2, 1),
    "k4": ("krami", 30, 15, 6), "k5": ("krami", 16, 8, 0), "k6": ("krami", 3, 1, 0),
    "k7": ("krami", 25, 10, 0), "u1": ("unga", 10, 5, 0), "u2": ("unga", 14, 7, 0),
}
KINDS = {a: kind for a, (kind, *_r) in OUTCOMES.items()}


def tables() -> dict[str, list[list]]:
    return {
        "agreements": [["agreement_id", "name", "valid_from", "valid_to", "kind"]] +
        [[a, f"Avtal {a.upper()}", "2023-01-01", "2023-12-31", kind]
         for a, (kind, *_r) in OUTCOMES.items()],
        "clusters": [["agreement_id", "cluster_id", "name"]] +
        [[a, "c", "Centrum"] for a in OUTCOMES],
        "outcomes": [["agreement_id", "cluster_id", "month", "completed", "work", "study"]] +
        [[a, "c", "2023-03", c, w, s] for a, (_k, c, w, s) in OUTCOMES.items()],
    }


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = import_into(tmp_path_factory.mktemp("benchmark"), tables())
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def many(engine):
    return repository.load_many(engine, (P.year_earlier().start, P.end))


def bench_of(many, kpi: str, clusters: bool = False) -> tuple[pd.DataFrame, dict]:
    rows = compare(many, P, kpi, clusters=clusters)
    return rows, benchmark(rows, KINDS, kpi, THRESHOLD)


def test_median_and_quartiles_by_hand(many):
    rows, bench = bench_of(many, "completed")
    krami = bench["krami"]
    # Shown: 8, 12, 16, 20, 25, 30 (k6's 3 is under 5: left out). Six values, positions
    # 0..5; kvartil 1 at 0.25 * 5 = 1.25: 12 + 0.25 * (16 - 12) = 13; the median at 2.5:
    # (16 + 20) / 2 = 18; kvartil 3 at 3.75: 20 + 0.75 * (25 - 20) = 23.75.
    assert (krami["q1"], krami["median"], krami["q3"]) == (13.0, 18.0, 23.75)
    assert sorted(krami["units"]) == ["k1/", "k2/", "k3/", "k4/", "k5/", "k7/"]
    assert krami["agreements"] == 6
    # As Excel's KVARTIL.INK would give them.
    assert quartiles([30, 8, 20, 12, 25, 16]) == (13.0, 18.0, 23.75)

    # The share in work or study: k3 (3 of 8: a numerator under 5) and k6 (n = 3) are not
    # shown shares. Left 0,4 0,5 0,5 0,6 0,7: kvartil 1 at 1: 0,5; median at 2: 0,5;
    # kvartil 3 at 3: 0,6.
    __, share = bench_of(many, "work_study_share")
    ref = share["krami"]
    assert sorted(ref["units"]) == ["k1/", "k2/", "k4/", "k5/", "k7/"]
    assert (ref["q1"], ref["median"], ref["q3"]) == pytest.approx((0.5, 0.5, 0.6))

    # Clusters of the same kind: one per agreement here, so the same numbers.
    __, by_cluster = bench_of(many, "completed", clusters=True)
    assert (by_cluster["krami"]["median"], by_cluster["krami"]["q3"]) == (18.0, 23.75)
    assert sorted(by_cluster["krami"]["units"])[0] == unit_key("k1", "c") == "k1/c"

    # On the rows: each unit beside its kind's reference (an admin sees every one).
    refs = references_for(bench, Rights(admin=True), [])
    out = with_reference(rows, KINDS, refs).set_index("agreement_id")
    assert out.at["k4", "value"] == 30 and out.at["k4", "median"] == 18.0
    assert out.at["k6", "q1"] == 13.0 and out.at["k6", "ref_units"] == 6
    assert pd.isna(out.at["u1", "median"])  # two youth agreements: none


def test_a_kind_with_too_few_agreements_gets_no_reference(many):
    __, bench = bench_of(many, "completed")
    # Two youth agreements with shown values: fewer than five, no quartiles.
    assert MIN_UNITS == 5
    unga = bench["unga"]
    assert len(unga["units"]) == 2
    assert (unga["q1"], unga["median"], unga["q3"]) == (None, None, None)
    assert not references_for(bench, Rights(admin=True), [])["unga"].shown
    # The share of Krami has exactly five shown: enough. Leave out one more and it is not.
    rows = compare(many, P, "work_study_share")
    fewer = rows[rows["agreement_id"] != "k7"]
    assert benchmark(rows, KINDS, "work_study_share", THRESHOLD)["krami"]["median"] == 0.5
    assert benchmark(fewer, KINDS, "work_study_share", THRESHOLD)["krami"]["median"] is None


def test_a_hidden_small_count_cannot_be_worked_out_from_the_reference(many):
    """k6's 3 completers are hidden (<5). Whatever k6's count is among 1..4, the reference
    and every shown value are the same: a reader who sees all of them cannot tell which it
    is. A reference that took it in would give it away."""
    rows, bench = bench_of(many, "completed")
    assert not shown("completed", 3, None, THRESHOLD)
    assert shown("completed", 0, None, THRESHOLD) and shown("completed", 5, None, THRESHOLD)
    assert unit_key("k6", "") not in bench["krami"]["units"]
    seen = []
    for h in (1, 2, 3, 4):
        other = rows.copy()
        other.loc[other["agreement_id"] == "k6", "value"] = float(h)
        ref = benchmark(other, KINDS, "completed", THRESHOLD)["krami"]
        seen.append((ref["q1"], ref["median"], ref["q3"]))
    assert seen == [(13.0, 18.0, 23.75)] * 4
    # Why: the quartile of the hidden 3 with three shown values 8, 12, 16, by interpolation,
    # is 3 + 0.75 * (8 - 3) = 6.75; anyone who knows 8 and the rule solves
    # (6.75 - 0.75 * 8) / 0.25 = 3.
    q1 = float(np.quantile([3, 8, 12, 16], 0.25))
    assert q1 == 6.75 and (q1 - 0.75 * 8) / 0.25 == 3
    # Nor is a share of a small n or numerator taken in (k6: n = 3; k3: 3 of 8).
    __, share = bench_of(many, "work_study_share")
    assert {"k3/", "k6/"}.isdisjoint(share["krami"]["units"])


def member(*agreements: str) -> Rights:
    return Rights.of([{"agreement_id": a, "cluster_id": "", "role": "member"}
                      for a in agreements])


def cluster_viewer(*agreements: str) -> Rights:
    return Rights.of([{"agreement_id": a, "cluster_id": "c", "role": "viewer"}
                      for a in agreements])


def test_what_a_member_and_a_cluster_viewer_see(many):
    """The reference is an aggregate of other agreements' figures: shown to a person who
    sees none of them only when at least four of those it is made from are not theirs
    (a member of one agreement: five others), never when one to three are."""
    __, bench = bench_of(many, "completed")
    own = member("k1")
    refs = references_for(bench, own, [("k1", "")])
    assert refs["krami"].shown and refs["krami"].median == 18.0  # 5 of 6 not theirs
    assert not refs["unga"].shown  # too few, for everyone
    # Four of six theirs: two unseen, whose values the three numbers could pin.
    four = member("k1", "k2", "k3", "k4")
    assert not references_for(bench, four, [(a, "") for a in ("k1", "k2", "k3", "k4")]
                              )["krami"].shown
    # All six theirs (and the hidden k6 too): nothing they could not work out themselves.
    every = member(*(a for a in KINDS if KINDS[a] == "krami"))
    assert references_for(bench, every, [(a, "") for a in KINDS])["krami"].shown
    # Rows a person does not see never count as seen, whatever is passed.
    assert references_for(bench, own, [(a, "") for a in KINDS])["krami"].shown

    __, by_cluster = bench_of(many, "completed", clusters=True)
    one = cluster_viewer("k1")
    assert references_for(by_cluster, one, [("k1", "c")])["krami"].median == 18.0
    five = cluster_viewer("k1", "k2", "k3", "k4", "k5")
    assert not references_for(by_cluster, five, [(a, "c") for a in
                                                  ("k1", "k2", "k3", "k4", "k5")]
                              )["krami"].shown


# --------------------------------------------------------------------------- the page

PASSWORD = "riktmarke-losen-1"
PEOPLE = {
    "member": (PASSWORD, False, [("member", "k1", None)]),
    "cluster_viewer": (PASSWORD, False, [("viewer", "u1", "c"), ("viewer", "k2", "c")]),
    "admin": (PASSWORD, True, []),
}


def table_rows(reply) -> dict[str, list[str]]:
    """The comparison table's body rows by name: the texts of their cells."""

    def nodes(node):
        if isinstance(node, list):
            for item in node:
                yield from nodes(item)
        elif isinstance(node, dict):
            yield node
            for value in node.get("props", {}).values():
                yield from nodes(value)

    def text(node) -> str:
        if isinstance(node, (dict, list)):
            return "".join(text(n.get("props", {}).get("children")) if isinstance(n, dict)
                           else text(n) for n in (node if isinstance(node, list) else [node]))
        return "" if node is None else str(node)

    page = reply.json()["response"]["_pages_content"]["children"]
    table = next(n for n in nodes(page) if n.get("props", {}).get("id") == "compare-table")
    body = next(n for n in nodes(table) if n.get("type") == "Tbody")
    rows = [[text(c) for c in tr["props"]["children"]] for tr in nodes(body)
            if tr.get("type") == "Tr"]
    return {cells[1].strip(): cells for cells in rows}


@pytest.fixture(scope="module")
def site(engine, tmp_path_factory):
    url = str(engine.url)
    add_accounts(url, PEOPLE)
    folder = tmp_path_factory.mktemp("benchmark-site")
    with serving(url, "app", log=folder / "app.log", LOAD_DEMO="0",
                 BROWSER_PATH=str(folder / "no-browser")) as base:
        clients = {}
        for login in PEOPLE:
            clients[login] = Client(base)
            clients[login].sign_in(login, PASSWORD)
        yield clients


def test_the_page_shows_a_member_and_a_cluster_viewer_the_reference(site):
    """Through the page (the one gate): the member of k1 sees k1 only, beside Krami's
    median 18 and quartiles 13 and 23,8 (23,75 to one decimal) of six; a viewer of a youth
    agreement's cluster and of a Krami cluster sees the Krami one's reference and none for
    the youth kind (two); the admin the same numbers for every Krami row, and the chart
    says it in words."""
    reply = site["member"].callback(router_body("/compare", "?kpi=completed&period=2023"))
    assert reply.status == 200
    rows = table_rows(reply)
    assert list(rows) == ["Avtal K1"]
    # value, n, target, status, median, kvartil 1, kvartil 3, number compared
    assert rows["Avtal K1"][2] == "12" and rows["Avtal K1"][6:] == ["18", "13", "23,8", "6"]
    text = reply.text
    assert "median 18 · kvartil 13–23,8" in text

    reply = site["cluster_viewer"].callback(router_body(
        "/compare", "?kpi=completed&level=clusters&period=2023"))
    rows = table_rows(reply)
    assert set(rows) == {"Centrum – Avtal K2", "Centrum – Avtal U1"}
    assert rows["Centrum – Avtal K2"][6:] == ["18", "13", "23,8", "6"]
    assert rows["Centrum – Avtal U1"][6:] == ["", "", "", ""]
    assert "Ingen jämförelse för Ungdomsöverenskommelse" in reply.text

    reply = site["admin"].callback(router_body("/compare", "?kpi=completed&period=2023"))
    rows = table_rows(reply)
    assert len(rows) == 9
    assert all(cells[6:] == ["18", "13", "23,8", "6"] for name, cells in rows.items()
               if re.fullmatch(r"Avtal K\d", name))
    # k6's small count itself is shown to whoever may see k6 (the live app shows real
    # figures); it is not in the reference.
    assert rows["Avtal K6"][2] == "3"


def test_the_exported_chart_carries_the_same_reference(many):
    """The PNG/SVG download draws the rows as the page keeps them, small counts hidden
    (privacy.suppress_compare): the reference is the same, in words under each name and
    drawn (a line from kvartil 1 to 3 and a tick at the median) in the text colour, never
    a status colour; none on a youth row."""
    from dashboard.domain.privacy import suppress_compare
    from dashboard.figures.common import FigureText
    from dashboard.figures.compare import compare_figure
    from dashboard.figures.theme import EXPORT, STATUS_COLOURS

    rows, bench = bench_of(many, "completed")
    rows = with_reference(rows, KINDS, references_for(bench, Rights(admin=True), []))
    rows = suppress_compare(rows.astype(object).where(rows.notna(), None), THRESHOLD,
                            share=False)
    fig = compare_figure(rows, unit="count", text=FigureText(title="Fullföljt"),
                         theme=EXPORT).to_dict()
    labels = fig["layout"]["yaxis"]["ticktext"]
    krami = [t for t in labels if "Avtal K" in t]
    unga = [t for t in labels if "Avtal U" in t]
    assert len(krami) == 7 and all("median 18 · kvartil 13–23,8" in t for t in krami)
    assert unga and not any("median" in t for t in unga)
    line, tick = fig["data"][1], fig["data"][2]
    # Seven Krami rows: each a segment 13..23,75 (and a gap), and a tick at 18.
    assert [x for x in line["x"] if x is not None] == [13.0, 23.75] * 7
    assert tick["x"] == [18.0] * 7
    colours = {line["line"]["color"], tick["marker"]["color"]}
    assert colours == {EXPORT.text_colour} and not colours & set(STATUS_COLOURS.values())
