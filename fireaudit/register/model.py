"""What the reader hands to the checks: a typed Register with cell coordinates.

Tables are stored column-wise (one list of parsed values per column) so that a
100,000-row hazard sheet costs one list per column, not one dict per row."""

from __future__ import annotations

import gc
import re
from collections import deque
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, repeat
from operator import add, attrgetter, le, mul
from datetime import date
from typing import Any, Iterable, Iterator

from fireaudit.register import codes


@lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_DIGITS = "0123456789"
_SHEET_OF = attrgetter("evidence.sheet")
_CELL_OF = attrgetter("evidence.cell")


def _row_of(cell: str | None) -> tuple[int, int, str]:
    """Sort key of an A1 reference: row, then column."""
    if cell:
        letters = cell.rstrip(_DIGITS)     # the common `AB12`: string methods, no per-character Python
        digits = cell[len(letters):]
        if digits and letters.isascii() and letters.isalpha():
            return (int(digits), len(letters), letters)
    letters = "".join(ch for ch in cell or "" if ch.isalpha())
    digits = "".join(ch for ch in cell or "" if ch.isdigit())
    return (int(digits or 0), len(letters), letters)


def a1(row_index: int, col_index: int) -> str:
    """Zero-based indices to the A1 reference Excel shows."""
    return f"{column_letter(col_index)}{row_index + 1}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A cell a finding rests on, or the sheet/column/key that is missing."""

    sheet: str
    cell: str | None = None
    missing: str | None = None   # "sheet", "column" or "key"
    column: str | None = None    # the column or profile key the evidence is about

    def __reduce__(self):   # a constructor call: unpickling 100,000s of them (a worker's result) is 2–3× faster
        return (Evidence, (self.sheet, self.cell, self.missing, self.column))

    def ref(self) -> str:
        if self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.column:
            return f"{self.sheet}!{self.column}"
        return self.sheet

    def to_json(self) -> dict[str, str]:
        out = {"sheet": self.sheet}
        if self.cell:
            out["cell"] = self.cell
        if self.column:
            out["column"] = self.column
        if self.missing:
            out["missing"] = self.missing
        return out


@dataclass(frozen=True, slots=True)
class RegisterError:
    """A value the reader could not understand (catalogue: fireaudit/messages, `register.<code>`)."""

    code: str
    sheet: str
    cell: str
    value: str
    expected: str = ""
    nearest: tuple[str, ...] = ()   # the known values closest to `value` (difflib), for vocabularies

    def __reduce__(self):   # see Evidence.__reduce__
        return (RegisterError, (self.code, self.sheet, self.cell, self.value, self.expected, self.nearest))

    def ref(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def message(self, lang: str) -> str:
        """What is wrong, in `lang`, with the nearest known values when there are some (every writer uses this)."""
        from fireaudit.i18n import t

        text = t(lang, f"register.{self.code}", value=self.value, expected=self.expected)
        if self.nearest:
            text += ("" if lang == "zh" else " ") + t(lang, "register.nearest", nearest=list(self.nearest))
        return text


def pack_rows(cls: type, rows: tuple) -> tuple[type, tuple[list, ...]]:
    """Frozen slotted records (Evidence, RegisterError) as one list per field, to be pickled.

    A worker's result crosses to the parent by pickle: 200,000 register errors
    and the cells of the findings about them would be as many constructor calls
    on arrival (about a second). As columns they are a few lists of strings,
    and `unpack_rows` rebuilds the records without calling __init__."""
    return cls, tuple(_column(list(map(attrgetter(name), rows))) for name in cls.__slots__)


@dataclass(frozen=True, slots=True)
class _Same:
    """A packed field whose `count` values are all equal (the sheet of 200,000 bad dates): pickled once."""

    value: Any
    count: int

    def __len__(self) -> int:
        return self.count


def _column(values: list) -> list | _Same:
    # the last value first: a field of distinct values (the cells) is told without comparing every one
    if len(values) >= 1000 and values[-1] == values[0] and values.count(values[0]) == len(values):
        return _Same(values[0], len(values))
    return values


def unpack_rows(cls: type, columns: tuple[list, ...]) -> tuple:
    """The records `pack_rows` took apart: each slot set through its descriptor (a frozen class forbids setattr).

    The cyclic collector is paused meanwhile: the new records make no cycles,
    and 200,000 of them would make it walk the parent's objects again and
    again (three quarters of the time)."""
    if not columns or not columns[0]:
        return ()
    with collector_paused():
        return tuple(build_rows(cls, len(columns[0]), [repeat(c.value, c.count) if isinstance(c, _Same) else c
                                                        for c in columns]))


# More new objects than this left to the cyclic collector by `collector_paused` are frozen instead.
FREEZE_AFTER = 100_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while 100,000s of records are made (they make no cycles; it
    would walk every object again and again). If more than FREEZE_AFTER new objects are then left to it,
    they are moved out of its sight (gc.freeze) rather than handed to it as one young generation to
    traverse and promote (0.1–0.2 s for the 600,000 objects of 200,000 bad dates); they are still freed
    as usual once nothing refers to them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] > FREEZE_AFTER:
                gc.freeze()
            gc.enable()


