"""The Excel writer shares its styles across cells; the bytes equal those of the per-cell code it replaced.

The reference is the old code path, kept here verbatim: `put` building a new
Font and Alignment (and PatternFill) for every cell. Both write the same run at
a pinned time, so the two workbooks must be byte-identical."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from openpyxl import load_workbook

from fireaudit.reports import excel, render_xlsx
from tests.report_support import PINNED_RUN_TIME, hostile_run, options, sample_run


def per_cell_put(sheet, row: int, column: int, value: Any, *, bold: bool = False, size: float | None = None,
                 wrap: bool = False, fill: str | None = None):
    """fireaudit/reports/excel.py `put` before the style cache (commit b8bd4c8)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = excel.safe_text(value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(excel.FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    cell.font = Font(name=excel.FONT_NAME, bold=bold, size=size or 11)
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")
    if fill:
        cell.fill = PatternFill(fill_type="solid", start_color=fill, end_color=fill)
    return cell


def runs():
    yield "sample", sample_run(), "喀拉亚尕奇乡"
    yield "hostile", replace(hostile_run(), generated_at=PINNED_RUN_TIME), "潘津镇/../../x"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", list(runs()), ids=lambda c: c[0])
def test_shared_styles_write_the_same_bytes_as_per_cell_styles(case, lang, monkeypatch):
    _, run, township = case
    audit = next(a for a in run.townships if a.township == township)
    shared = render_xlsx(run, audit, options(lang))
    assert render_xlsx(run, audit, options(lang)) == shared          # deterministic at a pinned time
    with monkeypatch.context() as patch:
        patch.setattr(excel, "put", per_cell_put)
        reference = render_xlsx(run, audit, options(lang))
    assert cached_and_reference_differ_only_if_broken(shared, reference)


def cached_and_reference_differ_only_if_broken(shared: bytes, reference: bytes) -> bool:
    if shared == reference:
        return True
    a, b = (load_workbook(io.BytesIO(data)) for data in (shared, reference))
    for sheet in a.sheetnames:                                       # name the first differing cell
        for x, y in zip(a[sheet].iter_rows(), b[sheet].iter_rows()):
            for p, q in zip(x, y):
                assert (p.value, p.font, p.alignment, p.fill, p.quotePrefix, p.number_format) == \
                       (q.value, q.font, q.alignment, q.fill, q.quotePrefix, q.number_format), f"{sheet}!{p.coordinate}"
    return False


def test_style_objects_are_made_per_style_not_per_cell(monkeypatch):
    calls = {"font": 0}
    real = excel._font.__wrapped__

    def counting(bold: bool, size: float):
        calls["font"] += 1
        return real(bold, size)

    monkeypatch.setattr(excel, "_font", counting)
    run = sample_run()
    audit = next(a for a in run.townships if a.township == "喀拉亚尕奇乡")
    data = render_xlsx(run, audit, options("zh"))
    cells = sum(1 for sheet in load_workbook(io.BytesIO(data)) for row in sheet.iter_rows() for c in row
                if c.value is not None)
    assert calls["font"] <= 12 < cells               # a handful of styles serve every written cell


def test_a_full_memory_folder_for_openpyxl_temporary_files_falls_back_to_the_usual_one(tmp_path, monkeypatch):
    """openpyxl_lite.saved puts openpyxl's temporary sheet files in /dev/shm; a container's is small."""
    from openpyxl import Workbook

    from fireaudit import openpyxl_lite

    monkeypatch.setattr(openpyxl_lite, "_memory_dir", lambda: str(tmp_path / "not-there"))   # every write fails
    book = Workbook()
    book.active.append(["R01", "不达标"])
    data = openpyxl_lite.saved(book)
    assert data.startswith(b"PK")
