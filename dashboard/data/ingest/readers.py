"""Read a dataset (an .xlsx workbook, a folder or a .zip of CSV files) into raw tables.

Nothing is interpreted here beyond what the file format needs: cell values stay as
Excel or the CSV text gave them, with their row number and column letter, so that
every later problem can say where it is.

A dataset is read lazily, one file (or sheet) at a time, and each table in chunks of
rows (:class:`Chunk`): a national file of millions of rows never sits in memory as
Python rows. A chunk holds each column factorised, as codes into the column's distinct
values (``-1`` for a blank cell), so that the parser reads each distinct value once.

CSV files are detected as either Swedish Excel (``;`` separator, decimal comma,
Windows-1252) or UTF-8 (with or without BOM, ``,`` separator). A file that is
neither, or mixes both encodings, is refused rather than read wrongly. Blocks of lines
without a quote character, where every line has the heading's number of fields, are
split by pandas' C parser (the same result as Python's ``csv`` module on such lines, ten
times faster); every other block goes through the ``csv`` module, as always.

A ``.zip`` of CSV files is read like a folder: its ``.csv`` members (in the root or in
folders; ``__MACOSX`` and hidden files are skipped) by their base names, never unpacked
to disk, never more than the size limit however large the members claim to be. A
member's path that leaves the zip (``..``, ``/`` first, a drive) refuses the file.

A workbook is checked before openpyxl opens it (:func:`_workbook_within_limits`): first
the sizes its zip directory declares (Python's zipfile never hands out more than a
member declares), each part at most ``max_part_bytes`` unpacked and at most
:data:`MAX_RATIO` times its packed size; then the sheets that will be read and the shared
texts are streamed through once, unpacked a megabyte at a time, counting their rows and
cells (``<row>``, ``<c>``, ``<si>`` elements) against ``max_table_rows`` and
``max_workbook_cells``. openpyxl then reads the sheets in read-only mode, counting again
as the rows come and stopping at the limits.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from dashboard.config import ImportLimits
from dashboard.data.ingest.problems import Problem
from dashboard.domain.pnr import contains_identity_number
from dashboard.domain.schema import TABLES, is_ignored_sheet

MAX_COLUMNS = 200
MAX_CELL_CHARS = 2000
EXCEL_MAX_ROWS = 1_048_576
# A workbook is a zip file: its unpacked size may be at most this many times the limit
# on the file's size (a "zip bomb" would otherwise take minutes and gigabytes to read).
UNPACKED_FACTOR = 10
# A part of a workbook larger than RATIO_FROM bytes unpacked may unpack to at most this many
# times its packed size. Sheets as spreadsheet programs write them pack 5 to 30 times
# (the cell addresses differ from cell to cell); a "zip bomb" packs hundreds of times.
MAX_RATIO = 100
RATIO_FROM = 1_000_000
SHARED_STRINGS_TYPE = \
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# Rows per chunk (workbooks, and CSV blocks read by the csv module) and characters per
# CSV block read by pandas.
CHUNK_ROWS = 50_000
BLOCK_CHARS = 4_000_000
# Python's csv module refuses a field longer than this; the fast path does the same.
_CSV_FIELD_LIMIT = csv.field_size_limit()


@dataclass(frozen=True)
class PercentCell:
    """A number Excel shows as a percentage; ``value`` is the fraction (0.6 for 60 %)."""

    value: float


@dataclass
class Chunk:
    """Some rows of a table: their row numbers, and per heading position the codes of its
    cells into ``uniques`` (``-1`` blank). ``keys`` tell distinct values apart where the
    values themselves would not (a workbook's ``1``, ``1.0`` and ``True``); ``None`` when
    the uniques are their own keys."""

    rows: np.ndarray
    columns: list[tuple[np.ndarray, list, list | None]]


@dataclass
class RawTable:
    """One table as read: headings, and its rows in chunks (read when iterated).

    ``failed`` becomes true when reading it met a problem that drops the whole table
    (a broken CSV file, too many rows): whatever was parsed of it is then discarded.
    """

    name: str
    file: str
    sheet: str | None
    headings: list[str]
    letters: list[str]
    chunks: Iterator[Chunk] = field(default_factory=lambda: iter(()))
    csv_decimal_comma: bool = False
    failed: bool = False


@dataclass
class RawDataset:
    """A dataset being read: problems met so far, and the tables (read when iterated).

    ``sha256`` of a folder or zip is complete once every table has been iterated.
    """

    source: str
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    _tables: Iterator[RawTable] = field(default_factory=lambda: iter(()))
    _seen: dict[str, str] = field(default_factory=dict)  # table -> where it was found
    _sheet_rows: dict[str, int] = field(default_factory=dict)  # counted before reading
    _shared_texts: int = 0  # a workbook's, counted before reading (as cells)
    _broken: bool = False  # a workbook that broke half-way: no further sheet is read

    def tables(self) -> Iterator[RawTable]:
        """Each table in file (or sheet) order; consume one fully before the next."""
        return self._tables


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def read_dataset(path: Path, limits: ImportLimits | int) -> RawDataset:
    """Open a workbook, a folder or a zip of CSV files; problems are collected, never
    raised. ``limits`` may be a byte limit alone (the other limits then default)."""
    if isinstance(limits, int):
        limits = ImportLimits(max_bytes=limits)
    path = Path(path)
    if contains_identity_number(path.name):
        # The name would go into every message and the import log: refuse it unread.
        ds = RawDataset("", "")
        ds.problems.append(Problem("personal_number_name"))
        return ds
    if not path.exists():
        ds = RawDataset(path.name, "")
        ds.problems.append(Problem("not_found", file=str(path)))
        return ds
    if path.is_dir():
        return _read_folder(path, limits)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path, limits)
    if suffix == ".zip":
        return _read_zip(path, limits)
    if suffix == ".csv":
        # A single CSV file: a dataset of one table.
        ds = RawDataset(path.name, "")
        if not _size_ok(ds, path.name, path.stat().st_size, limits):
            return ds
        ds._tables = _one_csv(ds, path, limits)
        return ds
    ds = RawDataset(path.name, "")
    ds.problems.append(Problem("not_a_dataset", file=path.name))
    return ds


def _one_csv(ds: RawDataset, path: Path, limits: ImportLimits):
    data = path.read_bytes()
    ds.sha256 = hashlib.sha256(data).hexdigest()
    name = _csv_name(ds, path.name)
    if name is not None:
        table = _csv_table(ds, path.name, name, data, limits)
        del data
        if table is not None:
            yield table


def _size_ok(ds: RawDataset, name: str, size: int, limits: ImportLimits) -> bool:
    if size > limits.max_bytes:
        ds.problems.append(Problem("too_large", file=name, params={
            "size_mb": f"{size / 1e6:.1f}", "limit_mb": f"{limits.max_bytes / 1e6:.0f}",
            "setting": limits.setting("bytes")}))
        return False
    return True


# --------------------------------------------------------------------------- folders, zip


def _read_folder(folder: Path, limits: ImportLimits) -> RawDataset:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    ds = RawDataset(folder.name, "")
    if not files:
        ds.problems.append(Problem("no_tables", file=folder.name,
                                   params={"tables": ", ".join(TABLES)}))
        return ds
    sources = [(p.name, p.stat().st_size, p.read_bytes) for p in files]
    ds._tables = _csv_files(ds, sources, limits)
    return ds


def _csv_files(ds: RawDataset, sources: list[tuple[str, int, Callable[[], bytes]]],
               limits: ImportLimits) -> Iterator[RawTable]:
    """The tables of CSV files ``(name, declared size, read)``, one file in memory at a
    time, the biggest first (the database writes it while the others are parsed).

    First, in name order: the size limit (the sizes declared, then the bytes really
    read), the dataset's SHA-256 over every file's name and bytes, and which file is
    which table (unknown, duplicate and ignored names). Then the tables' rows."""
    digest = hashlib.sha256()
    declared = actual = 0
    tables: list[tuple[str, str, int, Callable[[], bytes]]] = []
    for file_name, size, read in sources:
        declared += size
        if not _size_ok(ds, file_name, declared, limits):
            break
        data = read()
        actual += len(data)
        if not _size_ok(ds, file_name, actual, limits):
            break
        digest.update(file_name.encode() + b"\0")
        digest.update(data)
        digest.update(b"\0")
        del data
        name = _csv_name(ds, file_name)
        if name is not None:
            tables.append((file_name, name, size, read))
    ds.sha256 = digest.hexdigest()
    if any(p.code == "too_large" for p in ds.problems):
        return
    for file_name, name, _size, read in sorted(tables, key=lambda t: -t[2]):
        table = _csv_table(ds, file_name, name, read(), limits)
        if table is not None:
            yield table


def _read_zip(path: Path, limits: ImportLimits) -> RawDataset:
    """A zip of CSV files, read like a folder (see the module's description)."""
    ds = RawDataset(path.name, "")
    if not _size_ok(ds, path.name, path.stat().st_size, limits):
        return ds
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        ds.problems.append(Problem("bad_zip", file=path.name,
                                   params={"detail": type(exc).__name__}))
        return ds
    members = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        if contains_identity_number(name):
            ds.problems.append(Problem("personal_number_name", file=path.name))
            continue
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            # Never unpacked, so harmless here, but no tool writes such a zip: refused.
            ds.problems.append(Problem("zip_unsafe_path", file=path.name,
                                       params={"name": name[:100]}))
            continue
        if info.is_dir() or not parts or parts[0] == "__MACOSX" \
                or any(p.startswith(".") for p in parts):
            continue
        if PurePosixPath(name).suffix.lower() != ".csv":
            continue
        if info.flag_bits & 0x1:
            ds.problems.append(Problem("bad_zip", file=path.name,
                                       params={"detail": "encrypted"}))
            continue
        members.append((parts[-1], info))
    if any(p.code in ("personal_number_name", "bad_zip", "zip_unsafe_path")
           for p in ds.problems):
        archive.close()
        return ds
    if not members:
        archive.close()
        ds.problems.append(Problem("no_tables", file=path.name,
                                   params={"tables": ", ".join(TABLES)}))
        return ds
    members.sort(key=lambda m: (m[0], m[1].filename))

    def reader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
        def read() -> bytes:
            # Never trust the declared size: at most one byte more than the limit.
            with archive.open(info) as member:
                return member.read(limits.max_bytes + 1)
        return read

    sources = [(name, info.file_size, reader(info)) for name, info in members]
    ds._tables = _zip_tables(ds, archive, sources, limits)
    return ds


def _zip_tables(ds, archive, sources, limits) -> Iterator[RawTable]:
    try:
        yield from _csv_files(ds, sources, limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError,
            NotImplementedError) as exc:  # a broken or unsupported member
        ds.problems.append(Problem("bad_zip", file=ds.source,
                                   params={"detail": type(exc).__name__}))
    finally:
        archive.close()


def _table_for(ds: RawDataset, stem: str, label: str, sheet: str | None) -> str | None:
    if contains_identity_number(stem):
        # Named neither in the message nor anywhere else: the name is personal data.
        ds.problems.append(Problem("personal_number_name", file=ds.source or None))
        return None
    name = stem.strip().lower()
    if name not in TABLES:
        ds.problems.append(Problem("unknown_table", file=label if sheet is None else ds.source,
                                   sheet=sheet, params={"name": stem,
                                                        "tables": ", ".join(TABLES)}))
        return None
    if name in ds._seen:
        other = ds._seen[name]
        ds.problems.append(Problem("duplicate_table", file=label, sheet=sheet, params={
            "table": name, "other": other}))
        return None
    ds._seen[name] = sheet or label
    return name


# --------------------------------------------------------------------------- CSV

# Windows-1252 leaves these bytes undefined: a file holding them is not Windows-1252.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_NOT_CP1252 = re.compile(b"[\\x00" + b"".join(b"\\x%02x" % b for b in sorted(_CP1252_UNDEFINED))
                         + b"]")
