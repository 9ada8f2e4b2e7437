"""No verdict without understood evidence: the one rule, applied by the engine to every check.

A cell the reader did not understand (model.Unparsed: not in a vocabulary,
not a date, not a number) is neither empty, 否 nor zero. While a check runs,
the tables and the profile note which columns and keys it read (model.Reads);
afterwards `judge` keeps the check's verdict only when it cannot rest on such
a cell:

- nothing the check read is unparsed: the verdict stands;
- a cell among the finding's evidence is unparsed: `unknown`;
- the finding is *witnessed* (proven by the rows its evidence names, e.g. a
  drill held in the window, a refused hazard left unreferred) and no cell the
  check read on those rows is unparsed: it stands, whatever other rows hold;
- otherwise (a fail for want of something, a pass because nothing is wrong,
  an `na`) the unparsed cells could change it: `unknown`.

A check that reaches for an unparsed cell with `need` (Table.need,
Register.need, CheckContext.profile) is stopped by model.Unreadable, which
ends here as `unknown` too. Every such `unknown` names each cell, the raw
value, what was expected and the nearest known values; it never says 未填写."""

from __future__ import annotations

from datetime import date
from itertools import compress, repeat
from operator import attrgetter
from typing import Any

from fireaudit.checks.base import NA, UNKNOWN, CheckContext, CheckKind, Outcome, outcome
from fireaudit.i18n import Joined, Phrase
from fireaudit.register.model import READS, Evidence, MonthDate, Reads, Table, Unparsed, Unreadable, memo, within
from fireaudit.register import codes

MESSAGE = "common.unreadable"
MAX_LISTED = 20      # cells named in the message; the evidence names every one
_EVIDENCE, _SHEET, _CELL = attrgetter("evidence"), attrgetter("evidence.sheet"), attrgetter("evidence.cell")


def judge(kind: CheckKind, ctx: CheckContext, params: Any) -> Outcome:
    """Run one check and hold its verdict to the cells it understood (MissingInput passes through)."""
    reads = Reads()
    token = READS.set(reads)
    try:
        try:
            result = kind.run(ctx, params)
        except Unreadable as stopped:
            return unreadable([stopped.unparsed, *reads.unparsed()], None)
    finally:
        READS.reset(token)
        outer = READS.get()
        if outer is not None:          # a caller recording too (tests): it sees what this check read
            outer.merge(reads)
    result = hold(result, reads.unparsed())
    return unseen(result, ctx, {table.name for table, _ in reads.tables.values()})


def unseen(result: Outcome, ctx: CheckContext, sheets: set[str]) -> Outcome:
    """A verdict not proven by rows read is `unknown` while a workbook sheet that was not recognised
    resembles a sheet the check read: its rows (a second hazard ledger) could change it."""
    if result.status == UNKNOWN or (result.witnessed and result.status != NA):
        return result
    found = [(name, sheet) for name, sheet in ctx.register.unrecognised.items() if sheet in sheets]
    if not found:
        return result
    name, sheet = found[0]
    return outcome(UNKNOWN, "common.unread_sheet", [Evidence(name, missing="sheet")], found=name, sheet=sheet,
                   verdict=str(result.status))


def hold(result: Outcome, unparsed: list[Unparsed]) -> Outcome:
    """`result` if no cell in `unparsed` could change it, else the `unknown` naming them."""
    if not unparsed:
        return result
    derived = _derived(unparsed)
    if result.evidence:
        in_evidence = [u for k in dict.fromkeys(_key(e) for e in result.evidence) if (u := derived.find(k)) is not None]
        if in_evidence:
            named = set(in_evidence)
            rest = [u for u in unparsed if u not in named]
            return unreadable([*in_evidence, *rest], result)
    if result.status == UNKNOWN:
        return result                       # already no verdict; its own reason stands
    if result.witnessed:
        rows = {_row(e) for e in result.evidence if e.cell}
        if not rows & derived.rows():
            return result
    return unreadable(unparsed, result)


def unreadable(unparsed: list[Unparsed], instead: Outcome | None) -> Outcome:
    """`unknown`: these cells hold values not understood; `instead` is what the understood cells alone said."""
    unique, evidence = _derived(unparsed).unique()
    params: dict[str, Any] = {"cells": Joined(tuple(cell_phrase(u) for u in unique[:MAX_LISTED]), "sentences"),
                              "count": len(unique)}
    if instead is not None:
        params["verdict"] = str(instead.status)
    return outcome(UNKNOWN, MESSAGE, evidence, **params)


