"""The county register (issue 17, item 2): its template round-trips through the reader, its 县市
column keeps counties apart in a batch of several, and a workbook that is not one is recognised."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.cell_range import CellRange

from fireaudit.audit import judge_county_duties
from fireaudit.checks.county import CountyData
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.county import (CountyScope, RosterEntry, classify_workbook, county_key, names_township,
                                      roster, rows_without_county)
from fireaudit.template import TemplateRequest, build_county_template, county_file_name, write_county_template
from tests.builders import Register, Sheet, compliant, county_register

REQUEST = TemplateRequest(county="伊宁市", period=Period(2024, 2))
HEADER_ROW = 2           # one title row above the header (register.toml [template] title_rows)
MID = dt.date(2024, 5, 10)


@pytest.fixture
def template(tmp_path: Path, checklist) -> Path:
    return write_county_template(checklist, REQUEST, tmp_path / "county.xlsx")


def _validation_at(sheet, ref: str):
    for validation in sheet.data_validations.dataValidation:
        if any(ref in CellRange(r.coord) for r in validation.sqref.ranges):
            return validation
    return None


def _options(workbook, formula: str) -> list[str]:
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet, c1, r1, c2, r2 = match.groups()
    return [c.value for row in workbook[sheet][f"{c1}{r1}:{c2}{r2}"] for c in row]


def _column(sheet, name: str) -> str:
    """The letter of the header whose text is `name` (with or without the `*`)."""
    for cell in sheet[HEADER_ROW]:
        if cell.value and cell.value.rstrip("*") == name:
            return cell.column_letter
    raise AssertionError(f"{sheet.title} has no column {name}")


# ---------------------------------------------------------------- the template
def test_county_template_has_the_county_sheets_in_order(template, checklist):
    spec = checklist.register
    workbook = load_workbook(template)
    assert workbook.sheetnames == ["填表说明", "督导考评", "奖惩", "典型样板", "乡镇名册", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    for sheet in spec.county_sheets:
        headers = [c.value for c in workbook[sheet.name][HEADER_ROW]]
        assert headers == [spec.header_text(c, marked=True) for c in sheet.columns], sheet.name
    assert [c.value for c in workbook["乡镇名册"][HEADER_ROW]] == ["县市*", "乡镇街道*", "类型"]
    assert "县市" in [c.value for c in workbook["督导考评"][HEADER_ROW]]
    assert "县市" in [c.value for c in workbook["典型样板"][HEADER_ROW]]
    assert workbook["督导考评"]["A1"].value == "伊宁市督导考评台账（2024Q2）"


def test_county_template_has_drop_downs_and_date_checks(template, checklist):
    workbook = load_workbook(template)
    vocab = checklist.register.vocabularies
    supervision = workbook["督导考评"]
    kind = _validation_at(supervision, f"{_column(supervision, '类型')}3")
    assert kind.type == "list" and _options(workbook, kind.formula1) == vocab["督导类型"].values
    assert _validation_at(supervision, f"{_column(supervision, '日期')}3").type == "date"
    sanctions = workbook["奖惩"]
    kind = _validation_at(sanctions, f"{_column(sanctions, '类型')}50")
    assert _options(workbook, kind.formula1) == ["表彰", "通报", "追责"]
    roster = workbook["乡镇名册"]
    kind = _validation_at(roster, f"{_column(roster, '类型')}3")
    assert _options(workbook, kind.formula1) == ["乡", "镇", "街道"]
    year = _validation_at(workbook["典型样板"], f"{_column(workbook['典型样板'], '年度')}3")
    assert year.type == "whole"
    county = _validation_at(supervision, f"{_column(supervision, '县市')}3")
    assert "一本台账汇总多个县市时必填" in county.prompt


def test_county_guide_names_every_sheet_its_plan_item_and_the_county_rule(template):
    guide = load_workbook(template)["填表说明"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value is not None)
    assert "县市消防工作台账 填表说明" in text
    for name in ("督导考评", "奖惩", "典型样板", "乡镇名册"):
        assert name in text
    assert "（二十一）" in text and "（二十二）" in text and "（二十）" in text
    assert "每行都须填“县市”" in text
    assert "基本情况" not in text       # no township profile in a county register


def test_county_template_default_name_and_english_hints(tmp_path, checklist):
    assert county_file_name(REQUEST) == "伊宁市县市消防工作台账2024Q2.xlsx"
    written = write_county_template(checklist, REQUEST, tmp_path)
    assert written.name == "伊宁市县市消防工作台账2024Q2.xlsx"
    english = build_county_template(checklist, TemplateRequest(lang="en"))
    prompt = _validation_at(english["乡镇名册"], "A3").prompt
    assert "County, e.g. 伊宁市" in prompt


def test_filled_county_template_round_trips_through_the_reader(template, tmp_path, checklist):
    workbook = load_workbook(template)
    rows = {
        "督导考评": [[MID, "伊宁市", "潘津镇", "季度考评", 85, "基本达标"]],
        "奖惩": [[MID, "伊宁县", "愉群翁回族乡", "通报", "考评不合格"]],
        "典型样板": [["伊宁市", "潘津镇", "网格化消防管理样板", 2024]],
        "乡镇名册": [["伊宁市", "潘津镇", "镇"], ["伊宁县", "愉群翁回族乡", "乡"]],
    }
    for name, values in rows.items():
        for r, row in enumerate(values, start=HEADER_ROW + 1):
            for c, value in enumerate(row, start=1):
                workbook[name].cell(r, c, value)
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    register = RegisterReader(checklist).read(filled, county=True)
    assert register.errors == []
    assert not [n for n in register.notes if n.code != "unit-assumed"]
    supervision = register.tables["督导考评"]
    assert list(supervision.records("日期", "县市", "乡镇街道", "类型", "得分")) == [
        (0, MID, "伊宁市", "潘津镇", "季度考评", 85)]
    assert supervision.cell(0, "乡镇街道").ref() == "督导考评!C3"
    names = register.tables["乡镇名册"]
    assert list(names.records("县市", "乡镇街道", "类型")) == [(0, "伊宁市", "潘津镇", "镇"),
                                                               (1, "伊宁县", "愉群翁回族乡", "乡")]
    assert list(register.tables["典型样板"].records("年度")) == [(0, 2024)]
    assert classify_workbook(filled, checklist).kind == "county"
    assert roster(register) == [RosterEntry("伊宁市", "潘津镇", "镇", "乡镇名册!B3"),
                                RosterEntry("伊宁县", "愉群翁回族乡", "乡", "乡镇名册!B4")]


# ---------------------------------------------------------------- 县市 in a batch of several counties
def test_county_names_compare_without_the_prefecture_but_keep_shi_and_xian():
    assert county_key("伊犁州伊宁市") == county_key("伊宁市")
    assert county_key("伊宁市") != county_key("伊宁县")
    assert names_township("伊宁市潘津镇", "伊宁市", "潘津镇")
    assert not names_township("伊宁县潘津镇", "伊宁市", "潘津镇")
    two = CountyScope.of([("伊宁市", "潘津镇"), ("伊宁县", "潘津镇")])
    assert two.matches("伊宁市", "潘津镇", "伊宁市", "潘津镇") is True
    assert two.matches("伊宁市", "潘津镇", "伊宁县", "潘津镇") is False
    assert two.matches(None, "潘津镇", "伊宁县", "潘津镇") is None         # cannot tell: no guess
    assert two.matches(None, "伊宁县潘津镇", "伊宁县", "潘津镇") is True    # the name carries the county
    assert CountyScope.of([("伊宁市", "潘津镇")]).matches(None, "潘津镇", "伊宁市", "潘津镇") is True


def _supervision(rows: list[tuple[str | None, str]]) -> Register:
    """A county register with 县市 on its supervision rows (None: left blank)."""
    sheet = Sheet(["日期", "县市", "乡镇街道", "类型"], title="督导考评")
    for county, township in rows:
        sheet.add(日期=MID, 县市=county, 乡镇街道=township, 类型="季度考评")
    models = Sheet(["县市", "乡镇街道", "名称", "年度"], title="典型样板")
    models.add(县市="伊宁市", 乡镇街道="潘津镇", 名称="样板", 年度=2024)
    return Register({}, {"督导考评": sheet, "典型样板": models})


def judge_county(audits, checklist, path: str, baseline):
    """What a batch does with a county register (fireaudit.batch.run_batch): each township's county duties
    judged once, and the rows naming no county listed as register errors."""
    register = RegisterReader(checklist).read(path, county=True)
    townships = [(a.county, a.township) for a in audits]
    county = CountyData(register, townships, baseline)
    return [judge_county_duties(a, checklist, county) for a in audits], rows_without_county(register, townships)


def _duty(audit, check: str):
    """R20–R22 are the county's (issue 16 item 8): judged into the roll-up's county section, not the township's."""
    return next(c for r in audit.county_duties for c in r.checks if c.id == check)


