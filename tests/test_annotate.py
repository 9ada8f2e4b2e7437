"""--annotate: the township's own workbook back, every problem cell coloured and commented.

The failing fixture breaks a compliant township in ways that put findings on
cells (R01.1, R02.3, R03.1, R03.2), on a missing column (R06.1) and a register
error (a bad date); every evidence cell of the audit must carry a comment and
the status fill, and nothing else may change."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from fireaudit.i18n import fmt_value
from openpyxl import load_workbook
from openpyxl.styles import Font

from fireaudit.annotate import NotAnnotatable, Mark, Marks, apply_marks, write_annotated
from fireaudit.audit import load_checklist
from fireaudit.reports import ReportOptions
from fireaudit.reports.excel import STATUS_FILL
from fireaudit.i18n import message_text
from fireaudit.result import GAP_STATUSES
from fireaudit.runner import audit_files
from tests.builders import Sheet, compliant
from tests.cli_helper import run_cli

COPY = "伊宁市-潘津镇-2024Q2-批注.xlsx"


@pytest.fixture(scope="module")
def checklist():
    return load_checklist(directory=None)


def broken():
    """Findings on cells, a missing column, a register error, and a hidden sheet of the township's own."""
    reg = compliant()
    reg.sheets["责任人"].set(0, "所属单位", "城关派出所").set(1, "职务", "党委副书记")
    reg.profile["消防工作站实体化运行"] = "否"
    reg.sheets["会议研判"].set(0, "日期", "2024-13-45")
    villages = reg.sheets["村社区"]
    i = villages.header.index("消防安全管理人")
    villages.header.pop(i)
    for row in villages.rows:
        row.pop(i)
    reg.extra_sheets["内部备注"] = Sheet(["说明"], [["只给自己看"]], hidden=True)
    return reg


def annotate(path: Path, checklist, out: Path, lang: str = "zh"):
    run = audit_files([path], checklist, None)
    written, failed = write_annotated(run, out, ReportOptions(lang, checklist))
    return run, written, failed


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_cells(audit) -> dict[tuple[str, str], set[str]]:
    """(sheet, cell) -> the statuses resting on it, from the audit result itself."""
    cells: dict[tuple[str, str], set[str]] = {}
    for requirement in audit.requirements:
        for check in requirement.checks:
            if check.status in GAP_STATUSES:
                for e in check.evidence:
                    if e.cell:
                        cells.setdefault((e.sheet, e.cell), set()).add(check.status)
    for error in audit.register_errors:
        cells.setdefault((error.sheet, error.cell), set()).add("fail")
    return cells


