"""The refusal rules of contract.md section 1.

Two stages:

* :func:`parse_table` reads one raw table into a typed DataFrame, reporting headings
  that are missing or unknown, cells of the wrong type, personal identity numbers,
  and the rules inside one row or one file (duplicate keys, ``work + study + other``).
* :func:`check_after` looks at the data as it would be after the import (stored rows
  kept plus the file's rows) for the rules that span tables: references to agreements,
  clusters and parties, cost categories and their shares, and totals mixed with
  breakdowns.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pandas as pd

from ..kpis import AGREEMENT_ONLY_KPIS, KPI_NAMES, PARTY_KPIS, SHARE_KPIS
from ..schema import TABLES, Kind, Table, heading_lookup, normalise_heading
from .parsing import CellError, parse_cell, share_from
from .pnr import cell_text, looks_like_identity_number
from .problems import Problem
from .readers import RawTable

SHARE_SUM_TOLERANCE = 0.001  # shares of a category may sum to 99.9–100.1 %
DEFAULT_TOLERANCE = 0.10

# Key columns that may be blank; stored as '' so that keys compare and index simply.
BLANK_KEY = ""


@dataclass
class ParsedTable:
    """A table of the file, typed, with what is needed to point back into the file."""

    name: str
    file: str
    sheet: str | None
    frame: pd.DataFrame
    headings: dict[str, str] = field(default_factory=dict)  # column -> heading as written
    letters: dict[str, str] = field(default_factory=dict)  # column -> letter

    def problem(self, code: str, row: int | None = None, column: str | None = None,
                **params) -> Problem:
        return Problem(code, file=self.file, sheet=self.sheet, table=self.name, row=row,
                       column=self.headings.get(column, column) if column else None,
                       letter=self.letters.get(column) if column else None, params=params)


def table_columns(table: Table) -> list[str]:
    """The typed frame's columns: the contract's, plus a unit column per NUMBER column."""
    cols = []
    for c in table.columns:
        cols.append(c.name)
        if c.kind is Kind.NUMBER:
            cols.append(f"{c.name}_unit")
    return cols


def parse_table(raw: RawTable) -> tuple[ParsedTable, list[Problem]]:
    """Type every cell of a raw table; collect every problem."""
    table = TABLES[raw.name]
    lookup = heading_lookup(table)
    parsed = ParsedTable(raw.name, raw.file, raw.sheet, pd.DataFrame())
    problems: list[Problem] = []

    def at(code, row=None, letter=None, heading=None, **params):
        return Problem(code, file=raw.file, sheet=raw.sheet, table=raw.name, row=row,
                       column=heading, letter=letter if raw.sheet else None, params=params)

    # Headings -> columns.
    position: dict[str, int] = {}
    header_row = raw.rows[0][0] - 1 if raw.rows else 1
    for i, heading in enumerate(raw.headings):
        letter = raw.letters[i]
        if looks_like_identity_number(heading):
            # A heading is a cell too; named by its letter only, never by its text.
            problems.append(Problem("personal_number", file=raw.file, sheet=raw.sheet,
                                    table=raw.name, row=header_row, column=letter))
            continue
        if heading == "":
            if any(i < len(cells) and cells[i] is not None for _, cells in raw.rows):
                problems.append(at("unnamed_column", row=header_row, letter=letter,
                                   heading=letter))
            continue
        column = lookup.get(normalise_heading(heading))
        if column is None:
            close = difflib.get_close_matches(normalise_heading(heading), list(lookup), n=1,
                                              cutoff=0.75)
            hint = {"sv": f" Menade du ”{lookup[close[0]]}”?",
                    "en": f" Did you mean '{lookup[close[0]]}'?"} if close else ""
            problems.append(Problem("unknown_column", file=raw.file, sheet=raw.sheet,
                                    table=raw.name, column=heading,
                                    letter=letter if raw.sheet else None,
                                    params={"heading": heading, "hint": hint,
                                            "allowed": ", ".join(table.column_names)}))
            continue
        if column in position:
            problems.append(at("duplicate_column", letter=letter, heading=heading,
                               column=column, other=raw.letters[position[column]]))
            continue
        position[column] = i
        parsed.headings[column] = heading
        parsed.letters[column] = letter if raw.sheet else None
    for column in table.required:
        if column not in position:
            problems.append(at("missing_column", heading=column, column=column))

    # Personal identity numbers: every cell, known column or not; the value is never shown.
    flagged: set[tuple[int, int]] = set()
    for row_no, cells in raw.rows:
        for i, value in enumerate(cells):
            text = cell_text(value)
            if text and looks_like_identity_number(text):
                flagged.add((row_no, i))
                heading = raw.headings[i] if i < len(raw.headings) else None
                problems.append(at("personal_number", row=row_no, letter=raw.letters[i]
                                   if i < len(raw.letters) else None, heading=heading))

    # Cells -> typed values.
    records = []
    for row_no, cells in raw.rows:
        rec: dict = {"_row": row_no}
        for col in table.columns:
            i = position.get(col.name)
            value = cells[i] if i is not None and i < len(cells) else None
            if col.kind is Kind.NUMBER:
                rec[f"{col.name}_unit"] = ""
            if value is None:
                if col.required and i is not None:
                    problems.append(parsed.problem("required", row_no, col.name))
                rec[col.name] = None
                continue
            if (row_no, i) in flagged:
                rec[col.name] = None
                continue
            try:
                typed = parse_cell(col.kind, value, raw.csv_decimal_comma or raw.sheet is not None)
            except CellError as err:
                problems.append(parsed.problem(err.code, row_no, col.name, **err.params))
                rec[col.name] = None
                continue
            if col.kind is Kind.NUMBER:
                typed, percent = typed
                rec[f"{col.name}_unit"] = "%" if percent else ""
            rec[col.name] = typed
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=["_row", *table_columns(table)])
    frame = frame.astype(object).where(frame.notna(), None)
    for col in table.key:
        if not table.column(col).required:
            frame[col] = frame[col].map(lambda v: BLANK_KEY if v is None else v)
    parsed.frame = frame
    problems += _row_rules(parsed)
    return parsed, problems


def _row_rules(parsed: ParsedTable) -> list[Problem]:
    """Rules inside one row or one file."""
    table = TABLES[parsed.name]
    df = parsed.frame
    problems: list[Problem] = []
    if df.empty:
        return problems
    # Duplicate keys (only rows whose key could be read).
    complete = df.dropna(subset=list(table.key))
    seen: dict[tuple, int] = {}
    for rec in complete.to_dict("records"):
        key = tuple(rec[c] for c in table.key)
        if key in seen:
            shown = ", ".join(f"{c}={v if v != BLANK_KEY else '–'}"
                              for c, v in zip(table.key, key, strict=True))
            problems.append(parsed.problem("duplicate_key", rec["_row"], None, key=shown,
                                           other=seen[key]))
        else:
            seen[key] = rec["_row"]
    if parsed.name == "outcomes":
        for rec in df.to_dict("records"):
            parts = [rec.get(c) for c in ("work", "study", "other")]
            completed = rec.get("completed")
            if completed is None or any(p is None for p in parts[:2]):
                continue
            total = sum(p or 0 for p in parts)
            if total > completed:
                problems.append(parsed.problem("outcome_sum", rec["_row"], "completed",
                                               total=total, completed=completed))
    if parsed.name == "targets":
        for rec in df.to_dict("records"):
            problems += _target_row(parsed, rec)
    if parsed.name in ("agreements", "targets"):
        for rec in df.to_dict("records"):
            a, b = rec.get("valid_from"), rec.get("valid_to")
            if a and b and a > b:
                problems.append(parsed.problem("valid_range", rec["_row"], "valid_to",
                                               valid_from=a, valid_to=b))
    return problems


def _target_row(parsed: ParsedTable, rec: dict) -> list[Problem]:
    problems = []
    comparator, kpi = rec.get("comparator"), rec.get("kpi")
    if comparator in (">=", "<=") and rec.get("value") is None:
        problems.append(parsed.problem("target_value_missing", rec["_row"], "value",
                                       comparator=comparator))
    if kpi in SHARE_KPIS and rec.get("value") is not None:
        try:
            rec["value"] = share_from(rec["value"], rec["value_unit"] == "%", rec["value"])
        except CellError as err:
            problems.append(parsed.problem(err.code, rec["_row"], "value", **err.params))
    if kpi in KPI_NAMES and rec.get("party_id") and kpi not in PARTY_KPIS:
        problems.append(parsed.problem("party_kpi", rec["_row"], "party_id", kpi=kpi))
    if kpi in AGREEMENT_ONLY_KPIS and rec.get("cluster_id"):
        problems.append(parsed.problem("cluster_kpi", rec["_row"], "cluster_id", kpi=kpi))
    return problems


def normalise_target_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Share KPIs' target values as fractions (60 -> 0.6), as :func:`_target_row` checked."""
    frame = frame.copy()
    for i, rec in frame.iterrows():
        if rec["kpi"] in SHARE_KPIS and rec["value"] is not None:
            try:
                frame.at[i, "value"] = share_from(rec["value"], rec["value_unit"] == "%",
                                                  rec["value"])
                frame.at[i, "value_unit"] = "%"
            except CellError:
                pass
    return frame


