"""Markers for check parameters that name something of register.toml, and the one walk that checks them.

A check kind's Params declares what each name-bearing parameter refers to,
next to the parameter itself:

    sheet: Annotated[str, Sheet()]
    date_column: Annotated[str, Column(of="sheet")]           # a column of the sheet `sheet` names
    column: Annotated[str, Column("村社区")]                    # a column of a fixed sheet
    key: Annotated[str, ProfileKey()]
    duties: list[Annotated[str, Vocab("消防职责")]]             # each item a value of that vocabulary
    value: Annotated[str, ProfileValue(of="key")]             # a value of that profile key's vocabulary
    match: Annotated[dict[str, list[str]], ColumnValues(of="sheet")]   # columns -> values of their vocabularies

`problems` walks a validated Params value (lists, dicts, nested structs)
and yields each name register.toml does not have, with the nearest valid
names, so a typo in a county's fireaudit.toml stops the run instead of
silently never matching."""

from __future__ import annotations

from abc import ABC, abstractmethod

import types
import typing
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Annotated, Any, Iterator, Union

import msgspec

from fireaudit.checklist.models import ColumnSpec, RegisterSpec
from fireaudit.i18n import Phrase


@dataclass(frozen=True)
class Problem:
    """A name in a check's params that register.toml does not define, with the valid names."""

    path: str            # e.g. checks.R09.1.params.match.类型[0]
    what: Phrase         # e.g. error.names.no_column: sheet '专项治理' has no column '结束日其'
    value: str           # the name not found
    valid: tuple[str, ...]

    def phrase(self) -> Phrase:
        """The problem with the nearest valid names, rendered in the reader's language."""
        return Phrase("error.names.problem", {"path": self.path, "what": self.what, "hint": nearest_hint(self.value, self.valid)})


def nearest_hint(value: str, valid: tuple[str, ...] | list[str]) -> Phrase:
    """The nearest valid names to `value` (or the first of them, or that none is defined)."""
    import difflib   # only for a mistake in a config

    valid = tuple(valid)
    near = difflib.get_close_matches(value, valid, n=3, cutoff=0.5)
    if near:
        return Phrase("error.names.nearest", {"names": near})
    if valid:
        return Phrase("error.names.valid", {"names": list(valid[:12]), "more": "…" if len(valid) > 12 else ""})
    return Phrase("error.names.none_defined")


class Names:
    """The names register.toml defines, looked up by the markers."""

    def __init__(self, register: RegisterSpec):
        self.register = register

    @cached_property
    def sheets(self) -> dict[str, dict[str, ColumnSpec]]:
        return {s.name: {c.name: c for c in s.columns} for s in (*self.register.sheets, *self.register.county_sheets)}

    @cached_property
    def profile(self) -> dict[str, ColumnSpec]:
        return {k.name: k for k in self.register.profile.keys}

    def vocabulary(self, name: str | None) -> tuple[str, ...] | None:
        vocab = self.register.vocabularies.get(name or "")
        return tuple(vocab.values) if vocab else None


class Marker(ABC):
    """What a parameter's value names; `check` returns the problem, if any."""

    @abstractmethod
    def check(self, value: Any, owner: Any, names: Names, path: str) -> Iterator[Problem]:
        """The problems of `value` at `path` (none when it names something register.toml has)."""


@dataclass(frozen=True)
class Sheet(Marker):
    """The value is the name of a sheet (a township's or the county's)."""

    def check(self, value, owner, names, path):
        if isinstance(value, str) and value not in names.sheets:
            yield Problem(path, Phrase("error.names.no_sheet", {"sheet": value}), value, tuple(names.sheets))


@dataclass(frozen=True)
class Column(Marker):
    """The value is a column of `sheet`, or of the sheet the parameter `of` names.

    `when`: checked only when that parameter is set (the column is used only then)."""

    sheet: str | None = None
    of: str | None = None
    when: str | None = None

    def check(self, value, owner, names, path):
        if not isinstance(value, str) or (self.when and not getattr(owner, self.when, None)):
            return
        sheet = self.sheet if self.of is None else getattr(owner, self.of, None)
        columns = names.sheets.get(sheet)
        if columns is None:
            if self.of is None:          # a fixed sheet missing from register.toml: the code and data disagree
                yield Problem(path, Phrase("error.names.no_sheet", {"sheet": sheet}), sheet or "", tuple(names.sheets))
            return                       # the `of` parameter's own marker reports its sheet
        if value not in columns:
            yield Problem(path, Phrase("error.names.no_column", {"sheet": sheet, "column": value}), value, tuple(columns))


