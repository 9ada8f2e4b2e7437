"""整改建议 per finding (issue 18, item 6): where a finding names the village, the member, the hazard or the
brigade, its advice names them too — in the Markdown report, the Excel 问题清单, the annotated copy's comments
and its 审核意见 sheet — and falls back to the requirement's advice everywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fireaudit.i18n import Phrase, catalog
from fireaudit.reports.advice import advice_values, placeholders, specific_advice
from fireaudit.reports.view import township_view
from fireaudit.result import CheckResult
from fireaudit.runner import make_run
from tests.builders import D, compliant


def bad_register():
    """One township with a specific failure for most checks that have their own advice."""
    reg = compliant()
    villages = reg.sheets["村社区"]
    villages.set(0, "消防安全管理人", None)                     # R06.1 一村
    villages.set(1, "防火安全公约", "无")                       # R06.2 二村
    villages.set(2, "志愿消防队或微型消防站", "无")             # R07.13 幸福社区
    villages.set(1, "网格员人数", 0)                            # R12.1 二村
    villages.set(1, "消防车通道畅通", "否")                     # R14.1 二村
    villages.set(2, "电动自行车集中充电场所", "否")             # R14.2 幸福社区
    villages.set(1, "消防水源", "无")                           # R14.3 二村
    villages.set(1, "市政消火栓数量", 0)
    people = reg.sheets["责任人"]
    people.set(3, "最近培训日期", D(2022, 1, 1))               # R17.1 李梅
    people.set(6, "执法证号", None)                             # R15.2 周涛
    people.set(0, "职务", "党委委员")                           # R03.1
    reg.sheets["队员"].set(0, "工伤保险", "否")                 # R19.1 专职队员1
    hazards = reg.sheets["检查隐患"]
    hazards.set(2, "移送部门", None)                            # R13.1 幸福小区3号楼
    hazards.set(2, "移送日期", None)
    hazards.add(序号=4, 检查日期=D(2024, 4, 10), 场所名称="二村加油站", 场所类型="加油站", 所属村社区="二村",
                隐患描述="灭火器过期", 整改期限=D(2024, 4, 20), 整改状态="未整改", 检查人="艾山")   # R13.3
    hazards.add(序号=5, 检查日期=D(2024, 4, 10), 场所名称="幸福小区5号楼", 场所类型="住宅", 所属村社区="幸福社区",
                隐患描述="楼道内电动车充电，拒不整改", 整改期限=D(2024, 4, 20), 整改状态="拒不整改",
                移送部门="伊宁市市场监督管理局", 移送日期=D(2024, 5, 1), 检查人="艾山")             # R13.2
    budget = reg.sheets["经费"]
    budget.set(0, "纳入财政预算", "否")                          # R18.1 隐患排查治理
    budget.rows.pop(1)                                          # R18.2 消防宣传教育培训
    for row in budget.rows:
        row[budget.header.index("到位金额（万元）")] = 0.5        # R18.3
    reg.sheets["专项治理"].set(0, "整改隐患数", 5)              # R10.2
    brigade = reg.sheets["消防队伍"]
    brigade.set(0, "队员人数", 30)                              # R07.15
    brigade.set(0, "纳入调度指挥", "否")                        # R08.1
    brigade.set(0, "建设用地面积（平方米）", 100)               # R07.2
    brigade.set(0, "固定营房", "否")                            # R07.11
    brigade.set(0, "验收日期", None)                            # R07.12, R07.1
    return reg


BRIGADE = "潘津镇政府专职消防队"
EXPECTED_ZH = {    # check -> the finding's own advice (exact)
    "R03.1": "第一责任人应由党政主要负责人担任：现登记的职务“党委委员”不是（或未写明是）党政主要负责人，请调整人选或写全职务。",
    "R06.1": "为一村确定村（社区）消防安全管理人，并在“村社区”表登记。",
    "R06.2": "指导二村制定并发布防火安全公约，在“村社区”表登记公约发布日期。",
    "R07.1": "按实施方案第（七）项建成一级专职消防队，经消防救援机构验收后投入执勤，并在“消防队伍”表登记验收和投入执勤日期。",
    "R07.2": f"按所申报等级的下限补足{BRIGADE}的建设用地面积，或如实核对登记的面积。",
    "R07.11": f"为{BRIGADE}落实固定营房。",
    "R07.12": f"{BRIGADE}应经消防救援机构验收合格后投入执勤：请补办验收并登记验收日期。",
    "R07.13": "在幸福社区建立志愿消防队或微型消防站，并在“村社区”表登记。",
    "R07.15": f"核对{BRIGADE}的队员人数与“队员”名册，改正不一致的登记。",
    "R08.1": f"将{BRIGADE}纳入灭火救援调度指挥体系，并在“消防队伍”表登记。",
    "R10.2": "督促以下专项治理发现的隐患完成整改，整改率不低于80%：电动自行车消防安全专项治理（5/10，50%）。",
    "R12.1": "为二村配备网格员，并在“村社区”表登记网格员人数。",
    "R13.1": "将以下拒不整改的隐患移送职能部门，或由本级依法处理后告知相关职能部门，并补填括号内的项目："
             "幸福小区3号楼（移送部门、移送日期）。",
    "R13.2": "按附件《拒不整改隐患问题移送处理清单》改正以下隐患的移送部门："
             "幸福小区5号楼（电动自行车违规停放充电）：伊宁市市场监督管理局 → 消防救援机构。",
    "R13.3": "督促以下逾期隐患立即整改，拒不整改的依法处理或移送：二村加油站（逾期未改，2024-04-20）。",
    "R14.1": "组织清理二村被占用、堵塞的消防车通道，保持畅通。",
    "R14.2": "在幸福社区建设电动自行车集中充电场所。",
    "R14.3": "为二村落实消防水源或建设市政消火栓。",
    "R15.2": "组织周涛取得行政执法证并补填“执法证号”，持证执法人员不少于2名。",
    "R17.1": "组织李梅参加消防业务培训，并在台账登记最近培训日期。",
    "R18.1": "将2024年度以下经费纳入财政预算：隐患排查治理。",
    "R18.2": "在2024年度消防工作经费中安排以下科目：消防宣传教育培训。",
    "R18.3": "加快2024年度消防工作经费拨付：截至2024-06-30应到位80万元，实际到位2.5万元。",
    "R19.1": "为以下队员办理所缺保险，并在“队员”表登记：专职队员1缺工伤保险。",
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory, checklist):
    from fireaudit.audit import audit_register
    from fireaudit.register import RegisterReader

    path = bad_register().save(tmp_path_factory.mktemp("advice") / "潘津镇.xlsx")
    audit = audit_register(RegisterReader(checklist).read(path), checklist, None)
    return audit, make_run(checklist, None, [audit], [])


def _findings(bad, checklist, lang):
    audit, run = bad
    return {f.check: f for f in township_view(run, audit, checklist, lang).findings}


# ---------------------------------------------------------------- the catalogue and the checklist agree
def test_every_advice_a_check_names_exists_in_both_languages_with_the_same_placeholders(checklist):
    advised = [c for c in checklist.checks if c.advice]
    assert len(advised) >= 40
    for check in advised:
        zh, en = catalog("zh").get(check.advice), catalog("en").get(check.advice)
        assert zh and en, (check.id, check.advice)
        assert placeholders(zh) == placeholders(en), check.id


def test_every_placeholder_is_a_value_some_message_of_the_check_kind_carries(checklist):
    """`{lacking}` in an advice must be a value of a village_coverage finding, or a name inside one's list."""
    for check in (c for c in checklist.checks if c.advice):
        carried: set[str] = set()
        for key, template in catalog("zh").items():
            if key.startswith(f"check.{check.kind}."):
                names = placeholders(template)
                carried |= names | {f"{n}_{field}" for n in names for field in ("name", "brigade")}
        missing = placeholders(catalog("zh")[check.advice]) - carried
        assert not missing, (check.id, check.kind, missing)


