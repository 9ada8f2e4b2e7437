"""Checks for R15: the enforcement list is published, and enough certified officers exist."""

from __future__ import annotations

from typing import Annotated, Literal

from fireaudit.checklist.names import Column, ProfileKey, Vocab
from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.register.model import several

PEOPLE = "责任人"


class ProfileDateParams(Params):
    key: Annotated[str, ProfileKey()]


def profile_date_by_end(ctx: CheckContext, p: ProfileDateParams) -> Outcome:
    """The profile's date `key` is given and not after the period's last day."""
    value = ctx.profile(p.key)
    evidence = [ctx.register.profile_evidence(p.key)]
    params = dict(key=p.key, date=value.isoformat(), end=ctx.period.end.isoformat())
    if value <= ctx.period.end:
        return outcome(PASS, "profile_date_by_end.pass", evidence, **params)
    return outcome(FAIL, "profile_date_by_end.after", evidence, **params)


class CertifiedPeopleParams(Params):
    duty: Annotated[str, Vocab("消防职责")]                 # 消防职责 of the people counted
    certificate_column: Annotated[str, Column(PEOPLE)]    # the column that must be filled (执法证号)
    min_count: int
    unit: Literal["township", "any"] = "township"        # "township": the township itself; "any"


def certified_people(ctx: CheckContext, p: CertifiedPeopleParams) -> Outcome:
    """At least `min_count` people with `duty` and a filled `certificate_column`."""
    table = ctx.need(PEOPLE, "消防职责", "姓名", p.certificate_column)
    holders, lacking = [], []
    for i, duty, name, unit, certificate in table.records("消防职责", "姓名", "所属单位", p.certificate_column):
        if p.duty not in several(duty) or not name or (p.unit == "township" and not ctx.is_township_itself(unit)):
            continue
        (holders if certificate else lacking).append(i)
    params = dict(duty=p.duty, column=p.certificate_column, count=len(holders), min_count=p.min_count,
                  names=[table.column("姓名")[i] for i in holders], lacking=[table.column("姓名")[i] for i in lacking])
    if len(holders) >= p.min_count:
        return outcome(PASS, "certified_people.pass", [table.cell(i, p.certificate_column) for i in holders],
                       witnessed=True, **params)
    evidence = [table.cell(i, p.certificate_column) for i in lacking] or [table.header("消防职责")]
    return outcome(FAIL, "certified_people.too_few", evidence, **params)


KINDS = {
    "profile_date_by_end": CheckKind(profile_date_by_end, ProfileDateParams),
    "certified_people": CheckKind(certified_people, CertifiedPeopleParams),
}
