"""The required GB/T 35547 grade: the plan's five named townships, the default rule, 街道,
the JSON's `required_grade`, a county's overrides, and the `fireaudit grade` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fireaudit import grades
from fireaudit.audit import load_checklist
from fireaudit.cli import app
from fireaudit.errors import ConfigError
from fireaudit.reports.json_report import run_json
from fireaudit.i18n import message_text
from fireaudit.runner import audit_files
from tests.builders import compliant

NAMED = [
    ("伊宁市", "潘津镇", "镇", "一级专职消防队"),
    ("霍城县", "惠远镇", "镇", "一级专职消防队"),
    ("特克斯县", "乔拉克铁热克镇", "镇", "一级专职消防队"),
    ("伊宁市", "托格拉克乡", "乡", "二级专职消防队"),
    ("巩留县", "阿尕尔森镇", "镇", "二级专职消防队"),
]


@pytest.mark.parametrize("county, township, kind, grade", NAMED)
def test_named_townships_resolve_to_the_plans_grade(checklist, county, township, kind, grade):
    required = grades.resolve(checklist, county, township, kind)
    assert (required.grade, required.rule) == (grade, "named")
    assert "plan item (七)" in required.basis and f"{county}{township}" in required.basis


@pytest.mark.parametrize("county, township, kind", [
    ("伊宁县", "喀拉亚尕奇乡", "乡"),
    ("霍城县", "三道河乡", "乡"),
])
def test_other_townships_get_the_default_volunteer_rule(checklist, county, township, kind):
    required = grades.resolve(checklist, county, township, kind)
    assert (required.grade, required.rule) == ("志愿消防队", "default")
    assert "default rule" in required.basis


# Issue 16 item 2 (the old reading gave these the default 志愿 rule silently): a named township's
# stem under another county is a near miss, reported, never silently 志愿.
@pytest.mark.parametrize("county, township, kind", [
    ("伊宁县", "潘津镇", "镇"),          # 伊宁县 is not 伊宁市
    ("霍城县", "潘津镇", "镇"),
    ("伊宁市", "惠远镇", "镇"),          # the township of another county's entry
    ("伊宁县", "托格拉克乡", "乡"),
])
def test_a_named_township_under_another_county_is_a_near_miss(checklist, county, township, kind):
    required = grades.resolve(checklist, county, township, kind)
    assert required.rule == "near_miss" and required.near is not None


def test_names_match_after_normalisation(checklist):
    assert grades.resolve(checklist, " 伊宁市", "潘津镇 ", "镇").grade == "一级专职消防队"


def test_street_has_no_grade(checklist):
    required = grades.resolve(checklist, "伊宁市", "潘津镇", "街道")
    assert required.grade is None
    assert required.to_json(grades.grade_data(checklist)) == {"grade": None, "basis": "街道: plan item (五)"}


def test_grade_order_and_what_satisfies(checklist):
    data = grades.grade_data(checklist)
    assert grades.satisfies(data, "一级专职消防队", "二级专职消防队")
    assert grades.satisfies(data, "二级专职消防队", "志愿消防队")
    assert not grades.satisfies(data, "二级专职消防队", "一级专职消防队")
    assert not grades.satisfies(data, "企业专职消防队", "志愿消防队")
    assert not grades.satisfies(data, "微型消防站", "志愿消防队")


@pytest.mark.parametrize("profile, suggested", [
    ({"全国重点镇": True}, "一级专职消防队"),
    ({"建成区面积": 5.0}, "二级专职消防队"),          # > 5 km² for 一级; 5 itself is 二级 (2–5)
    ({"建成区面积": 5.1}, "一级专职消防队"),
    ({"建成区常住人口": 5.0}, "一级专职消防队"),       # ≥ 5万
    ({"建成区常住人口": 1.9, "建成区面积": 1.0}, None),
    ({"易燃易爆或劳动密集型企业密集": True}, "二级专职消防队"),
])
def test_configured_criteria(checklist, profile, suggested):
    assert grades.suggest(grades.grade_data(checklist), profile).grade == suggested


def test_every_value_has_source_and_confidence(checklist):
    data = grades.grade_data(checklist)
    values = [*data.named, *data.criteria.values()]
    values += [m for table in data.minimums.values() for m in (getattr(table, i) for i in grades.ITEMS) if m]
    assert values and all(v.source and v.confidence in ("plan", "standard", "secondary", "local-policy", "assumed")
                          for v in values)
    first = data.minimums["一级专职消防队"]
    assert (first.land_area.value, first.land_area.confidence) == (1000, "standard")
    # issue 16 item 10: 15/10 staff come from a 2018 Taizhou notice that does not cite the standard
    assert (first.total_staff.value, first.total_staff.confidence) == (15, "local-policy")
    assert data.minimums["志愿消防队"].total_staff.confidence == "assumed"


def test_json_required_grade_for_each_sample_kind(tmp_path: Path, checklist):
    paths = [compliant().save(tmp_path / "a.xlsx"),
             compliant("伊宁县", "喀拉亚尕奇乡", "乡").save(tmp_path / "b.xlsx"),
             compliant("伊宁市", "解放路街道", "街道").save(tmp_path / "c.xlsx")]
    townships = run_json(audit_files(paths, checklist, None))["townships"]
    first, volunteer, street = (t["required_grade"] for t in townships)
    assert first["grade"] == "一级专职消防队" and "plan item (七)" in first["basis"] and "advisory" not in first
    assert volunteer["grade"] == "志愿消防队" and "default rule" in volunteer["basis"]
    assert street == {"grade": None, "basis": "街道: plan item (五)"}


def test_json_carries_the_advisory_criteria_finding(tmp_path: Path, checklist):
    reg = compliant("伊宁县", "喀拉亚尕奇乡", "乡")
    reg.profile["全国重点镇"] = "是"
    township = run_json(audit_files([reg.save(tmp_path / "a.xlsx")], checklist, None))["townships"][0]
    advisory = township["required_grade"]["advisory"]
    assert advisory["suggested_grade"] == "一级专职消防队"
    assert [c["profile_key"] for c in advisory["criteria"]] == ["全国重点镇"]
    assert advisory["criteria"][0]["confidence"] == "secondary"


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "fireaudit.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_county_override_of_a_minimum_is_reported_as_local(tmp_path: Path, read):
    config = _config(tmp_path, '[data.gbt35547.minimums."一级专职消防队".total_staff]\nvalue = 20\n')
    checklist = load_checklist(config)
    from fireaudit.audit import audit_register

    result = audit_register(read(compliant()), checklist).check("R07.3")
    assert result.status == "fail"
    assert "data.gbt35547.minimums.一级专职消防队.total_staff.value" in result.from_config
    text = message_text(result.message, result.params, "zh")
    assert "20" in text and "本地配置" in text and "台州" not in text


def test_county_override_of_the_named_list(tmp_path: Path, checklist):
    config = _config(tmp_path, '[data.gbt35547]\nnamed = [{ county = "伊宁县", township = "喀拉亚尕奇乡", '
                               'grade = "二级专职消防队", source = "县消防救援大队 2024 通知", confidence = "plan" }]\n')
    local = load_checklist(config)
    required = grades.resolve(local, "伊宁县", "喀拉亚尕奇乡", "乡")
    assert (required.grade, required.from_config) == ("二级专职消防队", True)
    assert grades.resolve(local, "伊宁市", "潘津镇", "镇").grade == "志愿消防队"


def test_bad_grade_in_config_is_a_config_error(tmp_path: Path):
    config = _config(tmp_path, '[data.gbt35547.rules.default]\ngrade = "三级专职消防队"\n')
    with pytest.raises(ConfigError, match="三级专职消防队"):
        load_checklist(config)


# ---------------------------------------------------------------- fireaudit grade
runner = CliRunner()


def test_grade_without_workbook_named_township():
    result = runner.invoke(app, ["grade", "--county", "伊宁市", "--township", "潘津镇"])
    assert result.exit_code == 0, result.output
    assert "应建等级：一级专职消防队" in result.output
    assert "实施方案第（七）项点名" in result.output


def test_grade_without_workbook_other_county_and_criteria_in_english():
    result = runner.invoke(app, ["grade", "--county", "伊宁县", "--township", "潘津镇", "--area", "3.2",
                                 "--population", "2.5", "--key-town", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Required grade: 志愿消防队" in result.output
    assert "default rule" in result.output
    assert "suggests a 一级专职消防队" in result.output and "全国重点镇" in result.output


def test_grade_for_a_street_and_without_input():
    result = runner.invoke(app, ["grade", "--county", "伊宁市", "--township", "解放路街道"])
    assert result.exit_code == 0 and "不适用（街道）" in result.output
    assert runner.invoke(app, ["grade"]).exit_code == 2


def test_grade_with_workbook_lists_each_minimum(tmp_path: Path):
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队员人数", 14)
    path = reg.save(tmp_path / "潘津镇.xlsx")
    result = runner.invoke(app, ["grade", str(path)], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    assert "应建等级：一级专职消防队" in result.output
    assert "潘津镇政府专职消防队（一级专职消防队）" in result.output
    lines = result.output.splitlines()
    at = next(n for n, line in enumerate(lines) if "│ 队员人数" in line)
    staff = "".join(lines[at:at + 4])           # the row wraps when its source is long
    area = next(line for line in lines if "建设用地面积" in line and "│" in line)
    assert "不达标" in lines[at] and "14" in staff and "消防队伍!E3" in staff
    assert "达标" in area and "不达标" not in area


def test_grade_with_unreadable_file_exits_3(tmp_path: Path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    result = runner.invoke(app, ["grade", str(bad)])
    assert result.exit_code == 3
