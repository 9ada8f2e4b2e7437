"""Exit codes and the few exceptions that cross layers.

A FireauditError is an expected, user-facing failure: the CLI prints its one-line
message and exits with its code. Anything else is a crash (exit 4)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0            # ran; no gap at or above --fail-on
    GAPS = 1          # gaps at or above --fail-on
    USAGE = 2         # bad command line or configuration
    UNREADABLE = 3    # an input could not be read or is not a register
    INTERNAL = 4      # a bug in fireaudit, never a gap
    INTERRUPTED = 130


class FireauditError(Exception):
    exit_code = ExitCode.USAGE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(FireauditError):
    """A checklist or fireaudit.toml is invalid; names the file and key."""

    exit_code = ExitCode.USAGE


class InputError(FireauditError):
    """A workbook cannot be audited; names the file (and sheet/cell if known)."""

    exit_code = ExitCode.UNREADABLE

    def __init__(self, path: str, reason: str, texts: dict[str, str] | None = None):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.texts = texts or {}     # the reason in each language, when it has a catalogue text


class Interrupted(Exception):
    """Ctrl-C, said in the user's language: how far the run got (已中断：3/12个文件已审核) or 已中断。

    Not a KeyboardInterrupt, so click does not turn it into a silent exit 130 on the way out."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text
