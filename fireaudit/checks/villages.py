"""Coverage checks over the 村社区 sheet: every village/community has X (R06, R07, R12, R14)."""

from __future__ import annotations

from typing import Annotated, Any

from fireaudit.checklist.names import Column, Vocab
from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, need_column, outcome
from fireaudit.i18n import Joined
from fireaudit.register.model import several
from fireaudit.textnorm import norm

SHEET = "村社区"


class VillageCoverageParams(Params):
    column: Annotated[str, Column(SHEET)]
    # a 责任人 row of the village with this 消防职责 counts too
    duty: Annotated[str | None, Vocab("消防职责")] = None
    min_share: float = 1.0
    village_types: list[Annotated[str, Vocab("村社区类型")]] = []   # only these 类型 (村/社区); empty = all
    min_value: float = 1.0         # for count columns: the least count that covers
    # any of these covering counts as well (消防水源 or 市政消火栓数量)
    alt_columns: list[Annotated[str, Column(SHEET)]] = []


def _covers(value: Any, min_value: float) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value >= min_value
    return value is not None and str(value).strip() != ""


def village_coverage(ctx: CheckContext, p: VillageCoverageParams) -> Outcome:
    """The share of villages/communities with `column` (or a `duty` holder) is at least `min_share`."""
    table = ctx.need(SHEET, "名称")
    has_column = table.has(p.column)
    alternatives = [c for c in p.alt_columns if table.has(c)]
    people_cover: set[str] = set()
    if p.duty:
        people = ctx.table("责任人")
        if people is not None and people.has("消防职责") and people.has("所属单位"):
            for _, duty, unit, name in people.records("消防职责", "所属单位", "姓名"):
                village = ctx.village_of(unit) if p.duty in several(duty) and name else None
                if village:
                    people_cover.add(village)
    if not has_column and not people_cover and not alternatives:
        need_column(table, p.column)
    if p.village_types:
        need_column(table, "类型")

    total, lacking = 0, []
    for i, name, kind, value, *others in table.records("名称", "类型", p.column, *alternatives):
        if not name or (p.village_types and kind not in p.village_types):
            continue
        total += 1
        covered_here = (has_column and _covers(value, p.min_value)) or any(_covers(v, p.min_value) for v in others)
        if not (covered_here or norm(name) in people_cover):
            lacking.append(i)
    covered = total - len(lacking)
    share = covered / total if total else 1.0
    params = dict(column=Joined((p.column, *p.alt_columns)) if p.alt_columns else p.column, covered=covered, total=total, share=round(share * 100, 1),
                  min_share=round(p.min_share * 100, 1),
                  lacking=[table.column("名称")[i] for i in lacking])
    evidence_column = p.column if has_column else (alternatives[0] if alternatives else "名称")
    if share >= p.min_share:
        return outcome(PASS, "village_coverage.pass", [], **params)
    return outcome(FAIL, "village_coverage.lacking", [table.cell(i, evidence_column) for i in lacking], **params)


KINDS = {"village_coverage": CheckKind(village_coverage, VillageCoverageParams)}
