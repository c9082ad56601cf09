"""The house's rules, measured from the code's own imports (every import, also those inside
functions): layers only point down, no circles, few imports inside functions, one module
that makes the database engine. See docs/developers.md (Architecture).

The layers, bottom first; a module may import its own layer and those below it:

* ``domain``: pure rules (periods, key figures, status, suppression, identity numbers, the
  tables' schema): no I/O, no Dash;
* ``config``, ``i18n``: settings, texts and formats;
* ``data``: the one engine, the repository with all SQL, ingest, migrations, demo;
* ``people``: accounts, passwords, roles and what they allow, the audit log;
* ``model``: what a view needs, read and computed once (its series, the portfolio);
* ``figures``: pure figure functions, panels, slides and their words;
* ``access``: who asks, and what they may see (the one way in for every page and job);
* ``store``: figures kept per data version, and the warmer (pages register what it warms);
* ``meetings``: steering meetings on record (no web);
* ``export``: the pack's contents and its writers;
* ``jobs``: the bounded export queue;
* ``web``: the app factory, pages, components, sign-in views;
* ``cli``: the command line;
* ``wsgi``, ``__main__``, ``worker``: entry points.
"""

from __future__ import annotations

import ast
import functools
import runpy
import sys
from pathlib import Path

import pytest

from tests import source

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"

LAYERS = [
    ("domain",), ("config", "i18n"), ("data",), ("people",), ("model",), ("figures",),
    ("access",), ("store",), ("meetings",), ("export",), ("jobs",), ("web",), ("cli",),
    ("wsgi", "__main__", "worker"),
]
# Imports of the package's own modules inside functions: the command line loads a
# command's code when it is asked for; anything else is a dependency hidden from view.
MAX_INNER_IMPORTS = 20
PURE = ("domain",)  # no database, no web, no files
PURE_FORBIDDEN = ("sqlalchemy", "dash", "flask", "plotly", "requests", "celery", "redis")


@functools.cache
def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "versions" in parts:  # Alembic's revisions are files, not modules
            continue
        out[".".join(parts)] = path
    return out




def _resolve(name: str) -> str | None:
    while name and name not in _modules():
        name = name.rpartition(".")[0]
    return name or None


@functools.cache
def _imports() -> list[tuple[str, str, bool, int]]:
    """(importer, imported module, inside a function, line) for every own import."""
    found = []
    for module, path in _modules().items():
        inner = _inside_functions(source.tree(path))
        for node in source.nodes(path):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; write it whole")
            else:
                continue
            for name in names:
                if name.split(".")[0] != "dashboard":
                    continue
                target = _resolve(name)
                if target and target != module:
                    found.append((module, target, id(node) in inner, node.lineno))
    return found




def _inside_functions(tree: ast.AST) -> set[int]:
    """The ids of the import statements of ``tree`` inside a function (at any depth)."""
    found: set[int] = set()

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if inside and isinstance(child, (ast.Import, ast.ImportFrom)):
                found.add(id(child))
            visit(child, inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(tree, False)
    return found


def layer_of(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module} belongs to no layer: add its folder to LAYERS")


def test_every_module_has_a_layer():
    for module in _modules():
        if module != "dashboard":
            layer_of(module)


def test_layers_only_point_down():
    upward = [f"{a} -> {b} (line {line})" for a, b, _, line in _imports()
              if a != "dashboard" and layer_of(b) > layer_of(a)]
    assert upward == [], "imports that run back up:\n" + "\n".join(upward)


def test_no_circles():
    graph: dict[str, set[str]] = {m: set() for m in _modules()}
    for a, b, _, _ in _imports():
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == [], f"import circles: {circles}"


def test_few_imports_inside_functions():
    inner = [f"{a} -> {b} (line {line})" for a, b, is_inner, line in _imports()
             if is_inner and not a.startswith("dashboard.cli")]
    assert len(inner) <= MAX_INNER_IMPORTS, "\n".join(inner)


def test_the_domain_is_pure():
    for module, path in _modules().items():
        if module.split(".")[1:2] != ["domain"]:
            continue
        for node in source.nodes(path):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in PURE_FORBIDDEN, f"{module} imports {name}"


def test_one_module_makes_the_engine():
    makers = [m for m, path in _modules().items()
              if "create_engine(" in path.read_text(encoding="utf-8")]
    assert makers == ["dashboard.data.db"]
    readers = [m for m, path in _modules().items()
               if 'config["DASHBOARD_ENGINE"]' in path.read_text(encoding="utf-8")]
    assert readers == [], f"read the app's engine through dashboard.data.context: {readers}"


def test_every_benchmark_still_starts():
    """``make bench`` runs these scripts: each imports what it needs from where it lives
    now and answers ``--help`` (a move in the package broke four of them once)."""
    for script in sorted((PACKAGE.parent / "bench").glob("*.py")):
        if "__main__" not in script.read_text():
            continue  # a helper of the others (demo_db.py)
        argv = sys.argv
        sys.argv = [str(script), "--help"]
        try:
            with pytest.raises(SystemExit) as stop:
                runpy.run_path(str(script), run_name="__main__")
            assert stop.value.code in (0, None), script.name
        finally:
            sys.argv = argv
