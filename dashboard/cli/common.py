"""What several commands share: checking an agreement, a period and a cluster given as
arguments, and what to say about an empty database."""

from __future__ import annotations

from dashboard.data import repository
from dashboard.domain.periods import Period, PeriodError
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
