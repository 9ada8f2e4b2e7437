"""Checks on the 检查隐患 sheet for R13: referral of refused hazards, and overdue hazards.

One pass over the columns each; the annex router memoises the category
inference per distinct 隐患描述, so large sheets stay linear. Only hazards
whose 检查日期 is on or before the period's last day count (Settled readings);
a hazard whose date could not be read is a register error and is left out."""

from __future__ import annotations

from datetime import date
from itertools import compress
from operator import and_
from typing import Annotated, Any, Iterator

from fireaudit.annex import router_of
from fireaudit.checklist.names import Vocab
from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.i18n import Joined, Phrase
from fireaudit.register.model import Table, memo

SHEET = "检查隐患"


def _dated_by_end(table: Table, end: date) -> list[bool]:
    """Per record: dated on or before `end` (kept for the audit's other R13 checks: do not modify)."""
    days = table.column("检查日期")
    return memo(days, ("dated_by_end", end), lambda: [day is not None and day <= end for day in days])


def _where(table: Table, column: str, in_scope: list[bool], values: set[Any] | None = None) -> Iterator[bool]:
    """Per record: in scope and `column` filled (holding one of `values`, if given). The loops below look
    only at these records (the few referred or refused among 100,000 hazards), the test itself in C."""
    cells = table.values.get(column) or [None] * len(table)
    return map(and_, in_scope, map(bool, cells) if values is None else map(values.__contains__, cells))


def _label(table: Table, i: int, place: Any, column: str) -> str:
    """The place's name, or the row's cell when 场所名称 is blank."""
    return str(place) if place else table.cell(i, column).ref()


def _shown(items: list[Any], limit: int) -> bool:
    """Whether the next item appended to `items` is among the `items[:limit]` a message names (the rest are
    counted only, so a placeholder stands for them)."""
    return limit < 0 or len(items) < limit


def _listed(items: list[Any], limit: int) -> dict[str, Any]:
    """The first `limit` items for the message, and how many there are in all."""
    return {"items": items[:limit], "count": len(items)}


class ReferralPresentParams(Params):
    statuses: list[Annotated[str, Vocab("整改状态")]]            # the statuses that must be referred (拒不整改)
    max_listed: int = 20                 # items named in the message; evidence names all
    # plan (十三): 依法予以处理，并告知相关职能部门 — a 处理方式 of this value with a 告知部门 is handled too
    local_handling: Annotated[str | None, Vocab("处理方式")] = None


def hazard_referral_present(ctx: CheckContext, p: ReferralPresentParams) -> Outcome:
    """Every refused hazard is handled: referred (移送部门 and 移送日期), or, when `local_handling`
    is set, handled by the township itself with the department notified (告知部门)."""
    table = ctx.need(SHEET, "检查日期", "整改状态", "移送部门", "移送日期")
    in_scope = _dated_by_end(table, ctx.period.end)
    statuses = set(p.statuses)
    ways = table.column("处理方式") if p.local_handling and table.has("处理方式") else [None] * len(table)
    told = table.column("告知部门") if p.local_handling and table.has("告知部门") else [None] * len(table)
    refused, local, lacking, evidence = 0, 0, [], []
    records = table.records("整改状态", "场所名称", "移送部门", "移送日期")
    for i, status, place, department, referred_on in compress(records, _where(table, "整改状态", in_scope, statuses)):
        refused += 1
        referred = bool(department) and bool(referred_on)
        if p.local_handling and not referred and (ways[i] == p.local_handling or (ways[i] is None and told[i])):
            if told[i]:                          # handled within its powers and the department told
                local += 1
                continue
            missing = ["告知部门"]
            where = [table.cell(i, "告知部门") if table.has("告知部门") else table.missing_column("告知部门")]
        else:
            missing = [c for c, v in (("移送部门", department), ("移送日期", referred_on)) if not v]
            where = [table.cell(i, c) for c in missing]
        if missing:
            lacking.append(Phrase("item.with", {"name": _label(table, i, place, "整改状态"), "detail": Joined(tuple(missing))}))
            evidence.extend(where)
    params = dict(statuses=p.statuses, refused=refused, end=ctx.period.end.isoformat())
    if p.local_handling:
        params["local"] = local
    if not lacking:
        message = "hazard_referral_present.more.pass" if p.local_handling else "hazard_referral_present.pass"
        return outcome(PASS, message, [], **params)
    listed = _listed(lacking, p.max_listed)
    message = "hazard_referral_present.more.unreferred" if p.local_handling else "hazard_referral_present.unreferred"
    return outcome(FAIL, message, evidence, witnessed=True, **params, lacking=Joined(tuple(listed["items"])),
                   count=listed["count"])


class ReferralDepartmentParams(Params):
    max_listed: int = 20


