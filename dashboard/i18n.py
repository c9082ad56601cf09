"""What users read: texts in Swedish (default) and English, and number formats.

Swedish numbers are written ``1 234,5`` (a non-breaking space between thousands, a
decimal comma, ``−`` for minus) and percentages ``60 %``; English ``1,234.5`` and ``60%``.
Numbers, percentages, kronor, dates and month names come from Babel (CLDR's sv_SE and en),
rounded half up as Excel does.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import format_currency, format_decimal, format_percent, get_minus_sign_symbol

from dashboard.domain.periods import Period

NBSP = "\u00a0"
LANGS = ("sv", "en")

# Month names from CLDR (Babel): "januari", "January"; short ones three letters without a
# dot, as on the axes: "jan", "mar", "jun" ("jan.", "mars", "juni" in CLDR's Swedish).
MONTHS = {lang: list(get_month_names("wide", locale=code).values())
          for lang, code in (("sv", "sv_SE"), ("en", "en"))}
MONTHS_SHORT = {lang: [name.rstrip(".")[:3]
                       for name in get_month_names("abbreviated", locale=code).values()]
                for lang, code in (("sv", "sv_SE"), ("en", "en"))}

KPI_LABELS = {
    "occupancy": ("Beläggning", "Occupancy"),
    "started": ("Påbörjade", "Started"),
    "exited": ("Avslutade", "Exited"),
    "completed": ("Fullföljt", "Completed"),
    "discontinued": ("Avbrutit", "Discontinued"),
    "work": ("Till arbete", "To work"),
    "study": ("Till studier", "To studies"),
    "other": ("Till annat", "To other"),
    "work_study_share": ("Andel i arbete eller studier", "Share in work or study"),
    "fte_committed": ("Utlovade årsarbetskrafter", "Committed FTE"),
    "fte_actual": ("Faktiska årsarbetskrafter", "Actual FTE"),
    "fte_fulfilment": ("Bemanningsgrad", "Staffing fulfilment"),
    "cost_total": ("Kostnader totalt", "Total costs"),
    "cost_paid": ("Betalat", "Paid"),
    "cost_due": ("Ska betala", "Due"),  # the same words as the cost chart's bars
    "cost_balance": ("Saldo", "Balance"),
}

# Labels for indicator codes that the agreements in the seeds follow. Other codes are
# shown with underscores as spaces.
INDICATOR_LABELS = {
    "overgang_arbete": ("Övergång till arbete (antal)", "Transitions to work (number)"),
    "langtidsarbetslosa_12": ("Långtidsarbetslösa > 12 mån", "Long-term unemployed > 12 months"),
    "langtidsarbetslosa_24": ("Långtidsarbetslösa > 24 mån", "Unemployed > 24 months"),
    "langtidsarbetslosa_24_utomeurop_fodda": (
        "> 24 mån, födda utanför Europa", "> 24 months, born outside Europe"),
    "kommunal_insats_under_55": ("Under 55 år i kommunal insats",
                                 "Under 55 in municipal programmes"),
    "overgang_studier_andel": ("Övergång till studier", "Transitions to studies"),
    "sfi_genomstromning_andel": ("Genomströmning sfi", "SFI throughput"),
    "unga_16_24_arbete_studier_andel": ("Unga 16–24 till arbete eller studier",
                                        "Young 16–24 to work or studies"),
    "unga_16_24_studier_andel": ("Unga 16–24 till studier", "Young 16–24 to studies"),
    "forsorjningsstod_andel": ("Andel med försörjningsstöd", "Share on income support"),
    "inom_90_dagar_andel": ("Insats inom 90 dagar", "Started within 90 days"),
    "arbetsgivare_stod": ("Arbetsgivare som fått stöd", "Employers supported"),
}

KINDS = {"krami": ("Krami", "Krami"),
         "lok": ("Lokal överenskommelse", "Local agreement"),
         "unga": ("Ungdomsöverenskommelse", "Youth agreement")}


def kind_label(kind: str | None, lang: str = "sv") -> str:
    """``lok`` -> ``Lokal överenskommelse``; another code as it is."""
    if not kind:
        return ""
    return KINDS[kind][0 if lang == "sv" else 1] if kind in KINDS else kind


STATUS = {
    "green": ("✔", "Uppnått", "Met"),
    "amber": ("▲", "Nära målet", "Close"),
    "red": ("✖", "Ej uppnått", "Not met"),
    "grey": ("–", "Ej bedömt", "Not assessed"),
}

# Amber on a direction (increase/decrease) is no move, or a move the right way smaller than
# the target's value: "unchanged", not "close to the target".
STATUS_DIRECTIONAL = {"amber": ("Oförändrad", "Unchanged")}
DIRECTIONS = ("increase", "decrease")

# "The same period a year earlier", by the kind of period compared.
SAME_PERIOD_EARLIER = {
    "year": ("Föregående år", "Previous year"),
    "half": ("Samma halvår året innan", "Same half-year a year earlier"),
    "quarter": ("Samma kvartal året innan", "Same quarter a year earlier"),
    "month": ("Samma månad året innan", "Same month a year earlier"),
    "range": ("Samma period året innan", "Same period a year earlier"),
}

GENDERS = {"K": ("Kvinnor", "Women"), "M": ("Män", "Men"), "X": ("Annat/okänt", "Other/unknown"),
           "": ("Ej uppdelat", "Not broken down")}

TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("Uppföljning av samverkansöverenskommelser",
                  "Follow-up of collaboration agreements"),
    "portfolio": ("Alla överenskommelser", "All agreements"),
    "period": ("Period", "Period"),
    "breakdown": ("Uppdelning", "Breakdown"),
    "total": ("Totalt", "Total"),
    "by_gender": ("Kön", "Gender"),
    "by_target_group": ("Målgrupp", "Target group"),
    "data_as_of": ("Data per", "Data as of"),
    "source": ("Källa", "Source"),
    "import": ("import", "import"),
    "synthetic": ("Syntetiska demodata", "Synthetic demo data"),
    "synthetic_long": ("Månadssiffrorna är påhittade demodata; mål och regler kommer från "
                       "överenskommelsen.",
                       "The monthly figures are invented demo data; targets and rules come "
                       "from the agreement."),
    "target": ("Mål", "Target"),
    "value": ("Värde", "Value"),
    "status": ("Status", "Status"),
    "key_figures": ("Nyckeltal", "Key figures"),
    "all_key_figures": ("Alla nyckeltal för perioden", "All key figures of the period"),
    "completeness": ("Ofullständiga uppgifter:", "Incomplete data:"),
    "targets_status": ("Målen", "The targets"),
    "mean": ("Medel", "Mean"),
    "participants": ("Deltagare", "Participants"),
    "occupancy_title": ("Beläggning", "Occupancy"),
    "flow_title": ("Inflöde och utflöde", "Inflow and outflow"),
    "outcomes_title": ("Utfall för avslutade", "Outcomes of those who left"),
    "outcomes_split": ("Fullföljt: till arbete, studier, annat – och avbrutit",
                       "Completed: to work, studies, other – and discontinued"),
    "share_title": ("Andel i arbete eller studier", "Share in work or study"),
    "staffing_title": ("Bemanning", "Staffing"),
    "costs_title": ("Kostnadsfördelning", "Cost sharing"),
    "indicators_title": ("Indikatorer", "Indicators"),
    "clusters_title": ("Klustren jämförda", "The clusters compared"),
    "cluster": ("Kluster", "Cluster"),
    "clusters": ("Kluster", "Clusters"),
    "party": ("Part", "Party"),
    "committed": ("Utlovat", "Committed"),
    "actual": ("Faktiskt", "Actual"),
    "paid": ("Betalat", "Paid"),
    "due": ("Ska betala", "Due"),
    "balance": ("Saldo", "Balance"),
    "owes": ("{debtor} ska betala {amount} till {creditor}", "{debtor} owes {creditor} {amount}"),
    "settled": ("Ingen part är skyldig någon annan.", "No party owes another."),
    "category": ("Kategori", "Category"),
    "previous_year": ("Föregående år", "Previous year"),
    "status_key": ("Symbolerna: {items}", "Symbols: {items}"),
    "this_period": ("Perioden", "This period"),
    "change": ("Förändring", "Change"),
    "n_completed": ("n = {n} som fullföljt", "n = {n} completers"),
    "no_data": ("Inga uppgifter för perioden.", "No data for the period."),
    "no_data_table": ("Inga uppgifter om {what} för perioden.",
                      "No data on {what} for the period."),
    "missing_month": ("{cluster} har inte rapporterat {what} för {months}.",
                      "{cluster} has not reported {what} for {months}."),
    "incomplete_period": ("Perioden är inte komplett: uppgifter finns till och med {month}.",
                          "The period is not complete: data runs to {month}."),
    "months_missing": ("{n} saknade månader", "{n} months missing"),
    "month_missing": ("1 saknad månad", "1 month missing"),
    "complete": ("Alla månader rapporterade", "All months reported"),
    "not_found": ("Sidan finns inte", "Page not found"),
    "not_found_text": ("Det finns ingen överenskommelse eller inget kluster med den adressen "
                       "som du har behörighet att se.",
                       "There is no agreement or cluster at that address that you have "
                       "access to."),
    "back_to_portfolio": ("Till alla överenskommelser", "To all agreements"),
    "open": ("Öppna", "Open"),
    "work": ("Arbete", "Work"),
    "study": ("Studier", "Studies"),
    "other": ("Annat", "Other"),
    "hidden": ("dolt", "hidden"),
    "hidden_legend": ("Dolt (små antal)", "Hidden (small counts)"),
    "suppression_note": ("<5 = 1–4 personer. Dolt: ett värde som döljs för att ett litet "
                         "antal annars kan räknas fram",
                         "<5 = 1–4 people. Hidden: a value left out because a small count "
                         "could otherwise be worked out"),
    "discontinued": ("Avbrutit", "Discontinued"),
    "started": ("Påbörjade", "Started"),
    "exited": ("Avslutade", "Exited"),
    "fte": ("årsarbetskrafter", "FTE"),
    "fte_short": ("åa", "FTE"),
    "fte_key": ("åa = årsarbetskrafter", "FTE = full-time equivalents"),
    "all_parties": ("Alla parter", "All parties"),
    "part_of_agreement": ("Klustrets del av överenskommelsen",
                          "The cluster's part of the agreement"),
    "share_of_participants": ("av deltagarna", "of participants"),
    "share_of_completed": ("av dem som fullföljt", "of completers"),
    "language": ("English", "Svenska"),
    "prev_period": ("Föregående period", "Previous period"),
    "search_period": ("Sök period", "Search periods"),
    "no_period_found": ("Ingen period matchar", "No period matches"),
    "clear_search": ("Töm sökrutan", "Clear the search"),
    "clear_selection": ("Töm valet", "Clear the choice"),
    "select_all": ("Välj alla", "Select all"),
    "deselect_all": ("Välj bort alla", "Deselect all"),
    "selected_count": ("{num_selected} valda", "{num_selected} selected"),
    "next_period": ("Nästa period", "Next period"),
    "no_earlier_data": ("Inga tidigare uppgifter: det här är den första perioden med data",
                        "No earlier data: this is the first period with data"),
    "no_later_data": ("Inga senare uppgifter: det här är den sista perioden med data",
                      "No later data: this is the last period with data"),
    "no_data_period": ("Inga uppgifter för perioden {period}.", "No data for the period {period}."),
    "data_runs": ("Uppgifter finns för {span}.", "There is data for {span}."),
    "period_not_exist": ("”{asked}” är ingen period: månad {month} finns inte.",
                         "'{asked}' is not a period: there is no month {month}."),
    "period_not_a_period": ("”{asked}” är ingen period. Skriv till exempel 2023, 2023-H1, "
                            "2023-Q2, 2023-03 eller 2023-01..2023-06.",
                            "'{asked}' is not a period. Write for example 2023, 2023-H1, "
                            "2023-Q2, 2023-03 or 2023-01..2023-06."),
    "period_shown_instead": ("Visar {period} i stället.", "Showing {period} instead."),
    "period_did_you_mean": ("Menade du {period}?", "Did you mean {period}?"),
    "star_cluster_missing": ("* = ett kluster har inte rapporterat månaden: summan är de "
                             "andra klustrens, och medlet räknas på månadssummorna",
                             "* = a cluster has not reported the month: the total is the "
                             "other clusters', and the mean is of the month totals"),
    "star_month_missing": ("* = månaden är inte rapporterad", "* = the month is not reported"),
    "star_cluster_months": ("* {cluster} saknar {months} (medlet räknas på de månader som "
                            "rapporterats)", "* {cluster} lacks {months} (its mean is of the "
                            "months reported)"),
    "lowest_month_sentence": ("Lägsta månaden, alla parter: {fte} årsarbetskrafter i {month}.",
                              "The lowest month, all parties: {fte} FTE in {month}."),
    "lowest": ("lägst", "lowest"),
    "unknown_outcome": ("Uppgift saknas", "Not reported"),
    "agreement": ("Överenskommelse", "Agreement"),
    "no_kind": ("Ingen typ angiven", "No kind given"),
    "agreements_n": ("Antal", "Number"),
    "portfolio_summary": ("Målen i alla överenskommelser som visas",
                          "The targets of every agreement shown"),
    "reported": ("Rapportering", "Reporting"),
    "county": ("Län", "County"),
    "each_latest": ("Var och ens senaste period", "Each one's latest period"),
    "all_kinds": ("Alla typer", "All kinds"),
    "all_counties": ("Alla län", "All counties"),
    "show": ("Visa", "Show"),
    "all_agreements": ("Alla överenskommelser", "All agreements"),
    "with_red": ("Med mål som inte uppnås (✖)", "With targets not met (✖)"),
    "with_amber": ("Med mål nära (▲)", "With targets close (▲)"),
    "with_green": ("Med uppnådda mål (✔)", "With targets met (✔)"),
    "search": ("Sök", "Search"),
    "search_agreements": ("Namn, kommun, part …", "Name, municipality, party …"),
    "no_agreements_match": ("Ingen överenskommelse passar urvalet.",
                            "No agreement matches the selection."),
    "agreements_shown": ("{n} av {total} överenskommelser visas.",
                         "{n} of {total} agreements shown."),
    "key_green": ("uppnått", "met"),
    "key_amber": ("nära målet, eller oförändrad mot året innan",
                  "close to the target, or unchanged from the year before"),
    "key_red": ("ej uppnått", "not met"),
    "key_grey": ("ej bedömt (inga uppgifter)", "not assessed (no data)"),
    "key_figure": ("Nyckeltal", "Key figure"),
    "level": ("Nivå", "Level"),
    "compare_agreements": ("Överenskommelser", "Agreements"),
    "compare_clusters": ("Kluster", "Clusters"),
    "women_and_men": ("Kvinnor och män", "Women and men"),
    "compare_title": ("Jämför överenskommelser", "Compare agreements"),
    "compare_link": ("Jämför ett nyckeltal", "Compare a key figure"),
    "compare_lead": ("Ett nyckeltal för alla överenskommelser (eller alla kluster), bäst först, "
                     "var och en mot sitt eget mål.",
                     "One key figure for every agreement (or every cluster), best first, each "
                     "against its own target."),
    "compare_table": ("Samma siffror som tabell", "The same figures as a table"),
    "compare_alt": ("Stapeldiagram: {what} för {n} jämförda, bäst först; siffrorna finns i "
                    "tabellen under diagrammet.",
                    "Bar chart: {what} for {n} compared, best first; the figures are in the "
                    "table under the chart."),
    "compare_n": ("n = antal som fullföljt", "n = completers"),
    "compare_gender_note": ("inga mål gäller kvinnor eller män för sig",
                            "no target applies to women or men on their own"),
    "png_print": ("PNG (tryck)", "PNG (print)"),
    "kind": ("Typ", "Kind"),
    "municipalities": ("Kommuner", "Municipalities"),
    "year_to_date": ("Hittills i år", "Year to date"),
    "last_three_years": ("Senaste tre åren", "The last three years"),
    "last_year_span": ("Senaste året", "The last year"),
    "spans_group": ("Flera år", "Several years"),
    "trend_title": ("Status över tid", "Status over time"),
    "no_trend": ("Ingen tidigare status", "No earlier status"),
    "latest": ("senaste", "latest"),
    "year": ("År", "Year"),
    "half": ("Halvår", "Half year"),
    "quarter": ("Kvartal", "Quarter"),
    "month": ("Månad", "Month"),
    "valid": ("Gäller", "Valid"),
    "parties": ("Parter", "Parties"),
    "present": ("Presentera", "Present"),
    "present_clusters": ("Presentera med ett blad per kluster", "Present with a slide per cluster"),
    "meetings_link": ("Styrgruppens möten", "Steering group meetings"),
    "present_keys": ("→ nästa · ← föregående · F helskärm · Esc avsluta",
                     "→ next · ← previous · F full screen · Esc leave"),
    "leave_presentation": ("Avsluta presentationen", "Leave the presentation"),
    "export": ("Exportera", "Export"),
    "download": ("Ladda ner", "Download"),
    "no_target": ("inget mål", "no target"),
    "no_value": ("inget värde", "no value"),
    "on_average": ("i genomsnitt per månad", "on average per month"),
    "chart": ("Diagram", "Chart"),
    "no_targets": ("Inga mål är angivna för den här nivån.", "No targets are set at this level."),
    "period_shown": ("Period", "Period"),
    "no_agreements": ("Inga överenskommelser ännu. Importera data med "
                      "python -m dashboard import FIL.", "No agreements yet. Import data with "
                      "python -m dashboard import FILE."),
    "per_party": ("per part", "per party"),
    "minimum": ("minst", "at least"),
    "maximum": ("högst", "at most"),
    "increase": ("ska öka", "to increase"),
    "decrease": ("ska minska", "to decrease"),
    "vs_previous_year": ("mot föregående år", "against the previous year"),
    "latest_import": ("Senaste import", "Latest import"),
    "unknown": ("okänt", "unknown"),
    "tables_occupancy": ("beläggning", "occupancy"),
    "tables_outcomes": ("utfall", "outcomes"),
    "tables_staffing": ("bemanning", "staffing"),
    "tables_costs": ("kostnader", "costs"),
    "tables_indicators": ("indikatorer", "indicators"),
}


APP_NAME = "Samverkan"


def document_title(*parts: str | None, lang: str = "sv") -> str:
    """The browser's title: what is shown, then the app: ``Krami Stockholm 2023 – 2023 –
    Samverkan`` (``lang`` for symmetry; the app's name is the same in both)."""
    return " – ".join([*(p for p in parts if p), APP_NAME])


def lang_of(value: str | None) -> str:
    return value if value in LANGS else "sv"


def words(table: dict[str, tuple[str, str]], key: str, lang: str, params: dict) -> str:
    """``table[key]`` (a Swedish and an English text) in ``lang``, ``params`` filled in."""
    text = table[key][0 if lang == "sv" else 1]
    return text.format(**params) if params else text


def t(key: str, lang: str = "sv", **params) -> str:
    """The text ``key`` in ``lang``, with ``params`` filled in."""
    return words(TEXT, key, lang, params)


def kpi_label(kpi: str, lang: str = "sv") -> str:
    if kpi in KPI_LABELS:
        return KPI_LABELS[kpi][0 if lang == "sv" else 1]
    return indicator_label(kpi, lang)


def indicator_label(name: str, lang: str = "sv") -> str:
    if name in INDICATOR_LABELS:
        return INDICATOR_LABELS[name][0 if lang == "sv" else 1]
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def gender_label(code: str, lang: str = "sv") -> str:
    return GENDERS.get(code or "", (code, code))[0 if lang == "sv" else 1]


def status_symbol(status: str) -> str:
    return STATUS.get(status, STATUS["grey"])[0]


def status_word(status: str, lang: str = "sv", comparator: str | None = None) -> str:
    """The status in words, for the target's ``comparator``: amber is ``Nära målet`` for
    a minimum or maximum, ``Oförändrad`` for an increase or decrease."""
    if comparator in DIRECTIONS and status in STATUS_DIRECTIONAL:
        return STATUS_DIRECTIONAL[status][0 if lang == "sv" else 1]
    return STATUS.get(status, STATUS["grey"])[1 if lang == "sv" else 2]


def status_label(status: str, lang: str = "sv", comparator: str | None = None) -> str:
    """Symbol and word, never colour alone: ``✔ Uppnått``, ``▲ Oförändrad``."""
    return f"{status_symbol(status)} {status_word(status, lang, comparator)}"


def status_key(statuses, lang: str = "sv", comparator: str | None = None) -> str:
    """What the symbols on a chart mean: ``Symbolerna: ✔ Uppnått, ▲ Nära målet``
    (the statuses given, in the order green, amber, red; grey is drawn without one)."""
    shown = [s for s in ("green", "amber", "red") if s in set(statuses)]
    if not shown:
        return ""
    return t("status_key", lang,
             items=", ".join(status_label(s, lang, comparator) for s in shown))


def same_period_earlier(period: Period | str, lang: str = "sv") -> str:
    """What a directional target compares with: ``Samma kvartal året innan`` for a quarter,
    ``Föregående år`` for a year (``period`` is a :class:`Period` or its ``kind``)."""
    kind = period if isinstance(period, str) else period.kind
    return words(SAME_PERIOD_EARLIER, kind if kind in SAME_PERIOD_EARLIER else "range", lang,
                 {})


# --------------------------------------------------------------------------- numbers
#
# Babel writes the numbers from CLDR's data for sv_SE and en: the group and decimal
# symbols, the minus sign, where the % and the currency go. Two things are ours: halves
# are rounded up as Excel does (Babel rounds half to even), and a "-0" is never shown.

LOCALES = {"sv": "sv_SE", "en": "en"}
_DIGITS = re.compile(r"[#0,.]+")


def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, "sv_SE"))


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _quantize(x, decimals: int) -> Decimal:
    """``x`` rounded half up to ``decimals`` places (never a negative zero)."""
    quantum = Decimal(1).scaleb(-decimals)
    value = Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(value) if value == 0 else value