# --------------------------------------------------------------------------- after-state


@dataclass
class AfterState:
    """The rows of the affected agreements as they would be after the import.

    Each frame has ``_origin``: ``"file"`` for the file's rows, else the import id of
    the stored row; and ``_row`` (the file row, or ``None``).
    """

    frames: dict[str, pd.DataFrame]
    parsed: dict[str, ParsedTable]


def _where(state: AfterState, table: str, rec: dict, column: str | None, code: str,
           **params) -> Problem:
    if rec.get("_origin") == "file":
        return state.parsed[table].problem(code, rec.get("_row"), column, **params)
    return Problem(code, table=table, column=column,
                   params={**params, "stored_import": rec.get("_origin")})


def check_after(state: AfterState) -> list[Problem]:
    """References, cost categories and shares, and mixed breakdowns, after the import."""
    f = state.frames
    problems: list[Problem] = []
    agreements = set(f["agreements"]["agreement_id"])
    clusters = set(zip(f["clusters"]["agreement_id"], f["clusters"]["cluster_id"],
                       strict=True))
    parties = set(zip(f["parties"]["agreement_id"], f["parties"]["party_id"], strict=True))
    categories = set(zip(f["cost_shares"]["agreement_id"], f["cost_shares"]["cost_category"],
                         strict=True))
    indicator_names = set(zip(f["indicators"]["agreement_id"], f["indicators"]["indicator"],
                              strict=True))

    def only_file_or_changed(name):
        # Stored rows were checked when they were imported; recheck them only when a table
        # they refer to is in the file (it may have lost what they point at in replace mode).
        df = f[name]
        if name in state.parsed or set(state.parsed) & REFERRED_BY[name]:
            return df
        return df.iloc[0:0]

    for name, table in TABLES.items():
        if name == "agreements":
            continue
        df = only_file_or_changed(name)
        for rec in df.to_dict("records"):
            a = rec["agreement_id"]
            if a not in agreements:
                problems.append(_where(state, name, rec, "agreement_id", "unknown_agreement",
                                       value=a))
                continue
            c = rec.get("cluster_id")
            if c and name != "clusters" and (a, c) not in clusters:
                problems.append(_where(state, name, rec, "cluster_id", "unknown_cluster",
                                       value=c, agreement=a))
            for col in ("party_id", "paid_by"):
                p = rec.get(col)
                if col in table.column_names and p and name != "parties" \
                        and (a, p) not in parties:
                    problems.append(_where(state, name, rec, col, "unknown_party", value=p,
                                           agreement=a))
            if name == "costs" and (a, rec["cost_category"]) not in categories:
                problems.append(_where(state, name, rec, "cost_category",
                                       "category_without_shares", value=rec["cost_category"],
                                       agreement=a))
            if name == "targets" and rec["kpi"] not in KPI_NAMES \
                    and (a, rec["kpi"]) not in indicator_names:
                problems.append(_where(state, name, rec, "kpi", "unknown_kpi",
                                       value=rec["kpi"], kpis=", ".join(KPI_NAMES)))
    problems += _share_sums(state)
    problems += _mixed_breakdowns(state)
    return problems


