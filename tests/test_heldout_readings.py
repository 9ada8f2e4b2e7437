"""Readings found missing by the held-out measurement (benchmarks/heldout_agreement.py, issues 14 and 15).

Each test builds its case with tests/builders.py, never from the benchmark's own workbooks, so the
held-out set stays held out. Every reading either understands a value whose meaning is plain or
leaves it a register error with `unknown`; none guesses toward pass."""

from __future__ import annotations

import pytest

from fireaudit.register import RegisterReader
from fireaudit.register.values import ValueParsers
from tests.builders import FreeSheet, Sheet, compliant, one_sheet, save_free


@pytest.fixture(scope="module")
def parsers(checklist):
    return ValueParsers(checklist.register)


def _check(audit, check_id: str):
    return next(c for r in audit.requirements for c in r.checks if c.id == check_id)


def _requirement(audit, rid: str) -> str:
    return next(r.status for r in audit.requirements if r.id == rid)


def _error_cells(register_or_audit) -> set[tuple[str, str]]:
    return {(e.sheet, e.cell) for e in register_or_audit.register_errors} if hasattr(
        register_or_audit, "register_errors") else {(e.sheet, e.cell) for e in register_or_audit.errors}


# ---------------------------------------------------------------- state words echoing the column's verb
@pytest.mark.parametrize("value, status", [("已应用", "pass"), ("已经应用", "pass"), ("尚未应用", "fail"), ("未应用", "fail")])
def test_a_state_word_in_the_columns_own_verb_is_understood(audit_of, value, status):
    reg = compliant()
    reg.profile["应用网格化管理平台"] = value
    assert _check(audit_of(reg), "R12.2").status == status


def test_a_state_word_the_column_does_not_name_stays_a_register_error(audit_of):
    """`已完成` under 应用网格化管理平台: 完成 is not the column's verb, so it is not read as yes."""
    reg = compliant()
    reg.profile["应用网格化管理平台"] = "已完成"
    audit = audit_of(reg)
    assert _check(audit, "R12.2").status == "unknown"
    assert ("基本情况", reg.profile_cell("应用网格化管理平台")) in _error_cells(audit)


def test_not_yet_in_the_budget_is_a_no(audit_of):
    reg = compliant()
    budget = reg.sheets["经费"]
    for n in range(len(budget.rows)):
        budget.set(n, "纳入财政预算", "尚未纳入")
    assert _check(audit_of(reg), "R18.1").status == "fail"


@pytest.mark.parametrize("raw, names, expected", [
    ("已应用", ("应用网格化管理平台",), True), ("尚未纳入", ("纳入财政预算",), False),
    ("已纳", ("纳入财政预算",), None),            # one character after the prefix is no verb
    ("已办理", ("纳入财政预算",), None),           # a verb the column does not hold
])
def test_echoed_verb_parser(parsers, raw, names, expected):
    value, problem = parsers.yesno(raw, names=names)
    assert value is expected and (problem is None) == (expected is not None)


# ---------------------------------------------------------------- names and values seen in real forms
def test_a_leadership_group_sheet_is_the_responsible_persons(audit_of):
    reg = compliant()
    reg.extra_sheets["领导小组"] = reg.sheets.pop("责任人")
    audit = audit_of(reg)
    assert _requirement(audit, "R01") == "pass" and _requirement(audit, "R16") == "pass"


def test_member_categories_as_systems_write_them(audit_of):
    reg = compliant()          # 潘津镇: a 一级 brigade with full-time and part-time members
    members = reg.sheets["队员"]
    for n, row in enumerate(members.rows):
        kind = row[members.header.index("人员类别")]
        members.set(n, "人员类别", {"专职": "政府专职消防员", "兼职": "兼职消防员"}[kind])
    assert _requirement(audit_of(reg), "R19") == "pass"


def test_a_cancelled_hazard_is_rectified(audit_of):
    reg = compliant()
    hazards = reg.sheets["检查隐患"]
    hazards.set(1, "整改状态", "已销号")
    audit = audit_of(reg)
    assert _requirement(audit, "R13") == "pass" and not _error_cells(audit)


def test_a_path_naming_a_community_micro_station(audit_of):
    reg = compliant("伊宁市", "解放路街道", "街道")
    reg.sheets["消防队伍"].set(0, "队伍类型", "微型站/社区微型消防站")
    audit = audit_of(reg)
    assert _check(audit, "R05.7").status == "pass"


def test_wuding_time_and_on_duty_time_columns(audit_of):
    reg = compliant()
    hazards = reg.sheets["检查隐患"]
    hazards.header[hazards.header.index("整改期限")] = "五定时间"
    brigades = reg.sheets["消防队伍"]
    brigades.header[brigades.header.index("投入执勤日期")] = "投入执勤时间"
    audit = audit_of(reg)
    assert _check(audit, "R13.3").status == "pass" and _check(audit, "R07.12").status == "pass"


