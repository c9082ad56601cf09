"""Kolada's values in: saved responses read from files, or the live API asked (contract.md
section 9). Both end in :func:`dashboard.data.repository.store_kolada`.

``fetch`` asks ``{KOLADA_URL}/data/kpi/{kpis}/municipality/{ids}/year/{years}`` with
``per_page`` (at most 5000), follows ``next_url`` to the last page, waits at most
``KOLADA_TIMEOUT`` seconds for an answer and tries again ``KOLADA_RETRIES`` times after a
failed connection, a timeout or a 5xx answer, waiting ``KOLADA_BACKOFF`` seconds, doubled
each time. Nothing is stored unless every page came (one query, one store).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard.data import repository
from dashboard.domain import kolada
from dashboard.domain.kolada import KoladaFormatError, Page

# Files larger than this are no saved page of Kolada's (a page of 5000 values is ~1 MB).
MAX_FILE_BYTES = 50_000_000
# Pages followed at most (a query for every municipality and ten years is ~10 pages).
MAX_PAGES = 1000


class KoladaFileError(Exception):
    """A file that is not a saved Kolada response: its name, and what is wrong."""

    def __init__(self, file: str, code: str, **params):
        super().__init__(f"{file}: {code}")
        self.file = file
        self.code = code
        self.params = params


class KoladaUnreachable(Exception):
    """The API could not be asked (no network, refused, timed out, a 5xx after every
    retry); ``url`` is what was asked, ``reason`` what happened, in short."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class KoladaAnswerError(Exception):
    """The API answered with something that is not a data page (4xx, or not v3's JSON)."""

    def __init__(self, url: str, code: str, **params):
        super().__init__(f"{url}: {code}")
        self.url = url
        self.code = code
        self.params = params


@dataclass(frozen=True)
class KoladaResult:
    """What an import or a fetch stored: values read, pages, and what storing did."""

    values: int
    pages: int
    stored: repository.KoladaStored


def read_files(paths: list[Path]) -> pd.DataFrame:
    """The values of saved pages (any order); raises :class:`KoladaFileError` naming the
    first file that is not one (nothing is stored then)."""
    pages: list[Page] = []
    for path in paths:
        name = Path(path).name
        try:
            if Path(path).stat().st_size > MAX_FILE_BYTES:
                raise KoladaFileError(name, "too_large", mb=MAX_FILE_BYTES // 1_000_000)
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise KoladaFileError(name, "missing") from None
        except IsADirectoryError:
            raise KoladaFileError(name, "not_a_file") from None
        except OSError as exc:
            raise KoladaFileError(name, "unreadable", detail=exc.strerror or "") from None
        try:
            pages.append(kolada.parse_page(data))
        except KoladaFormatError as exc:
            raise KoladaFileError(name, exc.code, **exc.params) from None
    return kolada.merge_pages(pages)


def import_files(engine: Engine, paths: list[Path]) -> KoladaResult:
    """``kolada import``: the values of saved pages, stored (idempotent)."""
    values = read_files(paths)
    names = ", ".join(Path(p).name for p in paths)
    return KoladaResult(len(values), len(paths),
                        repository.store_kolada(engine, values, names))


def data_url(base: str, kpis: list[str], municipalities: list[str], years: list[int],
             per_page: int = kolada.MAX_PER_PAGE) -> str:
    """The data endpoint's address for one query (contract section 9)."""
    quote = urllib.parse.quote
    path = (f"{base.rstrip('/')}/data/kpi/{quote(','.join(kpis))}"
            f"/municipality/{quote(','.join(municipalities))}")
    if years:
        path += f"/year/{quote(','.join(str(y) for y in years))}"
    return f"{path}?{urllib.parse.urlencode({'per_page': min(per_page, kolada.MAX_PER_PAGE)})}"


def _get(url: str, timeout: float, retries: int, backoff: float) -> bytes:
    """One page's body; retried after a failed connection, a timeout or a 5xx."""
    wait = backoff
    for attempt in range(retries + 1):
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                           "User-Agent": "samverkan-dashboard"})
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return answer.read(MAX_FILE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise KoladaAnswerError(url, "http", status=exc.code) from None
            reason = f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = str(getattr(exc, "reason", exc)) or type(exc).__name__
        if attempt < retries:
            time.sleep(wait)
            wait *= 2
    raise KoladaUnreachable(url, reason)


def fetch_values(base: str, kpis: list[str], municipalities: list[str], years: list[int], *,
                 timeout: float = 30.0, retries: int = 3, backoff: float = 1.0,
                 per_page: int = kolada.MAX_PER_PAGE) -> tuple[pd.DataFrame, int]:
    """Every page of one query (following ``next_url``): its values and how many pages."""
    url: str | None = data_url(base, kpis, municipalities, years, per_page)
    pages: list[Page] = []
    seen: set[str] = set()
    while url and len(pages) < MAX_PAGES:
        if url in seen:  # an answer pointing back at itself would never end
            break
        seen.add(url)
        body = _get(url, timeout, retries, backoff)
        try:
            pages.append(kolada.parse_page(body))
        except KoladaFormatError as exc:
            raise KoladaAnswerError(url, exc.code, **exc.params) from None
        url = pages[-1].next_url
    return kolada.merge_pages(pages), len(pages)


def fetch(engine: Engine, base: str, kpis: list[str], municipalities: list[str],
          years: list[int], **options) -> KoladaResult:
    """``kolada fetch``: ask the API and store what it gives (nothing on any failure)."""
    values, pages = fetch_values(base, kpis, municipalities, years, **options)
    return KoladaResult(len(values), pages,
                        repository.store_kolada(engine, values, base[:255]))
