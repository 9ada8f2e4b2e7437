"""The audit result: small frozen values every report writer consumes, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from fireaudit.register.model import Evidence, Note, RegisterError, pack_rows, unpack_rows
from fireaudit.status import Status, is_gap

if TYPE_CHECKING:
    from fireaudit.batch_facts import BatchFacts

STATUSES = tuple(Status)                            # old names: use fireaudit.status
GAP_STATUSES = tuple(s for s in Status if s.is_gap)


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict on one township, with its message and evidence."""

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
    """One requirement's aggregated status and its checks' results."""

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
    """One township's audit: its requirements' results, score, register errors and notes."""

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
    mapped_cells: dict[str, str] = field(default_factory=dict)   # `sheet!cell` read by the county's mapping (issue 15)
    # batch only: R20–R22 as judged for this township, for the roll-up's county section. They are the
    # county's duties: never in `requirements` (there they are `na`), the score or the township's reports.
    county_duties: tuple[RequirementResult, ...] = ()

    def __reduce__(self):
        """Pickled with its register errors and the findings' cells as columns (model.pack_rows): a batch or
        `audit` worker sends this to the parent. An evidence tuple shared by several checks stays shared."""
        shared: dict[int, int] = {}
        packed: list[tuple] = []

        def by_index(check: CheckResult) -> CheckResult:
            if id(check.evidence) not in shared:
                shared[id(check.evidence)] = len(packed)
                packed.append(pack_rows(Evidence, check.evidence))
            return _with(check, evidence=shared[id(check.evidence)])

        def stripped(requirements: tuple[RequirementResult, ...]) -> tuple[RequirementResult, ...]:
            return tuple(_with(r, checks=tuple(map(by_index, r.checks))) for r in requirements)

        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state.update(requirements=stripped(self.requirements), county_duties=stripped(self.county_duties),
                     register_errors=pack_rows(RegisterError, self.register_errors))
        return _unpickled_audit, (state, packed)

    @property
    def name(self) -> str:
        return f"{self.county or '?'}{self.township or '?'}"

    def requirement(self, requirement_id: str) -> RequirementResult:
        return next(r for r in self.requirements if r.id == requirement_id)

    def check(self, check_id: str) -> CheckResult:
        return next(c for r in self.requirements for c in r.checks if c.id == check_id)


def _unpickled_audit(state: dict[str, Any], packed: list[tuple]) -> TownshipAudit:
    """TownshipAudit.__reduce__ undone: each packed evidence tuple rebuilt once, then given to its checks."""
    evidence = [unpack_rows(*columns) for columns in packed]

    def restored(requirements: tuple[RequirementResult, ...]) -> tuple[RequirementResult, ...]:
        return tuple(_with(r, checks=tuple(_with(c, evidence=evidence[c.evidence]) for c in r.checks))
                     for r in requirements)

    state.update(requirements=restored(state["requirements"]), county_duties=restored(state["county_duties"]),
                 register_errors=unpack_rows(*state["register_errors"]))
    return TownshipAudit(**state)


def _with(value: Any, **changes: Any) -> Any:
    """A copy of a result dataclass (CheckResult, RequirementResult: no __post_init__, no slots) with
    `changes`: dataclasses.replace without its call of __init__, which was half the time of sending a
    township from a worker to the parent (every check is copied once each way)."""
    copied = object.__new__(type(value))
    copied.__dict__.update(value.__dict__, **changes)
    return copied


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be audited, and why."""

    file: str
    reason: str
    texts: tuple[tuple[str, str], ...] = ()   # (lang, reason) when the reason has a catalogue text

    def text(self, lang: str) -> str:
        """The reason in `lang` when it has one, else as given."""
        return dict(self.texts).get(lang, self.reason)


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
    batch: BatchFacts | None = None       # a `batch` run's own facts
    mapping: dict[str, str] | None = None  # the county's [register] mapping: {"file", "sha256"} (issue 15)