def test_no_advice_without_a_specific_value(checklist):
    """An advice sentence that names nothing the requirement's advice does not is not per-finding advice."""
    for check in (c for c in checklist.checks if c.advice):
        assert placeholders(catalog("zh")[check.advice]), check.id


# ---------------------------------------------------------------- each finding's own advice
def test_each_specific_finding_gets_its_own_advice(bad, checklist):
    findings = _findings(bad, checklist, "zh")
    got = {check: f.specific_advice for check, f in findings.items() if check in EXPECTED_ZH}
    assert got == EXPECTED_ZH
    for check, advice in got.items():
        assert findings[check].advice == advice


def test_english_advice_is_filled_for_the_same_findings(bad, checklist):
    findings = _findings(bad, checklist, "en")
    for check in EXPECTED_ZH:
        advice = findings[check].specific_advice
        assert advice and "{" not in advice and not re.search(r"[，。：；]$", advice), (check, advice)
    assert findings["R06.1"].specific_advice == "Name a fire-safety manager for 一村 and register them in sheet “村社区”."
    assert findings["R17.1"].specific_advice.startswith("Send 李梅 to fire-work training")


@pytest.mark.parametrize("change, check, advice", [
    (lambda r: r.sheets["责任人"].rows.pop(1), "R01.1",
     "在“责任人”表登记本乡镇（街道）本级的主要责任人，写明姓名、职务和所属单位。"),
    (lambda r: r.sheets["消防队伍"].rows.clear(), "R04.8",
     "建立一级专职消防队、二级专职消防队、志愿消防队（任一即可），并在“消防队伍”表登记。"),
])
def test_a_missing_role_or_brigade_is_named(audit_of, checklist, change, check, advice):
    reg = compliant(township="巴彦岱镇") if check == "R04.8" else compliant()
    change(reg)
    audit = audit_of(reg)
    run = make_run(checklist, None, [audit], [])
    finding = next(f for f in township_view(run, audit, checklist, "zh").findings if f.check == check)
    assert finding.specific_advice == advice