def round_half_up(x, decimals: int = 0) -> float:
    """Round halves away from zero, as Excel does (Python's round() goes to even)."""
    return float(_quantize(x, decimals))


@functools.lru_cache(maxsize=64)
def _pattern(kind: str, decimals: int, lang: str) -> str:
    """The locale's number, percent or currency pattern with ``decimals`` fraction digits,
    and its negative form with the locale's minus sign (``−`` in Swedish)."""
    locale = _locale(lang)
    base = {"decimal": locale.decimal_formats, "percent": locale.percent_formats,
            "currency": locale.currency_formats}[kind]
    pattern = (base["standard"] if kind == "currency" else base[None]).pattern
    pattern = pattern.split(";")[0]
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    if kind == "currency" and re.match(r"¤[#0]", pattern):
        # CLDR's currency spacing (Babel leaves it out): "SEK 1,234", not "SEK1,234".
        pattern = pattern.replace("¤", "¤" + NBSP, 1)
    minus = get_minus_sign_symbol(locale)
    positive = _DIGITS.sub(digits, pattern, count=1)
    negative = _DIGITS.sub(minus + digits, pattern, count=1)
    return f"{positive};{negative}"


def fmt_number(x, decimals: int = 0, lang: str = "sv", missing: str = "–") -> str:
    """``1234.5`` -> ``1 234,5`` (sv) or ``1,234.5`` (en)."""
    if _missing(x):
        return missing
    return format_decimal(_quantize(x, decimals), format=_pattern("decimal", decimals, lang),
                          locale=_locale(lang))


