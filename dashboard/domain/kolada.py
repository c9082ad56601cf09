"""Municipal statistics from Kolada (contract.md section 9): pure rules, no I/O.

* :func:`parse_page`: one saved (or fetched) page of a response of Kolada's API v3 data
  endpoint, ``{"count": N, "values": [{"kpi", "municipality", "period", "values":
  [{"gender", "count", "status", "value"}, ...]}, ...], "next_url": ...}``, as rows
  ``(kpi, municipality, period, gender, value)``; anything else is refused with
  :class:`KoladaFormatError`, which says what is wrong (the caller names the file).
* :func:`merge_pages`: the rows of several pages, in any order, one row per key (the
  same value twice is one row).
* :func:`indicator_rows`: ``kolada:KPI`` targets of an agreement with one municipality
  read as an indicator: the municipality's total (``T``) for a year.
* :func:`context_rows`: what the agreement view shows beside its own outcomes: the
  agreement's municipalities and the country (``0000``), one year.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import pandas as pd

PREFIX = "kolada:"
COUNTRY = "0000"
TOTAL = "T"
GENDERS = ("T", "K", "M")
# Kolada's own mark where it publishes no value.
NOT_PUBLISHED = ".."
SOURCE = "Kolada"
MAX_PER_PAGE = 5000
# The key figures the demo and the docs name (contract section 9).
DEMO_KPIS = ("N03937", "N03926", "N31807")
COLUMNS = ["kpi", "municipality", "period", "gender", "value"]
KEY = ["kpi", "municipality", "period", "gender"]

_KPI = re.compile(r"^[A-Z]\d{5}$")
_MUNICIPALITY = re.compile(r"^\d{4}$")


class KoladaFormatError(ValueError):
    """A page that is not a Kolada v3 data response; ``code`` names the text that says
    what is wrong (``cli.kolada.bad_<code>``) and ``params`` its values."""

    def __init__(self, code: str, **params):
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Page:
    """One page: its rows and where the next page is (``None`` on the last)."""

    rows: list[tuple[str, str, int, str, float | None]]
    next_url: str | None
    count: int | None


def is_kpi(code: str) -> bool:
    """A Kolada key figure's id, ``N03937``."""
    return bool(_KPI.match(code or ""))


def kolada_kpi(target_kpi: str | None) -> str | None:
    """The Kolada id of a target's ``kolada:KPI`` (``None`` for any other key figure)."""
    if not isinstance(target_kpi, str) or not target_kpi.startswith(PREFIX):
        return None
    code = target_kpi[len(PREFIX):]
    return code if is_kpi(code) else None


def is_municipality(code: str) -> bool:
    return bool(_MUNICIPALITY.match(code or ""))


def parse_page(text: str | bytes) -> Page:
    """One page of a response, checked; raises :class:`KoladaFormatError`."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise KoladaFormatError("json", detail=str(exc)[:120]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise KoladaFormatError("shape")
    next_url = doc.get("next_url")
    if next_url is not None and not isinstance(next_url, str):
        raise KoladaFormatError("next_url")
    count = doc.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
        raise KoladaFormatError("count")
    rows = []
    for i, entry in enumerate(doc["values"], start=1):
        if not isinstance(entry, dict):
            raise KoladaFormatError("entry", n=i)
        kpi, municipality, period = (entry.get("kpi"), entry.get("municipality"),
                                     entry.get("period"))
        if not isinstance(kpi, str) or not is_kpi(kpi):
            raise KoladaFormatError("kpi", n=i, value=str(kpi)[:20])
        if not isinstance(municipality, str) or not is_municipality(municipality):
            raise KoladaFormatError("municipality", n=i, value=str(municipality)[:20])
        year = _year(period)
        if year is None:
            raise KoladaFormatError("period", n=i, value=str(period)[:20])
        values = entry.get("values")
        if not isinstance(values, list):
            raise KoladaFormatError("entry", n=i)
        for cell in values:
            gender = cell.get("gender") if isinstance(cell, dict) else None
            if gender not in GENDERS:
                raise KoladaFormatError("gender", n=i, value=str(gender)[:20])
            value = cell.get("value")
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, int | float)
                                      or not math.isfinite(value)):
                raise KoladaFormatError("value", n=i, value=str(value)[:20])
            rows.append((kpi, municipality, year, gender,
                         None if value is None else float(value)))
    if count is not None and count < 0:
        raise KoladaFormatError("count")
    return Page(rows, next_url, count)


def _year(period) -> int | None:
    if isinstance(period, bool):
        return None
    if isinstance(period, int):
        year = period
    elif isinstance(period, str) and re.fullmatch(r"\d{4}", period):
        year = int(period)
    else:
        return None
    return year if 1900 <= year <= 2100 else None


def merge_pages(pages: list[Page]) -> pd.DataFrame:
    """The rows of ``pages`` (any order) as one frame, one row per key; where two pages
    give one key different values, the later page's wins."""
    rows = [row for page in pages for row in page.rows]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["value"] = frame["value"].astype(float)
    return frame.drop_duplicates(KEY, keep="last").reset_index(drop=True)


def years(text: str | None) -> list[int]:
    """``2023`` or ``2021..2023`` as the years it names (``[]`` for none); raises
    ``ValueError`` for anything else."""
    if not text:
        return []
    m = re.fullmatch(r"\s*(\d{4})\s*(?:\.\.\s*(\d{4})\s*)?", text)
    if not m:
        raise ValueError(text)
    first = int(m.group(1))
    last = int(m.group(2) or first)
    if last < first or last - first > 50:
        raise ValueError(text)
    return list(range(first, last + 1))


