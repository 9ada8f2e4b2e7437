"""`fireaudit grade`'s answers, computed: the required GB/T 35547 grade and, for a workbook,
each brigade of the township against its declared grade's minimums.

The engine side of the command: it reads the workbook and runs the same code
R07's checks run (fireaudit/checks/grade.py), so this look-up and the audit
never disagree. fireaudit/reports/grade.py only prints what is returned here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fireaudit import grades
from fireaudit.audit import resolve_period
from fireaudit.checklist import Checklist
from fireaudit.checks.base import CheckContext, MissingInput, Outcome
from fireaudit.checks.brigades import SHEET, township_brigades
from fireaudit.checks.grade import (
    RequiredGradeParams, criterion_phrase, evaluate_item, graded_brigades, missing_input, required_grade_met,
    rule_phrase,
)
from fireaudit.errors import InputError
from fireaudit.i18n import Phrase
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.model import one_audit


@dataclass(frozen=True)
class RequiredLookup:
    """The required grade, the rule that decided it, and what the advisory criteria suggest."""

    county: str | None
    township: str | None
    kind: str | None
    required: grades.RequiredGrade
    rule: Phrase
    config_file: str | None
    fired: tuple[Phrase, ...] = ()             # criteria that suggest a higher grade (when suggests_higher)
    missing_keys: tuple[str, ...] = ()         # profile keys a higher grade's criteria could not read


@dataclass(frozen=True)
class ItemRow:
    """One minimum for one brigade: `gap` (not verifiable) or its status with the phrase and cells."""

    item: str
    status: str
    gap: Outcome | None = None
    phrase: Any = None
    refs: str = ""


@dataclass(frozen=True)
class GradedBrigade:
    name: str
    grade: str
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class OtherBrigade:
    """A brigade row that declares no GB/T grade: the township's own, or another unit's."""

    name: str
    type: str
    unit: str
    own: bool


@dataclass(frozen=True)
class BrigadeLookup:
    verdict: Outcome                           # R07.1: the required grade is met
    missing: Outcome | None                    # the brigade sheet or its columns are missing
    graded: tuple[GradedBrigade, ...] = ()
    others: tuple[OtherBrigade, ...] = ()


@dataclass(frozen=True)
class FileLookup:
    path: str
    period: Period
    required: RequiredLookup
    brigades: BrigadeLookup


def infer_kind(checklist: Checklist, township: str | None) -> str | None:
    """乡 / 镇 / 街道 from the end of the name, when --kind is not given."""
    if not township:
        return None
    kinds = sorted(checklist.register.vocabularies["单位类型"].values, key=len, reverse=True)
    return next((k for k in kinds if township.endswith(k)), None)


def required_lookup(checklist: Checklist, county: str | None, township: str | None, kind: str | None,
                    profile: dict[str, Any]) -> RequiredLookup:
    data = grades.grade_data(checklist)
    required = grades.resolve(checklist, county, township, kind, profile)
    fired: tuple[Phrase, ...] = ()
    missing: tuple[str, ...] = ()
    if required.grade is not None and required.suggests_higher:
        fired = tuple(criterion_phrase(data, k, profile.get(data.criteria[k].key)) for k in required.suggestion.fired)
    elif required.grade is not None:
        missing = tuple(dict.fromkeys(c.key for c in data.criteria.values()
                                      if c.key in required.suggestion.missing
                                      and c.grade in required.higher_than_required))
    return RequiredLookup(county, township, kind, required, rule_phrase(required),
                          checklist.config_file if required.from_config else None, fired, missing)


def profile_lookup(checklist: Checklist, county: str | None, township: str | None, kind: str | None,
                   profile: dict[str, Any]) -> RequiredLookup:
    """`fireaudit grade --county … --township … [--area …]`: no workbook needed."""
    return required_lookup(checklist, county, township, kind or infer_kind(checklist, township), profile)


def brigade_lookup(ctx: CheckContext) -> BrigadeLookup:
    """R07.1's verdict, then every brigade of the township against its declared grade's minimums."""
    with one_audit():       # the 队员 index built once for all brigades and minimums
        return _brigade_lookup(ctx)


def _brigade_lookup(ctx: CheckContext) -> BrigadeLookup:
    try:
        verdict = required_grade_met(ctx, ctx.checklist.params.get("R07.1") or RequiredGradeParams())
    except MissingInput as missing:
        verdict = missing.outcome
    try:
        table = ctx.need(SHEET, "队伍名称", "队伍类型")
    except MissingInput as missing:
        return BrigadeLookup(verdict, missing.outcome)
    graded = graded_brigades(ctx, table)
    rows = []
    for brigade in graded:
        items = []
        for item in grades.ITEMS:
            if grades.minimum(ctx.checklist, brigade.grade, item) is None:
                continue
            gap = missing_input(ctx, table, item)
            if gap is not None:
                items.append(ItemRow(item, "unknown", gap=gap))
                continue
            result = evaluate_item(ctx, table, brigade, item)
            if result is not None:
                items.append(ItemRow(item, result.status, phrase=result.phrase,
                                     refs=", ".join(e.ref() for e in result.evidence[:3])))
        rows.append(GradedBrigade(brigade.name, brigade.grade, tuple(items)))
    own = set(township_brigades(ctx))
    names, kinds = table.column("队伍名称"), table.column("队伍类型")
    units = table.column("所属单位") if table.has("所属单位") else [None] * len(table)
    graded_positions = {b.position for b in graded}
    others = tuple(OtherBrigade(names[i], kinds[i] or "", units[i] or "", i in own) for i in range(len(table))
                   if i not in graded_positions and names[i])
    return BrigadeLookup(verdict, None, tuple(rows), others)


def file_lookup(checklist: Checklist, path: str | Path, period: Period | None = None) -> FileLookup:
    """`fireaudit grade FILE`: read the workbook, then the required grade and every brigade."""
    register = RegisterReader(checklist).read(path)
    try:
        period = resolve_period(register, period)
    except InputError:                       # a look-up, not an audit: judge duty dates as of today
        today = date.today()
        period = Period(today.year, (today.month - 1) // 3 + 1)
    required = required_lookup(checklist, register.county, register.township, register.kind,
                               grades.profile_values(register))
    return FileLookup(str(path), period, required, brigade_lookup(CheckContext(register, period, checklist)))
