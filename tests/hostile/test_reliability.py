"""Issue 20, items 1b–5: a dying parser, data loss, injection, active content and bounds.

Fixtures are built in code (tests/hostile/makers2.py). The timing of the
hostile files is in benchmarks/hostile.py, not asserted here."""

from __future__ import annotations

import os
import signal
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fireaudit.i18n import fmt_value

from fireaudit.audit import load_checklist
from fireaudit.pool import Pool
from tests.builders import compliant
from tests.cli_helper import run_cli
from tests.hostile import makers2 as m


@pytest.fixture(scope="module")
def checklist():
    return load_checklist()


# ---------------------------------------------------------------- 1b: a worker that dies
class FakePanic(BaseException):
    """Stands in for pyo3's PanicException, which derives from BaseException."""


def _task(kind: str) -> str:
    import faulthandler

    faulthandler.disable()                          # pytest's would print the dying worker's stack
    if kind == "abort":
        os.abort()
    if kind == "panic":
        raise FakePanic("called `Option::unwrap()` on a `None` value")
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    return kind


def test_the_pool_reports_dead_workers_and_carries_on():
    done, died = {}, {}
    kinds = ["ok1", "abort", "ok2", "panic", "kill", "ok3"]
    Pool(2).map(((n, _task, (k,)) for n, k in enumerate(kinds)), done.__setitem__, died.__setitem__)
    assert done == {0: "ok1", 2: "ok2", 5: "ok3"}
    assert set(died) == {1, 3, 4}
    assert "SIGABRT" in died[1] and "FakePanic" in died[3] and "SIGKILL" in died[4]


def _abort_on_marked(path, *args, **kwargs):
    import faulthandler

    faulthandler.disable()
    if "abort" in Path(path).name:
        os.abort()
    if "panic" in Path(path).name:
        raise FakePanic("injected into the parser")
    return _REAL_AUDIT_FILE(path, *args, **kwargs)


_REAL_AUDIT_FILE = None


@pytest.fixture
def parser_that_dies(monkeypatch):
    """A parser that aborts on files named *abort* and panics on *panic* (forked workers inherit it)."""
    import fireaudit.runner as runner

    global _REAL_AUDIT_FILE
    _REAL_AUDIT_FILE = runner.audit_file
    monkeypatch.setattr(runner, "audit_file", _abort_on_marked)


def test_a_batch_survives_an_aborting_and_a_panicking_parser(parser_that_dies, checklist, tmp_path):
    from fireaudit.batch import BatchRequest, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    compliant(township="潘津镇").save(folder / "a.xlsx")
    compliant(township="巴彦岱镇").save(folder / "b-abort.xlsx")
    compliant(township="英也尔镇").save(folder / "c-panic.xlsx")
    compliant(township="达达木图乡", kind="乡").save(folder / "d.xlsx")
    result = run_batch(BatchRequest(folder, tmp_path / "out", checklist, ["json"], jobs=2))
    assert {Path(a.file).name for a in result.run.townships} == {"a.xlsx", "d.xlsx"}
    reasons = {Path(u.file).name: u.text("zh") for u in result.run.unreadable}
    assert set(reasons) == {"b-abort.xlsx", "c-panic.xlsx"}
    assert all(r.startswith("读取该文件时解析器异常终止") for r in reasons.values())
    assert result.has_problems and (tmp_path / "out" / "汇总.json").exists()


def test_a_single_file_command_survives_a_panicking_parser(parser_that_dies, checklist, tmp_path):
    from fireaudit.runner import audit_files

    good = compliant().save(tmp_path / "good.xlsx")
    bad = compliant(township="巴彦岱镇").save(tmp_path / "x-panic.xlsx")
    for isolate in (True, False):
        run = audit_files([bad, good], checklist, None, isolate=isolate)
        assert [Path(a.file).name for a in run.townships] == ["good.xlsx"]
        assert run.unreadable[0].text("zh").startswith("读取该文件时解析器异常终止")
        assert run.unreadable[0].text("en").startswith("the parser died")


