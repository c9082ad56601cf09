"""README and docs/ name only what exists (fast: no subprocess, no database).

* the parts of docs/ written from the code (``python -m dashboard.cli.docgen``) are as the
  generator writes them: the import format from ``dashboard/domain/schema.py``, the command line
  from its parser;
* every ``python -m dashboard COMMAND [SUBCOMMAND] [--option]`` named in README or docs/
  exists in the command line's parser, and every ``python -m dashboard.<module>`` exists;
* every ``make TARGET`` named exists in the Makefile;
* every environment variable named is read by the code (or the Makefile), every setting
  the code reads is in the administrators' settings table, with the code's default;
* every relative link resolves, to a file and, with ``#anchor``, to a heading in it;
* README is a front door of at most 250 lines.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest

from dashboard.access.settings import AuthSettings, load_auth_settings
from dashboard.cli import docgen
from dashboard.cli.main import _parser
from dashboard.config import PROJECT_ROOT, Settings, load_settings

ROOT = PROJECT_ROOT
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
FILES = [README, *DOCS]

# Named in the docs but added by branches being merged at the same time (issue 15/16): the
# lead empties these sets when they are in. A pending name that exists passes anyway.
PENDING_COMMANDS: set[tuple[str, ...]] = set()
PENDING_MAKE_TARGETS: set[str] = set()
PENDING_FILES: set[str] = set()

# Variables read by other programs than ours, named in the docs.
STANDARD_VARIABLES = {
    "PATH": "where programs (Chromium, PostgreSQL) are found",
    "GUNICORN_CMD_ARGS": "gunicorn's own",
}


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`([^`\n]+)`")


def snippets(path: Path) -> list[str]:
    """The code of a Markdown file: each line of its fenced blocks (continued lines joined),
    and each inline code span outside them; ``\\|`` (a pipe in a table) as ``|``."""
    text = text_of(path)
    out = []
    for block in FENCE.findall(text):
        out += [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    out += INLINE.findall(FENCE.sub("", text))
    return [s.replace("\\|", "|") for s in out]


# ---------------------------------------------------------------------------------------
# Generated parts


def test_the_generated_parts_of_docs_are_as_the_code_writes_them():
    stale = [rel(path) for path, text in docgen.expected().items() if text_of(path) != text]
    assert stale == [], (f"{stale} differ from the code: "
                         "run .venv/bin/python -m dashboard.cli.docgen")


def test_the_import_format_lists_every_table_column_and_key_figure():
    from dashboard.domain.kpis import KPI_NAMES
    from dashboard.domain.schema import TABLES

    text = text_of(ROOT / "docs" / "import-format.md")
    for table in TABLES.values():
        assert f"### {table.name}\n" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    for kpi in KPI_NAMES:
        assert f"| `{kpi}` |" in text


def test_every_key_figure_is_explained():
    from dashboard.domain.kpis import KPI_NAMES

    text = text_of(ROOT / "docs" / "key-figures.md")
    table = text.split("## What each key figure is", 1)[1].split("\n## ", 1)[0]
    explained = {name for line in table.splitlines() if line.startswith("| `")
                 for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])}
    assert sorted(set(KPI_NAMES) - explained) == [], "not in docs/key-figures.md"


# ---------------------------------------------------------------------------------------
# Commands


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


WORD = re.compile(r"^[a-z][a-z0-9-]*$")
COMMAND = re.compile(r"(?:python3?\s+-m\s+dashboard(?=\s|$)|make\s+cli\s+ARGS=[\"']?)(.*)")


def named_commands() -> list[tuple[str, str, list[str]]]:
    """(file, the command as written, its words) for every ``python -m dashboard …`` and
    ``make cli ARGS="…"`` in README and docs/."""
    found = []
    for path in FILES:
        for snippet in snippets(path):
            for m in COMMAND.finditer(snippet):
                rest = m.group(1).split(" #")[0].split('"')[0]
                found.append((rel(path), m.group(0).strip(), rest.split()))
    return found


def check_command(words: list[str], root: argparse.ArgumentParser) -> list[str]:
    """What in ``words`` the parser does not know (placeholders such as COMMAND or ``…``
    end the check)."""
    problems: list[str] = []
    parser, path, i = root, [], 0
    while i < len(words):
        word = words[i].strip("[]")
        if word.startswith("-"):
            option = word.split("=")[0]
            known = {*parser._option_string_actions, *root._option_string_actions}
            if option not in known:
                problems.append(f"{' '.join(path) or 'python -m dashboard'} has no {option}")
            action = parser._option_string_actions.get(option) or \
                root._option_string_actions.get(option)
            if action is not None and action.nargs != 0 and "=" not in word:
                i += 1  # its value
            i += 1
            continue
        inner = subcommands(parser)
        if not inner:
            i += 1  # a positional argument
            continue
        names = word.split("|")
        if not all(WORD.match(n) for n in names):
            break  # a placeholder: COMMAND, …
        for name in names:
            if name not in inner and (*path, name) not in PENDING_COMMANDS:
                problems.append(f"no command {' '.join([*path, name])}")
        if len(names) > 1 or names[0] not in inner:
            break
        parser, path = inner[names[0]], [*path, names[0]]
        i += 1
    return problems


def test_every_command_named_in_the_docs_exists():
    root = _parser()
    named = named_commands()
    assert len(named) > 30
    problems = [f"{file}: `{cmd}`: {p}" for file, cmd, words in named
                for p in check_command(words, root)]
    assert problems == []


def test_the_check_of_commands_finds_what_does_not_exist():
    root = _parser()
    assert check_command("meetings add --agreement A --period 2023 --date D".split(), root) == []
    assert check_command("[--lang sv|en] COMMAND".split(), root) == []
    assert check_command("meetings add|checkin|close".split(), root) == []
    assert check_command(["meetings", "adjourn"], root) == ["no command meetings adjourn"]
    assert check_command(["imprt", "x.xlsx"], root) == ["no command imprt"]
    assert check_command(["import", "x.xlsx", "--replce"], root) == ["import has no --replce"]


def test_shell_commands_run_without_an_activated_environment():
    """As README promises: every command works as written after ``make run``."""
    bare = [f"{rel(path)}: {line.strip()}" for path in FILES
            for block in re.findall(r"^```sh\n(.*?)^```", text_of(path), flags=re.S | re.M)
            for line in block.replace("\\\n", " ").splitlines()
            if re.match(r"\s*(python3?|pytest|ruff|gunicorn|alembic|celery)\b", line)]
    assert bare == [], "use .venv/bin/…"


def test_every_python_module_named_in_the_docs_exists():
    modules = {m for path in FILES for s in snippets(path)
               for m in re.findall(r"python3?\s+-m\s+(dashboard\.[\w.]+)", s)}
    assert "dashboard.cli.docgen" in modules
    missing = sorted(m for m in modules if importlib.util.find_spec(m) is None)
    assert missing == []


# ---------------------------------------------------------------------------------------
# make targets


def makefile() -> tuple[set[str], set[str]]:
    """The Makefile's targets (variables in target names expanded) and its variables."""
    text = text_of(ROOT / "Makefile")
    variables = dict(re.findall(r"^([A-Z_][A-Z0-9_]*)\s*[?:]?=\s*(.*)$", text, flags=re.M))

    def expand(s: str) -> str:
        for _ in range(5):
            s = re.sub(r"\$\(([A-Z_][A-Z0-9_]*)\)", lambda m: variables.get(m.group(1), ""), s)
        return s

    targets = set()
    for line in re.findall(r"^([^\s#.][^:=\n]*|\.[a-z][^:=\n]*):(?!=)", text, flags=re.M):
        targets.update(expand(line).split())
    used = set(re.findall(r"\$\(([A-Z_][A-Z0-9_]*)\)", text))
    return targets, set(variables) | used


