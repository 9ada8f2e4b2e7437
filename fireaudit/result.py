"""The audit result: small frozen values every report writer consumes, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fireaudit.register.model import Evidence, Note, RegisterError
from fireaudit.status import Status, is_gap

STATUSES = tuple(Status)                            # old names: use fireaudit.status
GAP_STATUSES = tuple(s for s in Status if s.is_gap)


@dataclass(frozen=True)
class CheckResult:
    id: str
    requirement: str
    kind: str
    status: str
    severity: str
    message: str                      # message id in the catalogue
    params: dict[str, Any]
    evidence: tuple[Evidence, ...]
    source: str
    from_config: tuple[str, ...] = () # which of this check's values came from fireaudit.toml
    waiver: dict[str, str] | None = None

    @property
    def is_gap(self) -> bool:
        return is_gap(self.status)


@dataclass(frozen=True)
class RequirementResult:
    id: str
    status: str
    severity: str
    weight: float
    checks: tuple[CheckResult, ...]

    @property
    def gaps(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.is_gap)


@dataclass(frozen=True)
class TownshipAudit:
    file: str
    county: str | None
    township: str | None
    kind: str | None
    period: str
    score: float
    required_grade: dict[str, Any] | None
    requirements: tuple[RequirementResult, ...]
    register_errors: tuple[RegisterError, ...]
    notes: tuple[Note, ...]
    sha256: str = ""
    # workbook sheet name -> zero-based header row of each table read: where the annotated
    # copy notes a missing column (the findings carry no cell for it)
    header_rows: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.county or '?'}{self.township or '?'}"

    def requirement(self, requirement_id: str) -> RequirementResult:
        return next(r for r in self.requirements if r.id == requirement_id)

    def check(self, check_id: str) -> CheckResult:
        return next(c for r in self.requirements for c in r.checks if c.id == check_id)


@dataclass(frozen=True)
class Unreadable:
    file: str
    reason: str


@dataclass(frozen=True)
class AuditRun:
    """One invocation: every township audited and every file that could not be."""

    tool_version: str
    checklist_id: str
    checklist_version: str
    period: str | None
    townships: tuple[TownshipAudit, ...]
    unreadable: tuple[Unreadable, ...] = ()
    config_file: str | None = None
    overrides: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()          # run-level notes (e.g. waivers that matched no township)
    generated_at: str = ""                # run time, UTC ISO (SOURCE_DATE_EPOCH when set)
    extra: dict[str, Any] = field(default_factory=dict)