def hazard_referral_department(ctx: CheckContext, p: ReferralDepartmentParams) -> Outcome:
    """Every referred hazard went to the annex's department(s) for its category (inferred when blank)."""
    table = ctx.need(SHEET, "检查日期", "移送部门", "隐患描述")
    router = None                     # built at the first referred hazard (most registers have few or none)
    in_scope = _dated_by_end(table, ctx.period.end)
    wrong, inferred, undetermined, other = [], [], [], []
    rows: list[int] = []              # the evidence's rows and columns, made in bulk (Table.cells) at the end
    columns: list[str] = []
    checked = 0
    records = table.records("移送部门", "隐患描述", "隐患类别", "场所名称")
    # the messages name the first few of each list (`_shown`); the others are counted, as "" placeholders
    for i, cell, description, categories, place in compress(records, _where(table, "移送部门", in_scope)):
        checked += 1
        router = router or router_of(ctx.checklist)
        if categories:
            names = tuple(categories)
        else:
            matches = router.infer(description)
            names = tuple(m.category for m in matches)
            if not names:                 # a tie, a 建议, or nothing to go on (the message names the first few)
                undetermined.append(router.unsettled(_label(table, i, place, "移送部门"), description)
                                    if _shown(undetermined, p.max_listed) else "")
                continue
            inferred.append(Phrase("check.hazard_referral_department.inferred_item", {
                "label": _label(table, i, place, "移送部门"), "categories": [m.category for m in matches],
                "keywords": [k for m in matches for k in m.keywords]}) if _shown(inferred, p.max_listed) else "")
        if all(router.accepts_any(n) for n in names):
            other.append(_label(table, i, place, "移送部门") if _shown(other, p.max_listed) else "")
            continue
        referral = router.referral(cell)
        fits = router.referral_fits(names, referral)
        if fits:
            continue
        if fits is None:                  # 公安消防大队: a pre-2018 name is a note, not a verdict
            undetermined.append(router.former_note(_label(table, i, place, "移送部门"), referral)
                                if _shown(undetermined, p.max_listed) else "")
            continue
        if _shown(wrong, p.max_listed):
            expected = Joined(tuple(Joined(tuple(router.departments_of(n))) for n in names
                                    if not router.accepts_any(n)), "alternatives")
            wrong.append(Phrase("check.hazard_referral_department.wrong_item", {
                "label": _label(table, i, place, "移送部门"), "categories": list(names), "cell": cell,
                "expected": expected}))
        else:
            wrong.append("")
        rows += (i, i)
        columns += ("移送部门", "隐患类别" if categories else "隐患描述")
    params = dict(checked=checked, undetermined=undetermined[:p.max_listed], undetermined_count=len(undetermined),
                  other=other[:p.max_listed], other_count=len(other),
                  inferred=Joined(tuple(inferred[:p.max_listed])), inferred_count=len(inferred))
    if not wrong:
        if undetermined:
            return outcome(PASS, "hazard_routing.pass_unsettled", [], **params)
        return outcome(PASS, f"hazard_referral_department.{'pass_inferred' if inferred else 'pass'}", [], **params)
    listed = _listed(wrong, p.max_listed)
    case = "wrong_inferred" if inferred else "wrong"
    return outcome(FAIL, f"hazard_referral_department.{case}", table.cells(rows, columns), witnessed=True, **params,
                   wrong=Joined(tuple(listed["items"])),
                   count=listed["count"])


class OverdueParams(Params):
    open_statuses: list[Annotated[str, Vocab("整改状态")]]       # 整改中: overdue once the deadline has passed
    overdue_statuses: list[Annotated[str, Vocab("整改状态")]]    # 逾期未改: overdue as declared
    max_listed: int = 20


def hazards_overdue(ctx: CheckContext, p: OverdueParams) -> Outcome:
    """No hazard still open after its 整改期限 (by the period's last day)."""
    table = ctx.need(SHEET, "检查日期", "整改状态", "整改期限")
    end = ctx.period.end
    in_scope = _dated_by_end(table, end)
    open_statuses, overdue_statuses = set(p.open_statuses), set(p.overdue_statuses)
    overdue, rows, columns = [], [], []    # the evidence's rows and columns, made in bulk at the end
    records = table.records("整改状态", "整改期限", "场所名称")
    for i, status, deadline, place in compress(records, _where(table, "整改状态", in_scope,
                                                               open_statuses | overdue_statuses)):
        late = status in overdue_statuses or (status in open_statuses and deadline is not None and deadline < end)
        if not late:
            continue
        if _shown(overdue, p.max_listed):     # the message names the first few; evidence names every row
            label = _label(table, i, place, "整改状态")
            overdue.append(Phrase("item.overdue", {"name": label, "status": status,
                                                      "deadline": deadline.isoformat() if deadline else "—"}))
        else:
            overdue.append("")
        rows.append(i)
        columns.append("整改期限" if deadline else "整改状态")
    evidence = table.cells(rows, columns)
    params = dict(end=end.isoformat())
    if not overdue:
        return outcome(PASS, "hazards_overdue.pass", [], **params)
    listed = _listed(overdue, p.max_listed)
    return outcome(FAIL, "hazards_overdue.overdue", evidence, witnessed=True, **params, overdue=Joined(tuple(listed["items"])), count=listed["count"])


KINDS = {
    "hazard_referral_present": CheckKind(hazard_referral_present, ReferralPresentParams),
    "hazard_referral_department": CheckKind(hazard_referral_department, ReferralDepartmentParams),
    "hazards_overdue": CheckKind(hazards_overdue, OverdueParams),
}
