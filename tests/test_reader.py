"""The reader tolerates what real submissions look like (REGISTER.md), one test per rule."""

from __future__ import annotations

import datetime as dt

import pytest

from fireaudit.errors import InputError
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from tests.builders import Sheet, compliant

D = dt.date


def _people(reg):
    return reg.sheets["责任人"]


def test_title_rows_and_merged_title_cells_are_skipped(read):
    reg = compliant()
    assert _people(reg).title  # one merged title row above the header
    register = read(reg)
    table = register.table("责任人")
    assert table.header_row == 1
    assert table.cell(0, "姓名").ref() == "责任人!B3"
    assert table.column("姓名")[0] == "阿不都"


def test_several_title_rows_and_leading_empty_columns(read):
    reg = compliant()
    people = _people(reg)
    people.start_column = 2
    reg.sheets["责任人"] = people
    # a second title row: put the title into the first data row slot by prepending a row of text
    people.rows.insert(0, ["填报单位：潘津镇", None, None, None, None, None, None, None, None])
    people.rows.pop(0)
    register = read(reg)
    table = register.table("责任人")
    assert table.cell(0, "姓名").ref() == "责任人!D3"
    assert table.column("姓名")[0] == "阿不都"


def test_header_found_below_many_title_rows(read, tmp_path, checklist):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "演练"
    ws["A1"] = "潘津镇消防演练台账"
    ws.merge_cells("A1:F1")
    ws["A2"] = "填报单位：潘津镇人民政府"
    ws["A4"] = "（单位：次）"
    for c, h in enumerate(["序号", "日期", "组织单位", "演练类型", "地点", "参加人数"], start=1):
        ws.cell(6, c, h)
    for c, v in enumerate([1, "2024-05-01", "潘津镇", "应急疏散演练", "学校", "300人"], start=1):
        ws.cell(7, c, v)
    path = tmp_path / "drills.xlsx"
    wb.save(path)
    table = RegisterReader(checklist).read(path).table("演练")
    assert table.header_row == 5
    assert table.cell(0, "日期").ref() == "演练!B7"
    assert table.column("日期") == [D(2024, 5, 1)]
    assert table.column("参加人数") == [300]


def test_sheet_and_column_aliases_any_order(read):
    reg = compliant()
    people = reg.sheets.pop("责任人")
    people.header = ["消防工作职责" if h == "消防职责" else "单位" if h == "所属单位" else h for h in people.header]
    order = [1, 3, 0, 2, 4, 5, 6, 7, 8]
    people.header = [people.header[i] for i in order]
    people.rows = [[row[i] for i in order] for row in people.rows]
    reg.sheets["消防责任人台账"] = people
    register = read(reg)
    table = register.table("责任人")
    assert table.sheet == "消防责任人台账"
    assert table.column("消防职责")[0] == "第一责任人"
    assert table.column("所属单位")[1] == "潘津镇人民政府"


def test_sheet_names_are_normalised(read):
    reg = compliant()
    reg.sheets["　演 练 "] = reg.sheets.pop("演练")
    reg.sheets["3.检查隐患"] = reg.sheets.pop("检查隐患")
    register = read(reg)
    assert register.table("演练") is not None
    assert register.table("检查隐患") is not None


@pytest.mark.parametrize("header, raw, expected", [
    ("预算金额（万元）", 10, 10.0),
    ("预算金额（元）", 50000, 5.0),
    ("预算金额(元)", "1,200", 0.12),
    ("预算金额", "3万元", 3.0),
    ("预算金额（万元）", "２０", 20.0),
])
def test_money_units_are_converted_to_wanyuan(read, header, raw, expected):
    reg = compliant()
    budget = reg.sheets["经费"]
    budget.header[budget.header.index("预算金额（万元）")] = header
    budget.set(0, header, raw)
    register = read(reg)
    assert register.table("经费").column("预算金额")[0] == pytest.approx(expected)
    assert register.errors == []


