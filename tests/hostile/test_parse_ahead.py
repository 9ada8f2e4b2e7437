"""The parse ahead of the guard (fireaudit/speculative.py): a big workbook's worker parses while this
process guards the same bytes. It must give exactly the usual result, use the guard's verdict, end
its worker when the guard refuses, and fall back to the usual guarded parse whenever the parse
ahead came to nothing (an exception, the address-space cap, a died worker, other bytes).

AHEAD_MIN_BYTES is lowered to 0 so that small fixtures take the parse ahead; workers are forked,
so what a test patches here is patched in them too."""

from __future__ import annotations

import json
import os

import pytest

from fireaudit import runner, speculative
from fireaudit.audit import load_checklist
from tests.builders import compliant
from tests.hostile.makers import sparse_huge_sheet, zip_bomb_declared


@pytest.fixture(scope="module")
def checklist():
    return load_checklist(None)


@pytest.fixture
def ahead_for_all(monkeypatch):
    monkeypatch.setattr(speculative, "AHEAD_MIN_BYTES", 0)


@pytest.fixture
def marks(tmp_path, monkeypatch):
    """A file per audit that ran on a parse ahead (written by the worker)."""
    folder = tmp_path / "marks"
    folder.mkdir()
    real = speculative.taken_ahead

    def taken(path):
        found = real(path)
        if found is not None:
            (folder / str(os.getpid())).write_text(str(sorted(found[0].sheets)), encoding="utf-8")
        return found

    monkeypatch.setattr(speculative, "taken_ahead", taken)
    return folder


def _json(run) -> dict:
    from fireaudit.reports.json_report import dumps

    return json.loads(dumps(run))


def _same(left, right) -> bool:
    a, b = _json(left), _json(right)
    a.pop("generated_at", None), b.pop("generated_at", None)
    return a == b


def test_a_big_workbook_is_parsed_ahead_with_the_same_result(checklist, tmp_path, ahead_for_all, marks):
    path = compliant().save(tmp_path / "t.xlsx")
    ahead = runner.audit_files([path], checklist, None, isolate=True)
    usual = runner.audit_files([path], checklist, None, isolate=False)
    assert [m.name for m in marks.iterdir()], "the audit did not use the parse ahead"
    assert "检查隐患" in next(marks.iterdir()).read_text(encoding="utf-8")
    assert ahead.townships and _same(ahead, usual)


def test_a_big_sheet_parsed_in_parts_ahead_gives_the_same_result(checklist, tmp_path, ahead_for_all, marks,
                                                                   monkeypatch):
    """The worker parses the hazard sheet in parts on two threads (register/parallel_parse.py)."""
    from fireaudit.register import parallel_parse

    monkeypatch.setattr(parallel_parse, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel_parse, "cores", lambda: 2)
    joined, real = tmp_path / "joined", parallel_parse.big_sheets

    def big_sheets(data, names):
        found = real(data, names)
        joined.write_text(" ".join(sorted(found)), encoding="utf-8")
        return found

    monkeypatch.setattr(parallel_parse, "big_sheets", big_sheets)
    path = compliant().save(tmp_path / "t.xlsx")
    ahead = runner.audit_files([path], checklist, None, isolate=True)
    assert [m.name for m in marks.iterdir()], "the audit did not use the parse ahead"
    assert "检查隐患" in joined.read_text(encoding="utf-8").split()
    assert ahead.townships and _same(ahead, runner.audit_files([path], checklist, None, isolate=False))


def test_small_files_and_several_files_are_guarded_first_as_before(checklist, tmp_path, marks):
    path = compliant().save(tmp_path / "t.xlsx")
    assert not speculative.worth_it([path])                 # under AHEAD_MIN_BYTES
    run = runner.audit_files([path, path], checklist, None, isolate=True)
    assert len(run.townships) == 2 and not list(marks.iterdir())


def _usual_isolated(monkeypatch, paths, checklist):
    """The run as it is without a parse ahead: the guard and the parse in the worker."""
    with monkeypatch.context() as usual:
        usual.setattr(speculative, "AHEAD_MIN_BYTES", 1 << 60)
        return runner.audit_files(paths, checklist, None, isolate=True)


def test_a_refusal_by_the_guard_ends_the_worker_and_names_the_file_as_given(checklist, tmp_path, ahead_for_all,
                                                                            monkeypatch):
    zip_bomb_declared(tmp_path / "bomb.xlsx")
    monkeypatch.chdir(tmp_path)
    run = runner.audit_files(["./bomb.xlsx"], checklist, None, isolate=True)
    usual = _usual_isolated(monkeypatch, ["./bomb.xlsx"], checklist)
    assert not run.townships and run.unreadable == usual.unreadable
    assert run.unreadable[0].file == "./bomb.xlsx" and "MiB" in run.unreadable[0].reason


def test_a_zip_declaring_too_many_members_is_never_listed_by_this_process(checklist, tmp_path, ahead_for_all,
                                                                           monkeypatch):
    """zipfile holds an entry per member in memory before the guard could count them: a zip whose end
    record declares more than max_members is refused from that record, before zipfile lists it."""
    import dataclasses
    import zipfile

    import msgspec

    from fireaudit.register import preflight

    path = compliant().save(tmp_path / "t.xlsx")
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(30):
            archive.writestr(f"xl/media/{n}.bin", b"")
    assert preflight.declared_members(path.read_bytes()) == len(zipfile.ZipFile(path).infolist())
    listed = []
    real = zipfile.ZipFile.infolist
    monkeypatch.setattr(zipfile.ZipFile, "infolist", lambda self: listed.append(os.getpid()) or real(self))
    limits = msgspec.structs.replace(preflight.limits_of(checklist), max_members=20)
    strict = dataclasses.replace(checklist, data={**checklist.data, "limits": limits})
    run = runner.audit_files([path], strict, None, isolate=True)
    assert os.getpid() not in listed                       # never opened here
    assert not run.townships and "20" in run.unreadable[0].reason


