"""The one Status and the one Severity: their order, which statuses are gaps, colours, catalogue keys.

Both are StrEnums, so a member *is* its string: JSON, reports and old
baselines keep the values "pass"/"fail"/… and "critical"/"major"/…, and a
plain string read back from JSON compares equal to a member. This module
imports nothing of fireaudit: every layer may use it."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A check's or a requirement's verdict, in report order (REQUIREMENTS.md, Aggregation order)."""

    PASS = "pass"
    PARTIAL = "partial"      # requirements only: some checks pass, some do not
    FAIL = "fail"
    UNKNOWN = "unknown"      # an input is missing or unreadable: a gap, never an accusation
    NA = "na"

    @property
    def is_gap(self) -> bool:
        """A gap is anything short of pass that applies: partial, fail, unknown."""
        return self in GAPS

    @property
    def key(self) -> str:
        """Its label in the message catalogue (fireaudit/messages)."""
        return f"status.{self.value}"

    @property
    def style(self) -> str:
        """Its rich style on the terminal."""
        return _STYLE[self]

    @property
    def fill(self) -> str:
        """Its cell fill in Excel reports and annotated copies (RGB hex)."""
        return _FILL[self]

    @property
    def symbol(self) -> str:
        """One character for dense tables (the county roll-up)."""
        return _SYMBOL[self]


GAPS = frozenset({Status.PARTIAL, Status.FAIL, Status.UNKNOWN})
# One cell or one requirement with several gaps shows the worst one first.
WORST_FIRST = (Status.FAIL, Status.PARTIAL, Status.UNKNOWN)

_STYLE = {Status.PASS: "green", Status.PARTIAL: "yellow", Status.FAIL: "bold red", Status.UNKNOWN: "magenta",
          Status.NA: "dim"}
_FILL = {Status.PASS: "C6EFCE", Status.PARTIAL: "FFEB9C", Status.FAIL: "FFC7CE", Status.UNKNOWN: "E4DFEC",
         Status.NA: "EDEDED"}
_SYMBOL = {Status.PASS: "✔", Status.PARTIAL: "◐", Status.FAIL: "✘", Status.UNKNOWN: "?", Status.NA: "–"}


def is_gap(status: str) -> bool:
    """`Status(status).is_gap` for a plain string too (a status read back from JSON)."""
    return Status(status).is_gap


class Severity(StrEnum):
    """How much a gap matters; `rank` orders them (the --fail-on gate compares ranks)."""

    CRITICAL = "critical"
    MAJOR = "major"
    ADVISORY = "advisory"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def key(self) -> str:
        """Its label in the message catalogue (fireaudit/messages)."""
        return f"severity.{self.value}"


_RANK = {Severity.ADVISORY: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}
# Register errors count as major for the gate (REQUIREMENTS.md, Settled readings).
REGISTER_ERROR_SEVERITY = Severity.MAJOR


def rank(severity: str) -> int:
    """`Severity(severity).rank` for a plain string too."""
    return Severity(severity).rank
