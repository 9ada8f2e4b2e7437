"""A county's [register] mapping (fireaudit.toml, issue 15) merged into the shipped RegisterSpec.

Sheet and column names are appended to the aliases; value maps go onto their
column (`ColumnSpec.mapped`, applied by the reader before the vocabulary) and a
finding resting on one says "依据本县映射". Every mistake names the file and the
key, and a mapping that would read two things as one, or one thing as two, is
refused: the county must say which it means."""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec

from fireaudit.checklist.models import ColumnSpec, ProfileSpec, RegisterMapping, RegisterSpec, SheetSpec, Strict
from fireaudit.checklist.names import nearest_hint
from fireaudit.errors import ConfigError
from fireaudit.period import Period
from fireaudit.textnorm import norm

class MappingSettings(Strict):
    """checklists/mapping.toml: how `fireaudit map` scores proposals and which --yes accepts."""

    source: str
    weights: dict[str, float]
    sheet_weights: dict[str, float]
    help_weight: float
    auto_accept: int
    never_auto: list[str]
    margin: int = 8
    type_words: list[str] = []
    found_penalty: int = 15
    examples: int = 3
    alternatives: int = 3


DEFAULT_KEYS = {"类型": "vocab", "报告期": "period"}   # what a form may leave to the county's defaults


def apply_mapping(register: RegisterSpec, mapping: RegisterMapping, origin: str, overrides: list[str]) -> RegisterSpec:
    """`register` with the county's mapping merged in; `overrides` gets each key it set."""
    if mapping == RegisterMapping():
        return register
    profile = register.profile
    sheets = list(register.sheets)
    county_sheets = list(register.county_sheets)
    known = {profile.sheet, *(s.name for s in sheets), *(s.name for s in county_sheets)}
    read_as = {norm(a): s.sheet if isinstance(s, ProfileSpec) else s.name
               for s in (profile, *sheets, *county_sheets) for a in (spec_name(s), *s.aliases)}
    for name, sheet_map in mapping.sheets.items():
        key = f"register.sheets.{name}"
        if name not in known:
            raise ConfigError("error.mapping.no_sheet", path=origin, key=key, sheet=name, hint=nearest_hint(name, sorted(known)))
        for sheet_name in sheet_map.names:
            already = read_as.get(norm(sheet_name))
            if already is not None and already != name:
                raise ConfigError("error.mapping.sheet_read_as", path=origin, key=f"{key}.names", sheet=sheet_name, already=already)
            read_as[norm(sheet_name)] = name
        if sheet_map.layout is not None and name != profile.sheet:
            raise ConfigError("error.mapping.layout", path=origin, key=f"{key}.layout", sheet=profile.sheet)
        if sheet_map.header_row is not None and not 1 <= sheet_map.header_row <= 1000:
            raise ConfigError("error.mapping.header_row", path=origin, key=f"{key}.header_row", value=sheet_map.header_row)
        if name == profile.sheet:
            profile = _map_sheet(profile, sheet_map, register, origin, key, overrides)
        else:
            for group in (sheets, county_sheets):
                for n, spec in enumerate(group):
                    if spec.name == name:
                        group[n] = _map_sheet(spec, sheet_map, register, origin, key, overrides)
    for heading, target in mapping.blocks.items():
        if target not in known:
            raise ConfigError("error.mapping.no_sheet", path=origin, key=f"register.blocks.{heading}", sheet=target,
                              hint=nearest_hint(target, sorted(known)))
        overrides.append(f"register.blocks.{heading}")
    for key, value in mapping.defaults.items():
        _check_default(register, key, value, origin)
        overrides.append(f"register.defaults.{key}")
    return msgspec.structs.replace(
        register, profile=profile, sheets=sheets, county_sheets=county_sheets,
        blocks={**register.blocks, **mapping.blocks}, defaults={**register.defaults, **mapping.defaults},
        mapping_file=origin, mapping_sha256=_sha256(origin))