@pytest.mark.parametrize("key, raw, name, expected", [
    ("建成区面积（平方公里）", 3.2, "建成区面积", 3.2),
    ("建成区面积（平方米）", 3200000, "建成区面积", 3.2),
    ("建成区面积（km²）", "3.2", "建成区面积", 3.2),
    ("建成区常住人口（万人）", 2.5, "建成区常住人口", 2.5),
    ("建成区常住人口（人）", "25,000人", "建成区常住人口", 2.5),
])
def test_profile_units_are_converted(read, key, raw, name, expected):
    reg = compliant()
    profile = {k: v for k, v in reg.profile.items() if not k.startswith(name)}
    profile[key] = raw
    reg.profile = profile
    register = read(reg)
    assert register.value(name) == pytest.approx(expected)


def test_unknown_header_unit_is_a_register_error(read):
    reg = compliant()
    budget = reg.sheets["经费"]
    budget.header[budget.header.index("预算金额（万元）")] = "预算金额（美元）"
    register = read(reg)
    assert [(e.code, e.cell) for e in register.errors] == [("bad-unit", "D2")]


@pytest.mark.parametrize("raw, expected", [
    ("15人", 15), ("2 辆", 2), ("1,200", 1200), ("１５", 15), (15.0, 15), ("  8 ", 8),
])
def test_counts_with_units_separators_and_full_width_digits(read, raw, expected):
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队员人数", raw)
    register = read(reg)
    assert register.table("消防队伍").column("队员人数")[0] == expected
    assert register.errors == []


@pytest.mark.parametrize("raw", ["十五", "15.5", "-3", "全体职工", "15余人"])
def test_bad_counts_are_register_errors_at_the_cell(read, raw):
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队员人数", raw)
    register = read(reg)
    (error,) = register.errors
    assert (error.code, error.sheet, error.cell, error.value) == ("bad-count", "消防队伍", "E3", raw)
    assert register.table("消防队伍").column("队员人数")[0] is None


@pytest.mark.parametrize("raw", [
    D(2024, 3, 15), dt.datetime(2024, 3, 15, 9, 30), "2024-03-15", "2024/3/15", "2024.3.15", "2024年3月15日",
    "20240315", 20240315, "２０２４-０３-１５", "2024-03-15 00:00:00",
])
def test_every_date_form(read, raw):
    reg = compliant()
    reg.sheets["演练"].set(0, "日期", raw)
    register = read(reg)
    assert register.table("演练").column("日期")[0] == D(2024, 3, 15)
    assert register.errors == []


@pytest.mark.parametrize("raw", ["2024-13-01", "3/15", "昨天", "2024年2月30日", 45366])
def test_bad_dates_are_register_errors(read, raw):
    reg = compliant()
    reg.sheets["演练"].set(0, "日期", raw)
    register = read(reg)
    assert [(e.code, e.sheet, e.cell) for e in register.errors] == [("bad-date", "演练", "B3")]


@pytest.mark.parametrize("raw", ["2024Q2", "2024-Q2", "2024年第二季度", "2024年二季度", "2024年2季度", "2024q2"])
def test_every_period_form(read, raw):
    reg = compliant()
    reg.profile["报告期"] = raw
    assert read(reg).value("报告期") == Period(2024, 2)


@pytest.mark.parametrize("raw, expected", [
    ("是", True), ("否", False), ("有", True), ("无", False), ("√", True), ("×", False), ("Y", True), ("N", False),
    ("yes", True), ("No", False), (1, True), (0, False), ("1", True), ("0", False), ("已", True), ("未", False),
    (True, True), (False, False),
])
def test_every_yes_no_form(read, raw, expected):
    reg = compliant()
    reg.profile["建立消防安全组织"] = raw
    register = read(reg)
    assert register.value("建立消防安全组织") is expected


