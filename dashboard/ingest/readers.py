"""Read a dataset (an .xlsx workbook or a folder of CSV files) into raw tables.

Nothing is interpreted here beyond what the file format needs: cell values stay as
Excel or the CSV text gave them, with their row number and column letter, so that
every later problem can say where it is.

CSV files are detected as either Swedish Excel (``;`` separator, decimal comma,
Windows-1252) or UTF-8 (with or without BOM, ``,`` separator). A file that is
neither, or mixes both encodings, is refused rather than read wrongly.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..schema import TABLES, is_ignored_sheet
from .pnr import looks_like_identity_number
from .problems import Problem

MAX_COLUMNS = 200
MAX_CELL_CHARS = 2000
MAX_ROWS = 200_000  # rows with values, per table
# Cells looked at per workbook, empty ones included: a stray value far to the right or a
# row number far down makes a sheet huge although the file is small.
MAX_SHEET_CELLS = 5_000_000
EXCEL_MAX_ROWS = 1_048_576
# A workbook is a zip file: its unpacked size may be at most this many times the limit
# on the file's size (a "zip bomb" would otherwise take minutes and gigabytes to read).
UNPACKED_FACTOR = 10

# Windows-1252 leaves these bytes undefined: a file holding them is not Windows-1252.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# UTF-8 text read as Windows-1252 shows up as these pairs (Ã¤ for ä and so on).
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u2018-\u203a\u0152-\u017e\u02c6\u02dc]|Â[\u00a0-\u00bf]")
# DOS (code page 850/437) text read as Windows-1252: ä å ö Ö é become „ † ” ™ ‚, which
# never stand between two letters in real text. (Mac Roman turns ä into Š, a letter: not
# told apart from Windows-1252; Macs write CSV as UTF-8 nowadays.)
_LEGACY = re.compile("[^\\W\\d_][\u201e\u2020\u201d\u2122\u201a][^\\W\\d_]")


@dataclass(frozen=True)
class PercentCell:
    """A number Excel shows as a percentage; ``value`` is the fraction (0.6 for 60 %)."""

    value: float


@dataclass
class RawTable:
    """One table as read: headings, and rows of raw cell values with their row numbers."""

    name: str
    file: str
    sheet: str | None
    headings: list[str]
    letters: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    csv_decimal_comma: bool = False


@dataclass
class RawDataset:
    """A dataset as read, with the problems met while reading."""

    source: str
    sha256: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_dataset(path: Path, max_bytes: int) -> RawDataset:
    """Read a workbook or a folder of CSV files; problems are collected, never raised."""
    path = Path(path)
    if looks_like_identity_number(path.name):
        # The name would go into every message and the import log: refuse it unread.
        ds = RawDataset("", "")
        ds.problems.append(Problem("personal_number_name"))
        return ds
    if not path.exists():
        ds = RawDataset(path.name, "")
        ds.problems.append(Problem("not_found", file=str(path)))
        return ds
    if path.is_dir():
        return _read_folder(path, max_bytes)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path, max_bytes)
    if path.suffix.lower() == ".csv":
        # A single CSV file: a dataset of one table.
        data = path.read_bytes()
        ds = RawDataset(path.name, hashlib.sha256(data).hexdigest())
        if not _size_ok(ds, path.name, len(data), max_bytes):
            return ds
        _add_csv(ds, path.name, data)
        return ds
    ds = RawDataset(path.name, "")
    ds.problems.append(Problem("not_a_dataset", file=path.name))
    return ds


def _size_ok(ds: RawDataset, name: str, size: int, max_bytes: int) -> bool:
    if size > max_bytes:
        ds.problems.append(Problem("too_large", file=name, params={
            "size_mb": f"{size / 1e6:.1f}", "limit_mb": f"{max_bytes / 1e6:.0f}"}))
        return False
    return True


# --------------------------------------------------------------------------- CSV


def _read_folder(folder: Path, max_bytes: int) -> RawDataset:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    digest = hashlib.sha256()
    ds = RawDataset(folder.name, "")
    total = 0
    for p in files:
        data = p.read_bytes()
        total += len(data)
        digest.update(p.name.encode() + b"\0" + data + b"\0")
        if not _size_ok(ds, p.name, total, max_bytes):
            break
        _add_csv(ds, p.name, data)
    ds.sha256 = digest.hexdigest()
    if not files:
        ds.problems.append(Problem("no_tables", file=folder.name,
                                   params={"tables": ", ".join(TABLES)}))
    return ds


def _table_for(ds: RawDataset, stem: str, label: str, sheet: str | None) -> str | None:
    if looks_like_identity_number(stem):
        # Named neither in the message nor anywhere else: the name is personal data.
        ds.problems.append(Problem("personal_number_name", file=ds.source or None))
        return None
    name = stem.strip().lower()
    if name not in TABLES:
        ds.problems.append(Problem("unknown_table", file=label if sheet is None else ds.source,
                                   sheet=sheet, params={"name": stem,
                                                        "tables": ", ".join(TABLES)}))
        return None
    if name in ds.tables:
        other = ds.tables[name]
        ds.problems.append(Problem("duplicate_table", file=label, sheet=sheet, params={
            "table": name, "other": other.sheet or other.file}))
        return None
    return name


def decode_csv(data: bytes) -> tuple[str | None, Problem | None]:
    """Decode CSV bytes as UTF-8 (BOM optional) or Windows-1252, refusing mixtures."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _without_nul(data.decode("utf-16"))
        except UnicodeDecodeError:
            return None, Problem("bad_encoding", params={"byte": "BOM", "row": 1})
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        bad = next((i for i, b in enumerate(data) if b in _CP1252_UNDEFINED or b == 0), None)
        if bad is not None:
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


