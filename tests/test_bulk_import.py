"""Importing large datasets: streamed, parsed a column at a time, written in bulk.

A mid-size dataset from the national generator (``bench/national.py``, a few agreements)
is imported on SQLite and PostgreSQL with small chunk and batch sizes, so that every
table crosses several blocks, chunks and insert batches. The stored rows must be the
file's rows exactly: each table is compared with the file read by Python's ``csv``
module and converted by hand. Then: the fast path (pandas' C parser) and the csv
module's path read every tricky CSV the same way; a big file with a few bad rows deep
inside is refused naming them and stores nothing; repeated problems are summed up;
undo after a bulk import restores exactly; zip files are read like folders, safely;
the limits are settings.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.national import Shape, generate, write_zip
from dashboard.config import load_settings
from dashboard.data import repository
from dashboard.data.db import data_tables, make_engine
from dashboard.data.ingest import import_dataset, parse_dataset, readers, undo_import
from dashboard.data.ingest.problems import PROBLEMS_PER_KIND
from dashboard.data.ingest.readers import ImportLimits
from dashboard.domain.places import COUNTIES
from tests.builders import base_tables, write_csv_folder, write_workbook
from tests.test_refusals import snapshot

MID = Shape(agreements=8, first="2023-01", last="2024-12")


@pytest.fixture
def small_batches(monkeypatch):
    """Blocks, chunks and insert batches far smaller than a dataset's tables."""
    monkeypatch.setattr(readers, "BLOCK_CHARS", 5_000)
    monkeypatch.setattr(readers, "CHUNK_ROWS", 300)
    monkeypatch.setattr(repository, "_FETCH", 700)
    monkeypatch.setattr(repository, "_IDS_PER_STATEMENT", 500)


@pytest.fixture(scope="module")
def mid_folder(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("mid") / "mid"
    counts = generate(folder, MID)
    return folder, counts


def stored(engine, table: str) -> list[tuple]:
    t = data_tables[table]
    cols = [c for c in t.columns if c.name not in ("id", "import_id")]
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(select(*cols)).fetchall()), key=repr)


def read_by_hand(folder: Path, table: str) -> list[tuple]:
    """The file's rows as the database should hold them, converted without the importer."""
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))

    def opt(v):
        return v if v != "" else None

    def count(v):
        return int(v) if v != "" else None

    def share(v):
        return float(v[:-1].strip()) / 100 if v.endswith("%") else float(v)

    def number(v):  # (value, unit) of a NUMBER column
        if v == "":
            return None, ""
        if v.endswith("%"):
            return round(float(v[:-1].strip().replace(",", ".")) / 100, 12), "%"
        return float(v), ""

    out = []
    for r in rows:
        if table == "occupancy":
            out.append((r["agreement_id"], r["cluster_id"], r["month"], r["gender"],
                        r["target_group"], int(r["participants"]), count(r["started"]),
                        count(r["exited"])))
        elif table == "outcomes":
            out.append((r["agreement_id"], r["cluster_id"], r["month"], r["gender"],
                        r["target_group"], int(r["completed"]), int(r["work"]),
                        int(r["study"]), count(r["other"]), count(r["discontinued"])))
        elif table == "staffing":
            out.append((r["agreement_id"], r["cluster_id"], r["month"], r["party_id"],
                        r["role"], float(r["committed_fte"]), float(r["actual_fte"])))
        elif table == "costs":
            out.append((r["agreement_id"], r["month"], r["cost_category"], r["paid_by"],
                        float(r["amount_sek"]), opt(r["note"])))
        elif table == "cost_shares":
            out.append((r["agreement_id"], r["cost_category"], r["party_id"],
                        share(r["share"])))
        elif table == "indicators":
            out.append((r["agreement_id"], r["cluster_id"], r["period"], r["indicator"],
                        r["gender"], *number(r["value"]), opt(r["source"])))
        elif table == "targets":
            value, unit = number(r["value"])
            if r["kpi"] == "work_study_share" and value is not None:
                unit = "%"
            out.append((r["agreement_id"], r["cluster_id"], r["party_id"], r["kpi"],
                        r["comparator"], value, unit,
                        share(r["tolerance"]) if r["tolerance"] else None,
                        r["valid_from"], opt(r["valid_to"]), opt(r["note"]),
                        ""))  # role (issue 16): blank, all roles
        elif table == "agreements":
            out.append((r["agreement_id"], r["name"], r["valid_from"], r["valid_to"],
                        opt(r["description"]), opt(r["kind"]), opt(r["municipalities"]),
                        None, None))  # meetings_per_year (issue 16), forecast (19): not given
        else:  # parties, clusters
            out.append(tuple(r.values()))
    return sorted(out, key=repr)


