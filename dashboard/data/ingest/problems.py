"""Import problems: where (file, sheet, row, column) and what, in words a data steward reads.

A problem is data (a code and parameters) so that tests can assert on it; it is
rendered in Swedish (default) or English. A message never repeats the content of
a cell that looked like a personal identity number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.i18n import _


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
        params = {k: (v.get(lang, v["sv"]) if isinstance(v, dict) else v)
                  for k, v in self.params.items()}
        return _(f"import.{self.code}", lang).format(**params)

    def location(self, lang: str = "sv") -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(_("import.location.sheet", lang, name=self.sheet))
        elif self.table and not (self.file and self.file.startswith(self.table + ".")):
            parts.append(_("import.location.table", lang, name=self.table))
        if self.row is not None:
            parts.append(_("import.location.row", lang, row=self.row))
        elif self.params.get("stored_import") is not None:
            parts.append(_("import.stored_row", lang).format(
                import_id=self.params["stored_import"]))
        if self.column:
            name = _("import.location.quoted", lang, name=self.column)
            if self.letter:
                name = f"{self.letter} {name}"
            parts.append(_("import.location.column", lang, name=name))
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


# Problems of a limit (ImportLimits): a file refused for one is refused however it is
# imported, and is not kept for another try.
LIMIT_CODES = frozenset({
    "too_large", "too_large_unpacked", "part_too_large", "part_ratio", "too_many_rows",
    "too_many_sheet_rows", "too_many_sheet_cells", "too_many_workbook_cells",
    "memory_limit", "time_limit"})


class ImportRefused(Exception):
    """Raised inside the import transaction to roll it back with the problems found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def show_value(value, limit: int = 40) -> str:
    """A cell value as it may appear in a message: short, one line."""
    text = str(value).replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
