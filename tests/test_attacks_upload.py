"""Issue 17, attack 2: spreadsheet bombs on the upload's preview and on ``import``.

Measured before: a 244 kB workbook whose shared texts unpack to 100 MB, and a small
workbook of 1 000 000 rows, each held a server worker for about 61 s while it grew to
about 1 GB, until gunicorn killed it; the steward got a bare "Internal Server Error".

The bombs are built here, as an attacker would build them: a zip written with ``zipfile``
(a repeated text, packed small) and a sheet of a million rows written compactly. Each is
refused before anything is unpacked or handed to openpyxl, with the import's usual message
naming the file, the sheet or part, the limit (its setting) and what was found; nothing is
stored, the upload is deleted, and the server answers as before. What the limits do not
foresee is kept by the process the check runs in (memory and time capped), shown here with
limits set low.

In-process (the fast tier): the checks on the ingest functions. Over real HTTP: gunicorn
(one worker, so that a worker lost would show) on SQLite and on PostgreSQL, started once per
database for the module, a steward uploading each bomb as the page does.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from dashboard.config import DATA_DIR, ImportLimits, load_settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import capped, import_dataset
from dashboard.data.ingest.capped import import_capped, preview_capped
from dashboard.data.ingest.preview import preview_import
from dashboard.data.ingest.readers import read_dataset
from tests.cli import run_cli, run_process
from tests.conftest import BACKENDS
from tests.webserver import Client, add_accounts, serving

KRAMI = "krami-sthlm-2023"
DEMO = DATA_DIR / "demo" / "krami-stockholm-2023.xlsx"
PASSWORD = "granite-otter-lantern-47"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADINGS = ["agreement_id", "cluster_id", "month", "participants"]
ROW_TEXTS = [KRAMI, "stockholm", "2023-01"]


# --------------------------------------------------------------------------- the bombs


def workbook_of(path: Path, sheet, texts) -> Path:
    """An .xlsx as a spreadsheet program lays it out, one sheet ``occupancy``, its XML
    written from the chunks of ``sheet`` and of ``texts`` (the shared texts)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="'
            'application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}'
            '.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}'
            '.sharedStrings+xml"/></Types>'))
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{pkg}">'
                   f'<Relationship Id="rId1" Type="{rel}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {MAIN} '
                   f'xmlns:r="{rel}"><sheets><sheet name="occupancy" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships '
                   f'xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
                   'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
                   f'Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                   '</Relationships>')
        for part, chunks in (("xl/worksheets/sheet1.xml", sheet),
                             ("xl/sharedStrings.xml", texts)):
            with z.open(part, "w", force_zip64=True) as out:
                for chunk in chunks:
                    out.write(chunk.encode())
    return path


def _heading_row() -> str:
    return "<row>" + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>'
                             for h in HEADINGS) + "</row>"


def _sheet(rows) -> list:
    return [f'<?xml version="1.0" encoding="UTF-8"?><worksheet {MAIN}><sheetData>',
            _heading_row(), *rows, "</sheetData></worksheet>"]


def _texts(entries) -> list:
    return [f'<?xml version="1.0" encoding="UTF-8"?><sst {MAIN}>', *entries, "</sst>"]


