"""Every Excel output prints: A4 landscape, one page wide, header rows repeated, a footer with the
township, period and 第&P页 共&N页, charts beside the tables; and LibreOffice's PDF of each has the
page count a person would expect (issue 18, item 5)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fireaudit.annotate import render as render_annotated
from fireaudit.reports.excel import render as render_gap_report
from fireaudit.reports.rollup import write_rollup_xlsx
from fireaudit.runner import audit_files
from fireaudit.template import TemplateRequest, build_template
from fireaudit.period import Period
from tests.builders import compliant
from tests.report_support import checklist, options, sample_run

MISSING_SHEETS = ("演练", "宣传培训", "检查隐患", "村社区", "队员")   # a township with about twenty findings


@lru_cache(maxsize=None)
def outputs(folder: str) -> dict[str, Path]:
    """The four kinds of workbook fireaudit writes, saved under `folder`."""
    directory = Path(folder)
    register = compliant()
    for name in MISSING_SHEETS:
        del register.sheets[name]
    source = register.save(directory / "伊宁市-潘津镇.xlsx")
    run = audit_files([source], checklist(), None)
    audit = run.townships[0]
    files = {"gap": directory / "gap.xlsx", "annotated": directory / "annotated.xlsx",
             "template": directory / "template.xlsx"}
    files["gap"].write_bytes(render_gap_report(run, audit, options()))
    files["annotated"].write_bytes(render_annotated(run, audit, options()))
    build_template(checklist(), TemplateRequest("伊宁市", "潘津镇", "镇", Period.parse("2024Q2"))).save(files["template"])
    files["rollup"] = write_rollup_xlsx(sample_run(), checklist(), directory, "zh")
    return files


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return outputs(str(tmp_path_factory.mktemp("print")))


def printed_sheets(name: str, path: Path):
    book = load_workbook(path)
    sheets = [s for s in book.worksheets if s.sheet_state == "visible"]
    return sheets[:1] if name == "annotated" else sheets     # the copy's own sheets stay as the township made them


@pytest.mark.parametrize("name", ["gap", "annotated", "template", "rollup"])
def test_every_sheet_has_a_print_setup(files, name):
    for sheet in printed_sheets(name, files[name]):
        setup = sheet.page_setup
        assert (setup.orientation, str(setup.paperSize)) == ("landscape", "9"), sheet.title
        assert (str(setup.fitToWidth), str(setup.fitToHeight)) == ("1", "0") and sheet.sheet_properties.pageSetUpPr.fitToPage
        footer = sheet.oddFooter.left.text + sheet.oddFooter.right.text
        assert "第&P页 共&N页" in footer, sheet.title
        assert "2024Q2" in footer and ("潘津镇" in footer or name == "rollup"), (sheet.title, footer)
        if sheet.freeze_panes:
            assert sheet.print_title_rows, sheet.title


def test_charts_sit_beside_the_tables(files):
    for name in ("gap", "rollup"):
        book = load_workbook(files[name])
        first = book.worksheets[0]
        # openpyxl drops charts on load: read the anchors from the drawing XML instead
        import zipfile

        with zipfile.ZipFile(files[name]) as archive:
            drawings = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/drawings/drawing")]
        assert drawings, name
        for xml in drawings:
            col = int(re.search(r"<(?:xdr:)?from><(?:xdr:)?col>(\d+)<", xml).group(1)) + 1
            row = int(re.search(r"<(?:xdr:)?row>(\d+)<", xml).group(1)) + 1
            used = [c for r in first.iter_rows(min_row=row, max_row=row + 14, min_col=col, max_col=col + 6)
                    for c in r if c.value is not None]
            assert not used, (name, [c.coordinate for c in used])


def test_wrapped_rows_are_tall_enough(files):
    sheet = load_workbook(files["gap"])["问题清单"]
    tall = [sheet.row_dimensions[r].height for r in range(2, sheet.max_row + 1)]
    assert all(h and h > 15 for h in tall)      # every finding has a message longer than one line


def test_the_findings_table_fits_a_page_width_at_a_readable_size(files):
    sheet = load_workbook(files["gap"])["问题清单"]
    total = sum(sheet.column_dimensions[c.column_letter].width or 8.43 for c in sheet[1])
    assert total <= 150 / 0.8      # printed at 80 % or more


def _pages(paths: list[Path], workdir: Path) -> dict[tuple[str, str], int]:
    """PDF pages per printed sheet: each sheet alone in a copy, all converted by one LibreOffice run."""
    jobs = []
    for path in paths:
        names = [s.title for s in printed_sheets(path.stem, path)]
        for name in names:
            book = load_workbook(path)
            for sheet in list(book.worksheets):
                if sheet.title != name:
                    book.remove(sheet)
            copy = workdir / f"{len(jobs):03d}.xlsx"
            book.save(copy)
            jobs.append((path.stem, name, copy))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{workdir}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(workdir / "pdf"), *[str(j[2]) for j in jobs]],
                   capture_output=True, timeout=300, check=False)
    pages = {}
    for stem, name, copy in jobs:
        pdf = (workdir / "pdf" / f"{copy.stem}.pdf").read_bytes()
        pages[(stem, name)] = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    return pages


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_each_sheet_on_the_pages_a_person_expects(files, tmp_path):
    pages = _pages([files["gap"], files["annotated"], files["template"], files["rollup"]], tmp_path)
    gap_rows = load_workbook(files["gap"])["问题清单"].max_row - 1
    assert gap_rows >= 18, gap_rows
    assert pages[("gap", "概览")] == 1
    assert 1 <= pages[("gap", "问题清单")] <= 2, pages      # about twenty findings: one or two pages, not six
    assert pages[("gap", "登记错误")] == 1
    assert pages[("annotated", "审核意见")] <= 2
    assert pages[("汇总", "要求矩阵")] == 1                 # R01–R22 across one landscape page
    assert all(pages[("汇总", name)] == 1 for stem, name in pages if stem == "汇总")
    assert all(n == 1 for (stem, name), n in pages.items() if stem == "template" and name != "填表说明"), pages
