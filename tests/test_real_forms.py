"""Registers as townships really keep them (issue 14, REAL-FORMS.md): the reader side.

Binders typed into Excel, system-export rosters, grid-management ledgers: each
layout is built from the compliant township by tests/builders.py, so where the
checks already judge it, the verdicts must be the template layout's."""

from __future__ import annotations

import datetime as dt

import pytest

from fireaudit.audit import audit_register
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.model import EMPTY, UNPARSED, VALUE, MonthDate, Unreadable, several, within
from fireaudit.register.values import ValueParsers
from tests.builders import (FreeSheet, Sheet, binder, compliant, export_roster, grid_ledger, save_free)

D = dt.date


@pytest.fixture(scope="module")
def parsers(checklist):
    return ValueParsers(checklist.register)


@pytest.fixture
def read_free(tmp_path, checklist):
    def run(sheets: dict[str, FreeSheet], name: str = "register.xlsx"):
        return RegisterReader(checklist).read(save_free(tmp_path / name, sheets))
    return run


def _statuses(audit) -> dict[str, str]:
    return {c.id: c.status for r in audit.requirements for c in r.checks}


def _codes(register) -> set[tuple[str, str]]:
    return {(n.code, n.sheet) for n in register.notes}


# ---------------------------------------------------------------- values (item 5)
@pytest.mark.parametrize("raw, expected", [
    ("已制定", True), ("已建立", True), ("已建", True), ("已纳入", True), ("已参保", True), ("未参保", False),
    ("确定", True), ("未确定", False), ("开展", True), ("未开展", False), ("建立", True), ("未建立", False),
    ("维护管理", True), ("未维护管理", False), ("☑是 □否", True), ("□是 ■否", False), ("☑符合 □不符合", True),
    ("□符合 ☑不符合", False), ("■", True),
])
def test_state_words_are_yes_or_no(parsers, raw, expected):
    assert parsers.yesno(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["差不多", "部分", "☑是 ☑否", "□是 □否"])
def test_a_yes_no_that_is_not_clear_stays_a_register_error(parsers, raw):
    assert parsers.yesno(raw)[0] is None and parsers.yesno(raw)[1].code == "bad-yesno"


@pytest.mark.parametrize("raw, expected", [("共计13人", 13), ("约50人", 50), ("300人次", 300), ("共 8 名", 8)])
def test_counts_as_binders_write_them(parsers, raw, expected):
    assert parsers.number(raw, "count", None, whole=True) == (expected, None)


def test_a_count_that_is_not_a_number_stays_a_register_error(parsers):
    value, problem = parsers.number("全体职工", "count", None, whole=True)
    assert value is None and problem.code == "bad-count"


@pytest.mark.parametrize("raw, expected", [
    ("二〇二四年六月二十八日", D(2024, 6, 28)), ("二〇一二年九月九日九时整", D(2012, 9, 9)),
    ("2024.4.1-4.3", D(2024, 4, 1)), ("2024年4月1日至3日", D(2024, 4, 1)), ("2024-04-01~2024-04-03", D(2024, 4, 1)),
])
def test_chinese_numeral_dates_and_date_ranges(parsers, raw, expected):
    value, problem = parsers.date(raw)
    assert problem is None and value == expected and not isinstance(value, MonthDate)


@pytest.mark.parametrize("raw", ["2024年4月", "2024.4", "二〇二四年四月"])
def test_a_month_only_date_is_the_whole_month(parsers, raw):
    value, problem = parsers.date(raw)
    assert problem is None and isinstance(value, MonthDate)
    assert (value.first, value.last, value.isoformat()) == (D(2024, 4, 1), D(2024, 4, 30), "2024-04")


def test_a_month_satisfies_a_window_only_when_it_lies_wholly_inside():
    april = MonthDate(2024, 4, 1)
    assert within(april, D(2024, 4, 1), D(2024, 6, 30)) is True
    assert within(april, D(2024, 5, 1), D(2024, 6, 30)) is False
    assert within(april, D(2024, 4, 15), D(2024, 6, 30)) is None       # straddles: unknown, not pass
    assert within(D(2024, 4, 20), D(2024, 4, 15), D(2024, 6, 30)) is True
    # plain comparisons hold only for every day of the month
    assert D(2024, 4, 1) <= april <= D(2024, 6, 30)
    assert not D(2024, 4, 15) <= april and not april <= D(2024, 4, 15) and not april > D(2024, 4, 15)
    assert april < D(2024, 5, 1) and not april < D(2024, 4, 30)