# --------------------------------------------------------------------------- exact rows


def test_a_generated_dataset_is_stored_exactly(any_engine, mid_folder, small_batches):
    folder, counts = mid_folder
    assert counts["occupancy"] > 5_000 and sum(counts.values()) > 10_000
    result = import_dataset(any_engine, folder)
    assert result.ok, result.messages("en")[:5]
    assert result.rows == {name: n for name, n in counts.items() if n}
    for table, n in counts.items():
        rows = stored(any_engine, table)
        assert len(rows) == n, table
        assert rows == read_by_hand(folder, table), table
    # A few values computed by hand from the generator's rules.
    shares = {(c, p): s for a, c, p, s in stored(any_engine, "cost_shares")
              if a == "krami-12-004" or a.endswith("-001")}
    assert set(shares.values()) == {0.5, 1.0}  # "0.5", "50 %", "1"
    indicators = [r for r in stored(any_engine, "indicators") if r[3] == "forsorjningsstod"]
    assert all(r[6] == "%" and 0.015 <= r[5] <= 0.06 for r in indicators)  # "2,1 %"
    agreements = stored(any_engine, "agreements")
    assert {a[5] for a in agreements} <= {"krami", "lok", "unga"}
    for a in agreements:
        codes = a[6].split(";")
        assert all(len(c) == 4 and c[:2] in COUNTIES for c in codes)


def test_swedish_csv_and_zip_store_the_same_rows(engine, tmp_path, mid_folder):
    folder, counts = mid_folder
    swedish = tmp_path / "sv"
    assert generate(swedish, MID, swedish=True) == counts
    raw = (swedish / "costs.csv").read_bytes()
    assert b";" in raw and "avgiftsintäkter".encode("cp1252") in raw
    zipped = write_zip(folder, tmp_path / "mid.zip")
    assert write_zip(folder, tmp_path / "again.zip").read_bytes() == zipped.read_bytes()
    assert import_dataset(engine, folder).ok
    expected = {t: stored(engine, t) for t in counts}
    for path in (swedish, zipped):
        other = make_engine(f"sqlite:///{tmp_path / (path.name + '.sqlite')}")
        try:
            repository.ensure_schema(other)
            result = import_dataset(other, path)
            assert result.ok, result.messages("en")[:5]
            assert {t: stored(other, t) for t in counts} == expected, path.name
        finally:
            other.dispose()


def test_the_generator_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    shape = Shape(agreements=2, first="2024-01", last="2024-03")
    assert generate(a, shape) == generate(b, shape)
    for f in sorted(a.iterdir()):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


# --------------------------------------------------------------------------- fast path


CSV_VARIANTS = {
    "plain": "agreement_id,party_id,name\nkrami,AF,Arbetsförmedlingen\nkrami,KV,Kriminalvården\n",
    "blank and whitespace lines": "agreement_id,party_id,name\n\nkrami,AF,A\n   \n,,\n"
                                  "krami,KV,K\n\n",
    "crlf and lone cr": "agreement_id,party_id,name\r\nkrami,AF,A\rkrami,KV,K\r\n",
    "sep line": "sep=;\nagreement_id;party_id;name\nkrami;AF;A\nkrami;KV;K\n",
    "quotes": 'agreement_id,party_id,name\nkrami,AF,"Arbets, förmedlingen"\n'
              'krami,KV,"Kriminal\nvården ""KV"""\n',
    "quote inside a field": 'agreement_id,party_id,name\nkrami,AF,A"B\nkrami,KV,K\n',
    "broken quote": 'agreement_id,party_id,name\nkrami,AF,"A"B\nkrami,KV,K\n',
    "unterminated quote": 'agreement_id,party_id,name\nkrami,AF,A\nkrami,KV,"K\n',
    "too many cells": "agreement_id,party_id,name\nkrami,AF,A,extra\nkrami,KV,K,,\n",
    "too few cells": "agreement_id,party_id,name\nkrami,AF\nkrami,KV,K\n",
    "spaces kept": "agreement_id,party_id,name\n krami , AF ,  A  \nkrami,KV,\u00a0K\n",
    "bom": "\ufeffagreement_id,party_id,name\nkrami,AF,A\nkrami,KV,K\n",
    "no final newline": "agreement_id,party_id,name\nkrami,AF,A\nkrami,KV,K",
    "long field": "agreement_id,party_id,name\nkrami,AF," + "x" * 140_000 + "\n",
    "numbers as text": "agreement_id,party_id,name\n0180,007,1.50\nkrami,KV,1e3\n",
    "tab separated": "agreement_id\tparty_id\tname\nkrami\tAF\tA\nkrami\tKV\tK\n",
}


