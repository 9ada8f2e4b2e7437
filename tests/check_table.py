"""The one table format of the check tests (organisation, brigades, activities) and its runner.

A Case says: start from this compliant township, change it this way, and the
check must give this status, cite these cells and say these words (Chinese
catalogue). Like sqlfluff's rule cases, a new case is one line in a table.
The runner also checks the untouched township passes (or is not applicable):
a case proves nothing if the check failed before the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from fireaudit.i18n import message_text
from tests.builders import Register, compliant
from tests.changes import Change

Ref = Callable[[Register], str]          # tests.changes.cell/header/profile: where a finding must point


@dataclass(frozen=True)
class Town:
    """Which compliant township a case starts from: the arguments of tests.builders.compliant."""

    county: str = "伊宁市"
    township: str = "潘津镇"
    kind: str = "镇"
    period: str = "2024Q2"

    def build(self) -> Register:
        return compliant(self.county, self.township, self.kind, self.period)


@dataclass(frozen=True)
class Case:
    check: str
    change: Change | None = None        # None: the compliant township as built
    status: str = "fail"
    evidence: Sequence[Ref] = ()        # each must be among the finding's cells
    words: Sequence[str] = ()           # each must be in the finding's Chinese message
    town: Town = Town()


def case_ids(cases: Sequence[Case]) -> list[str]:
    return [f"{c.check}-{c.status}-{n}" for n, c in enumerate(cases)]


def message(result) -> str:
    """A check result's message as the Chinese report prints it."""
    return message_text(result.message, result.params, "zh")


_CLEAN: dict[Town, object] = {}   # the untouched townships' audits, once per test session


def run_case(audit_of, case: Case) -> None:
    """Audit the case's township before and after its change; assert status, evidence and words."""
    if case.town not in _CLEAN:
        _CLEAN[case.town] = audit_of(case.town.build(), name="clean.xlsx")
    before = _CLEAN[case.town].check(case.check)
    assert before.status in ("pass", "na"), f"{case.check} before the change: {before.status} {message(before)}"
    reg = case.town.build()
    if case.change is not None:
        case.change(reg)
    result = audit_of(reg).check(case.check)
    text = message(result)
    assert result.status == case.status, (text, result.params)
    refs = [e.ref() for e in result.evidence]
    for expected in case.evidence:
        assert expected(reg) in refs, refs
    for word in case.words:
        assert word in text, text
