"""Start-up (issue 19, item 6): the validated checklist is kept on disk, keyed by the SHA-256 of what it is
built from; any change is a miss, a corrupt entry is ignored; the annex's keyword matcher is built only
when a description must be read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fireaudit import user_cache
from fireaudit.audit import load_checklist
from fireaudit.checklist import disk_cache, loader
from fireaudit.checks import KINDS
from fireaudit.resources import data_dir

PARAM_TYPES = {name: kind.params for name, kind in KINDS.items()}


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A private cache directory (platformdirs follows XDG_CACHE_HOME) and a copy of the checklists."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(user_cache.ENV_OFF, raising=False)
    shutil.copytree(data_dir("checklists"), tmp_path / "checklists")
    return tmp_path


@pytest.fixture
def builds(monkeypatch) -> list[Path]:
    """Every real build of a checklist (a cache miss)."""
    made: list[Path] = []
    real = loader._build

    def counted(root, local_path, param_types):
        made.append(root)
        return real(root, local_path, param_types)

    monkeypatch.setattr(loader, "_build", counted)
    return made


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "cache").rglob("*.pickle"))


def test_a_second_load_comes_from_the_cache(cache, builds):
    root = cache / "checklists"
    first = loader._cached_build(root, None, PARAM_TYPES)
    assert len(builds) == 1 and len(entries(cache)) == 1
    second = loader._cached_build(root, None, PARAM_TYPES)
    assert len(builds) == 1
    assert second is not first and second.requirements == first.requirements and second.params == first.params
    assert second.data["limits"] == first.data["limits"]


def test_a_changed_checklist_file_is_a_miss(cache, builds):
    root = cache / "checklists"
    loader._cached_build(root, None, PARAM_TYPES)
    limits = root / "limits.toml"
    limits.write_text(limits.read_text(encoding="utf-8").replace("listed_errors_per_code = 20",
                                                                  "listed_errors_per_code = 7"), encoding="utf-8")
    changed = loader._cached_build(root, None, PARAM_TYPES)
    assert len(builds) == 2
    assert changed.data["limits"].listed_errors_per_code == 7


def test_a_changed_county_config_is_a_miss(cache, builds):
    root = cache / "checklists"
    config = cache / "fireaudit.toml"
    config.write_text("[scoring]\npass_line = 60\n", encoding="utf-8")
    assert loader._cached_build(root, config, PARAM_TYPES).scoring.pass_line == 60
    config.write_text("[scoring]\npass_line = 70\n", encoding="utf-8")
    assert loader._cached_build(root, config, PARAM_TYPES).scoring.pass_line == 70
    assert len(builds) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "valid frame, bad pickle"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(cache, builds, damage):
    import hashlib

    root = cache / "checklists"
    expected = loader._cached_build(root, None, PARAM_TYPES)
    [entry] = entries(cache)
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        entry.write_bytes(b"\x00" * 100)
    else:
        body = b"\x80\x05not a pickle"
        entry.write_bytes(disk_cache.MAGIC + hashlib.sha256(body).hexdigest().encode() + body)
    again = loader._cached_build(root, None, PARAM_TYPES)
    assert len(builds) == 2
    assert again.requirements == expected.requirements
    assert loader._cached_build(root, None, PARAM_TYPES).params == expected.params   # rewritten: a hit
    assert len(builds) == 2


def test_the_environment_variable_turns_the_cache_off(cache, builds, monkeypatch):
    monkeypatch.setenv(user_cache.ENV_OFF, "1")
    root = cache / "checklists"
    loader._cached_build(root, None, PARAM_TYPES)
    loader._cached_build(root, None, PARAM_TYPES)
    assert len(builds) == 2 and entries(cache) == []


def test_a_checklist_with_an_error_is_never_stored(cache, builds):
    from fireaudit.errors import ConfigError

    root = cache / "checklists"
    (root / "limits.toml").write_text("source = 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError):
            loader._cached_build(root, None, PARAM_TYPES)
    assert len(builds) == 2 and entries(cache) == []


# ---------------------------------------------------------------- the annex's matcher, built lazily
def test_the_keyword_matcher_is_built_when_a_description_is_read():
    from fireaudit.annex import Router, router_of

    checklist = load_checklist(directory=None)
    router = Router(router_of(checklist).data, checklist.register.reader.list_separators)
    router.accepts_any(router.data.category[0].name)
    router.departments_of(router.data.category[0].name)
    assert "_scanner" not in router.__dict__
    router.infer("疏散通道堆放杂物")
    assert "_scanner" in router.__dict__


def test_a_register_without_referred_hazards_never_builds_the_router(tmp_path, monkeypatch):
    from fireaudit.checks import hazards
    from fireaudit.runner import audit_files
    from tests.builders import compliant

    reg = compliant()
    sheet = reg.sheets["检查隐患"]
    for row in sheet.rows:
        row[sheet.header.index("移送部门")] = None
        row[sheet.header.index("移送日期")] = None
    path = reg.save(tmp_path / "潘津镇.xlsx")
    called = []
    real = hazards.router_of
    monkeypatch.setattr(hazards, "router_of", lambda checklist: called.append(1) or real(checklist))
    audit_files([path], load_checklist(directory=None), None, isolate=False)
    assert called == []
    audit_files([compliant().save(tmp_path / "referred.xlsx")], load_checklist(directory=None), None, isolate=False)
    assert called


def test_a_change_to_any_module_of_fireaudit_is_a_miss(cache, monkeypatch):
    """The pickle holds objects of the grades and annex modules too, not only of checklist/ and checks/."""
    package = Path(disk_cache.__file__).resolve().parent.parent
    copy = cache / "fireaudit"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(disk_cache, "__file__", str(copy / "checklist" / "disk_cache.py"))
    before = disk_cache.cache_key(cache / "checklists", None, PARAM_TYPES)
    assert disk_cache.cache_key(cache / "checklists", None, PARAM_TYPES) == before
    (copy / "annex.py").write_text((copy / "annex.py").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert disk_cache.cache_key(cache / "checklists", None, PARAM_TYPES) != before


def test_an_edit_of_the_same_size_is_a_miss(cache, monkeypatch):
    """Modules are keyed by path, size and modification time (as Python's .pyc check): an edit that keeps
    the size still changes the time."""
    import os

    package = Path(disk_cache.__file__).resolve().parent.parent
    copy = cache / "fireaudit"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(disk_cache, "__file__", str(copy / "checklist" / "disk_cache.py"))
    before = disk_cache.cache_key(cache / "checklists", None, PARAM_TYPES)
    grades = copy / "grades.py"
    text = grades.read_text(encoding="utf-8")
    stat = grades.stat()
    grades.write_text(text[:-1] + "#", encoding="utf-8")            # its last newline, now a "#"
    os.utime(grades, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert grades.stat().st_size == stat.st_size
    assert disk_cache.cache_key(cache / "checklists", None, PARAM_TYPES) != before


def test_temporary_files_a_killed_run_left_are_removed_by_the_next_store(cache):
    import os
    import time

    folder = disk_cache.cache_dir()
    folder.mkdir(parents=True)
    stale, fresh = folder / ".tmp-stale.pickle", folder / ".tmp-fresh.pickle"   # fresh: another run writing now
    stale.write_bytes(b"half an entry")
    fresh.write_bytes(b"being written")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    disk_cache.store("0" * 64, {"a": 1})
    assert disk_cache.load("0" * 64) == {"a": 1}
    assert not stale.exists() and fresh.exists()
