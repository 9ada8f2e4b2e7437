"""Provenance on the outputs that lacked it (JUnit, the batch roll-up), stable across runs;
and exit codes that keep a crash apart from a gap."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest

from tests.builders import compliant
from tests.cli_helper import run_cli

PINNED = "2024-07-01T00:00:00Z"   # tests/conftest.py pins SOURCE_DATE_EPOCH


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _junit(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = run_cli("check", *args, "--format", "junit", env=env)
    assert result.code in (0, 1), result.err
    return result.out


def test_junit_suites_carry_provenance(tmp_path):
    from junitparser import JUnitXml

    source = compliant().save(tmp_path / "潘津镇.xlsx")
    config = tmp_path / "fireaudit.toml"
    config.write_text('[checks."R03.2"]\nseverity = "advisory"\n', encoding="utf-8")
    report = tmp_path / "report.xml"
    report.write_text(_junit(tmp_path, str(source), "--config", str(config)), encoding="utf-8")
    suite = next(iter(JUnitXml.fromfile(str(report))))
    properties = {p.name: p.value for p in suite.properties()}
    assert properties["sha256"] == _sha256(source)
    assert properties["file"] == str(source)
    assert properties["checklist_id"] == "ili-township-fire-2024" and properties["checklist_version"]
    assert properties["config_file"] == str(config)
    assert properties["tool_version"] and properties["generated_at"] == PINNED
    assert suite.timestamp == PINNED.removesuffix("Z")


def test_junit_is_byte_identical_with_source_date_epoch_and_differs_only_in_time_without(tmp_path):
    source = compliant().save(tmp_path / "潘津镇.xlsx")
    assert _junit(tmp_path, str(source)) == _junit(tmp_path, str(source))
    clock = {"SOURCE_DATE_EPOCH": ""}
    first, second = _junit(tmp_path, str(source), env=clock), _junit(tmp_path, str(source), env=clock)
    assert PINNED not in first and 'name="config_file" value=""' in first

    def without_time(text: str) -> str:
        text = re.sub(r'timestamp="[^"]*"', "", text)
        return re.sub(r'name="generated_at" value="[^"]*"', "", text)

    assert without_time(first) == without_time(second)


def _batch(tmp_path: Path, out: str, env: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "in"
    if not folder.exists():
        folder.mkdir()
        compliant("伊宁市", "甲镇").save(folder / "甲镇.xlsx")
        reg = compliant("伊宁市", "乙镇")
        reg.profile["建立消防安全档案"] = "否"
        reg.save(folder / "乙镇.xlsx")
    result = run_cli("batch", str(folder), "-o", str(tmp_path / out), "--jobs", "1", env=env)
    assert result.code == 0, result.err
    return tmp_path / out


def test_rollup_names_every_input_with_its_hash_and_the_run(tmp_path):
    from openpyxl import load_workbook

    out = _batch(tmp_path, "one")
    hashes = {name: _sha256(tmp_path / "in" / name) for name in ("甲镇.xlsx", "乙镇.xlsx")}
    text = (out / "汇总.md").read_text(encoding="utf-8")
    section = text[text.index("## 来源"):]
    for name, digest in hashes.items():
        assert re.search(rf"\| 伊宁市{name[:2]} \| {name} \| {digest} \|", section), name
    for field in ("ili-township-fire-2024", "无（使用内置清单）", "fireaudit ", PINNED):
        assert field in section, field
    sheet = load_workbook(out / "汇总.xlsx")["来源"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert set(hashes.values()) <= set(values) and PINNED in values and "甲镇.xlsx" in values


def test_rollup_is_byte_identical_with_source_date_epoch(tmp_path):
    one, two = _batch(tmp_path, "one"), _batch(tmp_path, "two")
    for name in ("汇总.md", "汇总.xlsx", "汇总.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_rollup_differs_only_in_the_run_time_without_source_date_epoch(tmp_path):
    clock = {"SOURCE_DATE_EPOCH": ""}
    one, two = _batch(tmp_path, "one", clock), _batch(tmp_path, "two", clock)
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    first, second = ((d / "汇总.md").read_text(encoding="utf-8") for d in (one, two))
    assert PINNED not in first and stamp.search(first)
    assert stamp.sub("T", first) == stamp.sub("T", second)


# ---------------------------------------------------------------- exit 4
def _boom(ctx, params):
    raise RuntimeError("injected failure in a check")


@pytest.mark.parametrize("command", ["audit", "check"])
def test_an_internal_error_exits_4_with_one_line_and_a_saved_traceback(tmp_path, monkeypatch, capsys, command):
    import tempfile

    from fireaudit import cli
    from fireaudit.checks import KINDS
    from fireaudit.checks.base import CheckKind

    source = compliant().save(tmp_path / "潘津镇.xlsx")
    kind = KINDS["roles_named"]
    monkeypatch.setitem(KINDS, "roles_named", CheckKind(_boom, kind.params))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["fireaudit", command, str(source), "--lang", "en"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 4          # never 1: a crash is not a gap
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "internal error" in lines[0] and "not a gap" in lines[0]
    assert "Traceback (most recent call last)" not in captured.err + captured.out
    saved = Path(lines[0].rsplit(" saved to ", 1)[1])
    assert saved.parent == tmp_path and saved.name.startswith("fireaudit-crash-")
    assert "injected failure in a check" in saved.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in saved.read_text(encoding="utf-8")


def test_help_documents_every_exit_code():
    result = run_cli("--help", "--lang", "en")      # the Chinese table: tests/test_help_lang.py
    assert result.code == 0
    text = " ".join(result.out.replace("│", " ").split())
    for phrase in ("0 ran; no gap", "1 check: gaps at or above --fail-on", "2 usage or configuration error",
                   "3 an input could not be read", "4 internal error in fireaudit, never a gap", "130 interrupted"):
        assert phrase in text, phrase