def test_bad_yes_no_is_a_register_error(read):
    reg = compliant()
    reg.profile["建立消防安全组织"] = "差不多"
    register = read(reg)
    (error,) = register.errors
    assert (error.code, error.sheet, error.cell, error.value) == ("bad-yesno", "基本情况", reg.profile_cell("建立消防安全组织"), "差不多")


def test_vocabulary_aliases(read):
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队伍类型", "一级乡镇专职消防队")
    register = read(reg)
    assert register.table("消防队伍").column("队伍类型")[0] == "一级专职消防队"


def test_value_outside_vocabulary_names_the_cell_and_choices(read):
    reg = compliant()
    reg.sheets["演练"].set(0, "演练类型", "拉练")
    register = read(reg)
    (error,) = register.errors
    assert (error.code, error.cell, error.value) == ("unknown-value", "D3", "拉练")
    assert "应急疏散演练" in error.expected


def test_lists_split_on_every_separator(read):
    reg = compliant()
    reg.sheets["队员"].set(3, "岗位", "通信员/安全员")
    reg.profile["承担消防工作职责机构"] = "社会事务办公室；综合行政执法队,消防工作站"
    register = read(reg)
    assert register.table("队员").column("岗位")[3] == ("通信员", "安全员")
    assert register.value("承担消防工作职责机构") == ("社会事务办公室", "综合行政执法队", "消防工作站")


def test_total_rows_blank_rows_and_instructions_are_skipped(read):
    reg = compliant()
    budget = reg.sheets["经费"]
    budget.rows.insert(2, [None] * len(budget.header))
    budget.footer = [["合计", None, None, 50, 30, None, None], ["小计", None, None, 50, 30, None, None],
                     ["填表说明：金额以万元计"], [99, 2024, "火灾风险防范", 1, 1, "是", "说明之后不再读取"]]
    register = read(reg)
    table = register.table("经费")
    assert len(table) == len([r for r in budget.rows if any(v is not None for v in r)])
    assert register.errors == []


def test_rows_with_only_a_serial_number_are_blank(read):
    reg = compliant()
    drills = reg.sheets["演练"]
    for n in range(4, 50):
        drills.rows.append([n] + [None] * (len(drills.header) - 1))
    register = read(reg)
    assert len(register.table("演练")) == 3
    assert register.errors == []


def test_hidden_sheets_are_read(read):
    reg = compliant()
    reg.sheets["演练"].hidden = True
    assert len(read(reg).table("演练")) == 3


def test_extra_sheets_and_columns_are_noted_not_errors(read):
    reg = compliant()
    reg.extra_sheets["统计"] = Sheet(["项目"], rows=[["x"]], title=None)
    reg.sheets["演练"].header.append("照片编号")
    for row in reg.sheets["演练"].rows:
        row.append("P1")
    register = read(reg)
    codes = {(n.code, n.sheet) for n in register.notes}
    assert ("ignored-sheet", "统计") in codes
    assert ("ignored-columns", "演练") in codes
    assert register.errors == []


def test_missing_required_profile_values_are_register_errors(read):
    reg = compliant(township="潘津")        # a name that does not say 乡/镇/街道
    reg.profile["县市"] = None
    reg.profile.pop("类型")
    register = read(reg)
    assert {(e.code, e.expected) for e in register.errors} == {("missing-value", "县市"), ("missing-key", "类型")}


def test_kind_missing_is_read_from_the_township_name(read):
    reg = compliant()
    reg.profile.pop("类型")
    register = read(reg)
    assert register.errors == []
    assert register.kind == "镇" and register.profile["类型"].source == "name"
    assert ("kind-from-name", "基本情况", "镇（潘津镇）") in [(n.code, n.sheet, n.detail) for n in register.notes]


def test_required_cell_left_blank_is_a_register_error(read):
    reg = compliant()
    reg.sheets["责任人"].set(2, "姓名", None)
    register = read(reg)
    assert [(e.code, e.cell) for e in register.errors] == [("missing-value", "B5")]