def _statuses(audits, check: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {a.name: (_duty(a, check).status, tuple(e.ref() for e in _duty(a, check).evidence)) for a in audits}


@pytest.fixture
def two_counties(audit_of):
    return [audit_of(compliant(county="伊宁市", township="潘津镇"), name="a.xlsx"),
            audit_of(compliant(county="伊宁县", township="潘津镇"), name="b.xlsx")]


def test_a_row_with_county_supervises_only_that_countys_township(two_counties, checklist, tmp_path):
    path = _supervision([("伊宁市", "潘津镇")]).save(tmp_path / "county.xlsx")
    audits, errors = judge_county(two_counties, checklist, str(path), None)
    result = _statuses(audits, "R21.1")
    assert result["伊宁市潘津镇"][0] == "pass"
    assert result["伊宁县潘津镇"][0] == "fail"      # before issue 17: marked supervised by 伊宁市's row
    assert errors == []
    models = _statuses(audits, "R20.1")
    assert models["伊宁市潘津镇"][0] == "pass" and models["伊宁县潘津镇"][0] == "fail"


def test_a_row_without_county_in_a_two_county_batch_is_unknown_with_its_cell(two_counties, checklist, tmp_path):
    path = _supervision([(None, "潘津镇")]).save(tmp_path / "county.xlsx")
    audits, _ = judge_county(two_counties, checklist, str(path), None)
    for status, evidence in _statuses(audits, "R21.1").values():
        assert (status, evidence) == ("unknown", ("督导考评!C3",))
    check = _duty(audits[0], "R21.1")
    assert check.message == "county_scope.no_county" and check.params["count"] == 1
    register = RegisterReader(checklist).read(path, county=True)
    errors = rows_without_county(register, [(a.county, a.township) for a in two_counties])
    assert [(e.code, e.sheet, e.cell, e.value) for e in errors] == [("county-missing", "督导考评", "B3", "潘津镇")]
    assert rows_without_county(register, [("伊宁市", "潘津镇")]) == []      # one county: the row is its
    assert roster(register) == []                                          # no 乡镇名册 sheet


def test_an_old_register_without_county_still_works_for_one_county(audit_of, checklist, tmp_path):
    audits = [audit_of(compliant(county="伊宁市", township=name), name=f"{name}.xlsx") for name in ("甲镇", "乙镇")]
    path = county_register(["甲镇", "乙镇"], supervised=["甲镇"]).save(tmp_path / "old.xlsx")
    judged, _ = judge_county(audits, checklist, str(path), None)
    assert {k: v[0] for k, v in _statuses(judged, "R21.1").items()} == {"伊宁市甲镇": "pass", "伊宁市乙镇": "fail"}
    assert {_duty(a, "R20.1").status for a in judged} == {"pass"}


# ---------------------------------------------------------------- what a workbook is
def test_a_township_register_is_recognised_with_its_name(tmp_path, checklist):
    path = compliant(county="伊宁市", township="潘津镇").save(tmp_path / "潘津镇.xlsx")
    kind = classify_workbook(path, checklist)
    assert (kind.kind, kind.county, kind.township, kind.is_county_register) == ("township", "伊宁市", "潘津镇", False)
    assert "这是乡镇台账（伊宁市潘津镇）" in kind.describe("zh")
    assert "township register (伊宁市潘津镇)" in kind.describe("en")


def test_an_old_county_register_is_a_county_register(tmp_path, checklist):
    path = county_register(["甲镇"]).save(tmp_path / "county.xlsx")
    kind = classify_workbook(path, checklist)
    assert kind.is_county_register and kind.sheets == ("督导考评", "奖惩", "典型样板")


def test_neither_missing_and_unreadable_workbooks(tmp_path, checklist):
    other = Register({}, {"工资表": Sheet(["姓名", "金额"], [["张三", 100]])}).save(tmp_path / "工资.xlsx")
    assert classify_workbook(other, checklist).kind == "other"
    assert "既不是县市台账" in classify_workbook(other, checklist).describe()
    missing = classify_workbook(tmp_path / "没有.xlsx", checklist)
    assert missing.kind == "missing" and "文件不存在" in missing.describe()
    fake = tmp_path / "假.xlsx"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    broken = classify_workbook(fake, checklist)
    assert broken.kind == "unreadable" and broken.reason