def fmt_auto(x, lang: str = "sv", missing: str = "–") -> str:
    """Whole numbers without decimals, others with one."""
    if _missing(x):
        return missing
    return fmt_number(x, 0 if float(x).is_integer() else 1, lang)


def fmt_percent(fraction, decimals: int = 0, lang: str = "sv", missing: str = "–") -> str:
    """``0.6`` -> ``60 %`` (sv) or ``60%`` (en)."""
    if _missing(fraction):
        return missing
    percent = _quantize(float(fraction) * 100, decimals)
    return format_percent(percent.scaleb(-2), format=_pattern("percent", decimals, lang),
                          locale=_locale(lang))


def fmt_sek(x, lang: str = "sv", missing: str = "–") -> str:
    """``24500`` -> ``24 500 kr`` (sv) or ``SEK 24,500`` (en): whole kronor."""
    if _missing(x):
        return missing
    return format_currency(_quantize(x, 0), "SEK", format=_pattern("currency", 0, lang),
                           locale=_locale(lang), currency_digits=False)


def fmt_fte(x, lang: str = "sv", missing: str = "–") -> str:
    if _missing(x):
        return missing
    return fmt_number(x, 1 if abs(float(x) * 10 - round(float(x) * 10)) < 1e-9 else 2, lang)


