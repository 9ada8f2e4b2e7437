"""`fireaudit template`: the workbook townships fill in, generated from register.toml, that round-trips.

The template is checked cell by cell against the register spec (sheets, headers
with units and `*`, drop-downs, validations, input messages), then filled the
way a clerk would and audited with fireaudit's own reader."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.cell_range import CellRange
from typer.testing import CliRunner

from fireaudit.audit import audit_register
from fireaudit.audit import load_checklist
from fireaudit.checklist.models import ColumnSpec
from fireaudit.cli import app
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.resources import data_dir
from fireaudit.template import TemplateRequest, write_template
from tests.builders import Register, compliant
from tests.cli_helper import run_cli

REQUEST = TemplateRequest(county="伊宁市", township="潘津镇", kind="镇", period=Period(2024, 2))


@pytest.fixture
def template(tmp_path: Path, checklist) -> Path:
    return write_template(checklist, REQUEST, tmp_path / "template.xlsx")


def _header_row(checklist) -> int:
    return checklist.register.template.title_rows + 1


def _validation_at(sheet, ref: str):
    """The data validation covering cell `ref`, or None."""
    for validation in sheet.data_validations.dataValidation:
        if any(ref in CellRange(r.coord) for r in validation.sqref.ranges):
            return validation
    return None


def _options(workbook, formula: str) -> list[str]:
    """The values a list validation's `'选项'!$B$2:$B$6` formula points at."""
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet = workbook[match.group(1)]
    return [c.value for row in sheet[f"{match.group(2)}{match.group(3)}:{match.group(4)}{match.group(5)}"] for c in row]


def _base(header: str) -> str:
    """`预算金额（万元）*` -> `预算金额`: the column name a builder header and a template header share."""
    return re.sub(r"（[^（）]*）$", "", header.rstrip("*"))


def fill(template: Path, register: Register, checklist, out: Path) -> Path:
    """Type a builder register into the template's own cells (profile values in column B, rows below the header)."""
    workbook = load_workbook(template)
    spec = checklist.register
    first = _header_row(checklist) + 1
    profile = workbook[spec.profile.sheet]
    rows = {_base(profile.cell(r, 1).value): r for r in range(first, profile.max_row + 1)}
    for key, value in register.profile.items():
        profile.cell(rows[_base(key)], 2, value)
    for name, sheet in register.sheets.items():
        target = workbook[name]
        columns = {_base(target.cell(first - 1, c).value): c for c in range(1, target.max_column + 1)}
        for i, row in enumerate(sheet.rows):
            for header, value in zip(sheet.header, row):
                if value is not None:
                    target.cell(first + i, columns[_base(header)], value)
    workbook.save(out)
    return out


def _statuses(audit) -> list[tuple[str, str]]:
    return [(c.id, c.status) for r in audit.requirements for c in r.checks]


# ---------------------------------------------------------------- structure
def test_sheets_and_headers_follow_the_register_spec_in_order(template, checklist):
    spec = checklist.register
    workbook = load_workbook(template)
    assert workbook.sheetnames == [spec.template.instructions_sheet, spec.profile.sheet,
                                   *(s.name for s in spec.sheets), spec.template.options_sheet]
    assert workbook[spec.template.options_sheet].sheet_state == "hidden"
    row = _header_row(checklist)
    for sheet in spec.sheets:
        headers = [c.value for c in workbook[sheet.name][row]]
        assert headers == [spec.header_text(c, marked=True) for c in sheet.columns], sheet.name
    profile = workbook[spec.profile.sheet]
    keys = [profile.cell(r, 1).value for r in range(row + 1, row + 1 + len(spec.profile.keys))]
    assert keys == [spec.header_text(k, marked=True) for k in spec.profile.keys]


def test_headers_carry_units_and_the_required_marker(template, checklist):
    workbook = load_workbook(template)
    row = _header_row(checklist)
    assert [c.value for c in workbook["经费"][row]][1:5] == ["年度*", "科目*", "预算金额（万元）*", "到位金额（万元）"]
    assert "营房建筑面积（平方米）" in [c.value for c in workbook["消防队伍"][row]]
    assert "队员人数*" in [c.value for c in workbook["消防队伍"][row]]   # a count has no unit
    keys = [c.value for c in workbook["基本情况"]["A"]]
    assert {"县市*", "建成区面积（平方公里）", "建成区常住人口（万人）", "距城市消防救援站距离（公里）"} <= set(keys)
    fills = {c.value: c.fill.fgColor.rgb[-6:] for c in workbook["责任人"][row]}
    assert fills["姓名*"] == checklist.register.template.required_fill
    assert fills["任职日期"] == checklist.register.template.optional_fill


