"""The text alternative of a chart: what it shows, in the sentences a person would say.

``Beläggning – Krami Stockholm 2023 – 2023. Beläggning 78,3 i genomsnitt per månad, mål
minst 80: ▲ Nära målet.`` Built from the view's key figures (value, target, comparator,
status) and the panel's own words (its title, its sentences, *n*), never from the drawing,
so the screen, presentation mode and the exported documents say the same. Pages put it on
the chart's container as ``role="img"`` with ``aria-label``; the deck and the Word document
as the picture's alternative text.
"""

from __future__ import annotations

from dashboard.i18n import fmt_value, kpi_label, status_label, t
from dashboard.domain.kpis import KPI_NAMES, KpiValue
from dashboard.model.series import cluster_names, party_names
from dashboard.model.view import View
from dashboard.web.components.cards import previous_words, target_words

# Which key figures each chart draws (in the order they are said).
PANEL_KPIS = {
    "occupancy": ("occupancy",),
    "flow": ("started", "exited"),
    "outcomes": ("work_study_share", "completed", "work", "study", "other", "unknown",
                 "discontinued"),
    "staffing": ("fte_actual", "fte_committed", "fte_fulfilment", "fte_actual_min"),
    "costs": ("cost_total", "cost_due", "cost_paid", "cost_balance"),
}
# Said only where they have a target (the chart shows them, the sentences would be long).
ONLY_WITH_TARGET = {"fte_fulfilment", "cost_balance"}
CLUSTER_PANELS = {"clusters_occupancy": "occupancy", "clusters_share": "work_study_share"}
SHARE_UNITS = ("share", "percent")


def kpi_sentence(v: KpiValue, lang: str, name: str | None = None) -> str:
    """``Beläggning 78,3 i genomsnitt per månad, mål minst 80: ▲ Nära målet``."""
    name = name or kpi_label(v.kpi, lang)
    value = fmt_value(v.value, v.unit, lang) if v.value is not None else t("no_value", lang)
    text = f"{name} {value}"
    if v.kpi == "occupancy" and v.value is not None:
        text += f" {t('on_average', lang)}"
    if v.unit in SHARE_UNITS and v.n is not None:
        text += f" ({t('n_completed', lang, n=v.n)})"
    if v.comparator:
        text += f", {t('target', lang).lower()} {target_words(v, lang)}"
        earlier = previous_words(v, lang)
        if earlier:
            text += f" ({earlier[:1].lower()}{earlier[1:]})"
        text += f": {status_label(v.status, lang, v.comparator)}"
    return text


def _party_name(v: KpiValue, parties: dict[str, str], lang: str) -> str:
    name = kpi_label(v.kpi, lang)
    return f"{name} – {parties.get(v.party_id, v.party_id)}" if v.party_id else name


def chart_sentences(view: View, key: str, panel=None) -> list[str]:
    """The sentences of one chart of ``view`` (``key``: a panel key, ``indicators-2``, or
    ``cluster:<cluster_id>`` for a cluster's slide); ``panel`` adds its own sentences."""
    lang = view.lang
    parties = party_names(view.data)
    out: list[str] = []
    if key.startswith("cluster:"):
        cluster = key.split(":", 1)[1]
        out = [kpi_sentence(v, lang) for v in view.values
               if v.cluster_id == cluster and v.party_id is None
               and (v.kpi == "occupancy" or v.comparator)]
    elif key in CLUSTER_PANELS:
        names = cluster_names(view.data)
        kpi = CLUSTER_PANELS[key]
        out = [kpi_sentence(v, lang, f"{names.get(v.cluster_id, v.cluster_id)}: "
                                     f"{kpi_label(kpi, lang)}")
               for v in view.values if v.kpi == kpi and v.cluster_id is not None
               and v.party_id is None]
    elif key.split("-")[0] == "indicators":
        table = getattr(panel, "table", None)
        shown = list(table["name"]) if table is not None and "name" in table else None
        out = [kpi_sentence(v, lang) for v in view.scope_values()
               if v.kpi not in KPI_NAMES and v.kpi not in _ALL_PANEL_KPIS
               and (shown is None or v.kpi in shown)]
    else:
        wanted = PANEL_KPIS.get(key.split("-")[0], ())
        order = list(parties)
        values = [v for v in view.scope_values() if v.kpi in wanted]
        # The whole first, then party by party (as the chart's bars are grouped).
        values.sort(key=lambda v: (v.party_id is not None,
                                   order.index(v.party_id) if v.party_id in order else 0,
                                   wanted.index(v.kpi)))
        out = [kpi_sentence(v, lang, _party_name(v, parties, lang)) for v in values
               if v.comparator or (v.value is not None and v.kpi not in ONLY_WITH_TARGET)]
    for sentence in getattr(panel, "sentences", None) or []:
        if sentence not in out:
            out.append(sentence)
    return out


_ALL_PANEL_KPIS = {k for kpis in PANEL_KPIS.values() for k in kpis}


def chart_text(view: View, key: str, title: str, panel=None, where: str | None = None) -> str:
    """The whole text alternative: ``title – where – period.`` then the sentences."""
    head = f"{title} – {where or view.where} – {view.period_text}"
    parts = [head, *chart_sentences(view, key, panel)]
    return " ".join(p.rstrip(".") + "." for p in parts if p)


def pack_chart_text(view: View, chart) -> str:
    """The text alternative of a chart of the meeting pack (``chart``: its ``key``,
    ``what`` and ``panel``, :class:`dashboard.export.pack.Chart`), for the deck's and the
    Word document's pictures."""
    key, what = chart.key, chart.what
    if key.startswith("cluster:") and " – " in what:  # "Beläggning – Järva"
        title, where = what.split(" – ", 1)
        return chart_text(view, key, title, chart.panel, where)
    return chart_text(view, key, what, chart.panel)