# ---------------------------------------------------------------- a referral written in 备注
def _remarks_instead_of_referral_columns(reg, remark_of_refusal: str | None):
    """The hazard sheet of a 五定 ledger: no 移送部门/移送日期 columns, a 备注 column instead."""
    hazards = reg.sheets["检查隐患"]
    keep = [h for h in hazards.header if h not in ("移送部门", "移送日期")]
    rows = [[row[hazards.header.index(h)] for h in keep] for row in hazards.rows]
    refusal = next(n for n, row in enumerate(hazards.rows) if row[hazards.header.index("整改状态")] == "拒不整改")
    new = Sheet(keep + ["备注"], [row + [None] for row in rows], title=hazards.title)
    new.set(refusal, "备注", remark_of_refusal)
    reg.sheets["检查隐患"] = new
    return reg, new, refusal


def test_a_referral_with_a_whole_date_in_the_remark_counts(audit_of):
    reg, sheet, row = _remarks_instead_of_referral_columns(compliant(), "已于2024年5月20日抄告伊宁市消防救援大队")
    audit = audit_of(reg)
    assert _check(audit, "R13.1").status == "pass" and _check(audit, "R13.2").status == "pass"
    assert any(n.code == "referral-from-remark" and sheet.cell("备注", row) in n.detail for n in audit.notes)


def test_a_referral_without_a_whole_date_is_a_register_error(audit_of):
    reg, sheet, row = _remarks_instead_of_referral_columns(compliant(), "已抄告伊宁市消防救援大队")
    audit = audit_of(reg)
    assert _check(audit, "R13.1").status == "unknown"
    assert any(e.code == "referral-undated" and e.cell == sheet.cell("备注", row) for e in audit.register_errors)


def test_a_planned_referral_is_no_referral(audit_of):
    """拟移交城管: the hazard is refused and not yet referred — the sheet records referrals in 备注."""
    reg, sheet, row = _remarks_instead_of_referral_columns(compliant(), "拟移交城管")
    reg.sheets["检查隐患"].set(0, "备注", "已于2024年5月20日移交县住建局")   # another row shows where referrals go
    assert _check(audit_of(reg), "R13.1").status == "fail"


def test_no_referral_anywhere_in_the_remarks_stays_unknown(audit_of):
    """A ledger with a 备注 column but no referral written anywhere: the form may keep referrals apart."""
    reg, _, _ = _remarks_instead_of_referral_columns(compliant(), None)
    assert _check(audit_of(reg), "R13.1").status == "unknown"


# ---------------------------------------------------------------- one sheet for everything, without a mapping
def test_a_one_sheet_register_with_numbered_headings_is_read_without_mapping(tmp_path, read, checklist):
    from fireaudit.audit import audit_register

    template = audit_register(read(compliant(), "template.xlsx"), checklist)
    reg = compliant()
    del reg.profile["报告期"]                     # only the title says the quarter
    sheet = one_sheet(reg, "伊宁市潘津镇2024年二季度消防工作台账")
    names = {"八、隐患排查整改": "八、隐患排查整改台账", "九、村（社区）消防工作": "九、村（社区）消防工作情况"}
    sheet.rows = [[names.get(v, v) for v in row] for row in sheet.rows]     # every heading names a register sheet
    book = save_free(tmp_path / "one.xlsx", {"Sheet1": sheet})
    register = RegisterReader(checklist).read(book)
    assert any(n.code == "blocks-read" for n in register.notes)
    assert any(n.code == "period-from-title" for n in register.notes)   # the period from the title above the blocks
    got = audit_register(register, checklist)
    assert {r.id: r.status for r in got.requirements} == {r.id: r.status for r in template.requirements}


def test_one_numbered_heading_alone_does_not_make_a_one_sheet_register(tmp_path, checklist):
    """A sheet titled `三、消防队伍` over one table is that table's title, not a register of blocks."""
    reg = compliant()
    brigades = reg.sheets["消防队伍"]
    extra = FreeSheet([["三、消防队伍"], list(brigades.header), *[list(r) for r in brigades.rows]])
    sheets = {"基本情况": FreeSheet([["项目", "填报内容"], *[[k, v] for k, v in reg.profile.items()]]), "附件1": extra}
    register = RegisterReader(checklist).read(save_free(tmp_path / "two.xlsx", sheets))
    assert not any(n.code == "blocks-read" for n in register.notes)
    assert "消防队伍" not in register.tables