@pytest.mark.parametrize("raw, expected", [
    ("志愿队/乡镇志愿消防队", "志愿消防队"), ("义务消防队", "志愿消防队"), ("乡镇义务消防队", "志愿消防队"),
    ("一级专职队", "一级专职消防队"),
])
def test_brigade_types_as_systems_and_older_forms_write_them(parsers, raw, expected):
    assert parsers.vocab(raw, "队伍类型") == (expected, None)


@pytest.mark.parametrize("raw, code", [("专职队/乡镇政府专职消防队", "class-only"),   # full-time, grade not said
                                       ("专职队", "unknown-value")])                   # not even government's
def test_a_full_time_brigade_without_its_grade_stays_a_register_error_with_the_nearest_values(parsers, raw, code):
    value, problem = parsers.vocab(raw, "队伍类型")
    assert value is None and problem.code == code
    assert set(problem.nearest) >= {"一级专职消防队", "二级专职消防队"}


def test_a_cell_with_several_roles_counts_for_each(parsers, checklist):
    people = next(s for s in checklist.register.sheets if s.name == "责任人")
    duty = next(c for c in people.columns if c.name == "消防职责")
    parse = parsers.for_column(duty)
    assert parse("主要责任人、消防安全管理人") == (("主要责任人", "消防安全管理人"), None)
    assert parse("主要责任人；消防安全专干") == (("主要责任人", "消防工作专人"), None)
    assert parse("网格员") == ("网格员", None)
    value, problem = parse("主要责任人、宣传员")          # one part not understood: the whole cell is an error
    assert value is None and problem.code == "unknown-value"
    assert several(("主要责任人", "网格员")) == ("主要责任人", "网格员") and several("网格员") == ("网格员",)
    assert several(None) == ()


def test_the_lane_column_reads_its_own_words(read):
    reg = compliant()
    villages = reg.sheets["村社区"]
    villages.header[villages.header.index("消防车通道畅通")] = "消防车通道"
    villages.set(0, "消防车通道", "畅通").set(1, "消防车通道", "部分堵塞").set(2, "消防车通道", "被堵塞")
    villages.set(0, "防火安全公约", "已制定")
    register = read(reg)
    assert register.errors == []
    table = register.table("村社区")
    assert table.column("消防车通道畅通") == [True, False, False]
    assert table.column("防火安全公约")[0] is True


def test_state_words_in_the_compliant_township_keep_every_verdict(read, checklist):
    reg = compliant()
    reg.sheets["经费"].set(0, "纳入财政预算", "已纳入")
    for n in range(len(reg.sheets["村社区"].rows)):
        reg.sheets["村社区"].set(n, "防火安全公约", "已制定")
    reg.sheets["消防队伍"].set(0, "队员人数", "共计16人")
    reg.sheets["演练"].set(0, "参加人数", "约300人").set(0, "日期", "2024年5月")
    reg.profile["建立消防安全组织"] = "已建立"
    register = read(reg)
    assert register.errors == []
    base = audit_register(read(compliant(), "base.xlsx"), checklist)
    assert _statuses(audit_register(register, checklist)) == _statuses(base)


