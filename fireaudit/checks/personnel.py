"""R17 and R19: people with a fire duty are trained and qualified; brigade members are insured.

Each finding lists every person concerned by name with what is missing, so a
clerk can act on the report line by line."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fireaudit.checklist.names import Column, Vocab
from fireaudit.checks.base import (
    FAIL, NA, PASS, UNKNOWN, CheckContext, CheckKind, MissingInput, Outcome, Params, Window, outcome,
)
from fireaudit.i18n import Joined, Phrase, message_key
from fireaudit.register.model import Evidence, several, within
from fireaudit.checks.understood import undecided

PEOPLE, MEMBERS = "责任人", "队员"


class TrainingRecentParams(Params):
    window: Window = "months:12"
    duties: list[Annotated[str, Vocab("消防职责")]] = []              # 责任人 rows with these 消防职责 must be trained
    member_categories: list[Annotated[str, Vocab("人员类别")]] = []   # and 队员 rows of these 人员类别


def training_recent(ctx: CheckContext, p: TrainingRecentParams) -> Outcome:
    """Everyone with a fire duty was trained within the window; lists who is overdue.

    With 队员 (or 责任人) missing, that part is `unknown` and the other part is
    judged as usual (REQUIREMENTS.md, Settled readings: R17)."""
    start, end = ctx.window(p.window)
    overdue: list[Phrase] = []
    evidence: list[Evidence] = []
    checked = 0
    gaps: list[Outcome] = []
    parts = ((PEOPLE, "消防职责", p.duties), (MEMBERS, "人员类别", p.member_categories))
    for sheet, role_column, roles in parts:
        if not roles:
            continue
        try:
            table = ctx.need(sheet, "姓名", role_column, "最近培训日期")
        except MissingInput as missing:        # this part is unknown; the other is still judged
            gaps.append(missing.outcome)
            continue
        for i, name, held, trained in table.records("姓名", role_column, "最近培训日期"):
            mine = [r for r in several(held) if r in roles]     # a cell may name several duties
            if not name or not mine:
                continue
            checked += 1
            inside = within(trained, start, end)
            if inside is None and isinstance(trained, date):    # a month astride a bound: cannot say
                undecided(table.cell(i, "最近培训日期"), str(trained), f"{start.isoformat()}～{end.isoformat()}")
                continue
            if not inside:
                overdue.append(Phrase("check.training_recent.person", {
                    "name": name, "role": Joined(tuple(mine)),
                    "trained": trained.isoformat() if isinstance(trained, date) else Phrase("check.training_recent.never")}))
                evidence.append(table.cell(i, "最近培训日期"))
    params = dict(start=start.isoformat(), end=end.isoformat(), checked=checked)
    if overdue:
        return outcome(FAIL, "training_recent.overdue", evidence, witnessed=True, people=overdue, count=len(overdue), **params)
    if gaps:
        first = gaps[0]
        return outcome(UNKNOWN, "training_recent.part_unknown", [e for g in gaps for e in g.evidence],
                       part=Phrase(message_key(first.message), first.params), **params)
    return outcome(PASS, "training_recent.pass", [], **params)


class QualifiedPresentParams(Params):
    qualifications: list[Annotated[str, Vocab("职业资格")]]


def qualified_present(ctx: CheckContext, p: QualifiedPresentParams) -> Outcome:
    """At least one brigade member holds one of `qualifications` (plan: 鼓励考取)."""
    table = ctx.need(MEMBERS, "姓名", "职业资格")
    hits = [(i, name, q) for i, name, q in table.records("姓名", "职业资格") if name and q in p.qualifications]
    if hits:
        return outcome(PASS, "qualified_present.pass", [table.cell(i, "职业资格") for i, _, _ in hits[:5]], witnessed=True,
                       people=Joined(tuple(Phrase("item.with", {"name": name, "detail": q}) for _, name, q in hits)))
    return outcome(FAIL, "qualified_present.none", [table.header("职业资格")], qualifications=p.qualifications)


class InsuranceParams(Params):
    categories: list[Annotated[str, Vocab("人员类别")]]        # 人员类别 covered
    insurances: list[Annotated[str, Column(MEMBERS)]]          # yes/no columns each of them must have
    # the check is `na` unless 队员 lists someone of these categories (R19 is about 专职 members' 待遇)
    only_with: list[Annotated[str, Vocab("人员类别")]] = []


def insurance_complete(ctx: CheckContext, p: InsuranceParams) -> Outcome:
    """Every member of `categories` has every insurance in `insurances`; lists who lacks which.

    `na` when 队员 lists nobody of those categories (or of `only_with`), `unknown` when 队员 is missing."""
    table = ctx.need(MEMBERS, "姓名", "人员类别")
    if p.only_with and not any(name and kind in p.only_with for _, name, kind in table.records("姓名", "人员类别")):
        return outcome(NA, "insurance_complete.nobody", categories=p.only_with)
    people = [(i, name) for i, name, kind in table.records("姓名", "人员类别") if name and kind in p.categories]
    if not people:
        return outcome(NA, "insurance_complete.nobody", categories=p.categories)
    table = ctx.need(MEMBERS, *p.insurances)
    lacking: list[Phrase] = []
    evidence: list[Evidence] = []
    for i, name in people:
        missing = [column for column in p.insurances if table.column(column)[i] is not True]
        if missing:
            lacking.append(Phrase("check.insurance_complete.person", {"name": name, "missing": missing}))
            evidence += [table.cell(i, column) for column in missing]
    params = dict(categories=p.categories, insurances=p.insurances, checked=len(people))
    if lacking:
        return outcome(FAIL, "insurance_complete.lacking", evidence, witnessed=True, people=lacking, count=len(lacking), **params)
    return outcome(PASS, "insurance_complete.pass", [], **params)


KINDS: dict[str, CheckKind] = {
    "training_recent": CheckKind(training_recent, TrainingRecentParams),
    "qualified_present": CheckKind(qualified_present, QualifiedPresentParams),
    "insurance_complete": CheckKind(insurance_complete, InsuranceParams),
}