def test_every_column_has_the_validation_of_its_type(template, checklist):
    spec = checklist.register
    settings = spec.template
    workbook = load_workbook(template)
    row = _header_row(checklist)
    first, last = row + 1, row + settings.data_rows
    assert settings.data_rows >= 500
    expected = {"date": ("date", "between"), "count": ("whole", "greaterThanOrEqual"),
                "number": ("decimal", "greaterThanOrEqual"), "year": ("whole", "between"),
                "yesno": ("list", None), "vocab": ("list", None), "vocab_list": ("list", None),
                "text": (None, None), "ignore": (None, None)}
    for sheet_spec in spec.sheets:
        sheet = workbook[sheet_spec.name]
        for c, column in enumerate(sheet_spec.columns, start=1):
            letter = sheet.cell(row, c).column_letter
            where = f"{sheet_spec.name}!{letter}"
            header = _validation_at(sheet, f"{letter}{row}")
            assert header is not None and header.type is None and header.showInputMessage, where
            assert column.help and column.help in header.prompt, where
            values = _validation_at(sheet, f"{letter}{first}")
            assert values is not None and _validation_at(sheet, f"{letter}{last}") is values, where
            assert _validation_at(sheet, f"{letter}{last + 1}") is None, where
            assert (values.type, values.operator) == expected[column.type], where
            assert values.allow_blank and values.showInputMessage and column.help in values.prompt, where
            if column.type == "yesno":
                assert values.formula1 == '"是,否"', where
            if column.type in ("vocab", "vocab_list"):
                assert _options(workbook, values.formula1) == spec.vocabularies[column.vocab].values, where
                assert values.errorStyle == ("information" if column.type == "vocab_list" else None), where
            if column.type == "date":
                assert "2024-03-15" in values.prompt, where
            if column.type == "count":
                assert values.formula1 == "0", where
            if spec.unit_of(column):
                assert spec.unit_of(column) in header.prompt, where
            for text in (header.prompt, values.prompt, values.error or ""):
                assert len(text) <= 255 and not text.endswith("…"), where
            assert len(header.promptTitle) <= 32, where


def test_profile_values_have_validations_and_the_kind_a_dropdown(template, checklist):
    spec = checklist.register
    workbook = load_workbook(template)
    sheet = workbook[spec.profile.sheet]
    row = _header_row(checklist) + 1 + [k.name for k in spec.profile.keys].index("类型")
    kind = _validation_at(sheet, f"B{row}")
    assert kind.type == "list" and _options(workbook, kind.formula1) == ["乡", "镇", "街道"]
    for r, key in enumerate(spec.profile.keys, start=_header_row(checklist) + 1):
        validation = _validation_at(sheet, f"B{r}")
        assert key.help and validation is not None and key.help in validation.prompt, key.name
        assert key.help in sheet.cell(r, 3).value, key.name


def test_frozen_header_and_widths_that_fit_chinese_headers(template, checklist):
    workbook = load_workbook(template)
    row = _header_row(checklist)
    for sheet_spec in checklist.register.sheets:
        sheet = workbook[sheet_spec.name]
        assert sheet.freeze_panes == f"A{row + 1}"
        for cell in sheet[row]:
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in cell.value)
            assert sheet.column_dimensions[cell.column_letter].width >= width, (sheet_spec.name, cell.value)
    assert workbook["基本情况"].freeze_panes == f"A{row + 1}"


def test_guide_sheet_explains_each_sheet_and_its_plan_items(template, checklist):
    spec = checklist.register
    guide = load_workbook(template)[spec.template.instructions_sheet]
    rows = [[c.value for c in row] for row in guide.iter_rows()]
    titles = {r.item: r.title_zh for r in checklist.requirements}
    for sheet in [spec.profile, *spec.sheets]:
        name = getattr(sheet, "name", None) or spec.profile.sheet
        row = next(r for r in rows if r[0] == name and r[1] == sheet.description)
        for item in sheet.plan_items:
            assert titles[item] in row[2], (name, item)
        assert row[3] == "、".join(c.name for c in getattr(sheet, "columns", None) or sheet.keys if c.required)
    helps = {(r[0], r[1]): r[4] for r in rows if r[0] and r[1] and len(r) > 4}
    assert helps[("经费", "预算金额（万元）*")] == next(c.help for c in spec.sheets[3].columns if c.name == "预算金额")


# ---------------------------------------------------------------- read back
def test_prefilled_template_reads_back_with_no_errors_and_no_notes(template, checklist):
    register = RegisterReader(checklist).read(template)
    assert register.errors == []
    assert register.notes == []        # no unit assumed, no template sheet reported as extra
    assert (register.county, register.township, register.kind) == ("伊宁市", "潘津镇", "镇")
    assert register.value("报告期") == Period(2024, 2)
    for sheet in checklist.register.sheets:
        table = register.table(sheet.name)
        assert table is not None and len(table) == 0
        assert table.missing_columns == ()     # every header found, `*` stripped
        assert table.header_row == _header_row(checklist) - 1