# UTF-8 text read as Windows-1252 shows up as these pairs (Ã¤ for ä and so on).
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u2018-\u203a\u0152-\u017e\u02c6\u02dc]|Â[\u00a0-\u00bf]")
# DOS (code page 850/437) text read as Windows-1252: ä å ö Ö é become „ † ” ™ ‚, which
# never stand between two letters in real text. (Mac Roman turns ä into Š, a letter: not
# told apart from Windows-1252; Macs write CSV as UTF-8 nowadays.)
_LEGACY = re.compile("[^\\W\\d_][\u201e\u2020\u201d\u2122\u201a][^\\W\\d_]")


def decode_csv(data: bytes) -> tuple[str | None, Problem | None]:
    """Decode CSV bytes as UTF-8 (BOM optional) or Windows-1252, refusing mixtures."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _without_nul(data.decode("utf-16"))
        except UnicodeDecodeError:
            return None, Problem("bad_encoding", params={"byte": "BOM", "row": 1})
    try:
        text = data.decode("utf-8-sig")  # the BOM, if any, dropped while decoding
    except UnicodeDecodeError:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if m := _NOT_CP1252.search(data):
            bad = m.start()
            return None, Problem("bad_encoding", params={
                "byte": f"0x{data[bad]:02X}", "row": data.count(b"\n", 0, bad) + 1})
        text = data.decode("cp1252")
        if _MOJIBAKE.search(text):
            return None, Problem("mixed_encoding")
        if m := _LEGACY.search(text):
            return None, Problem("legacy_encoding",
                                 params={"row": text.count("\n", 0, m.start()) + 1})
        return text, None
    return _without_nul(text)


def _without_nul(text: str) -> tuple[str | None, Problem | None]:
    """NUL is never text (and PostgreSQL cannot store it): the file is binary or broken."""
    if "\x00" in text:
        row = text.count("\n", 0, text.index("\x00")) + 1
        return None, Problem("bad_encoding", params={"byte": "0x00", "row": row})
    return text, None


def _sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _csv_name(ds: RawDataset, file_name: str) -> str | None:
    """The table a CSV file holds, or None (skipped, or refused with a problem)."""
    stem = Path(file_name).stem
    if contains_identity_number(file_name):
        ds.problems.append(Problem("personal_number_name", file=ds.source or None))
        return None
    if is_ignored_sheet(stem):
        return None
    return _table_for(ds, stem, file_name, None)


def _csv_table(ds: RawDataset, file_name: str, name: str, data: bytes,
               limits: ImportLimits) -> RawTable | None:
    """The table of one CSV file (its rows read when its chunks are iterated).

    Only the decoded text is kept (the caller drops ``data``), for as long as the chunks
    are being read."""
    text, problem = decode_csv(data)
    del data
    if problem is not None:
        ds.problems.append(Problem(problem.code, file=file_name, params=problem.params))
        return None
    # Line ends: \r\n, \n and a lone \r all end a line (read by _Lines and per block,
    # never by copying the whole text).
    start, first_row, sep = 0, 1, None
    first = _Lines(text, 0)
    first_line = next(first, "").rstrip("\n")
    if first_line.lower().startswith("sep=") and len(first_line) >= 5:
        sep = first_line[4]
        start = first.consumed
        first_row = 2
    header_line = next(_Lines(text, start), "").rstrip("\n")
    if not header_line.strip():
        ds.problems.append(Problem("no_header", file=file_name, row=first_row))
        return None
    sep = sep or _sniff_separator(header_line)
    lines = _Lines(text, start)
    try:
        headings = [h.strip() for h in next(_csv_reader(lines, sep))]
    except csv.Error as exc:
        ds.problems.append(Problem("bad_csv", file=file_name, params={"detail": str(exc)}))
        return None
    raw = RawTable(name=name, file=file_name, sheet=None, headings=headings,
                   letters=[column_letter(i) for i in range(len(headings))],
                   csv_decimal_comma=(sep == ";"))
    if len(headings) > MAX_COLUMNS:
        ds.problems.append(Problem("too_many_columns", file=file_name, row=first_row,
                                   params={"count": len(headings), "limit": MAX_COLUMNS}))
        return None
    raw.chunks = _csv_chunks(ds, raw, text, start + lines.consumed, sep, first_row + 1,
                             limits)
    return raw


def _csv_reader(lines, sep: str):
    return csv.reader(lines, delimiter=sep, quotechar='"', strict=True)


class _Lines:
    """The lines of ``text`` from ``start``, each ending in ``\\n`` (also where the text
    has ``\\r\\n`` or a lone ``\\r``), counting the characters of ``text`` handed out,
    so that a reader's position in the text is known."""

    def __init__(self, text: str, start: int):
        self.text, self.pos, self.consumed = text, start, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        text, pos = self.text, self.pos
        n = len(text)
        if pos >= n:
            raise StopIteration
        end = text.find("\n", pos)
        end = n if end < 0 else end + 1
        cr = text.find("\r", pos, end)
        if cr < 0:
            line = text[pos:end]
        else:
            line = text[pos:cr] + "\n"
            end = cr + 2 if text.startswith("\r\n", cr) else cr + 1
        self.pos = end
        self.consumed += end - pos
        return line