# ---------------------------------------------------------------- not understood is not empty (prep. item 1)
def test_a_value_not_understood_is_distinct_from_an_empty_cell(read):
    reg = compliant()
    reg.sheets["演练"].set(0, "日期", "五月中旬").set(1, "地点", None)
    reg.sheets["演练"].set(2, "演练类型", "灭火演习")
    reg.profile["纳入国土空间规划"] = "正在纳入"
    register = read(reg)
    drills = register.table("演练")
    assert drills.column("日期")[0] is None                    # the old list stays as it was …
    assert drills.status(0, "日期") == UNPARSED                # … but the cell says what it held
    assert drills.status(1, "地点") == EMPTY and drills.status(1, "日期") == VALUE
    bad = drills.unparsed_at(0, "日期")
    assert (bad.raw, bad.code, bad.evidence.ref()) == ("五月中旬", "bad-date", "演练!B3")
    with pytest.raises(Unreadable) as raised:
        drills.need(0, "日期")
    assert raised.value.evidence.ref() == "演练!B3"
    assert drills.need(1, "地点") is None
    kind = drills.unparsed_at(2, "演练类型")
    assert kind.code == "unknown-value" and "应急疏散演练" in kind.expected and kind.nearest
    assert [u.evidence.ref() for u in drills.unreadable("日期")] == ["演练!B3"]
    assert register.status("纳入国土空间规划") == UNPARSED and register.status("全国重点镇") == VALUE
    assert register.status("没有的项") == EMPTY
    with pytest.raises(Unreadable):
        register.need("纳入国土空间规划")
    errors = {e.cell: e for e in register.errors}
    assert errors["D5"].nearest == kind.nearest                # the register error carries the nearest values


# ---------------------------------------------------------------- layouts (item 4)
def test_binder_layout_reads_like_the_template_and_says_where_identity_came_from(read_free, read, checklist):
    reg = compliant()
    register = read_free(binder(reg))
    assert register.errors == []
    assert (register.county, register.township, register.kind) == ("伊宁市", "潘津镇", "镇")
    assert register.value("报告期") == Period(2024, 2)
    notes = {(n.code, n.detail) for n in register.notes}
    assert ("period-from-title", "2024Q2（A1）") in notes and ("kind-from-name", "镇（潘津镇）") in notes
    assert register.profile["报告期"].source == "title"
    assert register.profile["建成区面积"].evidence.ref() == "一、基本情况!D3"       # grid: key in B:C merged, value in D
    assert register.profile["建成区常住人口"].evidence.ref() == "一、基本情况!F3"   # … second pair on the same row
    assert register.value("消防工作站实体化运行") is True                         # ☑是 □否
    assert len(register.table("演练")) == 3                                      # signature line below skipped
    assert register.table("村社区").sheet == "九、村（社区）消防工作情况"
    assert _statuses(audit_register(register, checklist)) == _statuses(audit_register(read(reg), checklist))


def test_two_row_merged_header_reads_as_combined_names(read_free):
    reg = compliant()
    sheets = binder(reg)
    sheets["四、队员花名册"] = export_roster(reg.sheets["队员"])
    register = read_free(sheets)
    members = register.table("队员")
    assert register.errors == []
    assert members.header_row == 2
    source = reg.sheets["队员"]
    for column in ("基本养老保险", "失业保险", "工伤保险", "意外伤害保险"):
        expected = [{"是": True, "否": False}.get(row[source.header.index(column)]) for row in source.rows]
        assert members.column(column) == expected and True in expected
    assert members.cell(0, "工伤保险").ref() == "四、队员花名册!H4"


def test_profile_with_a_serial_column_and_keys_in_merged_cells(read_free):
    rows = [["基本情况"], ["序号", "项目", None, "填报内容"],
            [1, "县市", None, "霍城县"], [2, "乡镇（街道）名称", None, "惠远镇"], [3, "报告期", None, "2024年二季度"]]
    register = read_free({"基本情况": FreeSheet(rows, ["A1:D1", "B3:C3", "B4:C4", "B5:C5"])})
    assert (register.county, register.township, register.value("报告期")) == ("霍城县", "惠远镇", Period(2024, 2))
    assert register.profile["县市"].evidence.ref() == "基本情况!D3"


@pytest.mark.parametrize("tab", ["一、基本情况", "1.基本情况", "（一）基本情况"])
def test_numbered_sheet_names_are_matched_without_the_number(read_free, tab):
    rows = [["项目", "填报内容"], ["县市", "伊宁市"], ["乡镇街道", "潘津镇"], ["报告期", "2024Q2"], ["类型", "镇"]]
    register = read_free({tab: FreeSheet(rows), "3.消防队伍": FreeSheet([["队伍名称", "队伍类型", "队员人数"],
                                                                    ["潘津镇志愿消防队", "义务消防队", "共计12人"]])})
    assert register.profile_sheet == tab and register.kind == "镇"
    assert register.table("消防队伍").column("队伍类型") == ["志愿消防队"]
    assert register.table("消防队伍").column("队员人数") == [12]


