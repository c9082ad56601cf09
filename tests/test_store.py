"""The figure store: monthly sums kept in the database at every import and undo give the
same key figures as the rows they were computed from (issue "A national portfolio in a
blink", item 1), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from dashboard.data import repository
from dashboard.web.app import load_demo
from dashboard.config import load_settings
from dashboard.data.ingest import import_dataset, undo_import
from dashboard.domain.kpis import compute_kpis
from dashboard.domain.periods import Period
from dashboard.model.view import period_options
from tests.builders import base_tables, write_workbook


@pytest.fixture
def db_url(any_db_url):
    return any_db_url


def figures(data, period: Period) -> list[tuple]:
    return [(v.cluster_id, v.party_id, v.kpi, v.value, v.value_period, v.target,
             v.comparator, v.status, v.previous, v.n, v.at_month)
            for v in compute_kpis(data, period)]


def every_figure(engine, agreement: str, period: Period, from_rows: bool) -> list[tuple]:
    window = (period.year_earlier().start, period.end)
    data = repository.load_agreement(engine, agreement, window)
    if from_rows:
        data.sums = None  # computed again from the rows read
    return figures(data, period)


def assert_kept_sums_give_the_rows_figures(engine, per_kind: int = 3) -> int:
    """For every agreement and every kind of period its picker offers (years, halves,
    quarters, months, year to date, spans of years; the first ``per_kind`` of each): the
    same figures, every scope and party."""
    checked = 0
    for agreement in repository.list_agreements(engine)["agreement_id"]:
        kept = repository.load_agreement(engine, agreement)  # every month, sums as kept
        rows = repository.load_agreement(engine, agreement)
        rows.sums = None
        span = repository.month_span(engine, agreement)
        periods = period_options(span, repository.indicator_periods(engine, agreement), "sv")
        taken: dict[str, int] = {}
        for text, _label in periods:
            period = Period.parse(text)
            taken[period.kind] = taken.get(period.kind, 0) + 1
            if taken[period.kind] > per_kind:
                continue
            from_kept = figures(kept, period)
            assert from_kept == figures(rows, period), (agreement, text)
            checked += len(from_kept)
    return checked


def test_the_demo_figures_from_kept_sums_equal_those_from_rows(engine, db_url):
    load_demo(engine, load_settings({"database_url": db_url}))
    assert assert_kept_sums_give_the_rows_figures(engine) > 3_000


def test_kept_sums_follow_an_import_and_an_undo(engine, tmp_path):
    tables = base_tables()
    first = import_dataset(engine, write_workbook(tmp_path / "a.xlsx", tables))
    assert first.ok
    before = every_figure(engine, "krami", Period.parse("2023-Q1"), from_rows=False)
    # A second import changes January and adds April; the kept sums follow.
    tables2 = {"occupancy": [tables["occupancy"][0],
                             ["krami", "norr", "2023-01", "K", None, 20, 2, 1],
                             ["krami", "soder", "2023-04", None, None, 50, 5, 5]],
               "staffing": [tables["staffing"][0],
                            ["krami", "norr", "2023-02", "KV", "vägledare", 1, 0.5]]}
    second = import_dataset(engine, write_workbook(tmp_path / "b.xlsx", tables2))
    assert second.ok, second.messages("en")
    assert_kept_sums_give_the_rows_figures(engine)
    after = {f[:3]: f for f in every_figure(engine, "krami", Period.parse("2023-Q1"), False)}
    # January: norr K 20 (was 10) + M 30 + soder 35 = 85; February 45; March 82.
    assert after[(None, None, "occupancy")][3] == pytest.approx((85 + 45 + 82) / 3)
    # The undo brings the kept sums back to what they were.
    assert undo_import(engine, second.import_id).ok
    assert_kept_sums_give_the_rows_figures(engine)
    assert every_figure(engine, "krami", Period.parse("2023-Q1"), from_rows=False) == before


def test_a_replace_import_leaves_no_sums_of_removed_rows(engine, tmp_path):
    tables = base_tables()
    assert import_dataset(engine, write_workbook(tmp_path / "a.xlsx", tables)).ok
    only = {"occupancy": [tables["occupancy"][0],
                          ["krami", "norr", "2023-03", None, None, 7, None, None]]}
    assert import_dataset(engine, write_workbook(tmp_path / "b.xlsx", only),
                          replace=True).ok
    with repository.read_transaction(engine) as conn:
        sums = repository.load_sums(conn, ["krami"])
    assert sorted(sums.occupancy["month"].unique()) == ["2023-03"]
    assert set(sums.occupancy["scope"]) == {"", "norr"}
    assert list(sums.occupancy["participants"]) == [7, 7]
    assert_kept_sums_give_the_rows_figures(engine)