def _csv_chunks(ds: RawDataset, raw: RawTable, text: str, pos: int, sep: str,
                first_row: int, limits: ImportLimits) -> Iterator[Chunk]:
    """The data rows of a CSV text from ``pos``, in chunks (see the module's description).

    Rows are numbered by record, as before: the first data record is ``first_row``."""
    width = len(raw.headings)
    record = first_row  # number of the next record
    kept = 0
    start = pos
    n = len(text)
    while pos < n:
        end = text.find("\n", pos + BLOCK_CHARS)
        end = n if end < 0 else end + 1
        block = text[pos:end]
        if "\r" in block:
            block = block.replace("\r\n", "\n").replace("\r", "\n")
        fast = _fast_block(block, sep, width)
        del block
        if fast is not None:
            lines, columns = fast
            rows = np.arange(record, record + lines, dtype=np.int64)
            record += lines
            pos = end
        else:
            lines = _Lines(text, pos)
            records: list[list] = []
            try:
                reader = _csv_reader(lines, sep)
                while batch := list(itertools.islice(reader, 1000)):
                    records += batch
                    if lines.consumed >= end - pos or len(records) >= CHUNK_ROWS:
                        break
            except csv.Error as exc:
                ds.problems.append(Problem("bad_csv", file=raw.file,
                                           params={"detail": str(exc)}))
                raw.failed = True
                return
            pos += lines.consumed
            rows = np.arange(record, record + len(records), dtype=np.int64)
            record += len(records)
            rows, records = _regular(ds, raw.file, rows, records, width)
            columns = _columns_of(records, width, tagged=False)
        chunk = _without_blank_rows(Chunk(rows, columns), width)
        if kept + len(chunk.rows) > limits.max_table_rows:
            over = chunk.rows[limits.max_table_rows - kept]
            # What was found: the lines below the headings (a row may span lines).
            found = text.count("\n", start) + (not text.endswith("\n"))
            ds.problems.append(Problem("too_many_rows", file=raw.file, row=int(over), params={
                "found": _thousands(max(found, limits.max_table_rows + 1)),
                "limit": _thousands(limits.max_table_rows),
                "setting": limits.setting("rows")}))
            raw.failed = True
            return
        kept += len(chunk.rows)
        if len(chunk.rows):
            yield chunk


