"""Standard output that a reader may close: `fireaudit audit --demo | head` ends quietly.

When `head` has read enough it closes the pipe, and the next write raises
BrokenPipeError (rich's console then exits 1 by default, before any report is
written). The reports, not the terminal summary, are the run's work: so from
the first broken write on, standard output goes to the null device and the run
carries on; nothing is printed about it and no traceback appears."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator


class ClosableStdout:
    """Wraps sys.stdout; a write or flush into a closed pipe switches it to os.devnull for good."""

    def __init__(self, stream: Any):
        self._stream = stream
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        if self.closed_by_reader:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._to_devnull()
            return len(text)

    def flush(self) -> None:
        if self.closed_by_reader:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_devnull()

    def _to_devnull(self) -> None:
        """Point the file descriptor at /dev/null, so the interpreter's last flush cannot fail either."""
        self.closed_by_reader = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):   # no file descriptor (a test's buffer): nothing to flush later
            pass

    def __getattr__(self, name: str) -> Any:   # isatty, fileno, encoding, buffer …: the real stream's
        return getattr(self._stream, name)


@contextmanager
def closable_stdout() -> Iterator[ClosableStdout]:
    """sys.stdout wrapped for the duration of a command, then put back."""
    saved = sys.stdout
    wrapped = ClosableStdout(saved)
    sys.stdout = wrapped
    try:
        yield wrapped
    finally:
        if sys.stdout is wrapped:
            sys.stdout = saved