def _add_csv(ds: RawDataset, file_name: str, data: bytes) -> None:
    stem = Path(file_name).stem
    if is_ignored_sheet(stem):
        return
    name = _table_for(ds, stem, file_name, None)
    if name is None:
        return
    text, problem = decode_csv(data)
    if problem is not None:
        ds.problems.append(Problem(problem.code, file=file_name, params=problem.params))
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n", 1)
    first_row = 1
    sep = None
    if lines[0].lower().startswith("sep=") and len(lines[0]) >= 5:
        sep = lines[0][4]
        text = lines[1] if len(lines) > 1 else ""
        first_row = 2
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        ds.problems.append(Problem("no_header", file=file_name, row=first_row))
        return
    sep = sep or _sniff_separator(header_line)
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=sep, quotechar='"',
                                  strict=True))
    except csv.Error as exc:
        ds.problems.append(Problem("bad_csv", file=file_name, params={"detail": str(exc)}))
        return
    headings = [h.strip() for h in records[0]]
    raw = RawTable(name=name, file=file_name, sheet=None, headings=headings,
                   letters=[column_letter(i) for i in range(len(headings))],
                   csv_decimal_comma=(sep == ";"))
    if len(headings) > MAX_COLUMNS:
        ds.problems.append(Problem("too_many_columns", file=file_name, row=first_row,
                                   params={"count": len(headings), "limit": MAX_COLUMNS}))
        return
    for i, rec in enumerate(records[1:], start=first_row + 1):
        if not any(cell.strip() for cell in rec):
            continue
        if len(raw.rows) >= MAX_ROWS:
            ds.problems.append(Problem("too_many_rows", file=file_name, row=i,
                                       params={"limit": f"{MAX_ROWS:,}".replace(",", " ")}))
            return
        if len(rec) > len(headings) and any(c.strip() for c in rec[len(headings):]):
            ds.problems.append(Problem("too_many_cells", file=file_name, row=i, params={
                "count": len(rec), "headers": len(headings)}))
            continue
        cells = [c if c.strip() != "" else None for c in rec[: len(headings)]]
        cells += [None] * (len(headings) - len(cells))
        raw.rows.append((i, cells))
    ds.tables[name] = raw


# --------------------------------------------------------------------------- xlsx


def _read_workbook(path: Path, max_bytes: int) -> RawDataset:
    data = path.read_bytes()
    ds = RawDataset(path.name, hashlib.sha256(data).hexdigest())
    if not _size_ok(ds, path.name, len(data), max_bytes):
        return ds
    # Imported lazily: reading CSV alone does not need openpyxl.
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > UNPACKED_FACTOR * max_bytes:
            ds.problems.append(Problem("too_large_unpacked", file=path.name, params={
                "size_mb": f"{unpacked / 1e6:.0f}",
                "limit_mb": f"{UNPACKED_FACTOR * max_bytes / 1e6:.0f}"}))
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
    budget = _CellBudget(MAX_SHEET_CELLS)
    try:
        for ws in wb.worksheets:
            if is_ignored_sheet(ws.title):
                continue
            name = _table_for(ds, ws.title, path.name, ws.title)
            if name is None:
                continue
            table = _read_sheet(ds, ws, name, path.name, budget)
            if table is not None:
                ds.tables[name] = table
    except Exception as exc:  # a sheet that breaks openpyxl half-way
        ds.problems.append(Problem("bad_workbook", file=path.name,
                                   params={"detail": type(exc).__name__}))
    finally:
        wb.close()
    if not ds.tables and not ds.problems:
        ds.problems.append(Problem("no_tables", file=path.name,
                                   params={"tables": ", ".join(TABLES)}))
    return ds


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
    """Counts the cells a workbook makes us look at; refuses beyond ``limit``."""

    def __init__(self, limit: int):
        self.left = limit
        self.limit = limit

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
        if number > EXCEL_MAX_ROWS or not budget.spend(len(row) + 1):
            code = "too_many_rows" if number > EXCEL_MAX_ROWS else "too_many_sheet_cells"
            limit = EXCEL_MAX_ROWS if number > EXCEL_MAX_ROWS else budget.limit
            ds.problems.append(Problem(code, file=file_name, sheet=ws.title, row=number,
                                       params={"limit": f"{limit:,}".replace(",", " ")}))
            return
        yield number, [_cell_value(c) for c in row]


def _read_sheet(ds: RawDataset, ws, name: str, file_name: str,
                budget: _CellBudget) -> RawTable | None:
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
    width = len(headings)
    for row_no, values in rows:
        if not any(v is not None for v in values):
            continue
        if len(table.rows) >= MAX_ROWS:
            ds.problems.append(Problem("too_many_rows", file=file_name, sheet=ws.title,
                                       row=row_no,
                                       params={"limit": f"{MAX_ROWS:,}".replace(",", " ")}))
            return None
        extra = [v for v in values[width:] if v is not None]
        if extra:
            first_extra = next(i for i, v in enumerate(values) if i >= width and v is not None)
            ds.problems.append(Problem("unnamed_column", file=file_name, sheet=ws.title,
                                       row=row_no, column=column_letter(first_extra)))
            continue
        cells = values[:width] + [None] * max(0, width - len(values))
        table.rows.append((row_no, cells))
    return table
