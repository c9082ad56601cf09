"""The import format of contract.md section 1, as data.

Every table, its columns (English name, Swedish aliases, type, required or not),
its key and a short explanation per column for data stewards. The importer, the
database schema and the ``template`` command all read this one description.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How the text of a cell is read."""

    ID = "id"  # short code: letters, digits, '-', '_'
    TEXT = "text"  # free text
    LABEL = "label"  # short free text that is part of a key (target group, role, category)
    MONTH = "month"  # YYYY-MM
    DATE = "date"  # YYYY-MM-DD
    COUNT = "count"  # non-negative integer
    FTE = "fte"  # non-negative decimal
    MONEY = "money"  # decimal, may be negative (income)
    SHARE = "share"  # fraction 0..1 or percentage 0..100, '%' allowed
    NUMBER = "number"  # any decimal; '%' allowed (then read as a fraction)
    GENDER = "gender"  # K, M, X or blank
    COMPARATOR = "comparator"  # >=, <=, increase, decrease
    PERIOD = "period"  # YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM
    MUNICIPALITIES = "municipalities"  # SCB municipality codes, four digits, ';' between
    KPI = "kpi"  # a key figure or indicator (an ID), or a Kolada key figure: kolada:N03937


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()
    help_sv: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    help_sv: str
    help_en: str

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def time_column(self) -> str | None:
        """``month`` or ``period`` for tables of figures over time."""
        for c in ("month", "period"):
            if c in self.column_names:
                return c
        return None


def _c(name, kind, required=False, aliases=(), sv="", en=""):
    return Column(name, kind, required, tuple(aliases), sv, en)


_AGREEMENT = _c("agreement_id", Kind.ID, True, ["överenskommelse_id", "avtal_id"],
                "Överenskommelsens kod, t.ex. krami-sthlm-2023.",
                "The agreement's code, e.g. krami-sthlm-2023.")
_CLUSTER_REQ = _c("cluster_id", Kind.ID, True, ["kluster_id"],
                  "Klustrets kod (se bladet clusters).", "The cluster's code (see sheet clusters).")
_CLUSTER_OPT = _c("cluster_id", Kind.ID, False, ["kluster_id"],
                  "Klustrets kod; tomt = hela överenskommelsen.",
                  "The cluster's code; blank = the whole agreement.")
_MONTH = _c("month", Kind.MONTH, True, ["månad"],
            "Månad som ÅÅÅÅ-MM, t.ex. 2023-01.", "Month as YYYY-MM, e.g. 2023-01.")
_GENDER = _c("gender", Kind.GENDER, False, ["kön"],
             "K (kvinnor), M (män), X (annat/okänt) eller tomt (ej uppdelat).",
             "K (women), M (men), X (other/unknown) or blank (not broken down).")
_TARGET_GROUP = _c("target_group", Kind.LABEL, False, ["målgrupp"],
                   "Målgrupp (fri text), eller tomt om raden inte är uppdelad.",
                   "Target group (free text), or blank when the row is not broken down.")

