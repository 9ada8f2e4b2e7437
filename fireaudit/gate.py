"""The CI gate's arithmetic: which findings count at or above --fail-on, and the exit code."""

from __future__ import annotations

from fireaudit.checklist.models import SEVERITY_ORDER
from fireaudit.errors import ExitCode
from fireaudit.result import AuditRun, TownshipAudit

REGISTER_ERROR_SEVERITY = "major"   # REQUIREMENTS.md, Settled readings


def counted_gaps(audit: TownshipAudit, fail_on: str) -> int:
    """Failing or unknown checks at or above `fail_on`, plus register errors (as major)."""
    if fail_on == "none":
        return 0
    floor = SEVERITY_ORDER[fail_on]
    gaps = sum(1 for r in audit.requirements for c in r.checks if c.is_gap and SEVERITY_ORDER[c.severity] >= floor)
    if SEVERITY_ORDER[REGISTER_ERROR_SEVERITY] >= floor:
        gaps += len(audit.register_errors)
    return gaps


def exit_code(run: AuditRun, fail_on: str) -> ExitCode:
    if run.unreadable:
        return ExitCode.UNREADABLE
    if any(counted_gaps(a, fail_on) for a in run.townships):
        return ExitCode.GAPS
    return ExitCode.OK
