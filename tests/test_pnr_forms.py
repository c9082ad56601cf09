"""Identity numbers in every written form (contract.md section 6), and where they hide.

Table-driven: every way a personnummer or samordningsnummer may be written (Unicode
dashes and minus signs, spaces of every kind, ``.``, ``/``, ``_``, zero-width characters
and soft hyphens inside, full-width digits, with or without century) is found by
:func:`contains_identity_number`, and refused with the place named but never the number
in a cell, a heading, a sheet name, a CSV file name, a workbook file name, a folder name
and a zip member name. Look-alikes written the same ways stay accepted.
"""

from __future__ import annotations

import zipfile

import pytest

from dashboard.data import repository
from dashboard.data.ingest import import_dataset
from dashboard.domain.pnr import (
    contains_identity_number,
    identity_number_cells,
    looks_like_identity_number,
    luhn_ok,
    normalise,
)
from tests.builders import base_tables, write_csv_folder, write_workbook
from tests.test_pnr import assert_never_repeated


def valid(nine: str) -> str:
    """``YYMMDDNNN`` plus the Luhn check digit that makes a valid number."""
    [number] = [nine + str(c) for c in range(10) if luhn_ok(nine + str(c))]
    return number


def written(number: str, sep: str = "-", parts: str = "", century: str = "") -> str:
    """``YYMMDDNNNC`` written with ``parts`` between year, month and day and ``sep``
    before the last four digits, after an optional century."""
    d = number
    return f"{century}{d[:2]}{parts}{d[2:4]}{parts}{d[4:6]}{sep}{d[6:]}"


PNR = valid("811218987")          # 8112189876, Skatteverket's example
SAMORDNING = valid("811278987")   # day 18 + 60
LEAP = valid("000229123")         # 29 February 2000
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

FORMS = {
    "hyphen": written(PNR),
    "en dash (Word, Excel)": written(PNR, "\u2013"),
    "em dash": written(PNR, "\u2014"),
    "figure dash": written(PNR, "\u2012"),
    "Unicode hyphen": written(PNR, "\u2010"),
    "non-breaking hyphen": written(PNR, "\u2011"),
    "minus sign": written(PNR, "\u2212"),
    "small hyphen-minus": written(PNR, "\ufe63"),
    "full-width hyphen-minus": written(PNR, "\uff0d"),
    "spaced hyphen": written(PNR, " - "),
    "spaced en dash": written(PNR, " \u2013 "),
    "non-breaking spaces around a dash": written(PNR, "\u00a0\u2013\u00a0"),
    "plus (100 or older)": written(PNR, "+"),
    "spaced plus": written(PNR, " + "),
    "space": written(PNR, " "),
    "non-breaking space": written(PNR, "\u00a0"),
    "narrow non-breaking space": written(PNR, "\u202f"),
    "thin space": written(PNR, "\u2009"),
    "figure space": written(PNR, "\u2007"),
    "ideographic space": written(PNR, "\u3000"),
    "tab": written(PNR, "\t"),
    "two spaces": written(PNR, "  "),
    "slash": written(PNR, "/"),
    "underscore": written(PNR, "_"),
    "dots between the parts": written(PNR, ".", "."),
    "dots and a dash": written(PNR, "-", "."),
    "slashes between the parts": written(PNR, "-", "/"),
    "spaces between the parts": written(PNR, "-", " "),
    "spaces everywhere": written(PNR, " ", " "),
    "dashes everywhere": written(PNR, "-", "-"),
    "en dashes everywhere": written(PNR, "\u2013", "\u2013"),
    "underscores everywhere": written(PNR, "_", "_"),
    "nothing between": written(PNR, ""),
    "zero-width space inside": PNR[:4] + "\u200b" + PNR[4:6] + "-" + PNR[6:],
    "zero-width joiner before the dash": PNR[:6] + "\u200d-" + PNR[6:],
    "zero-width non-joiner": PNR[:2] + "\u200c" + PNR[2:],
    "word joiner": PNR[:6] + "\u2060" + PNR[6:],
    "byte order mark inside": PNR[:3] + "\ufeff" + PNR[3:],
    "left-to-right mark": PNR[:6] + "\u200e-" + PNR[6:],
    "soft hyphen as separator": PNR[:6] + "\u00ad" + PNR[6:],
    "soft hyphens everywhere": "\u00ad".join(PNR),
    "full-width digits": written(PNR).translate(FULL_WIDTH),
    "full-width digits without separator": PNR.translate(FULL_WIDTH),
    "Arabic-Indic digits": written(PNR).translate(ARABIC_INDIC),
    "century": written(PNR, century="19"),
    "century, en dash": written(PNR, "\u2013", century="19"),
    "century, ISO date and a dash": written(PNR, "-", "-", century="19"),
    "century, dots": written(PNR, ".", ".", century="19"),
    "century, nothing between": written(PNR, "", century="19"),
    "century, full-width": written(PNR, century="19").translate(FULL_WIDTH),
    "samordningsnummer": written(SAMORDNING),
    "samordningsnummer, en dash": written(SAMORDNING, "\u2013"),
    "samordningsnummer, narrow space": written(SAMORDNING, "\u202f"),
    "29 February 2000, en dash": written(LEAP, "\u2013"),
    "inside a sentence": f"Deltagare {written(PNR, chr(0x2013))} avslutad.",
    "after a label": f"pnr:{written(PNR, ' ', ' ')};",
    "between parentheses": f"({written(PNR, chr(0xa0))})",
    "followed by a count": f"{written(PNR)} 2 månader",
}

