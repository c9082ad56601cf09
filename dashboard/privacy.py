"""Small counts in breakdowns are hidden in everything exported (the minutes are public).

Primary suppression: a count from 1 to ``threshold - 1`` in a breakdown (by gender or
target group) is hidden and shown as "<5". Complementary suppression: a reader knows
the totals (they are published) and can add and subtract, so wherever a sum is known
and only one of its parts is hidden, another part is hidden too, until every hidden
count has at least one hidden companion in every sum it belongs to. A share of a
group is hidden when its n is hidden or when it would give away a hidden count.

The live app shows its users the real figures; only exports go through here.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from dashboard.model.series import TOTAL

Cell = Hashable


def primary(value, threshold: int) -> bool:
    """A count that identifies: from 1 to ``threshold - 1``."""
    return value is not None and not pd.isna(value) and 0 < value < threshold


SEARCH_DEPTH = 3  # extra cells tried together before hiding one at a time
KEEP_COST = 1e9


def complete(values: dict[Cell, float], hidden: set[Cell],
             relations: Iterable[tuple[Cell | None, list[Cell]]],
             keep: set[Cell] = frozenset()) -> set[Cell]:
    """Hide more cells until no hidden cell can be worked out.

    ``relations`` are ``(total, parts)``: the parts add up to the total (a total of
    ``None`` is published). A reader can solve the sums together (:func:`recomputable`).
    While some hidden cell is determined, the cells of the sums linked to it are tried, up
    to :data:`SEARCH_DEPTH` together, and the set with the smallest sum that leaves nothing
    determined is hidden (the least information lost: typically the rectangle a small
    count makes with another group and another column); failing that, the one cell that
    leaves the fewest determined. Published totals are never hidden, and the cells in
    ``keep`` (the shares worth showing and their n) only when nothing else would do.
    """
    relations = list(relations)
    hidden = set(hidden)
    public = inherent(values, relations)

    def left(cells: set[Cell]) -> set[Cell]:
        return recomputable(values, cells, relations, public=public)

    def weight(cells) -> float:
        # A kept cell (a share worth showing, or its n) costs more than any count.
        return sum((values.get(c) or 0) + (KEEP_COST if c in keep else 0) for c in cells)

    while True:
        found = left(hidden)
        if not found:
            return hidden
        # The cells of the sums linked to the determined ones, and of the sums those cells
        # are in (a rectangle: another column of the group, and both in another group).
        first = _neighbours(found, hidden, relations) - public
        near = (first | _neighbours(first, hidden, relations)) - hidden - public
        candidates = sorted(near, key=lambda c: (weight([c]), str(c)))
        if not candidates:
            return hidden  # nothing left to hide: the totals themselves give it away
        best = None
        for size in range(1, min(SEARCH_DEPTH, len(candidates)) + 1):
            for extra in itertools.combinations(candidates, size):
                if best is not None and weight(extra) >= weight(best):
                    continue
                if not left(hidden | set(extra)):
                    best = extra
            if best is not None:
                break
        if best is not None:
            return hidden | set(best)
        hidden.add(min(candidates, key=lambda c: (c in keep, len(left(hidden | {c})),
                                                  values.get(c) or 0, str(c))))


def _neighbours(found: set[Cell], hidden: set[Cell],
                relations: list[tuple[Cell | None, list[Cell]]]) -> set[Cell]:
    """The parts of every sum linked to ``found`` through hidden cells: where hiding one
    more cell can make the determined cells undetermined again."""
    reach = set(found)
    linked: list[tuple[Cell | None, list[Cell]]] = []
    grew = True
    while grew:
        grew = False
        for rel in relations:
            total, parts = rel
            members = set(parts) | ({total} if total is not None else set())
            if rel not in linked and members & reach:
                linked.append(rel)
                more = (members & hidden) - reach
                if more:
                    reach |= more
                    grew = True
    # The parts of the linked sums, and their totals where a total is itself a part of
    # another sum (a group's n), never a published total (the total row).
    parts_anywhere = {p for _, ps in relations for p in ps}
    return {p for _, parts in linked for p in parts} | \
        {total for total, _ in linked if total in parts_anywhere}


# --------------------------------------------------------------------------- occupancy


def suppress_monthly(monthly: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``month, group, participants`` with ``hidden`` and ``small`` (1 to threshold - 1)
    per cell, and hidden values blanked.

    Each month's groups add up to the month's total, which is published.
    """
    out = monthly.copy()
    if out.empty or (out["group"] == TOTAL).all():
        out["hidden"] = False
        out["small"] = False
        return out
    values = {(m, g): v for m, g, v in zip(out["month"], out["group"], out["participants"],
                                           strict=True)}
    hidden = {cell for cell, v in values.items() if primary(v, threshold)}
    relations = [(None, [c for c in values if c[0] == m]) for m in out["month"].unique()]
    hidden = complete(values, hidden, relations)
    out["hidden"] = [(m, g) in hidden for m, g in zip(out["month"], out["group"], strict=True)]
    out["small"] = [primary(v, threshold) for v in out["participants"]]
    out["participants"] = out["participants"].astype(object).where(~out["hidden"], None)
    return out


