"""Checks on the 责任人 sheet: who is named for which fire duty (R01–R04)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec

from fireaudit.checklist.names import Vocab
from fireaudit.checks.base import FAIL, PASS, UNKNOWN, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.register.model import Evidence, several
from fireaudit.textnorm import norm, split_list

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
    # the head's titles, exactly (after the unit's own name and 乡/镇/街道 are taken off the front)
    heads: list[str]
    unit_prefixes: list[str] = msgspec.field(default_factory=lambda: ["乡", "镇", "街道"])
    # a bare title that may or may not be the head (书记: 党委书记 or 纪委书记?): unknown, never a verdict
    ambiguous: list[str] = []
    joiners: list[str] = msgspec.field(default_factory=lambda: ["兼"])      # 党委书记兼镇长: two titles in one


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


def title_parts(title: str, separators: list[str], joiners: list[str]) -> list[str]:
    """The titles written in one 职务 cell, bracketed remarks such as （主持工作） dropped."""
    return [norm(_BRACKETED.sub("", part)) for part in split_list(title, [*separators, *joiners])]


def bare_titles(part: str, township: str, prefixes: list[str]) -> set[str]:
    """`潘津镇党委书记` → {潘津镇党委书记, 党委书记}; `镇党委书记` → {…, 党委书记}; `镇长` stays `镇长`."""
    found = {part}
    for name in (township, *(township[: -len(s)] for s in ("乡", "镇", "街道") if township.endswith(s))):
        if name and part.startswith(name) and len(part) > len(name):
            found.add(part[len(name):])
    for title in list(found):
        for prefix in prefixes:
            if title.startswith(prefix) and len(title) > len(prefix) + 1:
                found.add(title[len(prefix):])
    return found


def role_title(ctx: CheckContext, p: RoleTitleParams) -> Outcome:
    """The holder of `duty` holds one of the head's titles exactly (plan (三): 党政主要负责人)."""
    table = ctx.need(SHEET, "消防职责", "职务")
    separators = ctx.checklist.register.reader.list_separators
    heads = {norm(h) for h in p.heads}
    ambiguous = {norm(a) for a in p.ambiguous}
    holders = [(i, title) for i, duty, title, unit in table.records("消防职责", "职务", "所属单位")
               if p.duty in several(duty) and ctx.is_township_itself(unit)]
    if not holders:
        return outcome(FAIL, "role_title.no_holder", [table.header("消防职责")], duty=p.duty)
    unclear: list[tuple[int, str]] = []
    for i, title in holders:
        bare = {b for part in title_parts(str(title or ""), separators, p.joiners)
                for b in bare_titles(part, ctx.township_key, p.unit_prefixes)}
        if any(b in heads for b in bare):
            return outcome(PASS, "role_title.pass", [table.cell(i, "职务")], witnessed=True, duty=p.duty,
                           title=title)
        if any(b in ambiguous for b in bare):
            unclear.append((i, str(title)))
    if unclear:
        i, title = unclear[0]
        return outcome(UNKNOWN, "role_title.more.unclear", [table.cell(i, "职务") for i, _ in unclear],
                       duty=p.duty, title=title, keywords=p.heads)
    i, title = holders[0]
    return outcome(FAIL, "role_title.not_head", [table.cell(i, "职务") for i, _ in holders],
                   duty=p.duty, title=title or "", keywords=p.heads)


KINDS = {
    "roles_named": CheckKind(roles_named, RolesNamedParams),
    "role_title": CheckKind(role_title, RoleTitleParams),
}