def fmt_value(x, unit: str, lang: str = "sv", missing: str = "–") -> str:
    """A key figure in its unit: count, share, fte, sek, percent, number."""
    if unit in ("share", "percent"):
        return fmt_percent(x, 1 if _has_tenths(x) else 0, lang, missing)
    if unit == "sek":
        return fmt_sek(x, lang, missing)
    if unit == "fte":
        return fmt_fte(x, lang, missing)
    return fmt_auto(x, lang, missing)


def _has_tenths(fraction) -> bool:
    return not _missing(fraction) and abs(round(fraction * 100) - fraction * 100) >= 0.05


# --------------------------------------------------------------------------- months, periods


def month_label(month: str, lang: str = "sv", short: bool = True, year: bool = True) -> str:
    """``2023-03`` -> ``mar 2023`` / ``mars 2023``."""
    names = MONTHS_SHORT if short else MONTHS
    name = names[lang][int(month[5:7]) - 1]
    return f"{name} {month[:4]}" if year else name


def period_label(period: Period, lang: str = "sv") -> str:
    """A period as people say it: ``2023``, ``jan–jun 2023``, ``mars 2023``."""
    start, end = period.start, period.end
    if period.kind == "year":
        return start[:4]
    if start.endswith("-01") and end.endswith("-12"):
        return f"{start[:4]}–{end[:4]}"  # whole years
    if start == end:
        return month_label(start, lang, short=False)
    if start[:4] == end[:4]:
        label = (f"{month_label(start, lang, year=False)}–"
                 f"{month_label(end, lang, year=False)} {start[:4]}")
        if period.kind == "quarter":
            q = period.text[-1]
            label += f" (kv. {q})" if lang == "sv" else f" (Q{q})"
        return label
    return f"{month_label(start, lang)}–{month_label(end, lang)}"


