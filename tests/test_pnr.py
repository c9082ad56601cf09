"""The personal identity number detector: true cases and look-alikes that must pass."""

import pytest

from dashboard.ingest.pnr import cell_text, looks_like_identity_number, luhn_ok


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