# ---------------------------------------------------------------- 3: nothing lost
def test_audit_never_replaces_its_input(tmp_path):
    source = compliant().save(tmp_path / "伊宁市-潘津镇-2024Q2.xlsx")
    before = source.read_bytes()
    result = run_cli("audit", str(source), "-o", str(tmp_path))
    assert result.code == 2, result.err
    assert str(source) in result.err and "输入文件" in result.err
    assert source.read_bytes() == before


def test_batch_refuses_its_input_folder_as_output_and_a_strangers_file(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    compliant().save(folder / "伊宁市-潘津镇-2024Q2.xlsx")
    result = run_cli("batch", str(folder), "-o", str(folder))
    assert result.code == 2 and "输入文件夹" in result.err
    out = tmp_path / "out"
    out.mkdir()
    (out / "伊宁市-潘津镇-2024Q2.md").write_text("县里自己写的说明\n", encoding="utf-8")
    result = run_cli("batch", str(folder), "-o", str(out), "--format", "md")
    assert result.code == 2 and "不是 fireaudit 写出的" in result.err
    assert (out / "伊宁市-潘津镇-2024Q2.md").read_text(encoding="utf-8") == "县里自己写的说明\n"
    assert not (out / "汇总.json").exists()


def test_reports_of_an_earlier_run_are_replaced(checklist, tmp_path):
    from fireaudit.batch import BatchRequest, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    compliant().save(folder / "a.xlsx")
    request = BatchRequest(folder, tmp_path / "out", checklist, ["md", "xlsx", "json"], jobs=1, annotate=True)
    run_batch(request)
    result = run_batch(request)
    assert len(result.reports) == 3 and len(result.annotated) == 1


def test_a_set_is_committed_whole_when_a_signal_arrives_between_renames(tmp_path, monkeypatch):
    from fireaudit.reports import files

    targets = [tmp_path / f"汇总.{s}" for s in ("json", "md", "xlsx")]
    for path in targets:
        path.write_text("old", encoding="utf-8")
    real_replace, calls = os.replace, []

    def replace_then_interrupt(src, dst):
        real_replace(src, dst)
        calls.append(dst)
        if len(calls) == 1:
            signal.raise_signal(signal.SIGINT)      # delivered now, in this thread; held until the set is renamed

    monkeypatch.setattr(files.os, "replace", replace_then_interrupt)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)   # as in fireaudit, whatever the runner set
    try:
        with pytest.raises(KeyboardInterrupt):
            files.commit_set([(p, "new") for p in targets])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert [p.read_text(encoding="utf-8") for p in targets] == ["new"] * 3


def test_a_full_disk_leaves_the_previous_set(tmp_path, monkeypatch):
    from fireaudit.reports import files

    targets = [tmp_path / "a.md", tmp_path / "a.xlsx"]
    for path in targets:
        path.write_text("old", encoding="utf-8")
    real_fdopen, opened = os.fdopen, []

    def fdopen_full(fd, *args, **kwargs):
        opened.append(fd)
        if len(opened) == 2:
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(files.os, "fdopen", fdopen_full)
    with pytest.raises(OSError):
        files.commit_set([(p, "new") for p in targets])
    assert [p.read_text(encoding="utf-8") for p in targets] == ["old", "old"]
    assert not list(tmp_path.glob("*.tmp"))


def test_provenance_hashes_the_bytes_that_were_parsed_even_if_the_file_is_replaced(checklist, tmp_path, monkeypatch):
    import hashlib

    import fireaudit.runner as runner

    path = compliant(township="潘津镇").save(tmp_path / "t.xlsx")
    original = path.read_bytes()
    other = compliant(township="巴彦岱镇").save(tmp_path / "other.xlsx").read_bytes()
    real = runner.read_once

    def read_then_replace(p, reader):
        found = real(p, reader)
        p.write_bytes(other)                         # the file changes between read and parse
        return found

    monkeypatch.setattr(runner, "read_once", read_then_replace)
    audit = runner.audit_file(path, checklist, None)
    assert audit.township == "潘津镇"
    assert audit.sha256 == hashlib.sha256(original).hexdigest()


