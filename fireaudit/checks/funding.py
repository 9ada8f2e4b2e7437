"""Checks on the 经费 sheet for R18: in the fiscal budget, the plan's categories, money arrived.

Amounts are in 万元 whatever unit the sheet used: the reader converts header
units (`金额（元）`) and value units (`5000元`) before any check sees them."""

from __future__ import annotations

from typing import Annotated

from fireaudit.checklist.names import Column, Vocab
from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.checks.brigades import SHEET as BRIGADES, township_brigades
from fireaudit.register.model import Evidence

SHEET = "经费"
EPSILON = 1e-9   # 万元; absorbs float noise from unit conversion, far below any real amount


def _money(value: float) -> float:
    return round(value, 6)


class InFiscalBudgetParams(Params):
    column: Annotated[str, Column(SHEET)] = "纳入财政预算"
    # plan (十八) puts the township's fire-work funds (消防工作经费) in the budget; a row that says it is
    # money from outside the budget (a donation) is no such fund and no gap: these words in these columns
    outside_words: list[str] = []
    outside_columns: list[Annotated[str, Column(SHEET)]] = []


def _outside_budget(table, i: int, p: InFiscalBudgetParams) -> bool:
    """The row says its money is not the township's own fire-work funds (捐赠, 社会资金 …)."""
    return any(word in str(table.column(c)[i] or "") for c in p.outside_columns if table.has(c)
               for word in p.outside_words)


def budget_in_fiscal(ctx: CheckContext, p: InFiscalBudgetParams) -> Outcome:
    """The period's year has fire-work fund rows, and each is 纳入财政预算 = 是 (donations set apart)."""
    table = ctx.need(SHEET, "年度", p.column)
    year = ctx.period.year
    rows = [(i, flag, subject) for i, y, flag, subject in table.records("年度", p.column, "科目") if y == year]
    outside = [i for i, flag, _ in rows if flag is not True and _outside_budget(table, i, p)]
    rows = [r for r in rows if r[0] not in outside]
    if not rows:
        if outside:
            return outcome(FAIL, "budget_in_fiscal.more.only_outside", [table.cell(i, "年度") for i in outside],
                           year=year, count=len(outside))
        return outcome(FAIL, "budget_in_fiscal.no_rows", [table.header("年度")], year=year)
    lacking = [(i, subject) for i, flag, subject in rows if flag is not True]
    if not lacking:
        if outside:
            return outcome(PASS, "budget_in_fiscal.more.pass_outside",
                           [table.cell(i, p.column) for i, _, _ in rows[:5]], year=year, count=len(rows),
                           outside=len(outside))
        return outcome(PASS, "budget_in_fiscal.pass", [table.cell(i, p.column) for i, _, _ in rows[:5]],
                       year=year, count=len(rows))
    return outcome(FAIL, "budget_in_fiscal.outside", [table.cell(i, p.column) for i, _ in lacking], witnessed=True,
                   year=year,
                   subjects=[s or table.cell(i, "年度").ref() for i, s in lacking], count=len(lacking))


class CategoriesParams(Params):
    always: list[Annotated[str, Vocab("经费科目")]]     # 科目 every township budgets
    # 队伍类型 of the township's own brigade -> 科目 it needs
    per_brigade_type: dict[Annotated[str, Vocab("队伍类型")], Annotated[str, Vocab("经费科目")]] = {}


def budget_categories(ctx: CheckContext, p: CategoriesParams) -> Outcome:
    """The year's budget covers the plan's categories, one per brigade kind the township has."""
    table = ctx.need(SHEET, "年度", "科目", "预算金额")
    required: dict[str, list[Evidence]] = {c: [] for c in p.always}
    brigades = ctx.table(BRIGADES)
    if p.per_brigade_type and brigades is not None and brigades.has("队伍类型"):
        kinds = brigades.column("队伍类型")
        for i in township_brigades(ctx):
            subject = p.per_brigade_type.get(kinds[i])
            if subject:
                required.setdefault(subject, []).append(brigades.cell(i, "队伍类型"))
    year = ctx.period.year
    budgeted = {subject for _, y, subject, amount in table.records("年度", "科目", "预算金额")
                if y == year and subject and (amount or 0) > EPSILON}
    missing = [c for c in required if c not in budgeted]
    params = dict(year=year, required=list(required))
    if not missing:
        return outcome(PASS, "budget_categories.pass", [], witnessed=True, **params)
    evidence = [table.header("科目")] + [e for c in missing for e in required[c]]
    return outcome(FAIL, "budget_categories.missing", evidence, **params, missing=missing)


class ArrivalParams(Params):
    share_of_elapsed: float = 1.0     # 到位 must reach this share of (budget × elapsed part of the year)


def budget_arrival(ctx: CheckContext, p: ArrivalParams) -> Outcome:
    """Money arrived (到位) keeps pace with the year: at least budget × elapsed share at the period's end."""
    table = ctx.need(SHEET, "年度", "预算金额", "到位金额")
    year = ctx.period.year
    rows = [(i, budget or 0.0, arrived or 0.0) for i, y, budget, arrived in table.records("年度", "预算金额", "到位金额")
            if y == year]
    budget = _money(sum(b for _, b, _ in rows))
    arrived = _money(sum(a for _, _, a in rows))
    elapsed = ctx.period.quarter / 4
    expected = _money(budget * elapsed * p.share_of_elapsed)
    params = dict(year=year, budget=budget, arrived=arrived, expected=expected, end=ctx.period.end.isoformat(),
                  elapsed=round(elapsed * 100, 1), share=round(100 * arrived / budget, 1) if budget else 0.0)
    evidence = [table.cell(i, "到位金额") for i, _, _ in rows] or [table.header("年度")]
    if not rows or budget <= EPSILON:
        return outcome(FAIL, "budget_arrival.no_budget", evidence, **params)
    if arrived + EPSILON >= expected:
        return outcome(PASS, "budget_arrival.pass", evidence[:5], **params)
    return outcome(FAIL, "budget_arrival.behind", evidence, **params)


KINDS = {
    "budget_in_fiscal": CheckKind(budget_in_fiscal, InFiscalBudgetParams),
    "budget_categories": CheckKind(budget_categories, CategoriesParams),
    "budget_arrival": CheckKind(budget_arrival, ArrivalParams),
}
