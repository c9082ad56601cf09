"""The personal identity number detector: true cases and look-alikes that must pass.

Also: an import holding one is refused with a message that says where (file, sheet,
row, column) but never repeats any run of the number's digits, wherever it is: a cell,
a heading, a sheet name, a CSV file name, the file or folder name.
"""

import pytest

from dashboard.data import repository
from dashboard.data.ingest import import_dataset
from dashboard.domain.pnr import cell_text, looks_like_identity_number, luhn_ok
from tests.builders import base_tables, write_csv_folder, write_workbook


@pytest.mark.parametrize("text", [
    "811218-9876",        # personnummer, the Skatteverket example
    "8112189876",         # without separator
    "19811218-9876",      # 12 digits with century
    "198112189876",
    "811218+9876",        # '+' for people aged 100 or more
    "811278-9873",        # samordningsnummer: day 18 + 60 = 78, own check digit
    "19811278-9873",
    "Deltagare 811218-9876 avslutad",  # inside other text
    "121212-1212",
    "20121212-1212",
])
def test_true_identity_numbers_are_found(text):
    assert looks_like_identity_number(text)


@pytest.mark.parametrize("text", [
    "212000-0142",         # organisation number, Stockholms stad
    "202100-2114",         # organisation number, Arbetsförmedlingen
    "2120000142",
    "2023-01-15",          # a date
    "20230115",
    "1 234 567,50",        # an amount
    "24500",
    "-24 500",
    "0771-60 00 00",       # phone numbers in their usual forms
    "08-508 000 00",
    "+46 70 123 45 67",
    "070-123 45 67",
    "811218-9875",         # wrong check digit
    "811318-9876",         # month 13 does not exist
    "810230-1234",         # 30 February does not exist
    "8112189876543",       # 13 digits: not an identity number in any written form
    "2023-Q1",
    "",
])
def test_look_alikes_pass(text):
    assert not looks_like_identity_number(text)


def test_luhn():
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


def test_numbers_from_excel_are_scanned_as_whole_numbers():
    assert cell_text(8112189876) == "8112189876"
    assert cell_text(8112189876.0) == "8112189876"
    assert looks_like_identity_number(cell_text(198112189876))
    assert cell_text(1.5) is None


# --------------------------------------------------------------------------- more cases


def with_check_digit(nine: str) -> str:
    """``YYMMDDNNN`` plus the Luhn check digit that makes it a valid number."""
    return next(nine + str(c) for c in range(10) if luhn_ok(nine + str(c)))


@pytest.mark.parametrize("text", [
    with_check_digit("811291123"),            # samordningsnummer: day 31 + 60
    "19" + with_check_digit("811291123"),
    with_check_digit("000229123"),            # 29 February 2000 (two-digit year)
    "20" + with_check_digit("000229123"),
    "18" + with_check_digit("121212121"),     # born in the 1800s, 12 digits
    "811218+9876",                            # '+': 100 years or older
    "811218 9876",                            # a space as separator
    "pnr:811218-9876;",                       # letters and punctuation around it
    "Född 8112189876, Stockholm",
])
def test_more_identity_numbers_are_found(text):
    assert looks_like_identity_number(text)


@pytest.mark.parametrize("text", [
    with_check_digit("811292123"),            # day 92: 32 + 60 does not exist
    with_check_digit("811260123"),            # day 60: 0 + 60 does not exist
    with_check_digit("810431123"),            # 31 April
    with_check_digit("810491123"),            # 31 April as a samordningsnummer
    with_check_digit("010229123"),            # 29 February 2001
    "19" + with_check_digit("000229123"),     # 29 February 1900 (not a leap year)
    "17" + with_check_digit("121212121"),     # no such century
    "16212000-0142",                          # organisation number with its 16 prefix
    "556677-8899",                            # organisation number (month 66)
    "811218.9876",                            # decimals, not a separator
    "811218,9876",
    "1981-12-18",                             # dates in their usual forms
    "2023-01-01T12:34",
    "18.12.1981",
    "0046701234567",                          # international phone number, 13 digits
    "070-1234567",
    "08-123 456 78",
    "123 45",                                 # postal code
    "12 345 678,90 kr",                       # amounts
    "1234567890123",
    "2023-01..2023-06",
])
def test_more_look_alikes_pass(text):
    assert not looks_like_identity_number(text)