def parse(path):
    _, parsed, problems = parse_dataset(path)
    frames = {name: t.frame.to_dict("records") for name, t in parsed.items()}
    return frames, sorted(p.message("en") for p in problems)


@pytest.mark.parametrize("text", CSV_VARIANTS.values(), ids=CSV_VARIANTS.keys())
@pytest.mark.parametrize("block", [20, 5_000_000])
def test_the_fast_path_reads_as_the_csv_module_does(tmp_path, monkeypatch, text, block):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "parties.csv").write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(readers, "BLOCK_CHARS", block)
    fast = parse(folder)
    monkeypatch.setattr(readers, "_fast_block", lambda *a: None)
    slow = parse(folder)
    assert fast == slow


def test_workbooks_read_in_small_chunks_give_the_same_tables(tmp_path, monkeypatch):
    tables = base_tables()
    tables["occupancy"][3][5] = "tolv"  # a problem too
    path = write_workbook(tmp_path / "w.xlsx", tables)
    whole = parse(path)
    monkeypatch.setattr(readers, "CHUNK_ROWS", 2)
    assert parse(path) == whole
    assert whole[1] and "tolv" in whole[1][0]


# --------------------------------------------------------------------------- refusals


def test_a_big_file_with_a_few_bad_rows_deep_inside_is_refused_and_stores_nothing(
        any_engine, tmp_path, mid_folder, small_batches):
    folder, counts = mid_folder
    assert import_dataset(any_engine, folder).ok
    before = snapshot(any_engine)
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in folder.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    lines = (bad / "occupancy.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    n = len(lines)
    row_month, row_pnr, row_dup = n - 5, n // 2, n - 1  # 0-based lines, file row = +1
    cells = lines[row_month].split(",")
    cells[2] = "2023-13"
    lines[row_month] = ",".join(cells)
    cells = lines[row_pnr].split(",")
    cells[4] = "Deltagare 811218\u20139876"
    lines[row_pnr] = ",".join(cells)
    lines[row_dup] = lines[row_dup - 8]
    (bad / "occupancy.csv").write_text("".join(lines), encoding="utf-8")
    result = import_dataset(any_engine, bad)
    assert not result.ok
    found = {(p.code, p.row) for p in result.problems}
    assert ("month_not_exist", row_month + 1) in found
    assert ("personal_number", row_pnr + 1) in found
    assert ("duplicate_key", row_dup + 1) in found
    assert not any("9876" in m for m in result.messages("sv"))
    assert snapshot(any_engine) == before


def copy_of(folder: Path, to: Path) -> Path:
    to.mkdir()
    for f in folder.iterdir():
        (to / f.name).write_bytes(f.read_bytes())
    return to


@pytest.mark.parametrize("mistake", ["bad cell in a later file", "broken reference"])
def test_a_refusal_found_after_tables_were_written_stores_nothing(
        any_engine, tmp_path, mid_folder, small_batches, monkeypatch, mistake):
    # occupancy.csv, the biggest file, is parsed and written first; the mistake is found
    # later (a small file, or the rules across tables), and everything is rolled back.
    folder, counts = mid_folder
    assert import_dataset(any_engine, write_workbook(tmp_path / "b.xlsx", base_tables())).ok
    before = snapshot(any_engine)
    bad = copy_of(folder, tmp_path / "bad")
    name = "costs.csv" if mistake == "bad cell in a later file" else "outcomes.csv"
    lines = (bad / name).read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[-1].split(",")
    if name == "costs.csv":
        cells[1] = "2024-13"  # month
    else:
        cells[1] = "k99"  # a cluster that exists nowhere
    lines[-1] = ",".join(cells)
    (bad / name).write_text("".join(lines), encoding="utf-8")
    written = []
    real = repository.replace_rows
    monkeypatch.setattr(repository, "replace_rows",
                        lambda conn, i, table, *a: written.append(table) or real(conn, i, table,
                                                                                 *a))
    result = import_dataset(any_engine, bad)
    assert not result.ok
    assert "occupancy" in written  # it really was written before the mistake was found
    code = "month_not_exist" if name == "costs.csv" else "unknown_cluster"
    assert [(p.code, p.row) for p in result.problems] == [(code, len(lines))]
    assert snapshot(any_engine) == before


def test_an_unexpected_error_half_way_rolls_back_and_leaves_no_thread(
        engine, tmp_path, mid_folder, monkeypatch):
    import threading

    from dashboard.data import ingest

    folder, _ = mid_folder
    threads = threading.active_count()
    real, calls = ingest.parse_table, []

    def failing(table):
        calls.append(table.name)
        if len(calls) == 3:
            raise RuntimeError("a bug")
        return real(table)
    monkeypatch.setattr(ingest, "parse_table", failing)
    result = import_dataset(engine, folder)
    assert [p.code for p in result.problems] == ["internal_error"]
    assert threading.active_count() == threads
    assert snapshot(engine)["imports"] == [] and snapshot(engine)["occupancy"] == []
    monkeypatch.setattr(ingest, "parse_table", real)
    assert import_dataset(engine, folder).ok  # nothing left locked


def test_too_many_rows_is_refused_and_stores_nothing(engine, tmp_path, mid_folder):
    folder, counts = mid_folder
    limits = ImportLimits(max_table_rows=counts["occupancy"] - 1)
    result = import_dataset(engine, folder, limits=limits)
    assert not result.ok
    [p] = result.problems
    assert p.code == "too_many_rows" and p.file == "occupancy.csv"
    assert p.row == counts["occupancy"] + 1  # the last row is one too many
    assert snapshot(engine)["imports"] == []
    assert import_dataset(engine, folder, limits=ImportLimits(
        max_table_rows=counts["occupancy"])).ok


def test_a_mistake_in_every_row_is_listed_a_hundred_times_then_summed_up(engine, tmp_path):
    header = base_tables()["occupancy"][0]
    rows = [["krami", "norr", f"{2000 + i // 12}-{i % 12 + 1:02d}", "K", None, "tolv", 1, 1]
            for i in range(PROBLEMS_PER_KIND + 150)]
    folder = write_csv_folder(tmp_path / "csv", {"occupancy": [header, *rows]})
    result = import_dataset(engine, folder)
    bad = [p for p in result.problems if p.code == "bad_count"]
    assert len(bad) == PROBLEMS_PER_KIND
    [more] = [p for p in result.problems
              if p.code == "more_problems" and p.column == "participants"]
    assert more.row == PROBLEMS_PER_KIND + 2
    assert more.message("sv") == (
        f"occupancy.csv, rad {PROBLEMS_PER_KIND + 2}, kolumn ”participants”: Samma slags "
        "problem finns på ytterligare 150 rader, från och med den här: ”tolv” är inget "
        "heltal. Antal skrivs som hela tal, t.ex. 12.")
    assert "150 more rows" in more.message("en")


# --------------------------------------------------------------------------- undo


def test_importing_again_replaces_every_row_and_undo_restores_exactly(
        any_engine, tmp_path, mid_folder, small_batches):
    folder, counts = mid_folder
    first = import_dataset(any_engine, folder)
    assert first.ok
    before = {n: v for n, v in snapshot(any_engine).items() if n != "imports"}
    again = import_dataset(any_engine, folder)
    assert again.ok
    assert again.replaced == {name: n for name, n in counts.items() if n}
    assert {t: stored(any_engine, t) for t in counts} == {
        t: before_rows(before, t) for t in counts}
    assert undo_import(any_engine, again.import_id).ok
    assert {n: v for n, v in snapshot(any_engine).items() if n != "imports"} == before
    # Replace mode with less data, undone.
    header = base_tables()["occupancy"][0]
    one = write_csv_folder(tmp_path / "one", {"occupancy": [
        header, ["lok-06-001", "k1", "2023-01", "K", "nyanlända", 1, None, None]]})
    replaced = import_dataset(any_engine, one, replace=True)
    assert replaced.ok, replaced.messages("en")
    assert len(stored(any_engine, "occupancy")) < counts["occupancy"]
    assert undo_import(any_engine, replaced.import_id).ok
    assert {n: v for n, v in snapshot(any_engine).items() if n != "imports"} == before


def before_rows(snap: dict, table: str) -> list[tuple]:
    """A snapshot's rows of ``table`` without id and import_id, as :func:`stored` gives."""
    return sorted((row[2:] for row in snap[table]), key=repr)


# --------------------------------------------------------------------------- zip


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [["" if v is None else v for v in r] for r in rows])
    return out.getvalue().encode("utf-8")