def _regular(ds: RawDataset, file_name: str, rows: np.ndarray, records: list[list],
             width: int) -> tuple[np.ndarray, list[list]]:
    """Records of the csv module as rows of ``width`` cells: blank ones dropped, rows with
    values beyond the headings refused, short ones padded; blank cells ``None``."""
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    irregular = np.flatnonzero(lengths != width)
    if not len(irregular):
        return rows, records
    keep = np.ones(len(records), dtype=bool)
    for k in irregular:
        rec = records[k]
        if not any(cell.strip() for cell in rec):
            keep[k] = False
        elif len(rec) > width and any(c.strip() for c in rec[width:]):
            ds.problems.append(Problem("too_many_cells", file=file_name, row=int(rows[k]),
                                       params={"count": len(rec), "headers": width}))
            keep[k] = False
        else:
            records[k] = rec[:width] + [""] * (width - len(rec))
    if keep.all():
        return rows, records
    return rows[keep], [rec for rec, kept in zip(records, keep, strict=True) if kept]


def _fast_block(block: str, sep: str, width: int):
    """``(lines, columns)`` of a block of lines split by pandas, or None when the block
    needs the csv module: a quote character, a line with another number of fields than
    the headings, a line longer than the csv module's field limit."""
    if '"' in block or block.startswith("\ufeff") or len(sep) != 1 or not sep.isascii() \
            or sep in "\n\r":
        return None
    data = block.encode("utf-8")
    a = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(a == 10)
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(a))
    lines = len(ends)
    if not lines:
        return None
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    if lengths.max() > _CSV_FIELD_LIMIT:
        return None
    fields = np.bincount(np.searchsorted(ends, np.flatnonzero(a == ord(sep))),
                         minlength=lines) + 1
    if not np.all((fields == width) | (lengths == 0)):
        return None
    try:
        frame = pd.read_csv(io.BytesIO(data), sep=sep, header=None, names=range(width),
                            dtype=object, keep_default_na=False, na_filter=False,
                            quoting=csv.QUOTE_NONE, skip_blank_lines=False, engine="c",
                            encoding="utf-8", low_memory=False)
    except (ValueError, pd.errors.ParserError):  # never seen; the csv module decides
        return None
    if len(frame) != lines:
        return None
    columns = [_blank_is_minus_one(*pd.factorize(frame[i].to_numpy(dtype=object)))
               for i in range(width)]
    return lines, columns


