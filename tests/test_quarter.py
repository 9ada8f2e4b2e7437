"""The county's quarter (issue 17): a batch never reads its own output, a wrong county register stops it,
the roster shows who has not submitted, --prefer settles conflicts, baselines must be earlier quarters
and compare canonically, three quarters give a trend, and two counties give a prefecture roll-up."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.builders import Register, Sheet, compliant, county_register
from tests.cli_helper import run_cli

FIXED_TIME = {"SOURCE_DATE_EPOCH": ""}   # the run time is compared away, not fixed


def _folder(root: Path, townships: list[tuple[str, str]], period: str = "2024Q2", name: str = "in") -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for county, township in townships:
        compliant(county, township, "镇", period).save(folder / f"{county}{township}.xlsx")
    return folder


def _rollup(out: Path) -> dict:
    return json.loads((out / "汇总.json").read_text(encoding="utf-8"))


def _with_roster(names: list[tuple[str, str]], roster: list[tuple[str, str]]) -> Register:
    register = county_register([t for _, t in names])
    sheet = Sheet(["县市", "乡镇街道", "类型"], title="乡镇名册")
    for county, township in roster:
        sheet.add(县市=county, 乡镇街道=township, 类型="镇")
    register.sheets["乡镇名册"] = sheet
    return register


# ---------------------------------------------------------------- item 1: never its own output
def test_a_batch_run_twice_into_an_output_inside_its_input_gives_the_same_result(tmp_path):
    folder = _folder(tmp_path, [("伊宁市", "甲镇"), ("伊宁市", "乙镇")])
    (folder / "~$伊宁市甲镇.xlsx").write_bytes(b"lock")
    out = folder / "报告"
    args = ("batch", str(folder), "-o", str(out), "--annotate", "--format", "json,xlsx", "--jobs", "2")
    first = run_cli(*args)
    assert first.code == 0, first.err
    before = _rollup(out)
    second = run_cli(*args)
    assert second.code == 0, second.err          # no 无法读取, no conflict with the -批注 copies
    after = _rollup(out)

    def comparable(data: dict) -> dict:
        return {k: v for k, v in data.items() if k not in ("generated_at", "skipped")}

    assert comparable(after) == comparable(before)
    assert sorted(t["township"] for t in after["townships"]) == ["乙镇", "甲镇"]
    reasons = {Path(s["file"]).name: s["reason"] for s in after["skipped"]}
    assert reasons["~$伊宁市甲镇.xlsx"] == "lock"
    assert reasons["伊宁市-甲镇-2024Q2-批注.xlsx"] == "output" and reasons["汇总.xlsx"] == "output"
    assert [s["reason"] for s in before["skipped"]] == ["lock"]
    notes = (out / "汇总.md").read_text(encoding="utf-8")
    assert "## 说明" in notes and "输出目录中的文件" in notes and "Office 锁定文件1个" in notes
    third = run_cli(*args)
    assert third.code == 0 and {k: v for k, v in _rollup(out).items() if k != "generated_at"} \
        == {k: v for k, v in after.items() if k != "generated_at"}


def test_output_into_the_input_folder_itself_is_refused_before_any_write(tmp_path):
    # issue 20 (main): -o equal to the input folder is exit 2, nothing written; fireaudit's own files among the
    # inputs are still recognised by provenance alone (next test), and -o inside the input is skipped (above)
    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    before = sorted(p.name for p in folder.iterdir())
    result = run_cli("batch", str(folder), "-o", str(folder), "--annotate", "--format", "json,xlsx")
    assert result.code == 2 and "输入文件夹" in result.err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_files_fireaudit_wrote_are_known_by_their_provenance_not_their_name(tmp_path):
    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    out = tmp_path / "out"
    assert run_cli("batch", str(folder), "-o", str(out), "--annotate", "--format", "xlsx").code == 0
    # a clerk copies the report, the roll-up and the annotated copy back into the folder, renamed
    shutil.copy(out / "伊宁市-甲镇-2024Q2-批注.xlsx", folder / "甲镇台账（修改稿）.xlsx")
    shutil.copy(out / "伊宁市-甲镇-2024Q2.xlsx", folder / "甲镇.xlsx")
    shutil.copy(out / "汇总.xlsx", folder / "上季度.xlsx")
    again = run_cli("batch", str(folder), "-o", str(tmp_path / "out2"), "--format", "json")
    assert again.code == 0, again.err
    rollup = _rollup(tmp_path / "out2")
    assert len(rollup["townships"]) == 1 and rollup["conflicts"] == []
    assert sorted(Path(s["file"]).name for s in rollup["skipped"] if s["reason"] == "fireaudit") \
        == ["上季度.xlsx", "甲镇.xlsx", "甲镇台账（修改稿）.xlsx"]


def test_an_annotated_copy_the_township_corrected_and_saved_again_is_audited(tmp_path):
    from openpyxl import load_workbook

    from fireaudit.reports.files import written_by_fireaudit

    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    out = tmp_path / "out"
    assert run_cli("batch", str(folder), "-o", str(out), "--annotate", "--format", "json").code == 0
    copy = out / "伊宁市-甲镇-2024Q2-批注.xlsx"
    assert written_by_fireaudit(copy)
    workbook = load_workbook(copy)            # the township fixes its register in the copy and saves it
    workbook.properties.modified = workbook.properties.modified.replace(year=2030)
    resubmitted = tmp_path / "resubmitted"
    resubmitted.mkdir()
    workbook.save(resubmitted / "甲镇（整改后）.xlsx")
    assert not written_by_fireaudit(resubmitted / "甲镇（整改后）.xlsx")
    # one test of ownership for both questions: saved again where fireaudit put it, the copy is no longer
    # fireaudit's to replace (issue 20: never overwrite a file fireaudit did not write as it stands)
    shutil.copy(resubmitted / "甲镇（整改后）.xlsx", copy)
    again = run_cli("batch", str(folder), "-o", str(out), "--annotate", "--format", "json")
    assert again.code == 2 and "拒绝覆盖" in again.err, again.err


def test_a_filled_template_is_not_taken_for_fireaudit_output(tmp_path):
    from fireaudit.reports.files import written_by_fireaudit

    template = tmp_path / "模板.xlsx"
    assert run_cli("template", "-o", str(template)).code == 0
    assert run_cli("template", "--county-register", "-o", str(tmp_path / "县市.xlsx")).code == 0
    assert not written_by_fireaudit(template) and not written_by_fireaudit(tmp_path / "县市.xlsx")


# ---------------------------------------------------------------- item 2: the county register
def test_template_county_register_writes_the_county_sheets(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "county.xlsx"
    result = run_cli("template", "--county-register", "-o", str(path))
    assert result.code == 0, result.err
    assert {"督导考评", "奖惩", "典型样板", "乡镇名册"} <= set(load_workbook(path).sheetnames)
    _assert_prints(path)


def _assert_prints(path: Path) -> None:
    """Every visible sheet prints A4 landscape, one page wide, with 第&P页 共&N页 (reports/print_setup.py)."""
    from openpyxl import load_workbook

    for sheet in load_workbook(path).worksheets:
        if sheet.sheet_state != "visible":
            continue
        setup = sheet.page_setup
        assert (setup.orientation, str(setup.paperSize), str(setup.fitToWidth)) == ("landscape", "9", "1"), \
            (path.name, sheet.title)
        assert "第&P页 共&N页" in sheet.oddFooter.left.text + sheet.oddFooter.right.text, (path.name, sheet.title)


def test_a_township_workbook_given_as_the_county_register_is_exit_2_before_any_work(tmp_path):
    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    township = compliant("伊宁市", "潘津镇", "镇", "2024Q2").save(tmp_path / "县市台账.xlsx")
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--county-register", str(township))
    assert result.code == 2, result.err
    assert "这是乡镇台账（伊宁市潘津镇）" in result.err and not out.exists()
    missing = run_cli("batch", str(folder), "-o", str(out), "--county-register", str(tmp_path / "无此文件.xlsx"))
    assert missing.code == 2 and "无此文件.xlsx：文件不存在" in missing.err and not out.exists()


def test_a_missing_notice_template_is_exit_2_before_any_work(tmp_path):
    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--format", "docx", "--templates", str(tmp_path))
    assert result.code == 2 and "notice.docx" in result.err and not out.exists()


# ---------------------------------------------------------------- item 3: who has not submitted
def test_roster_lists_townships_not_submitted_and_not_in_roster(tmp_path):
    sent = [("伊宁市", "甲镇"), ("伊宁市", "乙镇"), ("伊宁市", "戊镇")]
    folder = _folder(tmp_path, sent)
    county = _with_roster(sent, [("伊宁市", "甲镇"), ("伊宁市", " 乙镇\u200b"), ("伊犁州伊宁市", "丁镇")]) \
        .save(tmp_path / "county.xlsx")
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--county-register", str(county), "--format", "json")
    assert result.code == 0, result.err
    rollup = _rollup(out)
    assert [(p["county"], p["township"], p["source"]) for p in rollup["not_submitted"]] \
        == [("伊犁州伊宁市", "丁镇", "乡镇名册!B5")]
    assert [p["township"] for p in rollup["not_in_roster"]] == ["戊镇"]
    text = (out / "汇总.md").read_text(encoding="utf-8")
    ranking = text.split("## 得分排名")[1].split("\n## ")[0]
    rows = [line for line in ranking.splitlines() if line.startswith("| ") and "镇" in line]
    assert "丁镇" in rows[-1] and "未报送" in rows[-1] and rows[-1].startswith("| — |")
    assert "## 未报送的乡镇（街道）" in text and "## 名册外的乡镇（街道）" in text


def test_roster_from_fireaudit_toml(tmp_path):
    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    config = tmp_path / "fireaudit.toml"
    config.write_text('[[roster]]\ncounty = "伊宁市"\ntownship = "甲镇"\n\n'
                      '[[roster]]\ncounty = "伊宁市"\ntownship = "乙镇"\nkind = "镇"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--config", str(config), "--format", "json")
    assert result.code == 0, result.err
    rollup = _rollup(out)
    assert [p["township"] for p in rollup["not_submitted"]] == ["乙镇"] and rollup["not_in_roster"] == []
    config.write_text('[[roster]]\ncounty = "伊宁市"\ntownship = "甲镇"\n\n'
                      '[[roster]]\ncounty = "伊宁市"\ntownship = "甲 镇"\n', encoding="utf-8")
    twice = run_cli("batch", str(folder), "-o", str(out), "--config", str(config))
    assert twice.code == 2 and "roster[1]" in twice.err and "重复列出" in twice.err


def test_without_a_roster_the_rollup_says_it_cannot_tell(tmp_path):
    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    out = tmp_path / "out"
    assert run_cli("batch", str(folder), "-o", str(out), "--format", "json").code == 0
    assert _rollup(out)["not_submitted"] is None
    assert "无法判断哪些乡镇（街道）未报送" in (out / "汇总.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- item 4: --prefer
@pytest.fixture
def two_versions(tmp_path):
    """甲镇 twice for one period: 初稿 (older, bigger) and 终稿 (newer)."""
    folder = _folder(tmp_path, [("伊宁市", "乙镇")])
    draft = compliant("伊宁市", "甲镇", "镇", "2024Q2")
    draft.sheets["演练"].rows = draft.sheets["演练"].rows * 3
    draft.save(folder / "甲镇初稿.xlsx")
    compliant("伊宁市", "甲镇", "镇", "2024Q2").save(folder / "甲镇终稿.xlsx")
    os.utime(folder / "甲镇初稿.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(folder / "甲镇终稿.xlsx", (1_710_000_000, 1_710_000_000))
    assert (folder / "甲镇初稿.xlsx").stat().st_size > (folder / "甲镇终稿.xlsx").stat().st_size
    return folder


@pytest.mark.parametrize("rule, kept", [("newest", "甲镇终稿.xlsx"), ("largest", "甲镇初稿.xlsx"),
                                        ("*终稿*", "甲镇终稿.xlsx")])
def test_prefer_chooses_the_workbook_that_stands(two_versions, tmp_path, rule, kept):
    out = tmp_path / "out"
    result = run_cli("batch", str(two_versions), "-o", str(out), "--prefer", rule, "--format", "json")
    assert result.code == 0, result.err
    rollup = _rollup(out)
    files = {t["township"]: Path(t["file"]).name for t in rollup["townships"]}
    assert files["甲镇"] == kept and rollup["conflicts"] == []
    (superseded,) = rollup["superseded"]
    assert Path(superseded["kept"]).name == kept and superseded["rule"] == rule
    assert [Path(f).name for f in superseded["files"]] == [({"甲镇初稿.xlsx", "甲镇终稿.xlsx"} - {kept}).pop()]
    assert "按规则取舍的台账" in (out / "汇总.md").read_text(encoding="utf-8")


def test_prefer_from_fireaudit_toml_and_a_glob_matching_nothing_leaves_the_conflict(two_versions, tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text('[batch]\nprefer = "largest"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("batch", str(two_versions), "-o", str(out), "--config", str(config), "--format", "json").code == 0
    assert Path(_rollup(out)["superseded"][0]["kept"]).name == "甲镇初稿.xlsx"
    unsettled = run_cli("batch", str(two_versions), "-o", str(out), "--prefer", "*定稿*", "--format", "json")
    assert unsettled.code == 3
    rollup = _rollup(out)
    assert len(rollup["conflicts"]) == 1 and rollup["superseded"] == []
    assert rollup["ranked_last"] == [{"county": "伊宁市", "township": "甲镇", "mark": "conflict"}]


def test_without_a_rule_a_conflict_stays_in_the_ranking_as_conflict(two_versions, tmp_path):
    out = tmp_path / "out"
    result = run_cli("batch", str(two_versions), "-o", str(out), "--format", "json")
    assert result.code == 3 and "甲镇初稿.xlsx" in result.err and "甲镇终稿.xlsx" in result.err
    ranking = (out / "汇总.md").read_text(encoding="utf-8").split("## 得分排名")[1].split("\n## ")[0]
    assert any("甲镇" in line and "冲突" in line for line in ranking.splitlines())


# ---------------------------------------------------------------- item 5: baselines that can be trusted
def _quarter(tmp_path: Path, period: str, names=(("伊宁市", "甲镇"), ("伊宁市", "乙镇")), breaker=None) -> Path:
    folder = tmp_path / f"in-{period}"
    folder.mkdir()
    for county, township in names:
        reg = compliant(county, township, "镇", period)
        if breaker:
            breaker(township, reg)
        reg.save(folder / f"{township}.xlsx")
    out = tmp_path / f"out-{period}"
    result = run_cli("batch", str(folder), "-o", str(out), "--format", "json")
    assert result.code == 0, result.err
    return out / "汇总.json"


@pytest.mark.parametrize("baseline_period", ["2024Q2", "2024Q3"])
def test_a_baseline_from_the_same_or_a_later_period_is_exit_2_naming_both(tmp_path, baseline_period):
    baseline = _quarter(tmp_path, baseline_period)
    folder = _folder(tmp_path, [("伊宁市", "甲镇")], "2024Q2", "now")
    out = tmp_path / "out"
    for extra in ((), ("--period", "2024Q2")):   # found after auditing, or before any work
        result = run_cli("batch", str(folder), "-o", str(out), "--baseline", str(baseline), *extra)
        assert result.code == 2, result.err
        assert baseline_period in result.err and "2024Q2" in result.err and "--baseline" in result.err
        assert not (out / "汇总.json").exists()


def test_three_quarters_of_baselines_give_the_trend(tmp_path):
    def drop_drills(township, reg):
        if township == "乙镇":
            reg.sheets["演练"].rows = []

    baselines = [_quarter(tmp_path, "2024Q1", breaker=drop_drills), _quarter(tmp_path, "2024Q2"),
                 _quarter(tmp_path, "2024Q3", breaker=drop_drills)]
    folder = _folder(tmp_path, [("伊宁市", "甲镇"), ("伊宁市", "乙镇")], "2024Q4", "now")
    out = tmp_path / "out"
    args = [a for b in reversed(baselines) for a in ("--baseline", str(b))]   # any order
    result = run_cli("batch", str(folder), "-o", str(out), "--format", "json", *args)
    assert result.code == 0, result.err
    rollup = _rollup(out)
    assert rollup["trend"]["periods"] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    scores = {t["township"]: t["scores"] for t in rollup["trend"]["townships"]}
    assert scores["乙镇"][0] < scores["乙镇"][1] and scores["乙镇"][2] < scores["乙镇"][3]
    assert scores["甲镇"][0] == scores["甲镇"][3]
    diff = {d["township"]: d for d in rollup["baseline"]}
    assert diff["乙镇"]["previous_period"] == "2024Q3" and diff["乙镇"]["change"] > 0
    text = (out / "汇总.md").read_text(encoding="utf-8")
    assert "## 近几个季度得分" in text and "| 2024Q1 | 2024Q2 | 2024Q3 | 2024Q4 |" in text

    from openpyxl import load_workbook

    sheet = load_workbook(out / "汇总.xlsx")["得分趋势"]
    assert [c.value for c in sheet[1]] == ["乡镇（街道）", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "趋势"]
    assert len(sheet._charts) == 1


def test_a_fourth_earlier_quarter_is_left_out_of_the_trend(tmp_path):
    from fireaudit.period import Period
    from fireaudit.quarter import trend

    ordered = [(Period(2024, q), f"b{q}", {"period": f"2024Q{q}", "townships": []}) for q in (1, 2, 3, 4)]
    periods, rows = trend([], ordered, Period(2025, 1))
    assert periods == ("2024Q2", "2024Q3", "2024Q4", "2025Q1") and rows == ()


def _audit(county: str, township: str, statuses: dict[str, str], score: float = 80.0):
    from fireaudit.result import RequirementResult, TownshipAudit

    return TownshipAudit("f.xlsx", county, township, "镇", "2024Q2", score, None,
                         tuple(RequirementResult(i, s, "major", 1.0, ()) for i, s in statuses.items()), (), ())


def test_a_status_that_gets_worse_is_a_new_problem_and_county_duties_are_not_the_townships():
    from fireaudit.audit import load_checklist
    from fireaudit.quarter import compare

    now = _audit("伊宁市", "潘津镇", {"R01": "fail", "R02": "fail", "R03": "partial", "R04": "unknown",
                                     "R05": "pass", "R20": "fail", "R21": "pass"})
    before = {"period": "2024Q1", "townships": [{
        "county": "伊犁州伊宁市", "township": "潘津镇\u200b", "score": 70.0, "period": "2024Q1",
        "requirements": [{"id": "R01", "status": "unknown"}, {"id": "R02", "status": "partial"},
                         {"id": "R03", "status": "unknown"}, {"id": "R04", "status": "fail"},
                         {"id": "R05", "status": "fail"}, {"id": "R20", "status": "pass"},
                         {"id": "R21", "status": "fail"}]}]}
    (change,) = compare([now], before, load_checklist())
    assert change.in_baseline and change.change == 10.0            # matched despite 伊犁州 and a zero-width space
    assert change.new_gaps == ("R01", "R02", "R03")                # unknown→fail, partial→fail, unknown→partial
    assert change.closed_gaps == ("R05",)                          # R04 fail→unknown is not closed, nor new
    assert {c["id"] for c in change.changed} == {"R01", "R02", "R03", "R04", "R05"}   # no R20/R21


def test_places_match_without_the_county_suffix_only_when_unambiguous():
    from fireaudit.quarter import PlaceIndex

    index = PlaceIndex([("伊宁市", "潘津镇", "a"), ("伊宁县", "英塔木镇", "b"), ("伊宁市", "英塔木镇", "c")])
    assert index.get("伊宁", "潘津镇") == "a" and index.get("伊犁州 伊宁市", "潘津镇") == "a"
    assert index.get("伊宁", "英塔木镇") is None                   # 伊宁市 or 伊宁县: no guess
    assert index.get("伊宁县", "英塔木镇") == "b"


# ---------------------------------------------------------------- item 6: the prefecture
def test_a_two_county_batch_gets_county_rollups_and_the_prefectures(tmp_path):
    sent = [("伊宁市", "甲镇"), ("伊宁市", "乙镇"), ("霍城县", "丙镇")]
    folder = _folder(tmp_path, sent)
    reg = compliant("霍城县", "丁镇", "镇", "2024Q2")
    reg.sheets["演练"].rows = []
    reg.save(folder / "霍城县丁镇.xlsx")
    county = _with_roster(sent, [*sent, ("霍城县", "丁镇"), ("霍城县", "戊镇")]).save(tmp_path / "county.xlsx")
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--county-register", str(county), "--format", "json")
    assert result.code == 0, result.err
    for name in ("伊宁市", "霍城县"):
        assert {p.name for p in (out / name).iterdir()} == {"汇总.json", "汇总.md", "汇总.xlsx"}
    huocheng = _rollup(out / "霍城县")
    assert {t["township"] for t in huocheng["townships"]} == {"丙镇", "丁镇"}
    assert [p["township"] for p in huocheng["not_submitted"]] == ["戊镇"]
    top = _rollup(out)
    assert len(top["townships"]) == 4                              # a later batch's --baseline
    counties = top["prefecture"]["counties"]
    assert [c["county"] for c in counties] == ["伊宁市", "霍城县"]  # ranked by mean score
    assert counties[0]["mean_score"] > counties[1]["mean_score"]
    assert counties[1]["not_submitted"] == 1 and top["prefecture"]["totals"]["not_submitted"] == 1
    assert set(counties[0]["pass_share"]) == {f"R{n:02d}" for n in range(1, 20)}
    assert set(counties[0]["county_duties"]) == {"R20", "R21", "R22"}
    text = (out / "汇总.md").read_text(encoding="utf-8")
    for heading in ("## 县市排名（按乡镇平均得分）", "## 县市×要求（达标乡镇占比）", "## 县市职责（R20–R22）",
                    "## 未报送的乡镇（街道）"):
        assert heading in text

    from openpyxl import load_workbook

    workbook = load_workbook(out / "汇总.xlsx")
    assert workbook.sheetnames[:3] == ["县市排名", "县市要求矩阵", "县市职责"]
    matrix = workbook["县市要求矩阵"]
    assert [c.value for c in matrix[1]] == ["县市", *[f"R{n:02d}" for n in range(1, 20)]]
    for path in (out / "汇总.xlsx", out / "霍城县" / "汇总.xlsx"):   # the prefecture's and a county's with 报送情况
        _assert_prints(path)
    assert "报送情况" in load_workbook(out / "霍城县" / "汇总.xlsx").sheetnames
    assert "county_duties" in huocheng and "not_submitted" in huocheng   # both sides' keys in one roll-up JSON

    english = run_cli("batch", str(folder), "-o", str(tmp_path / "en"), "--county-register", str(county),
                      "--format", "json", "--lang", "en")
    assert english.code == 0, english.err
    text = (tmp_path / "en" / "汇总.md").read_text(encoding="utf-8")
    assert "## Counties ranked by mean township score" in text and "## County duties (R20–R22)" in text
    assert "Townships that have not submitted" in (tmp_path / "en" / "霍城县" / "汇总.md").read_text(encoding="utf-8")


def test_baselines_must_each_know_their_period_and_not_share_one():
    from fireaudit.errors import ConfigError
    from fireaudit.quarter import batch_period, order_baselines

    q1 = {"period": "2024Q1", "townships": []}
    mixed = {"period": None, "townships": [{"period": "2024Q1"}, {"period": "2024Q2"}]}
    implied = {"period": None, "townships": [{"period": "2023Q4"}]}
    assert [str(p) for p, _, _ in order_baselines([("a", q1), ("b", implied)])] == ["2023Q4", "2024Q1"]
    with pytest.raises(ConfigError, match="看不出这份基准汇总是哪个报告期"):
        order_baselines([("mixed.json", mixed)])
    with pytest.raises(ConfigError, match="同一报告期 2024Q1"):
        order_baselines([("a.json", q1), ("b.json", dict(q1))])
    townships = [_audit("伊宁市", "甲镇", {}), _audit("伊宁市", "乙镇", {})]
    townships[1] = townships[1].__class__(**{**townships[1].__dict__, "period": "2024Q3"})
    with pytest.raises(ConfigError, match="多个报告期"):
        batch_period(None, townships)


def test_batch_takes_the_countys_notice_template(tmp_path):
    from docx import Document

    from fireaudit.resources import data_dir

    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(data_dir("report_templates") / "notice.docx", templates / "notice.docx")
    document = Document(str(templates / "notice.docx"))
    document.add_paragraph("伊宁市应急管理局自定义模板")
    document.save(str(templates / "notice.docx"))
    folder = _folder(tmp_path, [("伊宁市", "甲镇")])
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--format", "docx", "--templates", str(templates))
    assert result.code == 0, result.err
    (notice,) = out.glob("*整改通知书.docx")
    assert "伊宁市应急管理局自定义模板" in "\n".join(p.text for p in Document(str(notice)).paragraphs)
