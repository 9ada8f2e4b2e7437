"""Text normalisation shared by the reader and the checks.

Registers are typed in WPS/Excel with full-width digits, stray spaces and
mixed brackets; every comparison goes through `norm` so that `１５` = `15` and
`责任人 ` = `责任人`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """NFKC, control characters removed, surrounding whitespace stripped."""
    if not unicodedata.is_normalized("NFKC", text):   # the quick check is cheaper than normalising
        text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub("", text).strip()


def norm(text: str) -> str:
    """Comparison key: NFKC, all whitespace removed (incl. full-width), case-folded."""
    return _SPACES.sub("", clean(text)).casefold()


def split_list(text: str, separators: list[str] | tuple[str, ...]) -> list[str]:
    """Split a cell holding several values (`通信员、安全员`)."""
    return [part.strip() for part in _splitter(tuple(separators)).split(text) if part.strip()]


@lru_cache(maxsize=32)
def _splitter(separators: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(s) for s in separators))