def test_missing_sheet_and_column_are_noted(read):
    reg = compliant()
    reg.drop("会议研判")
    people = reg.sheets["责任人"]
    idx = people.header.index("最近培训日期")
    people.header.pop(idx)
    for row in people.rows:
        row.pop(idx)
    register = read(reg)
    assert register.table("会议研判") is None
    assert ("missing-sheet", "会议研判") in {(n.code, n.sheet) for n in register.notes}
    assert not register.table("责任人").has("最近培训日期")


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_legacy_xls_and_ods_read_like_xlsx(read, suffix):
    reg = compliant()
    xlsx = read(reg, "r.xlsx")
    other = read(reg, "r" + suffix)
    assert other.errors == []
    for name in ("责任人", "演练", "经费"):
        assert other.table(name).values == xlsx.table(name).values, name
    assert other.table("演练").cell(0, "日期").ref() == "演练!B3"
    assert other.value("报告期") == Period(2024, 2)


def test_merged_cells_over_data_take_the_merged_value(tmp_path, checklist):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "演练"
    for c, h in enumerate(["日期", "组织单位", "演练类型"], start=1):
        ws.cell(1, c, h)
    ws.cell(2, 1, "2024-05-01")
    ws.cell(3, 1, "2024-05-02")
    ws.cell(2, 2, "潘津镇")
    ws.merge_cells("B2:B3")
    ws.cell(2, 3, "灭火演练")
    ws.cell(3, 3, "灭火演练")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    table = RegisterReader(checklist).read(path).table("演练")
    assert table.column("组织单位") == ["潘津镇", "潘津镇"]


@pytest.mark.parametrize("content, name", [(b"hello, not a workbook", "x.xlsx"), (b"", "empty.xlsx"),
                                           (b"PK\x03\x04broken", "trunc.xlsx"), (b"a,b\n1,2\n", "data.csv")])
def test_unreadable_files_are_input_errors(tmp_path, checklist, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        RegisterReader(checklist).read(path)
    assert str(path) in info.value.text("en")


def test_input_file_is_not_modified(read, tmp_path):
    import hashlib
    import os

    reg = compliant()
    path = reg.save(tmp_path / "keep.xlsx")
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns)
    from fireaudit.audit import load_checklist

    RegisterReader(load_checklist()).read(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns) == before


def test_a_merge_spanning_columns_and_rows_fills_every_covered_cell(tmp_path, checklist):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "演练"
    ws["A1"] = "演练台账"
    ws.merge_cells("A1:C1")                       # a title over the header's width
    for c, h in enumerate(["日期", "组织单位", "演练类型", "地点"], start=1):
        ws.cell(2, c, h)
    for r in range(3, 7):
        ws.cell(r, 1, f"2024-05-0{r}")
    ws["B3"] = "潘津镇"
    ws.merge_cells("B3:B6")                       # one organiser for four drills
    ws["C3"] = "灭火演练"
    ws.merge_cells("C3:D6")                       # one type and place over two columns, four rows
    path = tmp_path / "merged-block.xlsx"
    wb.save(path)
    table = RegisterReader(checklist).read(path).table("演练")
    assert table.column("组织单位") == ["潘津镇"] * 4
    assert table.column("演练类型") == ["灭火演练"] * 4
    assert table.column("地点") == ["灭火演练"] * 4


def test_required_column_with_blank_and_unreadable_cells_says_each_once(read):
    """A blank required cell is missing-value; one not understood is its own error only (both are None)."""
    reg = compliant()
    reg.sheets["检查隐患"].set(0, "检查日期", None)
    reg.sheets["检查隐患"].set(1, "检查日期", "某月某日")
    reg.sheets["检查隐患"].set(2, "检查日期", None)
    register = read(reg)
    assert [(e.code, e.cell) for e in register.errors] == [("missing-value", "B3"), ("bad-date", "B4"),
                                                           ("missing-value", "B5")]