def test_declared_members_reads_the_end_record_only():
    from fireaudit.register import preflight

    assert preflight.declared_members(b"not a zip") is None
    record = b"PK\x05\x06" + bytes(6) + (0xFFFF).to_bytes(2, "little") + bytes(10)
    assert preflight.declared_members(b"x" * 100 + record) is None            # zip64: left to the worker
    assert preflight.declared_members(b"x" + record.replace(b"\xff\xff", b"\x07\x00")) == 7


def test_a_sheet_too_large_to_load_kills_only_the_parse_ahead(checklist, tmp_path, ahead_for_all, marks):
    """A named sheet with a cell at XFD1048576: calamine cannot allocate it under the cap (the worker
    aborts or raises); the usual guarded parse then skips that sheet with its register error."""
    path = sparse_huge_sheet(tmp_path / "sparse.xlsx")
    run = runner.audit_files([path], checklist, None, isolate=True)
    assert not list(marks.iterdir())
    errors = [(e.code, e.sheet) for e in run.townships[0].register_errors]
    assert ("sheet-too-large", "演练") in errors


def test_a_failing_parse_ahead_falls_back_to_the_usual_parse(checklist, tmp_path, ahead_for_all, marks, monkeypatch):
    import contextlib

    @contextlib.contextmanager
    def no_room(budget):
        raise MemoryError            # as an allocation past the cap would
        yield

    monkeypatch.setattr(speculative, "address_space_cap", no_room)
    path = compliant().save(tmp_path / "t.xlsx")
    run = runner.audit_files([path], checklist, None, isolate=True)
    assert not list(marks.iterdir())
    assert _same(run, runner.audit_files([path], checklist, None, isolate=False))


def test_other_bytes_in_the_worker_than_the_guard_saw_are_never_used(checklist, tmp_path, ahead_for_all, marks,
                                                                      monkeypatch):
    path = compliant(township="潘津镇").save(tmp_path / "t.xlsx")
    other = compliant(township="巴彦岱镇").save(tmp_path / "other.xlsx").read_bytes()
    parent, real = os.getpid(), runner.read_once

    def read_once(p, limits):
        if os.getpid() != parent:                   # the worker's read: the file had changed
            import hashlib

            return other, hashlib.sha256(other).hexdigest()
        return real(p, limits)

    monkeypatch.setattr(runner, "read_once", read_once)
    run = runner.audit_files([path], checklist, None, isolate=True)
    assert [m.name for m in marks.iterdir()] == []    # the worker's parse ahead was of other bytes: dropped
    assert isinstance(run.townships[0].township, str)


def test_the_cap_is_never_looser_than_the_one_given(monkeypatch):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    core = resource.getrlimit(resource.RLIMIT_CORE)
    with speculative.address_space_cap(1 << 40):
        inner = resource.getrlimit(resource.RLIMIT_AS)[0]
        assert resource.getrlimit(resource.RLIMIT_CORE)[0] == 0        # an abort meanwhile writes no core
    assert resource.getrlimit(resource.RLIMIT_AS) == (soft, hard)
    assert resource.getrlimit(resource.RLIMIT_CORE) == core
    assert soft == resource.RLIM_INFINITY or inner <= soft
    with speculative.address_space_cap(0), pytest.raises(MemoryError):
        bytearray(256 << 20)


@pytest.fixture
def entry_point(monkeypatch):
    """run_forked through `python -m fireaudit`'s main, whose spare worker is forked at start-up (a core
    is said to be idle), so that the checklist and --period are checked while the worker parses ahead."""
    import sys

    from fireaudit import __main__ as entry, pool
    from tests import cli_helper

    def main(args, cwd):
        import os

        os.chdir(cwd or cli_helper.ROOT)
        sys.argv = ["fireaudit", *args]
        try:
            entry.main()
        except SystemExit as exc:
            return cli_helper._exit_code(exc.code)
        return 0

    monkeypatch.setattr(pool, "idle_core", lambda: True)
    monkeypatch.setattr(cli_helper, "_main", main)
    return cli_helper.run_forked


def test_check_on_the_command_line_parses_ahead_in_its_spare_worker(tmp_path, ahead_for_all, marks, entry_point):
    """The whole entry point (`python -m fireaudit`): the spare worker forked at start-up loads the
    workbook ahead while the command line is built and the file guarded; the output is the usual."""
    path = compliant().save(tmp_path / "t.xlsx")
    ahead = entry_point("check", "--format", "json", str(path))
    assert [m.name for m in marks.iterdir()], "the spare worker did not parse ahead"
    usual = entry_point("check", "--format", "json", str(path), env={"FIREAUDIT_NO_ISOLATION": "1"})
    assert (ahead.code, ahead.output) == (usual.code, usual.output)


@pytest.mark.parametrize("args, code, words", [
    (["--period", "2024Q9"], 2, "2024Q9"),                         # a bad --period: usage, as without the parse ahead
    (["--config", "missing.toml"], 2, "missing.toml"),              # a county config that is not there
])
def test_a_bad_option_stops_the_parse_ahead_as_it_stops_the_usual_run(tmp_path, ahead_for_all, entry_point, args,
                                                                      code, words):
    path = compliant().save(tmp_path / "t.xlsx")
    ahead = entry_point("check", str(path), *args, cwd=tmp_path)
    usual = entry_point("check", str(path), *args, cwd=tmp_path, env={"FIREAUDIT_NO_ISOLATION": "1"})
    assert ahead.code == usual.code == code and words in ahead.output
    assert "Traceback" not in ahead.output and ahead.output == usual.output