def test_a_zip_is_read_like_a_folder_by_base_names(engine, tmp_path):
    tables = base_tables()
    members = {f"data/{name}.csv": csv_bytes(rows) for name, rows in tables.items()}
    members["data\\occupancy.csv"] = members.pop("data/occupancy.csv")  # from Windows
    members["clusters.csv"] = members.pop("data/clusters.csv")  # in the root
    members["__MACOSX/data/._parties.csv"] = b"\x00\x05junk"
    members["data/.hidden.csv"] = b"junk"
    members["data/readme.txt"] = b"not a table"
    members["data/_noter.csv"] = b"x\n1\n"
    result = import_dataset(engine, zip_of(tmp_path / "dataset.zip", members))
    assert result.ok, result.messages("en")
    assert result.source == "dataset.zip"
    assert result.rows == {name: len(rows) - 1 for name, rows in tables.items()}


@pytest.mark.parametrize("name", ["../../occupancy.csv", "data/../../occupancy.csv",
                                  "/etc/occupancy.csv", "C:/temp/occupancy.csv"])
def test_a_zip_member_with_a_path_out_of_the_zip_is_refused(engine, tmp_path, name):
    members = {"agreements.csv": csv_bytes(base_tables()["agreements"]),
               name: csv_bytes(base_tables()["occupancy"])}
    result = import_dataset(engine, zip_of(tmp_path / "trick.zip", members))
    assert [p.code for p in result.problems] == ["zip_unsafe_path"]
    assert "trick.zip" in result.problems[0].message("sv")
    assert not (tmp_path.parent / "occupancy.csv").exists()
    assert snapshot(engine)["imports"] == []