TABLES: dict[str, Table] = {t.name: t for t in [
    Table("agreements", (
        _AGREEMENT,
        _c("name", Kind.TEXT, True, ["namn"], "Överenskommelsens namn.", "The agreement's name."),
        _c("valid_from", Kind.DATE, True, ["giltig_från", "gäller_från"],
           "Första giltighetsdag, ÅÅÅÅ-MM-DD.", "First day of validity, YYYY-MM-DD."),
        _c("valid_to", Kind.DATE, True, ["giltig_till", "gäller_till"],
           "Sista giltighetsdag, ÅÅÅÅ-MM-DD.", "Last day of validity, YYYY-MM-DD."),
        _c("description", Kind.TEXT, False, ["beskrivning"], "Fri beskrivning.",
           "Free description."),
        _c("kind", Kind.ID, False, ["typ", "sort", "slag"],
           "Sorts överenskommelse, en kort kod: krami, lok (lokal överenskommelse stad–"
           "Arbetsförmedlingen), unga (ungdomsöverenskommelse) eller annan kod.",
           "What sort of agreement, a short code: krami, lok (local city–employment "
           "service agreement), unga (youth agreement) or another code."),
        _c("municipalities", Kind.MUNICIPALITIES, False, ["kommuner", "kommunkoder",
                                                          "kommun"],
           "Kommuner som omfattas, som SCB:s kommunkoder (fyra siffror, t.ex. 0180 "
           "Stockholm); flera med ; emellan. De två första siffrorna är länet.",
           "Municipalities covered, as SCB municipality codes (four digits, e.g. 0180 "
           "Stockholm); several separated by ;. The first two digits are the county."),
        _c("meetings_per_year", Kind.COUNT, False, ["möten_per_år", "styrgruppsmöten_per_år"],
           "Styrgruppens överenskomna mötesrytm, t.ex. 4 (minst fyra möten per år).",
           "The steering group's agreed rhythm, e.g. 4 (at least four meetings a year)."),
        _c("forecast", Kind.ID, False, ["prognos"],
           "ja eller nej: visa en prognos till periodens slut för mål med antal och andelar "
           "när perioden pågår; tomt = ja.",
           "yes or no: show a forecast to the period's end for targets of counts and "
           "shares while the period is in progress; blank = yes."),
    ), ("agreement_id",),
        "En rad per överenskommelse.", "One row per agreement."),
    Table("parties", (
        _AGREEMENT,
        _c("party_id", Kind.ID, True, ["part_id"], "Partens kod, t.ex. AF, KV, STHLM.",
           "The party's code, e.g. AF, KV, STHLM."),
        _c("name", Kind.TEXT, True, ["namn"], "Partens namn.", "The party's name."),
    ), ("agreement_id", "party_id"),
        "Parterna i varje överenskommelse.", "The parties of each agreement."),
    Table("clusters", (
        _AGREEMENT,
        _c("cluster_id", Kind.ID, True, ["kluster_id"], "Klustrets kod.", "The cluster's code."),
        _c("name", Kind.TEXT, True, ["namn"], "Klustrets namn.", "The cluster's name."),
    ), ("agreement_id", "cluster_id"),
        "Lokala kluster (enheter) i varje överenskommelse.",
        "Local clusters (units) of each agreement."),
    Table("targets", (
        _AGREEMENT,
        _CLUSTER_OPT,
        _c("party_id", Kind.ID, False, ["part_id"], "Partens kod; tomt = alla parter tillsammans.",
           "The party's code; blank = all parties together."),
        _c("kpi", Kind.KPI, True, ["nyckeltal"],
           "Nyckeltalets namn (t.ex. occupancy, work_study_share, fte_actual), "
           "en indikators namn, eller ett nyckeltal från Kolada som kolada:N03937 "
           "(överenskommelser med en kommun).",
           "Name of a key figure (e.g. occupancy, work_study_share, fte_actual), "
           "of an indicator, or a Kolada key figure as kolada:N03937 "
           "(agreements with one municipality)."),
        _c("comparator", Kind.COMPARATOR, True, ["jämförelse"],
           ">=, <=, increase (öka) eller decrease (minska).",
           ">=, <=, increase or decrease."),
        _c("value", Kind.NUMBER, False, ["värde", "målvärde"],
           "Målvärdet (krävs för >= och <=); andelar som 0,6 eller 60 %. "
           "För increase/decrease: minsta ändring, eller tomt.",
           "The target (required for >= and <=); shares as 0.6 or 60 %. "
           "For increase/decrease: the least change, or blank."),
        _c("tolerance", Kind.SHARE, False, ["tolerans"],
           "Marginal för gult, t.ex. 10 % (standard).", "Margin for amber, e.g. 10 % (default)."),
        _c("valid_from", Kind.DATE, False, ["giltig_från", "gäller_från"],
           "Gäller från (tomt = överenskommelsens start).",
           "Valid from (blank = the agreement's start)."),
        _c("valid_to", Kind.DATE, False, ["giltig_till", "gäller_till"],
           "Gäller till (tomt = överenskommelsens slut).",
           "Valid to (blank = the agreement's end)."),
        _c("note", Kind.TEXT, False, ["anteckning", "kommentar"], "Fri anteckning.", "Free note."),
        _c("role", Kind.LABEL, False, ["roll"],
           "Bemanningsroll (t.ex. vägledare) för nyckeltalen för årsarbetskrafter: målet "
           "gäller bara den rollen, alla parter tillsammans; tomt = alla roller.",
           "Staffing role (e.g. vägledare) for the FTE key figures: the target concerns that "
           "role only, all parties together; blank = all roles."),
    ), ("agreement_id", "cluster_id", "party_id", "role", "kpi", "valid_from"),
        "Mål och målvärden.", "Targets and target values."),
    Table("occupancy", (
        _AGREEMENT, _CLUSTER_REQ, _MONTH, _GENDER, _TARGET_GROUP,
        _c("participants", Kind.COUNT, True, ["deltagare", "beläggning"],
           "Inskrivna deltagare vid månadens slut.", "Enrolled participants at month end."),
        _c("started", Kind.COUNT, False, ["påbörjade", "nya", "inskrivna"],
           "Nya inskrivningar under månaden.", "Enrolments during the month."),
        _c("exited", Kind.COUNT, False, ["utskrivna", "avslut"],
           "Utskrivningar under månaden.", "Exits during the month."),
    ), ("agreement_id", "cluster_id", "month", "gender", "target_group"),
        "Beläggning per kluster och månad.", "Occupancy per cluster and month."),
    Table("staffing", (
        _AGREEMENT, _CLUSTER_OPT, _MONTH,
        _c("party_id", Kind.ID, True, ["part_id"], "Partens kod.", "The party's code."),
        _c("role", Kind.LABEL, True, ["roll"], "Roll, t.ex. vägledare, administratör.",
           "Role, e.g. vägledare, administratör."),
        _c("committed_fte", Kind.FTE, True, ["utlovad_fte", "avtalade_årsarbetskrafter"],
           "Årsarbetskrafter som parten lovat i överenskommelsen.",
           "FTE the party promised in the agreement."),
        _c("actual_fte", Kind.FTE, True, ["faktisk_fte", "faktiska_årsarbetskrafter"],
           "Årsarbetskrafter som faktiskt fanns (vakanser, sjukfrånvaro).",
           "FTE actually staffed (vacancies, sick leave)."),
    ), ("agreement_id", "cluster_id", "month", "party_id", "role"),
        "Bemanning per part, roll och månad.", "Staffing per party, role and month."),
    Table("cost_shares", (
        _AGREEMENT,
        _c("cost_category", Kind.LABEL, True, ["kostnadskategori", "kostnadsslag"],
           "Kostnadskategori, t.ex. driftskostnader.", "Cost category, e.g. driftskostnader."),
        _c("party_id", Kind.ID, True, ["part_id"], "Partens kod.", "The party's code."),
        _c("share", Kind.SHARE, True, ["andel"],
           "Partens andel, 0,5 eller 50 %. Andelarna i en kategori summerar till 100 %.",
           "The party's share, 0.5 or 50 %. The shares of a category sum to 100 %."),
    ), ("agreement_id", "cost_category", "party_id"),
        "Överenskommen kostnadsfördelning.", "Agreed cost sharing."),
    Table("costs", (
        _AGREEMENT, _MONTH,
        _c("cost_category", Kind.LABEL, True, ["kostnadskategori", "kostnadsslag"],
           "Kostnadskategori (måste finnas i cost_shares).",
           "Cost category (must be in cost_shares)."),
        _c("paid_by", Kind.ID, True, ["betalt_av", "betalare"], "Partens kod som betalade.",
           "Code of the party that paid."),
        _c("amount_sek", Kind.MONEY, True, ["belopp_sek", "belopp_kr", "belopp"],
           "Belopp i kronor; intäkter (t.ex. avgifter) som negativt belopp.",
           "Amount in SEK; income (e.g. fees) as a negative amount."),
        _c("note", Kind.TEXT, False, ["anteckning", "kommentar"], "Fri anteckning.", "Free note."),
    ), ("agreement_id", "month", "cost_category", "paid_by"),
        "Vad varje part betalat per månad och kategori (summera fakturor först).",
        "What each party paid per month and category (sum invoices first)."),
    Table("outcomes", (
        _AGREEMENT, _CLUSTER_REQ, _MONTH, _GENDER, _TARGET_GROUP,
        _c("completed", Kind.COUNT, True, ["fullföljt", "avslutade_fullföljt"],
           "Deltagare som avslutat och fullföljt programmet under månaden.",
           "Participants who completed the programme during the month."),
        _c("work", Kind.COUNT, True, ["arbete"], "Av dem: till arbete.", "Of those: to work."),
        _c("study", Kind.COUNT, True, ["studier"], "Av dem: till studier.",
           "Of those: to studies."),
        _c("other", Kind.COUNT, False, ["övrigt", "annat"], "Av dem: till annat.",
           "Of those: to anything else."),
        _c("discontinued", Kind.COUNT, False, ["avbrutit", "avbrott"],
           "Avslutade utan att fullfölja.", "Left without completing."),
    ), ("agreement_id", "cluster_id", "month", "gender", "target_group"),
        "Utfall för deltagare som avslutats under månaden.",
        "Outcomes of participants who left during the month."),
    Table("indicators", (
        _AGREEMENT, _CLUSTER_OPT,
        _c("period", Kind.PERIOD, True, ["period"],
           "ÅÅÅÅ, ÅÅÅÅ-H1/H2, ÅÅÅÅ-Q1..Q4 eller ÅÅÅÅ-MM.",
           "YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM."),
        _c("indicator", Kind.ID, True, ["indikator"], "Indikatorns namn (kod).",
           "The indicator's name (code)."),
        _GENDER,
        _c("value", Kind.NUMBER, True, ["värde"],
           "Värdet; andelar med %-tecken (t.ex. 1,2 %).",
           "The value; shares with a % sign (e.g. 1.2 %)."),
        _c("source", Kind.TEXT, False, ["källa"], "Källa, t.ex. Kolada.", "Source, e.g. Kolada."),
    ), ("agreement_id", "cluster_id", "period", "indicator", "gender"),
        "Övriga indikatorer som överenskommelsen följer.",
        "Other figures the agreement follows."),
    Table("indicator_defs", (
        _AGREEMENT,
        _c("indicator", Kind.ID, True, ["indikator"], "Indikatorns kod (som i indicators).",
           "The indicator's code (as in indicators)."),
        _c("name", Kind.TEXT, False, ["namn"], "Namnet som användarna ser (tomt = koden).",
           "The name users see (blank = the code)."),
        _c("unit", Kind.ID, False, ["enhet"],
           "count (antal), share (andel), number (tal) eller sek (kronor); tomt = number.",
           "count, share, number or sek; blank = number."),
        _c("aggregate", Kind.ID, False, ["sammanvägning", "aggregering"],
           "Hur perioder inom en längre period vägs samman: sum (flöden, t.ex. antal som "
           "gått till arbete: året = summan av kvartalen), mean (andelar som mäts varje "
           "period: året = medelvärdet av kvartalen), last (nivåer, t.ex. antal "
           "långtidsarbetslösa vid periodens slut: året = det senaste kvartalet); "
           "tomt = last.",
           "How periods inside a longer period combine: sum (flows, e.g. people who moved "
           "to work: the year is the sum of its quarters), mean (rates measured each "
           "period: the year is the mean of its quarters), last (levels, e.g. long-term "
           "unemployed at the end of the period: the year is its latest quarter); "
           "blank = last."),
        _c("source", Kind.TEXT, False, ["källa"], "Källa, t.ex. Arbetsförmedlingen.",
           "Source, e.g. Arbetsförmedlingen."),
    ), ("agreement_id", "indicator"),
        "Hur en indikator läses: namn, enhet och hur perioder vägs samman.",
        "How an indicator reads: name, unit and how periods combine."),
]}