def test_blank_template_asks_only_for_the_required_profile_values(tmp_path, checklist):
    path = write_template(checklist, TemplateRequest(), tmp_path / "blank.xlsx")
    register = RegisterReader(checklist).read(path)
    first = _header_row(checklist) + 1
    required = [(f"B{first + i}", k.name) for i, k in enumerate(checklist.register.profile.keys) if k.required]
    assert [(e.code, e.sheet, e.cell, e.expected) for e in register.errors] == \
        [("missing-value", "基本情况", cell, name) for cell, name in required]


def test_a_new_column_or_vocabulary_value_in_register_toml_reaches_template_and_reader(tmp_path):
    root = tmp_path / "checklists"
    shutil.copytree(data_dir("checklists"), root)
    text = (root / "register.toml").read_text(encoding="utf-8")
    text = text.replace('values = ["应急疏散演练", "灭火演练", "联勤联训", "综合演练"]',
                        'values = ["应急疏散演练", "灭火演练", "联勤联训", "综合演练", "防汛消防联合演练"]')
    text = text.replace('  { name = "地点", type = "text"',
                        '  { name = "演练时长", type = "number", dimension = "hours", help = "演练持续时间。" },\n'
                        '  { name = "地点", type = "text"')
    text = text.replace("[dimensions.count]", '[dimensions.hours]\ncanonical = "小时"\nunits = { "小时" = 1, "分钟" = 0.0166666667 }\n\n[dimensions.count]')
    (root / "register.toml").write_text(text, encoding="utf-8")
    checklist = load_checklist(directory=root)

    path = write_template(checklist, REQUEST, tmp_path / "template.xlsx")
    workbook = load_workbook(path)
    row = _header_row(checklist)
    headers = [c.value for c in workbook["演练"][row]]
    assert headers[4] == "演练时长（小时）"
    kinds = _validation_at(workbook["演练"], f"D{row + 1}")
    assert _options(workbook, kinds.formula1)[-1] == "防汛消防联合演练"

    sheet = workbook["演练"]
    for c, value in enumerate(["", "2024-05-15", "潘津镇", "防汛消防联合演练", 1.5], start=1):
        sheet.cell(row + 1, c, value or None)
    workbook.save(path)
    register = RegisterReader(checklist).read(path)
    assert register.errors == [] and register.notes == []
    assert list(register.table("演练").records("演练类型", "演练时长")) == [(0, "防汛消防联合演练", 1.5)]


# ---------------------------------------------------------------- round trip
def test_compliant_data_typed_into_the_template_audits_like_the_builder(template, tmp_path, checklist, audit_of):
    register = compliant()
    path = fill(template, register, checklist, tmp_path / "filled.xlsx")
    read = RegisterReader(checklist).read(path)
    assert read.errors == [] and read.notes == []
    audit = audit_register(read, checklist)
    expected = _statuses(audit_of(register))
    assert _statuses(audit) == expected
    assert {status for _, status in expected} <= {"pass", "na"}
    assert any(status == "pass" for _, status in expected)


def test_clerk_mistakes_become_register_errors_at_their_cells(template, tmp_path, checklist):
    path = fill(template, compliant(), checklist, tmp_path / "filled.xlsx")
    workbook = load_workbook(path)
    row = _header_row(checklist) + 1
    workbook["消防队伍"]["C" + str(row)] = "专职队"              # typed past the drop-down
    workbook["演练"]["B" + str(row)] = "五月十五日"               # a date typed as text
    workbook["消防队伍"]["E" + str(row)] = "八个人"               # a count in words
    workbook["队员"]["E" + str(row + 1)] = "队长、司令"           # one of several posts is not in the list
    workbook["基本情况"]["B" + str(row + 2)] = "县"                # 类型 outside 乡/镇/街道
    workbook.save(path)

    read = RegisterReader(checklist).read(path)
    found = {(e.code, f"{e.sheet}!{e.cell}", e.value) for e in read.errors}
    assert found == {
        ("unknown-value", f"消防队伍!C{row}", "专职队"),
        ("bad-date", f"演练!B{row}", "五月十五日"),
        ("bad-count", f"消防队伍!E{row}", "八个人"),
        ("unknown-value", f"队员!E{row + 1}", "队长、司令"),
        ("unknown-value", f"基本情况!B{row + 2}", "县"),
    }
    expected = {e.cell: e.expected for e in read.errors}
    assert "一级专职消防队" in expected[f"C{row}"] and expected[f"B{row + 2}"] == "乡、镇、街道"
    audit = audit_register(read, checklist)
    assert len(audit.requirements) == 22 and len(audit.register_errors) == 5