def build_rows(cls: type, count: int, columns: Iterable[Iterable[Any]]) -> list:
    """`count` records of a frozen slotted class (Evidence, RegisterError, Unparsed) from one iterable per
    field, every field given: equal to calling the class on each row, in half the time (no __init__, whose
    frozen setattr is a Python call per field). The reader makes 100,000s of them for cells not understood."""
    rows = list(map(object.__new__, repeat(cls, count)))
    for name, values in zip(cls.__slots__, columns, strict=True):
        deque(map(getattr(cls, name).__set__, rows, values), maxlen=0)
    return rows


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A cell that holds something the reader did not understand (it is also a RegisterError).

    Distinct from an empty cell: a check must not read it as absent, 否 or 0;
    `Table.need` / `Register.need` raise Unreadable on it."""

    raw: str
    code: str                        # the register error code (bad-date, unknown-value …)
    expected: str
    evidence: Evidence
    nearest: tuple[str, ...] = ()

    def __reduce__(self):   # see Evidence.__reduce__
        return (Unparsed, (self.raw, self.code, self.expected, self.evidence, self.nearest))


class Unreadable(Exception):
    """Raised by `need` on a cell the reader did not understand; the checks layer turns it into `unknown`."""

    def __init__(self, unparsed: Unparsed):
        super().__init__(f"{unparsed.evidence.ref()}: {unparsed.raw!r} not understood ({unparsed.code})")
        self.unparsed = unparsed
        self.evidence = unparsed.evidence


EMPTY, VALUE, UNPARSED = "empty", "value", "unparsed"


class Reads:
    """The columns and profile keys one check read (fireaudit/checks/understood.py).

    While a check runs, `Table.column/records/need` and `Register.value/need`
    note what they hand out here, so the engine can tell whether a verdict
    rests on a cell the reader did not understand, without each check saying so."""

    __slots__ = ("tables", "keys", "undecided", "resolved")

    def __init__(self) -> None:
        self.tables: dict[int, tuple[Table, set[str]]] = {}
        self.keys: dict[int, tuple[Register, set[str]]] = {}
        self.undecided: list[Unparsed] = []   # cells a check understood but could not place (a month astride a bound)
        self.resolved: set[tuple] = set()     # class-only cells whose class was all this check asked (see `resolve`)

    def merge(self, other: "Reads") -> None:
        for key, (table, columns) in other.tables.items():
            self.tables.setdefault(key, (table, set()))[1].update(columns)
        for key, (register, keys) in other.keys.items():
            self.keys.setdefault(key, (register, set()))[1].update(keys)
        self.undecided += other.undecided
        self.resolved |= other.resolved

    def unparsed(self) -> list[Unparsed]:
        """Every cell read and not understood, then the undecided ones; each once."""
        if len(self.tables) == 1 and not self.keys and not self.undecided and not self.resolved:
            table, columns = next(iter(self.tables.values()))
            return table.unparsed_in(*sorted(columns))    # one table's cells are distinct already
        from_tables = [table.unparsed_in(*sorted(columns)) for table, columns in self.tables.values()]
        from_keys = [[e.unparsed for k in sorted(keys) if (e := register.profile.get(k)) and e.unparsed]
                     for register, keys in self.keys.values()]
        filled = [cells for cells in (*from_tables, *from_keys, self.undecided) if cells]
        if not self.resolved and len(filled) == 1 and any(filled[0] is cells for cells in from_tables):
            return filled[0]       # one table's cells only: distinct already, and the list the next check gets
        found: list[Unparsed] = [u for cells in (*from_tables, *from_keys, self.undecided) for u in cells]
        seen: set[tuple] = set(self.resolved)
        return [u for u in found if not ((u.evidence.sheet, u.evidence.cell) in seen
                                         or seen.add((u.evidence.sheet, u.evidence.cell)))]


READS: ContextVar[Reads | None] = ContextVar("fireaudit_reads", default=None)
# What is worked out once per register while it is audited (the register is not edited then):
# Table.unparsed_in's lists in reading order (65 checks, many reading the same columns, and 200,000
# unparseable dates are gathered and sorted once), the 队员 index of checks/grade.py. Keys start
# with id(table); each value keeps the table, so an id is never reused while the memo lives.
AUDIT_MEMO: ContextVar[dict | None] = ContextVar("fireaudit_audit_memo", default=None)


class one_audit:
    """`with one_audit():` the memo above lives for the duration (one register's audit or lookup)."""

    def __enter__(self) -> None:
        self.token = AUDIT_MEMO.set({})

    def __exit__(self, *exc: object) -> None:
        AUDIT_MEMO.reset(self.token)


def memo(owner: Any, name: str, make: Any) -> Any:
    """`make()`, kept for the rest of the audit under (owner, name); computed every time outside one."""
    kept = AUDIT_MEMO.get()
    if kept is None:
        return make()
    found = kept.get((id(owner), name))
    if found is not None and found[0] is owner:
        return found[1]
    value = make()
    kept[(id(owner), name)] = (owner, value)
    return value


def class_members(table: "Table", position: int, column: str) -> tuple[str, ...]:
    """The values a class-only cell may be (`乡镇政府专职消防队` → 一级/二级专职消防队), else ()."""
    bad = table.unparsed.get(column, {}).get(position)
    return tuple(bad.nearest) if bad is not None and bad.code == codes.CLASS_ONLY else ()


def resolve(table: "Table", position: int, column: str, accepted: Iterable[str]) -> bool:
    """True when the cell is class-only and every value it may be is `accepted`: the running check then
    rests on it as understood (its register error stays, for the checks that need the value itself)."""
    members = class_members(table, position, column)
    if not members or not set(members) <= set(accepted):
        return False
    reads = READS.get()
    if reads is not None:
        evidence = table.cell(position, column)
        reads.resolved.add((evidence.sheet, evidence.cell))
    return True


def _note(kind: str, owner: "Table | Register", names: Iterable[str]) -> None:
    """Record, for the running check, that it read `names` of `owner` (kind: "tables" or "keys")."""
    reads = READS.get()
    if reads is not None:
        noted = getattr(reads, kind)
        entry = noted.get(id(owner))
        if entry is None:
            noted[id(owner)] = entry = (owner, set())
        entry[1].update(names)


def _note_columns(table: "Table", columns: tuple[str, ...]) -> None:
    _note("tables", table, columns)


def _note_key(register: "Register", key: str) -> None:
    _note("keys", register, (key,))


class MonthDate(date):
    """A date written to the month only (`2024年4月`): the range from its first to its last day.

    It is a `date` (its first day) so existing code keeps working, but every
    ordering comparison holds only when it holds for every day of the month:
    inside a window means the whole month lies in it. `within` says True,
    False, or None when the month straddles a bound (then the check is unknown)."""

    __slots__ = ()

    @property
    def first(self) -> date:
        return date(self.year, self.month, self.day)

    @property
    def last(self) -> date:
        following = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)

    def within(self, start: date, end: date) -> bool | None:
        if start <= self.first and self.last <= end:
            return True
        if self.last < start or self.first > end:
            return False
        return None

    def __lt__(self, other):   # the whole month before `other`
        return self.last < _plain(other, last=False) if isinstance(other, date) else NotImplemented

    def __le__(self, other):
        return self.last <= _plain(other, last=False) if isinstance(other, date) else NotImplemented

    def __gt__(self, other):
        return self.first > _plain(other, last=True) if isinstance(other, date) else NotImplemented

    def __ge__(self, other):
        return self.first >= _plain(other, last=True) if isinstance(other, date) else NotImplemented

    __hash__ = date.__hash__

    def __eq__(self, other):
        if isinstance(other, MonthDate):
            return (self.year, self.month) == (other.year, other.month)
        return NotImplemented if not isinstance(other, date) else False

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"MonthDate({self.year}, {self.month})"


