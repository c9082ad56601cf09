"""Small counts in exported breakdowns: shown as "<5", and never recomputable."""

from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.domain.privacy import (
    complete,
    outcome_relations,
    recomputable,
    suppress_monthly,
    suppress_outcomes,
)
from dashboard.model.series import TOTAL


def test_primary_and_complementary_suppression_in_a_month():
    monthly = pd.DataFrame({"month": ["2023-01"] * 2 + ["2023-02"] * 2,
                            "group": ["K", "M"] * 2, "participants": [3, 40, 12, 30]})
    out = suppress_monthly(monthly, 5)
    # January: K=3 is small; with the month total published, M would give it away: hidden.
    assert list(out["hidden"]) == [True, True, False, False]
    assert list(out["small"]) == [True, False, False, False]
    assert out["participants"].tolist() == [None, None, 12, 30]


def test_zero_is_not_small_but_protects_like_any_other_count():
    monthly = pd.DataFrame({"month": ["2023-01"] * 3, "group": ["a", "b", "c"],
                            "participants": [2, 0, 50]})
    out = suppress_monthly(monthly, 5)
    # 2 is hidden; the smallest other count (0) is hidden with it, 50 stays.
    assert out["hidden"].tolist() == [True, True, False]
    assert out["small"].tolist() == [True, False, False]


def test_threshold_is_configurable():
    monthly = pd.DataFrame({"month": ["2023-01"] * 2, "group": ["K", "M"],
                            "participants": [6, 40]})
    assert not suppress_monthly(monthly, 5)["hidden"].any()
    assert suppress_monthly(monthly, 10)["hidden"].tolist() == [True, True]


def outcome_groups(rows):
    cols = ["group", "completed", "work", "study", "other", "discontinued"]
    frame = pd.DataFrame(rows, columns=cols)
    total = frame.drop(columns="group").sum()
    frame = pd.concat([pd.DataFrame([{"group": TOTAL, **total.to_dict()}]), frame],
                      ignore_index=True)
    frame["share"] = (frame["work"] + frame["study"]) / frame["completed"]
    return frame


def test_shares_stay_shown_when_counts_can_be_hidden_instead():
    # K: 3 to work is small. Its share 12/20 (both at least 5) stays shown; instead its
    # studies are hidden too (12 - studies would give work), and in M work and studies
    # (the column totals would give K's): the rectangle K/M x work/study.
    groups = outcome_groups([["K", 20, 3, 9, 8, 6], ["M", 60, 20, 10, 30, 9]])
    out = suppress_outcomes(groups, 5)
    k, m = out.iloc[1], out.iloc[2]
    assert k["hidden"] == ("work", "study") and m["hidden"] == ("work", "study")
    assert (k["share"], m["share"]) == (12 / 20, 30 / 60)
    assert (k["other"], k["completed"], m["other"]) == (8, 20, 30)
    # The total row is published unchanged.
    assert out.iloc[0]["work"] == 23 and out.iloc[0]["share"] == (23 + 19) / 80


def test_the_contracts_example_women_5_of_18_and_men_36_of_85_are_both_shown():
    # Contract section 5: women 5 of 18 and men 36 of 85 in work or study are both shown
    # as shares, even though women's studies alone (2) is hidden in the chart of counts.
    groups = outcome_groups([["K", 18, 3, 2, 13, 6], ["M", 85, 28, 8, 49, 30]])
    out = suppress_outcomes(groups, 5)
    k, m = out.iloc[1], out.iloc[2]
    assert k["share"] == 5 / 18 and m["share"] == 36 / 85
    assert "study" in k["small"] and k["study"] is None
    assert "share" not in k["hidden"] and "share" not in m["hidden"]
    values, relations = outcome_relations(groups)
    assert recomputable(values, hidden_cells(out), relations) == set()


def hidden_cells(out):
    hidden = set()
    for i, cols in zip(out.index, out["hidden"], strict=True):
        hidden |= {(i, c) for c in cols if c != "share"}
        if "share" in cols:
            hidden.add((i, "ws"))
    return hidden