class _Derived:
    """What `hold` and `unreadable` compute from one list of unparsed cells, computed once.

    Many checks read the same columns and get the same list (Table.unparsed_in keeps it): with
    200,000 unparseable dates each check would otherwise rebuild these, and every `unknown` would
    carry its own 200,000-item evidence tuple (one shared tuple pickles once from a worker)."""

    __slots__ = ("unparsed", "_sheet", "_cells", "_rows", "_unique")

    def __init__(self, unparsed: list[Unparsed]):
        self.unparsed = unparsed
        self._sheet: str | None = None       # the one sheet of every cell, when `_cells` is keyed by cell alone
        self._cells: dict[Any, Unparsed] | None = None
        self._rows: set[tuple[str, str]] | None = None
        self._unique: tuple[list[Unparsed], tuple[Evidence, ...]] | None = None

    def cells(self) -> dict[Any, Unparsed]:
        """Each cell's unparsed value by `_key` (by the cell alone when every one is a cell of one sheet:
        200,000 keys without a Python loop); the last of a cell listed twice."""
        if self._cells is None:
            cells = list(map(_CELL, self.unparsed))
            sheets = set(map(_SHEET, self.unparsed))
            if len(sheets) == 1 and all(cells):
                self._sheet = sheets.pop()
                self._cells = dict(zip(cells, self.unparsed))
            else:
                self._cells = {_key(u.evidence): u for u in self.unparsed}
        return self._cells

    def find(self, key: tuple) -> Unparsed | None:
        """The unparsed value at `key` (`_key` of an evidence), if it is one of these."""
        cells = self.cells()
        if self._sheet is None:
            return cells.get(key)
        return cells.get(key[1]) if key[0] == self._sheet else None

    def rows(self) -> set[tuple[str, str]]:
        if self._rows is None:
            self._rows = {_row(u.evidence) for u in self.unparsed}
        return self._rows

    def unique(self) -> tuple[list[Unparsed], tuple[Evidence, ...]]:
        if self._unique is None:
            cells = self.cells()
            # no cell twice (one table's list): the dictionary's values are the list itself, in its order
            unique = list(self.unparsed) if len(cells) == len(self.unparsed) else list(cells.values())
            self._unique = (unique, tuple(map(_EVIDENCE, unique)))
        return self._unique


def _derived(unparsed: list[Unparsed]) -> _Derived:
    """One _Derived per list for the rest of the audit (model.memo): the checks reading the same columns share it."""
    return memo(unparsed, "derived", lambda: _Derived(unparsed))


def cell_phrase(u: Unparsed) -> Phrase:
    """One cell not understood: where, what it says, what was expected, the nearest known values."""
    reason = Phrase(f"register.{u.code}", {"value": u.raw, "expected": u.expected})
    nearest = Phrase("register.nearest", {"nearest": list(u.nearest)}) if u.nearest else ""
    return Phrase("common.unreadable_cell", {"cell": u.evidence.ref(), "value": u.raw, "reason": reason,
                                             "nearest": nearest})


def note_astride(table: Table, column: str, values: list[Any], start: date, end: date) -> None:
    """Note every month-only date of `values` astride a bound of [start, end] as undecided (one pass, in C,
    once per audit: the checks reading the same dates share the positions of the month-only ones)."""
    months = memo(values, "month_dates", lambda: list(compress(range(len(values)),
                                                                map(isinstance, values, repeat(MonthDate)))))
    for i in months:
        value = values[i]
        if within(value, start, end) is None:
            undecided(table.cell(i, column), str(value), f"{start.isoformat()}～{end.isoformat()}")


def undecided(evidence: Evidence, raw: str, window: str) -> None:
    """A value understood but not placeable for this check (`2024年4月` against a window ending 4月15日)."""
    reads = READS.get()
    if reads is not None:
        reads.undecided.append(Unparsed(raw, codes.MONTH_ASTRIDE, window, evidence))


def _key(evidence: Evidence) -> tuple:
    return (evidence.sheet, evidence.cell or evidence.column)


def _row(evidence: Evidence) -> tuple[str, str]:
    return (evidence.sheet, "".join(ch for ch in evidence.cell or "" if ch.isdigit()))