def _blank_is_minus_one(codes: np.ndarray, uniques) -> tuple[np.ndarray, list, None]:
    """Codes and distinct texts of a CSV column, blank texts (spaces only) as code -1."""
    uniques = list(uniques)
    codes = codes.astype(np.int64, copy=False)
    blank = {j for j, u in enumerate(uniques) if u is None or not u.strip()}
    if blank:
        remap = np.full(len(uniques) + 1, -1, dtype=np.int64)
        keep = [j for j in range(len(uniques)) if j not in blank]
        remap[keep] = np.arange(len(keep))
        codes = remap[codes]
        uniques = [uniques[j] for j in keep]
    return codes, uniques, None


def _columns_of(records: list[list], width: int, tagged: bool) -> list:
    """Rows of cell values -> per column (codes, uniques, keys); ``None`` is blank.

    ``tagged``: values of several types (a workbook's) are told apart by type, so that
    ``1``, ``1.0`` and ``True`` stay three values."""
    columns = []
    if not records:
        return [(np.empty(0, dtype=np.int64), [], None) for _ in range(width)]
    for values in zip(*records, strict=True):
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        if tagged:
            keys = np.empty(len(values), dtype=object)
            for i, v in enumerate(values):
                keys[i] = v if v is None or type(v) is str else (type(v), v)
            codes, key_uniques = pd.factorize(keys)
            first = _first_positions(codes, len(key_uniques))
            columns.append((codes.astype(np.int64), list(arr[first]), list(key_uniques)))
        else:
            codes, uniques = pd.factorize(arr)
            columns.append(_blank_is_minus_one(codes, list(uniques)))
    return columns