# indicator_defs: the allowed units and aggregates, with Swedish words for them.
INDICATOR_UNITS = {"count": "count", "antal": "count", "share": "share", "andel": "share",
                   "number": "number", "tal": "number", "sek": "sek", "kr": "sek",
                   "kronor": "sek"}
INDICATOR_AGGREGATES = {"sum": "sum", "summa": "sum", "mean": "mean", "medel": "mean",
                        "medelvärde": "mean", "last": "last", "senaste": "last"}

# agreements.forecast: yes or no (ja, nej), as dashboard.domain.forecast reads it.
FORECAST_CHOICES = {"yes": "yes", "ja": "yes", "no": "no", "nej": "no"}

TABLE_ORDER = list(TABLES)

# Sheet names and CSV files that are ignored on import (instructions, notes).
IGNORED_SHEETS = {"instruktioner", "instructions", "readme", "läs mig", "lasmig", "läsmig"}


def normalise_heading(text: str) -> str:
    """Fold a heading to compare it: lower case, spaces and dashes to ``_``."""
    t = unicodedata.normalize("NFC", str(text)).strip().lower()
    t = t.replace("*", "").strip()
    return re.sub(r"[\s\-]+", "_", t)


def heading_lookup(table: Table) -> dict[str, str]:
    """Map every accepted heading (English names and Swedish aliases) to the column."""
    out: dict[str, str] = {}
    for col in table.columns:
        for name in (col.name, *col.aliases):
            out[normalise_heading(name)] = col.name
    return out


def is_ignored_sheet(name: str) -> bool:
    n = name.strip().lower()
    return n.startswith("_") or n in IGNORED_SHEETS
