"""Import problems: where (file, sheet, row, column) and what, in words a data steward reads.

A problem is data (a code and parameters) so that tests can assert on it; it is
rendered in Swedish (default) or English. A message never repeats the content of
a cell that looked like a personal identity number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MESSAGES: dict[str, tuple[str, str]] = {
    # reading files
    "not_found": ("Hittar inte filen eller mappen.", "File or folder not found."),
    "not_a_dataset": (
        "Det här är varken en Excel-arbetsbok (.xlsx) eller en mapp med CSV-filer.",
        "This is neither an Excel workbook (.xlsx) nor a folder of CSV files.",
    ),
    "too_large": (
        "Filen är {size_mb} MB; gränsen är {limit_mb} MB. Dela upp den eller höj "
        "MAX_IMPORT_MB.",
        "The file is {size_mb} MB; the limit is {limit_mb} MB. Split it or raise MAX_IMPORT_MB.",
    ),
    "bad_workbook": (
        "Arbetsboken går inte att läsa: den är inte en giltig .xlsx-fil ({detail}).",
        "The workbook cannot be read: it is not a valid .xlsx file ({detail}).",
    ),
    "no_tables": (
        "Hittade inga tabeller. Blad eller CSV-filer ska heta som tabellerna: {tables}.",
        "No tables found. Sheets or CSV files must be named after the tables: {tables}.",
    ),
    "empty_dataset": (
        "Filen innehåller inga rader att importera (bara rubriker).",
        "The file holds no rows to import (headings only).",
    ),
    "unknown_table": (
        "”{name}” är ingen tabell. Tillåtna namn: {tables}. Börja namnet med _ om bladet "
        "ska hoppas över.",
        "'{name}' is not a table. Allowed names: {tables}. Start the name with _ to have it "
        "skipped.",
    ),
    "duplicate_table": (
        "Tabellen {table} finns två gånger ({other}).",
        "The table {table} appears twice ({other}).",
    ),
    "bad_encoding": (
        "Filen är varken UTF-8 eller Windows-1252 (byte {byte} på rad {row}). Spara den igen "
        "som ”CSV UTF-8” eller ”CSV (semikolonavgränsad)”.",
        "The file is neither UTF-8 nor Windows-1252 (byte {byte} on line {row}). Save it again "
        "as 'CSV UTF-8' or 'CSV (semicolon delimited)'.",
    ),
    "mixed_encoding": (
        "Filen blandar teckenkodningar (UTF-8 och Windows-1252): å, ä och ö skulle bli fel. "
        "Spara den igen som ”CSV UTF-8”.",
        "The file mixes character encodings (UTF-8 and Windows-1252): å, ä and ö would come "
        "out wrong. Save it again as 'CSV UTF-8'.",
    ),
    "legacy_encoding": (
        "Filen verkar vara sparad med en äldre teckenkodning (t.ex. DOS eller Mac), varken "
        "UTF-8 eller Windows-1252: å, ä och ö skulle bli fel (rad {row}). Spara den igen som "
        "”CSV UTF-8”.",
        "The file seems to be saved in an older character encoding (e.g. DOS or Mac), neither "
        "UTF-8 nor Windows-1252: å, ä and ö would come out wrong (line {row}). Save it again "
        "as 'CSV UTF-8'.",
    ),
    "no_header": (
        "Rubrikraden saknas (första raden ska ha kolumnnamnen).",
        "The heading row is missing (the first row must hold the column names).",
    ),
    "bad_csv": ("Filen går inte att läsa som CSV: {detail}.",
                "The file cannot be read as CSV: {detail}."),
    "too_many_cells": (
        "Raden har {count} värden men det finns bara {headers} rubriker.",
        "The row has {count} values but there are only {headers} headings.",
    ),
    "too_large_unpacked": (
        "Arbetsboken blir {size_mb} MB uppackad; gränsen är {limit_mb} MB. Dela upp den.",
        "The workbook unpacks to {size_mb} MB; the limit is {limit_mb} MB. Split it.",
    ),
    "too_many_rows": (
        "Tabellen har fler än {limit} rader. Dela upp filen.",
        "The table has more than {limit} rows. Split the file.",
    ),
    "too_many_sheet_cells": (
        "Arbetsboken har fler än {limit} celler, tomma medräknade. Ofta ligger ett värde "
        "eller en formatering långt till höger eller långt ned: ta bort de tomma raderna och "
        "kolumnerna, eller dela upp filen.",
        "The workbook has more than {limit} cells, empty ones included. Often a value or "
        "formatting sits far to the right or far down: delete the empty rows and columns, "
        "or split the file.",
    ),
    "bad_zip": (
        "Zip-filen går inte att läsa ({detail}). Packa CSV-filerna igen utan lösenord, "
        "eller importera mappen.",
        "The zip file cannot be read ({detail}). Zip the CSV files again without a password, "
        "or import the folder.",
    ),
    "zip_unsafe_path": (
        "Zip-filen innehåller en fil med en sökväg utanför zip-filen (”{name}”). Packa "
        "CSV-filerna igen, t.ex. med Utforskarens ”Skicka till – Komprimerad mapp”.",
        "The zip file holds a file whose path leads outside the zip ('{name}'). Zip the CSV "
        "files again, e.g. with Explorer's 'Send to – Compressed folder'.",
    ),
    "too_many_columns": (
        "Tabellen har {count} kolumner; högst {limit} är tillåtna.",
        "The table has {count} columns; at most {limit} are allowed.",
    ),
    # headings
    "missing_column": (
        "Kolumnen ”{column}” saknas men måste finnas.",
        "The column '{column}' is missing but is required.",
    ),
    "unknown_column": (
        "Okänd kolumn ”{heading}”.{hint} Tillåtna kolumner: {allowed}.",
        "Unknown column '{heading}'.{hint} Allowed columns: {allowed}.",
    ),
    "duplicate_column": (
        "Kolumnen ”{column}” finns två gånger (även kolumn {other}).",
        "The column '{column}' appears twice (also column {other}).",
    ),
    "unnamed_column": (
        "Kolumnen har värden men ingen rubrik.",
        "The column has values but no heading.",
    ),
    # cells
    "required": ("Värde saknas men krävs.", "A value is missing but required."),
    "excel_error": (
        "Cellen innehåller Excel-felet {value}. Rätta formeln eller skriv in värdet.",
        "The cell holds the Excel error {value}. Fix the formula or type the value.",
    ),
    "bad_id": (
        "”{value}” är ingen giltig kod: använd bokstäver, siffror, - och _ (högst {limit} tecken).",
        "'{value}' is not a valid code: use letters, digits, - and _ "
        "(at most {limit} characters).",
    ),
    "too_long": (
        "Texten är {length} tecken lång; högst {limit} är tillåtna.",
        "The text is {length} characters long; at most {limit} are allowed.",
    ),
    "bad_month": (
        "”{value}” är ingen månad. Skriv månaden som ÅÅÅÅ-MM, t.ex. 2023-01.",
        "'{value}' is not a month. Write the month as YYYY-MM, e.g. 2023-01.",
    ),
    "month_not_exist": (
        "Månaden ”{value}” finns inte. Skriv månaden som ÅÅÅÅ-MM, t.ex. 2023-01.",
        "The month '{value}' does not exist. Write the month as YYYY-MM, e.g. 2023-01.",
    ),
    "month_is_date": (
        "”{value}” är ett datum, inte en månad. Skriv månaden som ÅÅÅÅ-MM.",
        "'{value}' is a date, not a month. Write the month as YYYY-MM.",
    ),
    "bad_date": (
        "”{value}” är inget datum. Skriv datum som ÅÅÅÅ-MM-DD, t.ex. 2023-01-31.",
        "'{value}' is not a date. Write dates as YYYY-MM-DD, e.g. 2023-01-31.",
    ),
    "date_not_exist": (
        "Datumet ”{value}” finns inte.",
        "The date '{value}' does not exist.",
    ),
    "bad_count": (
        "”{value}” är inget heltal. Antal skrivs som hela tal, t.ex. 12.",
        "'{value}' is not a whole number. Counts are whole numbers, e.g. 12.",
    ),
    "negative_count": (
        "Antalet {value} är negativt; antal kan inte vara mindre än 0.",
        "The count {value} is negative; counts cannot be below 0.",
    ),
    "negative_fte": (
        "{value} årsarbetskrafter är negativt; kan inte vara mindre än 0.",
        "{value} FTE is negative; it cannot be below 0.",
    ),
    "bad_number": (
        "”{value}” är inget tal. Skriv t.ex. 1 234,5 eller 1234.5.",
        "'{value}' is not a number. Write e.g. 1 234,5 or 1234.5.",
    ),
    "number_too_large": (
        "Talet {value} är orimligt stort.",
        "The number {value} is unreasonably large.",
    ),
    "bad_share": (
        "”{value}” är ingen andel. Skriv en andel som 0,6 eller 60 % (0–100 %).",
        "'{value}' is not a share. Write a share as 0.6 or 60 % (0–100 %).",
    ),
    "bad_gender": (
        "”{value}” är inget giltigt kön. Skriv K, M, X eller lämna tomt.",
        "'{value}' is not a valid gender. Write K, M, X or leave blank.",
    ),
    "bad_comparator": (
        "”{value}” är ingen jämförelse. Skriv >=, <=, increase (öka) eller decrease (minska).",
        "'{value}' is not a comparator. Write >=, <=, increase or decrease.",
    ),
    "bad_municipalities": (
        "”{value}” är ingen kommunkod. Skriv SCB:s kommunkoder med fyra siffror (t.ex. 0180 "
        "för Stockholm, 1280 för Malmö), flera med ; emellan.",
        "'{value}' is not a municipality code. Write SCB's four-digit municipality codes "
        "(e.g. 0180 for Stockholm, 1280 for Malmö), several separated by ;.",
    ),
    "bad_period": (
        "”{value}” är ingen period. Skriv ÅÅÅÅ, ÅÅÅÅ-H1, ÅÅÅÅ-Q1 eller ÅÅÅÅ-MM.",
        "'{value}' is not a period. Write YYYY, YYYY-H1, YYYY-Q1 or YYYY-MM.",
    ),
    "personal_number": (
        "Cellen ser ut att innehålla ett personnummer eller samordningsnummer. Instrumentpanelen "
        "tar bara emot sammanräknade siffror, aldrig uppgifter om enskilda personer: ta bort "
        "uppgiften.",
        "The cell looks like it holds a personal identity number (personnummer or "
        "samordningsnummer). The dashboard takes aggregated figures only, never data about "
        "individuals: remove it.",
    ),
    "personal_number_name": (
        "Namnet på filen, mappen, ett blad eller en CSV-fil ser ut att innehålla ett "
        "personnummer eller samordningsnummer. Instrumentpanelen tar bara emot sammanräknade "
        "siffror: byt namn och försök igen.",
        "The name of the file, the folder, a sheet or a CSV file looks like it holds a "
        "personal identity number (personnummer or samordningsnummer). The dashboard takes "
        "aggregated figures only: rename it and try again.",
    ),
    # rows
    "duplicate_key": (
        "Samma nyckel ({key}) finns redan på rad {other}. En rad per nyckel.",
        "The same key ({key}) is already on row {other}. One row per key.",
    ),
    "outcome_sum": (
        "arbete + studier + övrigt = {total} är fler än fullföljda ({completed}).",
        "work + study + other = {total} is more than completed ({completed}).",
    ),
    "target_value_missing": (
        "Målvärde saknas: jämförelsen {comparator} kräver ett värde.",
        "Target value missing: the comparator {comparator} needs a value.",
    ),
    "valid_range": (
        "Giltig från ({valid_from}) ligger efter giltig till ({valid_to}).",
        "Valid from ({valid_from}) is after valid to ({valid_to}).",
    ),
    "unknown_kpi": (
        "”{value}” är varken ett nyckeltal ({kpis}) eller en indikator i filen eller i "
        "databasen.",
        "'{value}' is neither a key figure ({kpis}) nor an indicator in the file or the "
        "database.",
    ),
    "role_kpi": (
        "En roll gäller bara nyckeltalen för årsarbetskrafter ({kpis}), inte {kpi}; lämna "
        "role tomt.",
        "A role applies to the FTE key figures only ({kpis}), not {kpi}; leave role blank.",
    ),
    "role_party": (
        "Ett mål med roll gäller rollen för alla parter tillsammans; lämna party_id tomt "
        "(eller role tomt för partens alla roller).",
        "A target with a role concerns that role for all parties together; leave party_id "
        "blank (or role blank for all of the party's roles).",
    ),
    "bad_unit": (
        "”{value}” är ingen enhet. Skriv en av {allowed} (eller antal, andel, tal, kr).",
        "'{value}' is not a unit. Write one of {allowed}.",
    ),
    "bad_aggregate": (
        "”{value}” är inget sätt att väga samman perioder. Skriv en av {allowed} (eller "
        "summa, medel, senaste).",
        "'{value}' is not a way to combine periods. Write one of {allowed}.",
    ),
    "month_outside_validity": (
        "Månaden {value} ligger utanför överenskommelsens giltighetstid "
        "({valid_from} – {valid_to}) för {agreement}. Rätta månaden, eller "
        "överenskommelsens valid_from/valid_to om den gällt längre.",
        "The month {value} lies outside the validity of the agreement {agreement} "
        "({valid_from} – {valid_to}). Correct the month, or the agreement's "
        "valid_from/valid_to if it was valid longer.",
    ),
    "party_kpi": (
        "Nyckeltalet {kpi} finns inte per part; lämna party_id tomt.",
        "The key figure {kpi} is not defined per party; leave party_id blank.",
    ),
    "cluster_kpi": (
        "Nyckeltalet {kpi} finns bara för hela överenskommelsen; lämna cluster_id tomt.",
        "The key figure {kpi} exists only for the whole agreement; leave cluster_id blank.",
    ),
    # references and cross-row rules (checked on the data as it would be after the import)
    "unknown_agreement": (
        "Överenskommelsen ”{value}” finns varken i filen (agreements) eller i databasen.",
        "The agreement '{value}' is neither in the file (agreements) nor in the database.",
    ),
    "unknown_cluster": (
        "Klustret ”{value}” finns varken i filen (clusters) eller i databasen för "
        "överenskommelsen {agreement}.",
        "The cluster '{value}' is neither in the file (clusters) nor in the database for the "
        "agreement {agreement}.",
    ),
    "unknown_party": (
        "Parten ”{value}” finns varken i filen (parties) eller i databasen för "
        "överenskommelsen {agreement}.",
        "The party '{value}' is neither in the file (parties) nor in the database for the "
        "agreement {agreement}.",
    ),
    "category_without_shares": (
        "Kostnadskategorin ”{value}” har ingen kostnadsfördelning (cost_shares) för "
        "överenskommelsen {agreement}.",
        "The cost category '{value}' has no cost sharing (cost_shares) for the agreement "
        "{agreement}.",
    ),
    "shares_not_one": (
        "Andelarna för kostnadskategorin ”{category}” i {agreement} summerar till {total}, "
        "inte 100 %.",
        "The shares of the cost category '{category}' in {agreement} sum to {total}, "
        "not 100 %.",
    ),
    "mixed_breakdown": (
        "För {agreement}, kluster {cluster}, {when} finns både rader med tomt {breakdown} och "
        "rader med {breakdown} ifyllt: summan skulle räknas dubbelt. Använd antingen bara "
        "totalrader eller bara uppdelade rader.",
        "For {agreement}, cluster {cluster}, {when} there are rows with a blank {breakdown} and "
        "rows with {breakdown} filled in: the total would count twice. Use either total rows only "
        "or broken-down rows only.",
    ),
    "more_problems": (
        "Samma slags problem finns på ytterligare {count} rader, från och med den här: {what}",
        "The same kind of problem is on {count} more rows, from this one on: {what}",
    ),
    "stored_row": (
        "lagrad rad från import {import_id}",
        "stored row from import {import_id}",
    ),
    # import log
    "no_such_import": ("Import {import_id} finns inte.", "Import {import_id} does not exist."),
    "already_undone": ("Import {import_id} är redan ångrad.",
                       "Import {import_id} is already undone."),
    "undo_blocked": (
        "Import {import_id} kan inte ångras: import {later} ({file}) ändrade senare samma "
        "överenskommelse ({agreement}). Ångra import {later} först.",
        "Import {import_id} cannot be undone: import {later} ({file}) later changed the same "
        "agreement ({agreement}). Undo import {later} first.",
    ),
    "busy": (
        "En annan import pågår just nu. Försök igen om en stund.",
        "Another import is running right now. Try again in a moment.",
    ),
    "internal_error": (
        "Importen stötte på ett oväntat fel ({detail}). Inget har sparats. Skicka filen till "
        "den som förvaltar instrumentpanelen.",
        "The import met an unexpected error ({detail}). Nothing was stored. Send the file to "
        "whoever maintains the dashboard.",
    ),
    "database_error": (
        "Databasen kunde inte spara importen ({detail}). Inget har sparats.",
        "The database could not store the import ({detail}). Nothing was stored.",
    ),
}

_LOCATION = {
    "sv": {"sheet": "blad ”{}”", "row": "rad {}", "column": "kolumn {}", "table": "tabell {}"},
    "en": {"sheet": "sheet '{}'", "row": "row {}", "column": "column {}", "table": "table {}"},
}


@dataclass(frozen=True)
class Problem:
    """One reason an import is refused, with where it is."""

    code: str
    file: str | None = None
    sheet: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    letter: str | None = None
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def message(self, lang: str = "sv") -> str:
        """The problem in words, with its location first."""
        text = self.text(lang)
        where = self.location(lang)
        return f"{where}: {text}" if where else text

    def text(self, lang: str = "sv") -> str:
        """The problem in words, without its location."""
        idx = 0 if lang == "sv" else 1
        template = MESSAGES[self.code][idx]
        params = {k: (v.get(lang, v["sv"]) if isinstance(v, dict) else v)
                  for k, v in self.params.items()}
        return template.format(**params)

    def location(self, lang: str = "sv") -> str:
        words = _LOCATION["sv" if lang == "sv" else "en"]
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(words["sheet"].format(self.sheet))
        elif self.table and not (self.file and self.file.startswith(self.table + ".")):
            parts.append(words["table"].format(self.table))
        if self.row is not None:
            parts.append(words["row"].format(self.row))
        elif self.params.get("stored_import") is not None:
            parts.append(MESSAGES["stored_row"][0 if lang == "sv" else 1].format(
                import_id=self.params["stored_import"]))
        if self.column:
            name = f"”{self.column}”" if lang == "sv" else f"'{self.column}'"
            if self.letter:
                name = f"{self.letter} {name}"
            parts.append(words["column"].format(name))
        return ", ".join(parts)


# Problems of one kind in one column of one table listed one by one; beyond that, one
# problem says how many more rows have it (a national file with a systematic mistake
# would otherwise give a million lines).
PROBLEMS_PER_KIND = 100


def capped(positions, make, limit: int = PROBLEMS_PER_KIND) -> list[Problem]:
    """``make(p)`` for each ``p`` of ``positions`` (rows in file order), at most ``limit``
    of them, then one ``more_problems`` at the first one left out, saying how many."""
    n = len(positions)
    out = [make(positions[k]) for k in range(min(n, limit))]
    if n > limit:
        out.append(more_problems(make(positions[limit]), n - limit))
    return out


def more_problems(first: Problem, count: int) -> Problem:
    """``count`` more problems like ``first``, from ``first``'s place on."""
    return Problem("more_problems", file=first.file, sheet=first.sheet, table=first.table,
                   row=first.row, column=first.column, letter=first.letter, params={
                       **({"stored_import": first.params["stored_import"]}
                          if "stored_import" in first.params else {}),
                       "count": f"{count:,}".replace(",", " "),
                       "what": {"sv": first.text("sv"), "en": first.text("en")}})


class ImportRefused(Exception):
    """Raised inside the import transaction to roll it back with the problems found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def show_value(value, limit: int = 40) -> str:
    """A cell value as it may appear in a message: short, one line."""
    text = str(value).replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