def municipalities_of(text: str | None) -> list[str]:
    """An agreement's ``municipalities`` (``0180;1280``) as codes, in order."""
    if not isinstance(text, str):
        return []
    return [c for c in re.split(r"[;,\s]+", text) if c]


def indicator_rows(values: pd.DataFrame, agreement_id: str, municipalities: str | None,
                   targets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``kolada:KPI`` targets of an agreement with exactly one municipality as an
    indicator (contract section 9): per year, the municipality's total (``T``).

    Returns indicator rows (agreement_id, cluster_id ``''``, period ``YYYY``, indicator,
    gender ``''``, value, value_unit ``''``, source) and their indicator_defs rows (name
    none: the catalogue's, unit ``number``, aggregate ``last``, source ``Kolada``). A year
    Kolada publishes nothing for has no row (no value, status grey)."""
    rows = pd.DataFrame(columns=["agreement_id", "cluster_id", "period", "indicator",
                                 "gender", "value", "value_unit", "source"])
    defs = pd.DataFrame(columns=["agreement_id", "indicator", "name", "unit", "aggregate",
                                 "source"])
    places = municipalities_of(municipalities)
    if len(places) != 1 or targets is None or targets.empty or values.empty:
        return rows, defs
    wanted = sorted({k for k in map(kolada_kpi, targets["kpi"]) if k})
    if not wanted:
        return rows, defs
    mine = values[(values["municipality"] == places[0]) & (values["gender"] == TOTAL)
                  & values["kpi"].isin(wanted) & values["value"].notna()]
    mine = mine.sort_values(["kpi", "period"])
    rows = pd.DataFrame({
        "agreement_id": agreement_id, "cluster_id": "",
        "period": mine["period"].astype(int).astype(str).to_numpy(dtype=object),
        "indicator": (PREFIX + mine["kpi"]).to_numpy(dtype=object), "gender": "",
        "value": mine["value"].astype(float).to_numpy(), "value_unit": "",
        "source": SOURCE}, columns=rows.columns)
    defs = pd.DataFrame({"agreement_id": agreement_id,
                         "indicator": [PREFIX + k for k in wanted],
                         "name": None, "unit": "number",
                         "aggregate": "last", "source": SOURCE}, columns=defs.columns)
    return rows, defs


@dataclass(frozen=True)
class ContextRow:
    """One key figure of the context table: its value per place (``None``: ``..``)."""

    kpi: str
    values: tuple[float | None, ...]


def context_rows(values: pd.DataFrame, municipalities: str | None,
                 year: int) -> tuple[list[str], list[ContextRow]]:
    """The places (the agreement's municipalities with anything stored, then the country)
    and per key figure held for any of them their totals for ``year``; ``None`` where
    Kolada publishes nothing (``..``). A municipality nothing was fetched for is left out
    rather than shown as ``..`` (that would say Kolada has nothing for it)."""
    if values is None or values.empty:
        return [COUNTRY], []
    held = set(values["municipality"])
    places = [*[m for m in municipalities_of(municipalities) if m != COUNTRY and m in held],
              COUNTRY]
    shown = values[values["municipality"].isin(places) & (values["gender"] == TOTAL)]
    kpis = sorted(set(shown["kpi"]))
    at = shown[shown["period"] == year]
    lookup = {(k, m): v for k, m, v in zip(at["kpi"], at["municipality"], at["value"],
                                           strict=True)}
    out = []
    for kpi in kpis:
        cells = tuple(None if (v := lookup.get((kpi, m))) is None or pd.isna(v) else float(v)
                      for m in places)
        out.append(ContextRow(kpi, cells))
    return places, out


def show_rows(values: pd.DataFrame, municipalities: str | None,
              year: int | None = None) -> list[dict]:
    """``kolada show``'s JSON (contract section 9): per place (the agreement's
    municipalities and the country), key figure, year and gender, the value (``None``
    where not published), sorted by key figure, place (in the agreement's order, the
    country last), year and gender (T, K, M)."""
    places = [*[m for m in municipalities_of(municipalities) if m != COUNTRY], COUNTRY]
    if values.empty:
        return []
    sub = values[values["municipality"].isin(places)]
    if year is not None:
        sub = sub[sub["period"] == year]
    order = {m: i for i, m in enumerate(places)}
    gender_order = {g: i for i, g in enumerate(GENDERS)}
    recs = sorted(sub.to_dict("records"),
                  key=lambda r: (r["kpi"], order[r["municipality"]], int(r["period"]),
                                 gender_order.get(r["gender"], 9)))
    return [{"municipality": r["municipality"], "kpi": r["kpi"], "period": int(r["period"]),
             "gender": r["gender"],
             "value": None if r["value"] is None or pd.isna(r["value"]) else float(r["value"])}
            for r in recs]


def context_year(values: pd.DataFrame | None, municipalities: str | None,
                 year: int) -> int | None:
    """The year the view's context shows for a period ending in ``year``: ``year`` when
    Kolada has any value for the agreement's places then, else the latest year before it
    that has one (Kolada publishes a year some months after it ends); ``None``: none."""
    if values is None or values.empty:
        return None
    places = [*municipalities_of(municipalities), COUNTRY]
    held = values[values["municipality"].isin(places) & values["value"].notna()
                  & (values["period"] <= year)]
    return int(held["period"].max()) if not held.empty else None
