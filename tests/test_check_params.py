"""Every check parameter that names a sheet, column, profile key or vocabulary value is checked by name.

The cases are generated from the declarations (fireaudit/checklist/names.py
markers on each kind's Params): for every check of the shipped checklist and
every name its params hold, a county's fireaudit.toml with that one name
misspelt must stop the run (ConfigError, exit 2) naming the file, the key
path and the name it should have been."""

from __future__ import annotations

import copy
import json
import re
import shutil
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Iterator

import msgspec
import pytest

from fireaudit.audit import load_checklist
from fireaudit.checklist import loader
from fireaudit.checklist.names import Column, ColumnValues, Marker, declared
from fireaudit.checks import KINDS
from fireaudit.errors import ConfigError, ExitCode
from fireaudit.resources import data_dir

SHIPPED = load_checklist(directory=None)
SHEETS = {s.name: {c.name: c for c in s.columns} for s in (*SHIPPED.register.sheets, *SHIPPED.register.county_sheets)}
KEY = object()                         # a path's last step when the name is the dict key itself


def _names(hint: Any, value: Any, path: tuple, owner: Any) -> Iterator[tuple[tuple, str]]:
    """(path to the name inside the params, the name) for each name the declarations cover."""
    if value is None:
        return
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        for marker in (m for m in hint.__metadata__ if isinstance(m, Marker)):
            if isinstance(marker, ColumnValues):
                columns = SHEETS[getattr(owner, marker.of)]
                for column, accepted in value.items():
                    yield (*path, column, KEY), column
                    if columns[column].vocab:
                        yield from (((*path, column, n), item) for n, item in enumerate(accepted))
            elif isinstance(marker, Column) and marker.when and not getattr(owner, marker.when):
                continue                                     # not used, so not checked
            elif isinstance(value, str):
                yield path, value
        yield from _names(args[0], value, path, owner)
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _names(arg, value, path, owner)
    elif origin is list:
        for n, item in enumerate(value):
            yield from _names(args[0], item, (*path, n), owner)
    elif origin is dict:
        for key, item in value.items():
            yield from _names(args[0], key, (*path, key, KEY), owner)
            yield from _names(args[1], item, (*path, key), owner)
    elif isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        yield from _fields(value, path)


def _fields(params: msgspec.Struct, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    for field, hint in typing.get_type_hints(type(params), include_extras=True).items():
        if field in params.__struct_fields__:
            yield from _names(hint, getattr(params, field), (*path, field), params)


def _typo(name: str) -> str:
    """The last character typed twice (网格员 -> 网格员员): close enough that the original is the nearest."""
    return name + name[-1]


def _with_typo(params: dict, path: tuple) -> tuple[dict, str]:
    """A copy of the params' top-level field with the name at `path` misspelt, and the key path the error names."""
    data = copy.deepcopy(params)
    *parents, last = path
    node = data
    for step in parents[:-1] if last is KEY else parents:
        node = node[step]
    shown = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in (parents if last is KEY else path))
    if last is KEY:
        key = parents[-1]
        node[_typo(key)] = node.pop(key)
        shown = shown[: -len(key)] + _typo(key)
    else:
        node[last] = _typo(node[last])
    return {path[0]: data[path[0]]}, shown


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _case_id(check, path: tuple) -> str:
    return f"{check.id}-{check.kind}-{'.'.join(map(str, path[:-1] if path[-1] is KEY else path))}"


CASES = [pytest.param(check.id, path, name, id=_case_id(check, path))
         for check in SHIPPED.checks for path, name in _fields(SHIPPED.params[check.id])]


@pytest.fixture(scope="module")
def parsed_once():
    """The shipped TOML parsed once for the ~150 loads below (tomllib is most of a load's 50 ms)."""
    read, shipped, cache = loader.read_toml, data_dir("checklists"), {}

    def cached(path: Path) -> dict:
        if not path.is_relative_to(shipped):
            return read(path)
        if path not in cache:
            cache[path] = read(path)
        return copy.deepcopy(cache[path])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "read_toml", cached)
        yield


