"""Checks on the 经费 sheet; all amounts are in 万元 after the reader's unit conversion."""

from __future__ import annotations

from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, outcome

SHEET = "经费"


class BudgetPositiveParams(Params):
    min_total: float = 0.0   # 万元; the year's budget must exceed this


def budget_positive(ctx: CheckContext, p: BudgetPositiveParams) -> Outcome:
    """The budget rows of the period's year add up to more than `min_total` 万元."""
    table = ctx.need(SHEET, "年度", "预算金额")
    year = ctx.period.year
    rows = [(i, amount) for i, y, amount in table.records("年度", "预算金额") if y == year]
    total = round(sum(a or 0 for _, a in rows), 4)
    params = dict(year=year, total=total, min_total=p.min_total)
    if total > p.min_total:
        return outcome(PASS, "budget_positive.pass", [table.cell(i, "预算金额") for i, _ in rows[:5]], witnessed=True,
                       **params)
    evidence = [table.cell(i, "预算金额") for i, _ in rows] or [table.header("年度")]
    return outcome(FAIL, "budget_positive.none", evidence, **params)


KINDS = {"budget_positive": CheckKind(budget_positive, BudgetPositiveParams)}
