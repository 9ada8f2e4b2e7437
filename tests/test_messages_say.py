"""Messages that say what happened (issue 18, item 3): every point of the item, in both languages where
the message is ours.

In process through typer's CliRunner (tests/cli_helper.run_cli); a real process only where one matters:
a reader closing the pipe (`| head`) and Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.builders import compliant
from tests.cli_helper import ENV, ROOT, run_cli


@pytest.fixture
def not_a_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    return path


# ---------------------------------------------------------------- check on a file that could not be read
@pytest.mark.parametrize("lang, could_not, no_gap", [("zh", "有1个文件无法读取", "未发现"),
                                                     ("en", "1 file(s) could not be read", "No gap")])
def test_check_on_an_unreadable_file_never_says_no_gap_and_exits_3(not_a_workbook, lang, could_not, no_gap):
    result = run_cli("check", str(not_a_workbook), "--lang", lang)
    assert result.code == 3, result.out + result.err
    assert could_not in result.out and no_gap not in result.out, result.out


def test_check_beside_a_readable_clean_file_says_the_rest_had_no_gap(not_a_workbook, good):
    result = run_cli("check", str(not_a_workbook), str(good))
    assert result.code == 3
    assert "其余1个文件未发现达到“较重”及以上的问题。" in result.out
    assert "有1个文件无法读取，未能核验" in result.out
    assert "\n未发现达到" not in "\n" + result.out, result.out   # never a bare 未发现…问题


def test_check_with_gaps_and_an_unreadable_file_counts_both(not_a_workbook, gappy):
    result = run_cli("check", str(gappy), str(not_a_workbook))
    assert result.code == 3
    assert "发现2项达到“较重”及以上的问题。" in result.out and "有1个文件无法读取" in result.out


# ---------------------------------------------------------------- --fail-on none lists, only the exit code changes
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fail_on_none_still_lists_every_finding(gappy, lang):
    listed = run_cli("check", str(gappy), "--fail-on", "none", "--lang", lang)
    advisory = run_cli("check", str(gappy), "--fail-on", "advisory", "--lang", lang)
    assert listed.code == 0 and advisory.code == 1
    lines = [line for line in listed.out.splitlines() if line.startswith(str(gappy))]
    assert [line.split()[1] for line in lines] == ["R04.5", "R06.2", "R06.3"], listed.out
    assert lines == [line for line in advisory.out.splitlines() if line.startswith(str(gappy))]
    last = listed.out.strip().splitlines()[-1]
    assert "3" in last and "none" in last and ("不影响退出码" in last if lang == "zh" else "exit code" in last)


def test_fail_on_none_on_a_clean_register_says_none_found(good):
    result = run_cli("check", str(good), "--fail-on", "none")
    assert result.code == 0 and result.out.strip() == "未发现问题。", result.out


# ---------------------------------------------------------------- a value filled but not understood is not 未填写
RAW = "？不详"


@pytest.fixture
def garbled(tmp_path):
    reg = compliant()
    for key in ("类型", "建成区面积（平方公里）", "全国重点镇", "建立消防安全档案", "执法权责清单公布日期"):
        reg.profile[key] = RAW
    reg.sheets["村社区"].set(0, "防火安全公约", RAW)
    reg.sheets["消防队伍"].set(0, "队员人数", RAW)
    return reg.save(tmp_path / "garbled.xlsx")


BLANK = re.compile(r"未填写?[“类]|not filled in|No 类型")   # 未填写“X”、未填类型, and the English ones


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_value_not_understood_is_never_called_blank_anywhere(garbled, tmp_path, lang):
    out = tmp_path / f"out-{lang}"
    audit = run_cli("audit", str(garbled), "-o", str(out), "--format", "md,xlsx,json", "--annotate", "--lang", lang)
    check = run_cli("check", str(garbled), "--fail-on", "advisory", "--lang", lang)
    assert audit.code == 0 and check.code == 1, audit.out + audit.err + check.err
    texts = [audit.out, check.out, *(p.read_text(encoding="utf-8") for p in out.glob("*.md"))]
    for book in out.glob("*.xlsx"):
        texts += [str(c.value) for sheet in load_workbook(book).worksheets for row in sheet.iter_rows()
                  for c in row if isinstance(c.value, str)]
    found = [m.group(0) for text in texts for m in [BLANK.search(text)] if m]
    assert not found, found
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert RAW in md
    assert ("“类型”填写的“？不详”无法识别" if lang == "zh" else "类型 “？不详” is not understood") in md


def test_a_check_line_without_a_cell_has_no_double_space(tmp_path):
    reg = compliant()
    reg.drop("演练")                                       # findings that point at a sheet, not a cell
    reg.profile.pop("建立消防安全档案")                     # a missing key
    reg.profile["建立消防安全组织"] = RAW
    path = reg.save(tmp_path / "holes.xlsx")
    for lang in ("zh", "en"):
        result = run_cli("check", str(path), "--fail-on", "advisory", "--lang", lang)
        lines = [line for line in result.out.splitlines() if line.startswith(str(path))]
        assert lines, result.out
        assert not [line for line in lines if "  " in line], lines


def test_an_empty_match_leaves_no_double_space_in_english(good):
    result = run_cli("check", str(good), "--period", "2024Q1", "--lang", "en")
    assert "Only 0 record(s) in sheet" in result.out, result.out
    assert not [line for line in result.out.splitlines() if "  " in line], result.out


def test_the_catalogue_drops_an_empty_value_between_two_spaces():
    from fireaudit.i18n import t

    assert t("en", "check.records_in_window.too_few", count=0, match=[], sheet="演练", start="a", end="b",
             min_count=1).startswith("Only 0 record(s) in sheet")
    assert t("en", "check.records_in_window.too_few", count=0, match=["灭火演练"], sheet="演练", start="a", end="b",
             min_count=1).startswith("Only 0 灭火演练 record(s)")


# ---------------------------------------------------------------- --period that is not the register's 报告期
WARNED = {"zh": "台账基本情况!B6填写的报告期不是本次审核的季度：2024Q2 → 2024Q1",
          "en": "The reporting period written in 基本情况!B6 is not the quarter audited: 2024Q2 → 2024Q1"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_period_other_than_the_registers_is_a_warning_in_every_report(good, tmp_path, lang):
    out = tmp_path / "out"
    result = run_cli("audit", str(good), "--period", "2024Q1", "-o", str(out), "--format", "md,xlsx",
                     "--annotate", "--lang", lang)
    assert result.code == 0, result.err
    warning = WARNED[lang]
    assert warning in result.out
    md = (out / "伊宁市-潘津镇-2024Q1.md").read_text(encoding="utf-8")
    head = md.split("\n## ", 1)[0]                       # above the overview, not among the notes at the end
    assert warning in head and ("**注意**" if lang == "zh" else "**Note**") in head, head
    report = load_workbook(out / "伊宁市-潘津镇-2024Q1.xlsx").worksheets[0]
    assert report["A3"].value == ("注意" if lang == "zh" else "Note") and warning in report["B3"].value
    (copy,) = out.glob("*批注.xlsx")
    review = load_workbook(copy).worksheets[0]
    assert any(warning in str(c.value) for row in review.iter_rows(max_row=6) for c in row if c.value)
    check = run_cli("check", str(good), "--period", "2024Q1", "--lang", lang)
    assert [line for line in check.out.splitlines() if warning in line and line.startswith(str(good))]


def test_the_registers_own_period_gives_no_warning(good, tmp_path):
    result = run_cli("audit", str(good), "--period", "2024Q2", "-o", str(tmp_path / "out"), "--format", "md")
    assert "填写的报告期不是本次审核的季度" not in result.out
    md = (tmp_path / "out" / "伊宁市-潘津镇-2024Q2.md").read_text(encoding="utf-8")
    assert "填写的报告期不是本次审核的季度" not in md and "**注意**" not in md


def test_a_period_warning_reaches_the_json_notes(good):
    import json

    data = json.loads(run_cli("audit", str(good), "--period", "2024Q1", "--format", "json").out)
    assert {"code": "period-differs", "detail": "2024Q2 → 2024Q1"}.items() <= data["townships"][0]["notes"][0].items()


# ---------------------------------------------------------------- requirements shows a check by its id
@pytest.mark.parametrize("asked", ["R07.2", "r07.2", " R07.2"])
def test_requirements_shows_one_check_by_its_id(asked):
    result = run_cli("requirements", asked)
    assert result.code == 0, result.err
    assert "R07.2" in result.out and "建设用地面积达到所申报等级的下限" in result.out
    assert "R07.1 " not in result.out and "R07.3 " not in result.out and "R08" not in result.out


def test_requirements_by_requirement_id_lists_all_its_checks():
    result = run_cli("requirements", "R07")
    assert "R07.1" in result.out and "R07.2" in result.out and "R07.3" in result.out


@pytest.mark.parametrize("lang, text", [("zh", "没有编号为 R07.99 的要求或核验项"),
                                        ("en", "There is no requirement or check R07.99")])
def test_an_unknown_id_is_a_usage_error(lang, text):
    result = run_cli("requirements", "R07.99", "--lang", lang)
    assert result.code == 2 and text in result.err, result.err


# ---------------------------------------------------------------- route "" is a usage error, one clean line
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_route_with_an_empty_description_is_exit_2_in_one_clean_line(lang):
    result = run_cli("route", "  ", "--lang", lang)
    assert result.code == 2 and result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "DESCRIPTION" not in result.err and "的值无效" not in result.err and "Invalid value" not in result.err
    if lang == "zh":
        assert lines[0].startswith("fireaudit: 隐患描述为空")
        assert not re.search(r"[A-Za-z]{3,}", lines[0].replace("fireaudit route", "").replace("fireaudit", "")), lines[0]
    else:
        assert "description is empty" in lines[0]


# ---------------------------------------------------------------- an empty batch folder
@pytest.mark.parametrize("lang, text", [("zh", "未找到台账文件"), ("en", "No register found")])
def test_an_empty_batch_folder_is_exit_3(tmp_path, lang, text):
    folder = tmp_path / "empty"
    (folder / "sub").mkdir(parents=True)
    (folder / "readme.txt").write_text("nothing here", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", str(folder), "-o", str(out), "--lang", lang)
    assert result.code == 3, result.out + result.err
    assert text in result.err and str(folder) in result.err
    assert not out.exists() or not any(out.iterdir())      # no empty roll-up


# ---------------------------------------------------------------- audit without -o names the register errors' cells
def test_audit_without_output_names_the_first_ten_register_errors_then_counts(tmp_path):
    reg = compliant()
    for n in range(12):
        reg.sheets["演练"].add(日期=f"？{n}", 组织单位="镇政府", 演练类型="应急疏散演练")
    first = reg.sheets["演练"].cell("日期", len(reg.sheets["演练"].rows) - 12)
    path = reg.save(tmp_path / "errors.xlsx")
    result = run_cli("audit", str(path))
    assert result.code == 0, result.err
    assert "12处登记错误：" in result.out
    cells = re.findall(r"^  (演练![A-Z]+\d+)：", result.out, re.M)
    assert len(cells) == 10 and cells[0] == f"演练!{first}", result.out
    assert "另有2处" in result.out
    en = run_cli("audit", str(path), "--lang", "en")
    assert "12 register error(s):" in en.out and "… and 2 more" in en.out


def test_audit_with_output_keeps_the_count_only(tmp_path):
    reg = compliant()
    reg.sheets["演练"].add(日期="？", 组织单位="镇政府", 演练类型="应急疏散演练")
    path = reg.save(tmp_path / "errors.xlsx")
    result = run_cli("audit", str(path), "-o", str(tmp_path / "out"), "--format", "md")
    assert "1处登记错误" in result.out and "演练!B" not in result.out


# ---------------------------------------------------------------- fireaudit template never replaces a file
@pytest.mark.parametrize("extra", [[], ["--county-register"]])
def test_template_never_overwrites_without_force(tmp_path, extra):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"a filled register")
    refused = run_cli("template", "-o", str(target), *extra)
    assert refused.code == 2 and "--force" in refused.err and "已存在" in refused.err, refused.err
    assert target.read_bytes() == b"a filled register"
    en = run_cli("template", "-o", str(target), "--lang", "en", *extra)
    assert en.code == 2 and "already exists" in en.err
    forced = run_cli("template", "-o", str(target), "--force", *extra)
    assert forced.code == 0, forced.err
    assert target.read_bytes()[:2] == b"PK"


def test_template_into_a_folder_with_the_default_name_taken_is_refused(tmp_path):
    first = run_cli("template", "-o", str(tmp_path))
    assert first.code == 0
    (written,) = tmp_path.glob("*.xlsx")
    before = written.read_bytes()
    second = run_cli("template", "-o", str(tmp_path))
    assert second.code == 2 and written.name in second.err
    assert written.read_bytes() == before


# ---------------------------------------------------------------- a reader that closes the pipe: `| head`
def test_audit_demo_piped_into_head_ends_quietly_with_the_reports_written(tmp_path):
    out = tmp_path / "demo"
    env = {**os.environ, "PYTHONPATH": str(ROOT), **ENV}
    proc = subprocess.Popen([sys.executable, "-m", "fireaudit", "audit", "--demo", "-o", str(out)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    first = proc.stdout.readline()                         # what `head -1` reads, then it goes away
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    code = proc.wait(timeout=120)
    assert first.strip(), "no summary line"
    assert err == "", err                                  # no traceback, no BrokenPipeError, no "Exception ignored"
    assert code == 0
    assert len(list(out.glob("*.md"))) == 3 and len(list(out.glob("*.xlsx"))) == 3


def test_a_closed_stdout_switches_to_the_null_device():
    from fireaudit.pipes import ClosableStdout

    class Closed:
        def write(self, text):
            raise BrokenPipeError

        def flush(self):
            raise BrokenPipeError

    stream = ClosableStdout(Closed())
    assert stream.write("一行\n") == 3 and stream.closed_by_reader
    stream.flush()
    assert stream.write("more") == 4


# ---------------------------------------------------------------- Ctrl-C says how many files finished
@pytest.mark.parametrize("lang, text", [("zh", "已中断：2/5个文件已审核，未写出报告。"),
                                        ("en", "Interrupted: 2/5 file(s) audited; no report written.")])
def test_ctrl_c_during_audit_says_how_many_files_finished(tmp_path, monkeypatch, lang, text):
    from fireaudit import runner

    files = [shutil.copy(compliant().save(tmp_path / "t0.xlsx"), tmp_path / f"t{n}.xlsx") for n in range(1, 5)]
    files.insert(0, tmp_path / "t0.xlsx")
    calls = []
    real = runner.audit_file

    def audit_file(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "audit_file", audit_file)
    result = run_cli("audit", *map(str, files), "-o", str(tmp_path / "out"), "--lang", lang,
                     env={"FIREAUDIT_NO_ISOLATION": "1"})
    assert result.code == 130
    assert result.err.strip() == text, result.err
    assert "interrupted" not in result.err.replace("Interrupted", "")
    assert not (tmp_path / "out").exists()


def test_ctrl_c_elsewhere_is_said_in_the_chosen_language(monkeypatch):
    from fireaudit import cli

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_checklist", interrupted, raising=False)
    monkeypatch.setattr("fireaudit.audit.load_checklist", interrupted)
    zh = run_cli("requirements")
    en = run_cli("requirements", "--lang", "en")
    assert (zh.code, zh.err.strip()) == (130, "已中断。")
    assert (en.code, en.err.strip()) == (130, "Interrupted.")


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


@pytest.mark.skipif(sys.platform != "linux", reason="SIGINT to a process and /proc")
def test_sigint_to_a_real_audit_prints_the_count_and_exits_130(tmp_path):
    source = compliant().save(tmp_path / "t0.xlsx")
    files = [source] + [Path(shutil.copy(source, tmp_path / f"t{n}.xlsx")) for n in range(1, 40)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), **ENV}
    proc = subprocess.Popen([sys.executable, "-m", "fireaudit", "audit", *map(str, files), "-o", str(tmp_path / "out")],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)                                   # the parse worker exists: the audit has begun
    time.sleep(0.2)
    if proc.poll() is not None:
        pytest.skip("the audit finished before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=60) == 130, err
    assert re.fullmatch(r"已中断：\d+/40个文件已审核，未写出报告。", err.strip()), err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_ctrl_c_during_check_says_how_many_files_were_checked(tmp_path, monkeypatch):
    from fireaudit import runner

    files = [compliant().save(tmp_path / f"t{n}.xlsx") for n in range(3)]
    real = runner.audit_file
    calls = []

    def audit_file(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "audit_file", audit_file)
    result = run_cli("check", *map(str, files), env={"FIREAUDIT_NO_ISOLATION": "1"})
    assert (result.code, result.err.strip()) == (130, "已中断：1/3个文件已核验。")
