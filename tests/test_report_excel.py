"""The Excel report: sheets, headers, a finding row, text-not-formula, no hyperlinks, and LibreOffice opens it."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from fireaudit.reports import render_xlsx
from fireaudit.reports.excel import STATUS_FILL, display_width
from tests.hostile_values import FORMULA_LIKE, TITLE, VILLAGE
from tests.report_support import hostile_run, options, sample_run

FINDING_HEADERS = ["要求", "方案条目", "核验项", "名称", "状态", "严重程度", "问题", "证据", "标准", "依据", "整改建议"]


def workbook_of(run, township: str, lang: str = "zh"):
    audit = next(a for a in run.townships if a.township == township)
    data = render_xlsx(run, audit, options(lang))
    return load_workbook(io.BytesIO(data)), data


@pytest.fixture(scope="module")
def karayagachi():
    return workbook_of(sample_run(), "喀拉亚尕奇乡")


@pytest.fixture(scope="module")
def hostile():
    return workbook_of(hostile_run(), "潘津镇/../../x")


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_sheets_in_order(karayagachi):
    book, _ = karayagachi
    assert book.sheetnames == ["概览", "问题清单", "登记错误"]


def test_overview_gives_township_period_score_grade_and_counts(karayagachi):
    book, _ = karayagachi
    audit = next(a for a in sample_run().townships if a.township == "喀拉亚尕奇乡")
    facts = {r[0]: r[1] for r in rows(book["概览"]) if r[0]}
    assert facts["乡镇（街道）"] == "喀拉亚尕奇乡" and facts["县市"] == "伊宁县" and facts["报告期"] == "2024Q2"
    assert facts["得分"] == f"{audit.score:g} / 100"
    assert facts["应建队伍等级"] == audit.required_grade["grade"] == "志愿消防队"   # not named in plan item (七)
    statuses = [r.status for r in audit.requirements]
    for status, label in (("pass", "达标"), ("partial", "部分达标"), ("fail", "不达标"), ("unknown", "无法核验"),
                          ("na", "不适用")):
        assert facts[label] == statuses.count(status)
    gaps = [c for r in audit.requirements for c in r.checks if c.status in ("fail", "unknown", "partial")]
    pending = [r for r in audit.requirements if not r.checks and r.status == "unknown"]
    assert facts["严重"] == sum(c.severity == "critical" for c in gaps)
    assert facts["较重"] == sum(c.severity == "major" for c in gaps) + len(pending)


def test_overview_has_a_bar_chart_of_requirement_statuses(karayagachi):
    _, data = karayagachi
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    charts = [n for n in names if n.startswith("xl/charts/chart")]
    assert len(charts) == 1
    xml = zipfile.ZipFile(io.BytesIO(data)).read(charts[0]).decode()
    assert "barChart" in xml and "'概览'!$B$" in xml


def test_findings_sheet_header_and_a_finding_row(karayagachi):
    book, _ = karayagachi
    sheet = book["问题清单"]
    table = rows(sheet)
    assert table[0] == FINDING_HEADERS
    row = next(r for r in table if r[2] == "R03.1")
    assert row[:6] == ["R03", "(三)", "R03.1", "第一责任人由党政主要负责人担任", "不达标", "较重"]
    assert "党委副书记" in row[6]
    assert row[7] == "责任人!C3"
    assert row[9].startswith("实施方案第（三）项")
    assert row[10].startswith("第一责任人应由党政主要负责人担任：现登记的职务“党委副书记”")   # the finding's own advice
    threshold = next(r for r in table if r[2] == "R06.1")
    assert threshold[8] == "覆盖率不低于100%"


def test_findings_sheet_has_filters_frozen_header_status_colours_and_fitting_widths(karayagachi):
    book, _ = karayagachi
    sheet = book["问题清单"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
    for row in sheet.iter_rows(min_row=2):
        status = {"不达标": "fail", "无法核验": "unknown", "部分达标": "partial"}[row[4].value]
        assert row[4].fill.fgColor.rgb.endswith(STATUS_FILL[status])
    title_width = sheet.column_dimensions["D"].width
    longest = max(display_width(r[3].value) for r in sheet.iter_rows(min_row=2))
    # a Chinese character counts two columns; a title wider than the page allows wraps instead (print_setup)
    assert title_width >= min(longest, 58) or all(r[3].alignment.wrap_text for r in sheet.iter_rows(min_row=2)
                                                   if display_width(r[3].value) > title_width - 1)
    assert sheet["G2"].alignment.wrap_text


def test_register_errors_sheet(karayagachi):
    book, _ = karayagachi
    table = rows(book["登记错误"])
    assert table[0] == ["工作表", "单元格", "填写值", "问题"]
    assert table[1][:3] == ["村社区", "I5", "不清楚"]
    assert "是/否" in table[1][3]


def test_formula_looking_input_stays_text(hostile):
    book, data = hostile
    values = [r[2] for r in rows(book["登记错误"])[1:]]
    assert values == FORMULA_LIKE
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in archive.read(name).decode()


def test_hostile_text_arrives_whole(hostile):
    book, _ = hostile
    messages = [r[6] for r in rows(book["问题清单"])[1:]]
    assert any(TITLE in m for m in messages)
    assert any(VILLAGE.replace("\r", "") in m.replace("\r", "") for m in messages)


def test_report_is_hyperlink_free(hostile):
    book, data = hostile
    for sheet in book.worksheets:
        assert not any(cell.hyperlink for row in sheet.iter_rows() for cell in row)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        xml = archive.read(name).decode(errors="ignore")
        assert "relationships/hyperlink" not in xml and "<hyperlink" not in xml, name


def test_control_characters_are_dropped_not_fatal():
    from dataclasses import replace

    run = sample_run()
    audit = replace(run.townships[0], township="乡\x01镇\x1f")
    book = load_workbook(io.BytesIO(render_xlsx(run, audit, options())))
    assert {r[0]: r[1] for r in rows(book["概览"]) if r[0]}["乡镇（街道）"] == "乡镇"


def test_english_workbook():
    book, _ = workbook_of(sample_run(), "潘津镇", "en")
    assert book.sheetnames == ["Overview", "Findings", "Register errors"]
    header = rows(book["Findings"])[0]
    assert header[:6] == ["Requirement", "Plan item", "Check", "Title", "Status", "Severity"]
    assert rows(book["Findings"])[1][4] == "fail"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_report_and_keeps_text_as_text(tmp_path, hostile):
    _, data = hostile
    source = tmp_path / "report.xlsx"
    source.write_bytes(data)
    out = tmp_path / "out"
    result = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    converted = out / "report.xlsx"
    assert result.returncode == 0 and converted.is_file(), result.stderr
    book = load_workbook(converted)
    assert book.sheetnames == ["概览", "问题清单", "登记错误"]
    errors = rows(book["登记错误"])
    assert [r[2] for r in errors[1:]] == FORMULA_LIKE      # LibreOffice did not turn them into formulas
    assert rows(book["问题清单"])[0] == FINDING_HEADERS