def _first_positions(codes: np.ndarray, n: int) -> np.ndarray:
    first = np.full(n, len(codes), dtype=np.int64)
    valid = codes >= 0
    np.minimum.at(first, codes[valid], np.flatnonzero(valid))
    return first


def _without_blank_rows(chunk: Chunk, width: int) -> Chunk:
    if not width or not len(chunk.rows):
        return chunk
    blank = np.ones(len(chunk.rows), dtype=bool)
    for codes, _, _ in chunk.columns:
        blank &= codes < 0
    if not blank.any():
        return chunk
    keep = ~blank
    return Chunk(chunk.rows[keep], [(codes[keep], u, k) for codes, u, k in chunk.columns])


# --------------------------------------------------------------------------- xlsx


def _read_workbook(path: Path, limits: ImportLimits) -> RawDataset:
    ds = RawDataset(path.name, "")
    if not _size_ok(ds, path.name, path.stat().st_size, limits):
        return ds
    data = path.read_bytes()
    ds.sha256 = hashlib.sha256(data).hexdigest()
    # Imported lazily: reading CSV alone does not need openpyxl.
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if not _workbook_within_limits(ds, archive, path.name, limits):
                return ds
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        ds.problems.append(Problem("bad_workbook", file=path.name,
                                   params={"detail": type(exc).__name__}))
        return ds
    except Exception as exc:  # openpyxl raises many kinds for broken files
        ds.problems.append(Problem("bad_workbook", file=path.name,
                                   params={"detail": type(exc).__name__}))
        return ds
    del data
    ds._tables = _sheets(ds, wb, path.name, limits)
    return ds


def _mb(n: int) -> dict[str, str]:
    """Megabytes as each language writes them (a decimal below 10)."""
    text = f"{n / 1e6:.1f}" if n < 10e6 else f"{n / 1e6:.0f}"
    return {"sv": text.replace(".", ","), "en": text}


def _workbook_within_limits(ds: RawDataset, archive: zipfile.ZipFile, file_name: str,
                            limits: ImportLimits) -> bool:
    """Whether the workbook may be opened: its parts' sizes as its zip directory declares
    them, then its rows and cells counted in the unpacked XML (see the module's text).
    Problems say which sheet or part, which limit, and what was found."""
    infos = archive.infolist()
    unpacked = sum(info.file_size for info in infos)
    if unpacked > UNPACKED_FACTOR * limits.max_bytes:
        ds.problems.append(Problem("too_large_unpacked", file=file_name, params={
            "size_mb": f"{unpacked / 1e6:.0f}",
            "limit_mb": f"{UNPACKED_FACTOR * limits.max_bytes / 1e6:.0f}"}))
        return False
    sheets, strings = _workbook_parts(archive, limits.max_part_bytes)
    titles = {part: title for title, part in sheets}
    for info in infos:
        title = titles.get(info.filename)
        where = {"file": file_name, "sheet": None if title is None or
                 contains_identity_number(title) else title}
        if info.file_size > limits.max_part_bytes:
            ds.problems.append(Problem("part_too_large", **where, params={
                "part": info.filename[:100], "size_mb": _mb(info.file_size),
                "limit_mb": _mb(limits.max_part_bytes), "setting": limits.setting("part")}))
        elif info.file_size > RATIO_FROM and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ds.problems.append(Problem("part_ratio", **where, params={
                "part": info.filename[:100], "size_mb": _mb(info.file_size),
                "ratio": _thousands(info.file_size // max(info.compress_size, 1)),
                "limit": MAX_RATIO}))
    if ds.problems:
        return False
    cells = 0
    present = set(archive.namelist())
    for part in strings:
        if part in present:
            cells += _count_elements(archive, part, (b"si",))[b"si"]
    ds._shared_texts = cells
    for title, part in sheets:
        if part not in present or title.strip().lower() not in TABLES \
                or contains_identity_number(title):
            continue  # a sheet that is not read (refused or ignored by its name)
        counted = _count_elements(archive, part, (b"row", b"c"))
        rows = max(counted[b"row"] - 1, 0)  # below the headings
        ds._sheet_rows[title] = rows
        if rows > limits.max_table_rows:
            ds.problems.append(Problem("too_many_rows", file=file_name, sheet=title, params={
                "found": _thousands(rows), "limit": _thousands(limits.max_table_rows),
                "setting": limits.setting("rows")}))
        cells += counted[b"c"]
    if cells > limits.max_workbook_cells:
        ds.problems.append(Problem("too_many_workbook_cells", file=file_name, params={
            "found": _thousands(cells), "limit": _thousands(limits.max_workbook_cells),
            "setting": limits.setting("cells")}))
    return not ds.problems


_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATION_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _workbook_parts(archive: zipfile.ZipFile,
                    max_bytes: int) -> tuple[list[tuple[str, str]], list[str]]:
    """``([(sheet title, its part)], [shared texts' parts])`` found as openpyxl finds
    them: the workbook through the package's relationships, its sheets through the
    workbook's, the shared texts through the content types. What cannot be found is left
    out (openpyxl then refuses the file, or the limits are kept as it reads); so is what
    a part larger than ``max_bytes`` would say (it is refused)."""
    from xml.etree import ElementTree

    names = {i.filename for i in archive.infolist() if i.file_size <= max_bytes}

    def elements(part: str):
        if part not in names:
            return []
        try:
            with archive.open(part) as src:
                return list(ElementTree.parse(src).getroot().iter())
        except ElementTree.ParseError:
            return []

    def resolve(base: str, target: str) -> str:
        if target.startswith("/"):
            return posixpath.normpath(target.lstrip("/"))
        return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))

    strings = [e.get("PartName", "").lstrip("/") for e in elements("[Content_Types].xml")
               if e.tag == f"{_CONTENT_TYPES}Override"
               and e.get("ContentType") == SHARED_STRINGS_TYPE]
    book = next((resolve("", e.get("Target", "")) for e in elements("_rels/.rels")
                 if e.tag == f"{_RELATIONSHIPS}Relationship"
                 and e.get("Type", "").endswith("/officeDocument")), "xl/workbook.xml")
    rels = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    targets = {e.get("Id"): resolve(book, e.get("Target", "")) for e in elements(rels)
               if e.tag == f"{_RELATIONSHIPS}Relationship"}
    sheets = [(e.get("name", ""), targets[e.get(_RELATION_ID)]) for e in elements(book)
              if e.tag.endswith("}sheet") and e.get(_RELATION_ID) in targets]
    return sheets, strings


