"""Page setup for every workbook fireaudit writes, so a clerk can press Print.

A4 landscape, one page wide; the header rows (everything above the frozen
pane) repeated on each page; a footer naming the township and period with
第&P页 共&N页. Excel does not grow wrapped rows when it opens a file and a
fit-to-width page shrinks a very wide table to unreadable type, so this
module also narrows over-wide text columns to what a page holds, wraps them,
and sets each row's height from its longest wrapped cell. Charts that would
cover cells are moved beside the table. Writers call `prepare_workbook` (or
`prepare_sheet` for one sheet) once, just before saving."""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any, Iterable

PAGE_UNITS = 150          # Excel width units across A4 landscape at 100 % (27.7 cm printable at 11 pt)
MAX_SHRINK = 0.8          # a table may print down to 80 % (11 pt -> ~9 pt) before columns are narrowed
LINE_HEIGHT = 15.0        # points per line of 11 pt CJK text
MIN_COLUMN = 5            # no column narrower than this (width units)
DEFAULT_WIDTH = 8.43      # Excel's default column width
A4 = 9                    # the paperSize code of A4

MAX_FOOTER = 120          # Excel allows 255 characters for the whole footer
_CONTROL = re.compile(r"[\x00-\x1f]")

FOOTER = {"zh": "第&P页 共&N页", "en": "Page &P of &N"}


def prepare_workbook(workbook, title: str, lang: str = "zh", *, narrow: bool = True) -> None:
    """Page setup on every visible sheet of `workbook`; `title` (township and period) goes in the footer."""
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            prepare_sheet(sheet, title, lang, narrow=narrow)


def prepare_sheet(sheet, title: str, lang: str = "zh", *, narrow: bool = True) -> None:
    """Page setup on one sheet; `narrow=False` keeps the column widths (a form to fill in)."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.4
    margins.top, margins.bottom, margins.header, margins.footer = 0.5, 0.6, 0.2, 0.25
    header_rows = _frozen_rows(sheet)
    if header_rows and not sheet.print_title_rows:
        sheet.print_title_rows = f"1:{header_rows}"
    sheet.oddFooter.left.text = _CONTROL.sub("", title).replace("&", "&&")[:MAX_FOOTER]
    sheet.oddFooter.left.size = 9
    sheet.oddFooter.right.text = FOOTER.get(lang, FOOTER["zh"])
    sheet.oddFooter.right.size = 9
    widths = _narrow(sheet, header_rows) if narrow else _widths(sheet)
    _move_charts(sheet)
    _wrap_beside_charts(sheet, widths)
    _fit_rows(sheet, widths, header_rows)


@lru_cache(maxsize=4096)
def display_width(text: str) -> int:
    """Columns a text needs: a CJK (wide or fullwidth) character takes two, others one."""
    if text.isascii():
        return len(text)
    kinds = list(map(unicodedata.east_asian_width, text))
    return len(text) + kinds.count("W") + kinds.count("F")


def _frozen_rows(sheet) -> int:
    """Rows above the frozen pane (the table's header), 0 when nothing is frozen."""
    pane = sheet.freeze_panes
    if not pane:
        return 0
    from openpyxl.utils.cell import coordinate_from_string

    return coordinate_from_string(pane)[1] - 1


def _widths(sheet) -> dict[int, float]:
    from openpyxl.utils import get_column_letter

    return {c: sheet.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
            for c in range(1, sheet.max_column + 1)}


def _narrow(sheet, header_rows: int) -> dict[int, float]:
    """Scale the columns down so the table prints at no less than MAX_SHRINK; wrap what got narrower.

    A column never goes below its header's width (or MIN_COLUMN), so a header stays on one line."""
    from openpyxl.utils import get_column_letter

    widths = _widths(sheet)
    budget = PAGE_UNITS / MAX_SHRINK - len(widths) * 0.7        # cell padding
    total = sum(widths.values())
    if total <= budget:
        return widths
    floors = {c: max(MIN_COLUMN, min(widths[c], _header_width(sheet, c, header_rows))) for c in widths}
    factor = budget / total
    for _ in range(8):        # columns pinned at their floor leave the rest to share less room
        new = {c: max(floors[c], widths[c] * factor) for c in widths}
        excess = sum(new.values()) - budget
        free = sum(new[c] for c in new if new[c] > floors[c])
        if excess <= 0.5 or free <= 0:
            break
        factor *= max(0.5, 1 - excess / free)
    for column, width in new.items():
        if width < widths[column] - 0.5:
            sheet.column_dimensions[get_column_letter(column)].width = round(width, 1)
            for (cell,) in sheet.iter_rows(min_row=header_rows + 1, min_col=column, max_col=column):
                if isinstance(cell.value, str) and display_width(cell.value) > width - 1:
                    cell.alignment = _aligned(cell.alignment, wrap_text=True)
    return _widths(sheet)


def _aligned(old, **changes):
    """`old` alignment with `changes` (openpyxl styles are immutable)."""
    from openpyxl.styles import Alignment

    values = {"horizontal": old.horizontal, "vertical": old.vertical, "wrap_text": old.wrap_text,
              "indent": old.indent, "text_rotation": old.text_rotation, "shrink_to_fit": old.shrink_to_fit}
    return Alignment(**{**values, **changes})


def _wrap_beside_charts(sheet, widths: dict[int, float]) -> None:
    """Text left of a chart that would run on under it wraps in its own column instead."""
    for chart in getattr(sheet, "_charts", []):
        column, row = _anchor(chart)
        if column is None:
            continue
        for cells in sheet.iter_rows(min_row=row, max_row=row + 18, max_col=column - 1):
            for cell in cells:
                room = sum(widths.get(c, DEFAULT_WIDTH) for c in range(cell.column, column))
                if isinstance(cell.value, str) and display_width(cell.value) > room - 1:
                    cell.alignment = _aligned(cell.alignment, wrap_text=True, vertical="top")


def _header_width(sheet, column: int, header_rows: int) -> float:
    """The widest header text of `column` (plus padding); 0 when the sheet has no header rows."""
    texts = [sheet.cell(row, column).value for row in range(1, header_rows + 1)]
    return max((display_width(str(t)) + 2 for t in texts if t is not None and len(str(t)) <= 12), default=0)


def _lines(text: Any, width: float) -> int:
    """Lines a wrapped cell needs at `width` columns (a little slack: fonts differ between programs)."""
    usable = max(1.0, width - 0.8)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in str(text).split("\n"))