def _plain(value: date, *, last: bool) -> date:
    """The bound of `value` a strict comparison needs (its last or first day when it is a month)."""
    if isinstance(value, MonthDate):
        return value.last if last else value.first
    return value


def within(value: Any, start: date, end: date) -> bool | None:
    """Whether a parsed date lies in [start, end]: True, False, or None when a month straddles a bound."""
    if isinstance(value, MonthDate):
        return value.within(start, end)
    if isinstance(value, date):
        return start <= value <= end
    return None


def several(value: Any) -> tuple:
    """A cell's values as a tuple: () for empty, (v,) for one, the tuple for several (`several = true` columns)."""
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


@dataclass(frozen=True, slots=True)
class Note:
    """Something worth telling but not wrong (ignored sheets and columns, assumed units)."""

    code: str
    sheet: str = ""
    detail: str = ""


@dataclass
class Table:
    """One register sheet: canonical column name -> parsed values, row by row."""

    name: str                       # canonical sheet name (责任人)
    sheet: str                      # the name in the workbook (责任人台账)
    header_row: int                 # zero-based index of the header row
    column_index: dict[str, int]    # canonical column -> zero-based column index
    row_index: list[int] = field(default_factory=list)       # zero-based sheet row of each record
    values: dict[str, list[Any]] = field(default_factory=dict)
    missing_columns: tuple[str, ...] = ()
    unparsed: dict[str, dict[int, Unparsed]] = field(default_factory=dict)   # column -> position -> not understood
    sheets: tuple[str, ...] = ()    # every workbook sheet read into this table (two sheets for one topic)
    part_columns: tuple[dict[str, int], ...] = ()   # column_index of each of `sheets`
    part_rows: tuple[int, ...] = ()                 # header_row of each of `sheets`
    row_sheet: list[int] | None = None   # index into `sheets` of each record when there are several
    mapped: dict[str, dict[int, str]] = field(default_factory=dict)   # column -> position -> raw value read by the county's map
    # 整改状态 cells written 未整改 with no refusal in the row: 逾期未改 once their deadline has passed by
    # the audit period's end, else not understood (fireaudit/register/statuses.py)
    ambiguous: dict[int, Unparsed] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.row_index)

    def has(self, column: str) -> bool:
        return column in self.column_index

    def column(self, column: str) -> list[Any]:
        _note_columns(self, (column,))
        return self.values[column]

    def cell(self, position: int, column: str) -> Evidence:
        """Evidence for the value of record `position` in `column` (on the record's own sheet)."""
        if self.row_sheet is not None:
            part = self.row_sheet[position]
            columns = self.part_columns[part]
            if column in columns:
                return Evidence(self.sheets[part], a1(self.row_index[position], columns[column]), column=column)
            return Evidence(self.sheets[part], missing="column", column=column)
        return Evidence(self.sheet, a1(self.row_index[position], self.column_index[column]), column=column)

    def cells(self, positions: list[int], columns: list[str]) -> list[Evidence]:
        """`[self.cell(p, c) for p, c in zip(positions, columns)]`, made in bulk (no call per cell): the
        evidence of a finding about 10,000s of rows (overdue hazards)."""
        if self.row_sheet is not None or len(positions) < 64:
            return list(map(self.cell, positions, columns))
        letters = {c: column_letter(self.column_index[c]) for c in set(columns)}
        rows = map(str, map((1).__add__, map(self.row_index.__getitem__, positions)))
        cells = list(map(str.__add__, map(letters.__getitem__, columns), rows))     # a1(row, column)
        return build_rows(Evidence, len(cells), (repeat(self.sheet), cells, repeat(None), columns))

    # -- what a cell holds: a value, nothing, or something not understood ----
    def status(self, position: int, column: str) -> str:
        """EMPTY, VALUE or UNPARSED (a missing column is EMPTY for every record)."""
        if position in self.unparsed.get(column, {}):
            return UNPARSED
        values = self.values.get(column)
        return EMPTY if values is None or values[position] is None else VALUE

    def unparsed_at(self, position: int, column: str) -> Unparsed | None:
        return self.unparsed.get(column, {}).get(position)

    def need(self, position: int, column: str) -> Any:
        """The parsed value (None for an empty cell); raises Unreadable when the cell was not understood."""
        _note_columns(self, (column,))
        bad = self.unparsed.get(column, {}).get(position)
        if bad is not None:
            raise Unreadable(bad)
        values = self.values.get(column)
        return None if values is None else values[position]

    def unparsed_in(self, *columns: str, positions: Iterable[int] | None = None) -> list[Unparsed]:
        """Cells of `columns` (of the records at `positions`, default all) not understood, in reading order.

        While an audit runs (`one_audit`), the list for all records is kept for the next check
        that reads the same columns: do not modify it."""
        if positions is None:
            columns = tuple(c for c in columns if self.unparsed.get(c))    # checks reading other columns share it
            return memo(self, ("unparsed_in", columns), lambda: self._unparsed_in(columns, None)) if columns else []
        return self._unparsed_in(columns, set(positions))

    def _unparsed_in(self, columns: tuple[str, ...], wanted: set[int] | None) -> list[Unparsed]:
        if wanted is None:
            ordered = self._by_row_numbers(columns)
            if ordered is not None:
                return ordered
        found = [u for c in columns for p, u in self.unparsed.get(c, {}).items() if wanted is None or p in wanted]
        found.sort(key=lambda u: (u.evidence.sheet != self.sheet, u.evidence.sheet, _row_of(u.evidence.cell)))
        return found

    def _by_row_numbers(self, columns: tuple[str, ...]) -> list[Unparsed] | None:
        """`_unparsed_in`'s order (stable: column by column, then row, then column letters) reached by sorting
        integers, when every cell is an A1 reference on this table's sheet with one column's letters per
        column (200,000 bad dates: no per-cell Python); None otherwise."""
        groups = []
        for column in columns:
            # kept for the audit: checks reading (检查日期, 整改期限) and (整改期限,) share 整改期限's
            group = memo(self, ("row_group", column), lambda: self._row_group(column))
            if group is None:
                return None
            if group[0]:
                groups.append(group)
        ranks = {letters: n for n, letters in enumerate(sorted({g[1] for g in groups}, key=lambda x: (len(x), x)))}
        found_all: list[Unparsed] = []
        keys: list[int] = []
        for found, letters, rows in groups:
            found_all += found
            rank = ranks[letters]
            keys += map(add, map(mul, rows, repeat(len(ranks))), repeat(rank)) if len(ranks) > 1 else rows
        if all(map(le, keys, islice(keys, 1, None))):     # one column's cells come in row order: nothing to sort
            return found_all
        order = sorted(range(len(keys)), key=keys.__getitem__)
        return list(map(found_all.__getitem__, order))

    def _row_group(self, column: str) -> tuple[list[Unparsed], str, list[int]] | None:
        """A column's unparsed cells, their column letters and row numbers, or None if some cell is not an
        A1 reference on this table's sheet with those letters (see `_by_row_numbers`)."""
        found = list(self.unparsed.get(column, {}).values())
        if not found:
            return found, "", []
        if set(map(_SHEET_OF, found)) != {self.sheet}:
            return None
        cells = list(map(_CELL_OF, found))
        letters = cells[0].rstrip(_DIGITS) if isinstance(cells[0], str) else ""
        if not (letters.isascii() and letters.isalpha()):
            return None
        try:
            text = "\n".join(cells) + "\n"
        except TypeError:                # a cell without a reference
            return None
        if re.fullmatch(f"(?:{letters}[0-9]+\n)*+", text) is None:
            return None
        return found, letters, list(map(int, text.replace(letters, "").split()))

    def unreadable(self, column: str) -> list[Unparsed]:
        """Every cell of `column` not understood, in row order."""
        return [u for _, u in sorted(self.unparsed.get(column, {}).items())]

    def header(self, column: str) -> Evidence:
        if self.row_sheet is not None:   # combined sheets: the first sheet that has the column
            part = next(k for k, columns in enumerate(self.part_columns) if column in columns)
            return Evidence(self.sheets[part], a1(self.part_rows[part], self.part_columns[part][column]), column=column)
        return Evidence(self.sheet, a1(self.header_row, self.column_index[column]), column=column)

    def missing_column(self, column: str) -> Evidence:
        return Evidence(self.sheet, missing="column", column=column)

    def records(self, *columns: str) -> Iterator[tuple]:
        """(position, value, value, …) for every record; absent columns give None."""
        _note_columns(self, columns)
        lists = [self.values.get(c) or [None] * len(self) for c in columns]
        return zip(range(len(self)), *lists)


