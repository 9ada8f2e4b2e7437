"""What every check kind shares: its context, its outcome, and small helpers.

A check is a pure function `(ctx, params) -> Outcome`. It never formats text:
it returns a message id from the catalogue (fireaudit/messages) and the
values to fill in, with the evidence cells the finding rests on. When an input
it needs is absent (`ctx.need`, `ctx.profile`) it raises MissingInput, which
the engine turns into the `unknown` outcome the exception carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Callable

import msgspec

from fireaudit.checklist import Checklist
from fireaudit.i18n import Phrase
from fireaudit.period import Period
from fireaudit.register.model import Evidence, Register, Table
from fireaudit.status import Severity, Status
from fireaudit.textnorm import norm

PASS, FAIL, UNKNOWN, NA = Status.PASS, Status.FAIL, Status.UNKNOWN, Status.NA

TOWNSHIP_SUFFIXES = ("党委", "党工委", "人民政府", "政府", "街道办事处", "办事处")

# A window a check counts in (CheckContext.window): a typo is a config error, not a crash mid-audit.
Window = Annotated[str, msgspec.Meta(pattern=r"^(period|year|months:[1-9][0-9]*)$")]


class Params(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Base of every check kind's parameters (validated like yamllint's CONF).

    A parameter that names a sheet, a column, a profile key or a vocabulary
    value says so with a marker of fireaudit/checklist/names.py
    (`Annotated[str, Column(of="sheet")]`); the loader checks every such name
    against register.toml, so a county's typo stops the run."""


@dataclass(frozen=True)
class Outcome:
    """What a check found: a status, a catalogue message with its values, and the cells it rests on."""

    status: Status
    message: str                       # message id in the catalogue
    params: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    uses: tuple[str, ...] = ()         # dotted checklist-data keys the finding rests on (for from_config)
    # True when the finding is proven by the rows its evidence names (a drill that was held, a hazard
    # left unreferred), so cells not understood on other rows cannot change it (checks/understood.py)
    witnessed: bool = False
    severity: Severity | None = None   # this finding's gap severity when a param sets it apart from the check's


@dataclass(frozen=True)
class CheckKind:
    """A check kind: its function and the msgspec struct its params are validated as."""

    run: Callable[["CheckContext", Any], Outcome]
    params: type


def outcome(status: Status, message: str, evidence: list[Evidence] | tuple[Evidence, ...] = (), *,
            uses: tuple[str, ...] = (), witnessed: bool = False, severity: Severity | None = None,
            **params: Any) -> Outcome:
    return Outcome(status, message, params, tuple(evidence), uses, witnessed, severity)


class MissingInput(Exception):
    """A sheet, column or profile value the check needs is absent.

    Raised from deep inside a check; the engine (audit.py) catches it once
    and records `outcome`, the `unknown` that says what to add."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message)
        self.outcome = outcome


def window_phrase(window: str) -> Phrase:
    """A window as a frequency the reader understands: period → 每季度, year → 每年, months:12 → 近12个月."""
    kind, _, n = window.partition(":")
    return Phrase(f"cadence_window.{kind}", {"n": n})


def with_cadence(result: Outcome, window: str, plan_word: str | None) -> Outcome:
    """Where the plan says only 定期/有计划, the window is the county's reading, and the finding says so
    ("本县考评口径：每季度") instead of passing the frequency off as the plan's words."""
    if not plan_word or result.status not in (PASS, FAIL):
        return result
    finding = Phrase(f"check.{result.message}", dict(result.params))
    params = {**result.params, "cadence": window_phrase(window), "plan_word": plan_word, "finding": finding}
    return Outcome(result.status, "cadence.finding", params, result.evidence, result.uses, result.witnessed,
                   result.severity)


def missing_sheet(sheet: str, register: Register | None = None) -> Outcome:
    """`unknown`: no such sheet; names the unrecognised workbook sheet that resembles it, if any."""
    resembling = register.resembling(sheet) if register is not None else None
    if resembling:
        return outcome(UNKNOWN, "common.missing_sheet_resembling", [Evidence(sheet, missing="sheet")], sheet=sheet,
                       found=resembling)
    return outcome(UNKNOWN, "common.missing_sheet", [Evidence(sheet, missing="sheet")], sheet=sheet)


