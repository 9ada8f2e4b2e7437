"""R01–R06: for each check a compliant register passes, and one broken thing fails on the right cell.

Table-driven like sqlfluff's rule cases: each case names the check, how to
break the compliant township, the expected status and the evidence cells."""

from __future__ import annotations

import pytest

from tests.builders import compliant
from tests.changes import cell as _cell
from tests.changes import drop_profile as _drop_profile
from tests.changes import drop_rows as _drop_rows
from tests.changes import drop_sheet as _drop_sheet
from tests.changes import header as _header
from tests.changes import profile as _profile
from tests.changes import set_cell as _set_cell
from tests.changes import set_column as _set_column
from tests.changes import set_profile as _set_profile


# (check id, how to break it, expected status, expected evidence refs)
FAILING = [
    ("R01.1", _drop_rows("责任人", "消防职责", "主要责任人"), "fail", [_header("责任人", "消防职责")]),
    ("R01.1", _set_cell("责任人", 0, "所属单位", "城关派出所"), "fail", [_cell("责任人", 0, "所属单位")]),
    ("R02.1", _set_profile("承担消防工作职责机构", None), "unknown", []),
    ("R02.2", _drop_rows("责任人", "消防职责", "消防工作专人"), "fail", [_header("责任人", "消防职责")]),
    ("R02.3", _set_profile("消防工作站实体化运行", "否"), "fail", [_profile("消防工作站实体化运行")]),
    ("R03.1", _set_cell("责任人", 0, "职务", "党委副书记"), "fail", [_cell("责任人", 0, "职务")]),
    ("R03.1", _set_cell("责任人", 0, "职务", "副镇长"), "fail", [_cell("责任人", 0, "职务")]),
    ("R03.2", _drop_rows("会议研判", "类型", "专题研究"), "fail", [_header("会议研判", "日期")]),
    ("R03.2", _set_cell("会议研判", 0, "日期", "2024-01-05"), "fail", [_header("会议研判", "日期")]),
    ("R03.2", _drop_sheet("会议研判"), "unknown", []),
    ("R03.3", _drop_rows("责任人", "消防职责", "分管领域责任人"), "fail", [_header("责任人", "消防职责")]),
    ("R04.1", _set_profile("建立消防安全组织", "否"), "fail", [_profile("建立消防安全组织")]),
    ("R04.2", _set_profile("制定消防安全制度", "×"), "fail", [_profile("制定消防安全制度")]),
    ("R04.3", _set_profile("纳入综合治理体系", "无"), "fail", [_profile("纳入综合治理体系")]),
    ("R04.4", _drop_profile("纳入国土空间规划"), "unknown", []),
    ("R04.5", _set_profile("建立消防安全档案", "N"), "fail", [_profile("建立消防安全档案")]),
    ("R04.6", _drop_rows("责任人", "消防职责", "消防安全管理人"), "fail", [_header("责任人", "消防职责")]),
    ("R04.7", _set_column("经费", "年度", 2023), "fail", [_header("经费", "年度")]),
    ("R04.8", _set_cell("消防队伍", 0, "队伍类型", "企业专职消防队"), "fail", [_cell("消防队伍", 0, "队伍类型")]),
    ("R04.8", _set_cell("消防队伍", 0, "所属单位", "一村"), "fail", [_cell("消防队伍", 0, "所属单位")]),
    ("R04.9", _set_column("检查隐患", "检查日期", "2024-07-02"), "fail", [_header("检查隐患", "检查日期")]),
    ("R04.10", _drop_rows("演练", "演练类型", "应急疏散演练"), "fail", [_header("演练", "日期")]),
    ("R06.1", _set_cell("村社区", 1, "消防安全管理人", None), "fail", [_cell("村社区", 1, "消防安全管理人")]),
    ("R06.2", _set_cell("村社区", 2, "防火安全公约", "无"), "fail", [_cell("村社区", 2, "防火安全公约")]),
    ("R06.3", _set_cell("演练", 1, "组织单位", "镇中心学校"), "fail", [_header("演练", "日期")]),
]


def test_compliant_township_passes_r01_to_r06(audit_of):
    audit = audit_of(compliant())
    for requirement in ("R01", "R02", "R03", "R04", "R06"):
        result = audit.requirement(requirement)
        assert result.status == "pass", [(c.id, c.status, c.params) for c in result.checks]
    assert audit.requirement("R05").status == "na"
    assert audit.register_errors == ()


@pytest.mark.parametrize("check_id, breaker, status, evidence", FAILING,
                         ids=[f"{c}-{i}" for i, (c, *_rest) in enumerate(FAILING)])
def test_broken_township_fails_on_the_right_cell(audit_of, check_id, breaker, status, evidence):
    _assert_broken(audit_of, compliant(), check_id, breaker, status, evidence)


def _assert_broken(audit_of, reg, check_id, breaker, status, evidence) -> None:
    """Break `reg`, audit it, and expect `status` with every `evidence` cell among the finding's."""
    breaker(reg)
    result = audit_of(reg).check(check_id)
    assert result.status == status, (result.message, result.params)
    refs = [e.ref() for e in result.evidence]
    for expected in evidence:
        assert expected(reg) in refs, refs


# R05 is judged for a 街道 only: the same cases on a compliant sub-district.
def _street():
    return compliant("伊宁市", "解放路街道", "街道")


STREET_FAILING = [
    ("R05.1", _set_profile("建立消防安全组织", "否"), "fail", [_profile("建立消防安全组织")]),
    ("R05.2", _set_profile("制定消防安全制度", "否"), "fail", [_profile("制定消防安全制度")]),
    ("R05.3", _set_profile("纳入综合治理体系", "否"), "fail", [_profile("纳入综合治理体系")]),
    ("R05.4", _set_profile("建立消防安全档案", "否"), "fail", [_profile("建立消防安全档案")]),
    ("R05.5", _drop_rows("责任人", "消防职责", "消防安全管理人"), "fail", [_header("责任人", "消防职责")]),
    ("R05.6", _set_column("经费", "年度", 2023), "fail", [_header("经费", "年度")]),
    ("R05.7", _set_cell("消防队伍", 0, "队伍类型", "志愿消防队"), "fail", [_cell("消防队伍", 0, "队伍类型")]),
    ("R05.8", _set_column("检查隐患", "检查日期", "2024-07-02"), "fail", [_header("检查隐患", "检查日期")]),
    ("R05.9", _drop_rows("演练", "演练类型", "应急疏散演练"), "fail", [_header("演练", "日期")]),
]


def test_compliant_street_passes_r05_and_r04_is_not_applicable(audit_of):
    audit = audit_of(_street())
    result = audit.requirement("R05")
    assert result.status == "pass", [(c.id, c.status, c.params) for c in result.checks]
    assert audit.requirement("R04").status == "na"


@pytest.mark.parametrize("check_id, breaker, status, evidence", STREET_FAILING, ids=[c for c, *_ in STREET_FAILING])
def test_broken_street_fails_on_the_right_cell(audit_of, check_id, breaker, status, evidence):
    _assert_broken(audit_of, _street(), check_id, breaker, status, evidence)


def test_a_micro_station_counts_for_a_street_but_not_for_a_town(audit_of):
    town = compliant()
    town.sheets["消防队伍"].set(0, "队伍类型", "微型消防站")
    assert audit_of(town).check("R04.8").status == "fail"
    assert audit_of(_street()).check("R05.7").status == "pass"
