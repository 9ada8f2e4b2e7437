"""R07, R08, R16, R17, R19: a compliant register passes; one broken thing fails on the right cell
with the right words (brigade, value found, minimum, its source and confidence; the people named).

Table-driven like tests/test_organisation_checks.py. Each case: which township
to build, how to break it, the check, the expected status, evidence refs and
message fragments (Chinese catalogue)."""

from __future__ import annotations

from typing import Callable

import pytest

from fireaudit.i18n import message_text
from tests.builders import Register, compliant
from tests.test_organisation_checks import _cell, _drop_rows, _drop_sheet, _header, _profile, _set_cell, _set_profile

FIRST = lambda: compliant()                                            # 伊宁市潘津镇: plan names it 一级
SECOND = lambda: compliant("伊宁市", "托格拉克乡", "乡")                 # plan names it 二级
VOLUNTEER = lambda: compliant("伊宁县", "喀拉亚尕奇乡", "乡")            # not named: 志愿
STREET = lambda: compliant("伊宁市", "解放路街道", "街道")


def _all(*changes: Callable[[Register], None]) -> Callable[[Register], None]:
    def change(reg: Register) -> None:
        for c in changes:
            c(reg)
    return change


def _post(row: int, post: str) -> Callable[[Register], None]:
    return _set_cell("队员", row, "岗位", post)


def _nothing(reg: Register) -> None:
    return None


def message(result) -> str:
    return message_text(result.message, result.params, "zh")