def _map_sheet(spec: SheetSpec | ProfileSpec, sheet_map, register: RegisterSpec, origin: str, key: str,
               overrides: list[str]):
    columns = list(spec.keys if isinstance(spec, ProfileSpec) else spec.columns)
    by_name = {c.name: n for n, c in enumerate(columns)}
    read_as = {norm(a): c.name for c in columns for a in (c.name, *c.aliases)}
    targets: dict[str, str] = {}
    for source, target in sheet_map.columns.items():
        where = {"path": origin, "key": f"{key}.columns.{source}"}
        if target not in by_name:
            raise ConfigError("error.mapping.no_column", **where, sheet=spec_name(spec), column=target,
                              hint=nearest_hint(target, list(by_name)))
        if target in targets:
            raise ConfigError("error.mapping.two_onto_one", **where, other=targets[target], column=target)
        already = read_as.get(norm(source))
        if already is not None and already != target:
            raise ConfigError("error.mapping.column_read_as", **where, source=source, already=already, column=target)
        targets[target] = source
        column = columns[by_name[target]]
        columns[by_name[target]] = msgspec.structs.replace(column, aliases=[*column.aliases, source])
        overrides.append(f"{key}.columns.{source}")
    for target, values in sheet_map.values.items():
        where = {"path": origin, "key": f"{key}.values.{target}"}
        if target not in by_name:
            raise ConfigError("error.mapping.no_column", **where, sheet=spec_name(spec), column=target,
                              hint=nearest_hint(target, list(by_name)))
        column = columns[by_name[target]]
        mapped: dict[str, str] = dict(column.mapped)
        seen = {norm(k): k for k in mapped}
        for raw, value in values.items():
            if norm(raw) in seen:
                raise ConfigError("error.mapping.value_twice", **where, first=seen[norm(raw)], second=raw)
            seen[norm(raw)] = raw
            mapped[raw] = _check_value(register, column, raw, value, {**where, "key": f"{where['key']}.{raw}"})
            overrides.append(f"{key}.values.{target}.{raw}")
        columns[by_name[target]] = msgspec.structs.replace(column, mapped=mapped)
    changes: dict = {"aliases": [*spec.aliases, *sheet_map.names]}
    if sheet_map.names:
        overrides.append(f"{key}.names")
    if isinstance(spec, ProfileSpec):
        changes["keys"] = columns
        if sheet_map.layout is not None:
            changes["layout"] = sheet_map.layout
            overrides.append(f"{key}.layout")
    else:
        changes["columns"] = columns
        if sheet_map.header_row is not None:
            changes["header_row"] = sheet_map.header_row
            overrides.append(f"{key}.header_row")
    return msgspec.structs.replace(spec, **changes)


def spec_name(spec: SheetSpec | ProfileSpec) -> str:
    return spec.sheet if isinstance(spec, ProfileSpec) else spec.name


def _check_value(register: RegisterSpec, column: ColumnSpec, raw: str, value: str, where: dict[str, str]) -> str:
    """The value a mapped word is read as, if the column can hold it (canonical for a vocabulary)."""
    if column.type in ("vocab", "vocab_list"):
        vocab = register.vocabularies[column.vocab or ""]
        lookup = {norm(v): v for v in vocab.values} | {norm(a): t for a, t in vocab.aliases.items()}
        found = lookup.get(norm(value))
        if found is None:
            raise ConfigError("error.mapping.not_in_vocabulary", **where, value=value, hint=nearest_hint(value, vocab.values))
        taken = lookup.get(norm(raw))
        if taken is not None and taken != found:
            raise ConfigError("error.mapping.value_read_as", **where, raw=raw, already=taken, value=found)
        return found
    if column.type == "yesno":
        words = {norm(w): True for w in [*register.yesno.yes, *column.yes]}
        words |= {norm(w): False for w in [*register.yesno.no, *column.no]}
        if norm(value) not in words:
            raise ConfigError("error.mapping.not_yesno", **where, value=value)
        taken = words.get(norm(raw))
        if taken is not None and taken != words[norm(value)]:
            raise ConfigError("error.mapping.value_read_as", **where, raw=raw, already="是" if taken else "否", value=value)
        return value
    return value


def _check_default(register: RegisterSpec, key: str, value: str, origin: str) -> None:
    where = {"path": origin, "key": f"register.defaults.{key}"}
    if key not in DEFAULT_KEYS:
        raise ConfigError("error.mapping.default_key", **where, keys=list(DEFAULT_KEYS))
    if key == "类型":
        column = next(c for c in register.profile.keys if c.name == key)
        _check_value(register, column, "", value, where)
    elif Period.parse(value) is None:
        raise ConfigError("error.mapping.default_period", **where, value=value)


def _sha256(origin: str) -> str | None:
    try:
        return hashlib.sha256(Path(origin).read_bytes()).hexdigest()
    except OSError:
        return None
