"""The national portfolio's totals per county (län) and per kind: summed from counts (a
share is its summed numerator over its summed denominator), filtered like the rows, kept
as cells per data version; the rows' worst-first order; and the totals' CSV with small
counts hidden (contract section 5).

Expectations are computed by hand: from small inline agreements, and from the demo
workbooks (data/demo) with the contract's definitions (section 3).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from dashboard.config import load_settings
from dashboard.data import repository
from dashboard.domain.privacy import recomputable
from dashboard.model.portfolio import (
    SEVERAL,
    county_group,
    group_totals,
    statuses,
    suppress_totals,
    total_cells,
    worst_first,
)
from dashboard.web.app import load_demo
from dashboard.web.components.totals import totals_csv, totals_table

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


def item(kind, municipalities, *, red=0, amber=0, green=0, grey=0, period="2023", **counts):
    return {"kind": kind, "municipalities": municipalities, "period": period, "red": red,
            "amber": amber, "green": green, "grey": grey, "counts": counts}


# Three agreements: A in Stockholm county (01), B in Stockholm and Skåne (several), C in
# Värmland (17), D in Stockholm county again, of another kind.
ITEMS = [
    item("lok", "0180", red=1, green=2, occupancy=10.5, started=7, completed=20, work=5,
         study=3, fte_actual=2.5, fte_committed=3.0),
    item("lok", "0123;1280", amber=1, completed=4, work=1, study=0, occupancy=4.0,
         started=2),
    item("unga", "1764;1761", green=3, period="2018", completed=50, work=25, study=4,
         occupancy=22.9, started=54, fte_actual=2.0, fte_committed=2.0),
    item("krami", "0184", red=2, amber=1, grey=1, completed=100, work=40, study=0,
         occupancy=80.0, started=30, fte_actual=5.8, fte_committed=6.0),
]


def test_county_groups_each_agreement_once():
    assert county_group("0180") == "01"
    assert county_group("0180;0123") == "01"  # two municipalities of one county
    assert county_group("0123;1280") == SEVERAL
    assert county_group("") == county_group(None) == ""


def test_totals_per_county_by_hand():
    groups, total = group_totals(total_cells(ITEMS), "county")
    by = {g["key"]: g for g in groups}
    # SCB code order, several counties last.
    assert [g["key"] for g in groups] == ["01", "17", SEVERAL]
    stockholm = by["01"]  # A and D
    assert stockholm["agreements"] == 2
    assert (stockholm["red"], stockholm["amber"], stockholm["green"], stockholm["grey"]) == \
        (3, 1, 2, 1)
    assert stockholm["occupancy"] == pytest.approx(10.5 + 80.0)
    assert stockholm["started"] == 37 and stockholm["completed"] == 120
    # The share from the summed counts: (5 + 3 + 40 + 0) / (20 + 100) = 0.4, not the mean
    # of the agreements' shares ((8/20 + 40/100) / 2 = 0.4 here by chance: see below).
    assert stockholm["work_study_share"] == pytest.approx(48 / 120)
    assert stockholm["fte_fulfilment"] == pytest.approx((2.5 + 5.8) / (3.0 + 6.0))
    assert by[SEVERAL]["work_study_share"] == pytest.approx(1 / 4)
    assert by[SEVERAL]["fte_fulfilment"] is None  # B reports no staffing
    # The total: every agreement once; the groups add up to it.
    assert total["agreements"] == 4
    assert total["completed"] == 20 + 4 + 50 + 100
    assert total["work_study_share"] == pytest.approx((8 + 1 + 29 + 40) / 174)
    for col in ("agreements", "red", "amber", "green", "grey", "started", "completed",
                "work_study"):
        assert sum(g[col] for g in groups) == total[col]
    assert total["periods"] == ["2018", "2023"]


def test_a_share_is_never_a_mean_of_shares():
    groups, total = group_totals(total_cells(ITEMS), "kind")
    lok = next(g for g in groups if g["key"] == "lok")  # A (8 of 20) and B (1 of 4)
    assert lok["work_study_share"] == pytest.approx(9 / 24)
    assert lok["work_study_share"] != pytest.approx((8 / 20 + 1 / 4) / 2)
    assert [g["key"] for g in groups] == ["krami", "lok", "unga"]
    assert lok["occupancy"] == pytest.approx(14.5)


def test_filters_by_county_kind_and_status():
    cells = total_cells(ITEMS)
    # Skåne (12): B, whose municipalities include Malmö, though it counts under several.
    groups, total = group_totals(cells, "county", counties=["12"])
    assert [g["key"] for g in groups] == [SEVERAL] and total["agreements"] == 1
    # Stockholm county: A, B and D (B covers Järfälla).
    _, total = group_totals(cells, "county", counties=["01"])
    assert total["agreements"] == 3 and total["completed"] == 124
    groups, total = group_totals(cells, "kind", kinds=["lok", "unga"], counties=["17"])
    assert [g["key"] for g in groups] == ["unga"] and total["completed"] == 50
    # With a target not met: A and D.
    _, total = group_totals(cells, "county", status="red")
    assert total["agreements"] == 2 and total["completed"] == 120
    _, total = group_totals(cells, "county", status="amber")
    assert total["agreements"] == 2  # B and D
    _, total = group_totals(cells, "county", kinds=["nothing"])
    assert total["agreements"] == 0 and total["work_study_share"] is None


def test_the_kept_cells_do_not_grow_with_the_agreements():
    many = [dict(ITEMS[0]) for _ in range(500)] + [dict(ITEMS[2]) for _ in range(500)]
    cells = total_cells(many)
    assert len(cells) == 2
    _, total = group_totals(cells, "county")
    assert total["agreements"] == 1000 and total["completed"] == 500 * 20 + 500 * 50


def test_rows_worst_first():
    rows = [{"worst": 2, "red": 0, "amber": 0, "name": "B"},
            {"worst": 0, "red": 1, "amber": 3, "name": "C"},
            {"worst": 0, "red": 2, "amber": 0, "name": "D"},
            {"worst": 1, "red": 0, "amber": 2, "name": "A"},
            {"worst": 4, "red": 0, "amber": 0, "name": "E"}]
    assert [r["name"] for r in sorted(rows, key=worst_first)] == ["D", "C", "A", "B", "E"]


# --------------------------------------------------------------------------- exports


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_totals_csv_hides_small_counts_and_what_gives_them_away():
    items = [item("lok", "0180", completed=40, work=20, study=5, occupancy=30, started=3),
             item("lok", "1280", completed=3, work=1, study=0, occupancy=12, started=20),
             item("lok", "1764", completed=30, work=10, study=2, occupancy=25, started=15)]
    groups, total = group_totals(total_cells(items), "county")
    hidden = suppress_totals(groups, total, 5)
    # Stockholm's started (3) and Skåne's completed (3), work or study (1): small.
    assert {("01", "started"), ("12", "completed"), ("12", "work_study")} <= hidden
    # Nothing hidden can be worked out from the total row and the other groups.
    values = {(g["key"], c): g[c] for g in groups for c in
              ("occupancy", "started", "completed", "work_study")}
    values.update({("*total*", c): total[c] for c in
                   ("occupancy", "started", "completed", "work_study")})
    relations = [(("*total*", c), [(g["key"], c) for g in groups])
                 for c in ("occupancy", "started", "completed", "work_study")]
    people = {h for h in hidden if h[1] != "work_study_share"}
    assert recomputable(values, people, relations) == set()
    # The share of a group with a small count is hidden too.
    assert ("12", "work_study_share") in hidden
    rows = read_csv(totals_csv(groups, total, "county", "sv", 5))
    head, body = rows[0], rows[1:4]
    assert head[0] == "Län" and head[2] == "Mål ✖ Ej uppnått"
    started, completed = head.index("Påbörjade"), head.index("Fullföljt")
    stockholm, skane, varmland = body
    assert stockholm[0] == "Stockholms län" and stockholm[started] == "<5"
    assert skane[completed] == "<5"
    # Another started is hidden with Stockholm's, so that the total cannot give it away.
    assert "dolt" in (skane[started], varmland[started])
    total_row = rows[4]
    assert total_row[0] == "Totalt" and total_row[started] == "38"
    # The shown share of Stockholm: 25 of 40 = 62.5 %, with its n.
    share = head.index("Andel i arbete eller studier %")
    assert stockholm[share] == "62,5" and stockholm[share + 1] == "40"
    assert skane[share] == "dolt" and skane[share + 1] == "dolt"
    assert "<5 = 1–4 personer" in rows[-2][0]
    english = list(csv.reader(io.StringIO(totals_csv(groups, total, "county", "en", 5))))
    assert english[0][0] == "County" and english[4][0] == "Total"


def test_the_totals_table_shows_words_and_n():
    groups, total = group_totals(total_cells(ITEMS), "county")
    table = totals_table(groups, total, "county", "sv").children[0]
    caption, head, body = table.children
    assert caption.children == "Summor per län"
    rows = body.children
    assert [r.children[0].children for r in rows] == ["Stockholms län", "Värmlands län",
                                                      "Flera län", "Totalt"]
    share = rows[0].children[9].children
    assert share == "40\u00a0% (n = 120)"


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dashboard.data.db import make_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('totals') / 'demo.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    assert all(r.ok for r in load_demo(engine, load_settings({"database_url": url})))
    yield engine
    engine.dispose()


def sheet(workbook: str, name: str) -> pd.DataFrame:
    return pd.read_excel(DEMO / workbook, sheet_name=name, dtype={"month": str})


def test_the_demo_totals_per_county_by_hand_for_2023(demo):
    """2023 for all: Stockholm county holds Krami, Stockholm and Järfälla; Värmland
    (Grums, Hammarö, Karlstad) only Grums, which has no data in 2023."""
    found = statuses(repository.load_many(demo, ("2022-01", "2023-12")), "2023")
    cells = total_cells([{"kind": s.kind, "municipalities": s.municipalities,
                          "period": s.period.text, "counts": s.counts,
                          **{k: sum(v.status == k for v in s.targets)
                             for k in ("red", "amber", "green", "grey")}} for s in found])
    groups, total = group_totals(cells, "county")
    by = {g["key"]: g for g in groups}
    assert set(by) == {"01", "17"} and by["01"]["agreements"] == 3
    # By hand from the workbooks' outcomes of 2023 (Krami and Stockholm; Järfälla has
    # none): completed, and work + study.
    completed = work_study = 0
    for book in ("krami-stockholm-2023.xlsx", "stockholm-af-2023.xlsx"):
        out = sheet(book, "outcomes")
        out = out[out["month"].str.startswith("2023")]
        completed += out["completed"].sum()
        work_study += out["work"].sum() + out["study"].sum()
    assert by["01"]["completed"] == completed
    assert by["01"]["work_study_share"] == pytest.approx(work_study / completed)
    # Occupancy: the sum of each agreement's mean over its months with data.
    occupancy = 0.0
    for book in ("krami-stockholm-2023.xlsx", "stockholm-af-2023.xlsx"):
        occ = sheet(book, "occupancy")
        occ = occ[occ["month"].str.startswith("2023")]
        occupancy += occ.groupby("month")["participants"].sum().mean()
    assert by["01"]["occupancy"] == pytest.approx(occupancy)
    assert by["17"]["completed"] == 0 and by["17"]["work_study_share"] is None
    assert total["completed"] == completed
