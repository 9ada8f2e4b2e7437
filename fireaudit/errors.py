"""Exit codes and the few exceptions that cross layers.

A FireauditError is an expected, user-facing failure: the CLI prints its one-line
message and exits with its code. Anything else is a crash (exit 4).

An error carries a stable code and its values, never a sentence: the sentence is
the catalogue's `error.<code>` (fireaudit/messages/<lang>.toml), rendered in the
reader's language where it is printed (`text(lang)`), as frictionless's error
catalogue does. A value may itself be a catalogue Phrase (rendered in the same
language) or a list (joined in that language's way)."""

from __future__ import annotations

import functools
import re
from enum import IntEnum
from typing import Any

from fireaudit.i18n import Phrase, t

DEFAULT_LANG = "zh"     # the language of str(error): the CLI's default


class ExitCode(IntEnum):
    OK = 0            # ran; no gap at or above --fail-on
    GAPS = 1          # gaps at or above --fail-on
    USAGE = 2         # bad command line or configuration
    UNREADABLE = 3    # an input could not be read or is not a register
    INTERNAL = 4      # a bug in fireaudit, never a gap
    INTERRUPTED = 130


class FireauditError(Exception):
    """`key` names the catalogue entry (error.…); `fields` fill its placeholders."""

    exit_code = ExitCode.USAGE

    def __init__(self, key: str, /, **fields: Any):
        self._key = key
        self.fields = fields
        super().__init__(key)

    @property
    def key(self) -> str:
        return self._key

    @property
    def code(self) -> str:
        """The stable code: the catalogue key without its `error.` section."""
        return self._key.removeprefix("error.")

    def phrase(self) -> Phrase:
        """This error as a value of another message (rendered in that message's language)."""
        return Phrase(self.key, self.fields)

    def text(self, lang: str) -> str:
        """The one-line message in `lang` (what went wrong, and what to do next)."""
        return t(lang, self.key, **self.fields)

    @property
    def message(self) -> str:
        return self.text(DEFAULT_LANG)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):   # crosses process boundaries (batch workers) with its code and values
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type, state: dict[str, Any]) -> FireauditError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("_key", ""))
    error.__dict__.update(state)
    return error


class ConfigError(FireauditError):
    """A checklist or fireaudit.toml is invalid; names the file and key."""

    exit_code = ExitCode.USAGE


class InputError(FireauditError):
    """A workbook cannot be audited; names the file (and sheet/cell if known).

    `code` names `error.input.<code>`, the reason alone; the printed line is
    `error.in_file` (the file, then the reason). `reason` (English, as the JSON
    report has always carried) and `texts` (each language) are what a result's
    Unreadable keeps."""

    exit_code = ExitCode.UNREADABLE

    def __init__(self, path: str, code: str, /, **fields: Any):
        super().__init__(f"error.input.{code}", **fields)
        self.path = path

    @property
    def code(self) -> str:
        return self.key.removeprefix("error.input.")

    def phrase(self) -> Phrase:
        return Phrase("error.in_file", {"path": self.path, "reason": Phrase(self.key, self.fields)})

    def reason_text(self, lang: str) -> str:
        """The reason alone (without the file name), in `lang`."""
        return t(lang, self.key, **self.fields)

    def text(self, lang: str) -> str:
        return t(lang, "error.in_file", path=self.path, reason=self.reason_text(lang))

    @property
    def reason(self) -> str:
        return self.reason_text("en")

    @property
    def texts(self) -> dict[str, str]:
        return {lang: self.reason_text(lang) for lang in ("zh", "en")}


class DataProblem(ValueError):
    """A checklist value that fails its own rule (a struct's __post_init__): a catalogue key and values.

    msgspec turns it into a ValidationError whose __cause__ it stays, so the loader can
    render it in the reader's language (validation_phrase)."""

    def __init__(self, key: str, /, **fields: Any):
        super().__init__(key)
        self.key, self.fields = key, fields


# msgspec's English messages -> catalogue key under error.validation; groups are the values.
_VALIDATION = (
    ("expected_got", r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`$"),
    ("expected_bound", r"^Expected `(?P<expected>[^`]+)` (?P<bound>[<>]=? ?\S+)$"),
    ("expected_length", r"^Expected `(?P<expected>[^`]+)` of length (?P<bound>[<>]=? ?\S+)$"),
    ("unknown_field", r"^Object contains unknown field `(?P<field>[^`]+)`$"),
    ("missing_field", r"^Object missing required field `(?P<field>[^`]+)`$"),
    ("invalid_value", r"^Invalid enum value '?(?P<value>.+?)'?$"),
)
_AT = r"^(?P<text>.*?)(?: - at `\$(?P<at>[^`]*)`)?$"


@functools.cache
def _validation_patterns() -> tuple[re.Pattern[str], tuple[tuple[str, re.Pattern[str]], ...]]:
    """_AT and _VALIDATION compiled, when a checklist first fails validation (not at every start)."""
    return re.compile(_AT, re.S), tuple((key, re.compile(pattern)) for key, pattern in _VALIDATION)


def validation_phrase(exc: Exception) -> Phrase:
    """A msgspec ValidationError as a catalogue phrase: what is wrong, and at which key path."""
    at_pattern, patterns = _validation_patterns()
    match = at_pattern.match(str(exc))
    text, at = match["text"], (match["at"] or "").lstrip(".")
    cause = exc.__cause__
    if isinstance(cause, DataProblem):
        what = Phrase(cause.key, cause.fields)
    else:
        what = next((Phrase(f"error.validation.{key}", found.groupdict()) for key, pattern in patterns
                     if (found := pattern.match(text))), Phrase("error.validation.other", {"detail": text}))
    return Phrase("error.validation.at", {"at": at or "(top)", "what": what}) if at else what


class Interrupted(Exception):
    """Ctrl-C, said in the user's language: how far the run got (已中断：3/12个文件已审核) or 已中断。

    Not a KeyboardInterrupt, so click does not turn it into a silent exit 130 on the way out."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text
