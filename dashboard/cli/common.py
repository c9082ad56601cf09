"""What several commands share: checking an agreement, a period and a cluster given as
arguments, what to say about an empty database, and printing a listing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from dashboard.data import repository
from dashboard.domain.periods import Period, PeriodError
from dashboard.domain.safety import safe_cell
from dashboard.i18n import _
from dashboard.meetings.service import shown


def resolve(engine, agreement_id: str, period_text: str, cluster_id: str | None, lang: str):
    """Check the arguments of ``kpis`` and ``export``.

    Returns ``(data, period, None)``, or ``(None, None, (message, exit_code))``; the
    message never says back an identity number typed as an argument.
    """
    try:
        period = Period.parse(period_text)
    except PeriodError:
        return None, None, (_("cli.common.bad_period", lang, p=shown(period_text)), 2)
    start = period.year_earlier().start
    data = repository.load_agreement(engine, agreement_id, (start, period.end))
    if data is None:
        stored = list(repository.list_agreements(engine)["agreement_id"])
        if not stored:
            return None, None, (empty_database(engine, lang), 1)
        known = ", ".join(stored)
        return None, None, (_("cli.common.no_agreement", lang, id=shown(agreement_id),
                              known=known), 1)
    if cluster_id is not None and cluster_id not in data.cluster_ids:
        return None, None, (_("cli.common.no_cluster", lang, id=shown(cluster_id),
                              agreement=agreement_id,
                               known=", ".join(data.cluster_ids) or "–"), 1)
    return data, period, None


def empty_database(engine, lang: str) -> str:
    """That the database has no agreements, and how to load the demo data."""
    db = engine.url.render_as_string(hide_password=True)
    return f"{_('cli.common.empty', lang, db=db)}\n{_('cli.common.load_demo', lang)}"


def one_line(text: str | None) -> str:
    """A typed text on one line (a listing's cell or a line of ``meetings show``)."""
    return " ".join((text or "").split())


def print_listing(records: list, fmt: str, *, heads: tuple[str, ...], cells: Callable,
                  empty: str | None = None, as_json: Callable = lambda r: r) -> int:
    """A listing on standard output: JSON (``fmt == "json"``, each record through
    ``as_json``), or tab-separated lines under the column ``heads`` (from
    :func:`dashboard.i18n.column_heads`) with ``cells(record)`` each; the text ``empty``
    instead when there is nothing to list.
    Tab-separated text may end up in a spreadsheet, so every cell is made safe."""
    if fmt == "json":
        json.dump([as_json(r) for r in records], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not records and empty:
        print(empty)
        return 0
    print("\t".join(heads))
    for record in records:
        print("\t".join(str(safe_cell(c)) for c in cells(record)))
    return 0
