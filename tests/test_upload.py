"""The import's preview (a dry run of the real import, rolled back) on SQLite and
PostgreSQL, and how uploaded files are kept (one folder each, bound to the person who sent
it, a zip unpacked safely, gone after the time limit)."""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile

import openpyxl
import pytest

from dashboard.config import DATA_DIR
from dashboard.data import repository
from dashboard.data.ingest import import_dataset
from dashboard.data.ingest.preview import file_agreements, preview_import
from dashboard.data.uploads import UploadError, UploadStore, safe_name

KRAMI = "krami-sthlm-2023"
DEMO = DATA_DIR / "demo" / "krami-stockholm-2023.xlsx"


def workbook(path, rows, sheet="occupancy", header=None):
    book = openpyxl.Workbook()
    book.active.title = sheet
    book.active.append(header or ["agreement_id", "cluster_id", "month", "participants"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def valid_through_2024(engine, tmp_path) -> str:
    """Krami's validity to the end of 2024, so that rows of 2024 may be imported (a month
    outside the agreement is refused, contract section 1, issue 16); the file's name."""
    path = workbook(tmp_path / "krami-2024.xlsx",
                    [[KRAMI, "Krami Stockholm 2023–2024", "2023-01-01", "2024-12-31"]],
                    sheet="agreements", header=["agreement_id", "name", "valid_from",
                                                "valid_to"])
    assert import_dataset(engine, path).ok
    return path.name


def snapshot(engine) -> tuple:
    with repository.read_transaction(engine) as conn:
        versions = repository.data_versions(conn)
    data = repository.load_agreement(engine, KRAMI, ("2000-01", "2099-12"))
    return versions, len(data.occupancy), len(repository.list_imports(engine))


def test_the_preview_is_the_real_import_rolled_back(any_engine, tmp_path):
    engine = any_engine
    assert import_dataset(engine, DEMO).ok
    extended = valid_through_2024(engine, tmp_path)
    before = snapshot(engine)
    later = workbook(tmp_path / "later.xlsx", [[KRAMI, "stockholm", m, 70]
                                                for m in ("2024-01", "2024-02")])
    preview = preview_import(engine, later)
    assert preview.ok and preview.result.import_id is None
    assert [(c.table, c.in_file, c.added, c.replaced, c.removed) for c in preview.tables] == \
        [("occupancy", 2, 2, 0, 0)]
    assert preview.agreements == [KRAMI] and preview.months == {KRAMI: ("2024-01", "2024-02")}
    assert [e["file_name"] for e in preview.earlier] == [extended,  # newest first
                                                          "krami-stockholm-2023.xlsx"]
    assert preview.later_data == {} and preview.same_file is None
    assert snapshot(engine) == before  # nothing kept, not even the log entry
    # The same workbook again: every row replaced, and said to be the same file.
    again = preview_import(engine, DEMO)
    occupancy = next(c for c in again.tables if c.table == "occupancy")
    assert occupancy.added == 0 and occupancy.replaced == occupancy.in_file > 0
    assert again.same_file["file_name"] == "krami-stockholm-2023.xlsx"
    # Replace mode with a smaller file: the stored rows it does not hold are removed; data
    # stored beyond the file's last month is pointed out.
    small = workbook(tmp_path / "small.xlsx", [[KRAMI, "stockholm", "2023-01", 70]])
    replaced = preview_import(engine, small, replace=True)
    occupancy = next(c for c in replaced.tables if c.table == "occupancy")
    assert occupancy.in_file == 1 and occupancy.added == 1
    assert occupancy.removed == before[1]
    assert replaced.later_data == {KRAMI: "2023-12"}
    assert snapshot(engine) == before


def test_the_preview_refuses_as_the_import_would(any_engine, tmp_path):
    engine = any_engine
    assert import_dataset(engine, DEMO).ok
    valid_through_2024(engine, tmp_path)
    bad = workbook(tmp_path / "bad.xlsx", [[KRAMI, "stockholm", "2024-13", 1],
                                           [KRAMI, "nowhere", "2024-02", 2],
                                           [KRAMI, "stockholm", "2024-03", -1]])
    preview = preview_import(engine, bad)
    imported = import_dataset(engine, bad)
    assert not preview.ok and not imported.ok
    assert preview.result.messages("en") == imported.messages("en")
    assert len(preview.result.problems) == 3 and preview.tables == []
    assert file_agreements(bad) == [KRAMI]


def test_an_import_waits_for_a_preview_and_a_preview_leaves_the_lock(any_engine, tmp_path):
    engine = any_engine
    later = workbook(tmp_path / "later.xlsx", [[KRAMI, "stockholm", "2024-01", 7]])
    assert import_dataset(engine, DEMO).ok
    valid_through_2024(engine, tmp_path)
    assert preview_import(engine, later).ok
    assert import_dataset(engine.execution_options(import_lock_timeout=2), later).ok


# --------------------------------------------------------------------------- uploads


def test_an_upload_is_kept_for_its_sender_only(tmp_path):
    uploads = UploadStore(tmp_path / "up", max_bytes=1000, minutes=1)
    kept = uploads.save(io.BytesIO(b"agreement_id\nx\n"), "C:\\Users\\me\\Krami 2024.csv",
                        owner="anna")
    assert kept.name == "Krami 2024.csv" and kept.dataset.read_bytes().startswith(b"agree")
    assert oct((tmp_path / "up").stat().st_mode & 0o777) == "0o700"
    assert uploads.get(kept.token, "anna").dataset == kept.dataset
    assert uploads.get(kept.token, "bo") is None
    assert uploads.get("../../etc/passwd", "anna") is None
    # A second upload of the same person replaces the first.
    second = uploads.save(io.BytesIO(b"a\n"), "b.csv", owner="anna")
    assert uploads.get(kept.token, "anna") is None and uploads.get(second.token, "anna")
    with pytest.raises(UploadError, match="too_large"):
        uploads.save(io.BytesIO(b"x" * 1001), "c.csv", owner="anna")
    with pytest.raises(UploadError, match="too_large"):
        uploads.save(io.BytesIO(b"x"), "c.csv", owner="anna", length=5000)
    with pytest.raises(UploadError, match="bad_type"):
        uploads.save(io.BytesIO(b"x"), "c.exe", owner="anna")
    with pytest.raises(UploadError, match="empty"):
        uploads.save(io.BytesIO(b""), "c.csv", owner="anna")
    assert len(list((tmp_path / "up").iterdir())) == 1  # refused ones leave nothing
    # Past the time limit: gone.
    meta = second.dataset.parent / "meta.json"
    os.utime(meta)
    text = meta.read_text().replace(str(int(second.created)), str(int(time.time() - 120)))
    meta.write_text(text)
    assert uploads.get(second.token, "anna") is None


def test_two_dashboards_on_one_machine_keep_their_uploads_apart(tmp_path, monkeypatch):
    """Without ``UPLOAD_DIR`` the uploads go to a private folder per database: another
    dashboard on the machine (same system user, a person of the same login) neither finds
    an upload by its token nor sweeps it away with its own next upload (which happened to
    two test runs at once: one's steward replaced the other's file before its import)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    one = UploadStore(None, max_bytes=1000, database="sqlite:////srv/a/dashboard.sqlite")
    other = UploadStore(None, max_bytes=1000, database="postgresql://b@db/dashboard")
    mine = one.save(io.BytesIO(b"agreement_id\nx\n"), "a.csv", owner="admin")
    theirs = other.save(io.BytesIO(b"agreement_id\ny\n"), "b.csv", owner="admin")
    assert one.get(mine.token, "admin").dataset.read_bytes() == b"agreement_id\nx\n"
    assert other.get(theirs.token, "admin").dataset.read_bytes() == b"agreement_id\ny\n"
    assert other.get(mine.token, "admin") is None and one.get(theirs.token, "admin") is None
    shared = tmp_path / f"samverkan-dashboard-uploads-{os.getuid()}"
    assert mine.dataset.parent.parent.parent == shared != theirs.dataset.parent.parent
    for folder in (shared, mine.dataset.parent.parent, theirs.dataset.parent.parent):
        assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_a_name_with_an_identity_number_is_replaced():
    assert safe_name("lista 19121212-1212.xlsx") == ("uppladdning.xlsx", True)
    assert safe_name("../krami<script>.xlsx") == ("krami_script_.xlsx", False)


def zipped(members: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    out.seek(0)
    return out


def test_a_zip_of_csv_files_is_unpacked_safely(tmp_path, any_engine):
    uploads = UploadStore(tmp_path / "up", max_bytes=100_000)
    csv = "agreement_id,cluster_id,month,participants\nkrami-sthlm-2023,stockholm,2024-01,5\n"
    kept = uploads.save(zipped({"data/occupancy.csv": csv.encode(),
                                "__MACOSX/._occupancy.csv": b"junk"}), "krami.zip", "anna")
    assert kept.dataset.is_dir() and [p.name for p in kept.dataset.iterdir()] == \
        ["occupancy.csv"]
    assert import_dataset(any_engine, DEMO).ok
    valid_through_2024(any_engine, tmp_path)
    assert preview_import(any_engine, kept.dataset).ok
    for members, code in (({"../../evil.sh": b"x"}, "zip_not_csv"),
                          ({"a/occupancy.csv": b"x", "b/occupancy.csv": b"y"}, "zip_twice"),
                          ({}, "zip_empty")):
        with pytest.raises(UploadError, match=code):
            uploads.save(zipped(members), "x.zip", "anna")
    with pytest.raises(UploadError, match="too_large"):
        uploads.save(zipped({"occupancy.csv": b"0" * 200_000}), "x.zip", "anna")
    with pytest.raises(UploadError, match="zip_broken"):
        uploads.save(io.BytesIO(b"PK not a zip"), "x.zip", "anna")
    assert not (tmp_path / "evil.sh").exists()