@dataclass
class ProfileEntry:
    value: Any
    evidence: Evidence
    unparsed: Unparsed | None = None    # the cell held something not understood (value is None)
    source: str = ""                    # "" = the profile key; else where it came from (title, file name …)


@dataclass
class Register:
    """A township workbook, read: profile, tables, and what could not be read."""

    path: str
    profile_sheet: str | None
    profile: dict[str, ProfileEntry]
    tables: dict[str, Table]
    errors: list[RegisterError]
    notes: list[Note]
    sheet_names: tuple[str, ...] = ()
    unrecognised: dict[str, str] = field(default_factory=dict)   # workbook sheet not recognised -> register sheet it resembles
    period_search: tuple[str, ...] = ()    # where the reader looked for the period when none was found
    mapped_cells: dict[str, str] = field(default_factory=dict)   # `sheet!cell` -> `raw → value` read by the county's map
    formula_free: frozenset[str] = frozenset()   # worksheet parts the preflight found without formulas

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def value(self, key: str) -> Any:
        _note_key(self, key)
        entry = self.profile.get(key)
        return entry.value if entry else None

    def status(self, key: str) -> str:
        """EMPTY (no key or a blank value), VALUE or UNPARSED, for a profile key."""
        entry = self.profile.get(key)
        if entry is None:
            return EMPTY
        if entry.unparsed is not None:
            return UNPARSED
        return EMPTY if entry.value is None else VALUE

    def need(self, key: str) -> Any:
        """The profile value (None when absent or blank); raises Unreadable when it was not understood."""
        _note_key(self, key)
        entry = self.profile.get(key)
        if entry is not None and entry.unparsed is not None:
            raise Unreadable(entry.unparsed)
        return entry.value if entry else None

    def no_period_phrase(self):
        """Why no period holds, listing every place looked (for the exit-3 message, in the reader's language)."""
        from fireaudit.i18n import Phrase

        note = next((n for n in self.notes if n.code == "no-period"), None)
        return Phrase("note.no-period", {"detail": note.detail if note else ""})

    def resembling(self, sheet: str) -> str | None:
        """The workbook sheet, not recognised, that most resembles register sheet `sheet`."""
        return next((name for name, canonical in self.unrecognised.items() if canonical == sheet), None)

    @property
    def county(self) -> str | None:
        return self.value("县市")

    @property
    def township(self) -> str | None:
        return self.value("乡镇街道")

    @property
    def kind(self) -> str | None:
        return self.value("类型")

    def profile_evidence(self, key: str) -> Evidence:
        entry = self.profile.get(key)
        if entry:
            return entry.evidence
        return Evidence(self.profile_sheet or "基本情况", missing="key" if self.profile_sheet else "sheet", column=key)


def mapped_reading(evidence: Evidence, mapped: dict[str, str]) -> str | None:
    """What the county's mapping read in this evidence's cell, or elsewhere on its row (`已处理 → 已整改`):
    a finding resting on a mapped value says so (issue 15). None when nothing on the row was mapped."""
    if not mapped or not evidence.cell:
        return None
    ref = evidence.ref()
    if ref in mapped:
        return mapped[ref]
    row = _row_of(evidence.cell)[0]
    prefix = f"{evidence.sheet}!"
    found = [f"{k[len(prefix):]}：{v}" for k, v in mapped.items() if k.startswith(prefix)
             and _row_of(k[len(prefix):])[0] == row]
    return "；".join(found) or None
