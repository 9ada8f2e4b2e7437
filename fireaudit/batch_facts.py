"""What only a `batch` run has (result.AuditRun.batch): conflicts, the county register, the change since
the baseline, the roster and the trend. A module of its own, imported by the batch workflow and the
writers of its roll-ups only: a `check` or `audit` never creates these classes (a frozen dataclass
costs ~0.5 ms to create)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fireaudit.register.model import RegisterError


@dataclass(frozen=True)
class Conflict:
    """Several workbooks claim one township and period: all listed, none merged or ranked."""

    county: str | None
    township: str | None
    period: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class CountyRegisterInput:
    """The county's own register a batch judged R20–R22 from."""

    file: str
    sha256: str
    register_errors: tuple[RegisterError, ...] = ()


@dataclass(frozen=True)
class TownshipChange:
    """One township since the previous quarter's batch (--baseline); `previous_score` None: not in it."""

    county: str | None
    township: str | None
    score: float
    in_baseline: bool = False
    previous_score: float | None = None
    previous_period: str | None = None
    change: float | None = None
    new_gaps: tuple[str, ...] = ()
    closed_gaps: tuple[str, ...] = ()
    changed: tuple[dict[str, Any], ...] = ()   # {"id", "from", "to"} per requirement whose status changed


@dataclass(frozen=True)
class Skipped:
    """A file a batch did not audit: its own output (`output`), a file fireaudit wrote (`fireaudit`),
    an Office lock file (`lock`)."""

    file: str
    reason: str


@dataclass(frozen=True)
class Superseded:
    """Several workbooks for one township and period, settled by --prefer: `kept` stands."""

    county: str | None
    township: str | None
    period: str
    kept: str
    files: tuple[str, ...]            # the workbooks that do not stand
    rule: str                         # newest, largest or the file glob


@dataclass(frozen=True)
class Place:
    """A township the county expects a register from (乡镇名册), or one that sent a workbook."""

    county: str | None
    township: str | None
    kind: str | None = None
    source: str = ""                  # 乡镇名册!B3, fireaudit.toml, or the workbook


@dataclass(frozen=True)
class Trend:
    """One township's score in each of the batch's trend periods (None: no workbook that quarter)."""

    county: str | None
    township: str | None
    scores: tuple[float | None, ...]


@dataclass(frozen=True)
class BatchFacts:
    """What only a batch has: conflicts, the county register, the change since the baseline."""

    conflicts: tuple[Conflict, ...] = ()
    county_register: CountyRegisterInput | None = None
    baseline: tuple[TownshipChange, ...] | None = None
    supervision_missed: tuple[str, ...] | None = None   # R21: townships the county did not supervise
    # issue 17: skipped files, conflicts settled by --prefer, the roster, the trend over several quarters
    skipped: tuple[Skipped, ...] = ()
    superseded: tuple[Superseded, ...] = ()
    roster: tuple[Place, ...] | None = None              # None: no 乡镇名册 given
    not_submitted: tuple[Place, ...] = ()                # in the roster, no workbook
    not_in_roster: tuple[Place, ...] = ()                # a workbook, not in the roster
    trend_periods: tuple[str, ...] = ()                  # oldest first, the batch's own period last
    trend: tuple[Trend, ...] = ()