def missing_column(table: Table, column: str) -> Outcome:
    return outcome(UNKNOWN, "common.missing_column", [table.missing_column(column)], sheet=table.sheet, column=column)


def missing_profile(ctx: "CheckContext", key: str) -> Outcome:
    return outcome(UNKNOWN, "common.missing_profile", [ctx.register.profile_evidence(key)], key=key)


def need_column(table: Table, column: str) -> None:
    """Raise MissingInput unless `table` has `column`."""
    if not table.has(column):
        raise MissingInput(missing_column(table, column))


@lru_cache(maxsize=64)
def _norm_name(name: str) -> str:
    return norm(name)


@dataclass
class CheckContext:
    """The register, the period and the checklist a check runs against."""

    register: Register
    period: Period
    checklist: Checklist
    extra: dict[str, Any] = field(default_factory=dict)   # county-level inputs (batch)

    def table(self, name: str) -> Table | None:
        return self.register.table(name)

    def need(self, sheet: str, *columns: str) -> Table:
        """The table with every column; else MissingInput, whose `unknown` says what to add."""
        return self.need_in(self.register, sheet, *columns)

    def need_in(self, register: Register, sheet: str, *columns: str) -> Table:
        """As `need`, for another register (the county's)."""
        table = register.table(sheet)
        if table is None:
            raise MissingInput(missing_sheet(sheet, register))
        for column in columns:
            need_column(table, column)
        return table

    def profile(self, key: str) -> Any:
        """The profile's value for `key`; MissingInput when it is blank or absent, Unreadable when not understood."""
        value = self.register.need(key)
        if value is None:
            raise MissingInput(missing_profile(self, key))
        return value

    def window(self, name: str) -> tuple[date, date]:
        """`period`, `year`, or `months:N` (N months ending on the period's last day)."""
        if name == "period":
            return self.period.start, self.period.end
        if name == "year":
            return self.period.year_start, self.period.end
        if name.startswith("months:"):
            return self.period.months_back(int(name.split(":", 1)[1])), self.period.end
        raise ValueError(f"unknown window {name!r}")

    @property
    def township_key(self) -> str:
        """The township's name, normalised (read each time, so the engine sees that a check used it)."""
        return _norm_name(self.register.township or "")

    def is_township_itself(self, unit: Any) -> bool:
        """Blank, the township's name, or that name + 党委/人民政府/办事处 … (REGISTER.md)."""
        if unit is None:
            return True
        key = norm(str(unit))
        if not key or key == self.township_key:
            return True
        if self.township_key and key.startswith(self.township_key):
            rest = key[len(self.township_key):]
            return rest in {norm(s) for s in TOWNSHIP_SUFFIXES}
        return False

    @property
    def villages(self) -> dict[str, int]:
        """Normalised village/community name -> its position in 村社区 (empty if no sheet)."""
        table = self.register.table("村社区")
        if table is None or not table.has("名称"):
            return {}
        names = table.column("名称")      # noted as read by the check asking, though built once
        return self._villages(id(names))

    def _villages(self, key: int) -> dict[str, int]:
        cache = self.__dict__.setdefault("_village_cache", {})
        if key not in cache:
            table = self.register.table("村社区")
            cache[key] = {norm(name): i for i, name in table.records("名称") if name}
        return cache[key]

    def village_of(self, unit: Any) -> str | None:
        """The normalised village name a unit refers to, if it is one listed in 村社区."""
        if unit is None:
            return None
        key = norm(str(unit))
        if key in self.villages:
            return key
        for suffix in ("村委会", "村民委员会", "居委会", "居民委员会", "社区居委会"):
            if key.endswith(suffix) and key[: -len(suffix)] in self.villages:
                return key[: -len(suffix)]
        return None
