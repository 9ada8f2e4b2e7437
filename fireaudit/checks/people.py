"""Checks on the 责任人 sheet: who is named for which fire duty (R01–R04)."""

from __future__ import annotations

from typing import Annotated, Literal

from fireaudit.checklist.names import Vocab
from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.register.model import Evidence, several

SHEET = "责任人"


class RolesNamedParams(Params):
    duties: list[Annotated[str, Vocab("消防职责")]]
    unit: Literal["township", "any"] = "township"   # "township": the township itself; "any": any unit


def roles_named(ctx: CheckContext, p: RolesNamedParams) -> Outcome:
    """Each duty in `duties` has at least one person of the township itself (or any unit)."""
    table = ctx.need(SHEET, "消防职责", "姓名")
    has_unit = table.has("所属单位")
    found: dict[str, list[Evidence]] = {d: [] for d in p.duties}
    elsewhere: dict[str, list[Evidence]] = {d: [] for d in p.duties}
    for i, duties, name, unit in table.records("消防职责", "姓名", "所属单位"):
        for duty in several(duties):     # `主要责任人、消防安全管理人` in one cell counts for each
            if duty not in found or not name:
                continue
            if p.unit == "any" or not has_unit or ctx.is_township_itself(unit):
                found[duty].append(table.cell(i, "姓名"))
            else:
                elsewhere[duty].append(table.cell(i, "所属单位"))
    missing = [d for d in p.duties if not found[d]]
    if not missing:
        return outcome(PASS, "roles_named.pass", [e for d in p.duties for e in found[d][:1]], witnessed=True,
                       duties=p.duties)
    evidence = [e for d in missing for e in elsewhere[d]] or [table.header("消防职责")]
    if any(elsewhere[d] for d in missing):
        return outcome(FAIL, "roles_named.other_unit", evidence, missing=missing)
    return outcome(FAIL, "roles_named.missing", evidence, missing=missing)


class RoleTitleParams(Params):
    duty: Annotated[str, Vocab("消防职责")]
    title_keywords: list[str]
    deputy_marker: str = "副"


def role_title(ctx: CheckContext, p: RoleTitleParams) -> Outcome:
    """The holder of `duty` has a 职务 naming a head (书记/乡长/镇长/主任), not a deputy."""
    table = ctx.need(SHEET, "消防职责", "职务")
    from fireaudit.textnorm import split_list

    separators = ctx.checklist.register.reader.list_separators
    holders = [(i, title) for i, duty, title, unit in table.records("消防职责", "职务", "所属单位")
               if p.duty in several(duty) and ctx.is_township_itself(unit)]
    if not holders:
        return outcome(FAIL, "role_title.no_holder", [table.header("消防职责")], duty=p.duty)
    for i, title in holders:
        parts = split_list(title or "", separators)
        if any(k in part and p.deputy_marker not in part for part in parts for k in p.title_keywords):
            return outcome(PASS, "role_title.pass", [table.cell(i, "职务")], witnessed=True, duty=p.duty,
                           title=title)
    i, title = holders[0]
    return outcome(FAIL, "role_title.not_head", [table.cell(i, "职务") for i, _ in holders],
                   duty=p.duty, title=title or "", keywords=p.title_keywords)


KINDS = {
    "roles_named": CheckKind(roles_named, RolesNamedParams),
    "role_title": CheckKind(role_title, RoleTitleParams),
}
