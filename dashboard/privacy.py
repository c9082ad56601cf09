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

from collections.abc import Hashable, Iterable

import pandas as pd

from .series import TOTAL

Cell = Hashable


def primary(value, threshold: int) -> bool:
    """A count that identifies: from 1 to ``threshold - 1``."""
    return value is not None and not pd.isna(value) and 0 < value < threshold


def complete(values: dict[Cell, float], hidden: set[Cell],
             relations: Iterable[tuple[Cell | None, list[Cell]]]) -> set[Cell]:
    """Hide more cells until no sum has exactly one unknown.

    ``relations`` are ``(total, parts)``: the parts add up to the total (a total of
    ``None`` is published). A reader solves any sum with exactly one unknown, the total
    included, so while some sum has exactly one unknown, its smallest shown part is hidden
    too (the least information lost). Then no hidden cell can be worked out by solving
    the sums one at a time (:func:`recomputable` checks this).
    """
    relations = list(relations)
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            unknown = [p for p in parts if p in hidden]
            if total is not None and total in hidden:
                unknown.append(total)
            if len(unknown) != 1:
                continue
            shown = [p for p in parts if p not in hidden]
            if not shown:
                continue  # a sum of one part: the part is the (published) total
            smallest = min(shown, key=lambda p: (values.get(p) or 0, str(p)))
            hidden.add(smallest)
            changed = True
    return hidden


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

COUNTS = ("completed", "work", "study", "other", "discontinued")


def suppress_outcomes(groups: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Outcome groups (the total first, then each group) with small counts hidden.

    Adds ``hidden`` (the hidden columns of the row, a tuple), ``small`` (those hidden for
    being from 1 to threshold - 1) and blanks them; ``share`` is
    blanked where its n is hidden or where it would give away a hidden work or study count.
    """
    out = groups.copy().astype(object)
    out["hidden"] = [()] * len(out)
    out["small"] = [()] * len(out)
    rows = [i for i, g in zip(out.index, out["group"], strict=True) if g != TOTAL]
    if not rows:
        return out
    values, relations = outcome_relations(out)
    hidden = {(i, col) for i in rows for col in COUNTS if primary(values[(i, col)], threshold)}
    # A shown share with a shown n publishes work + study: treat it as a cell that is
    # hidden exactly when the share is hidden (its n or one of its parts hidden).
    changed = True
    while changed:
        for i in rows:
            if {(i, "completed"), (i, "work"), (i, "study")} & hidden:
                hidden.add((i, "ws"))
        before = len(hidden)
        hidden = complete(values, hidden, relations)
        changed = len(hidden) != before
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
    row; work + study is a group's ``ws``; where every completer is accounted for,
    completed = work + study + other.
    """
    rows = [i for i, g in zip(groups.index, groups["group"], strict=True) if g != TOTAL]
    total = next((i for i, g in zip(groups.index, groups["group"], strict=True)
                  if g == TOTAL), None)
    values: dict[Cell, float] = {}
    for i in groups.index:
        for col in COUNTS:
            v = groups.at[i, col]
            values[(i, col)] = None if v is None or pd.isna(v) else float(v)
        work, study = values[(i, "work")], values[(i, "study")]
        values[(i, "ws")] = None if work is None or study is None else work + study
    relations: list[tuple[Cell | None, list[Cell]]] = []
    for col in (*COUNTS, "ws"):
        relations.append(((total, col) if total is not None else None,
                          [(i, col) for i in rows]))
    for i in rows:
        relations.append(((i, "ws"), [(i, "work"), (i, "study")]))
        parts = [values[(i, c)] or 0 for c in ("work", "study", "other")]
        if values[(i, "completed")] is not None and sum(parts) == values[(i, "completed")]:
            relations.append(((i, "completed"), [(i, "work"), (i, "study"), (i, "other")]))
    return values, relations


def recomputable(values: dict[Cell, float], hidden: set[Cell],
                 relations: Iterable[tuple[Cell | None, list[Cell]]]) -> set[Cell]:
    """Hidden cells a reader can work out exactly from the shown ones (should be empty).

    Repeatedly solves any known sum with exactly one unknown part, as a reader would.
    """
    known = {c for c in values if c not in hidden}
    relations = list(relations)
    found: set[Cell] = set()
    progress = True
    while progress:
        progress = False
        for total, parts in relations:
            if total is not None and total not in known:
                unknown = [p for p in parts if p not in known]
                if not unknown:  # all parts known: the total follows
                    known.add(total)
                    found.add(total)
                    progress = True
                continue
            unknown = [p for p in parts if p not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                found.add(unknown[0])
                progress = True
    return found & hidden