LOOK_ALIKES = {
    "organisation number, en dash": "212000\u20130142",
    "organisation number, spaces": "21 20 00 0142",
    "organisation number, full-width": "２１２０００－０１４２",
    "wrong check digit, en dash": PNR[:9] + str((int(PNR[9]) + 1) % 10),
    "month 13, en dash": "811318\u20139876",
    "a date, en dashes": "2023\u201301\u201315",
    "a date, full-width": "２０２３－０１－０１",
    "a date with a time": "2023-01-15 12:34",
    "a date range, dashes": "2023-01-01 - 2023-12-31",
    "a date range, en dash": "2023-01-01\u20132023-12-31",
    "a date range, spaced en dash": "1981-12-18 \u2013 1998-07-06",
    "a decimal": written(PNR, "."),
    "a decimal with a comma": written(PNR, ","),
    "a share with many decimals": "0." + PNR,
    "a share with a decimal comma": "0," + PNR,
    "followed by decimals": written(PNR) + ".5",
    "amount, non-breaking spaces": "1\u00a0234\u00a0567\u00a0890 kr",
    "amount, narrow spaces": "12\u202f345\u202f678,90",
    "phone, en dash": "070\u2013123 45 67",
    "phone, area code": "08\u2013508 000 00",
    "phone, international": "+46\u00a070\u00a0123\u00a045\u00a067",
    "phone, service number": "0771\u201360 00 00",
    "13 digits": PNR + "123",
    "11 digits": "1" + PNR,
    "serial split by a space": written(PNR)[:-2] + " " + PNR[-2:],
    "postal code and street number": "123 45 Storgatan 12",
    "period range": "2015-01..2024-12",
}


@pytest.mark.parametrize("text", FORMS.values(), ids=FORMS.keys())
def test_every_written_form_is_found(text):
    assert contains_identity_number(text)
    assert looks_like_identity_number(text)  # the same function under its old name


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_look_alikes_written_the_same_ways_pass(text):
    assert not contains_identity_number(text)


def test_normalise_unifies_dashes_spaces_digits_and_drops_format_characters():
    assert normalise("81\u00ad12\u200b18\u20139876") == "811218-9876"
    assert normalise("８１\u00a0１２\u202f１８\u2212９８７６") == "81 12 18-9876"
    assert normalise("plain ASCII - as is\t") == "plain ASCII - as is\t"


def test_many_texts_at_once_give_the_same_answer_as_one_by_one():
    texts = [*FORMS.values(), *LOOK_ALIKES.values(), None, "", "2023-01", "12", "åäö"]
    texts = texts[::2] + texts[1::2]
    expected = [i for i, t in enumerate(texts) if t and contains_identity_number(t)]
    assert identity_number_cells(texts) == expected
    assert len(expected) == len(FORMS)
    assert identity_number_cells([]) == []
    assert identity_number_cells(["2023-01"] * 1000 + [FORMS["en dash (Word, Excel)"]]) == [1000]


def test_other_types_are_read_as_cells_are():
    assert contains_identity_number(int(PNR))
    assert contains_identity_number(float(PNR))
    assert not contains_identity_number(None)
    assert not contains_identity_number(1.5)


# --------------------------------------------------------------------------- in a dataset

