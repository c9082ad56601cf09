"""The text catalogues: every text the code asks for is in both languages, and nowhere else.

The texts are in dashboard/locale/{sv,en}/LC_MESSAGES/messages.po under ids
``<namespace>.<key>``; the compiled .mo files beside them are committed (``make catalogues``
compiles them). See docs/developers.md, "Texts". Fast: no subprocess, no database.
"""

from __future__ import annotations

import ast
import functools
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dashboard.domain.schema import Kind
from dashboard.i18n import LOCALE_DIR, STATUS, _, known, ngettext
from dashboard.meetings.texts import ASSESSMENT, FIELDS
from dashboard.people.audit import ACTIONS
from tests import source

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"
LANGS = ("sv", "en")
CALLS = {"_", "ngettext", "column_heads", "known"}


@functools.cache
def _catalogue(lang: str):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)




@functools.cache
def _ids(lang: str) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(lang) if m.id}




def _modules():
    """(path, tree) of every module of the package, parsed once (tests/source.py)."""
    return source.modules()


@functools.cache
def _plural_ids() -> set[str]:
    return {m.id[1] for m in _catalogue("sv") if isinstance(m.id, tuple)}


@functools.cache
def _ngettext_ids() -> set[str]:
    return _ids("sv") | _plural_ids()




def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


# --------------------------------------------------------------------------- the catalogues