def _fit_rows(sheet, widths: dict[int, float], header_rows: int) -> None:
    """Each row as tall as its longest wrapped cell; merged cells (titles) are left alone."""
    merged = {cell for area in sheet.merged_cells.ranges for cell in _cells(area)}
    for row in sheet.iter_rows(min_row=1):
        lines = 1
        size = 11.0
        for cell in row:
            if cell.value is None or not cell.alignment.wrap_text or cell.coordinate in merged:
                continue
            lines = max(lines, _lines(cell.value, widths.get(cell.column, DEFAULT_WIDTH)))
            size = max(size, cell.font.sz or 11.0)
        if lines > 1:
            height = LINE_HEIGHT * size / 11.0 * lines + 4
            current = sheet.row_dimensions[row[0].row].height
            sheet.row_dimensions[row[0].row].height = max(height, current or 0)
            for cell in row:         # a tall row reads top-down: no label left at the bottom
                if cell.value is not None and cell.coordinate not in merged and not cell.alignment.vertical:
                    cell.alignment = _aligned(cell.alignment, vertical="top")


def _cells(area) -> Iterable[str]:
    from openpyxl.utils import get_column_letter

    for row in range(area.min_row, area.max_row + 1):
        for column in range(area.min_col, area.max_col + 1):
            yield f"{get_column_letter(column)}{row}"


def _move_charts(sheet) -> None:
    """A chart anchored over written cells moves to the right of the used columns."""
    from openpyxl.utils import get_column_letter

    for chart in getattr(sheet, "_charts", []):
        column, row = _anchor(chart)
        if column is not None and _covers(sheet, column, row):
            chart.anchor = f"{get_column_letter(_last_used_column(sheet) + 2)}{row}"


def _anchor(chart) -> tuple[int | None, int]:
    """The (column, row) of a chart's top-left cell, 1-based."""
    anchor = chart.anchor
    if isinstance(anchor, str):
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        letter, row = coordinate_from_string(anchor)
        return column_index_from_string(letter), row
    marker = getattr(anchor, "_from", None)
    return (marker.col + 1, marker.row + 1) if marker is not None else (None, 0)


def _covers(sheet, column: int, row: int) -> bool:
    """Whether a chart whose top-left corner is at (column, row) lies over cells with values."""
    for cells in sheet.iter_rows(min_row=row, min_col=column, max_col=column + 8, max_row=row + 18):
        if any(cell.value is not None for cell in cells):
            return True
    return False


def _last_used_column(sheet) -> int:
    return max((cell.column for row in sheet.iter_rows() for cell in row if cell.value is not None), default=1)