# (build, check id, how to break it, status, evidence refs, message fragments)
CASES = [
    # R07.1 the plan's grade, by an accepted, on-duty brigade of the township
    (FIRST, "R07.1", _set_cell("消防队伍", 0, "队伍类型", "志愿消防队"), "fail",
     [_cell("消防队伍", 0, "队伍类型")], ["一级专职消防队", "实施方案第（七）项", "潘津镇政府专职消防队（志愿消防队）"]),
    (FIRST, "R07.1", _set_cell("消防队伍", 0, "队伍类型", "企业专职消防队"), "fail",
     [_cell("消防队伍", 0, "队伍类型")], ["企业专职消防队"]),
    (FIRST, "R07.1", _set_cell("消防队伍", 0, "队伍类型", "二级专职消防队"), "fail",
     [_cell("消防队伍", 0, "队伍类型")], ["应建一级专职消防队"]),
    (FIRST, "R07.1", _set_cell("消防队伍", 0, "所属单位", "伊宁市消防救援大队"), "fail",
     [_header("消防队伍", "队伍类型")], ["无"]),
    (FIRST, "R07.1", _set_cell("消防队伍", 0, "验收日期", None), "fail",
     [_cell("消防队伍", 0, "验收日期")], ["未经消防救援机构验收"]),
    (FIRST, "R07.1", _set_cell("消防队伍", 0, "投入执勤日期", "2024-07-01"), "fail",
     [_cell("消防队伍", 0, "投入执勤日期")], ["未投入执勤", "2024-06-30"]),
    (VOLUNTEER, "R07.1", _set_cell("消防队伍", 0, "队伍类型", "微型消防站"), "fail",
     [_cell("消防队伍", 0, "队伍类型")], ["应建志愿消防队", "默认规则"]),
    (VOLUNTEER, "R07.1", _drop_sheet("消防队伍"), "unknown", [], ["消防队伍"]),
    # R07.2–R07.12 minimums of the declared grade
    (FIRST, "R07.2", _set_cell("消防队伍", 0, "建设用地面积（平方米）", 900), "fail",
     [_cell("消防队伍", 0, "建设用地面积（平方米）")],
     ["潘津镇政府专职消防队", "900", "1000", "GB/T 35547-2017 第9.2条", "标准原文"]),
    (VOLUNTEER, "R07.2", _set_cell("消防队伍", 0, "建设用地面积（平方米）", None), "unknown",
     [_cell("消防队伍", 0, "建设用地面积（平方米）")], ["未填写", "350"]),
    (FIRST, "R07.3", _set_cell("消防队伍", 0, "队员人数", 14), "fail",
     [_cell("消防队伍", 0, "队员人数")], ["14", "15", "台州市2018年", "二手转述"]),
    (VOLUNTEER, "R07.3", _set_cell("消防队伍", 0, "队员人数", 5), "fail",
     [_cell("消防队伍", 0, "队员人数")], ["5", "低于最低要求6", "fireaudit假定"]),
    (FIRST, "R07.4", _set_cell("消防队伍", 0, "消防车数量", 1), "fail",
     [_cell("消防队伍", 0, "消防车数量")], ["消防车数量为1", "2"]),
    (FIRST, "R07.5", _all(_set_cell("消防队伍", 0, "副队长", None), _post(1, "消防员")), "fail",
     [_cell("消防队伍", 0, "副队长")], ["未配备副队长", "第11.2.1条"]),
    (FIRST, "R07.6", _post(5, "消防员"), "fail",
     [_cell("消防队伍", 0, "执勤消防车数量")], ["驾驶员应不少于3", "实有2", "第11.2.2条"]),
    (VOLUNTEER, "R07.6", _post(2, "消防员"), "fail",
     [_cell("消防队伍", 0, "执勤消防车数量")], ["实有0", "fireaudit假定"]),
    (FIRST, "R07.7", _post(2, "消防员"), "fail", [_cell("队员", 3, "岗位")], ["班（组）长应不少于3", "实有2"]),
    (FIRST, "R07.8", _set_cell("消防队伍", 0, "专职队员人数", 10), "fail",
     [_cell("消防队伍", 0, "专职队员人数")], ["应不少于12", "每车4", "实有10"]),
    (FIRST, "R07.9", _post(9, "消防员"), "fail", [_cell("队员", 8, "岗位")], ["未配备安全员", "第11.2.3条"]),
    (FIRST, "R07.9", _all(_post(8, "通信员、安全员"), _post(9, "消防员")), "fail",
     [_cell("队员", 8, "岗位")], ["同一人兼任"]),
    (VOLUNTEER, "R07.10", _all(_set_cell("消防队伍", 0, "消防车数量", 0), _set_cell("消防队伍", 0, "执勤消防车数量", 0),
                               _set_cell("消防队伍", 0, "手抬机动消防泵数量", 0)), "fail",
     [_cell("消防队伍", 0, "手抬机动消防泵数量")], ["手抬机动消防泵数量为0", "审核默认值"]),
    (FIRST, "R07.11", _set_cell("消防队伍", 0, "固定营房", "否"), "fail",
     [_cell("消防队伍", 0, "固定营房")], ["无固定营房", "方案明确"]),
    (FIRST, "R07.12", _set_cell("消防队伍", 0, "验收日期", "2023-06-01"), "fail",
     [_cell("消防队伍", 0, "验收日期"), _cell("消防队伍", 0, "投入执勤日期")], ["2023-06-01才验收"]),
    (SECOND, "R07.12", _set_cell("消防队伍", 0, "验收日期", None), "fail",
     [_cell("消防队伍", 0, "验收日期")], ["未登记消防救援机构验收日期"]),
    # R07.13 villages, R07.14 advisory criteria, R07.15 roster
    (FIRST, "R07.13", _set_cell("村社区", 1, "志愿消防队或微型消防站", "无"), "fail",
     [_cell("村社区", 1, "志愿消防队或微型消防站")], ["二村"]),
    (VOLUNTEER, "R07.14", _set_profile("建成区面积（平方公里）", 6), "fail",
     [_profile("建成区面积（平方公里）")], ["应建一级专职消防队", "6 > 5", "二手转述", "高于方案确定的志愿消防队"]),
    (VOLUNTEER, "R07.14", _set_profile("历史文化名镇", "是"), "fail",
     [_profile("历史文化名镇")], ["应建二级专职消防队", "fireaudit假定"]),
    (VOLUNTEER, "R07.14", _set_profile("全国重点镇", None), "unknown", [_profile("全国重点镇")], ["全国重点镇"]),
    (FIRST, "R07.15", _set_cell("消防队伍", 0, "队员人数", 17), "fail",
     [_cell("消防队伍", 0, "队员人数")], ["登记17人，名册16人"]),
    # R08 full-time brigades
    (FIRST, "R08.1", _set_cell("消防队伍", 0, "纳入调度指挥", "否"), "fail",
     [_cell("消防队伍", 0, "纳入调度指挥")], ["潘津镇政府专职消防队"]),
    (FIRST, "R08.2", _drop_rows("演练", "演练类型", "联勤联训"), "fail", [_header("演练", "日期")], ["联勤联训"]),
    (FIRST, "R08.1", _drop_sheet("消防队伍"), "unknown", [], ["消防队伍"]),
    # R16 the fire work station
    (FIRST, "R16.1", _drop_rows("责任人", "消防职责", "消防工作站站长"), "fail",
     [_header("责任人", "消防职责")], ["消防工作站站长"]),
    (FIRST, "R16.2", _drop_rows("责任人", "消防职责", "专职消防工作人员"), "fail",
     [_header("责任人", "消防职责")], ["专职消防工作人员"]),
    (FIRST, "R16.3", _set_profile("消防工作站办公场所", "暂无"), "fail",
     [_profile("消防工作站办公场所")], ["暂无"]),
    (FIRST, "R16.3", _set_profile("承担消防工作职责机构", None), "unknown", [], ["承担消防工作职责机构"]),
    # R17 training and qualifications
    (FIRST, "R17.1", _set_cell("责任人", 4, "最近培训日期", "2022-11-02"), "fail",
     [_cell("责任人", 4, "最近培训日期")], ["1人", "赵刚（消防安全管理人，最近培训：2022-11-02）"]),
    (FIRST, "R17.1", _set_cell("队员", 4, "最近培训日期", None), "fail",
     [_cell("队员", 4, "最近培训日期")], ["专职队员5（专职，最近培训：无记录）"]),
    (FIRST, "R17.1", _drop_sheet("队员"), "unknown", [], ["队员"]),
    (FIRST, "R17.1", _all(_drop_sheet("队员"), _set_cell("责任人", 5, "最近培训日期", "2023-01-31")), "fail",
     [_cell("责任人", 5, "最近培训日期")], ["马丽"]),
    (FIRST, "R17.2", lambda reg: [reg.sheets["队员"].set(i, "职业资格", "无") for i in range(16)], "fail",
     [_header("队员", "职业资格")], ["注册消防工程师"]),
    # R19 insurance
    (FIRST, "R19.1", _all(_set_cell("队员", 1, "失业保险", "否"), _set_cell("队员", 6, "工伤保险", None)), "fail",
     [_cell("队员", 1, "失业保险"), _cell("队员", 6, "工伤保险")],
     ["2名专职队员缺少保险", "专职队员2缺失业保险", "专职队员7缺工伤保险"]),
    (FIRST, "R19.1", _drop_sheet("队员"), "unknown", [], ["队员"]),
    (VOLUNTEER, "R19.2", _set_cell("队员", 2, "意外伤害保险", "否"), "fail",
     [_cell("队员", 2, "意外伤害保险")], ["队员3缺意外伤害保险"]),
]


