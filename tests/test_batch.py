"""Batch runs: a folder of 30+ workbooks with an unreadable and a duplicate, the roll-up,
the county's duties R20–R22, the baseline diff, waivers and the JUnit gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders import compliant, county_register
from tests.cli_helper import run_cli, run_forked

TOWNSHIPS = [f"第{n}镇" for n in range(1, 31)]


def _folder(root: Path) -> Path:
    """30 townships (every fifth without its 应急疏散演练), an unreadable file, a duplicate, a lock file."""
    folder = root / "registers"
    (folder / "sub").mkdir(parents=True)
    for n, name in enumerate(TOWNSHIPS):
        reg = compliant("伊宁市", name, "镇", "2024Q2")
        if n % 5 == 0:
            drills = reg.sheets["演练"]
            drills.rows = [r for r in drills.rows if r[3] != "应急疏散演练"]
        reg.save((folder if n % 2 else folder / "sub") / f"{name}.xlsx")
    compliant("伊宁市", "第3镇", "镇", "2024Q2").save(folder / "第3镇-重复.xlsx")
    (folder / "坏文件.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (folder / "~$第1镇.xlsx").write_bytes(b"lock")
    (folder / ".hidden.xlsx").write_bytes(b"hidden")
    return folder


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """The command in a process of its own (forked: no interpreter start-up), two worker processes:
    the parallel path end to end."""
    root = tmp_path_factory.mktemp("batch")
    folder = _folder(root)
    out = root / "out"
    result = run_forked("batch", str(folder), "-o", str(out), "--jobs", "2", "--format", "json")
    return result, out, folder


def test_batch_exits_3_after_auditing_the_rest(batch_run):
    result, out, _ = batch_run
    assert result.code == 3, result.output
    assert "坏文件.xlsx" in result.output
    assert "Traceback" not in result.output


def test_every_township_gets_its_report_and_the_duplicate_is_a_conflict(batch_run):
    _, out, folder = batch_run
    reports = sorted(p.name for p in out.glob("伊宁市-*.json"))
    assert len(reports) == 29                                   # 30 townships less 第3镇 (in conflict)
    assert "伊宁市-第3镇-2024Q2.json" not in reports
    rollup = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    assert len(rollup["townships"]) == 29
    (conflict,) = rollup["conflicts"]
    assert conflict["township"] == "第3镇" and len(conflict["files"]) == 2
    assert [Path(u["file"]).name for u in rollup["unreadable"]] == ["坏文件.xlsx"]


def test_rollup_ranks_and_counts_the_requirements_that_fail_most(batch_run):
    _, out, _ = batch_run
    text = (out / "汇总.md").read_text(encoding="utf-8")
    assert "## 得分排名" in text and "## 要求矩阵" in text and "坏文件.xlsx" in text and "第3镇" in text
    rollup = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    scores = {t["township"]: t["score"] for t in rollup["townships"]}
    ranking = [line.split("|")[3].strip() for line in text.splitlines() if line.startswith("| ") and "伊宁市" in line
               and line.split("|")[1].strip().isdigit()]
    assert [scores[n] for n in ranking] == sorted(scores.values(), reverse=True)
    r04 = next(line for line in text.splitlines() if line.startswith("| R04 |"))
    assert r04.split("|")[3].strip() == "0" and r04.split("|")[4].strip() == "6"   # partial in 6 of 29


def test_rollup_excel_has_ranking_matrix_and_chart(batch_run):
    from openpyxl import load_workbook

    _, out, _ = batch_run
    workbook = load_workbook(out / "汇总.xlsx")
    assert workbook.sheetnames[:3] == ["排名", "要求矩阵", "要求统计"]
    ranking = workbook["排名"]
    assert ranking.max_row == 31 and len(ranking._charts) == 1         # 29 ranked, 第3镇 last as 冲突 (issue 17)
    assert [ranking.cell(31, c).value for c in (1, 3, 5)] == ["—", "第3镇", "冲突"]
    matrix = workbook["要求矩阵"]
    # R20–R22 are the county's (issue 16 item 8): their own sheet, not columns of the township matrix
    assert [c.value for c in matrix[1]][2:] == [f"R{n:02d}" for n in range(1, 20)]
    assert "县市职责" in workbook.sheetnames
    assert matrix["C2"].fill.fgColor.rgb.endswith("C6EFCE")      # R01 pass is green


def test_county_duties_are_unknown_without_a_county_register(batch_run):
    _, out, _ = batch_run
    rollup = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    # issue 16 item 8: R20–R22 are the county's; each township lists them as na (not scored), and the
    # roll-up's county section holds their verdict: unknown without a county register
    for township in rollup["townships"]:
        assert [r["status"] for r in township["requirements"][19:]] == ["na"] * 3
    assert [r["status"] for r in rollup["county_duties"]["requirements"]] == ["unknown"] * 3


def _small_batch(root: Path, names: list[str], period: str = "2024Q2", breaker=None) -> Path:
    folder = root / f"regs-{period}"
    folder.mkdir()
    for name in names:
        reg = compliant("伊宁市", name, "镇", period)
        if breaker:
            breaker(name, reg)
        reg.save(folder / f"{name}.xlsx")
    return folder


def test_county_register_judges_r20_to_r22(tmp_path):
    names = ["甲镇", "乙镇", "丙镇"]
    folder = _small_batch(tmp_path, names)
    county = county_register(names, supervised=["甲镇", "伊宁市乙镇"]).save(tmp_path / "county.xlsx")
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--county-register", str(county), "--format", "json")
    assert result.code == 0, result.err
    rollup = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    checks: dict = {}
    for r in rollup["county_duties"]["requirements"]:
        for c in r["checks"]:
            checks.setdefault(c["township"], {})[c["id"]] = c
    assert checks["甲镇"]["R20.1"]["status"] == "pass"
    assert checks["甲镇"]["R21.1"]["status"] == "pass" and checks["乙镇"]["R21.1"]["status"] == "pass"
    assert checks["丙镇"]["R21.1"]["status"] == "fail"
    assert "伊宁市丙镇" in checks["丙镇"]["R21.1"]["message"]
    assert checks["丙镇"]["R21.1"]["evidence"][0]["sheet"] == "督导考评"
    assert checks["甲镇"]["R22.1"]["status"] == "unknown"        # no --baseline
    assert "伊宁市丙镇" in (out / "汇总.md").read_text(encoding="utf-8")


def test_baseline_gives_the_change_and_r22(tmp_path):
    names = ["甲镇", "乙镇"]

    def worse(name, reg):
        if name == "乙镇":
            reg.sheets["责任人"].rows = [r for r in reg.sheets["责任人"].rows if r[3] != "主要责任人"]

    q1 = _small_batch(tmp_path, names, "2024Q1", worse)
    config = tmp_path / "fireaudit.toml"        # a pass line every complete township clears
    config.write_text("[scoring]\npass_line = 20\n", encoding="utf-8")
    run_cli("batch", str(q1), "-o", str(tmp_path / "q1"), "--format", "json")
    q2 = _small_batch(tmp_path, names, "2024Q2")
    county = county_register(names, sanctioned=[]).save(tmp_path / "county.xlsx")
    out = tmp_path / "q2"
    result = run_cli("batch", str(q2), "-o", str(out), "--format", "json", "--county-register", str(county),
                     "--baseline", str(tmp_path / "q1" / "汇总.json"), "--config", str(config))
    assert result.code == 0, result.err
    rollup = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    diff = {d["township"]: d for d in rollup["baseline"]}
    # R20–R22 are the county's (issue 16 item 8): never a township's gap, so never in its change
    assert diff["乙镇"]["closed_gaps"] == ["R01"] and diff["乙镇"]["change"] > 0
    assert diff["甲镇"]["new_gaps"] == [] and diff["甲镇"]["closed_gaps"] == []
    r22 = {c["township"]: c for r in rollup["county_duties"]["requirements"] for c in r["checks"]
           if c["id"] == "R22.1"}
    assert r22["乙镇"]["status"] == "fail"             # critical fail last quarter, no 通报
    assert r22["甲镇"]["status"] == "pass"
    assert "## 与上季度相比" in (out / "汇总.md").read_text(encoding="utf-8")

    sanctioned = county_register(names, sanctioned=["乙镇"]).save(tmp_path / "county2.xlsx")
    again = run_cli("batch", str(q2), "-o", str(tmp_path / "q2b"), "--format", "json", "--county-register",
                    str(sanctioned), "--baseline", str(tmp_path / "q1" / "汇总.json"), "--config", str(config))
    assert again.code == 0
    rollup = json.loads((tmp_path / "q2b" / "汇总.json").read_text(encoding="utf-8"))
    r22 = [c for r in rollup["county_duties"]["requirements"] for c in r["checks"] if c["id"] == "R22.1"]
    assert len(r22) == 2 and all(c["status"] == "pass" for c in r22)


def test_bad_baseline_is_a_usage_error(tmp_path):
    folder = _small_batch(tmp_path, ["甲镇"])
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    result = run_cli("batch", str(folder), "-o", str(tmp_path / "o"), "--baseline", str(bad))
    assert result.code == 2 and "bad.json" in result.err


def test_waivers_apply_until_they_expire_and_are_listed(tmp_path):
    folder = _small_batch(tmp_path, ["甲镇"], breaker=lambda n, reg: reg.profile.update({"建立消防安全档案": "否"}))
    config = tmp_path / "fireaudit.toml"
    config.write_text(
        '[[waivers]]\ncounty = "伊宁市"\ntownship = "甲镇"\ncheck = "R04.5"\nreason = "档案室在建"\n'
        'approver = "县消防救援大队 王队长"\nexpires = 2024-12-31\n\n'
        '[[waivers]]\ncounty = "伊宁市"\ntownship = "甲镇"\ncheck = "R01.1"\nreason = "旧豁免"\n'
        'approver = "某人"\nexpires = 2024-01-31\n\n'
        '[[waivers]]\ncounty = "霍城县"\ntownship = "惠远镇"\ncheck = "R06.1"\nreason = "不在本批"\n'
        'approver = "某人"\nexpires = 2025-01-31\n', encoding="utf-8")
    path = folder / "甲镇.xlsx"
    data = json.loads(run_cli("check", str(path), "--format", "json", "--config", str(config)).out)
    township = data["townships"][0]
    r045 = next(c for r in township["requirements"] for c in r["checks"] if c["id"] == "R04.5")
    assert r045["status"] == "na"
    assert r045["waiver"] == {"reason": "档案室在建", "approver": "县消防救援大队 王队长", "expires": "2024-12-31"}
    assert any(n["code"] == "waiver-expired" and "R01.1" in n["detail"] for n in township["notes"])
    assert any(n["code"] == "waiver-unmatched" and "惠远镇" in n["detail"] for n in data["notes"])
    assert run_cli("check", str(path), "--config", str(config)).code == 0
    assert run_cli("check", str(path)).code == 1


def test_waiver_for_an_unknown_check_is_a_config_error(tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text('[[waivers]]\ncounty = "伊宁市"\ntownship = "甲镇"\ncheck = "R04.55"\nreason = "x"\n'
                      'approver = "y"\nexpires = 2024-12-31\n', encoding="utf-8")
    result = run_cli("requirements", "--config", str(config))
    assert result.code == 2 and "R04.55" in result.err


def test_junit_has_a_suite_per_township_and_a_case_per_requirement(tmp_path):
    from junitparser import JUnitXml

    good = compliant().save(tmp_path / "good.xlsx")
    reg = compliant("伊宁市", "乙镇")
    reg.profile["建立消防安全档案"] = "否"
    bad = reg.save(tmp_path / "bad.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("x", encoding="utf-8")
    result = run_cli("check", str(good), str(bad), str(broken), "--format", "junit")
    assert result.code == 3
    report = tmp_path / "report.xml"
    report.write_text(result.out, encoding="utf-8")
    xml = JUnitXml.fromfile(str(report))
    suites = list(xml)
    assert [s.name for s in suites] == ["伊宁市潘津镇 2024Q2", "伊宁市乙镇 2024Q2", str(broken)]
    assert [s.tests for s in suites] == [23, 23, 1]
    assert [s.failures for s in suites] == [0, 1, 0] and suites[2].errors == 1
    failed = [case for case in suites[1] if case.result and case.result[0]._tag == "failure"]
    assert [case.name.split()[0] for case in failed] == ["R04"]
    assert "R04.5" in failed[0].result[0].text


def test_batch_continues_past_every_hostile_file(tmp_path):
    from tests.hostile.makers import HOSTILE

    makers = tmp_path / "makers"          # the makers leave source files beside what they build
    makers.mkdir()
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name, (make, _) in HOSTILE.items():
        make(makers / name).rename(folder / name)
    compliant().save(folder / "good.xlsx")
    result = run_cli("batch", str(folder), "-o", str(tmp_path / "out"), "--format", "json", "--jobs", "2")
    assert result.code == 3
    rollup = json.loads((tmp_path / "out" / "汇总.json").read_text(encoding="utf-8"))
    assert [t["township"] for t in rollup["townships"]] == ["潘津镇"]
    assert sorted(Path(u["file"]).name for u in rollup["unreadable"]) == sorted(HOSTILE)


def test_output_that_cannot_be_created_is_a_clear_error(tmp_path):
    folder = _small_batch(tmp_path, ["甲镇"])
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("batch", str(folder), "-o", str(blocker / "out"), "--format", "json")
    assert result.code == 2 and "无法把报告写入" in result.err and "Traceback" not in result.err


def test_disk_full_mid_batch_leaves_no_partial_files_and_says_what_finished(tmp_path, monkeypatch, capsys):
    """The second report's rename fails (ENOSPC): the first stays whole, no temp file is left."""
    import errno
    import sys

    from fireaudit import cli
    from fireaudit.reports import files

    folder = _small_batch(tmp_path, ["甲镇", "乙镇"])
    out = tmp_path / "out"
    real_replace = files.os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", failing_replace)
    monkeypatch.setattr(sys, "argv", ["fireaudit", "batch", str(folder), "-o", str(out), "--format", "json",
                                      "--jobs", "1", "--lang", "en"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "finished 1 of 2" in err
    (left,) = list(out.iterdir())                    # one complete report, no temporary file
    assert left.name in ("伊宁市-甲镇-2024Q2.json", "伊宁市-乙镇-2024Q2.json")
    assert json.loads(left.read_text(encoding="utf-8"))["tool"] == "fireaudit"
