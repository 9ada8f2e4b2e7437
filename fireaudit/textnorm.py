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

from fireaudit.lazy_re import LazyPattern

_SPACES = re.compile(r"\s+")
_CONTROL_BYTES = bytes([*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])   # control characters but \t \n \r
_CONTROL = re.compile(f"[{re.escape(_CONTROL_BYTES.decode('ascii'))}]")
# Characters that show as nothing: soft hyphen, zero-width space/joiners, bidi
# marks, embeddings and isolates, word joiner and invisible operators, Mongolian
# and Khmer fillers, variation selectors, Hangul fillers, BOM. Two
# names differing only by these look identical, so comparisons drop them.
INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
             "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
# What a terminal or a text log must not receive raw: C0 and C1 controls (ESC starts
# escape sequences, U+009B is a one-byte CSI), DEL, line and paragraph separators,
# and the invisible characters above (a bidi override reorders what follows).
_UNSAFE_TEXT = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{INVISIBLE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def clean(text: str) -> str:
    """NFKC (of the bounded prefix), control characters removed, surrounding whitespace stripped."""
    bound = prefix_chars()
    if len(text) > bound:
        head = text[:bound]
        if not unicodedata.is_normalized("NFKC", head):
            text = nfkc(head) + text[bound:]
    elif not unicodedata.is_normalized("NFKC", text):   # the quick check is cheaper than normalising
        text = nfkc(text)
    if len(text) > bound:      # a control character is ASCII: look for one among the ASCII characters only
        ascii_part = text.encode("ascii", "ignore")
        if len(ascii_part.translate(None, _CONTROL_BYTES)) != len(ascii_part):
            text = _CONTROL.sub("", text)
    elif not text.isprintable():                      # every control character is unprintable
        text = _CONTROL.sub("", text)
    return text.strip()


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), computed as NFC of NFKD: the same by definition (NFKC is the
    compatibility decomposition, then canonical composition; NFKD's result is its own canonical
    decomposition), but when the decomposed text has nothing to compose (Chinese text with a full-width
    `；`) NFC's quick check returns it at once, where NFKC walks its composition loop over every
    character: 500 characters in 3 µs instead of 90 (checked on every code point and on random sequences
    of combining marks, jamo and compatibility characters)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", text))


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

        raise ConfigError("error.config.text_prefix_chars", value=repr(value))
    return value


def norm(text: str) -> str:
    """Comparison key: NFKC, invisible characters and all whitespace removed (incl. full-width), case-folded."""
    return _SPACES.sub("", _INVISIBLE.sub("", clean(text))).casefold()


def visible(text: object) -> str:
    """`text` for a terminal or a line-based log: every control or invisible character shown as an escape.

    ESC becomes `\\x1b`, a newline `\\n`, ZWSP `\\u200b`: an input value can neither
    drive the terminal nor span two output lines (and so forge a gate line)."""
    return _UNSAFE_TEXT.sub(_escape_char, str(text))


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def markup_safe(text: object) -> str:
    """`visible(text)` with rich markup escaped: `[/]镇` and `[link=…]` print as typed, never as markup."""
    from rich.markup import escape

    return escape(visible(text))


def split_list(text: str, separators: list[str] | tuple[str, ...]) -> list[str]:
    """Split a cell holding several values (`通信员、安全员`)."""
    return [part.strip() for part in _splitter(tuple(separators)).split(text) if part.strip()]


@lru_cache(maxsize=32)
def _splitter(separators: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(s) for s in separators))


# ---------------------------------------------------------------- place names (batch comparisons, roster)
_PREFECTURE = re.compile(r"^(?:伊犁哈萨克自治州|伊犁州直|伊犁州|伊犁)")


def canonical_place(county: str | None, township: str | None) -> tuple[str, str]:
    """(county, township) keys under which two spellings of one place compare equal.

    NFKC, invisible characters (zero-width space, BOM, soft hyphen…) and all
    whitespace removed, case-folded; the county loses an 伊犁州 prefix. Its 县/市
    stays (伊宁市 and 伊宁县 are two counties): `loose_county` drops it for a
    second, uniqueness-checked match."""
    def key(text: str | None) -> str:
        return norm(_INVISIBLE.sub("", str(text or "")))   # before NFKC too: U+3164 would become U+1160

    county_key = key(county)
    return (_PREFECTURE.sub("", county_key) or county_key), key(township)


def loose_county(county_key: str) -> str:
    """`伊宁市` → `伊宁`: a county key without its 县/市, matched only when no other county shares it."""
    return county_key[:-1] if len(county_key) > 1 and county_key[-1] in "县市" else county_key


# compiled when first used (~2 ms: a class spanning all of Unicode), by the XML writers only
_XML_FORBIDDEN = LazyPattern("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """`text` with every character XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/FFFF) shown as an escape."""
    return _XML_FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                else f"\\u{ord(m.group()):04x}", str(text))