def test_every_make_target_named_in_the_docs_exists():
    targets, _ = makefile()
    assert {"run", "test", "serve", ".venv/.installed"} <= targets
    named = {(rel(path), m) for path in FILES for s in snippets(path)
             for m in re.findall(r"(?<![\w-])make\s+([a-z.][\w./-]*)", s)}
    missing = sorted((f, t) for f, t in named
                     if t not in targets and t not in PENDING_MAKE_TARGETS)
    assert missing == []
    assert ("README.md", "test-fast") in named


# ---------------------------------------------------------------------------------------
# Environment variables and settings

UPPER = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
LITERAL = re.compile(r"[\"']([A-Z][A-Z0-9_]+)[\"']")
SETTINGS_SOURCES = (ROOT / "dashboard" / "config.py", ROOT / "dashboard" / "access" / "settings.py")


def _plain(value) -> dict:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def settings_read() -> dict[str, tuple[str, object]]:
    """Every environment variable the settings modules read, found by setting it: the
    variable -> (the field it changes, that field's default)."""
    loaders = ((load_settings, Settings), (load_auth_settings, AuthSettings))
    bases = [_plain(load(environ={})) for load, _ in loaders]
    candidates = {m for path in SETTINGS_SOURCES for m in LITERAL.findall(text_of(path))}
    found = {}
    for variable in sorted(candidates):
        for value in ("en", "7", "0", "a b"):
            for (load, kind), base in zip(loaders, bases, strict=True):
                try:
                    now = _plain(load(environ={variable: value}))
                except (ValueError, TypeError):
                    continue
                changed = [k for k in base if now[k] != base[k]]
                if changed:
                    field = next(f for f in dataclasses.fields(kind) if f.name == changed[0])
                    found[variable] = (field.name, field.default)
            if variable in found:
                break
    return found