def test_every_kind_that_names_something_declares_it():
    """A Params field whose name says it names something carries a marker (a new kind cannot forget)."""
    suspicious = re.compile(r"(^|_)(sheet|column|columns|key|duty|duties|types|statuses|categories|station)$")
    for kind, spec in KINDS.items():
        marked = {p.split(".")[1] for p, _ in declared(spec.params)}
        for field in spec.params.__struct_fields__:
            if suspicious.search(field):
                assert field in marked, f"{kind}: parameter {field!r} names something but declares no marker"


def test_the_cases_cover_every_marked_check():
    covered = {check_id for check_id, *_ in (c.values for c in CASES)}
    marked = {c.id for c in SHIPPED.checks if list(declared(KINDS[c.kind].params))}
    assert covered == marked
    assert len(CASES) > 60


@pytest.mark.parametrize("check_id, path, name", CASES)
def test_a_typo_in_any_declared_name_stops_the_run(parsed_once, tmp_path, check_id, path, name):
    params = msgspec.to_builtins(SHIPPED.params[check_id])
    override, shown = _with_typo(params, path)
    config = tmp_path / "fireaudit.toml"
    config.write_text(f'[checks."{check_id}"]\nparams = {_toml(override)}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklist(str(config))
    message = info.value.text("en")
    assert str(config) in message
    assert f"checks.{check_id}.params{shown}:" in message
    nearest = re.search(r"nearest valid: ([^)]*)\)", message)
    assert nearest and name in nearest.group(1).split(", "), message
    assert info.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize("check_id, params, path, nearest", [
    ("R10.1", '{ end_column = "结束日其" }', "params.end_column", "结束日期"),
    ("R12.3", '{ by_duty = "网格元" }', "params.by_duty", "网格员"),
    ("R19.1", '{ insurances = ["基本养老保险", "失业保险", "工伤保嫌"] }', "params.insurances[2]", "工伤保险"),
])
def test_the_issue_examples_name_file_path_and_nearest(tmp_path, check_id, params, path, nearest):
    config = tmp_path / "county.toml"
    config.write_text(f'[checks."{check_id}"]\nparams = {params}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklist(str(config))
    assert re.search(rf"county\.toml.*checks\.{re.escape(check_id)}\.{re.escape(path)}:.*nearest valid: {nearest}",
                     info.value.text("en")), info.value.text("en")


def test_a_typo_in_the_shipped_checks_is_caught_too(tmp_path):
    root = tmp_path / "checklists"
    shutil.copytree(data_dir("checklists"), root)
    path = root / "checks" / "activities.toml"
    text = path.read_text(encoding="utf-8")
    assert 'end_column = "结束日期"' in text
    path.write_text(text.replace('end_column = "结束日期"', 'end_column = "结束时间"', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklist(directory=root)
    assert re.search(r"activities\.toml.*params\.end_column: sheet “专项治理” has no column", info.value.text("en"))


def test_an_unused_person_column_is_not_checked_but_a_used_one_is(tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text('[checks."R09.1"]\nparams = { person_column = "主持" }\n', encoding="utf-8")
    assert load_checklist(str(config)).params["R09.1"].person_column == "主持"   # no by_duty: never read
    config.write_text('[checks."R09.1"]\nparams = { person_column = "主持", by_duty = "网格员" }\n',
                      encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklist(str(config))
    assert re.search(r"params\.person_column: sheet “会议研判” has no column “主持”.*主持人", info.value.text("en"))


def test_unit_is_one_of_two_words(tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text('[checks."R01.1"]\nparams = { unit = "townshp" }\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unit"):
        load_checklist(str(config))


@pytest.mark.parametrize("check_id, window", [("R09.1", "perid"), ("R09.1", "month:13"), ("R17.1", "month:11"),
                                              ("R21.1", "months:0")])
def test_a_window_typo_is_a_config_error_not_a_crash_mid_audit(tmp_path, check_id, window):
    config = tmp_path / "fireaudit.toml"
    config.write_text(f'[checks."{check_id}"]\nparams = {{ window = "{window}" }}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"fireaudit\.toml.*window"):
        load_checklist(str(config))
