"""The demo workbooks in data/demo: deterministic, importable, honest about being synthetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from dashboard.data import demo
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_FILES = sorted(demo.DEMOS)


def _cells(path: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """All four demo workbooks imported into one fresh SQLite database."""
    folder = tmp_path_factory.mktemp("demo-db")
    engine = make_engine(f"sqlite:///{folder / 'demo.sqlite'}")
    results = {name: import_dataset(engine, DEMO_DIR / name) for name in DEMO_FILES}
    yield engine, results
    engine.dispose()


def test_committed_files_are_the_generated_ones():
    assert sorted(p.name for p in DEMO_DIR.glob("*.xlsx")) == DEMO_FILES


def test_regenerating_gives_the_same_cells(tmp_path):
    written = demo.generate(tmp_path)
    assert sorted(p.name for p in written) == DEMO_FILES
    for name in DEMO_FILES:
        assert _cells(tmp_path / name) == _cells(DEMO_DIR / name), name


@pytest.mark.parametrize("name", DEMO_FILES)
def test_each_workbook_imports_into_a_fresh_database(tmp_path, name):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    try:
        result = import_dataset(engine, DEMO_DIR / name)
    finally:
        engine.dispose()
    assert result.ok, result.messages("en")
    assert result.rows["agreements"] == 1


@pytest.mark.parametrize("name", DEMO_FILES)
def test_workbook_says_it_is_synthetic(name):
    cells = _cells(DEMO_DIR / name)
    assert list(cells)[0] == demo.ABOUT_SHEET
    about = " ".join(str(row[0]) for row in cells[demo.ABOUT_SHEET])
    assert "SYNTETISKA DEMODATA" in about
    assert "seeds/" in about
    for row in cells.get("indicators", [])[1:]:
        assert row[-1].endswith(" (syntetiska demodata)")


def test_all_four_import_into_one_database(imported):
    engine, results = imported
    for name, result in results.items():
        assert result.ok, (name, result.messages("en"))
    ids = set(repository.list_agreements(engine)["agreement_id"])
    assert ids == {"krami-sthlm-2023", "sthlm-af-2023", "jarfalla-af-2023", "grums-unga-2016"}


def test_every_description_is_marked_synthetic(imported):
    engine, _ = imported
    for agreement_id in repository.list_agreements(engine)["agreement_id"]:
        data = repository.load_agreement(engine, agreement_id)
        assert data.agreement["description"].startswith("SYNTETISKA DEMODATA: ")


def test_one_cluster_misses_may_2023(imported):
    engine, _ = imported
    data = repository.load_agreement(engine, "sthlm-af-2023")
    for table in (data.occupancy, data.outcomes):
        may = table[table["month"] == "2023-05"]
        assert "soderort-roda" not in set(may["cluster_id"])
        assert set(may["cluster_id"]) == {"jarva", "vallingby-city", "soderort-grona",
                                          "nyanlanda"}
        roda = table[table["cluster_id"] == "soderort-roda"]
        assert {"2023-04", "2023-06"} <= set(roda["month"])