def shared_texts_bomb(path: Path, mb: int = 100) -> Path:
    """A workbook of one row whose shared texts unpack to ``mb`` MB: ``<si>`` after
    ``<si>`` of one repeated text (the issue's 244 kB file)."""
    block = "<si><t>krami</t></si>" * 50_000
    row = "<row>" + '<c t="s"><v>0</v></c>' * 3 + "<c><v>7</v></c></row>"
    return workbook_of(path, _sheet([row]), _texts([block] * (mb * 1_000_000 // len(block))))


def compact_rows(path: Path, rows: int) -> Path:
    """A sheet of ``rows`` rows written compactly: no cell addresses, every row the
    same, its texts shared (a million rows pack into a few hundred kB)."""
    row = "<row>" + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(3)) + \
        "<c><v>7</v></c></row>"
    block = row * 10_000
    chunks = [block] * (rows // 10_000) + [row] * (rows % 10_000)
    return workbook_of(path, _sheet(chunks), _texts(f"<si><t>{t}</t></si>"
                                                    for t in ROW_TEXTS))


def addressed_rows(path: Path, rows: int) -> Path:
    """``rows`` rows as spreadsheet programs write them (every cell with its address,
    the numbers varying): packed only some ten times, so within the size limits."""
    def lines():
        for n in range(2, rows + 2):
            yield (f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}" t="s"><v>1</v>'
                   f'</c><c r="C{n}" t="s"><v>2</v></c><c r="D{n}"><v>{n % 97}</v></c>'
                   "</row>")
    return workbook_of(path, _sheet(lines()), _texts(f"<si><t>{t}</t></si>"
                                                     for t in ROW_TEXTS))


def many_texts(path: Path, texts: int) -> Path:
    """A workbook of one row and ``texts`` distinct shared texts (each one a cell's
    worth of work for openpyxl, which reads them all before the first row)."""
    row = "<row>" + '<c t="s"><v>0</v></c>' * 3 + "<c><v>7</v></c></row>"
    return workbook_of(path, _sheet([row]), _texts(f"<si><t>t{i}</t></si>"
                                                   for i in range(texts)))


def csv_lines(path: Path, rows: int) -> Path:
    """``occupancy.csv`` of ``rows`` rows, distinct months so that it is valid data."""
    lines = ["agreement_id,cluster_id,month,participants"]
    lines += [f"{KRAMI},stockholm,{2000 + n // 12:04d}-{n % 12 + 1:02d},{n % 90}"
              for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """The two bombs of the issue, built as an attacker builds them (a few seconds)."""
    folder = tmp_path_factory.mktemp("bombs")
    built = {"texts": shared_texts_bomb(folder / "delade-texter.xlsx"),
             "rows": compact_rows(folder / "miljon-rader.xlsx", 1_000_000)}
    for name, unpacked, packed_below in (("texts", 99_000_000, 400_000),
                                         ("rows", 80_000_000, 800_000)):
        assert built[name].stat().st_size < packed_below, name
        with zipfile.ZipFile(built[name]) as z:
            assert max(i.file_size for i in z.infolist()) > unpacked, name
    return built


# --------------------------------------------------------------------------- in-process


def imports(engine) -> int:
    return len(repository.list_imports(engine))


def test_the_bombs_are_refused_before_openpyxl_opens_them(engine, tmp_path):
    """The ingest functions as the command line calls them, on the bombs made ten times
    smaller, with the part limit ten times smaller (the bombs themselves: over HTTP and on
    the command line below): refused from the zip's directory alone, naming the part,
    its size, the limit and its setting."""
    limits = replace(load_settings().import_limits, max_part_bytes=5_000_000)
    texts = shared_texts_bomb(tmp_path / "delade-texter.xlsx", mb=10)
    rows = compact_rows(tmp_path / "miljon-rader.xlsx", 100_000)
    [p] = import_dataset(engine, texts, limits=limits).problems
    assert p.code == "part_too_large" and p.sheet is None
    assert p.message("en") == (
        "delade-texter.xlsx: The part xl/sharedStrings.xml is 9.5 MB unpacked: more than "
        "5.0 MB, the most a part of a workbook (a sheet, the workbook's texts) may be (the "
        "limit MAX_WORKBOOK_PART_MB). The file is refused unread; split it.")
    [p] = import_dataset(engine, rows, limits=limits).problems
    assert p.code == "part_too_large" and p.sheet == "occupancy"
    assert p.message("sv") == (
        "miljon-rader.xlsx, blad ”occupancy”: Delen xl/worksheets/sheet1.xml är 8,9 MB "
        "uppackad: mer än 5,0 MB, det mesta en del av en arbetsbok (ett blad, arbetsbokens "
        "texter) får vara (gränsen MAX_WORKBOOK_PART_MB). Filen avvisas oläst; dela upp den.")
    # The preview the same, within the web's limits (the same part limit for both).
    preview = preview_import(engine, rows, limits=replace(load_settings().upload_limits,
                                                          max_part_bytes=5_000_000))
    assert [p.code for p in preview.result.problems] == ["part_too_large"]
    assert imports(engine) == 0


def test_a_part_packed_like_a_bomb_is_refused_unread(engine, tmp_path):
    # 40 000 identical rows without addresses: 3 MB packing some 250 times.
    path = compact_rows(tmp_path / "tight.xlsx", 40_000)
    [p] = import_dataset(engine, path).problems
    assert p.code == "part_ratio" and p.sheet == "occupancy"
    ratio = int(p.params["ratio"].replace(" ", ""))
    assert ratio > 100
    assert f"{ratio} times its packed size" in p.message("en")
    assert "more than 100 times" in p.message("en")
    # A sheet as spreadsheet programs write it packs some ten to twenty times, also when
    # every row is the same: within the limit, and not refused before it is read.
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("occupancy")
    sheet.append(HEADINGS)
    for _ in range(5_000):
        sheet.append([KRAMI, "stockholm", "2023-01", 7])
    book.save(tmp_path / "same.xlsx")
    with zipfile.ZipFile(tmp_path / "same.xlsx") as z:
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > 1_000_000 and sheet.file_size < 30 * sheet.compress_size
    assert read_dataset(tmp_path / "same.xlsx", ImportLimits()).problems == []


def test_rows_and_cells_are_counted_before_openpyxl_reads_a_row(engine, tmp_path):
    limits = ImportLimits(max_table_rows=2_000, max_workbook_cells=5_000)
    path = addressed_rows(tmp_path / "rader.xlsx", 2_500)
    problems = import_dataset(engine, path, limits=limits).problems
    assert [(p.code, p.sheet) for p in problems] == [
        ("too_many_rows", "occupancy"), ("too_many_workbook_cells", None)]
    rows, cells = problems
    assert rows.message("en") == (
        "rader.xlsx, sheet 'occupancy': The table has 2 500 rows: more than 2 000 rows (the "
        "limit MAX_TABLE_ROWS). Split the file.")
    # 4 cells a row and the headings' 4, and the 3 shared texts
    assert cells.params["found"] == "10 007"
    assert cells.message("sv") == (
        "rader.xlsx: Arbetsboken har 10 007 celler och texter: fler än 5 000 (gränsen "
        "MAX_WORKBOOK_CELLS). Dela upp filen.")
    # The web's limits are named as the web's settings.
    upload = ImportLimits(max_table_rows=2_000, upload=True)
    [p] = import_dataset(engine, path, limits=upload).problems
    assert "UPLOAD_MAX_ROWS" in p.message("en") and "2 500 rows" in p.message("en")
    # Shared texts count as cells: openpyxl reads every one before the first row.
    [p] = import_dataset(engine, many_texts(tmp_path / "texter.xlsx", 6_000),
                         limits=limits).problems
    assert p.code == "too_many_workbook_cells" and p.params["found"] == "6 008"
    # Within the limits the same file is read (and refused for its data only).
    within = ImportLimits(max_table_rows=2_500, max_workbook_cells=10_007)
    codes = {p.code for p in import_dataset(engine, path, limits=within).problems}
    assert codes and not codes & {"too_many_rows", "too_many_workbook_cells",
                                  "too_many_sheet_cells"}
    assert imports(engine) == 0


def test_a_part_that_declares_less_than_it_holds_is_not_read_past(engine, tmp_path):
    """The limits trust the sizes a zip declares because Python's zipfile never hands out
    more than a member declares: a forged small size gives a broken file, not a bomb."""
    path = shared_texts_bomb(tmp_path / "forged.xlsx", mb=5)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/sharedStrings.xml") + 1)
    assert data[central + 46:central + 66] == b"xl/sharedStrings.xml"
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")  # uncompressed size
    extra = int.from_bytes(data[central + 30:central + 32], "little")
    field = central + 46 + 20
    if extra and data[field:field + 2] == b"\x01\x00":  # zip64: the size is there
        data[field + 4:field + 12] = (1000).to_bytes(8, "little")
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/sharedStrings.xml").file_size == 1000
    [p] = import_dataset(engine, path).problems
    assert p.code == "bad_workbook" and "BadZipFile" in p.message("en")
    assert imports(engine) == 0


def test_csv_files_and_folders_have_their_limits_too(engine, tmp_path):
    limits = ImportLimits(max_table_rows=1_000, max_bytes=200_000)
    path = csv_lines(tmp_path / "occupancy.csv", 1_500)
    [p] = import_dataset(engine, path, limits=limits).problems
    assert (p.code, p.file, p.row) == ("too_many_rows", "occupancy.csv", 1_002)
    assert p.message("en") == (
        "occupancy.csv, row 1002: The table has 1 500 rows: more than 1 000 rows (the limit "
        "MAX_TABLE_ROWS). Split the file.")
    folder = tmp_path / "leverans"
    folder.mkdir()
    shutil.copy(path, folder / "occupancy.csv")
    assert [p.code for p in import_dataset(engine, folder, limits=limits).problems] == \
        ["too_many_rows"]
    big = csv_lines(folder / "occupancy.csv", 6_000)
    [p] = import_dataset(engine, folder, limits=limits).problems
    assert p.code == "too_large" and "(MAX_IMPORT_MB)" in p.message("en")
    with zipfile.ZipFile(tmp_path / "leverans.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(big, "occupancy.csv")
    [p] = import_dataset(engine, tmp_path / "leverans.zip",
                         limits=ImportLimits(max_bytes=200_000, upload=True)).problems
    assert p.code == "too_large" and "(UPLOAD_MAX_MB)" in p.message("en")
    assert imports(engine) == 0


def test_the_limits_are_settings_with_the_documented_defaults():
    settings = load_settings(environ={})
    assert settings.import_limits == ImportLimits(
        max_bytes=200_000_000, max_table_rows=5_000_000, max_workbook_cells=1_000_000,
        max_part_bytes=50_000_000, memory_mb=2048, seconds=None, upload=False)
    assert settings.upload_limits == ImportLimits(
        max_bytes=20_000_000, max_table_rows=200_000, max_workbook_cells=500_000,
        max_part_bytes=50_000_000, memory_mb=2048, seconds=40, upload=True)
    changed = load_settings(environ={
        "UPLOAD_MAX_MB": "5", "UPLOAD_MAX_ROWS": "10 000", "UPLOAD_MAX_CELLS": "80_000",
        "UPLOAD_SECONDS": "20", "MAX_WORKBOOK_PART_MB": "8", "IMPORT_MEMORY_MB": "512"})
    assert changed.upload_limits == ImportLimits(
        max_bytes=5_000_000, max_table_rows=10_000, max_workbook_cells=80_000,
        max_part_bytes=8_000_000, memory_mb=512, seconds=20, upload=True)
    assert changed.import_limits.max_part_bytes == 8_000_000


# --------------------------------------------------------------------------- capped process


def test_what_the_limits_do_not_foresee_is_stopped_by_the_capped_process(any_engine,
                                                                          tmp_path):
    """A file within the limits that needs more memory, or more time, than the process
    it is read in may use: the import's message naming the cap, nothing stored, no
    process left behind, and the next import works."""
    engine = any_engine
    path = csv_lines(tmp_path / "occupancy.csv", 200_000)  # 7 MB, some 100 MB to read
    hungry = ImportLimits(memory_mb=20)
    preview = preview_capped(engine, path, limits=hungry)
    [p] = preview.result.problems
    assert p.code == "memory_limit"
    assert p.message("en") == (
        "occupancy.csv: The import needed more memory than it may use (20 MB, the limit "
        "IMPORT_MEMORY_MB) and was stopped. Nothing was stored. Split the file.")
    slow = ImportLimits(seconds=0.2, upload=True)
    [p] = import_capped(engine, path, limits=slow).problems
    assert p.code == "time_limit"
    assert p.message("en") == (
        "occupancy.csv: The import took longer than it may (0.2 seconds, the limit "
        "UPLOAD_SECONDS) and was stopped. Nothing was stored. Split the file, or import it "
        "from the command line.")
    assert imports(engine) == 0
    assert multiprocessing.active_children() == []
    # The same way, within its caps: the real import, committed by the child.
    (tmp_path / "liten").mkdir()
    small = tmp_path / "liten" / "agreements.csv"
    small.write_text("agreement_id,name,valid_from,valid_to\n"
                     "liten-2023,Liten 2023,2023-01-01,2023-12-31\n", encoding="utf-8")
    # A steward of another agreement: refused whole, saying only that.
    result = import_capped(engine, small, limits=ImportLimits(seconds=120), only={KRAMI})
    assert [(p.code, p.params) for p in result.problems] == [("not_yours",
                                                               {"ids": "liten-2023"})]
    assert imports(engine) == 0
    result = import_capped(engine, small, limits=ImportLimits(seconds=120),
                           only={"liten-2023"})
    assert result.ok, result.messages("en")
    assert repository.list_agreements(engine)["agreement_id"].tolist() == ["liten-2023"]


def _stuck_at_the_cap(engine):
    """What glibc's malloc was once seen doing under the cap after a MemoryError (a whole
    suite hung on it): failing to allocate, and trying again, for ever."""
    hoard = []
    while True:
        try:
            hoard.append(bytearray(64 * 1024))
        except MemoryError:
            pass


def test_a_child_stuck_at_its_memory_cap_is_stopped_even_without_a_time_limit(engine):
    """The command line's import has no time limit: a child that stays at its memory cap
    is stopped all the same (after capped.STUCK_SECONDS), told as the memory limit."""
    started = time.monotonic()
    problem = capped._run(engine, _stuck_at_the_cap, ImportLimits(memory_mb=20))
    assert (problem.code, problem.params) == ("memory_limit", {
        "limit_mb": "20", "setting": "IMPORT_MEMORY_MB"})
    assert time.monotonic() - started < capped.STUCK_SECONDS + 30
    assert multiprocessing.active_children() == []


def test_the_command_line_refuses_the_bombs_and_caps_its_own_memory(engine, db_url, bombs,
                                                                     tmp_path):
    """``python -m dashboard import``: the bombs refused naming the limit; and the command
    caps its own memory, so that a file needing more than ``IMPORT_MEMORY_MB`` gives the
    message, not a machine out of memory."""
    for bomb, part, size in (("texts", "xl/sharedStrings.xml", 100),
                             ("rows", "xl/worksheets/sheet1.xml", 89)):
        ran = run_cli(db_url, "import", str(bombs[bomb]), lang="en")
        assert ran.returncode == 1
        assert f"The part {part} is {size} MB unpacked: more than 50 MB" in ran.stderr
        assert "(the limit MAX_WORKBOOK_PART_MB)" in ran.stderr
        assert "Traceback" not in ran.stderr
    path = csv_lines(tmp_path / "occupancy.csv", 200_000)
    ran = run_process(db_url, "--lang", "en", "import", str(path), IMPORT_MEMORY_MB="20")
    assert ran.returncode == 1, ran.stderr
    assert "(20 MB, the limit IMPORT_MEMORY_MB) and was stopped" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert imports(engine) == 0


# --------------------------------------------------------------------------- over HTTP

PEOPLE = {"admin": (PASSWORD, True, []),
          "steward": (PASSWORD, False, [("steward", KRAMI, None)])}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    """gunicorn with one worker on the demo's Krami, a steward signed in; low limits on
    rows (``UPLOAD_MAX_ROWS``) so that a small file shows that limit."""
    folder = tmp_path_factory.mktemp(f"bombs-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'app.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    add_accounts(url, PEOPLE)
    engine = make_engine(url)
    try:
        assert import_dataset(engine, DEMO).ok
        uploads = folder / "uploads"
        with serving(url, "gunicorn", log=folder / "server.log", LOAD_DEMO="0", WORKERS="1",
                     UPLOAD_DIR=str(uploads), UPLOAD_MAX_ROWS="10000") as base:
            steward = Client(base)
            steward.sign_in("steward", PASSWORD)
            yield steward, engine, uploads
    finally:
        engine.dispose()
    if request.param != "sqlite":
        request.getfixturevalue("postgres_server").drop_database(url)


def upload(client: Client, path: Path):
    """The file as the page sends it; the upload's reply."""
    return client.post("/upload/file", path.read_bytes(), {
        "X-File-Name": path.name, "X-CSRFToken": client.csrf(),
        "Content-Type": "application/octet-stream"})


def check(client: Client, token: str) -> str:
    """The page's check of an uploaded file (the callback the upload triggers): what it
    shows, as text."""
    reply = client.callback({
        "output": "upload-result.children",
        "outputs": {"id": "upload-result", "property": "children"},
        "inputs": [{"id": "upload-token", "property": "data", "value": {"token": token}},
                   {"id": "upload-mode", "property": "value", "value": "upsert"}],
        "state": [{"id": "upload-state", "property": "data", "value": {"lang": "en"}}],
        "changedPropIds": ["upload-token.data"]})
    assert reply.status == 200, (reply.status, reply.text[:300])
    return json.dumps(reply.json()["response"], ensure_ascii=False)


def refused_and_gone(server, path: Path, *expected: str) -> None:
    """Uploaded, checked, refused with ``expected`` in the message; nothing stored, the
    upload deleted, and the server answering a good file at once."""
    steward, engine, uploads = server
    before = repository.list_imports(engine)
    sent = upload(steward, path)
    assert sent.status == 200, sent.text
    token = sent.json()["token"]
    shown = check(steward, token)
    assert "upload-problems" in shown and "Internal Server Error" not in shown
    for text in expected:
        assert text in shown, (text, shown[:600])
    assert not (uploads / token).exists()  # deleted with its refusal
    assert repository.list_imports(engine).equals(before)
    # The worker is alive and well: a good file gets its preview.
    good = path.parent / "good" / "occupancy.csv"
    good.parent.mkdir(exist_ok=True)
    good.write_text("agreement_id,cluster_id,month,gender,target_group,participants\n"
                    f"{KRAMI},stockholm,2023-01,K,2 Övervakning,3\n", encoding="utf-8")
    sent = upload(steward, good)
    assert sent.status == 200
    shown = check(steward, sent.json()["token"])
    assert '"upload-ok"' in shown and '"data-table": "occupancy"' in shown


def test_the_shared_texts_bomb_is_refused_over_http(server, bombs):
    refused_and_gone(server, bombs["texts"],
                     "delade-texter.xlsx: The part xl/sharedStrings.xml is 100 MB unpacked",
                     "(the limit MAX_WORKBOOK_PART_MB)")


def test_the_million_rows_are_refused_over_http(server, bombs):
    refused_and_gone(server, bombs["rows"],
                     "miljon-rader.xlsx, sheet 'occupancy': The part "
                     "xl/worksheets/sheet1.xml is 89 MB unpacked",
                     "(the limit MAX_WORKBOOK_PART_MB)")


def test_rows_over_the_upload_s_limit_are_refused_over_http(server, tmp_path):
    refused_and_gone(server, addressed_rows(tmp_path / "rader.xlsx", 12_000),
                     "rader.xlsx, sheet 'occupancy': The table has 12 000 rows: more than "
                     "10 000 rows (the limit UPLOAD_MAX_ROWS)")
    refused_and_gone(server, csv_lines(tmp_path / "occupancy.csv", 12_000),
                     "The table has 12 000 rows: more than 10 000 rows (the limit "
                     "UPLOAD_MAX_ROWS)")


def test_a_zip_of_csv_over_the_upload_s_size_is_refused_as_it_arrives(server, tmp_path):
    steward, engine, uploads = server
    with zipfile.ZipFile(tmp_path / "leverans.zip", "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("occupancy.csv", "w") as out:
            out.write(b"agreement_id,cluster_id,month,participants\n")
            for _ in range(100):
                out.write(f"{KRAMI},stockholm,2023-01,7\n".encode() * 10_000)
    assert (tmp_path / "leverans.zip").stat().st_size < 200_000
    sent = upload(steward, tmp_path / "leverans.zip")
    assert sent.status == 413
    assert sent.json()["message"] == \
        "Filen är större än gränsen på 20 MB (UPLOAD_MAX_MB)."
    assert not list(uploads.glob("*/leverans*"))


def test_another_s_agreement_is_still_refused_whole_over_http(server, tmp_path):
    """The check now reads the file once, in the capped process: a file naming an agreement
    the steward does not steward is still refused whole, naming it and nothing else."""
    steward, engine, uploads = server
    before = repository.list_imports(engine)
    (tmp_path / "annan").mkdir()
    path = tmp_path / "annan" / "occupancy.csv"
    path.write_text("agreement_id,cluster_id,month,participants\n"
                    "sthlm-af-2023,jarva,2023-13,-1\n", encoding="utf-8")
    sent = upload(steward, path)
    assert sent.status == 200
    shown = check(steward, sent.json()["token"])
    assert '"upload-not-yours"' in shown and "sthlm-af-2023" in shown
    assert "2023-13" not in shown and "upload-problems" not in shown
    assert repository.list_imports(engine).equals(before)
