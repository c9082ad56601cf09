"""Many agreements at once: the portfolio's statuses and the comparison equal what each
agreement's own view says, computed from the kept monthly sums (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.data import repository
from dashboard.web.app import load_demo
from dashboard.config import load_settings
from dashboard.domain.periods import Period
from dashboard.model.portfolio import compare, statuses
from dashboard.domain.privacy import recomputable, suppress_compare
from dashboard.model.series import missing_month_count
from dashboard.model.view import build_view


@pytest.fixture
def db_url(any_db_url):
    return any_db_url


@pytest.fixture
def demo(engine, db_url):
    load_demo(engine, load_settings({"database_url": db_url}))
    return engine


def targets_of(values) -> list[tuple]:
    return sorted((v.kpi, v.party_id or "", v.value, v.status, v.target, v.comparator)
                  for v in values)


@pytest.mark.parametrize("period", [None, "2023", "2023-Q2", "2017", "2020"])
def test_each_agreements_statuses_equal_its_own_view(demo, period):
    window = None if period is None else \
        (Period.parse(period).year_earlier().start, Period.parse(period).end)
    found = statuses(repository.load_many(demo, window), period)
    assert [s.agreement_id for s in found] == \
        list(repository.list_agreements(demo)["agreement_id"])
    for s in found:
        view = build_view(demo, s.agreement_id, period, with_clusters=False)
        assert s.period.text == view.period.text
        if view.has_data:
            assert targets_of(s.targets) == targets_of(view.targets()), s.agreement_id
        assert s.has_data == view.has_data
        assert s.missing_months == missing_month_count(view.notes), s.agreement_id
    by_id = {s.agreement_id: s for s in found}
    if period is None:
        # Each at its own latest period: Grums 2016–2018 at 2018, Järfälla's last quarter.
        assert by_id["grums-unga-2016"].period.text == "2018"
        assert by_id["jarfalla-af-2023"].period.text == "2023-Q4"
        # Stockholm misses one cluster month in 2023 (May, Söderort – Röda linjen).
        assert by_id["sthlm-af-2023"].missing_months == 1
    if period == "2020":
        assert not any(s.has_data for s in found)


def test_comparison_of_the_share_by_gender(demo):
    period = Period.parse("2023")
    with repository.read_transaction(demo) as conn:
        genders = {g: repository.load_sums(conn, None, (period.year_earlier().start,
                                                        period.end), gender=g,
                                           whole_only=True) for g in ("K", "M")}
    rows = compare(repository.load_many(demo, ("2022-01", "2023-12")), period,
                   "work_study_share", by_gender=genders)
    krami = rows[rows["agreement_id"] == "krami-sthlm-2023"].set_index("group")
    # Contract section 5's example: women 5 of 18, men 36 of 85; together 41 of 103.
    assert krami.loc["", "value"] == pytest.approx(41 / 103) and krami.loc["", "n"] == 103
    assert krami.loc["K", "value"] == pytest.approx(5 / 18) and krami.loc["K", "n"] == 18
    assert krami.loc["M", "value"] == pytest.approx(36 / 85) and krami.loc["M", "n"] == 85
    assert krami.loc["", "target"] == pytest.approx(0.6) and krami.loc["", "status"] == "red"
    assert krami.loc["K", "status"] == "grey"  # no target applies to one gender
    # Best first: the agreements are ranked by their total value, genders under each.
    totals = rows[rows["group"] == ""]
    assert list(totals["value"]) == sorted(totals["value"], reverse=True)
    assert list(rows["group"][:3]) == ["", "K", "M"]


def test_comparison_of_clusters(demo):
    rows = compare(repository.load_many(demo, ("2022-01", "2023-12")), Period.parse("2023"),
                   "occupancy", clusters=True)
    names = set(rows["name"])
    assert "Järva – Stockholms stad – Arbetsförmedlingen 2023" in names
    view = build_view(demo, "sthlm-af-2023", "2023", "jarva")
    jarva = rows[(rows["agreement_id"] == "sthlm-af-2023") & (rows["scope"] == "jarva")]
    assert jarva["value"].iloc[0] == pytest.approx(view.value("occupancy").value)


def test_exported_comparison_hides_small_gender_counts_and_what_gives_them_away():
    rows = pd.DataFrame([
        {"agreement_id": "a", "scope": "", "group": "", "value": 8 / 20, "n": 20},
        {"agreement_id": "a", "scope": "", "group": "K", "value": 1 / 3, "n": 3},
        {"agreement_id": "a", "scope": "", "group": "M", "value": 7 / 17, "n": 17},
        {"agreement_id": "b", "scope": "", "group": "", "value": 41 / 103, "n": 103},
        {"agreement_id": "b", "scope": "", "group": "K", "value": 5 / 18, "n": 18},
        {"agreement_id": "b", "scope": "", "group": "M", "value": 36 / 85, "n": 85},
    ])
    out = suppress_compare(rows, 5, share=True)
    # a: women 1 of 3 is small; men would give it away (20 − 17): both hidden.
    assert list(out["hidden"]) == [False, True, True, False, False, False]
    assert out.loc[1, "value"] is None and out.loc[1, "n"] is None and out.loc[1, "small"]
    # b: women 5 of 18 and men 36 of 85 stay shown (contract section 5).
    assert out.loc[4, "value"] == pytest.approx(5 / 18)
    # Nothing hidden follows from what is shown.
    values = {(i, m): v for i, r in rows.iterrows() for m, v in
              (("n", r["n"]), ("ws", round(r["value"] * r["n"])))}
    relations = [((0, m), [(1, m), (2, m)]) for m in ("n", "ws")] + \
        [((3, m), [(4, m), (5, m)]) for m in ("n", "ws")]
    hidden = {(i, m) for i in out.index[out["hidden"]] for m in ("n", "ws")}
    assert recomputable(values, hidden, relations) == set()
