"""The agreement view's context from Kolada (contract.md section 9): its municipalities'
values beside the country's, for the view's year, "Källa: Kolada, 2023", and ``..`` where
Kolada publishes nothing. Context, never the agreement's own result: a table of its own,
not a chart mixed with the agreement's figures. Pure: the values come with the view."""

from __future__ import annotations

from dash import html

from dashboard.domain import kolada
from dashboard.domain.kpis import AgreementData
from dashboard.domain.periods import Period
from dashboard.domain.places import municipality_name
from dashboard.i18n import _, fmt_number, kolada_label
from dashboard.web.ids import Ids


def kolada_section(data: AgreementData, period: Period, lang: str) -> html.Section | None:
    """The context table, or ``None`` when nothing from Kolada is stored for the
    agreement's municipalities (or it names none)."""
    municipalities = data.agreement.get("municipalities")
    if not kolada.municipalities_of(municipalities):
        return None
    year = kolada.context_year(data.kolada, municipalities, int(period.end[:4]))
    if year is None:
        return None
    places, rows = kolada.context_rows(data.kolada, municipalities, year)
    if not rows:
        return None
    head = html.Thead(html.Tr([html.Th(_("ui.kolada.kpi_head", lang), scope="col")] + [
        html.Th(_("ui.kolada.country", lang) if m == kolada.COUNTRY
                else municipality_name(m), scope="col", className="num") for m in places]))
    body = html.Tbody([
        html.Tr([html.Th(kolada_label(r.kpi, lang), scope="row")] + [
            html.Td(kolada.NOT_PUBLISHED if v is None else fmt_number(v, 1, lang),
                    className="num") for v in r.values], **{"data-kpi": r.kpi})
        for r in rows])
    missing = any(v is None for r in rows for v in r.values)
    return html.Section([
        html.H2(_("ui.kolada.title", lang)),
        html.P(_("ui.kolada.intro", lang), className="muted"),
        html.Table([head, body], className="table table-sm kolada-table"),
        html.P([_("ui.kolada.source", lang, years=year),
                html.Span(" · " + _("ui.kolada.not_published", lang)) if missing else None],
               className="source-line"),
    ], id=Ids.KOLADA, className="kolada-section",
        **{"data-year": str(year)})
