"""The package's own source, parsed once per test process.

tests/test_catalogue.py and tests/test_architecture.py read every module of
``dashboard/`` as a syntax tree (texts asked for, imports between layers); parsing the
whole tree costs a second or two, and walking it again for each rule about as much. Both
read it from here: each file parsed once, and its nodes listed once in
:func:`ast.walk`'s order.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"


@functools.cache
def paths() -> tuple[Path, ...]:
    """Every module of the package, sorted."""
    return tuple(sorted(PACKAGE.rglob("*.py")))


@functools.cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of ``path``'s tree, in the order :func:`ast.walk` gives them."""
    return tuple(ast.walk(tree(path)))


def modules() -> list[tuple[Path, ast.Module]]:
    """(path, tree) of every module, sorted by path."""
    return [(path, tree(path)) for path in paths()]
