"""The county register (县市台账): whose row is whose, and what a workbook given as one really is.

One county register may serve several counties, so its rows carry a 县市 column.
A row names a township when its 乡镇街道 (or 对象) is the township's name, alone
or with the county in front, and its 县市, when filled, is the township's county.
A row without 县市 is taken for the batch's county only when the batch holds one
county; with several it could be any of them, so the checks say `unknown` and
name the row's cell rather than guess (REQUIREMENTS.md: no verdict without
understood evidence)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from fireaudit.i18n import Phrase
from fireaudit.textnorm import norm
from fireaudit.register import codes

COUNTY_COLUMN = "县市"
_PREFECTURE = re.compile(r"^(?:伊犁哈萨克自治州|伊犁州直|伊犁州|伊犁)")


def county_key(name: Any) -> str:
    """Comparison key of a county: 伊犁州伊宁市 = 伊宁市. 县/市 stay (伊宁市 and 伊宁县 are two counties)."""
    key = norm(str(name or ""))
    stripped = _PREFECTURE.sub("", key)
    return stripped or key


def names_township(value: Any, county: str | None, township: str | None) -> bool:
    """A cell names a township as `潘津镇` or `伊宁市潘津镇`."""
    key = norm(str(value or ""))
    if not key:
        return False
    own = norm(township or "")
    return key == own or (bool(own) and key.endswith(own) and county_key(key[: -len(own)]) == county_key(county))


@dataclass(frozen=True)
class CountyScope:
    """The counties of a batch: decides whether a register row's 县市 fits a township."""

    counties: frozenset[str]

    @classmethod
    def of(cls, townships: Iterable[tuple[str | None, str | None]]) -> "CountyScope":
        return cls(frozenset(county_key(c) for c, _ in townships if county_key(c)))

    @property
    def single(self) -> bool:
        return len(self.counties) <= 1

    def matches(self, row_county: Any, name: Any, county: str | None, township: str | None) -> bool | None:
        """True: the row is this township's; False: it is not; None: it names the township
        but has no 县市 while the batch holds several counties (cannot tell)."""
        if not names_township(name, county, township):
            return False
        if county_key(row_county):
            return county_key(row_county) == county_key(county)
        if norm(str(name or "")) != norm(township or ""):   # `伊宁市潘津镇`: the name carries the county
            return True
        return True if self.single else None

    def owns(self, row_county: Any, name: Any, county: str | None,
             townships: Iterable[tuple[str | None, str | None]]) -> bool | None:
        """Whether a county-wide row (a 典型样板) is `county`'s: by its 县市, else the batch's one
        county, else the counties of the batch townships its 乡镇街道 names (None: cannot tell)."""
        if county_key(row_county):
            return county_key(row_county) == county_key(county)
        if self.single:
            return True
        named = {county_key(c) for c, t in townships if names_township(name, c, t)}
        if named == {county_key(county)}:
            return True
        return False if named else None


# ---------------------------------------------------------------- for the batch: roster and ambiguous rows
ROSTER_SHEET = "乡镇名册"
NAMED_COLUMNS = {"督导考评": "乡镇街道", "奖惩": "对象", "典型样板": "乡镇街道"}   # the column naming a township


@dataclass(frozen=True)
class RosterEntry:
    """One township the county expects a register from (乡镇名册), with its cell."""

    county: str
    township: str
    kind: str | None
    cell: str            # 乡镇名册!B3


def roster(register) -> list[RosterEntry]:
    """The 乡镇名册 rows of a county register with both 县市 and 乡镇街道 filled ([] without the sheet)."""
    table = register.tables.get(ROSTER_SHEET)
    if table is None or not (table.has(COUNTY_COLUMN) and table.has("乡镇街道")):
        return []
    return [RosterEntry(str(county), str(township), str(kind) if kind else None, table.cell(i, "乡镇街道").ref())
            for i, county, township, kind in table.records(COUNTY_COLUMN, "乡镇街道", "类型")
            if county_key(county) and norm(str(township or ""))]


def rows_without_county(register, townships: Iterable[tuple[str | None, str | None]]):
    """RegisterErrors (`county-missing`) for rows that leave 县市 blank in a batch of several counties.

    The checks already judge such rows `unknown`; these name every such cell once
    for the roll-up's list of county-register errors."""
    from fireaudit.register.model import RegisterError

    scope = CountyScope.of(townships)
    if scope.single:
        return []
    errors = []
    for sheet, column in NAMED_COLUMNS.items():
        table = register.tables.get(sheet)
        if table is None or not table.has(column):
            continue
        for i, county, name in table.records(COUNTY_COLUMN, column):
            if county_key(county) or not norm(str(name or "")):
                continue
            if any(norm(str(name)) != norm(t or "") and names_township(name, c, t) for c, t in townships):
                continue   # `伊宁市潘津镇`: the name carries its county
            cell = table.cell(i, COUNTY_COLUMN if table.has(COUNTY_COLUMN) else column)
            errors.append(RegisterError(codes.COUNTY_MISSING, table.sheet, cell.cell or "", str(name), COUNTY_COLUMN))
    return errors


# ---------------------------------------------------------------- what a workbook is
@dataclass(frozen=True)
class WorkbookKind:
    """What a file given as the county register looks like.

    kind: "county" (a county register), "township" (a township register: county and
    township from its 基本情况), "other" (neither), "missing" (no such file),
    "unreadable" (not a workbook fireaudit can open: `reason` says why)."""

    kind: str
    path: str
    county: str | None = None
    township: str | None = None
    sheets: tuple[str, ...] = ()      # the county sheets found (kind "county")
    reason: Any = ""                  # why it is unreadable: a catalogue Phrase

    @property
    def is_county_register(self) -> bool:
        return self.kind == "county"

    def describe(self, lang: str = "zh") -> str:
        """One line for the user: `这是乡镇台账（伊宁市潘津镇）`."""
        from fireaudit.i18n import fmt_value

        return fmt_value(self.phrase(), lang)

    def phrase(self):
        """What the workbook is, as a catalogue phrase (rendered in the reader's language)."""
        from fireaudit.i18n import Phrase

        place = f"{self.county or ''}{self.township or ''}" or Phrase("classify.unnamed")
        return Phrase(f"classify.{self.kind}", {"path": self.path, "place": place, "reason": self.reason,
                                                "sheets": list(self.sheets)})


def classify_workbook(register: str | Path, checklist) -> WorkbookKind:
    """Read `register` as a county register; if it is not one, say whether it is a township's.

    A county register has at least one county sheet (督导考评, 奖惩, 典型样板, 乡镇名册)
    with its header found. A township register has the 基本情况 sheet or two of
    the township sheets."""
    from fireaudit.errors import InputError
    from fireaudit.register.reader import RegisterReader

    path = Path(register)
    if not path.is_file():
        return WorkbookKind("missing", str(path))
    reader = RegisterReader(checklist)
    try:
        county = reader.read(path, county=True)
        found = tuple(name for name, table in county.tables.items() if table.column_index)
        if found:
            return WorkbookKind("county", str(path), sheets=found)
        township = reader.read(path)
    except InputError as exc:
        return WorkbookKind("unreadable", str(path), reason=Phrase(exc.key, exc.fields))
    tables = [name for name, table in township.tables.items() if table.column_index]
    if township.profile_sheet is not None or len(tables) >= 2:
        return WorkbookKind("township", str(path), county=_text(township.county), township=_text(township.township))
    return WorkbookKind("other", str(path))


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
