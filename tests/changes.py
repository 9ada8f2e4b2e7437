"""Readable changes to a builder register, and the cells they are judged on.

Table-driven check tests say "break the compliant township this way, expect
this status on these cells"; these are the words they say it with."""

from __future__ import annotations

from typing import Any, Callable

from tests.builders import Register

Change = Callable[[Register], Any]


def set_cell(sheet: str, row: int, column: str, value) -> Change:
    return lambda reg: reg.sheets[sheet].set(row, column, value)


def set_column(sheet: str, column: str, value) -> Change:
    def change(reg: Register) -> None:
        for row in range(len(reg.sheets[sheet].rows)):
            reg.sheets[sheet].set(row, column, value)
    return change


def drop_rows(sheet: str, column: str, *values) -> Change:
    def change(reg: Register) -> None:
        s = reg.sheets[sheet]
        s.rows = [r for r in s.rows if r[s.header.index(column)] not in values]
    return change


def add_row(sheet: str, **values) -> Change:
    return lambda reg: reg.sheets[sheet].add(**values)


def set_profile(key: str, value) -> Change:
    def change(reg: Register) -> None:
        reg.profile[key] = value
    return change


def drop_profile(key: str) -> Change:
    return lambda reg: reg.profile.pop(key)


def drop_sheet(name: str) -> Change:
    return lambda reg: reg.drop(name)


def both(*changes: Change) -> Change:
    def change(reg: Register) -> None:
        for c in changes:
            c(reg)
    return change


def cell(sheet: str, row: int, column: str) -> Callable[[Register], str]:
    return lambda reg: f"{sheet}!{reg.sheets[sheet].cell(column, row)}"


def header(sheet: str, column: str) -> Callable[[Register], str]:
    return lambda reg: f"{sheet}!{reg.sheets[sheet].header_cell(column)}"


def profile(key: str) -> Callable[[Register], str]:
    return lambda reg: f"基本情况!{reg.profile_cell(key)}"