# ---------------------------------------------------------------- nothing dropped (item 2)
def _refusal_ledger():
    return grid_ledger([
        {"发现日期": "2024年5月", "网格员": "艾山", "场所": "二村自建房", "隐患描述": "违章搭建彩钢棚",
         "当前状态": "未整改", "备注": "住户拒绝拆除，拟移交城管"},
        {"发现日期": "2024.5.3-5.4", "场所": "一村小卖部", "隐患描述": "灭火器过期", "整改时限": "2024年5月10日",
         "当前状态": "已完成"},
    ])


def test_two_hazard_sheets_are_read_together_each_row_on_its_own_sheet(read_free, checklist):
    sheets = binder(compliant())
    sheets["消防检查"] = _refusal_ledger()
    register = read_free(sheets)
    hazards = register.table("检查隐患")
    assert hazards.sheets == ("八、隐患排查整改台账", "消防检查") and len(hazards) == 5
    assert hazards.column("整改状态")[3:] == ["拒不整改", "已整改"]
    assert hazards.cell(3, "整改状态").ref() == "消防检查!H3"
    assert hazards.cell(0, "整改状态").ref() == "八、隐患排查整改台账!I3"
    assert hazards.header("整改状态").ref() == "八、隐患排查整改台账!I2"
    assert hazards.cell(3, "移送部门").missing == "column"        # the ledger has no referral column
    assert ("combined-sheets", "检查隐患") in _codes(register)
    assert ("status-read", "消防检查") in _codes(register)
    # the refused hazard on the second sheet was never referred: R13 fails, as an inspector would say
    status = _statuses(audit_register(register, checklist))
    assert status["R13.1"] == "fail"


def test_an_unrecognised_sheet_is_listed_with_the_sheet_it_resembles(read):
    reg = compliant()
    reg.extra_sheets["消防责任人员表"] = reg.sheets.pop("责任人")
    register = read(reg)
    assert register.unrecognised == {"消防责任人员表": "责任人"}
    assert register.resembling("责任人") == "消防责任人员表"
    notes = {(n.code, n.sheet, n.detail) for n in register.notes}
    assert ("unrecognised-sheet", "消防责任人员表", "责任人") in notes
    assert ("missing-sheet-resembling", "责任人", "消防责任人员表") in notes


# ---------------------------------------------------------------- period, place and kind (item 3)
@pytest.mark.parametrize("key, value", [("统计时段", "2024年4月1日至6月30日"), ("填报期间", "2024年第二季度"),
                                        ("报送期间", "2024Q2"), ("所属季度", "2024年二季度")])
def test_period_from_other_profile_keys(read, key, value):
    reg = compliant()
    reg.profile = {(key if k == "报告期" else k): (value if k == "报告期" else v) for k, v in reg.profile.items()}
    register = read(reg)
    assert register.value("报告期") == Period(2024, 2) and register.errors == []


@pytest.mark.parametrize("name", ["伊宁市潘津镇2024Q2消防台账.xlsx", "潘津镇2024年第2季度.xlsx"])
def test_period_from_the_file_name(read, name):
    reg = compliant()
    reg.profile.pop("报告期")
    register = read(reg, name)
    assert register.value("报告期") == Period(2024, 2) and register.errors == []
    assert register.profile["报告期"].source == "file-name"
    assert ("period-from-file-name", name) in _codes(register)


def test_county_and_township_from_the_file_name(read):
    reg = compliant()
    reg.profile.pop("县市")
    reg.profile.pop("乡镇街道")
    reg.profile.pop("类型")
    register = read(reg, "伊宁市潘津镇2024Q2.xlsx")
    assert (register.county, register.township, register.kind) == ("伊宁市", "潘津镇", "镇")
    assert register.errors == []


