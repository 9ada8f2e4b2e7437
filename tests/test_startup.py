"""Start-up of the real entry point (`python -m fireaudit`, fireaudit/__main__.py): the worker of
check and audit is forked before typer is imported (a spare, pool.prestart) and loads the checklist
itself while the parent builds the command line and loads the same. Whatever the spare does, the
output is the in-process run's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli_helper import ROOT, run_cli

SAMPLE = ROOT / "samples" / "伊宁市-潘津镇-2024Q2.xlsx"


def _python_m(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("FIREAUDIT_NO_ISOLATION", None)
    return subprocess.run([sys.executable, "-m", "fireaudit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def _without_time(text: str) -> dict:
    report = json.loads(text)
    report.pop("generated_at")
    return report


def test_check_through_the_entry_point_is_the_in_process_check(tmp_path):
    real = _python_m("check", str(SAMPLE), "--format", "json", "--period", "2024Q2", cwd=tmp_path)
    here = run_cli("check", str(SAMPLE), "--format", "json", "--period", "2024Q2", cwd=tmp_path)
    assert real.returncode == here.code and real.stderr == ""
    assert _without_time(real.stdout) == _without_time(here.out)


def test_a_config_the_spare_cannot_load_is_one_line_from_the_parent(tmp_path):
    config = tmp_path / "county.toml"
    config.write_text("[checks.R01.1]\nbogus = 1\n", encoding="utf-8")
    real = _python_m("check", str(SAMPLE), "--config", str(config), "--lang", "en", cwd=tmp_path)
    here = run_cli("check", str(SAMPLE), "--config", str(config), "--lang", "en", cwd=tmp_path)
    assert (real.returncode, real.stdout, real.stderr) == (here.code, here.out, here.err)
    assert real.returncode == 2 and len(real.stderr.splitlines()) == 1 and "Traceback" not in real.stderr


def test_audit_reports_through_the_entry_point(tmp_path):
    real = _python_m("audit", str(SAMPLE), "-o", str(tmp_path / "out"), "--format", "md,json", cwd=tmp_path)
    assert real.returncode in (0, 1), real.stderr
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".json", ".md"]


def test_the_excel_report_rendered_by_the_worker_is_the_one_the_parent_renders(tmp_path, monkeypatch):
    """`audit FILE -o`: the worker renders the AHEAD formats from the run it sees; the parent writes them
    only when its own run and checklist are the same, so the bytes are the parent's own rendering."""
    from fireaudit import reports, runner

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    used = []
    payloads = runner.Pending.payloads
    monkeypatch.setattr(runner.Pending, "payloads", lambda self, run: used.append(payloads(self, run)) or used[-1])
    ahead = run_cli("audit", str(SAMPLE), "-o", str(tmp_path / "ahead"), "--format", "md,xlsx,json", cwd=tmp_path)
    assert ahead.code in (0, 1) and [sorted(u) for u in used] == [[(0, "xlsx")]]
    monkeypatch.setattr(reports, "AHEAD", ())
    here = run_cli("audit", str(SAMPLE), "-o", str(tmp_path / "here"), "--format", "md,xlsx,json", cwd=tmp_path)
    assert here.code == ahead.code and used[-1] == {}
    for written in (tmp_path / "here").iterdir():
        assert (tmp_path / "ahead" / written.name).read_bytes() == written.read_bytes(), written.name


def _spare(config: str | None = None, ahead: bool = False) -> None:
    from fireaudit.pool import prestart

    prestart("fireaudit.runner", "init_worker", (config, True) if ahead else (config,))


def test_with_a_spare_worker_check_and_audit_say_what_they_say_without(tmp_path, monkeypatch):
    """The spare (forked early, loading its own checklist) against the serial way (the parent loads
    the checklist and forks its worker with it): the same reports, byte for byte, and the same errors."""
    from fireaudit import pool

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    serial = run_cli("check", str(SAMPLE), "--format", "json", cwd=tmp_path)
    _spare()
    early = run_cli("check", str(SAMPLE), "--format", "json", cwd=tmp_path)
    assert not pool._SPARES and (early.code, early.out, early.err) == (serial.code, serial.out, serial.err)

    for name, spare in (("serial", False), ("early", True)):
        if spare:
            _spare(ahead=True)
        result = run_cli("audit", str(SAMPLE), "-o", str(tmp_path / name), "--format", "md,xlsx,json", cwd=tmp_path)
        assert result.code in (0, 1) and not pool._SPARES
    for written in (tmp_path / "serial").iterdir():
        assert (tmp_path / "early" / written.name).read_bytes() == written.read_bytes(), written.name

    config = tmp_path / "county.toml"
    config.write_text("[checks.R01.1]\nbogus = 1\n", encoding="utf-8")
    serial = run_cli("check", str(SAMPLE), "--config", str(config), "--period", "x", cwd=tmp_path)
    _spare(str(config))
    early = run_cli("check", str(SAMPLE), "--config", str(config), "--period", "x", cwd=tmp_path)
    assert not pool._SPARES and (early.code, early.out, early.err) == (serial.code, serial.out, serial.err)
    assert early.code == 2 and "Traceback" not in early.err


def test_the_entry_point_freezes_what_is_left_before_the_interpreter_tears_down(monkeypatch, capsys):
    """`python -m fireaudit` leaves the objects still alive out of the shutdown's collections
    (gc.freeze), whether the command returned or exited (here: --help, printed without typer)."""
    import gc

    import pytest

    from fireaudit import __main__ as entry

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(sys, "argv", ["fireaudit", "--help"])
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code in (0, None) and frozen == [True]
    assert "fireaudit" in capsys.readouterr().out
