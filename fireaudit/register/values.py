"""Cell values as township clerks type them -> typed values, or a reason they are not.

One parser per column, memoised on the raw value: a 100,000-row sheet repeats
the same statuses, dates and names, so each distinct value is parsed once.
Dates are parsed strictly against the forms REGISTER.md lists; a general date
guesser (dateutil's) would read `3/4/2024` silently one way or the other."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import compress, repeat
from operator import is_, itemgetter
from typing import Any, Callable

from fireaudit.checklist.models import ColumnSpec, RegisterSpec
from fireaudit.lazy_re import LazyPattern
from fireaudit.period import Period, cn_number
from fireaudit.register.model import MonthDate
from fireaudit.textnorm import clean, norm, prefix_chars, split_list
from fireaudit.register import codes

EXCEL_ERRORS = {"#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#VALUE!", "#GETTING_DATA", "#SPILL!", "#CALC!"}

_NUMBER = LazyPattern(r"^([-+]?\d+(?:\.\d+)?)\s*(.*)$")
_DATE_FORMS = (
    LazyPattern(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    LazyPattern(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    LazyPattern(r"^(\d{4})(\d{2})(\d{2})$"),
)
_YEAR = LazyPattern(r"^(\d{4})(?:年|年度)?$")
_MONTH_FORMS = (LazyPattern(r"^(\d{4})年(\d{1,2})月份?$"), LazyPattern(r"^(\d{4})[-/.](\d{1,2})$"))
_CN_DATE = LazyPattern(r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月"
                       r"(?:([一二三四五六七八九十]{1,3})日)?(?:[〇零一二三四五六七八九十]{1,3}[时点](?:整|[〇零一二三四五六七八九十]{1,3}分)?)?$")
_RANGE = LazyPattern(r"\s*(?:至|到|~|～|—|–|－|-{1,2})\s*")
_RANGE_TAIL = LazyPattern(r"^[\d年月日./\-]+$")
_TICKED = LazyPattern(r"[☑■✔✓√☒]\s*([^\s□☑■✔✓√☒]+)")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str            # register error code (bad-date, unknown-value, …)
    expected: str = ""   # what was expected, shown to the clerk
    nearest: tuple[str, ...] = ()   # the known values closest to the raw one


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

    def __init__(self, base: Callable[[Any], Parsed], text_limit: int | None = None):
        self.base = base
        self.cache: dict[Any, Parsed] = {"": EMPTY}
        self.bad: set[Any] = set()                 # keys of the cache whose value was not understood
        self.text_limit = text_limit               # set when `base` is ValueParsers.text: texts parsed inline
        # of the last `column`: its cells' keys (the cells themselves, or with booleans keyed apart) and
        # the distinct keys not understood, for the reader's register errors
        self.last_keys: list[Any] = []
        self.last_bad: set[Any] = set()

    def _compute(self, raw: Any) -> Parsed:
        if is_blank(raw):
            return EMPTY
        if isinstance(raw, str) and raw.strip() in EXCEL_ERRORS:
            return None, Problem(codes.ERROR_CELL)
        return self.base(raw)

    def __call__(self, raw: Any) -> Parsed:
        key = (bool, raw) if raw.__class__ is bool else raw   # True == 1 == 1.0: booleans get their own key
        try:
            return self.cache[key]
        except KeyError:
            result = self.cache[key] = self._compute(raw)
            if result[1] is not None:
                self.bad.add(key)
            return result
        except TypeError:  # unhashable: never from calamine, but be safe
            return self._compute(raw)

    def column(self, raws: list[Any]) -> tuple[list[Any], list[int]]:
        """Parsed values of a whole column, and the positions of the values not understood (in
        order; `self(raws[position])[1]` is the problem, a dict lookup).

        Set and list operations keep the per-cell work in C: only values not
        seen before reach Python code."""
        cache, bad = self.cache, self.bad
        distinct = set(raws)
        # True == 1 == 1.0: only booleans need a key of their own (a column without 1 or 0 holds none)
        if (True in distinct or False in distinct) and bool in set(map(type, raws)):
            keys = [(bool, raw) if raw.__class__ is bool else raw for raw in raws]
            distinct = set(keys)
        else:
            keys = raws
        new = distinct.difference(cache)
        limit = self.text_limit
        if new:
            compute = self._compute
            if limit is not None:            # a text column: most values are new (names, descriptions)
                bound, quick = prefix_chars(), unicodedata.is_normalized
                for key in new:
                    if key.__class__ is not str:
                        continue
                    stripped = key.strip()
                    if not stripped:
                        result = EMPTY
                    elif stripped in EXCEL_ERRORS:
                        result = None, Problem(codes.ERROR_CELL)
                    elif len(key) > limit:
                        result = None, Problem(codes.TOO_LONG, str(limit))
                    else:                    # clean(), without its calls when nothing is to be cleaned
                        text = stripped if len(key) <= bound and key.isprintable() and quick("NFKC", key) \
                            else clean(key)
                        result = (text or None), None
                    cache[key] = result
                    if result[1] is not None:
                        bad.add(key)
            for key in new.difference(cache) if limit is not None else new:
                result = cache[key] = compute(key[1] if key.__class__ is tuple else key)
                if result[1] is not None:
                    bad.add(key)
        if limit is not None:   # text: most cells are their own value, the few others (blank …) looked up
            other = {key: value for key in distinct if (value := cache[key][0]) is not key}
            values = list(map(other.get, keys, keys)) if other else list(keys)
        elif len(distinct) * 4 < len(keys):  # values repeat: each distinct one's value looked up once
            values = list(map({key: cache[key][0] for key in distinct}.__getitem__, keys))
        else:
            values = list(map(_FIRST, map(cache.__getitem__, keys)))
        self.last_keys = keys
        if bad.isdisjoint(distinct):
            self.last_bad = set()
            return values, []
        self.last_bad = bad_here = bad.intersection(distinct)
        # a cell not understood has the value None (every parser's so far): when no other value is None (no
        # blank cell) they are the cells whose values are None, found by a pass over the values (side by
        # side in memory, not the cells); with blank cells only those whose values are None are looked at
        if any(cache[key][0] is not None for key in bad_here):
            return values, list(compress(range(len(keys)), map(bad_here.__contains__, keys)))
        candidates = list(compress(range(len(keys)), map(is_, values, repeat(None))))
        if all((value is None) is (problem is not None) for value, problem in map(cache.__getitem__, distinct)):
            return values, candidates
        return values, list(compress(candidates, map(bad_here.__contains__, map(keys.__getitem__, candidates))))


class ValueParsers:
    """Builds the memoised parser for each column type from register.toml."""

    def __init__(self, spec: RegisterSpec):
        self.spec = spec
        self.yes = {norm(v) for v in spec.yesno.yes}
        self.no = {norm(v) for v in spec.yesno.no}
        longest_first = lambda words: tuple(sorted((norm(w) for w in words), key=len, reverse=True))  # noqa: E731
        self.echo_yes = longest_first(spec.reader.echo_yes_prefixes)
        self.echo_no = longest_first(spec.reader.echo_no_prefixes)
        self.vocab_lookup: dict[str, dict[str, str]] = {}
        for name, vocab in spec.vocabularies.items():
            lookup = {norm(v): v for v in vocab.values}
            lookup.update({norm(alias): target for alias, target in vocab.aliases.items()})
            lookup.update({norm(other): other for other in vocab.others if norm(other) not in lookup})
            self.vocab_lookup[name] = lookup
        self.classes = {name: {norm(word): tuple(members) for word, members in vocab.classes.items()}
                        for name, vocab in spec.vocabularies.items() if vocab.classes}
        self.separators = spec.reader.list_separators
        self.max_text = spec.reader.max_text_length
        self.number_prefixes = tuple(sorted((clean(p) for p in spec.reader.number_prefixes), key=len, reverse=True))

    def for_column(self, column: ColumnSpec, unit_factor: float | None = None) -> "ColumnParser":
        """A memoised parser; `unit_factor` converts a header unit to the canonical one."""
        base = self._base(column, unit_factor)
        if column.mapped:
            base = mapped_first(base, column.mapped)
        return ColumnParser(base, self.max_text if base == self.text else None)

    def _base(self, column: ColumnSpec, unit_factor: float | None) -> Callable[[Any], Parsed]:
        kind = column.type
        if kind in ("text", "ignore"):
            return self.text
        if kind == "yesno":
            yes, no = {norm(v) for v in column.yes}, {norm(v) for v in column.no}
            names = tuple(norm(n) for n in (column.name, *column.aliases))
            return lambda raw: self.yesno(raw, yes, no, names)
        if kind == "date":
            return self.date
        if kind == "period":
            return self.period
        if kind == "year":
            return self.year
        if kind == "vocab" and column.several:
            return lambda raw: self.vocab_several(raw, column.vocab or "")
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
                return None, Problem(codes.TOO_LONG, str(self.max_text))
            text = clean(raw)
            return (text or None), None
        if isinstance(raw, bool):
            return ("是" if raw else "否"), None
        return raw_text(raw), None

    def yesno(self, raw: Any, yes: set[str] = frozenset(), no: set[str] = frozenset(),
              names: tuple[str, ...] = ()) -> Parsed:
        """是/否 and the state words of register.toml; `yes`/`no` are the column's own words (畅通);
        `names` the column's name and aliases, whose verb a state word may echo (`已应用`)."""
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw), None
        key = norm(raw_text(raw))
        found = self._yesno_word(key, yes, no)
        if found is None:
            ticked = _TICKED.findall(clean(raw_text(raw)))   # `☑符合 □不符合`: the ticked option
            if len(ticked) == 1 and ticked[0] != key:
                found = self._yesno_word(norm(ticked[0]), yes, no)
        if found is None:
            found = self._echoed_verb(key, names)
        if found is None:
            words = [*self.spec.yesno.yes, *self.spec.yesno.no]
            return None, Problem(codes.BAD_YESNO, "", _nearest(key, {norm(w): w for w in words}))
        return found, None

    def _yesno_word(self, key: str, yes: set[str], no: set[str]) -> bool | None:
        if key in yes or (key in self.yes and key not in no):
            return True
        if key in no or key in self.no:
            return False
        return None

    def _echoed_verb(self, key: str, names: tuple[str, ...]) -> bool | None:
        """`已应用` / `尚未纳入`: a state prefix (register.toml) followed by a word of two or more characters
        that the column's own name holds, so the cell answers the column's question in its own verb.
        Anything else stays a register error (never a guess)."""
        for prefixes, answer in ((self.echo_no, False), (self.echo_yes, True)):
            for prefix in prefixes:
                rest = key[len(prefix):]
                if key.startswith(prefix) and len(rest) >= 2 and any(rest in name for name in names):
                    return answer
        return None

    def date(self, raw: Any) -> Parsed:
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        if isinstance(raw, (time, timedelta, bool)):
            return None, Problem(codes.BAD_DATE)
        if isinstance(raw, (int, float)):
            if float(raw).is_integer() and 10_000_000 <= raw <= 99_999_999:
                raw = str(int(raw))
            else:
                return None, Problem(codes.BAD_DATE)
        text = re.sub(r"\s+", " ", clean(raw))
        found = _full_date(text)
        if found is None:
            found = _month_only(text) or _chinese_date(text) or _range_start(text)
        return (found, None) if found else (None, Problem(codes.BAD_DATE))

    def period(self, raw: Any) -> Parsed:
        parsed = Period.parse(raw_text(raw))
        return (parsed, None) if parsed else (None, Problem(codes.BAD_PERIOD))

    def year(self, raw: Any) -> Parsed:
        if isinstance(raw, bool):
            return None, Problem(codes.BAD_YEAR)
        if isinstance(raw, (int, float)):
            if float(raw).is_integer() and 1900 <= raw <= 2100:
                return int(raw), None
            return None, Problem(codes.BAD_YEAR)
        match = _YEAR.match(norm(raw_text(raw)))
        if match and 1900 <= int(match.group(1)) <= 2100:
            return int(match.group(1)), None
        return None, Problem(codes.BAD_YEAR)

    def vocab(self, raw: Any, vocab: str) -> Parsed:
        lookup = self.vocab_lookup[vocab]
        key = norm(raw_text(raw))
        found = lookup.get(key)
        last = re.split(r"[/／]", key)[-1]
        if found is None and last != key:
            found = lookup.get(last)   # `专职队/乡镇政府专职消防队`: the last part
        if found is None:
            members = self.classes.get(vocab, {}).get(key) or self.classes.get(vocab, {}).get(last)
            if members:      # the class is plain, the value is not: a register error that names the choices
                return None, Problem(codes.CLASS_ONLY, "、".join(members), tuple(members))
            return None, self._unknown(vocab, key)
        return found, None

    def vocab_several(self, raw: Any, vocab: str) -> Parsed:
        """One value, or a tuple when the cell names several (`主要责任人、消防安全管理人`)."""
        one = self.vocab(raw, vocab)
        if one[1] is None:
            return one
        parts = split_list(clean(raw_text(raw)), self.separators)
        if len(parts) < 2:
            return one
        values: list[str] = []
        for part in parts:
            found, problem = self.vocab(part, vocab)
            if problem is not None:
                return None, Problem(problem.code, problem.expected, problem.nearest)
            if found not in values:
                values.append(found)
        return (values[0] if len(values) == 1 else tuple(values)), None

    def _unknown(self, vocab: str, key: str) -> Problem:
        lookup = self.vocab_lookup[vocab]
        return Problem(codes.UNKNOWN_VALUE, "、".join(self.spec.vocabularies[vocab].values), _nearest(key, lookup))

    def vocab_list(self, raw: Any, vocab: str) -> Parsed:
        values: list[str] = []
        for part in split_list(clean(raw_text(raw)), self.separators):
            found = self.vocab_lookup[vocab].get(norm(part))
            if found is None:
                return None, self._unknown(vocab, norm(part))
            if found not in values:
                values.append(found)
        return (tuple(values) or None), None

    def number(self, raw: Any, dimension: str, unit_factor: float | None, *, whole: bool) -> Parsed:
        code = codes.BAD_COUNT if whole else codes.BAD_NUMBER
        units = self.spec.dimensions[dimension].units
        factor = unit_factor if unit_factor is not None else 1.0
        if isinstance(raw, bool):
            return None, Problem(code, self.spec.dimensions[dimension].canonical)
        if isinstance(raw, (int, float)):
            value = float(raw)
        else:
            text = re.sub(r"[\s,]", "", clean(raw_text(raw)))
            for prefix in self.number_prefixes:    # `共计13人`, `约50人`
                if text.startswith(prefix) and text[len(prefix):][:1].isdigit():
                    text = text[len(prefix):]
                    break
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
            return None, Problem(codes.OUT_OF_RANGE, f"{bound:g} {self.spec.dimensions[dimension].canonical}".strip())
        if value < 0 or (whole and not float(value).is_integer()):
            return None, Problem(code, self.spec.dimensions[dimension].canonical)
        return (int(value) if whole else round(value, 10)), None