# --------------------------------------------------------------------------- outcomes

COUNTS = ("completed", "work", "study", "other", "unknown", "discontinued")


def suppress_outcomes(groups: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Outcome groups (the total first, then each group) with small counts hidden, and as
    little else as possible (contract section 5).

    Adds ``hidden`` (the hidden columns of the row, a tuple, ``"share"`` among them when the
    share is not shown) and ``small`` (those hidden for being from 1 to threshold - 1), and
    blanks them. A group's share in work or study is shown when its numerator (work +
    study) and its n (completed) are each 0 or at least ``threshold`` and neither is hidden
    to protect another count: women 5 of 18 stay a share even when their 2 in studies is
    hidden (then their work, and the other groups' work and study, are hidden with it).
    """
    out = groups.copy().astype(object)
    if "unknown" not in out:
        out["unknown"] = None
    out["hidden"] = [()] * len(out)
    out["small"] = [()] * len(out)
    rows = [i for i, g in zip(out.index, out["group"], strict=True) if g != TOTAL]
    if not rows:
        return out
    values, relations = outcome_relations(out)
    hidden = {(i, col) for i in rows for col in (*COUNTS, "ws")
              if primary(values[(i, col)], threshold)}
    # Shares worth showing (numerator and n each 0 or at least the threshold) are kept,
    # with their n, while counts can be hidden instead.
    keep = {(i, c) for i in rows for c in ("ws", "completed")
            if (i, "ws") not in hidden and (i, "completed") not in hidden}
    # A share is shown only with its n: a hidden n takes the share (work + study) with it.
    changed = True
    while changed:
        for i in rows:
            if (i, "completed") in hidden:
                hidden.add((i, "ws"))
        before = len(hidden)
        hidden = complete(values, hidden, relations, keep)
        changed = len(hidden) != before or any(
            (i, "completed") in hidden and (i, "ws") not in hidden for i in rows)
    for i in rows:
        cols = tuple(c for c in COUNTS if (i, c) in hidden)
        out.at[i, "hidden"] = cols + (("share",) if (i, "ws") in hidden else ())
        out.at[i, "small"] = tuple(c for c in cols if primary(values[(i, c)], threshold))
        for c in cols:
            out.at[i, c] = None
        if (i, "ws") in hidden:
            out.at[i, "share"] = None
    return out


def outcome_relations(groups: pd.DataFrame) -> tuple[dict, list]:
    """The cells of an outcome table and the sums a reader knows between them.

    Cells are ``(row, column)`` for the counts and ``(row, "ws")`` for work + study (which
    a shown share times its n publishes). The groups of each column add up to the total
    row; work + study is a group's ``ws``; and a group's completers are its work, study,
    other and unknown (the parts always add up to n).
    """
    rows = [i for i, g in zip(groups.index, groups["group"], strict=True) if g != TOTAL]
    total = next((i for i, g in zip(groups.index, groups["group"], strict=True)
                  if g == TOTAL), None)
    values: dict[Cell, float] = {}
    for i in groups.index:
        for col in COUNTS:
            v = groups.at[i, col] if col in groups else None
            values[(i, col)] = None if v is None or pd.isna(v) else float(v)
        if values[(i, "unknown")] is None and values[(i, "completed")] is not None:
            values[(i, "unknown")] = values[(i, "completed")] - sum(
                values[(i, c)] or 0 for c in ("work", "study", "other"))
        work, study = values[(i, "work")], values[(i, "study")]
        values[(i, "ws")] = None if work is None or study is None else work + study
    relations: list[tuple[Cell | None, list[Cell]]] = []
    for col in (*COUNTS, "ws"):
        relations.append(((total, col) if total is not None else None,
                          [(i, col) for i in rows]))
    for i in rows:
        relations.append(((i, "ws"), [(i, "work"), (i, "study")]))
        if values[(i, "completed")] is not None:
            relations.append(((i, "completed"), [(i, "work"), (i, "study"), (i, "other"),
                                                 (i, "unknown")]))
    return values, relations


def inherent(values: dict[Cell, float],
             relations: Iterable[tuple[Cell | None, list[Cell]]]) -> set[Cell]:
    """Cells the published totals give away whatever is hidden (the parts of a total of 0
    are 0): hiding them protects nothing, and their being known reveals nothing more."""
    relations = list(relations)
    parts = {p for _, ps in relations for p in ps}
    return _determined(values, parts, relations)


def recomputable(values: dict[Cell, float], hidden: set[Cell],
                 relations: Iterable[tuple[Cell | None, list[Cell]]], *,
                 public: set[Cell] | None = None) -> set[Cell]:
    """Hidden cells a reader can work out exactly from the shown ones (should be empty).

    The reader knows every shown cell and every sum. The hidden cells are unknowns of a
    system of linear equations; a hidden cell is determined when its unit vector lies in
    the span of the equations (solving sums together, not only one at a time). Counts
    are never negative, so a sum whose unknowns must add up to 0 gives each of them as 0.
    Cells the published totals alone give away (:func:`inherent`) are not counted.
    """
    relations = list(relations)
    if public is None:
        public = inherent(values, relations)
    return _determined(values, hidden, relations) - public


def _determined(values: dict[Cell, float], hidden: set[Cell],
                relations: list[tuple[Cell | None, list[Cell]]]) -> set[Cell]:
    """The hidden cells that the shown cells and the sums determine."""
    unknown = sorted(hidden, key=str)
    known: set[Cell] = set()
    while True:
        rest = [c for c in unknown if c not in known]
        if not rest:
            return known & hidden
        index = {c: i for i, c in enumerate(rest)}
        rows = []
        new: set[Cell] = set()
        for total, parts in relations:
            row = np.zeros(len(rest))
            remainder = 0.0  # what the unknowns of this sum must add up to
            for p in parts:
                if p in index:
                    row[index[p]] += 1
                else:
                    remainder -= values.get(p) or 0
            if total is not None:
                if total in index:
                    row[index[total]] -= 1
                else:
                    remainder += values.get(total) or 0
            elif parts:
                remainder += sum(values.get(p) or 0 for p in parts)
            if row.any():
                rows.append(row)
                # Counts are never negative: unknowns that must add up to 0 are each 0.
                if (row >= 0).all() and abs(remainder) < 1e-9:
                    new |= {c for c in rest if row[index[c]] > 0}
        if rows:
            # A cell is determined when every solution of the equations keeps it fixed:
            # its coordinate is 0 in every vector of the null space.
            matrix = np.array(rows)
            _, sv, vt = np.linalg.svd(matrix)
            rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0))).sum())
            null = vt[rank:]
            for c in rest:
                if null.shape[0] == 0 or np.abs(null[:, index[c]]).max() < 1e-9:
                    new.add(c)
        new -= known
        if not new:
            return known & hidden
        known |= new


# --------------------------------------------------------------------------- comparison


def suppress_compare(rows: pd.DataFrame, threshold: int, share: bool) -> pd.DataFrame:
    """One key figure per agreement (or cluster) and, under it, per gender: a gender's
    figure from 1 to ``threshold - 1`` is hidden, and for a share its n and numerator as
    well; then, wherever an agreement's total and its genders' parts are shown together, as
    many more parts as it takes that none can be worked out (:func:`complete`). Adds
    ``hidden`` and ``small``; blanks hidden values."""
    out = rows.copy()
    out["hidden"] = False
    out["small"] = False
    if out.empty or (out["group"] == "").all():
        return out
    values: dict = {}
    hidden: set = set()
    relations = []
    for _key, group in out.groupby(["agreement_id", "scope"], sort=False):
        parts = group[group["group"] != ""]
        if parts.empty:
            continue
        total = group[group["group"] == ""]
        measures = ("n", "ws") if share else ("v",)
        for i, rec in parts.iterrows():
            cells = _compare_cells(rec, share)
            for m in measures:
                values[(i, m)] = cells[m]
                if primary(cells[m], threshold):
                    hidden.add((i, m))
        if not total.empty:
            t = _compare_cells(total.iloc[0], share)
            for m in measures:
                values[(total.index[0], m)] = t[m]
                got = [values[(i, m)] for i in parts.index]
                if None not in got and t[m] is not None and abs(sum(got) - t[m]) < 1e-9:
                    relations.append(((total.index[0], m), [(i, m) for i in parts.index]))
    if share:
        hidden |= {(i, "ws") for i, m in list(hidden) if m == "n"}
        hidden |= {(i, "n") for i, m in list(hidden) if m == "ws"}
    hidden = complete(values, hidden, relations)
    rows_hidden = {i for i, _ in hidden}
    out["hidden"] = [i in rows_hidden for i in out.index]
    out["small"] = [any(primary(values.get((i, m)), threshold) for m in ("n", "ws", "v"))
                    for i in out.index]
    out["value"] = out["value"].astype(object).where(~out["hidden"], None)
    if "n" in out:
        out["n"] = out["n"].astype(object).where(~out["hidden"], None)
    return out


def _compare_cells(rec, share: bool) -> dict:
    value = rec.get("value")
    value = None if value is None or pd.isna(value) else float(value)
    if not share:
        return {"v": value}
    n = rec.get("n")
    n = None if n is None or pd.isna(n) else float(n)
    ws = None if n is None or value is None else round(value * n)
    return {"n": n, "ws": ws}
