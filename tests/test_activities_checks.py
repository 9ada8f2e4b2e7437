"""R09–R15 and R18: the compliant township passes; one broken thing fails on the right cell(s).

Table-driven (tests/check_table.py): a case names the check, how to change
the compliant township, the expected status, the evidence cells and words the
message must contain (the rows the finding rests on), and the quarter if not Q2."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import Register, compliant
from tests.changes import (Change, add_row, both, cell, drop_rows, header, profile, set_cell, set_column,
                           set_profile)
from tests.check_table import Case, Town, case_ids, run_case

D = dt.date
BUDGET, ARRIVED = "预算金额（万元）", "到位金额（万元）"
HAZARD = dict(检查日期=D(2024, 5, 10), 场所名称="红星饭店", 场所类型="餐饮", 所属村社区="一村", 隐患描述="后厨使用醇基燃料",
              整改状态="拒不整改", 移送部门="伊宁市应急管理局", 移送日期=D(2024, 5, 20), 检查人="李梅")
Q1, Q3, Q4 = (Town(period=f"2024Q{q}") for q in (1, 3, 4))   # the default Town is in 2024Q2
REFERRED = 2          # the compliant township's 拒不整改 row (电动车 charged in a corridor, referred to 消防救援)


def hazard(**changes) -> Change:
    return add_row("检查隐患", **{**HAZARD, **changes})


CASES = [
    # R09
    Case("R09.1", None, "pass", [cell("会议研判", 1, "日期")], []),
    Case("R09.1", drop_rows("会议研判", "类型", "风险研判"), "fail", [header("会议研判", "日期")], ["风险研判"]),
    Case("R09.2", set_cell("会议研判", 2, "日期", D(2024, 2, 1)), "pass", [cell("会议研判", 2, "日期")], []),
    Case("R09.2", set_cell("会议研判", 2, "日期", D(2023, 12, 1)), "fail", [header("会议研判", "日期")],
         ["2024-01-01", "综合评估"]),
    # R10
    Case("R10.1", None, "pass", [cell("专项治理", 0, "开始日期")], []),
    Case("R10.1", both(set_cell("专项治理", 0, "开始日期", D(2023, 10, 1)), set_cell("专项治理", 0, "结束日期", None)),
         "pass", [cell("专项治理", 0, "开始日期")], []),
    Case("R10.1", set_cell("专项治理", 0, "结束日期", D(2024, 3, 31)), "fail", [header("专项治理", "开始日期")], []),
    Case("R10.1", set_cell("专项治理", 0, "开始日期", D(2024, 7, 5)), "fail", [header("专项治理", "开始日期")], []),
    Case("R10.2", None, "pass", [], ["80%"]),
    Case("R10.2", set_cell("专项治理", 0, "整改隐患数", 5), "fail", [cell("专项治理", 0, "整改隐患数")],
         ["电动自行车消防安全专项治理", "5/10", "50%"]),
    Case("R10.2", set_cell("专项治理", 0, "发现隐患数", 0), "na", [], []),
    # R11
    Case("R11.1", None, "pass", [cell("宣传培训", 0, "日期")], []),
    Case("R11.1", set_column("宣传培训", "活动类型", "业务培训"), "fail", [header("宣传培训", "日期")], ["消防宣传"]),
    Case("R11.2", None, "pass", [cell("宣传培训", 2, "日期")], [], town=Q4),
    Case("R11.2", drop_rows("宣传培训", "活动类型", "119消防宣传月"), "fail", [header("宣传培训", "日期")],
         ["2024-11-01", "2024-11-30", "119消防宣传月"], town=Q4),
    Case("R11.2", set_cell("宣传培训", 2, "日期", D(2024, 10, 28)), "fail", [header("宣传培训", "日期")], [], town=Q4),
    Case("R11.2", None, "na", [], []),
    Case("R11.3", None, "pass", [cell("宣传培训", 2, "日期")], [], town=Q3),
    Case("R11.3", drop_rows("宣传培训", "活动类型", "学校消防教育"), "fail", [header("宣传培训", "日期")],
         ["学校消防教育"], town=Q1),
    Case("R11.3", None, "na", [], [], town=Q4),
    # R12
    Case("R12.1", None, "pass", [], []),
    Case("R12.1", set_cell("村社区", 1, "网格员人数", 0), "fail", [cell("村社区", 1, "网格员人数")], ["二村"]),
    Case("R12.1", both(set_cell("村社区", 1, "网格员人数", 0),
                       add_row("责任人", 姓名="吐尔逊", 职务="网格员", 消防职责="网格员", 所属单位="二村")), "pass", [], []),
    Case("R12.2", set_profile("应用网格化管理平台", "否"), "fail", [profile("应用网格化管理平台")], []),
    Case("R12.3", None, "pass", [cell("检查隐患", 1, "检查日期")], []),
    Case("R12.3", set_cell("检查隐患", 1, "检查人", "王五"), "fail", [header("检查隐患", "检查人")], ["网格员"]),
    Case("R12.3", set_cell("检查隐患", 1, "检查人", "李梅、艾山"), "pass", [cell("检查隐患", 1, "检查日期")], []),
    # R13.1: refused hazards referred
    Case("R13.1", None, "pass", [], []),
    Case("R13.1", set_cell("检查隐患", REFERRED, "移送部门", None), "fail", [cell("检查隐患", REFERRED, "移送部门")],
         ["幸福小区3号楼", "移送部门"]),
    Case("R13.1", set_cell("检查隐患", REFERRED, "移送日期", None), "fail", [cell("检查隐患", REFERRED, "移送日期")],
         ["幸福小区3号楼", "移送日期"]),
    Case("R13.1", hazard(检查日期=D(2024, 7, 3), 移送部门=None, 移送日期=None), "pass", [], []),
    # R13.2: the right department, category given or inferred
    Case("R13.2", None, "pass", [], ["电动车", "电动自行车违规停放充电"]),
    Case("R13.2", set_cell("检查隐患", REFERRED, "移送部门", "伊宁市市场监督管理局"), "fail",
         [cell("检查隐患", REFERRED, "移送部门"), cell("检查隐患", REFERRED, "隐患描述")],
         ["幸福小区3号楼", "伊宁市市场监督管理局", "消防救援机构", "电动车"]),
    Case("R13.2", hazard(隐患描述="小区消防车道被私家车占用", 移送部门="伊宁市住建局"), "fail",
         [cell("检查隐患", 3, "移送部门"), cell("检查隐患", 3, "隐患描述")], ["公安机关、消防救援机构"]),
    Case("R13.2", hazard(隐患描述="消防车道被占用", 移送部门="城关派出所、伊宁市消防救援大队"), "pass", [], []),
    Case("R13.2", hazard(隐患描述="门市部", 隐患类别="占用堵塞消防车通道", 移送部门="伊宁市城市管理局"), "fail",
         [cell("检查隐患", 3, "移送部门"), cell("检查隐患", 3, "隐患类别")], ["公安机关、消防救援机构"]),
    Case("R13.2", hazard(隐患描述="店内销售三无灭火器", 移送部门="伊宁市消防救援大队"), "fail",
         [cell("检查隐患", 3, "移送部门")], ["市场监督管理部门"]),
    Case("R13.2", hazard(隐患描述="店内销售三无灭火器", 移送部门="伊宁市市场监管局"), "pass", [], []),
    Case("R13.2", hazard(隐患描述="店内使用三无灭火器", 移送部门="伊宁市市场监管局"), "fail",
         [cell("检查隐患", 3, "移送部门")], ["消防救援机构"]),
    Case("R13.2", hazard(隐患描述="值班人员脱岗", 隐患类别="其他", 移送部门="伊宁市卫生健康委"), "pass", [], ["其他类1处"]),
    Case("R13.2", hazard(隐患描述="值班人员脱岗", 移送部门="伊宁市卫生健康委"), "pass", [], ["无法从隐患描述判断", "红星饭店"]),
    # R13.3: overdue
    Case("R13.3", None, "pass", [], []),
    Case("R13.3", hazard(整改状态="整改中", 整改期限=D(2024, 6, 1), 移送部门=None, 移送日期=None), "fail",
         [cell("检查隐患", 3, "整改期限")], ["红星饭店", "2024-06-01"]),
    Case("R13.3", hazard(整改状态="逾期未改", 整改期限=D(2024, 5, 20), 移送部门=None, 移送日期=None), "fail",
         [cell("检查隐患", 3, "整改期限")], ["逾期未改", "2024-05-20"]),
    Case("R13.3", hazard(整改状态="整改中", 整改期限=D(2024, 7, 15), 移送部门=None, 移送日期=None), "pass", [], []),
    Case("R13.3", hazard(整改状态="拒不整改", 整改期限=D(2024, 5, 15)), "pass", [], []),
    Case("R13.3", hazard(检查日期=D(2024, 7, 2), 整改状态="逾期未改", 整改期限=D(2024, 5, 1)), "pass", [], []),
    # R14
    Case("R14.1", set_cell("村社区", 2, "消防车通道畅通", "否"), "fail", [cell("村社区", 2, "消防车通道畅通")],
         ["幸福社区"]),
    Case("R14.2", None, "pass", [], []),
    Case("R14.2", set_cell("村社区", 2, "电动自行车集中充电场所", "无"), "fail",
         [cell("村社区", 2, "电动自行车集中充电场所")], ["幸福社区"]),
    Case("R14.2", set_cell("村社区", 0, "电动自行车集中充电场所", "无"), "pass", [], []),
    Case("R14.3", both(set_cell("村社区", 0, "消防水源", "无"), set_cell("村社区", 0, "市政消火栓数量", 0)), "fail",
         [cell("村社区", 0, "消防水源")], ["一村"]),
    Case("R14.3", set_cell("村社区", 0, "消防水源", "无"), "pass", [], []),
    # R15
    Case("R15.1", None, "pass", [profile("执法权责清单公布日期")], []),
    Case("R15.1", set_profile("执法权责清单公布日期", D(2024, 8, 1)), "fail", [profile("执法权责清单公布日期")],
         ["2024-08-01", "2024-06-30"]),
    Case("R15.1", set_profile("执法权责清单公布日期", None), "unknown", [], []),
    Case("R15.2", None, "pass", [cell("责任人", 5, "执法证号"), cell("责任人", 6, "执法证号")], []),
    Case("R15.2", set_cell("责任人", 6, "执法证号", None), "fail", [cell("责任人", 6, "执法证号")], ["周涛", "2"]),
    # R18
    Case("R18.1", None, "pass", [cell("经费", 0, "纳入财政预算")], []),
    Case("R18.1", set_cell("经费", 0, "纳入财政预算", "否"), "fail", [cell("经费", 0, "纳入财政预算")],
         ["隐患排查治理"]),
    Case("R18.1", set_column("经费", "年度", 2023), "fail", [header("经费", "年度")], ["2024"]),
    Case("R18.2", None, "pass", [], []),
    Case("R18.2", drop_rows("经费", "科目", "消防宣传教育培训"), "fail", [header("经费", "科目")], ["消防宣传教育培训"]),
    Case("R18.2", drop_rows("经费", "科目", "政府专职消防队"), "fail",         # the 一级 brigade is unfunded
         [header("经费", "科目"), cell("消防队伍", 0, "队伍类型")], ["政府专职消防队"]),
    Case("R18.2", set_cell("经费", 0, BUDGET, 0), "fail", [header("经费", "科目")], ["隐患排查治理"]),
    Case("R18.3", None, "pass", [cell("经费", 0, ARRIVED)], ["50%"]),
    Case("R18.3", set_column("经费", ARRIVED, 4), "fail", [cell("经费", 0, ARRIVED), cell("经费", 4, ARRIVED)],
         ["24万元", "170万元", "14.1%", "85万元"]),      # six rows (the 一级 brigade's is 120万元)
    Case("R18.3", set_column("经费", ARRIVED, 6), "fail", [cell("经费", 0, ARRIVED)], ["21.2%", "100%"], town=Q4),
    Case("R18.3", set_column("经费", ARRIVED, None), "fail", [cell("经费", 0, ARRIVED)], ["0万元"]),
]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_check_status_evidence_and_message(audit_of, case):
    run_case(audit_of, case)


def test_every_new_check_has_a_passing_and_a_failing_case():
    ids = {c.check for c in CASES}
    for check_id in ids:
        statuses = {c.status for c in CASES if c.check == check_id}
        assert "fail" in statuses, check_id
    required = {f"R{r:02d}.{n}" for r, n in [(9, 1), (9, 2), (10, 1), (10, 2), (11, 1), (11, 2), (11, 3), (12, 1), (12, 2),
                                         (12, 3), (13, 1), (13, 2), (13, 3), (14, 1), (14, 2), (14, 3), (15, 1), (15, 2),
                                         (18, 1), (18, 2), (18, 3)]}
    assert required <= ids


@pytest.mark.parametrize("period", ["2024Q1", "2024Q2", "2024Q3", "2024Q4"])
def test_compliant_township_passes_the_activity_requirements(audit_of, period):
    audit = audit_of(compliant(period=period))
    for requirement in ("R09", "R10", "R11", "R12", "R13", "R14", "R15", "R18"):
        result = audit.requirement(requirement)
        assert result.status == "pass", [(c.id, c.status, c.params) for c in result.checks]


def test_119_month_in_q4_with_and_without_a_november_activity(audit_of):
    with_119 = audit_of(compliant(period="2024Q4")).check("R11.2")
    reg = compliant(period="2024Q4")
    drop_rows("宣传培训", "活动类型", "119消防宣传月")(reg)
    without = audit_of(reg)
    assert with_119.status == "pass"
    assert without.check("R11.2").status == "fail"
    assert without.requirement("R11").status == "partial"


def _in_yuan(reg: Register) -> None:
    """The same budget in 元: headers say 元, values are 10,000 times larger (one as text with a unit)."""
    sheet = reg.sheets["经费"]
    for column in (BUDGET, ARRIVED):
        index = sheet.header.index(column)
        for row in sheet.rows:
            row[index] = row[index] * 10000
        sheet.header[index] = column.replace("万元", "元")
    sheet.rows[0][sheet.header.index("预算金额（元）")] = "100,000元"


@pytest.mark.parametrize("arrived", [2, 5, 6])
def test_budget_in_yuan_and_in_wanyuan_give_the_same_result(audit_of, arrived):
    in_wan = compliant()
    set_column("经费", ARRIVED, arrived)(in_wan)
    in_yuan = in_wan.copy()
    _in_yuan(in_yuan)
    a, b = audit_of(in_wan, name="wan.xlsx"), audit_of(in_yuan, name="yuan.xlsx")
    for check_id in ("R18.1", "R18.2", "R18.3", "R04.7"):
        assert (a.check(check_id).status, a.check(check_id).params) == (b.check(check_id).status, b.check(check_id).params)
    assert a.check("R18.3").params["arrived"] == len(in_wan.sheets["经费"].rows) * arrived
    assert b.register_errors == ()


def test_r13_2_names_the_first_wrong_referrals_and_counts_every_one(audit_of):
    """Past `max_listed` the wrongly referred hazards are counted and their cells kept as evidence, not named."""
    reg = compliant()
    for n in range(23):
        hazard(场所名称=f"门市{n}", 隐患描述="店内销售三无灭火器", 移送部门="伊宁市消防救援大队")(reg)
    hazard(场所名称="", 隐患描述="消防车道被占用", 移送部门="城关派出所、伊宁市消防救援大队")(reg)
    result = audit_of(reg).check("R13.2")
    assert result.status == "fail"
    assert result.params["count"] == 23
    named = [item.params["label"] for item in result.params["wrong"].items]
    assert named == [f"门市{n}" for n in range(20)]
    assert len(result.evidence) == 2 * 23
    assert result.params["inferred_count"] == 24 + 1    # with the compliant township's own referred hazard


def test_r13_dated_by_end_is_kept_per_end_within_one_audit():
    """The R13 checks share their hazards dated by the period's end; another end is worked out anew."""
    from fireaudit.checks.hazards import _dated_by_end
    from fireaudit.register.model import Table, one_audit

    table = Table("检查隐患", "检查隐患", 1, {"检查日期": 1}, row_index=[2, 3, 4],
                  values={"检查日期": [dt.date(2024, 3, 1), None, dt.date(2024, 6, 1)]})
    with one_audit():
        first = _dated_by_end(table, dt.date(2024, 3, 31))
        assert first == [True, False, False]
        assert _dated_by_end(table, dt.date(2024, 3, 31)) is first
        assert _dated_by_end(table, dt.date(2024, 6, 30)) == [True, False, True]
