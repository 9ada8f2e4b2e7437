"""The command line as users meet it: summaries, JSON keys, exit codes 0/1/2/3, no tracebacks."""

from __future__ import annotations

import json

import pytest

from tests.builders import compliant
from tests.cli_helper import run_cli


def test_audit_prints_a_summary_table_per_township(good):
    result = run_cli("audit", str(good))
    assert result.code == 0, result.err
    assert "伊宁市潘津镇" in result.out and "R22" in result.out and "达标" in result.out


def test_audit_in_english(good):
    result = run_cli("audit", str(good), "--lang", "en")
    assert "Fire-safety leadership organised" in result.out and "pass" in result.out


def test_audit_json_has_the_stable_keys(good):
    result = run_cli("audit", str(good), "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {"tool", "version", "checklist", "period", "townships", "unreadable"} <= set(data)
    (township,) = data["townships"]
    assert {"file", "county", "township", "kind", "score", "required_grade", "requirements", "register_errors"} <= set(township)
    assert [r["id"] for r in township["requirements"]] == [f"R{n:02d}" for n in range(1, 23)]
    r01 = township["requirements"][0]
    assert r01["status"] == "pass" and r01["checks"][0]["id"] == "R01.1"
    assert r01["checks"][0]["evidence"][0] == {"sheet": "责任人", "cell": "B3", "column": "姓名"}
    assert [r["status"] for r in township["requirements"][19:]] == ["na", "na", "na"]


def test_json_does_not_change_with_language(good):
    zh = json.loads(run_cli("audit", str(good), "--format", "json").out)
    en = json.loads(run_cli("audit", str(good), "--format", "json", "--lang", "en").out)
    assert zh == en


def test_audit_writes_json_reports_into_the_output_directory(good, tmp_path):
    out = tmp_path / "out"
    result = run_cli("audit", str(good), "-o", str(out), "--format", "json")
    assert result.code == 0, result.err
    written = json.loads((out / "伊宁市-潘津镇-2024Q2.json").read_text(encoding="utf-8"))
    assert written["townships"][0]["township"] == "潘津镇"


def test_period_option_overrides_the_profile(good):
    data = json.loads(run_cli("audit", str(good), "--format", "json", "--period", "2024Q3").out)
    assert data["period"] == "2024Q3"
    r03 = next(r for r in data["townships"][0]["requirements"] if r["id"] == "R03")
    assert r03["checks"][1]["status"] == "fail"   # the 专题研究 meeting was in Q2


@pytest.mark.parametrize("fail_on, code", [("critical", 0), ("major", 1), ("advisory", 1), ("none", 0)])
def test_check_exit_codes_follow_fail_on(gappy, fail_on, code):
    result = run_cli("check", str(gappy), "--fail-on", fail_on)
    assert result.code == code, result.out + result.err


def test_check_counts_advisory_only_at_advisory(tmp_path):
    reg = compliant()
    reg.sheets["演练"].set(1, "组织单位", "镇中心学校")     # only R06.3 (advisory) fails
    path = reg.save(tmp_path / "advisory.xlsx")
    assert run_cli("check", str(path), "--fail-on", "major").code == 0
    assert run_cli("check", str(path), "--fail-on", "advisory").code == 1


def test_check_text_lines_name_check_severity_and_cell(gappy):
    result = run_cli("check", str(gappy))
    assert f"R04.5 major fail 基本情况!{compliant().profile_cell('建立消防安全档案')}" in result.out
    assert "R06.2 major fail 村社区!E3" in result.out
    assert "R06.3" not in result.out                # advisory, below --fail-on major


def test_register_errors_count_as_major_gaps(tmp_path):
    reg = compliant()
    reg.sheets["演练"].set(2, "参加人数", "很多")
    path = reg.save(tmp_path / "err.xlsx")
    result = run_cli("check", str(path))
    assert result.code == 1
    assert "register bad-count 演练!F5" in result.out
    assert run_cli("check", str(path), "--fail-on", "critical").code == 0


def test_check_json_format(gappy):
    result = run_cli("check", str(gappy), "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["townships"][0]["township"] == "潘津镇"


def test_unreadable_file_is_one_line_and_exit_3_after_the_others(tmp_path, good):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = run_cli("check", str(good), str(bad))
    assert result.code == 3
    assert "Traceback" not in result.out + result.err
    assert f"{bad}: 无法读取" in result.out
    data = json.loads(run_cli("check", str(good), str(bad), "--format", "json").out)
    assert len(data["townships"]) == 1 and data["unreadable"][0]["file"] == str(bad)


def test_missing_period_is_not_auditable(tmp_path):
    reg = compliant()
    reg.profile["报告期"] = None
    path = reg.save(tmp_path / "noperiod.xlsx")
    result = run_cli("check", str(path))
    assert result.code == 3 and "报告期" in result.out
    assert run_cli("check", str(path), "--period", "2024Q2", "--fail-on", "critical").code == 0


@pytest.mark.parametrize("args", [
    ["check"], ["check", "x.xlsx", "--fail-on", "bogus"], ["audit", "x.xlsx", "--period", "2024Q9"],
    ["audit", "x.xlsx", "--format", "pdf"], ["requirements", "R99"], ["nonsense"],
])
def test_usage_errors_exit_2(args):
    result = run_cli(*args)
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err


def test_bad_config_exits_2_naming_the_file(tmp_path, good):
    config = tmp_path / "fireaudit.toml"
    config.write_text('[checks."R03.2"]\nseverity = "urgent"\n', encoding="utf-8")
    result = run_cli("check", str(good), "--config", str(config))
    assert result.code == 2 and "fireaudit.toml" in result.err and "severity" in result.err


def test_requirements_lists_all_and_one(tmp_path):
    result = run_cli("requirements")
    assert result.code == 0 and "R22" in result.out and "R01.1" in result.out
    one = run_cli("requirements", "R04")
    assert "R04.10" in one.out and "R03.1" not in one.out


def test_requirements_marks_values_from_local_config(tmp_path):
    (tmp_path / "fireaudit.toml").write_text('[checks."R04.1"]\nseverity = "advisory"\n', encoding="utf-8")
    result = run_cli("requirements", "R04", "--lang", "en", cwd=tmp_path)
    assert "from local config" in result.out and "checks.R04.1.severity" in result.out


def test_demo_audits_the_bundled_samples(tmp_path):
    result = run_cli("audit", "--demo", "-o", str(tmp_path / "demo"), "--format", "json")
    assert result.code == 0, result.err
    names = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert names == ["伊宁县-喀拉亚尕奇乡-2024Q2.json", "伊宁市-潘津镇-2024Q2.json", "伊宁市-解放路街道-2024Q2.json"]


def test_unwritable_output_directory_is_one_line_and_exit_2(good, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("audit", str(good), "-o", str(blocker / "out"))
    assert result.code == 2 and "无法把报告写入" in result.err and "Traceback" not in result.err