def mapped_first(base: Callable[[Any], Parsed], mapped: dict[str, str]) -> Callable[[Any], Parsed]:
    """A county's value map (fireaudit.toml [register]) applied before the column's own parser."""
    table = {norm(k): v for k, v in mapped.items()}

    def parse(raw: Any) -> Parsed:
        return base(table.get(norm(raw_text(raw)), raw) if not is_blank(raw) else raw)

    return parse


def is_mapped(column: ColumnSpec, raw: Any) -> str | None:
    """The value a county's map reads `raw` as, or None when the map does not apply to it."""
    if not column.mapped or is_blank(raw):
        return None
    key = norm(raw_text(raw))
    return next((v for k, v in column.mapped.items() if norm(k) == key), None)


def _nearest(key: str, lookup: dict[str, str], n: int = 3) -> tuple[str, ...]:
    """The known values whose names are closest to `key` (difflib), canonical and without repeats."""
    if not key:
        return ()
    close = difflib.get_close_matches(key, list(lookup), n=n * 2, cutoff=0.5)
    contained = [k for k in lookup if len(k) > 1 and (k in key or key in k)]   # 乡镇政府专职消防队 ~ 专职消防队
    return tuple(dict.fromkeys(lookup[k] for k in [*close, *contained]))[:n]