def _count_elements(archive: zipfile.ZipFile, part: str, tags: tuple[bytes, ...],
                    chunk: int = 1 << 20) -> dict[bytes, int]:
    """How many elements named ``tags`` a part holds, unpacked a megabyte at a time (its
    size was checked: at most the part limit). The document's own namespace prefix (as
    in ``<x:row>``) is found from its first element."""
    counts = dict.fromkeys(tags, 0)
    with archive.open(part) as src:
        data = src.read(chunk)
        first = _ROOT.search(data)
        prefix = (first.group(1) or b"") if first else b""
        marks = {tag: [b"<" + prefix + tag + end for end in (b" ", b">", b"/", b"\n",
                                                            b"\r", b"\t")]
                 for tag in tags}
        # An element cut between two reads is counted in the second: each read is counted
        # with the end of the one before (shorter than the longest mark), less what
        # that end holds.
        keep = max(len(m) for ms in marks.values() for m in ms) - 1
        tail = b""
        while data:
            buf = tail + data
            for tag, ms in marks.items():
                counts[tag] += sum(buf.count(m) - tail.count(m) for m in ms)
            tail = buf[-keep:]
            data = src.read(chunk)
    return counts


# The first element of a part (after the XML declaration and comments), its prefix.
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*[\s/>]")


def _sheets(ds: RawDataset, wb, file_name: str, limits: ImportLimits) -> Iterator[RawTable]:
    budget = _CellBudget(limits.max_workbook_cells, limits.setting("cells"))
    budget.spend(ds._shared_texts)  # as counted before: the same limit, the same cells
    found = False
    try:
        for ws in wb.worksheets:
            if ds._broken:
                break
            if contains_identity_number(ws.title):
                ds.problems.append(Problem("personal_number_name", file=ds.source or None))
                continue
            if is_ignored_sheet(ws.title):
                continue
            name = _table_for(ds, ws.title, file_name, ws.title)
            if name is None:
                continue
            table = _read_sheet(ds, ws, name, file_name, budget, limits)
            if table is not None:
                found = True
                yield table
    except Exception as exc:  # a sheet that breaks openpyxl half-way
        ds.problems.append(Problem("bad_workbook", file=file_name,
                                   params={"detail": type(exc).__name__}))
    finally:
        wb.close()
    if not found and not ds.problems:
        ds.problems.append(Problem("no_tables", file=file_name,
                                   params={"tables": ", ".join(TABLES)}))