def test_a_higher_grade_suggested_by_the_profile_is_named(audit_of, checklist):
    reg = compliant(township="巴彦岱镇")
    reg.profile["全国重点镇"] = "是"
    audit = audit_of(reg)
    finding = next(f for f in township_view(make_run(checklist, None, [audit], []), audit, checklist, "zh").findings
                   if f.check == "R07.14")
    assert finding.specific_advice.startswith("基本情况显示应建一级专职消防队，高于方案确定的志愿消防队")


# ---------------------------------------------------------------- the fallback
def test_a_finding_without_its_own_advice_keeps_the_requirements(audit_of, checklist):
    reg = compliant()
    reg.profile["建立消防安全档案"] = "否"                      # R04.5: profile_yes, nothing more specific
    reg.profile["建立消防安全组织"] = "？不详"                   # R04.1 unknown: correct the cell
    audit = audit_of(reg)
    findings = {f.check: f for f in township_view(make_run(checklist, None, [audit], []), audit, checklist, "zh").findings}
    assert findings["R04.5"].specific_advice == ""
    assert findings["R04.5"].advice == checklist.requirement_by_id["R04"].advice("zh")
    assert findings["R04.1"].specific_advice == "" and findings["R04.1"].advice.startswith("按“问题”栏补正台账")


def _result(check_id: str, status: str, message: str, **params) -> CheckResult:
    return CheckResult(id=check_id, requirement=check_id.split(".")[0], kind="village_coverage", status=status,
                       severity="major", message=message, params=params, evidence=(), source="")


def test_an_advice_whose_values_the_finding_lacks_falls_back(checklist):
    spec = checklist.check_by_id["R06.1"]
    assert specific_advice(_result("R06.1", "fail", "village_coverage.lacking", lacking=["一村"]), spec, "zh")
    assert specific_advice(_result("R06.1", "fail", "village_coverage.lacking", lacking=[]), spec, "zh") == ""
    assert specific_advice(_result("R06.1", "fail", "village_coverage.other"), spec, "zh") == ""
    assert specific_advice(_result("R06.1", "unknown", "village_coverage.lacking", lacking=["一村"]), spec, "zh") == ""
    assert specific_advice(_result("R06.1", "pass", "village_coverage.lacking", lacking=["一村"]), spec, "zh") == ""


def test_names_inside_a_list_of_phrases_are_offered():
    people = [Phrase("check.training_recent.person", {"name": "李梅", "role": "专人"}),
              Phrase("check.training_recent.person", {"name": "赵刚", "role": "管理人"}),
              Phrase("check.training_recent.person", {"name": "李梅", "role": "网格员"})]
    values = advice_values({"people": people, "count": 3})
    assert values["people_name"] == ["李梅", "赵刚"] and "people_brigade" not in values


# ---------------------------------------------------------------- in every report
def test_the_advice_is_in_the_markdown_excel_and_annotated_copy(tmp_path):
    from tests.cli_helper import run_cli

    path = bad_register().save(tmp_path / "潘津镇.xlsx")
    out = tmp_path / "out"
    result = run_cli("audit", str(path), "-o", str(out), "--format", "md,xlsx", "--annotate")
    assert result.code == 0, result.err
    md = (out / "伊宁市-潘津镇-2024Q2.md").read_text(encoding="utf-8")
    r06 = md.split("R06.1 ", 1)[1].split("\n- **", 1)[0]
    assert "  - 整改建议：为一村确定村（社区）消防安全管理人，并在“村社区”表登记。" in r06
    assert "\n**整改建议**：" in md                                   # the requirement's advice stays below
    assert md.count("  - 整改建议：") == sum(1 for f in EXPECTED_ZH if f"{f} " in md)

    book = load_workbook(out / "伊宁市-潘津镇-2024Q2.xlsx")
    rows = [[c.value for c in row] for row in book["问题清单"].iter_rows()]
    advice_column = rows[0].index("整改建议")
    r17 = next(r for r in rows if r[2] == "R17.1")
    assert r17[advice_column] == EXPECTED_ZH["R17.1"]

    (copy_path,) = out.glob("*批注.xlsx")
    copy = load_workbook(copy_path)
    review = [[c.value for c in row] for row in copy.worksheets[0].iter_rows()]
    assert any(r[1] == "R13.3" and r[-1] == EXPECTED_ZH["R13.3"] for r in review if len(r) >= 8)
    comments = [c.comment.text for s in copy.worksheets for row in s.iter_rows() for c in row if c.comment]
    assert any("整改建议：" + EXPECTED_ZH["R06.1"] in text for text in comments), comments[:3]