@dataclass(frozen=True)
class ProfileKey(Marker):
    """The value is a key of the 基本情况 profile."""

    def check(self, value, owner, names, path):
        if isinstance(value, str) and value not in names.profile:
            yield Problem(path, Phrase("error.names.no_profile_key", {"key": value}), value, tuple(names.profile))


@dataclass(frozen=True)
class Vocab(Marker):
    """The value is one of the values of the vocabulary `name` of register.toml."""

    name: str

    def check(self, value, owner, names, path):
        if not isinstance(value, str):
            return
        values = names.vocabulary(self.name)
        if values is None:
            yield Problem(path, Phrase("error.names.no_vocabulary", {"vocabulary": self.name}), self.name,
                          tuple(names.register.vocabularies))
        elif value not in values:
            yield Problem(path, Phrase("error.names.not_in_vocabulary", {"value": value, "vocabulary": self.name}),
                          value, values)


@dataclass(frozen=True)
class ProfileValue(Marker):
    """The value is one of the vocabulary values of the profile key the parameter `of` names."""

    of: str

    def check(self, value, owner, names, path):
        key = names.profile.get(getattr(owner, self.of, None) or "")
        values = names.vocabulary(key.vocab) if key else None
        if isinstance(value, str) and values is not None and value not in values:
            yield Problem(path, Phrase("error.names.not_in_profile_key", {"value": value, "key": key.name,
                                                                          "vocabulary": key.vocab}), value, values)


@dataclass(frozen=True)
class ColumnValues(Marker):
    """A dict: each key a column of the sheet the parameter `of` names; its values, values of that column's vocabulary."""

    of: str

    def check(self, value, owner, names, path):
        columns = names.sheets.get(getattr(owner, self.of, None))
        if not isinstance(value, dict) or columns is None:
            return
        for column, accepted in value.items():
            if column not in columns:
                yield Problem(f"{path}.{column}", Phrase("error.names.no_column", {"sheet": getattr(owner, self.of),
                                                                                    "column": column}), column,
                              tuple(columns))
                continue
            vocab = names.vocabulary(columns[column].vocab)
            for n, item in enumerate(accepted if isinstance(accepted, list) else [accepted]):
                if vocab is not None and item not in vocab:
                    yield Problem(f"{path}.{column}[{n}]", Phrase("error.names.not_in_column", {
                        "value": item, "column": column, "vocabulary": columns[column].vocab}), item, vocab)


# ---------------------------------------------------------------- the walk
@cache
def _hints(shape: type) -> dict[str, Any]:
    return typing.get_type_hints(shape, include_extras=True)


def problems(params: Any, register: RegisterSpec, path: str = "params") -> Iterator[Problem]:
    """Every name in `params` (a Params struct) that register.toml does not define."""
    yield from _struct(params, Names(register), path)


def _struct(value: msgspec.Struct, names: Names, path: str) -> Iterator[Problem]:
    for field, hint in _hints(type(value)).items():
        if field in value.__struct_fields__:
            yield from _walk(hint, getattr(value, field), value, names, f"{path}.{field}")


def _walk(hint: Any, value: Any, owner: Any, names: Names, path: str) -> Iterator[Problem]:
    if value is None:
        return
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        for marker in hint.__metadata__:
            if isinstance(marker, Marker):
                yield from marker.check(value, owner, names, path)
        yield from _walk(args[0], value, owner, names, path)
    elif origin in (Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                yield from _walk(arg, value, owner, names, path)
    elif origin in (list, tuple, set, frozenset) and args:
        for n, item in enumerate(value):
            yield from _walk(args[0], item, owner, names, f"{path}[{n}]")
    elif origin is dict and args:
        for key, item in value.items():
            yield from _walk(args[0], key, owner, names, f"{path}.{key}")
            yield from _walk(args[1], item, owner, names, f"{path}.{key}")
    elif isinstance(hint, type) and issubclass(hint, msgspec.Struct) and isinstance(value, hint):
        yield from _struct(value, names, path)


def declared(shape: type, path: str = "params") -> Iterator[tuple[str, Marker]]:
    """Each (field path, marker) a Params type declares, nested structs included (for tests and docs)."""
    for field, hint in _hints(shape).items():
        yield from _declared(hint, f"{path}.{field}")


def _declared(hint: Any, path: str) -> Iterator[tuple[str, Marker]]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        yield from ((path, m) for m in hint.__metadata__ if isinstance(m, Marker))
        yield from _declared(args[0], path)
    elif origin in (Union, types.UnionType, list, tuple, set, frozenset):
        for arg in args:
            yield from _declared(arg, path)
    elif origin is dict and args:
        yield from _declared(args[0], f"{path}.<key>")
        yield from _declared(args[1], f"{path}.<value>")
    elif isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        yield from declared(hint, path)
