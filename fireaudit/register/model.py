"""What the reader hands to the checks: a typed Register with cell coordinates.

Tables are stored column-wise (one list of parsed values per column) so that a
100,000-row hazard sheet costs one list per column, not one dict per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator


@lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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

    def ref(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet


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

    def __len__(self) -> int:
        return len(self.row_index)

    def has(self, column: str) -> bool:
        return column in self.column_index

    def column(self, column: str) -> list[Any]:
        return self.values[column]

    def cell(self, position: int, column: str) -> Evidence:
        """Evidence for the value of record `position` in `column`."""
        return Evidence(self.sheet, a1(self.row_index[position], self.column_index[column]), column=column)

    def header(self, column: str) -> Evidence:
        return Evidence(self.sheet, a1(self.header_row, self.column_index[column]), column=column)

    def missing_column(self, column: str) -> Evidence:
        return Evidence(self.sheet, missing="column", column=column)

    def records(self, *columns: str) -> Iterator[tuple]:
        """(position, value, value, …) for every record; absent columns give None."""
        lists = [self.values.get(c) or [None] * len(self) for c in columns]
        return zip(range(len(self)), *lists)


@dataclass
class ProfileEntry:
    value: Any
    evidence: Evidence


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

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def value(self, key: str) -> Any:
        entry = self.profile.get(key)
        return entry.value if entry else None

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
