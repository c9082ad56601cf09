"""What a person writes into the dashboard: the one rule every such text goes through.

Logins, names, meeting titles and attendees, check-in comments, decisions, actions and
their owners, and the name written beside what someone wrote: the app's forms, the
meetings' service and the command line all call :func:`clean`, through the services of
:mod:`dashboard.people.accounts` and :mod:`dashboard.meetings.service`, so that every way
in gets the same check (contract section 6, amended). A text is

1. **cleaned**: control characters removed (a line break kept where a text may have
   lines, a tab made a space), the characters that reverse or embed the direction of text
   removed (they make a text read differently from what it holds), line and paragraph
   separators made line breaks; one-line fields have every run of spaces made one space;
   ends trimmed;
2. **bounded**: at most :data:`LIMITS` characters (after cleaning), else refused;
3. **refused when it holds an identity number** in any form, a dot being a separator in
   typed text (:func:`dashboard.domain.pnr.in_typed_text`); the refusal names the field,
   never the number.

An e-mail address (the pre-read's recipients, :func:`clean_address`) goes through the
same, then must look like one: ``local@domain.tld``, nothing a mail header could be
split or extended with. :func:`addresses_in` finds the addresses in a text (a meeting's
attendees: ``Anna Andersson (AF) <anna@example.se>``).

Pure: no database, no web. Refusals are :class:`TextRefused` (``code``: ``empty``,
``too_long``, ``identity_number`` or ``not_address``); each service turns it into its own
message.
"""

from __future__ import annotations

import re

from dashboard.domain.pnr import in_typed_text

# The longest text each field takes (characters). docs/administrators.md lists them
# ("Texts people write"); tests/test_attacks_text.py checks that the two agree.
LIMITS = {
    "login": 254,  # an e-mail address at most (RFC 5321)
    "name": 200,
    "title": 200,
    "attendees": 4000,
    "comment": 4000,
    "text": 4000,  # a decision
    "action": 1000,
    "owner": 200,
    "by": 200,  # the name written beside what someone wrote
    "address": 254,  # an e-mail address the pre-read goes to (RFC 5321)
}
# Fields of one line: line breaks and runs of spaces become one space.
ONE_LINE = frozenset({"login", "name", "title", "owner", "by", "address"})

# C0 and C1 control characters and DEL, but the line break and the tab (handled below).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Embeddings, overrides and isolates of the bidirectional algorithm (U+202A..U+202E,
# U+2066..U+2069): "Trojan source" reordering.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
# An address as people write them: no spaces, quotes, brackets, commas or semicolons
# (those would end it or start another in a header), one @, a domain with a dot.
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@"
                      r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_ADDRESS_IN_TEXT = re.compile(r"[^\s<>(),;:\"\[\]]+@[^\s<>(),;:\"\[\]]+")


class TextRefused(ValueError):
    """A text refused: ``code`` (``empty``, ``too_long``, ``identity_number``), the
    ``field`` and, for ``too_long``, its ``limit``."""

    def __init__(self, code: str, field: str, limit: int | None = None):
        super().__init__(f"{field}: {code}")
        self.code, self.field, self.limit = code, field, limit


def limit_of(field: str) -> int:
    return LIMITS.get(field, 4000)


def clean(value: str | None, field: str, *, required: bool = False) -> str:
    """``value`` as it will be kept: cleaned, bounded and free of identity numbers.

    Raises :class:`TextRefused`. ``None`` is an empty text."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n") \
        .replace("\u2029", "\n").replace("\t", " ")
    text = _BIDI.sub("", _CONTROL.sub("", text))
    if field in ONE_LINE:
        text = _SPACES.sub(" ", text)
    else:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = text.strip()
    if required and not text:
        raise TextRefused("empty", field)
    if len(text) > limit_of(field):
        raise TextRefused("too_long", field, limit_of(field))
    if in_typed_text(text):
        raise TextRefused("identity_number", field)
    return text


def clean_address(value: str | None) -> str:
    """An e-mail address as typed, checked as every typed text (:func:`clean`, field
    ``address``) and then for its shape; :class:`TextRefused` (``not_address``) when it is
    none. The domain is kept as typed, lower-cased."""
    text = clean(value, "address", required=True)
    if not _ADDRESS.fullmatch(text) or ".." in text or text.startswith(".") \
            or text.split("@", 1)[0].endswith("."):
        raise TextRefused("not_address", "address")
    local, domain = text.split("@", 1)
    return f"{local}@{domain.lower()}"


def addresses_in(text: str | None) -> list[str]:
    """The e-mail addresses written in a text (each once, in order; anything that only
    looks like one, e.g. ``a@b``, left out)."""
    found: list[str] = []
    for candidate in _ADDRESS_IN_TEXT.findall(text or ""):
        try:
            address = clean_address(candidate.strip("."))
        except TextRefused:
            continue
        if address.lower() not in (f.lower() for f in found):
            found.append(address)
    return found


def holds_identity_number(value: str | None) -> bool:
    """Whether a typed text (a login, an id typed as an argument) holds an identity number:
    what may not be said back."""
    return in_typed_text(value)


def echo(value, limit: int | None = None):
    """What a person typed, as a message may say it back: ``…`` when it holds an identity
    number; text without control characters, at most ``limit`` characters when given.
    Anything that is not text or a whole number is returned as it is."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return value
    if in_typed_text(str(value)):
        return "…"
    if isinstance(value, int):
        return value
    text = _BIDI.sub("", _CONTROL.sub("", value))
    return text if limit is None else text[:limit]