def test_with_no_period_anywhere_every_place_looked_is_listed(read, checklist):
    from fireaudit.i18n import t

    reg = compliant()
    reg.profile.pop("报告期")
    register = read(reg, "台账.xlsx")
    assert register.value("报告期") is None
    assert register.period_search == ("profile", "titles", "file-name")
    assert ("no-period", "基本情况") in _codes(register)
    for lang, words in (("zh", ("统计时段", "标题行", "文件名")), ("en", ("统计时段", "title rows", "file name"))):
        text = t(lang, "note.no-period", detail="")
        assert all(w in text for w in words)


def test_periods_that_disagree_are_not_used(read_free):
    rows = [["2024年第一季度潘津镇基本情况"], ["项目", "填报内容"], ["县市", "伊宁市"]]
    drills = [["2024年第二季度演练台账"], ["日期", "组织单位", "演练类型"], ["2024-05-01", "潘津镇", "灭火演练"]]
    register = read_free({"基本情况": FreeSheet(rows), "演练": FreeSheet(drills)}, "台账.xlsx")
    assert register.value("报告期") is None
    notes = {(n.code, n.detail) for n in register.notes}
    assert ("no-period", "2024Q1、2024Q2") in notes


def test_a_title_that_names_no_place_gives_none(read_free):
    rows = [["乡镇消防工作台账"], ["项目", "填报内容"], ["报告期", "2024Q2"]]
    register = read_free({"基本情况": FreeSheet(rows)}, "台账.xlsx")
    assert register.county is None and register.township is None and register.kind is None


# ---------------------------------------------------------------- row readings
def _hazard_row(**values):
    hazards = Sheet(["序号", "检查日期", "场所名称", "隐患描述", "整改期限", "整改状态", "移送部门", "备注"])
    hazards.add(序号=1, 检查日期=D(2024, 5, 15), 场所名称="二村自建房", 隐患描述="违章搭建彩钢棚", **values)
    return hazards


@pytest.mark.parametrize("values, expected", [
    (dict(整改状态="未整改", 备注="住户拒绝拆除，拟移交城管"), "拒不整改"),
    (dict(整改状态="未整改", 整改期限=D(2024, 5, 30)), "逾期未改"),
    (dict(整改状态="待整改", 备注="户主拒不配合"), "拒不整改"),
])
def test_unrectified_is_read_with_its_row(read, values, expected):
    reg = compliant()
    reg.sheets["检查隐患"] = _hazard_row(**values)
    register = read(reg)
    assert register.table("检查隐患").column("整改状态") == [expected]
    assert register.errors == []


def test_unrectified_without_a_reason_stays_a_register_error(read):
    reg = compliant()
    reg.sheets["检查隐患"] = _hazard_row(整改状态="未整改", 整改期限=D(2024, 9, 30))
    register = read(reg)
    hazards = register.table("检查隐患")
    assert hazards.status(0, "整改状态") == UNPARSED
    assert [(e.code, e.value) for e in register.errors] == [("ambiguous-status", "未整改")]


def test_a_meeting_named_by_its_body_counts_only_when_its_agenda_is_fire_work(read):
    reg = compliant()
    meetings = reg.sheets["会议研判"]
    meetings.set(0, "类型", "党委会").set(0, "议题", "研究部署消防安全工作")
    meetings.set(1, "类型", "党政联席会").set(1, "议题", "研究春耕生产")
    register = read(reg)
    table = register.table("会议研判")
    assert table.column("类型")[0] == "专题研究"
    assert table.status(1, "类型") == UNPARSED
    assert [(e.code, e.cell, e.value) for e in register.errors] == [("meeting-body", "C4", "党政联席会")]


def test_signature_lines_below_a_table_are_skipped(read):
    reg = compliant()
    reg.sheets["演练"].footer = [["填表人：李梅", None, "审核人：王强", None, "日期：2024年6月28日"],
                                ["单位（盖章）", None, None, "检查人员签名："]]
    register = read(reg)
    assert len(register.table("演练")) == 3 and register.errors == []


