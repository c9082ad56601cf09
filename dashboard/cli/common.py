"""What several commands share: checking an agreement, a period and a cluster given as
arguments, and what to say about an empty database."""

from __future__ import annotations

from dashboard.data import repository
from dashboard.domain.periods import Period, PeriodError
from dashboard.i18n import words
from dashboard.meetings.service import shown

_T = {
    "no_agreement": ("Överenskommelsen ”{id}” finns inte. Finns: {known}.",
                     "The agreement '{id}' does not exist. Stored: {known}."),
    "no_cluster": ("Klustret ”{id}” finns inte i {agreement}. Finns: {known}.",
                   "The cluster '{id}' does not exist in {agreement}. Stored: {known}."),
    "bad_period": ("”{p}” är ingen period. Skriv ÅÅÅÅ, ÅÅÅÅ-H1, ÅÅÅÅ-Q1, ÅÅÅÅ-MM eller "
                   "ÅÅÅÅ-MM..ÅÅÅÅ-MM.",
                   "'{p}' is not a period. Write YYYY, YYYY-H1, YYYY-Q1, YYYY-MM or "
                   "YYYY-MM..YYYY-MM."),
    "empty": ("Databasen {db} är tom: inga överenskommelser är importerade.",
              "The database {db} is empty: no agreements have been imported."),
    "load_demo": ("Ladda demodata med ”make load-demo” (eller starta appen med ”make run”: "
                  "den laddar data/demo/ i en tom databas), eller importera egna data med "
                  ".venv/bin/python -m dashboard import FIL.xlsx",
                  "Load the demo data with 'make load-demo' (or start the app with 'make run': "
                  "it loads data/demo/ into an empty database), or import your own with "
                  ".venv/bin/python -m dashboard import FILE.xlsx"),
}


def _t(key: str, lang: str, **kw) -> str:
    return words(_T, key, lang, kw)


def resolve(engine, agreement_id: str, period_text: str, cluster_id: str | None, lang: str):
    """Check the arguments of ``kpis`` and ``export``.

    Returns ``(data, period, None)``, or ``(None, None, (message, exit_code))``; the
    message never says back an identity number typed as an argument.
    """
    try:
        period = Period.parse(period_text)
    except PeriodError:
        return None, None, (_t("bad_period", lang, p=shown(period_text)), 2)
    start = period.year_earlier().start
    data = repository.load_agreement(engine, agreement_id, (start, period.end))
    if data is None:
        stored = list(repository.list_agreements(engine)["agreement_id"])
        if not stored:
            return None, None, (empty_database(engine, lang), 1)
        known = ", ".join(stored)
        return None, None, (_t("no_agreement", lang, id=shown(agreement_id), known=known), 1)
    if cluster_id is not None and cluster_id not in data.cluster_ids:
        return None, None, (_t("no_cluster", lang, id=shown(cluster_id), agreement=agreement_id,
                               known=", ".join(data.cluster_ids) or "–"), 1)
    return data, period, None


def empty_database(engine, lang: str) -> str:
    """That the database has no agreements, and how to load the demo data."""
    db = engine.url.render_as_string(hide_password=True)
    return f"{_t('empty', lang, db=db)}\n{_t('load_demo', lang)}"
