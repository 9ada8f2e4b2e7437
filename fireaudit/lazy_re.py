"""Module-level regular expressions compiled when first used.

A pattern compiled at import costs its compile (up to a millisecond for a class
of Chinese characters) in every process at every start, even in a run that never
uses it: a file whose 县市 is in its profile never looks for one in its title. A
LazyPattern stands where `re.compile(...)` stood and is used the same way
(`.match`, `.sub`, `.findall`, `.pattern` …); it compiles on the first use and
keeps each method it handed out, so later uses cost what the compiled pattern's do.
It is not a re.Pattern: pass it to nothing that expects one (re.sub(pattern, …))."""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    def __init__(self, pattern: str | bytes, flags: int = 0):
        self._args = (pattern, flags)
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str) -> Any:
        """The compiled pattern's attribute, kept on this object: the next use does not come here."""
        if name.startswith("__"):      # copy's and pickle's probes are this object's own business
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        value = getattr(self._compiled, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r})"