def test_a_group_with_few_completers_hides_its_n_and_share():
    groups = outcome_groups([["K", 4, 1, 1, 2, 0], ["M", 40, 10, 10, 20, 5]])
    out = suppress_outcomes(groups, 5)
    assert out.iloc[1]["completed"] is None and "completed" in out.iloc[1]["small"]
    assert out.iloc[1]["share"] is None
    assert out.iloc[2]["completed"] is None  # or 44 - M would give K's 4


def _relations_monthly(frame):
    values = {(m, g): v for m, g, v in zip(frame["month"], frame["group"],
                                           frame["participants"], strict=True)}
    return values, [(None, [c for c in values if c[0] == m]) for m in frame["month"].unique()]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=4), min_size=1, max_size=4))
def test_no_hidden_month_count_can_be_worked_out(months):
    rows = [(f"2023-{i + 1:02d}", f"g{j}", v) for i, counts in enumerate(months)
            for j, v in enumerate(counts)]
    frame = pd.DataFrame(rows, columns=["month", "group", "participants"])
    out = suppress_monthly(frame, 5)
    values, relations = _relations_monthly(frame)
    hidden = {(m, g) for m, g, h in zip(out["month"], out["group"], out["hidden"],
                                        strict=True) if h}
    # Every count from 1 to 4 is hidden ...
    assert all(c in hidden for c, v in values.items() if 0 < v < 5)
    # ... and no hidden count follows from the published totals and shown counts.
    assert recomputable(values, hidden, relations) == set()


def test_brute_force_every_hidden_count_has_more_than_one_possible_value():
    # A reader who knows the month totals and the shown counts tries every value 0..50.
    frame = pd.DataFrame({"month": ["2023-01"] * 3 + ["2023-02"] * 3,
                          "group": ["a", "b", "c"] * 2,
                          "participants": [1, 7, 30, 4, 4, 25]})
    out = suppress_monthly(frame, 5)
    totals = frame.groupby("month")["participants"].sum()
    for month, rows in out.groupby("month"):
        hidden = rows[rows["hidden"]]
        if hidden.empty:
            continue
        known = rows.loc[~rows["hidden"], "participants"].sum()
        rest = totals[month] - known
        candidates = [c for c in itertools.product(range(51), repeat=len(hidden))
                      if sum(c) == rest]
        for i in range(len(hidden)):
            assert len({c[i] for c in candidates}) > 1


def test_complete_counts_a_hidden_total_as_an_unknown():
    values = {"a": 1, "b": 10, "t": 11}
    # "a" and the total hidden: two unknowns in the sum, nothing to add.
    assert complete(values, {"a", "t"}, [("t", ["a", "b"])]) == {"a", "t"}
    assert complete(values, {"a"}, [("t", ["a", "b"])]) == {"a", "b"}
    # A hidden total whose parts are all shown would follow from them: hide a part.
    assert complete(values, {"t"}, [("t", ["a", "b"])]) == {"t", "a"}


@st.composite
def outcome_rows(draw):
    rows = []
    for g in draw(st.lists(st.sampled_from(["K", "M", "X"]), min_size=2, max_size=3,
                           unique=True)):
        work, study, other = (draw(st.integers(0, 12)) for _ in range(3))
        extra = draw(st.integers(0, 3))
        rows.append([g, work + study + other + extra, work, study, other,
                     draw(st.integers(0, 12))])
    return rows


# 60 random tables a run (each run draws others): suppress_outcomes' search takes about
# 0.3 s a table (dashboard/domain/privacy.py, complete()).
@settings(max_examples=60, deadline=None)
@given(outcome_rows())
def test_no_hidden_outcome_count_can_be_worked_out_even_through_shares(rows):
    groups = outcome_groups(rows)
    out = suppress_outcomes(groups, 5)
    values, relations = outcome_relations(groups)
    hidden = hidden_cells(out)
    for i in out.index[1:]:
        for col in ("completed", "work", "study", "other", "unknown", "discontinued"):
            if 0 < values[(i, col)] < 5:
                assert (i, col) in hidden
        # A shown share always comes with a shown n (else n could be read off), and its
        # numerator and n are each 0 or at least 5.
        if "share" not in out.at[i, "hidden"]:
            assert "completed" not in out.at[i, "hidden"]
            assert not 0 < values[(i, "ws")] < 5 and not 0 < values[(i, "completed")] < 5
    assert recomputable(values, hidden, relations) == set()