def _cell_value(cell):
    value = getattr(cell, "value", None)
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() != "" else None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        fmt = getattr(cell, "number_format", "") or ""
        if "%" in fmt:
            return PercentCell(float(value))
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return value
    return str(value)


class _CellBudget:
    """Counts the cells a workbook makes us look at, the empty ones between two values of
    a row included, and its shared texts; refuses beyond ``limit``. (Rows missing between
    two rows cost nothing: openpyxl hands them out as empty tuples.)"""

    def __init__(self, limit: int, setting: str):
        self.left = limit
        self.limit = limit
        self.setting = setting

    def spend(self, n: int) -> bool:
        self.left -= n
        return self.left >= 0


def _rows_of(ds: RawDataset, ws, file_name: str, budget: _CellBudget):
    """``(row number, values)`` of a sheet, within the limits on rows and cells."""
    # The size a sheet declares may be wrong or enormous ("A1:XFD1048576" after
    # formatting whole columns); read what is really there instead.
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    for number, row in enumerate(ws.iter_rows(), start=1):
        if number > EXCEL_MAX_ROWS:
            ds.problems.append(Problem("too_many_sheet_rows", file=file_name, sheet=ws.title,
                                       row=number, params={"limit": _thousands(EXCEL_MAX_ROWS)}))
            return
        if not budget.spend(len(row)):
            ds.problems.append(Problem("too_many_sheet_cells", file=file_name, sheet=ws.title,
                                       row=number, params={"limit": _thousands(budget.limit),
                                                           "setting": budget.setting}))
            return
        yield number, [_cell_value(c) for c in row]


def _read_sheet(ds: RawDataset, ws, name: str, file_name: str, budget: _CellBudget,
                limits: ImportLimits) -> RawTable | None:
    rows = _rows_of(ds, ws, file_name, budget)
    header_row = None
    header_no = 0
    for number, values in rows:
        if any(v is not None for v in values):
            header_row, header_no = values, number
            break
    if header_row is None:
        if not any(p.sheet == ws.title for p in ds.problems):
            ds.warnings.append(Problem("no_header", file=file_name, sheet=ws.title))
        return None
    while header_row and header_row[-1] is None:
        header_row.pop()
    if len(header_row) > MAX_COLUMNS:
        ds.problems.append(Problem("too_many_columns", file=file_name, sheet=ws.title,
                                   row=header_no,
                                   params={"count": len(header_row), "limit": MAX_COLUMNS}))
        return None
    headings = ["" if v is None else str(v).strip() for v in header_row]
    table = RawTable(name=name, file=file_name, sheet=ws.title, headings=headings,
                     letters=[column_letter(i) for i in range(len(headings))])
    table.chunks = _sheet_chunks(ds, table, ws.title, rows, limits)
    return table


def _sheet_chunks(ds: RawDataset, table: RawTable, title: str, rows,
                  limits: ImportLimits) -> Iterator[Chunk]:
    try:
        yield from _sheet_rows(ds, table, title, rows, limits)
    except Exception as exc:  # a sheet that breaks openpyxl half-way
        ds.problems.append(Problem("bad_workbook", file=table.file,
                                   params={"detail": type(exc).__name__}))
        table.failed = True
        ds._broken = True


def _sheet_rows(ds: RawDataset, table: RawTable, title: str, rows,
                limits: ImportLimits) -> Iterator[Chunk]:
    width = len(table.headings)
    records: list[list] = []
    numbers: list[int] = []
    kept = 0
    for row_no, values in rows:
        if not any(v is not None for v in values):
            continue
        if kept >= limits.max_table_rows:
            found = max(ds._sheet_rows.get(title, 0), limits.max_table_rows + 1)
            ds.problems.append(Problem("too_many_rows", file=table.file, sheet=title,
                                       row=row_no, params={
                                           "found": _thousands(found),
                                           "limit": _thousands(limits.max_table_rows),
                                           "setting": limits.setting("rows")}))
            table.failed = True
            return
        extra = [v for v in values[width:] if v is not None]
        if extra:
            first_extra = next(i for i, v in enumerate(values) if i >= width and v is not None)
            ds.problems.append(Problem("unnamed_column", file=table.file, sheet=title,
                                       row=row_no, column=column_letter(first_extra)))
            continue
        records.append(values[:width] + [None] * max(0, width - len(values)))
        numbers.append(row_no)
        kept += 1
        if len(records) >= CHUNK_ROWS:
            yield Chunk(np.array(numbers, dtype=np.int64), _columns_of(records, width, True))
            records, numbers = [], []
    if records:
        yield Chunk(np.array(numbers, dtype=np.int64), _columns_of(records, width, True))
