"""Report file names and writes: nothing from a cell escapes -o DIR, and a report is complete or absent."""

from __future__ import annotations

import os
import stat
from dataclasses import replace

import pytest

from fireaudit.reports import WRITERS, Format, unique_stem, write_reports
from fireaudit.reports.files import MAX_PART_BYTES, inside, report_stem, safe_part, write_atomic
from tests.report_support import options, sample_run

WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1", "CONIN$"}

HOSTILE_NAMES = [
    "潘津镇/../../x", "..", ".", "../..", "/etc/passwd", "C:\\Windows\\x", "a\\..\\b", "CON", "con", "Con.txt",
    "NUL .md", "COM¹", "LPT9", "CONIN$", "镇名 . ", "a:b", 'x<y>z"|?*', "tab\there", "new\nline", "\x00nul",
    "镇" * 200, "", None, "   ", "___",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_part_is_one_valid_windows_and_posix_component(name):
    part = safe_part(name)
    assert part and part not in (".", "..")
    assert not (set(part) & WINDOWS_FORBIDDEN)
    assert part.split(".")[0].strip().upper() not in WINDOWS_RESERVED
    assert not part.endswith((" ", "."))
    assert len(part.encode("utf-8")) <= MAX_PART_BYTES + 1   # +1: the "_" before a reserved name


def test_safe_part_keeps_ordinary_chinese_names():
    assert report_stem("伊宁市", "潘津镇", "2024Q2") == "伊宁市-潘津镇-2024Q2"
    assert safe_part("CON") == "_CON"
    assert safe_part(None) == "未知"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_report_stem_stays_inside_the_directory(tmp_path, name):
    path = inside(tmp_path, report_stem("伊宁市", name, "2024Q2") + ".xlsx")
    assert path.parent == tmp_path.resolve()
    assert len(path.name.encode("utf-8")) <= 255


@pytest.mark.parametrize("name", ["../x.md", "sub/x.md", "/tmp/x.md", ".."])
def test_inside_refuses_names_that_leave_the_directory(tmp_path, name):
    with pytest.raises(ValueError):
        inside(tmp_path, name)


def test_inside_refuses_a_symlink_that_points_outside(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "伊宁市-潘津镇-2024Q2.md").symlink_to(elsewhere / "stolen.md")
    with pytest.raises(ValueError):
        inside(out, "伊宁市-潘津镇-2024Q2.md")


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "r.md"
    write_atomic(target, "old\n")
    write_atomic(target, "新\n")
    assert target.read_text(encoding="utf-8") == "新\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


def test_write_atomic_keeps_the_old_report_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "r.md"
    write_atomic(target, "complete old report\n")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomic(target, "half")
    assert target.read_text(encoding="utf-8") == "complete old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


def test_new_reports_are_readable_like_any_new_file(tmp_path):
    target = tmp_path / "r.md"
    write_atomic(target, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_unique_stem_numbers_repeats_case_blind():
    used: set[str] = set()
    assert [unique_stem(s, used) for s in ("a-b", "A-B", "a-b")] == ["a-b", "A-B-2", "a-b-3"]


def test_hostile_township_names_write_only_inside_the_output_directory(tmp_path):
    run = sample_run()
    audits = tuple(replace(run.townships[0], township=name) for name in HOSTILE_NAMES)
    out = tmp_path / "out"
    written = write_reports(replace(run, townships=audits), out, ["md", "json"], options())
    assert len(written) == 2 * len(HOSTILE_NAMES)
    assert len({p.name.casefold() for p in written}) == len(written)          # no report overwrote another
    assert all(p.parent == out.resolve() and p.is_file() for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]              # nothing written beside it
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)


def test_default_formats_are_markdown_and_excel():
    from fireaudit.reports import DEFAULT_FORMATS

    assert DEFAULT_FORMATS == "md,xlsx"
    assert {"md", "xlsx", "json"} <= set(WRITERS)


def test_a_failing_renderer_leaves_the_existing_report_set_untouched(tmp_path, monkeypatch):
    run = replace(sample_run(), townships=sample_run().townships[:1])
    first = write_reports(run, tmp_path, ["md", "xlsx"], options())
    before = {p: p.read_bytes() for p in first}

    def broken(*args):
        raise RuntimeError("renderer bug")

    monkeypatch.setitem(WRITERS, "xlsx", Format(".xlsx", broken))
    with pytest.raises(RuntimeError):
        write_reports(run, tmp_path, ["md", "xlsx"], options("en"))
    assert {p: p.read_bytes() for p in first} == before     # the md was not replaced by an English one either
    assert sorted(tmp_path.iterdir()) == sorted(first)


def test_each_format_names_the_module_its_renderer_imports():
    """The CLI imports WRITERS[f].module while the worker parses: it must be the renderer's own module."""
    import importlib
    import inspect

    for name, fmt in WRITERS.items():
        importlib.import_module(fmt.module)
        assert fmt.module in inspect.getsource(fmt.render), name