# Which tables' rows point into a table (a change of the latter rechecks the former).
REFERRED_BY: dict[str, set[str]] = {
    "parties": {"agreements"},
    "clusters": {"agreements"},
    "targets": {"agreements", "clusters", "parties", "indicators"},
    "occupancy": {"agreements", "clusters"},
    "staffing": {"agreements", "clusters", "parties"},
    "cost_shares": {"agreements", "parties"},
    "costs": {"agreements", "parties", "cost_shares"},
    "outcomes": {"agreements", "clusters"},
    "indicators": {"agreements", "clusters"},
}


def _share_sums(state: AfterState) -> list[Problem]:
    if "cost_shares" not in state.parsed:
        return []
    df = state.frames["cost_shares"]
    problems = []
    for (a, cat), group in df.groupby(["agreement_id", "cost_category"], sort=True):
        if any(v is None for v in group["share"]):
            continue  # a share that could not be read is reported on its own
        total = float(sum(group["share"]))
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            first = group.sort_values("_origin", key=lambda s: s != "file").iloc[0].to_dict()
            pct = f"{total * 100:.1f}".replace(".", ",") + " %"
            problems.append(_where(state, "cost_shares", first, "share", "shares_not_one",
                                   category=cat, agreement=a, total=pct))
    return problems


def _mixed_breakdowns(state: AfterState) -> list[Problem]:
    problems = []
    for name, group_cols in (
        ("occupancy", ["agreement_id", "cluster_id", "month"]),
        ("outcomes", ["agreement_id", "cluster_id", "month"]),
        ("indicators", ["agreement_id", "cluster_id", "period", "indicator"]),
    ):
        if name not in state.parsed:
            continue
        df = state.frames[name]
        if df.empty:
            continue
        breakdowns = [c for c in ("gender", "target_group") if c in df.columns]
        for col in breakdowns:
            blank = df[col] == BLANK_KEY
            mixed = df.assign(_blank=blank).groupby(group_cols)["_blank"].agg(["any", "all"])
            mixed = mixed[mixed["any"] & ~mixed["all"]]
            for key in mixed.index:
                key = key if isinstance(key, tuple) else (key,)
                rows = df
                for c, v in zip(group_cols, key, strict=True):
                    rows = rows[rows[c] == v]
                first = rows.sort_values("_origin", key=lambda s: s != "file").iloc[0].to_dict()
                when = " ".join(str(v) for v in key[2:])
                problems.append(_where(state, name, first, col, "mixed_breakdown",
                                       agreement=key[0], cluster=key[1] or "–", when=when,
                                       breakdown=col))
    return problems