def test_numbers_that_are_not_whole_are_not_scanned():
    assert cell_text(8112189876.5) is None
    assert cell_text(True) is None
    assert cell_text(None) is None
    assert cell_text(1e20) is None  # beyond any identity number


# --------------------------------------------------------------------------- messages

PNR = "811218-9876"
PNR12 = "19811218-9876"


def digit_runs(number: str, length: int = 3) -> set[str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return {digits[i:i + length] for i in range(len(digits) - length + 1)}


def assert_never_repeated(problem, number: str) -> None:
    for lang in ("sv", "en"):
        text = problem.message(lang)
        digits_only = "".join(ch for ch in text if ch.isdigit())
        for run in digit_runs(number):
            assert run not in text and run not in digits_only, (run, text)


@pytest.fixture
def engine_with_base(engine, tmp_path, prepared):
    """The base dataset stored: imported once per test process, each test starting from a
    copy (``prepared``)."""
    def build(eng):
        assert import_dataset(eng, write_workbook(tmp_path / "base.xlsx", base_tables())).ok

    prepared.prepare(engine, "test_pnr.base", build)
    return engine


@pytest.mark.parametrize("number", [PNR, PNR12, "8112189876", "811278-9873"])
def test_refusal_names_sheet_row_and_column_but_never_the_number(engine_with_base, tmp_path,
                                                                 number):
    tables = base_tables()
    tables["occupancy"][3][4] = f"Deltagare {number}"  # row 4 of the sheet, column E
    result = import_dataset(engine_with_base, write_workbook(tmp_path / "pnr.xlsx", tables))
    assert not result.ok
    [p] = result.problems
    assert p.code == "personal_number"
    assert p.message("sv").startswith(
        "pnr.xlsx, blad ”occupancy”, rad 4, kolumn E ”target_group”: Cellen ser ut att")
    assert p.message("en").startswith(
        "pnr.xlsx, sheet 'occupancy', row 4, column E 'target_group': The cell looks like")
    assert_never_repeated(p, number)


def test_in_a_csv_file_the_message_names_file_row_and_column(engine_with_base, tmp_path):
    tables = base_tables()
    tables["costs"][2][5] = f"Faktura {PNR12}"
    result = import_dataset(engine_with_base, write_csv_folder(tmp_path / "csv", tables))
    [p] = result.problems
    assert p.message("sv").startswith("costs.csv, rad 3, kolumn ”note”: Cellen ser ut att")
    assert_never_repeated(p, PNR12)


def test_a_number_as_a_heading_is_refused_without_repeating_it(engine_with_base, tmp_path):
    tables = base_tables()
    tables["parties"][0].append(PNR)
    result = import_dataset(engine_with_base, write_workbook(tmp_path / "h.xlsx", tables))
    [p] = result.problems
    assert p.code == "personal_number"
    assert p.message("en").startswith("h.xlsx, sheet 'parties', row 1, column 'D': The cell")
    assert_never_repeated(p, PNR)


def test_a_number_as_a_sheet_file_or_folder_name_is_refused_without_repeating_it(
        engine_with_base, tmp_path):
    tables = base_tables()
    tables[PNR] = tables.pop("parties")
    results = [import_dataset(engine_with_base, write_workbook(tmp_path / "s.xlsx", tables))]
    results.append(import_dataset(engine_with_base,
                                  write_workbook(tmp_path / f"{PNR}.xlsx", base_tables())))
    results.append(import_dataset(engine_with_base,
                                  write_csv_folder(tmp_path / f"lista {PNR12}", base_tables())))
    folder = write_csv_folder(tmp_path / "csv", base_tables())
    (folder / "parties.csv").rename(folder / f"{PNR}.csv")
    results.append(import_dataset(engine_with_base, folder))
    for result in results:
        assert not result.ok
        assert [p.code for p in result.problems] == ["personal_number_name"]
        assert PNR not in result.source
        for p in result.problems:
            assert_never_repeated(p, PNR12)
    assert len(repository.list_imports(engine_with_base)) == 1  # only the base
