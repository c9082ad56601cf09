"""The national portfolio's totals per county (län) or per kind: a table on the page and a
CSV for the minutes with small counts hidden (contract section 5).

Pure: from :func:`dashboard.model.portfolio.group_totals` (sums kept per data version) to a
``html.Table`` or CSV text. A share is the group's summed numerator over its summed
denominator (never a mean of the agreements' shares) and is shown with its n.
"""

from __future__ import annotations

import csv
import io

from dash import html

from dashboard.domain.kpis import UNITS
from dashboard.domain.periods import parse_period_or_none
from dashboard.domain.places import COUNTIES
from dashboard.domain.privacy import primary
from dashboard.domain.safety import safe_csv_cell
from dashboard.i18n import (
    _,
    csv_delimiter,
    fmt_value,
    kind_label,
    kpi_label,
    period_label,
    status_label,
    status_symbol,
)
from dashboard.model.portfolio import NO_COUNTY, SEVERAL, STATUSES, suppress_totals


def group_label(key: str, by: str, lang: str) -> str:
    """``01`` -> ``Stockholms län``; ``several`` -> ``Flera län``; a kind in words."""
    if by == "county":
        if key == SEVERAL:
            return _("web.components.totals.texts.several_counties", lang)
        if key == NO_COUNTY:
            return _("web.components.totals.texts.no_county", lang)
        return COUNTIES.get(key, key)
    return kind_label(key, lang) if key else _("web.components.totals.texts.no_kind", lang)


def _periods(texts: list[str], lang: str) -> str:
    out = []
    for text in texts:
        p = parse_period_or_none(text)
        out.append(period_label(p, lang) if p else text)
    return ", ".join(out)


# The columns of the totals: (field, the unit to write it in).
FIGURES = (("occupancy", UNITS.get("occupancy", "count")),
           ("started", UNITS.get("started", "count")),
           ("completed", UNITS.get("completed", "count")),
           ("work_study_share", "share"),
           ("fte_fulfilment", UNITS.get("fte_fulfilment", "share")))


def _heads(by: str, lang: str) -> list[str]:
    """The columns' names in words (the CSV's, and the table's for screen readers)."""
    return [_(f"web.components.totals.texts.{by}", lang),
            _("web.components.totals.texts.agreements_col", lang),
            *[_("web.components.totals.texts.targets_col", lang,
                status=status_label(s, lang)) for s in STATUSES],
            *[kpi_label(f, lang) for f, _unit in FIGURES],
            _("web.components.totals.texts.periods", lang)]


def _head_cell(index: int, text: str) -> html.Th:
    """A column's head: a status column by its symbol (its words for screen readers and on
    hovering), the others in words, wrapping."""
    if 2 <= index <= 5:
        symbol = status_symbol(STATUSES[index - 2])
        return html.Th([html.Span(symbol, **{"aria-hidden": "true"}),
                        html.Span(text, className="visually-hidden")], scope="col",
                       title=text, className="num")
    return html.Th(text, scope="col",
                   className=" ".join(x for x in (_col_class(index),
                                                  "num" if index else "") if x))


def _figure_cell(group: dict, field: str, unit: str, lang: str) -> str:
    value = group.get(field)
    if field == "work_study_share":
        if value is None:
            return "–"
        n = fmt_value(group["outcome_completed"], "count", lang)
        n_of = _("web.components.totals.texts.n_of", lang, n=n)
        return f"{fmt_value(value, unit, lang)} ({n_of})"
    if field in group["reported"] and not group["reported"][field]:
        return "–"  # no agreement of the group has the figure
    return fmt_value(value, unit, lang)


