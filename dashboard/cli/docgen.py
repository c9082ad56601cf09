"""Parts of ``docs/`` written from the code, so that they cannot drift from it.

``python -m dashboard.cli.docgen`` rewrites, between their markers,

* ``docs/import-format.md``: the tables, columns, Swedish headings, types, keys and the
  key-figure names a target may name, from :mod:`dashboard.domain.schema` (the one description
  the importer, the database and the ``template`` command read) and :mod:`dashboard.domain.kpis`;
* ``docs/key-figures.md``: the table of what each key figure is, from
  :data:`dashboard.domain.kpis.MEANINGS`;
* ``docs/commands.md``: every command of ``python -m dashboard`` with its arguments and
  help, from the command line's own argparse parser.

``python -m dashboard.cli.docgen --check`` writes nothing and exits 1 when a file differs from
what would be written (``tests/test_docs.py`` fails the same way). Text outside the markers
is the guides' own and is kept as it is.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from dashboard.cli.main import _parser
from dashboard.config import PROJECT_ROOT
from dashboard.data.ingest.parsing import COMPARATORS, GENDERS
from dashboard.domain.kpis import INDICATOR_MEANING, KPI_NAMES, KPI_TABLES, MEANINGS, UNITS
from dashboard.domain.schema import IGNORED_SHEETS, TABLE_ORDER, TABLES, Kind
from dashboard.i18n import kpi_label

DOCS = PROJECT_ROOT / "docs"
REGENERATE = "python -m dashboard.cli.docgen"


def _begin(name: str) -> str:
    return f"<!-- BEGIN generated: {name} (do not edit: {REGENERATE} writes it) -->"


def _end(name: str) -> str:
    return f"<!-- END generated: {name} -->"


def _cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


# How a cell of each kind is written (what the parsers in dashboard/data/ingest/parsing.py take).
KIND_HELP = {
    "id": "a short code: letters, digits, `-` and `_`, starting with a letter or digit",
    "text": "free text",
    "label": "short free text that is part of the row's key (a role, a target group, a "
             "cost category)",
    "month": "`YYYY-MM` (`2023-01`), or an Excel date cell on the first of the month",
    "date": "`YYYY-MM-DD`, or an Excel date cell",
    "count": "a whole number, 0 or more",
    "fte": "a decimal number, 0 or more (full-time equivalents, *årsarbetskrafter*)",
    "money": "a decimal number of kronor (`kr`, `SEK` or `:-` after it allowed); income "
             "as a negative amount",
    "share": "`0,6`, `60`, `60 %` or an Excel percentage cell; a bare number above 1 is a "
             "percentage (write `1 %` for one percent)",
    "number": "any decimal number; with a `%` sign it is read as a fraction",
    "gender": "`K` (women), `M` (men), `X` (other or unknown), or blank (not broken down)",
    "comparator": "`>=`, `<=`, `increase` or `decrease`",
    "period": "`YYYY`, `YYYY-H1`/`H2`, `YYYY-Q1`..`Q4` or `YYYY-MM`",
    "municipalities": "SCB municipality codes, four digits (`0180` Stockholm), several "
                      "with `;` between",
    "kpi": "a key figure's or an indicator's code (as `id`), or a Kolada key figure as "
           "`kolada:N03937`: the agreement's one municipality's total for the year "
           "(contract §9; `python -m dashboard kolada import` or `kolada fetch` stores "
           "the values)",
}


def import_format() -> str:
    """The import format as Markdown, from :mod:`dashboard.domain.schema` and the parsers."""


    missing = [k.value for k in Kind if k.value not in KIND_HELP]
    if missing:
        raise SystemExit(f"dashboard/cli/docgen.py: KIND_HELP has no text for {missing}")
    out = ["| table | columns (* required) | key | one row is |", "|---|---|---|---|"]
    for name in TABLE_ORDER:
        t = TABLES[name]
        cols = ", ".join(f"{c.name}{'*' if c.required else ''}" for c in t.columns)
        out.append(f"| [`{name}`](#{name}) | {cols} | {', '.join(t.key)} | "
                   f"{_cell(t.help_en)} |")
    for name in TABLE_ORDER:
        t = TABLES[name]
        out += ["", f"### {name}", "", f"{t.help_en} *({t.help_sv})* Key: "
                + ", ".join(f"`{k}`" for k in t.key) + ".", "",
                "| column | required | type | Swedish headings also read | meaning |",
                "|---|---|---|---|---|"]
        for c in t.columns:
            aliases = ", ".join(f"`{a}`" for a in c.aliases)
            out.append(f"| `{c.name}` | {'yes' if c.required else ''} | {c.kind.value} | "
                       f"{aliases} | {_cell(c.help_en)} |")
    out += ["", "### Types", "", "| type | how a cell is written |", "|---|---|"]
    for kind in Kind:
        out.append(f"| {kind.value} | {KIND_HELP[kind.value]} |")
    genders = ", ".join(f"`{k}`" for k in GENDERS)
    comparators = ", ".join(f"`{k}`" for k in COMPARATORS)
    ignored = ", ".join(f"`{s}`" for s in sorted(IGNORED_SHEETS))
    out += ["", f"Also read: gender as {genders}; comparator as {comparators}.",
            "", f"Sheets and CSV files skipped: names starting with `_`, and {ignored}.",
            "", "### Key figures a target may name", "",
            "`targets.kpi` is one of these, or the code of an indicator in `indicators`.",
            "", "| kpi | Swedish | English | unit | computed from |", "|---|---|---|---|---|"]
    for k in KPI_NAMES:
        out.append(f"| `{k}` | {kpi_label(k, 'sv')} | {kpi_label(k, 'en')} | "
                   f"{UNITS.get(k, 'number')} | `{KPI_TABLES.get(k, 'indicators')}` |")
    return "\n".join(out)


def _arguments(parser: argparse.ArgumentParser) -> str:
    words = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if not action.option_strings:
            words.append(action.metavar or action.dest.upper())
            continue
        word = action.option_strings[-1]
        if action.nargs != 0:
            if action.choices:
                word += " " + "|".join(str(c) for c in action.choices)
            else:
                word += " " + (action.metavar or action.dest.upper())
        words.append(word if action.required else f"[{word}]")
    return " ".join(words)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def commands() -> str:
    """Every command and subcommand of ``python -m dashboard``, from its parser."""

    root = _parser()
    out = [f"`python -m dashboard {_arguments(root)} COMMAND …`", "",
           "| command | does |", "|---|---|"]
    helps = _helps(root)
    for name, sub in _subparsers(root).items():
        inner = _subparsers(sub)
        if not inner:
            line = " ".join(filter(None, [name, _arguments(sub)]))
            out.append(f"| `{_cell(line)}` | {_cell(helps.get(name, ''))} |")
            continue
        inner_helps = _helps(sub)
        for sub_name, leaf in inner.items():
            line = " ".join(filter(None, [name, _arguments(sub), sub_name, _arguments(leaf)]))
            out.append(f"| `{_cell(line)}` | {_cell(inner_helps.get(sub_name, ''))} |")
    return "\n".join(out)


def key_figures() -> str:
    """The table of what each key figure is, from :data:`dashboard.domain.kpis.MEANINGS`
    (key figures next to each other with the same text share a row)."""
    missing = [k for k in KPI_NAMES if k not in MEANINGS]
    if missing:
        raise SystemExit(f"no meaning in dashboard/domain/kpis.py MEANINGS for {missing}")
    rows: list[tuple[list[str], str]] = []
    for name in KPI_NAMES:
        if rows and rows[-1][1] == MEANINGS[name]:
            rows[-1][0].append(name)
        else:
            rows.append(([name], MEANINGS[name]))
    lines = ["| kpi | what it is |", "|---|---|"]
    lines += [f"| {', '.join(_code(n) for n in names)} | {_cell(text)} |" for names, text in rows]
    lines.append(f"| an indicator | {_cell(INDICATOR_MEANING)} |")
    return "\n".join(lines)


GENERATED = {
    "import-format.md": {"import-format": import_format},
    "commands.md": {"commands": commands},
    "key-figures.md": {"key-figures": key_figures},
}


def render(text: str, parts: dict) -> str:
    """``text`` with each generated part between its markers rewritten."""
    for name, make in parts.items():
        begin, end = _begin(name), _end(name)
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise SystemExit(f"the markers of {name!r} are missing: {begin} … {end}")
        block = f"{begin}\n\n{make()}\n\n{end}"
        text = pattern.sub(lambda _, block=block: block, text, count=1)
    return text


def expected(docs: Path = DOCS) -> dict[Path, str]:
    """What each generated file should hold."""
    return {docs / name: render((docs / name).read_text(encoding="utf-8"), parts)
            for name, parts in GENERATED.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when a file differs from what it would be")
    args = p.parse_args(argv)
    stale = []
    for path, text in expected().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        rel = path.relative_to(PROJECT_ROOT)
        print(f"{rel}: {'differs from the code: run ' + REGENERATE if args.check else 'written'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