# ---------------------------------------------------------------- engines on duty stand for the engines
def _without_engine_count(reg, on_duty: int):
    brigades = reg.sheets["消防队伍"]
    at = brigades.header.index("消防车数量")
    brigades.header.pop(at)
    for row in brigades.rows:
        row.pop(at)
    brigades.set(0, "执勤消防车数量", on_duty)
    return reg


def test_engines_on_duty_meeting_the_minimum_pass_the_engine_count(audit_of):
    assert _check(audit_of(_without_engine_count(compliant(), 3)), "R07.4").status == "pass"   # 一级: 2


def test_fewer_engines_on_duty_say_nothing_of_the_total(audit_of):
    assert _check(audit_of(_without_engine_count(compliant(), 1)), "R07.4").status == "unknown"


# ---------------------------------------------------------------- a sheet named after the township; roles outside the plan
def test_a_sheet_named_after_the_township_is_read_with_a_note(audit_of):
    reg = compliant()
    reg.extra_sheets["潘津镇消防安全责任人"] = reg.sheets.pop("责任人")
    audit = audit_of(reg)
    assert _requirement(audit, "R01") == "pass"
    assert any(n.code == "qualified-sheet" and n.sheet == "潘津镇消防安全责任人" for n in audit.notes)


def test_a_short_name_after_a_prefix_is_not_taken_for_a_sheet(read):
    """`一村会议`: 会议 is too short to tell a register sheet from any sheet about a meeting."""
    reg = compliant()
    reg.extra_sheets["潘津镇会议"] = reg.sheets.pop("会议研判")
    register = read(reg)
    assert "会议研判" not in register.tables and not any(n.code == "qualified-sheet" for n in register.notes)


def test_the_station_hosted_by_the_governance_centre_is_the_station(audit_of):
    reg = compliant()
    reg.profile["承担消防工作职责机构"] = "社会事务办公室、消防工作站（依托综治中心）"
    audit = audit_of(reg)
    assert _requirement(audit, "R02") == "pass" and _requirement(audit, "R16") == "pass"


def test_a_liaison_officer_row_neither_counts_nor_blocks(audit_of):
    """协管员 is understood (a role outside the plan's list): it keeps no check from its verdict."""
    reg = compliant()
    reg.sheets["责任人"].add(序号=11, 姓名="买合木提", 职务="消防协管员", 消防职责="协管员", 所属单位="二村",
                              最近培训日期=reg.sheets["责任人"].rows[0][reg.sheets["责任人"].header.index("最近培训日期")])
    audit = audit_of(reg)
    assert not audit.register_errors
    for rid in ("R06", "R12", "R17"):
        assert _requirement(audit, rid) == "pass", rid


def test_map_proposes_no_profile_key_from_another_block(tmp_path):
    """On a one-sheet register read block by block, the other blocks' header rows are no profile keys."""
    from typer.testing import CliRunner

    from fireaudit.cli import app

    book = save_free(tmp_path / "one.xlsx", {"Sheet1": one_sheet(compliant())})
    config = tmp_path / "fireaudit.toml"
    result = CliRunner().invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    written = config.read_text(encoding="utf-8") if config.exists() else ""
    assert "姓名" not in written and "姓名" not in result.output


# ---------------------------------------------------------------- full-time, grade not stated
def test_a_government_full_time_brigade_without_its_grade(audit_of):
    """`专职队/乡镇政府专职消防队`: a full-time brigade (R04.8, R08 rest on it), grade unknown (R07 cannot)."""
    reg = compliant()                       # 潘津镇: the plan asks for a 一级 brigade
    brigades = reg.sheets["消防队伍"]
    brigades.set(0, "队伍类型", "专职队/乡镇政府专职消防队")
    audit = audit_of(reg)
    assert _check(audit, "R04.8").status == "pass"
    assert _check(audit, "R08.1").status == "pass" and _check(audit, "R08.2").status == "pass"
    assert _check(audit, "R07.1").status == "unknown" and _check(audit, "R07.2").status == "unknown"
    cell = brigades.cell("队伍类型", 0)
    assert any(e.code == "class-only" and e.cell == cell for e in audit.register_errors)


def test_a_class_only_cell_rests_no_check_that_asks_for_one_member(read):
    from fireaudit.register.model import READS, Reads, class_members, resolve

    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队伍类型", "乡镇政府专职消防队")
    table = read(reg).table("消防队伍")
    assert class_members(table, 0, "队伍类型") == ("一级专职消防队", "二级专职消防队")
    reads = Reads()
    token = READS.set(reads)
    try:
        assert not resolve(table, 0, "队伍类型", ["一级专职消防队"])          # 二级 is as likely
        assert resolve(table, 0, "队伍类型", ["一级专职消防队", "二级专职消防队", "志愿消防队"])
    finally:
        READS.reset(token)
    assert reads.resolved == {(table.sheet, table.cell(0, "队伍类型").cell)}
