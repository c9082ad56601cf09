"""The benchmark of the comparison page: beside an agreement's (or a cluster's) figure, the
median and quartiles of the comparable ones, those of the same kind (``agreements.kind``:
``krami``, ``lok``, ``unga``, ...).

Pure pandas over the rows of :func:`dashboard.model.portfolio.compare` for every agreement
(not only those the person asking may see), computed once per data version, key figure,
level and period and kept (the comparison page's ``benchmark``); what one person then sees
of it is :func:`references_for`.

Small counts and rights (contract section 5; the argument is in docs/developers.md,
"The benchmark and small counts"):

* only values that are shown go in: a count of people from 1 to ``threshold - 1`` would be
  hidden as ``<5`` (an agreement is a part of its kind), a share of people is used only when
  its n and its numerator are each 0 or at least ``threshold``; such a value is not an input,
  so the reference is the same whatever it is, and it cannot be worked out from it;
* no reference for a kind with fewer than :data:`MIN_UNITS` units (and agreements) with
  shown values;
* a person sees the reference of a kind only when the units it is made from are all ones
  they see, or at least ``MIN_UNITS - 1`` of them are ones they do not see: three numbers
  cannot pin four unknowns, and a value one of them happens to equal cannot be tied to one
  agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain.kpis import KPI_TABLES, UNITS
from dashboard.domain.privacy import primary
from dashboard.people.rights import Rights

# The fewest units (agreements, or clusters of as many agreements) a reference is made of.
MIN_UNITS = 5
# The quartiles: linear interpolation between the sorted values, as Excel's KVARTIL.INK
# (QUARTILE.INC) and numpy's default.
QUANTILES = (0.25, 0.5, 0.75)


def people_count(kpi: str) -> bool:
    """A key figure that counts people (hidden when small)."""
    return UNITS.get(kpi) == "count"


def people_share(kpi: str) -> bool:
    """A share of people (completers in work or study ...): shown when its n and numerator
    are each 0 or at least the threshold."""
    return UNITS.get(kpi) == "share" and KPI_TABLES.get(kpi) == "outcomes"


def shown(kpi: str, value, n, threshold: int) -> bool:
    """Whether a unit's value of ``kpi`` is one a reference may be made from: there is one,
    and it is not a small count of people (nor a share of a small n or numerator)."""
    if value is None or pd.isna(value):
        return False
    if people_count(kpi):
        return not primary(value, threshold)
    if people_share(kpi):
        if n is None or pd.isna(n):
            return False
        return not primary(n, threshold) and not primary(round(value * n), threshold)
    return True


def unit_key(agreement_id: str, scope: str | None) -> str:
    """An agreement (``scope`` blank) or a cluster as one text (ids hold no ``/``)."""
    return f"{agreement_id}/{scope or ''}"


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Kvartil 1, the median and kvartil 3 of ``values`` (:data:`QUANTILES`)."""
    q1, median, q3 = np.quantile(np.asarray(values, dtype=float), QUANTILES)
    return float(q1), float(median), float(q3)


def benchmark(rows: pd.DataFrame, kinds: dict[str, str | None], kpi: str,
              threshold: int) -> dict[str, dict]:
    """Per kind: the reference of ``kpi`` among the units of ``rows`` (every agreement or
    every cluster, :func:`~dashboard.model.portfolio.compare`'s rows; their gender rows are
    not used) whose agreement is of that kind (``kinds``: agreement -> kind).

    Plain data (it is kept as JSON): ``{kind: {"units": {unit_key: value} (those it is made
    from), "agreements": n, "median", "q1", "q3"}}``, the three ``None`` when fewer
    than :data:`MIN_UNITS` units or agreements have shown values. An agreement without a
    kind has nothing comparable.
    """
    out: dict[str, dict] = {}
    if rows.empty:
        return out
    total = rows[rows["group"].fillna("") == ""]
    n = total["n"] if "n" in total else pd.Series(None, index=total.index)
    by_kind: dict[str, list] = {}
    for a, scope, value, count in zip(total["agreement_id"], total["scope"], total["value"],
                                      n, strict=True):
        kind = kinds.get(a)
        if kind and shown(kpi, value, count, threshold):
            by_kind.setdefault(kind, []).append((a, scope or "", float(value)))
    for kind in sorted({k for k in kinds.values() if k}):
        found = by_kind.get(kind, [])
        agreements = len({a for a, _s, _v in found})
        ref = {"units": {unit_key(a, s): v for a, s, v in found}, "agreements": agreements,
               "median": None, "q1": None, "q3": None}
        if len(found) >= MIN_UNITS and agreements >= MIN_UNITS:
            ref["q1"], ref["median"], ref["q3"] = quartiles([v for _a, _s, v in found])
        out[kind] = ref
    return out


@dataclass(frozen=True)
class Reference:
    """What one person sees of a kind's reference (``median`` ... ``None``: none shown)."""

    kind: str
    median: float | None
    q1: float | None
    q3: float | None
    units: int  # how many units it is made from

    @property
    def shown(self) -> bool:
        return self.median is not None


def references_for(bench: dict[str, dict], rights: Rights,
                   seen: list[tuple[str, str]]) -> dict[str, Reference]:
    """The reference of each kind as the person with ``rights`` may see it, ``seen`` being
    the units they are shown (their rows of the comparison): none for a kind with too few
    units, and none when the units it is made from are neither all theirs to see nor at
    least ``MIN_UNITS - 1`` of them not (with fewer unseen, the reference and the values
    they see could pin an agreement they may not see). Counts over ``seen`` only: nothing
    grows with the number of agreements in the country."""
    seen_keys = {unit_key(a, s) for a, s in seen if rights.sees(a, s or None)}
    out = {}
    for kind, ref in bench.items():
        units = ref["units"]
        median = ref["median"]
        if median is not None and not rights.admin:
            unseen = len(units) - sum(1 for k in seen_keys if k in units)
            if 0 < unseen < MIN_UNITS - 1:
                median = None
        out[kind] = Reference(kind, median, ref["q1"] if median is not None else None,
                              ref["q3"] if median is not None else None, len(units))
    return out


def with_reference(rows: pd.DataFrame, kinds: dict[str, str | None],
                   refs: dict[str, Reference]) -> pd.DataFrame:
    """``rows`` with the reference of each unit's kind: ``kind``, ``median``, ``q1``,
    ``q3`` and ``ref_units`` (``None`` where none is shown, and on gender rows)."""
    out = rows.copy()
    kind = [kinds.get(a) for a in out["agreement_id"]] if not out.empty else []
    out["kind"] = kind
    total = (out["group"].fillna("") == "") if not out.empty else []
    for col, attr in (("median", "median"), ("q1", "q1"), ("q3", "q3"),
                      ("ref_units", "units")):
        out[col] = [getattr(refs[k], attr) if t and k in refs and refs[k].shown else None
                    for k, t in zip(kind, total, strict=True)]
    return out