@pytest.mark.parametrize("build, check_id, breaker, status, evidence, words", CASES,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_broken_brigade_fails_on_the_right_cell(audit_of, build, check_id, breaker, status, evidence, words):
    reg = build()
    assert audit_of(reg).check(check_id).status in ("pass", "na")  # compliant before the break (R07.10: no pump needed)
    breaker(reg)
    result = audit_of(reg).check(check_id)
    assert result.status == status, message(result)
    refs = [e.ref() for e in result.evidence]
    for expected in evidence:
        assert expected(reg) in refs, refs
    text = message(result)
    for word in words:
        assert word in text, text


# (build, check id, change, status): not applicable, or applicable only with the evidence
APPLICABILITY = [
    (VOLUNTEER, "R08.1", _nothing, "na"),
    (VOLUNTEER, "R08.2", _nothing, "na"),
    (VOLUNTEER, "R08.1", _drop_sheet("消防队伍"), "unknown"),
    (FIRST, "R08.1", _set_cell("消防队伍", 0, "队伍类型", "企业专职消防队"), "na"),
    (VOLUNTEER, "R19.1", _nothing, "na"),
    (VOLUNTEER, "R19.1", _drop_sheet("队员"), "unknown"),
    (FIRST, "R19.2", _nothing, "na"),
    (FIRST, "R16.1", _set_profile("承担消防工作职责机构", "社会事务办公室"), "na"),
    (FIRST, "R16.3", _set_profile("承担消防工作职责机构", "社会事务办公室"), "na"),
    (STREET, "R07.1", _nothing, "na"),
    (STREET, "R07.14", _nothing, "na"),
    (STREET, "R07.2", _nothing, "na"),
    (VOLUNTEER, "R07.10", _nothing, "na"),           # it has an engine: no portable pump needed
    (VOLUNTEER, "R07.10", _all(_set_cell("消防队伍", 0, "消防车数量", 0), _set_cell("消防队伍", 0, "执勤消防车数量", 0)),
     "pass"),                                        # no engine, one pump
    (VOLUNTEER, "R07.8", _nothing, "na"),            # 4 per engine is for full-time grades
    (VOLUNTEER, "R07.9", _nothing, "pass"),          # one person may hold 通信员、安全员 in a volunteer brigade
    (SECOND, "R07.1", _set_cell("消防队伍", 0, "队伍类型", "一级专职消防队"), "pass"),   # higher satisfies lower
    (STREET, "R07.2", _set_cell("消防队伍", 0, "队伍类型", "志愿消防队"), "unknown"),   # a 街道's own graded brigade is measured
]


@pytest.mark.parametrize("build, check_id, change, status", APPLICABILITY,
                         ids=[f"{c[1]}-{c[3]}-{i}" for i, c in enumerate(APPLICABILITY)])
def test_applicability(audit_of, build, check_id, change, status):
    reg = build()
    change(reg)
    result = audit_of(reg).check(check_id)
    assert result.status == status, message(result)


@pytest.mark.parametrize("build", [FIRST, SECOND, VOLUNTEER, STREET], ids=["一级", "二级", "志愿", "街道"])
def test_compliant_townships_pass_brigade_requirements(audit_of, build):
    audit = audit_of(build())
    for requirement in ("R07", "R08", "R16", "R17", "R19"):
        result = audit.requirement(requirement)
        assert result.status in ("pass", "na"), [(c.id, c.status, message(c)) for c in result.checks]
    assert audit.requirement("R07").status == "pass"
    assert audit.requirement("R17").status == "pass"