def _full_date(text: str) -> date | None:
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()[:3]))
            except ValueError:
                return None
    return None


def _month_only(text: str) -> MonthDate | None:
    """`2024年4月`: the whole month (see MonthDate)."""
    for form in _MONTH_FORMS:
        match = form.match(text.replace(" ", ""))
        if match and 1 <= int(match.group(2)) <= 12:
            return MonthDate(int(match.group(1)), int(match.group(2)), 1)
    return None


def _chinese_date(text: str) -> date | None:
    """`二〇二四年六月二十八日`, `二〇一二年九月九日九时整`; a month without a day is a MonthDate."""
    match = _CN_DATE.match(text.replace(" ", ""))
    if not match:
        return None
    year = int("".join(str(cn_number(c)) for c in match.group(1)))
    month = cn_number(match.group(2))
    day = cn_number(match.group(3)) if match.group(3) else None
    try:
        return date(year, month, day) if day else MonthDate(year, month, 1)
    except (ValueError, TypeError):
        return None


def _range_start(text: str) -> date | None:
    """`2024.4.1-4.3`, `2024年4月1日至3日`: the first day of the range."""
    for match in _RANGE.finditer(text):
        head, tail = text[:match.start()], text[match.end():]
        start = _full_date(head)
        if start is not None and tail and _RANGE_TAIL.match(tail):
            return start
    return None