def totals_table(groups: list[dict], total: dict, by: str, lang: str) -> html.Table:
    """The totals per county or kind, and of all agreements shown, as a table."""
    head = html.Thead(html.Tr([_head_cell(i, h) for i, h in enumerate(_heads(by, lang))]))

    def row(group: dict, label: str, cls: str | None = None) -> html.Tr:
        cells = [html.Th(label, scope="row"),
                 html.Td(group["agreements"], className="num"),
                 *[html.Td(group[s], className=f"num summary-{s}") for s in STATUSES],
                 *[html.Td(_figure_cell(group, f, unit, lang), className="num " +
                           _col_class(6 + i))
                   for i, (f, unit) in enumerate(FIGURES)],
                 html.Td(_periods(group["periods"], lang), className=_col_class(11))]
        return html.Tr(cells, className=cls, **{"data-group": group["key"]})

    body = [row(g, group_label(g["key"], by, lang)) for g in groups]
    body.append(row(total, _("ui.total", lang), "summary-total"))
    notes = [_("web.components.totals.texts.totals_note", lang)]
    if by == "county":
        notes.append(_("web.components.totals.texts.several_note", lang))
    return html.Div([
        html.Table([html.Caption(_(f"web.components.totals.texts.totals_{by}", lang)), head,
                    html.Tbody(body)],
                   className="table table-sm portfolio-summary portfolio-totals",
                   id="portfolio-summary", **{"data-by": by}),
        html.P(" ".join(notes), className="muted small totals-note"),
    ])


def _col_class(index: int) -> str:
    """Columns left out at narrow widths (assets): started, FTE and the periods."""
    return {7: "totals-wide", 10: "totals-wide", 11: "totals-wide"}.get(index, "")


def totals_csv(groups: list[dict], total: dict, by: str, lang: str, threshold: int) -> str:
    """The totals as CSV for the minutes (``;`` and decimal comma in Swedish, as Excel
    reads them): a count of people from 1 to ``threshold - 1`` in a group is ``<5`` and
    as many more as it takes are hidden (:func:`dashboard.model.portfolio.suppress_totals`)."""

    hidden = suppress_totals(groups, total, threshold)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=csv_delimiter(lang), lineterminator="\r\n")
    writer.writerow([_(f"web.components.totals.texts.{by}", lang),
                     _("web.components.totals.texts.agreements_col", lang),
                     *[_("web.components.totals.texts.targets_col", lang,
                         status=status_label(s, lang)) for s in STATUSES],
                     kpi_label("occupancy", lang), kpi_label("started", lang),
                     kpi_label("completed", lang), kpi_label("work_study_share", lang) + " %",
                     "n", kpi_label("fte_fulfilment", lang) + " %",
                     _("web.components.totals.texts.periods", lang)])

    def number(value, decimals: int = 1) -> str:
        if value is None:
            return ""
        text = f"{round(float(value), decimals):.{decimals}f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "sv" else text

    def counted(group: dict, field: str) -> str:
        if (group["key"], field) in hidden:
            return f"<{threshold}" if primary(group[field], threshold) else _("ui.hidden", lang)
        if field != "work_study" and not group["reported"].get(field):
            return ""
        return number(group[field])

    def line(group: dict, label: str, is_total: bool) -> list[str]:
        def count(field: str) -> str:  # the total row is published whole
            if is_total:
                return number(group[field]) if group["reported"][field] else ""
            return counted(group, field)

        share = group["work_study_share"]
        hide_share = not is_total and (group["key"], "work_study_share") in hidden
        fulfilment = group["fte_fulfilment"]
        return [label, str(group["agreements"]), *[str(group[s]) for s in STATUSES],
                count("occupancy"), count("started"), count("completed"),
                _("ui.hidden", lang) if hide_share and share is not None else
                number(None if share is None else share * 100),
                "" if share is None else _("ui.hidden", lang) if hide_share else
                number(group["outcome_completed"]),
                number(None if fulfilment is None else fulfilment * 100),
                _periods(group["periods"], lang)]

    for g in groups:  # labels come from the data (a kind, a county): made safe
        writer.writerow([safe_csv_cell(c) for c in line(g, group_label(g["key"], by, lang),
                                                         False)])
    writer.writerow([safe_csv_cell(c) for c in line(total, _("ui.total", lang), True)])
    writer.writerow([])
    writer.writerow([_("ui.suppression_note", lang)])
    writer.writerow([_("web.components.totals.texts.totals_note", lang)])
    return out.getvalue()
