"""R01–R06: for each check a compliant register passes, and one broken thing fails on the right cell.

Table-driven (tests/check_table.py): each case names the check, how to break
the compliant township, the expected status and the evidence cells."""

from __future__ import annotations

import pytest

from tests.builders import compliant
from tests.changes import cell, drop_profile, drop_rows, drop_sheet, header, profile, set_cell, set_column, set_profile
from tests.check_table import Case, Town, case_ids, run_case

STREET = Town("伊宁市", "解放路街道", "街道")      # R05 is judged for a 街道 only


FAILING = [
    Case("R01.1", drop_rows("责任人", "消防职责", "主要责任人"), "fail", [header("责任人", "消防职责")]),
    Case("R01.1", set_cell("责任人", 0, "所属单位", "城关派出所"), "fail", [cell("责任人", 0, "所属单位")]),
    Case("R02.1", set_profile("承担消防工作职责机构", None), "unknown", []),
    Case("R02.2", drop_rows("责任人", "消防职责", "消防工作专人"), "fail", [header("责任人", "消防职责")]),
    Case("R02.3", set_profile("消防工作站实体化运行", "否"), "fail", [profile("消防工作站实体化运行")]),
    Case("R03.1", set_cell("责任人", 0, "职务", "党委副书记"), "fail", [cell("责任人", 0, "职务")]),
    Case("R03.1", set_cell("责任人", 0, "职务", "副镇长"), "fail", [cell("责任人", 0, "职务")]),
    Case("R03.2", drop_rows("会议研判", "类型", "专题研究"), "fail", [header("会议研判", "日期")]),
    Case("R03.2", set_cell("会议研判", 0, "日期", "2024-01-05"), "fail", [header("会议研判", "日期")]),
    Case("R03.2", drop_sheet("会议研判"), "unknown", []),
    Case("R03.3", drop_rows("责任人", "消防职责", "分管领域责任人"), "fail", [header("责任人", "消防职责")]),
    Case("R04.1", set_profile("建立消防安全组织", "否"), "fail", [profile("建立消防安全组织")]),
    Case("R04.2", set_profile("制定消防安全制度", "×"), "fail", [profile("制定消防安全制度")]),
    Case("R04.3", set_profile("纳入综合治理体系", "无"), "fail", [profile("纳入综合治理体系")]),
    Case("R04.4", drop_profile("纳入国土空间规划"), "unknown", []),
    Case("R04.5", set_profile("建立消防安全档案", "N"), "fail", [profile("建立消防安全档案")]),
    Case("R04.6", drop_rows("责任人", "消防职责", "消防安全管理人"), "fail", [header("责任人", "消防职责")]),
    Case("R04.7", set_column("经费", "年度", 2023), "fail", [header("经费", "年度")]),
    Case("R04.8", set_cell("消防队伍", 0, "队伍类型", "企业专职消防队"), "fail", [cell("消防队伍", 0, "队伍类型")]),
    Case("R04.8", set_cell("消防队伍", 0, "所属单位", "一村"), "fail", [cell("消防队伍", 0, "所属单位")]),
    Case("R04.9", set_column("检查隐患", "检查日期", "2024-07-02"), "fail", [header("检查隐患", "检查日期")]),
    Case("R04.10", drop_rows("演练", "演练类型", "应急疏散演练"), "fail", [header("演练", "日期")]),
    Case("R06.1", set_cell("村社区", 1, "消防安全管理人", None), "fail", [cell("村社区", 1, "消防安全管理人")]),
    Case("R06.2", set_cell("村社区", 2, "防火安全公约", "无"), "fail", [cell("村社区", 2, "防火安全公约")]),
    Case("R06.3", set_cell("演练", 1, "组织单位", "镇中心学校"), "fail", [header("演练", "日期")]),
]


def test_compliant_township_passes_r01_to_r06(audit_of):
    audit = audit_of(compliant())
    for requirement in ("R01", "R02", "R03", "R04", "R06"):
        result = audit.requirement(requirement)
        assert result.status == "pass", [(c.id, c.status, c.params) for c in result.checks]
    assert audit.requirement("R05").status == "na"
    assert audit.register_errors == ()


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_broken_township_fails_on_the_right_cell(audit_of, case):
    run_case(audit_of, case)


# R05: the same cases on a compliant sub-district.
STREET_FAILING = [
    Case("R05.1", set_profile("建立消防安全组织", "否"), "fail", [profile("建立消防安全组织")], town=STREET),
    Case("R05.2", set_profile("制定消防安全制度", "否"), "fail", [profile("制定消防安全制度")], town=STREET),
    Case("R05.3", set_profile("纳入综合治理体系", "否"), "fail", [profile("纳入综合治理体系")], town=STREET),
    Case("R05.4", set_profile("建立消防安全档案", "否"), "fail", [profile("建立消防安全档案")], town=STREET),
    Case("R05.5", drop_rows("责任人", "消防职责", "消防安全管理人"), "fail", [header("责任人", "消防职责")], town=STREET),
    Case("R05.6", set_column("经费", "年度", 2023), "fail", [header("经费", "年度")], town=STREET),
    Case("R05.7", set_cell("消防队伍", 0, "队伍类型", "志愿消防队"), "fail", [cell("消防队伍", 0, "队伍类型")], town=STREET),
    Case("R05.8", set_column("检查隐患", "检查日期", "2024-07-02"), "fail", [header("检查隐患", "检查日期")], town=STREET),
    Case("R05.9", drop_rows("演练", "演练类型", "应急疏散演练"), "fail", [header("演练", "日期")], town=STREET),
]


def test_compliant_street_passes_r05_and_r04_is_not_applicable(audit_of):
    audit = audit_of(STREET.build())
    result = audit.requirement("R05")
    assert result.status == "pass", [(c.id, c.status, c.params) for c in result.checks]
    assert audit.requirement("R04").status == "na"


@pytest.mark.parametrize("case", STREET_FAILING, ids=case_ids(STREET_FAILING))
def test_broken_street_fails_on_the_right_cell(audit_of, case):
    run_case(audit_of, case)


def test_a_micro_station_counts_for_a_street_but_not_for_a_town(audit_of):
    town = compliant()
    town.sheets["消防队伍"].set(0, "队伍类型", "微型消防站")
    assert audit_of(town).check("R04.8").status == "fail"
    assert audit_of(STREET.build()).check("R05.7").status == "pass"
