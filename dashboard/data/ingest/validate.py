"""The refusal rules of contract.md section 1.

Two stages:

* :func:`parse_table` reads one raw table into a typed DataFrame, reporting headings
  that are missing or unknown, cells of the wrong type, personal identity numbers,
  and the rules inside one row or one file (duplicate keys, ``work + study + other``).
* :func:`check_after` looks at the data as it would be after the import (stored rows
  kept plus the file's rows) for the rules that span tables: references to agreements,
  clusters and parties, cost categories and their shares, and totals mixed with
  breakdowns.

Both work a column at a time, not a cell at a time. A column arrives factorised (codes
into its distinct values, see :mod:`.readers`); each distinct value is checked for an
identity number and read by the per-cell parsers of :mod:`.parsing` once, and the
result spread back over the rows. So the messages are exactly the per-cell parsers',
and a national file of two million rows with a few thousand distinct values per column
is read in seconds. The rules across rows (duplicate keys, references, mixed
breakdowns) group rows by integer ids computed per column (:func:`group_ids`).

Problems of one kind in one column are listed up to ``PROBLEMS_PER_KIND`` rows, then
summed up in one more problem (:func:`.problems.capped`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.data.ingest.parsing import CellError, parse_cell, share_from
from dashboard.data.ingest.problems import Problem, capped
from dashboard.data.ingest.readers import RawTable
from dashboard.domain.kolada import kolada_kpi, municipalities_of
from dashboard.domain.kpis import AGREEMENT_ONLY_KPIS, FTE_KPIS, KPI_NAMES, PARTY_KPIS, SHARE_KPIS
from dashboard.domain.pnr import cell_text, contains_identity_number, identity_number_cells
from dashboard.domain.schema import (
    FORECAST_CHOICES,
    INDICATOR_AGGREGATES,
    INDICATOR_UNITS,
    TABLES,
    Kind,
    Table,
    heading_lookup,
    normalise_heading,
)

SHARE_SUM_TOLERANCE = 0.001  # shares of a category may sum to 99.9–100.1 %
DEFAULT_TOLERANCE = 0.10

# Key columns that may be blank; stored as '' so that keys compare and index simply.
BLANK_KEY = ""
# ``_origin`` of a row of the file in the after-state (stored rows: their import id).
FILE_ORIGIN = 0

# The columns the rules after the merge look at (with the key): what is read of the
# stored rows of the agreements in a file.
_CHECKED = ("agreement_id", "cluster_id", "party_id", "paid_by", "cost_category", "kpi",
            "indicator", "share", "gender", "target_group", "month", "period", "valid_from",
            "valid_to", "municipalities")


def checked_columns(table: Table) -> list[str]:
    """The columns of ``table`` that :func:`check_after` and the merge need."""
    names = table.column_names
    return [c for c in names if c in table.key or c in _CHECKED]


@dataclass
class ParsedTable:
    """A table of the file, typed, with what is needed to point back into the file.

    ``frame`` has ``_row`` (the file's row number) and the database's columns, as
    Python values with ``None`` where a cell is blank (object columns)."""

    name: str
    file: str
    sheet: str | None
    frame: pd.DataFrame
    headings: dict[str, str] = field(default_factory=dict)  # column -> heading as written
    letters: dict[str, str] = field(default_factory=dict)  # column -> letter

    def problem(self, code: str, row: int | None = None, column: str | None = None,
                **params) -> Problem:
        return Problem(code, file=self.file, sheet=self.sheet, table=self.name,
                       row=None if row is None else int(row),
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


def object_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame of these arrays as they are: object columns stay object columns
    (pandas 3 would make text ``str`` with NaN for None), nothing is copied."""
    return pd.DataFrame({name: pd.Series(values, dtype=values.dtype, copy=False)
                         for name, values in columns.items()}, copy=False)


def is_none(values) -> np.ndarray:
    """``v is None`` for each value of an object array (faster than ``pd.isna``)."""
    return np.equal(np.asarray(values, dtype=object), None).astype(bool, copy=False)


def _objects(values: Sequence) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


# --------------------------------------------------------------------------- parsing


class _Column:
    """The distinct values of one heading position so far, each checked once: an
    identity number (``flagged``), else read as ``kind`` (``typed``, or ``errors``)."""

    def __init__(self, kind: Kind | None, decimal_comma: bool):
        self.kind, self.decimal_comma = kind, decimal_comma
        self.ids: dict = {}
        self.values: list = []
        self.flagged: list[bool] = []
        self.typed: list = []
        self.percent: list[bool] = []
        self.errors: dict[int, CellError] = {}
        self.parts: list[np.ndarray] = []

    def add(self, codes: np.ndarray, uniques: list, keys: list | None) -> None:
        start = len(self.values)
        lut = np.empty(len(uniques) + 1, dtype=np.int64)
        lut[-1] = -1  # code -1 (blank) stays -1
        ids, values = self.ids, self.values
        for j, key in enumerate(uniques if keys is None else keys):
            g = ids.get(key)
            if g is None:
                g = ids[key] = len(values)
                values.append(uniques[j])
            lut[j] = g
        if len(values) > start:
            self._classify(start)
        self.parts.append(lut[codes])

    def _classify(self, start: int) -> None:
        new = self.values[start:]
        hits = set(identity_number_cells([cell_text(v) for v in new]))
        for k, value in enumerate(new):
            typed, percent = None, False
            if k in hits:
                self.flagged.append(True)
            else:
                self.flagged.append(False)
                if self.kind is not None:
                    try:
                        typed = parse_cell(self.kind, value, self.decimal_comma)
                    except CellError as err:
                        self.errors[start + k] = err
                    else:
                        if self.kind is Kind.NUMBER:
                            typed, percent = typed
            self.typed.append(typed)
            self.percent.append(percent)

    def codes(self) -> np.ndarray:
        if not self.parts:
            return np.empty(0, dtype=np.int64)
        return np.concatenate(self.parts) if len(self.parts) > 1 else self.parts[0]

    def lookup(self, values: list, fill) -> np.ndarray:
        """Per distinct value, then ``fill`` at the end (for code -1)."""
        return _objects([*values, fill])


def parse_table(raw: RawTable) -> tuple[ParsedTable, list[Problem]]:
    """Type every cell of a raw table; collect every problem.

    Reads the table's chunks; when reading fails half-way (``raw.failed``), the table
    and its problems mean nothing and the caller drops them."""
    table = TABLES[raw.name]
    lookup = heading_lookup(table)
    parsed = ParsedTable(raw.name, raw.file, raw.sheet, pd.DataFrame())
    problems: list[Problem] = []

    def at(code, row=None, letter=None, heading=None, **params):
        return Problem(code, file=raw.file, sheet=raw.sheet, table=raw.name,
                       row=None if row is None else int(row), column=heading,
                       letter=letter if raw.sheet else None, params=params)

    # Headings -> columns. Problems at the heading row are made once its number is known.
    position: dict[str, int] = {}
    heading_pnr: list[int] = []
    unnamed: list[int] = []
    for i, heading in enumerate(raw.headings):
        letter = raw.letters[i]
        if contains_identity_number(heading):
            heading_pnr.append(i)
            continue
        if heading == "":
            unnamed.append(i)
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

    # The cells, a chunk of rows at a time.
    decimal_comma = raw.csv_decimal_comma or raw.sheet is not None
    kind_at = {i: table.column(name).kind for name, i in position.items()}
    states = [_Column(kind_at.get(i), decimal_comma) for i in range(len(raw.headings))]
    row_parts = []
    for chunk in raw.chunks:
        row_parts.append(chunk.rows)
        for state, (codes, uniques, keys) in zip(states, chunk.columns, strict=True):
            state.add(codes, uniques, keys)
    if raw.failed:
        return parsed, problems
    rows = np.concatenate(row_parts) if row_parts else np.empty(0, dtype=np.int64)
    n = len(rows)

    header_row = int(rows[0]) - 1 if n else 1
    for i in heading_pnr:
        # A heading is a cell too; named by its letter only, never by its text.
        problems.append(Problem("personal_number", file=raw.file, sheet=raw.sheet,
                                table=raw.name, row=header_row, column=raw.letters[i]))
    for i in unnamed:
        if states[i].values:
            problems.append(at("unnamed_column", row=header_row, letter=raw.letters[i],
                               heading=raw.letters[i]))

    # Personal identity numbers: every cell, known column or not; the value is never shown.
    codes_at = [state.codes() for state in states]
    for i, state in enumerate(states):
        if not any(state.flagged):
            continue
        flagged = np.append(np.array(state.flagged, dtype=bool), False)[codes_at[i]]
        heading = raw.headings[i]
        problems += capped(np.flatnonzero(flagged), lambda k, i=i, heading=heading: at(
            "personal_number", row=rows[k], letter=raw.letters[i], heading=heading))

    # Cells -> typed values.
    data: dict[str, np.ndarray] = {"_row": rows}
    for col in table.columns:
        i = position.get(col.name)
        if i is None:
            data[col.name] = np.full(n, None, dtype=object)
            if col.kind is Kind.NUMBER:
                data[f"{col.name}_unit"] = np.full(n, "", dtype=object)
            continue
        state, codes = states[i], codes_at[i]
        if col.required:
            problems += capped(np.flatnonzero(codes < 0), lambda k, col=col: parsed.problem(
                "required", rows[k], col.name))
        if state.errors:
            problems += _cell_errors(parsed, col.name, state, codes, rows)
        data[col.name] = state.lookup(state.typed, None)[codes]
        if col.kind is Kind.NUMBER:
            units = ["%" if p else "" for p in state.percent]
            data[f"{col.name}_unit"] = state.lookup(units, "")[codes]
    for name in table.key:
        if not table.column(name).required:
            values = data[name]
            values[is_none(values)] = BLANK_KEY
    parsed.frame = object_frame(data)
    problems += _row_rules(parsed)
    return parsed, problems


def _cell_errors(parsed: ParsedTable, column: str, state: _Column, codes: np.ndarray,
                 rows: np.ndarray) -> list[Problem]:
    """The problems of cells that could not be read, per kind of problem."""
    error_of = np.full(len(state.values) + 1, -1, dtype=np.int64)
    kinds: dict[str, int] = {}
    for g, err in state.errors.items():
        error_of[g] = kinds.setdefault(err.code, len(kinds))
    which = error_of[codes]
    problems = []
    for _code, k in kinds.items():
        positions = np.flatnonzero(which == k)

        def make(p):
            err = state.errors[int(codes[p])]
            return parsed.problem(err.code, rows[p], column, **err.params)
        problems += capped(positions, make)
    return problems


# --------------------------------------------------------------------------- groups


def group_ids(columns: Sequence) -> np.ndarray:
    """One integer per row, the same for rows equal in every column (``None`` equals
    ``None``), numbered in order of first appearance."""
    n = len(columns[0]) if len(columns) else 0
    ids = np.zeros(n, dtype=np.int64)
    size = 1
    for col in columns:
        codes, uniques = pd.factorize(np.asarray(col, dtype=object))
        width = len(uniques) + 1
        codes = np.where(codes < 0, len(uniques), codes)  # None: a value of its own
        if size * width >= 2**62:
            ids, renumbered = pd.factorize(ids)
            size = max(len(renumbered), 1)
        ids = ids * width + codes
        size *= width
    codes, _ = pd.factorize(ids)
    return codes.astype(np.int64)


def first_positions(ids: np.ndarray) -> np.ndarray:
    """For ids numbered from 0 in order of first appearance: each id's first position."""
    n_ids = int(ids.max()) + 1 if len(ids) else 0
    _, first = np.unique(ids, return_index=True)
    assert len(first) == n_ids
    return first


def is_member(values, allowed: set) -> np.ndarray:
    """``value in allowed`` for each value (``None`` never is)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    inside = np.array([u in allowed for u in uniques] + [False], dtype=bool)
    return inside[codes]


def pairs_in(columns: Sequence, allowed: set) -> np.ndarray:
    """``(a, b, ...) in allowed`` for each row of ``columns``."""
    ids = group_ids(columns)
    first = first_positions(ids)
    arrays = [np.asarray(c, dtype=object) for c in columns]
    inside = np.array([tuple(a[p] for a in arrays) in allowed for p in first], dtype=bool)
    return inside[ids]


def _filled(values) -> np.ndarray:
    """Truthy cells: not None, not blank."""
    values = np.asarray(values, dtype=object)
    return ~is_none(values) & (values != BLANK_KEY)


def _numbers(values) -> np.ndarray:
    return np.array(values, dtype=float)  # None -> NaN


# --------------------------------------------------------------------------- rows


def _row_rules(parsed: ParsedTable) -> list[Problem]:
    """Rules inside one row or one file."""
    table = TABLES[parsed.name]
    df = parsed.frame
    problems: list[Problem] = []
    if df.empty:
        return problems
    rows = df["_row"].to_numpy()
    # Duplicate keys (only rows whose key could be read).
    key = list(table.key)
    complete = np.ones(len(df), dtype=bool)
    for c in key:
        complete &= ~is_none(df[c].to_numpy())
    at = np.flatnonzero(complete)
    key_values = [df[c].to_numpy()[at] for c in key]
    ids = group_ids(key_values)
    first = first_positions(ids)[ids]
    dup = np.flatnonzero(first != np.arange(len(at)))

    def duplicate(p):
        shown = ", ".join(f"{c}={v[p] if v[p] != BLANK_KEY else '–'}"
                          for c, v in zip(key, key_values, strict=True))
        return parsed.problem("duplicate_key", rows[at[p]], None, key=shown,
                              other=int(rows[at[first[p]]]))
    problems += capped(dup, duplicate)
    if parsed.name == "outcomes":
        completed = _numbers(df["completed"])
        work, study, other = (_numbers(df[c]) for c in ("work", "study", "other"))
        total = work + study + np.nan_to_num(other)
        known = ~np.isnan(completed) & ~np.isnan(work) & ~np.isnan(study)
        bad = np.flatnonzero(known & (total > completed))
        problems += capped(bad, lambda p: parsed.problem(
            "outcome_sum", rows[p], "completed", total=int(total[p]),
            completed=int(completed[p])))
    if parsed.name == "targets":
        for rec in df.to_dict("records"):
            problems += _target_row(parsed, rec)
    if parsed.name == "indicator_defs":
        for column, allowed in (("unit", INDICATOR_UNITS), ("aggregate", INDICATOR_AGGREGATES)):
            for row, value in zip(rows, df[column], strict=True):
                if value is not None and value.strip().lower() not in allowed:
                    problems.append(parsed.problem(
                        f"bad_{column}", row, column, value=value,
                        allowed=", ".join(dict.fromkeys(allowed.values()))))
    if parsed.name == "agreements":
        for row, value in zip(rows, df["forecast"], strict=True):
            if value is not None and value.strip().lower() not in FORECAST_CHOICES:
                problems.append(parsed.problem("bad_forecast", row, "forecast", value=value))
    if parsed.name in ("agreements", "targets"):
        for row, a, b in zip(rows, df["valid_from"], df["valid_to"], strict=True):
            if a and b and a > b:
                problems.append(parsed.problem("valid_range", row, "valid_to",
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
    if rec.get("role") and kpi is not None and kpi not in FTE_KPIS:
        problems.append(parsed.problem("role_kpi", rec["_row"], "role", kpi=kpi,
                                       kpis=", ".join(FTE_KPIS)))
    elif rec.get("role") and rec.get("party_id"):
        problems.append(parsed.problem("role_party", rec["_row"], "role"))
    return problems


def normalise_indicator_defs(frame: pd.DataFrame) -> pd.DataFrame:
    """Units and aggregates as their English codes (``Andel`` -> ``share``), as
    :func:`_row_rules` checked; blank stays blank (the defaults: number, last)."""
    frame = frame.copy()
    for column, allowed in (("unit", INDICATOR_UNITS), ("aggregate", INDICATOR_AGGREGATES)):
        values = [None if v is None else allowed.get(v.strip().lower(), v)
                  for v in frame[column]]
        frame[column] = pd.Series(_objects(values), index=frame.index, dtype=object)
    return frame


def normalise_forecast(frame: pd.DataFrame) -> pd.DataFrame:
    """``agreements.forecast`` as ``yes`` or ``no`` (``Nej`` -> ``no``), as :func:`_row_rules`
    checked; blank stays blank (yes)."""
    frame = frame.copy()
    values = [None if v is None else FORECAST_CHOICES.get(v.strip().lower(), v)
              for v in frame["forecast"]]
    frame["forecast"] = pd.Series(_objects(values), index=frame.index, dtype=object)
    return frame


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

    Each frame holds the :func:`checked_columns`, ``_origin`` (:data:`FILE_ORIGIN` for
    the file's rows, else the import id of the stored row) and ``_row`` (the file's row
    number; ``-1`` for stored rows).
    """

    frames: dict[str, pd.DataFrame]
    parsed: dict[str, ParsedTable]


def _where(state: AfterState, table: str, origin: int, row: int, column: str | None,
           code: str, **params) -> Problem:
    if origin == FILE_ORIGIN:
        return state.parsed[table].problem(code, row, column, **params)
    return Problem(code, table=table, column=column,
                   params={**params, "stored_import": int(origin)})


def _report(state: AfterState, name: str, df: pd.DataFrame, positions: np.ndarray,
            column: str | None, code: str, params) -> list[Problem]:
    """Problems at ``positions`` of ``df``: the file's rows, then stored rows (each
    capped); ``params(p)`` gives a problem's parameters."""
    if not len(positions):
        return []
    origin = df["_origin"].to_numpy()
    rows = df["_row"].to_numpy()
    from_file = origin[positions] == FILE_ORIGIN
    problems = []
    for part in (positions[from_file], positions[~from_file]):
        problems += capped(part, lambda p: _where(state, name, origin[p], rows[p], column,
                                                  code, **params(p)))
    return problems


def check_after(state: AfterState) -> list[Problem]:
    """References, cost categories and shares, and mixed breakdowns, after the import."""
    f = state.frames
    problems: list[Problem] = []
    agreements = set(f["agreements"]["agreement_id"])

    def pairs(name, a, b):
        return set(zip(f[name][a], f[name][b], strict=True))

    clusters = pairs("clusters", "agreement_id", "cluster_id")
    parties = pairs("parties", "agreement_id", "party_id")
    categories = pairs("cost_shares", "agreement_id", "cost_category")
    indicator_names = pairs("indicators", "agreement_id", "indicator") | \
        pairs("indicator_defs", "agreement_id", "indicator")
    places = dict(zip(f["agreements"]["agreement_id"],
                      f["agreements"]["municipalities"], strict=True)) \
        if "municipalities" in f["agreements"] else {}
    validity = {a: (f_[:7] if isinstance(f_, str) else None,
                    t_[:7] if isinstance(t_, str) else None)
                for a, f_, t_ in zip(f["agreements"]["agreement_id"],
                                     f["agreements"]["valid_from"],
                                     f["agreements"]["valid_to"], strict=True)}

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
        if df.empty:
            continue
        a = df["agreement_id"].to_numpy(dtype=object)
        known = is_member(a, agreements)
        problems += _report(state, name, df, np.flatnonzero(~known), "agreement_id",
                            "unknown_agreement", lambda p, a=a: {"value": a[p]})
        if "cluster_id" in table.column_names and name != "clusters":
            c = df["cluster_id"].to_numpy(dtype=object)
            check = np.flatnonzero(known & _filled(c))
            bad = check[~pairs_in([a[check], c[check]], clusters)]
            problems += _report(state, name, df, bad, "cluster_id", "unknown_cluster",
                                lambda p, a=a, c=c: {"value": c[p], "agreement": a[p]})
        for col in ("party_id", "paid_by"):
            if col in table.column_names and name != "parties":
                p_ = df[col].to_numpy(dtype=object)
                check = np.flatnonzero(known & _filled(p_))
                bad = check[~pairs_in([a[check], p_[check]], parties)]
                problems += _report(state, name, df, bad, col, "unknown_party",
                                    lambda p, a=a, v=p_: {"value": v[p], "agreement": a[p]})
        if name in ("occupancy", "staffing", "costs", "outcomes"):
            problems += _months_outside(state, name, df, a, known, validity)
        if name == "costs":
            cat = df["cost_category"].to_numpy(dtype=object)
            check = np.flatnonzero(known)
            bad = check[~pairs_in([a[check], cat[check]], categories)]
            problems += _report(state, name, df, bad, "cost_category",
                                "category_without_shares",
                                lambda p, a=a, v=cat: {"value": v[p], "agreement": a[p]})
        if name == "targets":
            kpi = df["kpi"].to_numpy(dtype=object)
            from_kolada = np.array([kolada_kpi(k) is not None for k in kpi], dtype=bool)
            check = np.flatnonzero(known & ~is_member(kpi, set(KPI_NAMES)) & ~from_kolada)
            bad = check[~pairs_in([a[check], kpi[check]], indicator_names)]
            problems += _report(state, name, df, bad, "kpi", "unknown_kpi",
                                lambda p, v=kpi: {"value": v[p],
                                                  "kpis": ", ".join(KPI_NAMES)})
            # kolada:KPI: the total of the agreement's one municipality (contract §9).
            check = np.flatnonzero(known & from_kolada)
            bad = check[[len(municipalities_of(places.get(x))) != 1 for x in a[check]]]
            problems += _report(state, name, df, bad, "kpi", "kolada_one_municipality",
                                lambda p, v=kpi: {"value": v[p]})
    problems += _share_sums(state)
    problems += _mixed_breakdowns(state)
    return problems


def _months_outside(state: AfterState, name: str, df: pd.DataFrame, a: np.ndarray,
                    known: np.ndarray, validity: dict) -> list[Problem]:
    """Months outside the agreement's valid_from..valid_to (as stored, or as in the file):
    such a row would open a period the agreement never had."""
    month = df["month"].to_numpy(dtype=object)
    first = np.array([validity.get(x, (None, None))[0] for x in a], dtype=object)
    last = np.array([validity.get(x, (None, None))[1] for x in a], dtype=object)
    check = known & ~is_none(month) & ~is_none(first) & ~is_none(last)
    at = np.flatnonzero(check)
    months = month[at].astype(str)
    bad = at[(months < first[at].astype(str)) | (months > last[at].astype(str))]
    return _report(state, name, df, bad, "month", "month_outside_validity",
                   lambda p: {"value": month[p], "agreement": a[p],
                              "valid_from": validity[a[p]][0],
                              "valid_to": validity[a[p]][1]})


# Which tables' rows point into a table (a change of the latter rechecks the former).
REFERRED_BY: dict[str, set[str]] = {
    "parties": {"agreements"},
    "clusters": {"agreements"},
    "targets": {"agreements", "clusters", "parties", "indicators", "indicator_defs"},
    "occupancy": {"agreements", "clusters"},
    "staffing": {"agreements", "clusters", "parties"},
    "cost_shares": {"agreements", "parties"},
    "costs": {"agreements", "parties", "cost_shares"},
    "outcomes": {"agreements", "clusters"},
    "indicators": {"agreements", "clusters"},
    "indicator_defs": {"agreements"},
}


def _first_file_first(df: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Per group id: the position of its first row of the file, else its first row."""
    stored = df["_origin"].to_numpy() != FILE_ORIGIN
    order = np.lexsort((np.arange(len(df)), stored, ids))
    starts = np.concatenate(([0], np.flatnonzero(np.diff(ids[order])) + 1))
    return order[starts]  # ids run from 0 without gaps, so index = id


def _share_sums(state: AfterState) -> list[Problem]:
    if "cost_shares" not in state.parsed:
        return []
    df = state.frames["cost_shares"]
    problems = []
    if df.empty:
        return problems
    ids = group_ids([df["agreement_id"], df["cost_category"]])
    first = _first_file_first(df, ids)
    shares = df["share"].to_numpy(dtype=object)
    unreadable = np.bincount(ids, weights=pd.isna(shares), minlength=len(first)) > 0
    totals = np.bincount(ids, weights=np.nan_to_num(_numbers(shares)), minlength=len(first))
    origin, rows = df["_origin"].to_numpy(), df["_row"].to_numpy()
    a, cat = df["agreement_id"].to_numpy(), df["cost_category"].to_numpy()
    bad = [g for g in range(len(first))
           if not unreadable[g] and abs(totals[g] - 1.0) > SHARE_SUM_TOLERANCE]
    for g in sorted(bad, key=lambda g: (a[first[g]], cat[first[g]])):
        p = first[g]
        pct = f"{totals[g] * 100:.1f}".replace(".", ",") + " %"
        problems.append(_where(state, "cost_shares", origin[p], rows[p], "share",
                               "shares_not_one", category=cat[p], agreement=a[p], total=pct))
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
        keys = [df[c].to_numpy(dtype=object) for c in group_cols]
        ids = group_ids(keys)
        first = None
        for col in (c for c in ("gender", "target_group") if c in df.columns):
            blank = df[col].to_numpy(dtype=object) == BLANK_KEY
            n_blank = np.bincount(ids, weights=blank)
            mixed = np.flatnonzero((n_blank > 0) & (n_blank < np.bincount(ids)))
            if not len(mixed):
                continue
            if first is None:
                first = _first_file_first(df, ids)
            positions = first[mixed]
            positions = np.array(sorted(positions, key=lambda p: tuple(k[p] for k in keys)),
                                 dtype=np.int64)
            problems += _report(state, name, df, positions, col, "mixed_breakdown",
                                lambda p, col=col, keys=keys: {
                                    "agreement": keys[0][p], "cluster": keys[1][p] or "–",
                                    "when": " ".join(str(k[p]) for k in keys[2:]),
                                    "breakdown": col})
    return problems