def test_every_evidence_cell_carries_a_comment_and_the_status_fill(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    run, written, failed = annotate(source, checklist, tmp_path / "out")
    assert failed == [] and [p.name for p in written] == [COPY]
    audit = run.townships[0]
    cells = expected_cells(audit)
    assert {("责任人", "E3"), ("基本情况", "B14"), ("会议研判", "B3")} <= set(cells)
    copy = load_workbook(written[0])
    for (sheet, ref), statuses in cells.items():
        cell = copy[sheet][ref]
        assert cell.comment is not None, (sheet, ref)
        worst = next(s for s in ("fail", "partial", "unknown") if s in statuses)
        assert cell.fill.fgColor.rgb.endswith(STATUS_FILL[worst]), (sheet, ref, cell.fill.fgColor.rgb)
    # the comment names the requirement and check, the status, the message and the 整改建议
    r01 = audit.check("R01.1")
    text = copy["责任人"]["E3"].comment.text
    assert "R01 R01.1" in text and "不达标" in text
    assert message_text(r01.message, r01.params, "zh") in text
    assert "整改建议：在“责任人”表登记本乡镇（街道）本级的第一责任人" in text   # the finding's own advice (issue 18, 6)
    # a register error names its code and the problem
    assert "日期无法识别" in copy["会议研判"]["B3"].comment.text and "2024-13-45" in copy["会议研判"]["B3"].comment.text
    # a cell no finding rests on is left alone
    assert copy["责任人"]["B3"].comment is None and copy["责任人"]["B3"].fill.fill_type is None


def test_a_missing_column_is_noted_on_the_header_row(tmp_path, checklist):
    reg = broken()
    source = reg.save(tmp_path / "潘津镇.xlsx")
    run, written, _ = annotate(source, checklist, tmp_path / "out")
    assert run.townships[0].check("R06.1").status == "unknown"
    sheet = load_workbook(written[0])["村社区"]
    header_row = 2                                     # builders: a title row, then the header
    after_last = len(reg.sheets["村社区"].header) + 1  # right of the last heading
    cell = sheet.cell(row=header_row, column=after_last)
    assert cell.comment is not None and "R06.1" in cell.comment.text and "消防安全管理人" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith(STATUS_FILL["unknown"])


def test_the_review_sheet_comes_first_and_lists_every_finding_with_provenance(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    run, written, _ = annotate(source, checklist, tmp_path / "out")
    copy = load_workbook(written[0])
    assert copy.sheetnames[0] == "审核意见" and copy.active.title == "审核意见"
    review = copy["审核意见"]
    values = [c.value for row in review.iter_rows() for c in row if c.value is not None]
    text = "\n".join(str(v) for v in values)
    audit = run.townships[0]
    for requirement in audit.requirements:
        for check in requirement.checks:
            if check.status in GAP_STATUSES:
                assert check.id in values, check.id
    assert "责任人!E3" in text and "会议研判!B3" in text and "村社区（缺少“消防安全管理人”列）" in text
    for field in (audit.sha256, "潘津镇.xlsx", f"{run.checklist_id} {run.checklist_version}",
                  f"fireaudit {run.tool_version}", run.generated_at, "无（使用内置清单）"):
        assert field in values, field
    # nothing on it is a formula or a link
    assert all(c.data_type != "f" and c.hyperlink is None for row in review.iter_rows() for c in row)


def test_the_original_is_untouched_and_the_rest_is_as_sent(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    styled = load_workbook(source)                      # a township's own formatting
    styled["责任人"]["B3"].font = Font(name="宋体", bold=True)
    styled["责任人"].column_dimensions["E"].width = 33
    styled["责任人"]["F3"].number_format = "yyyy年m月d日"
    styled.save(source)
    before = sha256(source)
    _, written, _ = annotate(source, checklist, tmp_path / "out")
    assert sha256(source) == before

    original, copy = load_workbook(source), load_workbook(written[0])
    assert copy.sheetnames[1:] == original.sheetnames
    assert [s.sheet_state for s in copy.worksheets[1:]] == [s.sheet_state for s in original.worksheets]
    assert copy["内部备注"].sheet_state == "hidden"
    for sheet in original.worksheets:   # (a missing column's note may widen the used range by one cell)
        size = dict(max_row=sheet.max_row, max_col=sheet.max_column)
        assert [[c.value for c in row] for row in sheet.iter_rows(**size)] == \
               [[c.value for c in row] for row in copy[sheet.title].iter_rows(**size)], sheet.title
        assert sheet.merged_cells.ranges == copy[sheet.title].merged_cells.ranges
    assert copy["责任人"]["B3"].font.b and copy["责任人"]["B3"].font.name == "宋体" and copy["责任人"].column_dimensions["E"].width == 33
    assert copy["责任人"]["F3"].number_format == "yyyy年m月d日"


def _with_cached_values(path: Path, values: dict[str, tuple[str | None, str]]) -> None:
    """Give openpyxl-written formulas the cached value a spreadsheet program would have stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")   # openpyxl over lxml writes 拨 as &#25320; and <v></v>
                text = re.sub(r"&#(\d+);", lambda m: chr(int(m[1])) if int(m[1]) > 127 else m[0], text)
                for formula, (kind, value) in values.items():
                    kind_attr = f' t="{kind}"' if kind else ""
                    text = re.sub(rf'(<c r="[A-Z]+\d+"[^>]*?)>(<f>{re.escape(formula)}</f>)(?:<v\s*/>|<v></v>)',
                                  rf'\1{kind_attr}>\2<v>{value}</v>', text)
                data = text.encode("utf-8")
            target.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def test_formulas_keep_their_cached_values(tmp_path, checklist):
    from python_calamine import CalamineWorkbook

    reg = broken()
    reg.sheets["经费"].set(0, "预算金额（万元）", "=4+6").set(0, "备注", '="已"&"拨付"')
    source = reg.save(tmp_path / "潘津镇.xlsx")
    _with_cached_values(source, {"4+6": (None, "10"), '"已"&amp;"拨付"': ("str", "已拨付")})
    run, written, _ = annotate(source, checklist, tmp_path / "out")
    assert not [e for e in run.townships[0].register_errors if e.code == "formula-no-value"]
    budget, note = reg.sheets["经费"].cell("预算金额（万元）", 0), reg.sheets["经费"].cell("备注", 0)
    formulas = load_workbook(written[0])["经费"]
    assert formulas[budget].value == "=4+6" and formulas[note].value == '="已"&"拨付"'
    cached = load_workbook(written[0], data_only=True)["经费"]
    assert cached[budget].value == 10 and cached[note].value == "已拨付"
    rows = CalamineWorkbook.from_path(str(written[0])).get_sheet_by_name("经费").to_python()
    assert rows[2][3] == 10 and rows[2][6] == "已拨付"


def test_the_copy_audits_like_the_original(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    run, written, _ = annotate(source, checklist, tmp_path / "out")
    again = audit_files([written[0]], checklist, None).townships[0]
    first = run.townships[0]
    assert [(c.id, c.status, c.evidence) for r in again.requirements for c in r.checks] == \
           [(c.id, c.status, c.evidence) for r in first.requirements for c in r.checks]
    assert again.register_errors == first.register_errors


def test_an_xls_input_gives_an_annotated_xlsx(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xls")
    before = sha256(source)
    run, written, failed = annotate(source, checklist, tmp_path / "out")
    assert failed == [] and [p.name for p in written] == [COPY] and sha256(source) == before
    copy = load_workbook(written[0])
    assert copy.sheetnames[1:] == list(broken().grids()) and copy["内部备注"].sheet_state == "hidden"
    for (sheet, ref) in expected_cells(run.townships[0]):
        assert copy[sheet][ref].comment is not None, (sheet, ref)
    assert copy["责任人"]["E3"].value == "城关派出所"
    assert "格式与公式未保留" in "".join(str(c.value) for row in copy["审核意见"].iter_rows() for c in row)


def test_two_runs_give_byte_identical_copies(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    _, first, _ = annotate(source, checklist, tmp_path / "one")
    _, second, _ = annotate(source, checklist, tmp_path / "two")
    assert first[0].read_bytes() == second[0].read_bytes()
    # stamped with SOURCE_DATE_EPOCH (conftest pins 2024-07-01), not the clock; the township's own created kept
    with zipfile.ZipFile(first[0]) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 7, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert re.search(r"<dcterms:modified[^>]*>2024-07-01T00:00:00Z<", core)
    assert re.search(r"<dcterms:created[^>]*>2024-01-01T00:00:00Z<", core)


def test_english_comments(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    _, written, _ = annotate(source, checklist, tmp_path / "out", lang="en")
    copy = load_workbook(written[0])
    assert copy.sheetnames[0] == "Audit findings"
    text = copy["责任人"]["E3"].comment.text
    assert "R01.1" in text and "Advice: Register the township's own 第一责任人 in sheet “责任人”" in text


def test_several_findings_on_one_cell_give_one_comment_and_the_worst_fill(tmp_path):
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "责任人"
    sheet["C3"] = "副镇长"
    sheet["C3"].comment = Comment("乡镇自己的批注", "clerk")
    marks = Marks()
    marks.cells[("责任人", "C3")] += [Mark("unknown", "第一条"), Mark("fail", "第二条"), Mark("fail", "第二条")]
    marks.cells[("没有这张表", "A1")].append(Mark("fail", "无处安放"))
    apply_marks(workbook, marks, {}, "zh")
    cell = sheet["C3"]
    assert cell.fill.fgColor.rgb.endswith(STATUS_FILL["fail"])
    assert cell.comment.text.count("第二条") == 1 and "第一条" in cell.comment.text
    assert cell.comment.text.endswith("原批注：\n乡镇自己的批注")


def test_a_file_changed_after_the_audit_is_not_annotated(tmp_path, checklist):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    run = audit_files([source], checklist, None)
    compliant().save(source)
    written, failed = write_annotated(run, tmp_path / "out", ReportOptions("zh", checklist))
    assert written == [] and len(failed) == 1 and isinstance(failed[0], NotAnnotatable)
    assert "changed" in fmt_value(failed[0].reason, "en")


def test_cli_audit_and_batch_write_annotated_copies(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    source = broken().save(folder / "潘津镇.xlsx")
    compliant("伊宁市", "乙镇").save(folder / "乙镇.xls")
    before = sha256(source)
    result = run_cli("audit", str(source), "-o", str(tmp_path / "out"), "--annotate")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / COPY).is_file() and COPY in result.out
    result = run_cli("batch", str(folder), "-o", str(tmp_path / "batch"), "--annotate", "--jobs", "1")
    assert result.code == 0, result.err
    assert {p.name for p in (tmp_path / "batch").glob("*-批注.xlsx")} == {COPY, "伊宁市-乙镇-2024Q2-批注.xlsx"}
    assert sha256(source) == before


def test_cli_annotate_needs_an_output_directory(tmp_path):
    source = broken().save(tmp_path / "潘津镇.xlsx")
    result = run_cli("audit", str(source), "--annotate")
    assert result.code == 2 and "-o" in result.err
    assert not list(tmp_path.glob("*-批注.xlsx"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_copy_with_its_comments_hidden_sheets_and_values(tmp_path, checklist):
    reg = broken()
    reg.sheets["经费"].set(0, "预算金额（万元）", "=4+6")
    source = reg.save(tmp_path / "潘津镇.xlsx")
    _with_cached_values(source, {"4+6": (None, "10")})
    _, written, _ = annotate(source, checklist, tmp_path / "out")
    out = tmp_path / "lo"
    result = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(written[0])],
        capture_output=True, text=True, timeout=180,
    )
    converted = out / written[0].name
    assert result.returncode == 0 and converted.is_file(), result.stderr
    book = load_workbook(converted, data_only=True)
    assert book.sheetnames[0] == "审核意见" and book["内部备注"].sheet_state == "hidden"
    assert "R01.1" in book["责任人"]["E3"].comment.text
    assert book["责任人"]["E3"].fill.fgColor.rgb.endswith(STATUS_FILL["fail"])
    assert book["经费"][reg.sheets["经费"].cell("预算金额（万元）", 0)].value == 10


def test_copies_rendered_in_worker_processes_are_the_same(tmp_path, checklist):
    files = [broken().save(tmp_path / "潘津镇.xlsx"), compliant("伊宁市", "乙镇").save(tmp_path / "乙镇.xls")]
    run = audit_files(files, checklist, None)
    serial, _ = write_annotated(run, tmp_path / "one", ReportOptions("zh", checklist), jobs=1)
    parallel, failed = write_annotated(run, tmp_path / "two", ReportOptions("zh", checklist), jobs=2)
    assert failed == [] and [p.name for p in parallel] == [COPY, "伊宁市-乙镇-2024Q2-批注.xlsx"]
    assert [p.read_bytes() for p in serial] == [p.read_bytes() for p in parallel]