# ---------------------------------------------------------------- LibreOffice
def _soffice(source: Path, target_format: str, outdir: Path, profile: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    target_format, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    produced = outdir / (source.stem + "." + target_format.split(":")[0])
    assert produced.is_file(), f"LibreOffice did not convert {source.name} to {target_format}"
    return produced


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_template_and_keeps_its_validations(template, tmp_path, checklist):
    filled = fill(template, compliant(), checklist, tmp_path / "filled.xlsx")
    profile = tmp_path / "lo-profile"
    ods = _soffice(filled, "ods", tmp_path / "ods", profile)
    resaved = _soffice(template, "xlsx", tmp_path / "xlsx", profile)

    original = audit_register(RegisterReader(checklist).read(filled), checklist)
    read = RegisterReader(checklist).read(ods)
    assert read.errors == [] and read.notes == []
    assert _statuses(audit_register(read, checklist)) == _statuses(original)

    ours, theirs = load_workbook(template), load_workbook(resaved)
    assert theirs.sheetnames == ours.sheetnames
    assert theirs[checklist.register.template.options_sheet].sheet_state == "hidden"
    row = _header_row(checklist) + 1
    for sheet in checklist.register.sheets:
        for c, column in enumerate(sheet.columns, start=1):
            ref = f"{ours[sheet.name].cell(row, c).column_letter}{row}"
            mine, kept = _validation_at(ours[sheet.name], ref), _validation_at(theirs[sheet.name], ref)
            assert kept is not None and kept.type == mine.type and kept.prompt == mine.prompt, (sheet.name, ref)


# ---------------------------------------------------------------- the command
def _prompts(path: Path) -> list[str]:
    workbook = load_workbook(path)
    return [v.prompt or "" for s in workbook.worksheets for v in s.data_validations.dataValidation]


def test_cli_writes_the_prefilled_template(tmp_path, checklist):
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["template", "-o", str(out), "--county", "霍城县", "--township", "清水河镇",
                                      "--kind", "民族乡", "--period", "2024年第三季度"])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    register = RegisterReader(checklist).read(out)
    assert (register.county, register.township, register.kind) == ("霍城县", "清水河镇", "乡")  # alias -> 乡
    assert register.value("报告期") == Period(2024, 3)
    assert all("\n" not in p for p in _prompts(out))          # Chinese only without --lang en


def test_cli_into_a_directory_uses_the_default_name(tmp_path):
    result = CliRunner().invoke(app, ["template", "-o", str(tmp_path), "--county", "伊宁市", "--township", "潘津镇",
                                      "--period", "2024Q2"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "伊宁市潘津镇消防工作台账2024Q2.xlsx").is_file()


@pytest.mark.parametrize("args, hint", [(["--kind", "县"], "乡、镇、街道"), (["--period", "2024Q5"], "--period")])
def test_cli_refuses_a_bad_kind_or_period(tmp_path, args, hint):
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["template", "-o", str(out), *args])
    assert result.exit_code == 2
    assert hint in result.output
    assert not out.exists()


def test_cli_lang_en_adds_english_hints_but_keeps_chinese_names(tmp_path, checklist):
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["template", "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    spec = checklist.register
    workbook = load_workbook(out)
    assert workbook.sheetnames[1:-1] == [spec.profile.sheet, *(s.name for s in spec.sheets)]
    row = _header_row(checklist)
    sheet = workbook["经费"]
    assert sheet.cell(row, 4).value == "预算金额（万元）*"
    prompt = _validation_at(sheet, f"D{row}").prompt
    column: ColumnSpec = spec.sheets[3].columns[3]
    assert column.help in prompt and column.help_en in prompt and "(required)" in prompt
    assert all(c.help_en for s in spec.sheets for c in s.columns) and all(k.help_en for k in spec.profile.keys)
    guide = [c.value for c in workbook[spec.template.instructions_sheet][2]]
    assert "Generated by fireaudit" in guide[0]


@pytest.mark.parametrize("target, message", [("t.xls", "只能写成 .xlsx"), ("a-file/t.xlsx", "无法写入")])
def test_cli_refuses_an_unwritable_or_non_xlsx_output_without_a_traceback(tmp_path, target, message):
    (tmp_path / "a-file").write_text("not a directory")
    result = run_cli("template", "-o", str(tmp_path / target))
    assert result.code == 2
    assert message in result.err and str(tmp_path / target) in result.err
    assert "Traceback" not in result.err + result.out
    assert not (tmp_path / "t.xls").exists()