def swedish_time(iso: str) -> str:
    """An ISO time stamp with a zone, moved to Swedish time (unchanged without a zone)."""
    try:
        stamp = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if stamp.tzinfo is None:
        return iso
    try:
        from zoneinfo import ZoneInfo

        return stamp.astimezone(ZoneInfo("Europe/Stockholm")).isoformat()
    except Exception:  # no time zone data on the machine
        return iso


def period_tick(period: Period, lang: str = "sv") -> str:
    """A short two-line axis label: ``kv. 1<br>2023``, ``H1<br>2023``, ``jan<br>2023``."""
    year = period.start[:4]
    if period.kind == "year":
        return year
    if period.kind == "quarter":
        return f"{'kv.' if lang == 'sv' else 'Q'}{' ' if lang == 'sv' else ''}" \
               f"{period.text[-1]}<br>{year}"
    if period.kind == "half":
        return f"H{period.text[-1]}<br>{year}"
    if period.kind == "month":
        return f"{MONTHS_SHORT[lang][int(period.start[5:7]) - 1]}<br>{year}"
    return period_label(period, lang)


def date_label(iso: str | None, lang: str = "sv") -> str:
    """``2026-11-23T23:30:00+00:00`` -> ``24 november 2026`` (the date in Sweden)."""
    if not iso:
        return t("unknown", lang)
    iso = swedish_time(iso)
    try:
        day = dt.date(int(iso[:4]), int(iso[5:7]), int(iso[8:10]))
    except ValueError:
        return iso
    return format_date(day, "d MMMM y", locale=_locale(lang))
