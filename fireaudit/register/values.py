"""Cell values as township clerks type them -> typed values, or a reason they are not.

One parser per column, memoised on the raw value: a 100,000-row sheet repeats
the same statuses, dates and names, so each distinct value is parsed once.
Dates are parsed strictly against the forms REGISTER.md lists; a general date
guesser (dateutil's) would read `3/4/2024` silently one way or the other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from typing import Any, Callable

from fireaudit.checklist.models import ColumnSpec, RegisterSpec
from fireaudit.period import Period
from fireaudit.textnorm import clean, norm, split_list

EXCEL_ERRORS = {"#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#VALUE!", "#GETTING_DATA", "#SPILL!", "#CALC!"}

_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(.*)$")
_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_YEAR = re.compile(r"^(\d{4})(?:年|年度)?$")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str            # register error code (bad-date, unknown-value, …)
    expected: str = ""   # what was expected, shown to the clerk


Parsed = tuple[Any, Problem | None]
EMPTY: Parsed = (None, None)
_FIRST = itemgetter(0)


def is_blank(raw: Any) -> bool:
    return raw is None or raw == "" or (isinstance(raw, str) and not raw.strip())


def raw_text(raw: Any) -> str:
    """The raw value as the clerk sees it, for error messages."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (date, datetime)):
        return raw.isoformat()
    return str(raw)


class ColumnParser:
    """Parses one column's cells, each distinct raw value once (a dict lookup after that)."""

    def __init__(self, base: Callable[[Any], Parsed]):
        self.base = base
        self.cache: dict[Any, Parsed] = {"": EMPTY}

    def _compute(self, raw: Any) -> Parsed:
        if is_blank(raw):
            return EMPTY
        if isinstance(raw, str) and raw.strip() in EXCEL_ERRORS:
            return None, Problem("error-cell")
        return self.base(raw)

    def __call__(self, raw: Any) -> Parsed:
        key = (bool, raw) if raw.__class__ is bool else raw   # True == 1 == 1.0: booleans get their own key
        try:
            return self.cache[key]
        except KeyError:
            result = self.cache[key] = self._compute(raw)
            return result
        except TypeError:  # unhashable: never from calamine, but be safe
            return self._compute(raw)

    def column(self, raws: list[Any]) -> tuple[list[Any], list[tuple[int, Problem]]]:
        """Parsed values of a whole column, and (position, problem) for each value not understood.

        Set and list operations keep the per-cell work in C: only values not
        seen before reach Python code."""
        cache, compute = self.cache, self._compute
        if bool in set(map(type, raws)):     # True == 1 == 1.0: only booleans need a key of their own
            keys = [(bool, raw) if raw.__class__ is bool else raw for raw in raws]
        else:
            keys = raws
        for key in set(keys).difference(cache):
            cache[key] = compute(key[1] if key.__class__ is tuple else key)
        hits = list(map(cache.__getitem__, keys))
        values = list(map(_FIRST, hits))
        bad = {key for key, hit in cache.items() if hit[1] is not None}
        if bad.isdisjoint(keys):
            return values, []
        return values, [(position, hit[1]) for position, hit in enumerate(hits) if hit[1] is not None]


