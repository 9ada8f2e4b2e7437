"""Escaping for values that come from a workbook, per output kind.

Markdown: a `|`, `*`, `<`, backtick or line break typed into a cell must not
become table structure, emphasis or HTML. Excel: text starting with `= + - @`
(or a tab/CR) would be a formula; it is kept as text."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~!])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md(value: object) -> str:
    """One-line, inert Markdown text for any value from a register."""
    if value is None:
        return ""
    text = " ".join(str(value).replace("\r", "\n").split("\n"))
    text = re.sub(r"\s+", " ", text).strip().replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)        # `1.` would start a list
    return "\\" + text if text[:1] in "#+-=" else text


def put(cell, value: object) -> None:
    """Write `value` into an openpyxl cell; a formula-looking string is stored as a string."""
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"