# Forms that can be a sheet name (Excel forbids / \ ? * [ ] : and more than 31 characters)
# or a file name (no /).
NAME_FORMS = {k: v for k, v in FORMS.items() if "/" not in v and "\t" not in v
              and len(v) <= 31 and ":" not in v}


@pytest.fixture
def stored(engine, tmp_path):
    assert import_dataset(engine, write_workbook(tmp_path / "base.xlsx", base_tables())).ok
    return engine


def refused_without_the_number(engine, path, code: str):
    result = import_dataset(engine, path)
    assert not result.ok
    assert result.problems and {p.code for p in result.problems} == {code}, \
        result.messages("en")
    for p in result.problems:
        assert_never_repeated(p, PNR)
    return result


def test_every_form_in_cells_is_refused_naming_row_and_column(stored, tmp_path):
    tables = base_tables()
    rows = tables["occupancy"]
    header, template = rows[0], rows[1]
    forms = list(FORMS.values())
    # One month per form: the agreement in the file runs long enough to hold them all
    # (a month outside it would be refused too, contract section 1).
    tables["agreements"][1][2:4] = ["2000-01-01", "2023-12-31"]
    tables["occupancy"] = [header] + [
        ["krami", "norr", f"{2000 + i // 12}-{1 + i % 12:02d}", "K", None, 1, None, None]
        for i in range(len(forms))]
    for i, form in enumerate(forms):
        tables["occupancy"][1 + i][4] = form  # column E, target_group
    assert template  # the base rows are gone: every row holds a number
    for path in (write_workbook(tmp_path / "cells.xlsx", tables),
                 write_csv_folder(tmp_path / "cells", tables, swedish=False)):
        result = refused_without_the_number(stored, path, "personal_number")
        assert sorted(p.row for p in result.problems) == list(range(2, 2 + len(forms)))
        assert {p.column for p in result.problems} == {"target_group"}
    assert len(repository.list_imports(stored)) == 1


def test_every_form_in_a_heading_is_refused_naming_the_column(stored, tmp_path):
    tables = base_tables()
    forms = list(FORMS.values())
    tables["parties"][0] = tables["parties"][0] + forms
    result = refused_without_the_number(stored, write_workbook(tmp_path / "h.xlsx", tables),
                                        "personal_number")
    assert len(result.problems) == len(forms)
    assert all(p.row == 1 and p.table == "parties" for p in result.problems)


@pytest.mark.parametrize("form", NAME_FORMS.values(), ids=NAME_FORMS.keys())
def test_every_form_in_a_sheet_name_is_refused(engine, tmp_path, form):
    tables = base_tables()
    tables[form] = tables.pop("costs")
    result = refused_without_the_number(engine, write_workbook(tmp_path / "s.xlsx", tables),
                                        "personal_number_name")
    assert result.source == "s.xlsx"


@pytest.mark.parametrize("form", NAME_FORMS.values(), ids=NAME_FORMS.keys())
def test_every_form_in_a_file_or_folder_name_is_refused_and_never_logged(engine, tmp_path,
                                                                         form):
    folder = write_csv_folder(tmp_path / "csv", base_tables())
    (folder / "costs.csv").rename(folder / f"{form}.csv")
    paths = [folder,
             write_workbook(tmp_path / f"{form}.xlsx", base_tables()),
             write_workbook(tmp_path / f"underlag {form}.xlsx", base_tables()),
             write_csv_folder(tmp_path / f"mapp {form}", base_tables())]
    for path in paths:
        result = refused_without_the_number(engine, path, "personal_number_name")
        assert not contains_identity_number(result.source)
    assert repository.list_imports(engine).empty


@pytest.mark.parametrize("form", ["811218\u20139876", "19811218 9876", "81\u00ad1218-9876"])
def test_a_form_in_a_zip_member_name_is_refused(engine, tmp_path, form):
    folder = write_csv_folder(tmp_path / "csv", base_tables())
    path = tmp_path / "data.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
        z.writestr(f"anteckningar/{form}/_noter.csv", "x\n1\n")
    refused_without_the_number(engine, path, "personal_number_name")


def test_the_import_log_never_holds_a_number(engine):
    with repository.write_transaction(engine) as conn:
        import_id = repository.record_import(conn, f"lista {FORMS['en dash (Word, Excel)']}.xlsx",
                                             "0" * 64, "upsert", {}, [])
    [entry] = repository.list_imports(engine).to_dict("records")
    assert entry["id"] == import_id
    assert not contains_identity_number(entry["file_name"])