class ValueParsers:
    """Builds the memoised parser for each column type from register.toml."""

    def __init__(self, spec: RegisterSpec):
        self.spec = spec
        self.yes = {norm(v) for v in spec.yesno.yes}
        self.no = {norm(v) for v in spec.yesno.no}
        self.vocab_lookup: dict[str, dict[str, str]] = {}
        for name, vocab in spec.vocabularies.items():
            lookup = {norm(v): v for v in vocab.values}
            lookup.update({norm(alias): target for alias, target in vocab.aliases.items()})
            self.vocab_lookup[name] = lookup
        self.separators = spec.reader.list_separators
        self.max_text = spec.reader.max_text_length

    def for_column(self, column: ColumnSpec, unit_factor: float | None = None) -> "ColumnParser":
        """A memoised parser; `unit_factor` converts a header unit to the canonical one."""
        return ColumnParser(self._base(column, unit_factor))

    def _base(self, column: ColumnSpec, unit_factor: float | None) -> Callable[[Any], Parsed]:
        kind = column.type
        if kind in ("text", "ignore"):
            return self.text
        if kind == "yesno":
            return self.yesno
        if kind == "date":
            return self.date
        if kind == "period":
            return self.period
        if kind == "year":
            return self.year
        if kind == "vocab":
            return lambda raw: self.vocab(raw, column.vocab or "")
        if kind == "vocab_list":
            return lambda raw: self.vocab_list(raw, column.vocab or "")
        if kind == "count":
            return lambda raw: self.number(raw, "count", unit_factor, whole=True)
        return lambda raw: self.number(raw, column.dimension or "count", unit_factor, whole=False)

    # -- the value types ---------------------------------------------------
    def text(self, raw: Any) -> Parsed:
        if isinstance(raw, str):
            if len(raw) > self.max_text:
                return None, Problem("too-long", str(self.max_text))
            text = clean(raw)
            return (text or None), None
        if isinstance(raw, bool):
            return ("是" if raw else "否"), None
        return raw_text(raw), None

    def yesno(self, raw: Any) -> Parsed:
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw), None
        key = norm(raw_text(raw))
        if key in self.yes:
            return True, None
        if key in self.no:
            return False, None
        return None, Problem("bad-yesno")

    def date(self, raw: Any) -> Parsed:
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        if isinstance(raw, (time, timedelta, bool)):
            return None, Problem("bad-date")
        if isinstance(raw, (int, float)):
            if float(raw).is_integer() and 10_000_000 <= raw <= 99_999_999:
                raw = str(int(raw))
            else:
                return None, Problem("bad-date")
        text = re.sub(r"\s+", " ", clean(raw))
        for form in _DATE_FORMS:
            match = form.match(text)
            if match:
                try:
                    return date(*(int(g) for g in match.groups()[:3])), None
                except ValueError:
                    break
        return None, Problem("bad-date")

    def period(self, raw: Any) -> Parsed:
        parsed = Period.parse(raw_text(raw))
        return (parsed, None) if parsed else (None, Problem("bad-period"))

    def year(self, raw: Any) -> Parsed:
        if isinstance(raw, bool):
            return None, Problem("bad-year")
        if isinstance(raw, (int, float)):
            if float(raw).is_integer() and 1900 <= raw <= 2100:
                return int(raw), None
            return None, Problem("bad-year")
        match = _YEAR.match(norm(raw_text(raw)))
        if match and 1900 <= int(match.group(1)) <= 2100:
            return int(match.group(1)), None
        return None, Problem("bad-year")

    def vocab(self, raw: Any, vocab: str) -> Parsed:
        found = self.vocab_lookup[vocab].get(norm(raw_text(raw)))
        if found is None:
            return None, Problem("unknown-value", "、".join(self.spec.vocabularies[vocab].values))
        return found, None

    def vocab_list(self, raw: Any, vocab: str) -> Parsed:
        values: list[str] = []
        for part in split_list(clean(raw_text(raw)), self.separators):
            found = self.vocab_lookup[vocab].get(norm(part))
            if found is None:
                return None, Problem("unknown-value", "、".join(self.spec.vocabularies[vocab].values))
            if found not in values:
                values.append(found)
        return (tuple(values) or None), None

    def number(self, raw: Any, dimension: str, unit_factor: float | None, *, whole: bool) -> Parsed:
        code = "bad-count" if whole else "bad-number"
        units = self.spec.dimensions[dimension].units
        factor = unit_factor if unit_factor is not None else 1.0
        if isinstance(raw, bool):
            return None, Problem(code, self.spec.dimensions[dimension].canonical)
        if isinstance(raw, (int, float)):
            value = float(raw)
        else:
            text = re.sub(r"[\s,]", "", clean(raw_text(raw)))
            match = _NUMBER.match(text)
            if not match:
                return None, Problem(code, self.spec.dimensions[dimension].canonical)
            value = float(match.group(1))
            unit = match.group(2)
            if unit:
                if unit not in units:
                    return None, Problem(code, self.spec.dimensions[dimension].canonical)
                factor = units[unit]
        value *= factor
        bound = self.spec.dimensions[dimension].max
        if value != value or value in (float("inf"), float("-inf")) or (bound is not None and value > bound):
            return None, Problem("out-of-range", f"{bound:g} {self.spec.dimensions[dimension].canonical}".strip())
        if value < 0 or (whole and not float(value).is_integer()):
            return None, Problem(code, self.spec.dimensions[dimension].canonical)
        return (int(value) if whole else round(value, 10)), None