def test_both_catalogues_have_the_same_ids():
    assert _ids("sv") == _ids("en")
    assert len(_ids("sv")) > 700


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_has_a_text(lang):
    empty = [m.id for m in _catalogue(lang) if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert empty == []
    assert not [m.id for m in _catalogue(lang) if m.id and m.fuzzy]


@pytest.mark.parametrize("lang", LANGS)
def test_the_compiled_catalogue_is_the_po_file_compiled(lang):
    # The .mo files are committed: one older than (or different from) its .po file would
    # show yesterday's texts. `make catalogues` compiles them.
    out = io.BytesIO()
    write_mo(out, _catalogue(lang), use_fuzzy=False)
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo"
    assert mo.read_bytes() == out.getvalue(), f"{mo} is stale: run make catalogues"


def test_the_same_braces_in_both_languages():
    # A parameter the Swedish text uses and the English one does not (or the other way
    # round) would be a KeyError in one language only.
    fields = re.compile(r"\{(\w*)[^{}]*\}")
    en = {m.id: m.string for m in _catalogue("en") if m.id}
    differ = [m.id for m in _catalogue("sv") if m.id and isinstance(m.string, str)
              and set(fields.findall(m.string)) != set(fields.findall(en[m.id]))]
    assert differ == []


def test_texts_in_both_languages_with_their_params():
    assert _("ui.no_data_period", "sv", period="2023") == "Inga uppgifter för perioden 2023."
    assert _("ui.no_data_period", "en", period="2023") == "No data for the period 2023."
    assert _("ui.no_data") == "Inga uppgifter för perioden."  # Swedish by default
    # Without params the text is as written: Dash fills in {num_selected} itself.
    assert _("ui.selected_count", "en") == "{num_selected} selected"
    assert known("ui.no_data") and not known("ui.no_such_text")


def test_plurals_follow_the_languages_rule():
    assert ngettext("ui.month_missing", "ui.months_missing", 1, "sv") == "1 saknad månad"
    assert ngettext("ui.month_missing", "ui.months_missing", 3, "sv") == "3 saknade månader"
    assert ngettext("ui.month_missing", "ui.months_missing", 3, "en") == "3 months missing"


# --------------------------------------------------------------------------- the code's ids


def _literal_ids(node) -> list[tuple[str, bool]]:
    """The ids a call's first argument may be: (id, whole) or (prefix, False)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, True)]
    if isinstance(node, ast.IfExp):
        return _literal_ids(node.body) + _literal_ids(node.orelse)
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0],
                                                                       ast.Constant):
        return [(node.values[0].value, False)]
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant):
        return [(node.left.value, False)]
    return []


def test_every_id_the_code_asks_for_is_in_the_catalogues():
    missing, dynamic = [], []
    for path, _tree in _modules():
        for node in source.nodes(path):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in CALLS and node.args):
                continue
            args = node.args[:2] if node.func.id == "ngettext" else node.args[:1]
            for arg in args:
                found = _literal_ids(arg)
                if not found:
                    dynamic.append(f"{_rel(path)}:{node.lineno}")
                for text, whole in found:
                    if node.func.id == "column_heads":
                        text, whole = text + ".0", True
                    ids = _ngettext_ids() if node.func.id == "ngettext" else _ids("sv")
                    ok = text in ids if whole else any(i.startswith(text) for i in ids)
                    if not ok and node.func.id != "known":
                        missing.append(f"{_rel(path)}:{node.lineno} {text}")
    assert missing == []
    # Ids made from a variable only in i18n's own functions (checked below, from the sets
    # they come from); elsewhere an id starts with its namespace, as a literal.
    assert [d for d in dynamic if not d.startswith("dashboard/i18n.py:")] == []


def test_every_id_made_at_run_time_is_in_the_catalogues():
    made = [
        *(f"audit.action.{a}" for a in ACTIONS),
        *(f"meetings.field.{f}" for f in FIELDS),
        *(f"meetings.assessment.{a}" for a in ASSESSMENT),
        *(f"status.{s}" for s in STATUS),
        *(f"template.kind.{k.value}" for k in Kind),
        *(f"gender.{g}" for g in ("K", "M", "X", "empty")),
        *(f"same_period_earlier.{k}" for k in ("year", "half", "quarter", "month", "range")),
        *(f"cli.main.status_{s}" for s in ("active", "undone")),
    ]
    # Every problem an import can report.
    for path, _tree in _modules():
        for node in source.nodes(path):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "Problem" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                made.append(f"import.{node.args[0].value}")
    assert len(made) > 100
    assert [m for m in made if m not in _ids("sv")] == []


# --------------------------------------------------------------------------- nothing outside

SWEDISH = re.compile("[åäöÅÄÖ]")

# Swedish in string literals that is not a text shown by the program in one language, or
# one not (yet) in the catalogue: (file, literal or None for the whole file, why).
SWEDISH_EXCEPTIONS = [
    ("dashboard/data/demo.py", None, "the demo data: names of groups, parties, places"),
    ("dashboard/domain/places.py", None, "Swedish place names (SCB's codes and names)"),
    ("dashboard/domain/schema.py", None,
     "the data contract: column names, aliases and each column's help in both languages "
     "(help_sv, help_en), as the contract gives them"),
    ("dashboard/data/ingest/parsing.py", None,
     "Swedish words and Excel error values the parser accepts in cells (män, ökning, "
     "#VÄRDEFEL!)"),
    ("dashboard/figures/metrics.py", None, "glyph widths of Swedish letters"),
    ("dashboard/people/passwords.py", None,
     "the Swedish letters of common passwords, spelt plain (lösenord, losenord)"),
    ("dashboard/data/template.py", None,
     "the import template's notes, next to the schema's help_sv/help_en: not yet moved"),
    ("dashboard/cli/main.py",
     "ett argument ser ut att innehålla ett personnummer",
     "argparse's error, before the language is known: both languages at once"),
    ("dashboard/cli/docgen.py", None, "writes the English docs; quotes the Swedish term"),
    ("dashboard/web/app.py", "Samverkan – uppföljning",
     "Dash's default document title; every page sets its own (i18n.document_title)"),
    *((f"dashboard/web/pages/{page}.py", title,
       "Dash's page registry (title/name): each page sets its document title per language")
      for page, title in (("agreement", "Överenskommelse"), ("compare", "Jämför"),
                          ("meeting", "Möte"), ("meetings", "Möten"),
                          ("portfolio", "Överenskommelser"))),
]

# `X if lang == "sv" else Y` with literals, that are not texts: locale codes, the other
# language's code, number symbols, file names (ASCII, for every system).
TERNARY_EXCEPTIONS = {
    ("sv", "en"), ("en", "sv"), ("sv-SE", "en-GB"), ("?lang=en", ""), ("", "?lang=en"),
    ("\u00a0%", "%"), (",\u00a0", ".,"), ("\u00a0kr", ""),
    ("motespaket", "meeting-pack"), ("motespaket-mote", "meeting-pack-meeting"),
    ("audit-log.csv", "granskningslogg.csv"),
    ("English", "Svenska"),  # the language switch names the other language in its own
}


def _docstrings(path: Path) -> set[int]:
    out = set()
    for node in source.nodes(path):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            out.add(id(node.body[0].value))
    return out


def _excepted(rel: str, text: str) -> bool:
    return any(rel == path and (literal is None or text.startswith(literal))
               for path, literal, _why in SWEDISH_EXCEPTIONS)


def test_no_swedish_text_outside_the_catalogue():
    found = []
    for path, _tree in _modules():
        rel, docs = _rel(path), _docstrings(path)
        for node in source.nodes(path):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docs and SWEDISH.search(node.value) \
                    and not _excepted(rel, node.value):
                found.append(f"{rel}:{node.lineno} {node.value[:60]!r}")
    assert found == [], "Swedish text outside the catalogue:\n" + "\n".join(found)


def _branch(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ast.unparse(node)
    return None


def test_no_texts_chosen_by_language_in_the_code():
    found = []
    for path, _tree in _modules():
        for node in source.nodes(path):
            if not isinstance(node, ast.IfExp) or "lang" not in ast.unparse(node.test):
                continue
            pair = (_branch(node.body), _branch(node.orelse))
            if None in pair or pair in TERNARY_EXCEPTIONS:
                continue
            found.append(f"{_rel(path)}:{node.lineno} {ast.unparse(node)[:80]}")
    assert found == [], "texts chosen by language outside the catalogue:\n" + "\n".join(found)


def test_no_old_text_tables_left():
    # {key: (Swedish, English)} tables and words(...) lookups belong to the past.
    found = []
    for path, _tree in _modules():
        for node in source.nodes(path):
            if isinstance(node, ast.Dict) and node.values and all(
                    isinstance(v, ast.Tuple) and len(v.elts) in (2, 3)
                    and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                            for e in v.elts)
                    and any(SWEDISH.search(e.value) for e in v.elts) for v in node.values):
                if not _excepted(_rel(path), ""):
                    found.append(f"{_rel(path)}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "words":
                found.append(f"{_rel(path)}:{node.lineno} words(...)")
    assert found == []
