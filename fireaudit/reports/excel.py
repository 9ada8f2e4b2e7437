"""The Excel gap report: 概览 (overview and a chart), 问题清单 (one row per finding), 登记错误.

Every string is written as a text cell: a value from a workbook that starts
with `=`, `+`, `-` or `@` stays text (never a formula, never a hyperlink),
and characters Excel forbids in cells are dropped."""

from __future__ import annotations

import re
from copy import copy
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from fireaudit.i18n import t
from fireaudit.reports.print_setup import display_width, prepare_workbook
from fireaudit.result import AuditRun, TownshipAudit
from fireaudit.status import Status

FONT_NAME = "等线"             # DengXian: Office's default CJK font; LibreOffice falls back gracefully
MAX_CELL_CHARS = 32767         # Excel's limit per cell
MAX_WIDTH, MIN_WIDTH = 60, 8   # column widths, in characters
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STATUS_FILL = {s: s.fill for s in Status}   # old name of Status.fill
HEADER_FILL = "D9E1F2"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def render(run: AuditRun, audit: TownshipAudit, options) -> bytes:
    from fireaudit.openpyxl_lite import ensure_imported

    ensure_imported()
    from openpyxl import Workbook

    from fireaudit.reports.view import township_view

    view = township_view(run, audit, options.checklist, options.lang)
    workbook = Workbook()
    workbook.properties.creator = "fireaudit"
    _overview(workbook.active, view)
    _findings(workbook.create_sheet(), view)
    _register_errors(workbook.create_sheet(), view)
    prepare_workbook(workbook, f"{view.county}{view.township} {view.period}", view.lang)
    from fireaudit.openpyxl_lite import saved
    from fireaudit.provenance import reproducible_zip

    data = saved(workbook)
    return reproducible_zip(data, run.generated_at) if run.generated_at else data


def _overview(sheet, view) -> None:
    from openpyxl.chart import BarChart, Reference

    lang = view.lang
    sheet.title = sheet_title(t(lang, "report.sheet_overview"))
    put(sheet, 1, 1, view.title, bold=True, size=14)
    facts = [
        *[(t(lang, "ux.warning"), warning) for warning in view.warnings],   # first: the report's quarter is not the register's
        (t(lang, "ui.county"), view.county),
        (t(lang, "ui.township"), view.township),
        (t(lang, "report.kind"), view.kind),
        (t(lang, "ui.period"), view.period),
        (t(lang, "report.score"), view.score),
        (t(lang, "report.required_grade"), view.required_grade),
        (t(lang, "report.grade_basis"), view.grade_basis),
        (t(lang, "report.file"), view.file),
        (t(lang, "report.checklist"), view.checklist),
        *[(label, value) for label, value in view.provenance],
    ]
    row = 3
    for label, value in facts:
        put(sheet, row, 1, label, bold=True)
        put(sheet, row, 2, value)
        row += 1

    row += 1
    put(sheet, row, 1, t(lang, "report.status_counts"), bold=True)
    row += 1
    header_row(sheet, row, [t(lang, "ui.status"), t(lang, "report.count")])
    first_count = row + 1
    for count in view.status_counts:
        row += 1
        put(sheet, row, 1, count.label, fill=STATUS_FILL[count.key])
        put(sheet, row, 2, count.count)
    last_count = row

    row += 2
    put(sheet, row, 1, t(lang, "report.severity_counts"), bold=True)
    row += 1
    header_row(sheet, row, [t(lang, "ui.severity"), t(lang, "report.findings")])
    for count in view.severity_counts:
        row += 1
        put(sheet, row, 1, count.label)
        put(sheet, row, 2, count.count)

    if view.notes:
        row += 2
        put(sheet, row, 1, t(lang, "report.notes"), bold=True)
        for note in view.notes:
            row += 1
            put(sheet, row, 1, note)

    chart = BarChart()
    chart.type = "col"
    chart.title = t(lang, "report.chart_title")
    chart.legend = None
    chart.y_axis.title = t(lang, "report.count")
    chart.add_data(Reference(sheet, min_col=2, min_row=first_count - 1, max_row=last_count), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first_count, max_row=last_count))
    chart.width, chart.height = 14, 7
    sheet.add_chart(chart, "D3")
    fit_columns(sheet, fixed={1: 22, 2: 40})


