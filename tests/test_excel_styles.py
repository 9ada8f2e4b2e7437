"""The Excel writer shares one style object per distinct style; the bytes equal those of per-cell style objects.

The reference is the old code path: the same writer with `_font`, `_alignment`
and `_fill` un-cached (a new Font/Alignment/PatternFill for every cell, as
before the cache), rendered from the same run at a pinned time."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from fireaudit.reports import excel, render_xlsx
from tests.report_support import PINNED_RUN_TIME, hostile_run, options, sample_run

CACHED = ("_font", "_alignment", "_fill")


def per_cell_styles(monkeypatch) -> None:
    """Restore the pre-cache behaviour: every call builds a new style object."""
    for name in CACHED:
        monkeypatch.setattr(excel, name, getattr(excel, name).__wrapped__)


def runs():
    yield "sample", sample_run(), "喀拉亚尕奇乡"
    yield "hostile", replace(hostile_run(), generated_at=PINNED_RUN_TIME), "潘津镇/../../x"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", list(runs()), ids=lambda c: c[0])
def test_cached_styles_write_the_same_bytes_as_per_cell_styles(case, lang, monkeypatch):
    _, run, township = case
    audit = next(a for a in run.townships if a.township == township)
    cached = render_xlsx(run, audit, options(lang))
    assert render_xlsx(run, audit, options(lang)) == cached          # deterministic at a pinned time
    with monkeypatch.context() as patch:
        per_cell_styles(patch)
        reference = render_xlsx(run, audit, options(lang))
    assert excel._font is not excel._font.__wrapped__                # the cache is back for later tests
    assert cached == reference


def test_style_objects_are_shared_not_made_per_cell():
    for name in CACHED:
        getattr(excel, name).cache_clear()
    run = sample_run()
    audit = next(a for a in run.townships if a.township == "喀拉亚尕奇乡")
    data = render_xlsx(run, audit, options("zh"))
    cells = sum(1 for sheet in load_workbook(io.BytesIO(data)) for row in sheet.iter_rows() for c in row
                if c.value is not None)
    made = sum(getattr(excel, name).cache_info().misses for name in CACHED)
    used = sum(getattr(excel, name).cache_info().hits for name in CACHED) + made
    assert made <= 12 < cells <= used             # a handful of objects serve every written cell