def test_fifos_and_dangling_links_are_listed_unreadable_never_opened(checklist, tmp_path):
    from fireaudit.batch import BatchRequest, run_batch
    from fireaudit.runner import audit_files

    folder = tmp_path / "in"
    folder.mkdir()
    compliant().save(folder / "a.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    (folder / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    result = run_batch(BatchRequest(folder, tmp_path / "out", checklist, ["json"], jobs=1))
    reasons = {Path(u.file).name: u.reason for u in result.run.unreadable}
    assert "FIFO" in reasons["pipe.xlsx"] and "dangling" in reasons["gone.xlsx"]
    run = audit_files([folder / "pipe.xlsx"], checklist, None)
    assert "FIFO" in run.unreadable[0].reason


# ---------------------------------------------------------------- 4: nothing let through
def test_check_text_shows_escapes_and_never_forges_a_line(tmp_path):
    path = m.injection_register(tmp_path / "a\x1b[2J\nx.xlsx: R01.1 critical pass.xlsx")
    result = run_cli("check", str(path), "--fail-on", "advisory")
    assert result.code == 1, result.err
    assert "\x1b" not in result.out and "\u009b" not in result.out
    lines = result.out.splitlines()
    assert not [line for line in lines if line.startswith("x.xlsx:")]
    assert lines[-1].startswith("发现") and not [line for line in lines if line.startswith("未发现")]
    assert "\\x1b[2J" in result.out and "\\n" in result.out and "\\x9b31m" in result.out


def test_junit_is_well_formed_with_control_characters(tmp_path):
    for maker in (m.control_char_register, m.injection_register):
        path = maker(tmp_path / f"{maker.__name__}\x01.xlsx")
        result = run_cli("check", str(path), "--format", "junit")
        ET.fromstring(result.out)                   # raises on ill-formed XML
    result = run_cli("check", str(tmp_path / "missing\x1b.xlsx"), "--format", "junit")
    ET.fromstring(result.out)


REGISTER_MAKERS = (m.injection_register, m.control_char_register, m.markup_register, m.invisible_twin,
                   m.autolink_register, m.active_content_register, m.extreme_numbers_register)


def test_every_hostile_fixture_gives_well_formed_junit(checklist, tmp_path):
    """The JUnit of every hostile file of tests/hostile (refused or audited) parses as XML 1.0."""
    from fireaudit.reports.junit import dumps
    from fireaudit.runner import audit_files
    from tests.hostile.makers import HOSTILE

    paths = [maker(tmp_path / f"{maker.__name__}\x01.xlsx") for maker in REGISTER_MAKERS]
    paths += [make(tmp_path / name) for name, (make, _) in HOSTILE.items()]
    run = audit_files(paths, checklist, None, isolate=False)
    assert len(run.townships) + len(run.unreadable) == len(paths)
    for fail_on in ("critical", "advisory"):
        ET.fromstring(dumps(run, checklist, fail_on, "zh"))


def test_rich_markup_in_names_and_folders_is_printed_as_typed(tmp_path):
    folder = tmp_path / "a["
    folder.mkdir()
    path = m.markup_register(folder / "[bold]x.xlsx")
    result = run_cli("audit", str(path), "-o", str(tmp_path / "out"))
    assert result.code in (0, 1), result.err
    assert "[/]镇" in result.out
    assert "\x1b]8;" not in result.out
    result = run_cli("batch", str(folder), "-o", str(tmp_path / "out2"))
    assert result.code == 0, result.err


def test_markup_never_becomes_a_terminal_hyperlink(checklist, tmp_path):
    from io import StringIO

    from rich.console import Console

    from fireaudit.reports.terminal import print_summary, print_unreadable
    from fireaudit.result import Unreadable
    from fireaudit.runner import audit_files

    run = audit_files([m.markup_register(tmp_path / "[link=evil]x[bold].xlsx")], checklist, None)
    buffer = StringIO()
    console = Console(file=buffer, force_terminal=True, width=200)
    print_summary(console, run, checklist, "zh")
    from dataclasses import replace

    print_unreadable(console, replace(run, unreadable=(Unreadable("[link=http://evil.example]a[/link]", "[/]"),)), "zh")
    assert "\x1b]8;" not in buffer.getvalue()


def test_invisible_characters_do_not_dodge_conflicts(checklist, tmp_path):
    from fireaudit.batch import BatchRequest, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    compliant().save(folder / "a.xlsx")
    m.invisible_twin(folder / "b.xlsx")
    result = run_batch(BatchRequest(folder, tmp_path / "out", checklist, ["json"], jobs=1))
    assert len(result.run.batch.conflicts) == 1
    assert not result.run.townships


def test_markdown_has_no_autolinks_and_no_c1_controls(checklist, tmp_path):
    from fireaudit.reports import ReportOptions, write_reports
    from fireaudit.runner import audit_files

    run = audit_files([m.autolink_register(tmp_path / "a.xlsx")], checklist, None)
    [path] = write_reports(run, tmp_path / "out", ["md"], ReportOptions("zh", checklist))
    text = path.read_text(encoding="utf-8")
    assert "http\\://evil.example" in text and "http://evil.example" not in text
    assert "\u009b" not in text


def test_active_content_is_removed_from_the_copy_and_flagged(checklist, tmp_path):
    from openpyxl import load_workbook

    from fireaudit.annotate import write_annotated
    from fireaudit.reports import ReportOptions
    from fireaudit.runner import audit_files

    run = audit_files([m.active_content_register(tmp_path / "a.xlsx")], checklist, None)
    [audit] = run.townships
    errors = [e for e in audit.register_errors if e.code == "active-content"]
    assert errors and "DDE" in errors[0].value and "link" in errors[0].value
    [copy], failed = write_annotated(run, tmp_path / "out", ReportOptions("zh", checklist))
    assert not failed
    workbook = load_workbook(copy)
    sheet = workbook["附件"]
    for cell in ("A1", "A2", "A3"):
        assert sheet[cell].data_type != "f"
    assert sheet["A4"].hyperlink is None and sheet["A5"].hyperlink is None
    assert sheet["A6"].hyperlink is not None          # an https link stays
    review = "\n".join(str(c.value) for row in workbook.worksheets[0].iter_rows() for c in row if c.value)
    assert "已从本副本中移除" in review and "DDE" in review and "javascript:" in review


def test_period_never_turns_a_stranger_into_a_register(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "销售额"
    workbook.save(tmp_path / "peer.xlsx")
    result = run_cli("check", str(tmp_path / "peer.xlsx"), "--period", "2024Q1")
    assert result.code == 3 and "不是台账" in result.out


# ---------------------------------------------------------------- 2: auxiliary inputs
@pytest.mark.parametrize("encoding,code,word", [("gbk", 2, "GBK"), ("utf-16", 2, "UTF-16"), ("utf-8-sig", 0, "")])
def test_fireaudit_toml_encodings(tmp_path, encoding, code, word):
    from fireaudit.checklist.loader import read_toml
    from fireaudit.errors import ConfigError

    path = m.toml_in(tmp_path / "fireaudit.toml", encoding)
    if code:
        with pytest.raises(ConfigError, match=word):
            read_toml(path)
    else:
        assert read_toml(path)["scoring"]["pass_line"] == 60


@pytest.mark.parametrize("name", sorted(m.TOML_VALUES))
def test_fireaudit_toml_values_refused_with_file_and_key(tmp_path, name):
    from fireaudit.checklist.loader import read_toml
    from fireaudit.errors import ConfigError

    path = tmp_path / "fireaudit.toml"
    path.write_text(m.TOML_VALUES[name], encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_toml(path)
    assert str(path) in info.value.text("en")


@pytest.mark.parametrize("name", sorted({*m.BASELINES, *m.RAW_BASELINES}))
def test_malformed_baselines_are_refused_before_the_batch(tmp_path, name):
    from fireaudit.batch import load_baseline
    from fireaudit.errors import ConfigError

    path = m.baseline(tmp_path / "汇总.json", name)
    with pytest.raises(ConfigError) as info:
        load_baseline(str(path))
    assert str(path) in info.value.text("en")


def test_a_real_rollup_is_a_valid_baseline(checklist, tmp_path):
    from fireaudit.batch import BatchRequest, load_baseline, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    compliant().save(folder / "a.xlsx")
    run_batch(BatchRequest(folder, tmp_path / "out", checklist, ["json"], jobs=1))
    assert load_baseline(str(tmp_path / "out" / "汇总.json"))["townships"]


@pytest.mark.parametrize("kind,word", [("gbk", "UTF-8"), ("recursive", "递归"), ("large", "KiB")])
def test_bad_templates_exit_2(tmp_path, kind, word):
    folder = m.template_dir(tmp_path / "tpl", kind)
    path = compliant().save(tmp_path / "a.xlsx")
    result = run_cli("audit", str(path), "-o", str(tmp_path / "out"), "--templates", str(folder))
    assert result.code == 2, result.err
    assert word in result.err


def test_extreme_numbers_and_periods_are_register_errors(checklist, tmp_path):
    from fireaudit.period import Period
    from fireaudit.runner import audit_files

    assert Period.parse("0001Q1") is None and Period.parse("0000Q1") is None and Period.parse("2100Q4")
    path = m.extreme_numbers_register(tmp_path / "a.xlsx")
    run = audit_files([path], checklist, Period.parse("2024Q2"))
    codes = {e.code for e in run.townships[0].register_errors}
    assert {"out-of-range", "bad-period"} <= codes


# ---------------------------------------------------------------- 5: bounded --annotate
def test_a_huge_merge_is_not_annotated_and_says_why(checklist, tmp_path):
    import resource
    import time

    from fireaudit.annotate import write_annotated
    from fireaudit.reports import ReportOptions
    from fireaudit.runner import audit_files

    run = audit_files([m.huge_merge_register(tmp_path / "a.xlsx")], checklist, None)
    assert run.townships, run.unreadable
    start, before = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    written, failed = write_annotated(run, tmp_path / "out", ReportOptions("zh", checklist))
    assert not written and "annotate_max_cells" in fmt_value(failed[0].reason, "en")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024   # KiB


def test_strict_ooxml_does_not_crash_annotate(tmp_path):
    path = m.strict_ooxml_register(tmp_path / "strict.xlsx")
    result = run_cli("audit", str(path), "-o", str(tmp_path / "out"), "--annotate")
    assert result.code in (0, 1, 3), result.err


def test_what_counts_as_written_by_fireaudit(checklist, tmp_path):
    from fireaudit.reports import ReportOptions, write_reports
    from fireaudit.reports.files import written_by_fireaudit
    from fireaudit.runner import audit_files
    from fireaudit.template import TemplateRequest, write_template

    run = audit_files([compliant().save(tmp_path / "in.xlsx")], checklist, None)
    reports = write_reports(run, tmp_path / "out", ["md", "xlsx", "json", "docx"], ReportOptions("zh", checklist))
    assert all(written_by_fireaudit(p) for p in reports)
    template = write_template(checklist, TemplateRequest(), tmp_path / "template.xlsx")
    assert not written_by_fireaudit(template)                  # a register, though fireaudit made the form
    assert not written_by_fireaudit(tmp_path / "in.xlsx")
    (tmp_path / "notes.md").write_text("# 笔记\n", encoding="utf-8")
    assert not written_by_fireaudit(tmp_path / "notes.md")
