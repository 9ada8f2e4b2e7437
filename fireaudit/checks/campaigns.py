"""Checks on the 专项治理 sheet for R10: how much of what each campaign found was put right."""

from __future__ import annotations

from fireaudit.checks.base import FAIL, NA, PASS, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.i18n import Joined, Phrase

SHEET = "专项治理"


class RectificationParams(Params):
    min_rate: float                     # 整改隐患数 / 发现隐患数 of each campaign active in the period


def campaign_rectification(ctx: CheckContext, p: RectificationParams) -> Outcome:
    """Every campaign active in the period that found hazards rectified at least `min_rate` of them."""
    table = ctx.need(SHEET, "开始日期", "发现隐患数", "整改隐患数")
    start, end = ctx.period.start, ctx.period.end
    rated, below, evidence = 0, [], []
    for i, begun, ended, name, found, fixed in table.records("开始日期", "结束日期", "名称", "发现隐患数", "整改隐患数"):
        if begun is None or begun > end or (ended is not None and ended < start) or not found:
            continue
        rated += 1
        rate = (fixed or 0) / found
        if rate < p.min_rate:
            below.append(Phrase("item.rate", {"name": name or table.cell(i, "开始日期").ref(), "fixed": fixed or 0,
                                              "found": found, "rate": f"{round(rate * 100, 1):g}"}))
            evidence.append(table.cell(i, "整改隐患数"))
    params = dict(min_rate=round(p.min_rate * 100, 1), rated=rated, start=start.isoformat(), end=end.isoformat())
    if not rated:
        return outcome(NA, "campaign_rectification.none", [], **params)
    if not below:
        return outcome(PASS, "campaign_rectification.pass", [], **params)
    return outcome(FAIL, "campaign_rectification.below", evidence, witnessed=True, **params, below=Joined(tuple(below)))


KINDS = {"campaign_rectification": CheckKind(campaign_rectification, RectificationParams)}