def code_variables() -> tuple[set[str], set[str]]:
    """(read by the app: dashboard/, app.py, gunicorn.conf.py; read by anything of the
    project: those, tests/, bench/, tools/ and the Makefile's variables)."""
    app_files = [*(ROOT / "dashboard").rglob("*.py"), ROOT / "app.py", ROOT / "gunicorn.conf.py"]
    other = [p for d in ("tests", "bench", "tools") for p in (ROOT / d).rglob("*.py")]

    def read_in(files) -> set[str]:
        out = set()
        for path in files:
            for line in text_of(path).splitlines():
                if "request.environ" in line:
                    continue  # the WSGI request's, not the process's
                if re.search(r"environ|getenv|setenv|\benv\b", line):
                    out.update(LITERAL.findall(line))
        return out

    app = read_in(app_files) | set(settings_read())
    return app, app | read_in(other) | makefile()[1]


def code_constants() -> set[str]:
    names = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        names.update(re.findall(r"^\s*([A-Z][A-Z0-9_]+)\s*[:=]", text_of(path), flags=re.M))
    return names


def settings_table() -> dict[str, str]:
    """The administrators' settings table: variable -> its default cell."""
    text = text_of(ROOT / "docs" / "administrators.md")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 3:
            for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]):
                rows[name] = cells[1]
    return rows


def test_the_settings_table_is_the_settings_the_code_reads():
    app, _ = code_variables()
    table = settings_table()
    assert {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "OIDC_ISSUER"} <= set(table)
    assert sorted(app - set(table)) == [], "read by the app, missing in the settings table"
    _, known = code_variables()
    assert sorted(set(table) - known - set(STANDARD_VARIABLES)) == [], "read nowhere"


def _written(value) -> str | None:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, tuple) and value:
        return " ".join(value)
    return None  # None, a path, a default made at start: said in words


def test_the_settings_table_gives_the_code_s_defaults():
    table = settings_table()
    found = settings_read()
    assert len(found) >= 35
    wrong = []
    for variable, (_field, default) in found.items():
        written = _written(default)
        if written is not None and written not in table[variable].replace("`", ""):
            wrong.append(f"{variable}: the code's default is {written}, the table says "
                         f"{table[variable]}")
    assert wrong == []


def test_every_variable_named_in_the_docs_exists():
    _, known = code_variables()
    known |= set(STANDARD_VARIABLES)
    constants = code_constants()
    problems = []
    for path in FILES:
        for snippet in snippets(path):
            # Assignments in commands: LOAD_DEMO=0 make run, export HOST=0.0.0.0 …
            for name in re.findall(r"(?<![\w$/.-])([A-Z][A-Z0-9_]*)=", snippet):
                if name not in known:
                    problems.append(f"{rel(path)}: {name}= (read nowhere)")
            # A name alone in code: an environment variable or a constant of the code.
            if UPPER.match(snippet) and snippet not in known and snippet not in constants:
                problems.append(f"{rel(path)}: `{snippet}` (neither a setting nor in the code)")
    assert problems == []


# ---------------------------------------------------------------------------------------
# Links and the front door

LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = heading.strip().lower().replace("`", "").replace("*", "")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", FENCE.sub("", text_of(path)), flags=re.M)
    return {slug(h) for h in headings}


def test_every_relative_link_resolves():
    problems = []
    for path in FILES:
        text = INLINE.sub("", FENCE.sub("", text_of(path)))
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            goal = (path.parent / file).resolve() if file else path
            if not goal.exists():
                if rel(goal) not in PENDING_FILES:
                    problems.append(f"{rel(path)}: {target} (no such file)")
                continue
            if anchor and goal.suffix == ".md" and anchor not in anchors(goal):
                problems.append(f"{rel(path)}: {target} (no such heading)")
    assert problems == []


def test_slugs_are_github_s():
    assert slug("Views: looking at an agreement") == "views-looking-at-an-agreement"
    assert slug("Key figures: decisions where the contract is silent") == \
        "key-figures-decisions-where-the-contract-is-silent"
    assert slug("cost_shares") == "cost_shares"
    assert slug("For managers: bookmarks, the portfolio, comparisons") == \
        "for-managers-bookmarks-the-portfolio-comparisons"


def test_readme_is_a_front_door():
    text = text_of(README)
    assert len(text.splitlines()) <= 250
    assert "docs/screenshots/" in text and "make run" in text and "make test" in text
    for guide in ("users", "data-stewards", "administrators", "developers", "key-figures"):
        assert f"(docs/{guide}.md" in text
        assert (ROOT / "docs" / f"{guide}.md").exists()


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_no_reference_to_a_contract_file_outside_the_repository(path):
    assert "contract.md" not in text_of(path)
