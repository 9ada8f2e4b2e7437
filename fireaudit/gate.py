"""The CI gate, written once: which findings count at or above --fail-on, and the exit code.

The text lines, the JUnit failures, the count the terminal prints and the
exit code of every format (text, JSON, JUnit) all ask `fails_gate`/`gate`."""

from __future__ import annotations

from dataclasses import dataclass

from fireaudit.errors import ExitCode
from fireaudit.register.model import RegisterError
from fireaudit.result import AuditRun, CheckResult, TownshipAudit
from fireaudit.status import REGISTER_ERROR_SEVERITY, Severity

NONE = "none"   # --fail-on none: nothing fails the gate


def at_or_above(severity: str, fail_on: str) -> bool:
    """Whether a finding of `severity` counts under --fail-on `fail_on`."""
    return fail_on != NONE and Severity(severity).rank >= Severity(fail_on).rank


def fails_gate(check: CheckResult, fail_on: str) -> bool:
    """A check fails the gate when it is a gap (fail, unknown) at or above --fail-on."""
    return check.is_gap and at_or_above(check.severity, fail_on)


@dataclass(frozen=True)
class Gate:
    """What fails the gate for one township: its gaps and its register errors (as major)."""

    checks: tuple[CheckResult, ...]
    register_errors: tuple[RegisterError, ...]

    def __len__(self) -> int:
        return len(self.checks) + len(self.register_errors)


def gate(audit: TownshipAudit, fail_on: str) -> Gate:
    checks = tuple(c for r in audit.requirements for c in r.checks if fails_gate(c, fail_on))
    errors = audit.register_errors if at_or_above(REGISTER_ERROR_SEVERITY, fail_on) else ()
    return Gate(checks, tuple(errors))


def counted_gaps(audit: TownshipAudit, fail_on: str) -> int:
    """Failing or unknown checks at or above `fail_on`, plus register errors (as major)."""
    return len(gate(audit, fail_on))


def exit_code(run: AuditRun, fail_on: str) -> ExitCode:
    if run.unreadable:
        return ExitCode.UNREADABLE
    if any(counted_gaps(a, fail_on) for a in run.townships):
        return ExitCode.GAPS
    return ExitCode.OK
