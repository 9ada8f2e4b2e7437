"""Load checklists/ once per process, apply a county's fireaudit.toml, validate all.

Order of precedence (as sqlfluff cascades config): shipped checklist <
fireaudit.toml in the current directory or `--config FILE`. Every value taken
from the local file is recorded so that reports can say where it came from."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import msgspec

from fireaudit.checklist.models import (
    CheckSpec,
    ChecklistMeta,
    ChecksFile,
    LocalConfig,
    RegisterSpec,
    RequirementSpec,
    RequirementsFile,
    Scoring,
)
from fireaudit.checklist.data import DATA_SCHEMAS
from fireaudit.checklist.names import nearest_hint
from fireaudit.errors import ConfigError, validation_phrase
from fireaudit.i18n import Phrase
from fireaudit.resources import data_dir

if TYPE_CHECKING:
    import tomllib

LOCAL_CONFIG_NAME = "fireaudit.toml"
# check kind -> the msgspec struct its params are validated as. The loader sits
# below the checks, so the caller (fireaudit.audit.load_checklist) passes it in.
ParamTypes = Mapping[str, type]


@dataclass(frozen=True)
class Checklist:
    """The validated checklist: requirements, checks with their params, register spec and data files."""

    meta: ChecklistMeta
    scoring: Scoring
    requirements: tuple[RequirementSpec, ...]
    checks: tuple[CheckSpec, ...]
    register: RegisterSpec
    data: dict[str, Any]
    params: dict[str, Any]                 # check id -> validated params struct
    config_file: str | None = None
    overrides: tuple[str, ...] = ()        # dotted keys whose value came from the local config
    waivers: tuple[Any, ...] = field(default=())
    roster: tuple[Any, ...] = ()           # [[roster]] of fireaudit.toml (RosterTownship)
    prefer: str | None = None              # [batch] prefer of fireaudit.toml

    @cached_property
    def requirement_by_id(self) -> dict[str, RequirementSpec]:
        return {r.id: r for r in self.requirements}

    @cached_property
    def check_by_id(self) -> dict[str, CheckSpec]:
        return {c.id: c for c in self.checks}

    def checks_of(self, requirement_id: str) -> list[CheckSpec]:
        return [c for c in self.checks if c.requirement == requirement_id]

    def is_overridden(self, key: str) -> bool:
        return any(o == key or o.startswith(key + ".") for o in self.overrides)


MAX_TOML_BYTES = 1 << 20          # a county's fireaudit.toml is a few KiB
MAX_TOML_DEPTH = 12               # tables and arrays inside each other
MAX_TOML_NUMBER = 1e15            # no threshold, weight or limit is anywhere near this


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as strictly as a workbook: UTF-8 (BOM allowed), bounded size and nesting, finite numbers.

    Anything else is a ConfigError naming the file (and the key, or the encoding found)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise ConfigError("error.config.cannot_read", path=str(path), detail=exc.strerror or type(exc).__name__) from None
    if len(data) > MAX_TOML_BYTES:
        raise ConfigError("error.config.too_large", path=str(path), limit=MAX_TOML_BYTES >> 10)
    text = _decode(path, data)
    import tomllib                                    # only on a cache miss (~3 ms to import)

    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("error.config.bad_toml", path=str(path), **_position(exc)) from None
    except RecursionError:
        raise ConfigError("error.config.nested", path=str(path), where="", limit=MAX_TOML_DEPTH) from None
    _check_values(parsed, path, "", 0)
    return parsed


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 with or without BOM; other encodings named, so the county knows what to re-save as."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if data.startswith(bom):
            raise ConfigError("error.config.encoding", path=str(path), found=name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4:
            found: Any = Phrase("error.config.utf16_no_bom")
        else:
            try:
                data.decode("gb18030")
                found = "GBK/GB18030"
            except UnicodeDecodeError:
                found = Phrase("error.config.unknown_encoding", {"byte": f"0x{data[exc.start]:02x}", "offset": exc.start})
        raise ConfigError("error.config.encoding", path=str(path), found=found) from None


def _position(exc: tomllib.TOMLDecodeError) -> dict[str, Any]:
    """The line and column tomllib names ("… (at line 3, column 5)"), else "?"."""
    import re

    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    return {"line": found[1], "column": found[2]} if found else {"line": "?", "column": "?"}


def _check_values(value: Any, path: Path, key: str, depth: int) -> None:
    """Refuse nan/inf, absurd magnitudes and deep nesting, naming the key."""
    import math

    where = key
    if depth > MAX_TOML_DEPTH:
        raise ConfigError("error.config.nested", path=str(path), where=where, limit=MAX_TOML_DEPTH)
    if isinstance(value, dict):
        for name, item in value.items():
            _check_values(item, path, f"{key}.{name}" if key else str(name), depth + 1)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _check_values(item, path, f"{key}[{n}]", depth + 1)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ConfigError("error.config.not_finite", path=str(path), where=where, value=str(value))
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_TOML_NUMBER:
        raise ConfigError("error.config.out_of_range", path=str(path), where=where, value=str(value),
                          limit=f"{MAX_TOML_NUMBER:g}")


def convert(raw: Any, shape: type, origin: str) -> Any:
    """Validate `raw` as `shape`; a mistake names the file and the key path."""
    try:
        return msgspec.convert(raw, shape, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError("error.config.invalid", origin=origin, detail=validation_phrase(exc)) from None


def find_local_config(explicit: str | None) -> Path | None:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError("error.config.not_found", path=explicit)
        return path
    candidate = Path.cwd() / LOCAL_CONFIG_NAME
    return candidate if candidate.is_file() else None


def load(param_types: ParamTypes, config: str | None = None, directory: Path | None = None) -> Checklist:
    """The shipped checklist with the county's overrides applied and validated.

    `param_types` maps each check kind to its params struct (the checks layer's
    KINDS); most callers use fireaudit.audit.load_checklist, which passes it."""
    root = directory or data_dir("checklists")
    local_path = find_local_config(config)
    return _load(root, local_path, param_types)


_CACHE: dict[tuple[Any, ...], Checklist] = {}


def _load(root: Path, local_path: Path | None, param_types: ParamTypes) -> Checklist:
    key = (root, local_path, local_path.stat().st_mtime if local_path else None, tuple(param_types.items()))
    if key not in _CACHE:
        _CACHE[key] = _cached_build(root, local_path, param_types)
    return _CACHE[key]


def _cached_build(root: Path, local_path: Path | None, param_types: ParamTypes) -> Checklist:
    """The checklist from the on-disk cache when its files are unchanged (checklist/disk_cache.py), else built."""
    from fireaudit.checklist import disk_cache

    if disk_cache.cache_dir() is None:
        return _build(root, local_path, param_types)
    key = disk_cache.cache_key(root, local_path, param_types)
    found = disk_cache.load(key)
    if isinstance(found, Checklist):
        return found
    checklist = _build(root, local_path, param_types)
    disk_cache.store(key, checklist)
    return checklist


def _build(root: Path, local_path: Path | None, param_types: ParamTypes) -> Checklist:
    register = convert(read_toml(root / "register.toml"), RegisterSpec, str(root / "register.toml"))
    req_file = convert(read_toml(root / "requirements.toml"), RequirementsFile, str(root / "requirements.toml"))

    raw_checks: list[tuple[dict[str, Any], str]] = []
    for path in sorted((root / "checks").glob("*.toml")):
        raw = read_toml(path)
        convert(raw, ChecksFile, str(path))  # shape check with the right file name
        raw_checks.extend((entry, str(path)) for entry in raw.get("check", []))

    data: dict[str, Any] = {}
    for path in sorted(root.glob("*.toml")):
        if path.stem not in ("register", "requirements"):
            data[path.stem] = read_toml(path)

    local = LocalConfig()
    overrides: list[str] = []
    origin_local = str(local_path) if local_path else ""
    if local_path:
        local = convert(read_toml(local_path), LocalConfig, origin_local)
        register = _apply_register_mapping(register, local, origin_local, overrides)

    requirements = list(req_file.requirement)
    scoring = req_file.scoring
    _check_requirement_ids(requirements, root / "requirements.toml")
    req_ids = {r.id for r in requirements}

    # requirement weights and scoring
    for req_id, override in local.requirements.items():
        if req_id not in req_ids:
            raise ConfigError("error.config.no_requirement", path=origin_local, id=req_id,
                              hint=nearest_hint(req_id, sorted(req_ids)))
        if override.weight is not None:
            if override.weight < 0:
                raise ConfigError("error.config.negative_weight", path=origin_local, id=req_id)
            requirements = [
                msgspec.structs.replace(r, weight=override.weight) if r.id == req_id else r for r in requirements
            ]
            overrides.append(f"requirements.{req_id}.weight")
    if local.scoring.pass_line is not None:
        scoring = msgspec.structs.replace(scoring, pass_line=local.scoring.pass_line)
        overrides.append("scoring.pass_line")

    # checks, their overrides and their params
    checks: list[CheckSpec] = []
    params: dict[str, Any] = {}
    seen: set[str] = set()
    for entry, origin in raw_checks:
        spec = convert(entry, CheckSpec, origin)
        if spec.id in seen:
            raise ConfigError("error.config.check_twice", path=origin, id=spec.id)
        seen.add(spec.id)
        if spec.requirement not in req_ids:
            raise ConfigError("error.config.check_requirement", path=origin, id=spec.id, requirement=spec.requirement)
        if spec.kind not in param_types:
            raise ConfigError("error.config.unknown_kind", path=origin, id=spec.id, kind=spec.kind,
                              hint=nearest_hint(spec.kind, sorted(param_types)))
        override = local.checks.get(spec.id)
        raw_params = dict(spec.params)
        if override:
            changes: dict[str, Any] = {}
            if override.severity is not None:
                changes["severity"] = override.severity
                overrides.append(f"checks.{spec.id}.severity")
            if override.enabled is not None:
                changes["enabled"] = override.enabled
                overrides.append(f"checks.{spec.id}.enabled")
            for name, value in override.params.items():
                raw_params[name] = value
                overrides.append(f"checks.{spec.id}.params.{name}")
            changes["params"] = raw_params
            spec = msgspec.structs.replace(spec, **changes)
        where = f"{origin_local} [checks.{spec.id}]" if override and override.params else f"{origin} [checks.{spec.id}]"
        params[spec.id] = convert(raw_params, param_types[spec.kind], f"{where} params")
        _check_names(spec.id, params[spec.id], register, where)
        checks.append(spec)
    unknown = sorted(set(local.checks) - seen)
    if unknown:
        raise ConfigError("error.config.no_check", path=origin_local, id=unknown[0], hint=nearest_hint(unknown[0], sorted(seen)))
    for n, waiver in enumerate(local.waivers):
        if waiver.check not in seen:
            raise ConfigError("error.config.waiver_check", path=origin_local, n=n, id=waiver.check,
                              hint=nearest_hint(waiver.check, sorted(seen)))

    # other data files, with the county's [data.<file>] merged in, then validated
    for name, values in local.data.items():
        if name not in data:
            raise ConfigError("error.config.no_data_file", path=origin_local, name=name, hint=nearest_hint(name, sorted(data)))
        data[name] = _merge(data[name], values, f"data.{name}", overrides)
    for name, raw in data.items():
        shape = DATA_SCHEMAS.get(name)
        if shape is not None:
            origin = f"{root / (name + '.toml')}" + (f" + {origin_local}" if name in local.data else "")
            data[name] = convert(raw, shape, origin)

    return Checklist(
        meta=req_file.checklist,
        scoring=scoring,
        requirements=tuple(requirements),
        checks=tuple(checks),
        register=register,
        data=data,
        params=params,
        config_file=origin_local or None,
        overrides=tuple(overrides),
        waivers=tuple(local.waivers),
        roster=tuple(local.roster),
        prefer=local.batch.prefer,
    )


def _apply_register_mapping(register: RegisterSpec, local: LocalConfig, origin: str,
                            overrides: list[str]) -> RegisterSpec:
    """The county's [register] mapping (issue 15) merged into the shipped register spec."""
    from fireaudit.checklist.mapping import apply_mapping

    return apply_mapping(register, local.register, origin, overrides)


def _check_names(check_id: str, params: Any, register: RegisterSpec, origin: str) -> None:
    """Every sheet, column, profile key and vocabulary value named in params exists in register.toml.

    What each parameter names is declared on its Params type (fireaudit/checklist/names.py)."""
    from fireaudit.checklist.names import problems

    for problem in problems(params, register, f"checks.{check_id}.params"):
        raise ConfigError("error.config.invalid", origin=origin, detail=problem.phrase())


def _check_requirement_ids(requirements: list[RequirementSpec], path: Path) -> None:
    ids = [r.id for r in requirements]
    expected = [f"R{n:02d}" for n in range(1, 23)]
    if ids != expected:
        raise ConfigError("error.config.requirement_order", path=str(path), ids=ids)


def _merge(base: Any, update: Any, path: str, overrides: list[str]) -> Any:
    """Deep-merge a county's values into shipped data, recording each key it sets."""
    if isinstance(base, dict) and isinstance(update, dict):
        merged = copy.copy(base)
        for key, value in update.items():
            merged[key] = _merge(base.get(key), value, f"{path}.{key}", overrides) if key in base else value
            if key not in base:
                overrides.append(f"{path}.{key}")
        return merged
    overrides.append(path)
    return update