def test_a_zip_with_two_files_for_one_table_or_too_much_inside_is_refused(engine, tmp_path):
    rows = base_tables()["parties"]
    twice = zip_of(tmp_path / "twice.zip", {"a/parties.csv": csv_bytes(rows),
                                            "b/parties.csv": csv_bytes(rows)})
    result = import_dataset(engine, twice)
    [dup] = [p for p in result.problems if p.code == "duplicate_table"]
    assert dup.file == "parties.csv" and "a/parties.csv" not in dup.message("en")
    bomb = zip_of(tmp_path / "bomb.zip", {"parties.csv": csv_bytes(rows) + b"\n" * 5_000_000})
    assert bomb.stat().st_size < 50_000
    result = import_dataset(engine, bomb, max_bytes=1_000_000)
    assert [p.code for p in result.problems] == ["too_large"]
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    assert [p.code for p in import_dataset(engine, broken).problems] == ["bad_zip"]
    assert snapshot(engine)["imports"] == []


# --------------------------------------------------------------------------- settings


def test_the_limits_are_settings(engine, tmp_path, monkeypatch):
    settings = load_settings(environ={"MAX_IMPORT_MB": "300", "MAX_TABLE_ROWS": "2 000 000",
                                      "MAX_WORKBOOK_CELLS": "8_000_000"})
    assert settings.import_limits == ImportLimits(300_000_000, 2_000_000, 8_000_000)
    defaults = load_settings(environ={}).import_limits
    assert defaults == ImportLimits()
    assert defaults.max_table_rows >= 2_000_000 and defaults.max_bytes >= 150_000_000
    monkeypatch.setenv("MAX_TABLE_ROWS", "5")
    path = write_workbook(tmp_path / "b.xlsx", base_tables())
    result = import_dataset(engine, path)
    assert {(p.code, p.sheet) for p in result.problems} == {
        ("too_many_rows", "occupancy"), ("too_many_rows", "staffing"),
        ("too_many_rows", "outcomes")}  # the tables of more than 5 rows
    assert "more than 5 rows" in result.problems[0].message("en")
    monkeypatch.setenv("MAX_WORKBOOK_CELLS", "20")
    monkeypatch.delenv("MAX_TABLE_ROWS")
    # counted before the workbook is read (issue 17): its cells and texts, what was found
    [p] = import_dataset(engine, path).problems
    assert p.code == "too_many_workbook_cells" and "more than 20 (the limit " \
        "MAX_WORKBOOK_CELLS)" in p.message("en")


def test_an_in_memory_database_gets_the_rows_too(tmp_path, mid_folder):
    # Its pool gives each thread its own (empty) database: the writing stays in the
    # caller's thread.
    folder, counts = mid_folder
    engine = make_engine("sqlite://")
    try:
        repository.ensure_schema(engine)
        result = import_dataset(engine, folder)
        assert result.ok, result.messages("en")[:3]
        assert len(stored(engine, "occupancy")) == counts["occupancy"]
        assert undo_import(engine, result.import_id).ok
        assert stored(engine, "occupancy") == []
    finally:
        engine.dispose()