def test_an_unrecognised_sheet_resembles_the_sheet_whose_columns_it_has(read):
    reg = compliant()
    reg.extra_sheets["Sheet1"] = reg.sheets.pop("检查隐患")
    register = read(reg)
    assert register.unrecognised == {"Sheet1": "检查隐患"}
    assert ("missing-sheet-resembling", "检查隐患") in _codes(register)


def test_the_no_period_text_lists_every_place_in_the_report_language(read):
    reg = compliant()
    reg.profile.pop("报告期")
    register = read(reg, "台账.xlsx")
    from fireaudit.i18n import fmt_value

    phrase = register.no_period_phrase()
    assert "文件名" in fmt_value(phrase, "zh") and "file name" in fmt_value(phrase, "en")


def test_a_system_export_brigade_table(read_free):
    header = ["序号", "队伍名称", "队伍性质", "队员总数", "政府专职消防员数", "营房面积（㎡）", "执勤车辆（台）",
              "是否纳入119调度", "验收时间"]
    rows = [["多种形式消防队伍（系统导出）"], header,
            [1, "潘津镇志愿消防队", "志愿队/乡镇志愿消防队", "共计12人", 0, "120㎡", 1, "是", "2023年4月"],
            [2, "潘津镇专职消防队", "专职队/乡镇政府专职消防队", 16, 12, 1500, 3, "是", "二〇二三年四月一日"]]
    register = read_free({"消防队伍": FreeSheet(rows)})
    table = register.table("消防队伍")
    assert table.column("队伍类型") == ["志愿消防队", None]
    assert table.column("队员人数") == [12, 16] and table.column("专职队员人数") == [0, 12]
    assert table.column("营房建筑面积") == [120, 1500] and table.column("执勤消防车数量") == [1, 3]
    assert table.column("纳入调度指挥") == [True, True]
    assert table.column("验收日期") == [MonthDate(2023, 4, 1), D(2023, 4, 1)]
    (grade,) = table.unparsed_in("队伍类型", "队员人数")
    assert (grade.evidence.ref(), grade.code) == ("消防队伍!C4", "class-only")     # full-time, the grade not said
    assert {"一级专职消防队", "二级专职消防队"} <= set(grade.nearest)
    assert table.unparsed_in("队伍类型", positions=[0]) == []


def test_the_five_fixed_hazard_ledger(read_free):
    header = ["序号", "检查日期", "检查单位", "地点", "类别", "级别", "状态", "隐患内容", "责任单位", "整改措施", "五定时间",
              "责任单位负责人", "复查时间", "复查人", "复查结果"]
    rows = [["隐患排查治理五定台账"], header,
            [1, "2024.5.6", "潘津镇", "一村", "电气", "一般", "已整改", "私拉电线", "一村农家乐", "拆除", "2024.5.10",
             "王某", "2024.5.11", "李梅", "合格"]]
    register = read_free({"隐患排查整改台账": FreeSheet(rows)})
    table = register.table("检查隐患")
    assert list(table.records("检查日期", "场所名称", "隐患描述", "整改状态")) == \
        [(0, D(2024, 5, 6), "一村农家乐", "私拉电线", "已整改")]
    assert [e for e in register.errors if e.sheet != "基本情况"] == []


@pytest.mark.parametrize("text, expected", [
    ("2024年第二季度潘津镇消防工作台账", Period(2024, 2)), ("潘津镇2024年二季度台账", Period(2024, 2)),
    ("伊宁市潘津镇2024Q3.xlsx", Period(2024, 3)), ("二〇二四年第四季度消防台账", Period(2024, 4)),
    ("2024Q1至2024Q2", None), ("潘津镇消防台账20240612", None),
])
def test_a_period_inside_a_title_or_file_name(text, expected):
    assert Period.find(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2024年4月1日至6月30日", Period(2024, 2)), ("2024.1.1-2024.3.31", Period(2024, 1)), ("2024年10-12月", Period(2024, 4)),
    ("2024.4.1-6.3", None), ("2024年4-5月", None), ("二〇二四年第二季度", Period(2024, 2)),
])
def test_a_reporting_span_that_is_exactly_one_quarter(text, expected):
    assert Period.parse(text) == expected
