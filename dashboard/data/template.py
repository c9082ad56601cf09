"""The ``template`` command: an empty workbook for data stewards.

One sheet per table with its column headings (required ones in bold, with a comment
explaining each column), lists to pick gender and comparator from, and an
``_instruktioner`` sheet (ignored on import) that explains every column.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.domain.kpis import KPI_NAMES
from dashboard.domain.schema import TABLES, Kind
from dashboard.i18n import _


def write_template(out: Path, lang: str = "sv") -> Path:
    """Write the empty workbook to ``out`` and return its path."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sv = lang == "sv"
    wb = Workbook()
    info = wb.active
    info.title = "_instruktioner" if sv else "_instructions"
    title = ("Mall för import till instrumentpanelen. Varje blad är en tabell; bladnamn och "
             "kolumnnamn får inte ändras. Blad vars namn börjar med _ hoppas över. Fet rubrik "
             "= obligatorisk kolumn. Ta bort blad du inte använder eller lämna dem tomma. "
             "Inga personuppgifter: bara sammanräknade antal." if sv else
             "Template for importing into the dashboard. Each sheet is a table; do not rename "
             "sheets or columns. Sheets whose names start with _ are skipped. Bold heading = "
             "required column. Delete sheets you do not use or leave them empty. No personal "
             "data: aggregated counts only.")
    info.append([title])
    info["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    info.merge_cells("A1:E1")
    info.row_dimensions[1].height = 75
    info.append([])
    heads = (["Tabell", "Kolumn", "Obligatorisk", "Typ", "Förklaring"] if sv else
             ["Table", "Column", "Required", "Type", "Explanation"])
    info.append(heads)
    for cell in info[3]:
        cell.font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    for table in TABLES.values():
        info.append([table.name, "", "", "", table.help_sv if sv else table.help_en])
        info.cell(info.max_row, 1).font = Font(bold=True)
        ws = wb.create_sheet(table.name)
        for i, col in enumerate(table.columns, start=1):
            cell = ws.cell(1, i, col.name)
            cell.font = Font(bold=col.required)
            cell.fill = header_fill
            explanation = col.help_sv if sv else col.help_en
            kind = _(f"template.kind.{col.kind.value}", "sv" if sv else "en")
            required = ("obligatorisk" if col.required else "frivillig") if sv else \
                ("required" if col.required else "optional")
            cell.comment = Comment(f"{explanation}\n({kind}; {required})", "mall")
            ws.column_dimensions[get_column_letter(i)].width = max(14, len(col.name) + 4)
            letter = get_column_letter(i)
            if col.kind is Kind.GENDER:
                dv = DataValidation(type="list", formula1='"K,M,X"', allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}5000")
            if col.kind is Kind.COMPARATOR:
                dv = DataValidation(type="list", formula1='">=,<=,increase,decrease"',
                                    allow_blank=False)
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}5000")
            if table.name == "agreements" and col.name == "forecast":
                dv = DataValidation(type="list", formula1='"ja,nej"' if sv else '"yes,no"',
                                    allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}5000")
            if table.name == "indicator_defs" and col.name in ("unit", "aggregate"):
                choices = "count,share,number,sek" if col.name == "unit" else "sum,mean,last"
                dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}5000")
            if col.kind in (Kind.MONTH, Kind.DATE, Kind.PERIOD, Kind.ID, Kind.KPI, Kind.LABEL,
                             Kind.MUNICIPALITIES):
                # Text format so that Excel does not turn 2023-01 into a date: the
                # column's own format, which every cell typed into it takes.
                ws.column_dimensions[letter].number_format = "@"
            info.append(["", col.name, ("ja" if sv else "yes") if col.required else "",
                         kind, explanation])
        ws.freeze_panes = "A2"
    info.append([])
    info.append(["kpi", ", ".join(KPI_NAMES)])
    for letter, width in zip("ABCDE", (14, 18, 13, 34, 80), strict=True):
        info.column_dimensions[letter].width = width
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
