"""Text normalisation shared by the reader and the checks.

Registers are typed in WPS/Excel with full-width digits, stray spaces and
mixed brackets; every comparison goes through `norm` so that `１５` = `15` and
`责任人 ` = `责任人`.

A very long text (a pasted inspection report) is normalised only in its
first `text_prefix_chars` characters (checklists/limits.toml); the rest is
kept as typed, control characters removed. Keyword scans read the same
prefix (`prefix`), so a 32,000-character cell costs what a short one does."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """NFKC (of the bounded prefix), control characters removed, surrounding whitespace stripped."""
    bound = prefix_chars()
    head, tail = (text, "") if len(text) <= bound else (text[:bound], text[bound:])
    if not unicodedata.is_normalized("NFKC", head):   # the quick check is cheaper than normalising
        head = unicodedata.normalize("NFKC", head)
    return _CONTROL.sub("", head + tail).strip()


def prefix(text: str) -> str:
    """The part of a text that keyword scans read: its first `text_prefix_chars` characters."""
    return text[:prefix_chars()]


@lru_cache(maxsize=1)
def prefix_chars() -> int:
    """checklists/limits.toml `text_prefix_chars`, read once from the shipped file (not a county setting)."""
    import tomllib

    from fireaudit.resources import data_dir

    with open(data_dir("checklists") / "limits.toml", "rb") as file:
        value = tomllib.load(file)["text_prefix_chars"]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        from fireaudit.errors import ConfigError

        raise ConfigError(f"checklists/limits.toml: text_prefix_chars must be a positive integer, not {value!r}")
    return value


def norm(text: str) -> str:
    """Comparison key: NFKC, all whitespace removed (incl. full-width), case-folded."""
    return _SPACES.sub("", clean(text)).casefold()


def split_list(text: str, separators: list[str] | tuple[str, ...]) -> list[str]:
    """Split a cell holding several values (`通信员、安全员`)."""
    return [part.strip() for part in _splitter(tuple(separators)).split(text) if part.strip()]


@lru_cache(maxsize=32)
def _splitter(separators: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(s) for s in separators))