def _findings(sheet, view) -> None:
    lang = view.lang
    sheet.title = sheet_title(t(lang, "report.sheet_findings"))
    headers = [t(lang, "ui.requirement"), t(lang, "ui.item"), t(lang, "ui.check"), t(lang, "ui.title"),
               t(lang, "ui.status"), t(lang, "ui.severity"), t(lang, "report.problem"), t(lang, "report.evidence"),
               t(lang, "report.threshold"), t(lang, "report.source"), t(lang, "report.advice")]
    header_row(sheet, 1, headers)
    separator = t(lang, "report.list_separator")
    for row, f in enumerate(view.findings, start=2):
        evidence = separator.join(f.evidence) + (f" {f.more_evidence}" if f.more_evidence else "")
        values = [f.requirement, f.item, f.check, f.title, f.status_label, f.severity_label, f.message,
                  evidence, separator.join(f.thresholds), f.source, f.advice]
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value, wrap=column in (4, 7, 8, 10, 11))
        sheet.cell(row=row, column=5).fill = solid_fill(STATUS_FILL[f.status])
    table_finish(sheet, len(headers), max(len(view.findings) + 1, 1))


def _register_errors(sheet, view) -> None:
    lang = view.lang
    sheet.title = sheet_title(t(lang, "report.sheet_register_errors"))
    headers = [t(lang, "report.sheet"), t(lang, "report.cell"), t(lang, "report.entered"), t(lang, "report.problem")]
    header_row(sheet, 1, headers)
    for row, error in enumerate(view.register_errors, start=2):
        for column, value in enumerate((error.sheet, error.cell, error.value, error.message), start=1):
            put(sheet, row, column, value, wrap=column == 4)
    last = len(view.register_errors) + 1
    table_finish(sheet, len(headers), last)
    for row, line in enumerate(view.more_errors, start=last + 1):   # below the filtered table: counts, not cells
        put(sheet, row, 4, line, wrap=True)


def put(sheet, row: int, column: int, value: Any, *, bold: bool = False, size: float | None = None,
        wrap: bool = False, fill: str | None = None):
    """Write one cell. Strings are always text cells; formula-looking ones get Excel's quote prefix too."""
    cell = sheet.cell(row=row, column=column)
    _style(cell, bold, size or 11, wrap, fill)   # first: a date value then sets its own number format
    if isinstance(value, str):
        text = safe_text(value)
        cell.value = text
        cell.data_type = "s"          # openpyxl would otherwise store "=…" as a formula
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True   # Excel keeps it text even when the cell is edited
    else:
        cell.value = value
    return cell


def safe_text(value: str) -> str:
    """Drop characters Excel cannot store and keep within the per-cell limit."""
    return _ILLEGAL.sub("", value)[:MAX_CELL_CHARS]


# Style objects are made once per distinct style and shared by every cell (openpyxl never mutates an
# assigned style: a cell keeps an index into the workbook's style list), instead of one Font and one
# Alignment per cell. Assigning even a shared object hashes it into the workbook's list on every
# cell, so after the first cell of a style the others get a copy of its index array (openpyxl's own
# `_style`, which its descriptors copy the same way). tests/test_excel_styles.py checks the bytes
# equal those of the per-cell code this replaced.
_STYLE_INDEXES: WeakKeyDictionary = WeakKeyDictionary()   # workbook → {style key: StyleArray}


def _style(cell, bold: bool, size: float, wrap: bool, fill: str | None) -> None:
    indexes = _STYLE_INDEXES.setdefault(cell.parent.parent, {})
    key = (bold, size, wrap, fill)
    known = indexes.get(key)
    if known is not None:
        cell._style = copy(known)
        return
    cell.font = _font(bold, size)
    cell.alignment = _alignment(wrap)
    if fill:
        cell.fill = solid_fill(fill)
    indexes[key] = copy(cell._style)


@lru_cache(maxsize=None)
def _font(bold: bool, size: float):
    from openpyxl.styles import Font

    return Font(name=FONT_NAME, bold=bold, size=size)


@lru_cache(maxsize=None)
def _alignment(wrap: bool):
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=wrap, vertical="top")


@lru_cache(maxsize=None)
def solid_fill(colour: str):
    from openpyxl.styles import PatternFill

    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def header_row(sheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        put(sheet, row, column, label, bold=True, fill=HEADER_FILL)


def table_finish(sheet, columns: int, last_row: int) -> None:
    """Frozen header, filters over the whole table, widths that fit the text."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(last_row, 2)}"
    fit_columns(sheet)


def fit_columns(sheet, fixed: dict[int, float] | None = None) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), display_width(str(cell.value)))
    for column, width in widths.items():
        if fixed and column in fixed:
            width = fixed[column]
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def sheet_title(text: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", text)[:31]
