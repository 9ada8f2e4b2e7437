"""The county's own duties R20–R22, judged in batch runs from the county register.

`ctx.extra["county"]` is a CountyData: the county register, every township of
the batch, and the previous quarter's batch JSON (for R22) when given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fireaudit.checklist.names import Vocab
from fireaudit.checks.base import (
    FAIL, PASS, UNKNOWN, CheckContext, CheckKind, Outcome, Params, Window, outcome, with_cadence,
)
from fireaudit.checks.understood import note_astride
from fireaudit.register.model import Register
from fireaudit.status import Severity, Status
from fireaudit.textnorm import norm

if TYPE_CHECKING:
    from fireaudit.register.county import CountyScope

# fireaudit.register.county (a county register's rules) is imported where a county duty is judged: only a
# batch does that, so `check` and `audit` never load it.


@dataclass
class CountyData:
    register: Register
    townships: list[tuple[str | None, str | None]] = field(default_factory=list)   # (county, township) in the batch
    baseline: dict[str, Any] | None = None
    memo: dict[Any, Any] = field(default_factory=dict)   # what is the same for every township (R21's missed)

    @property
    def scope(self) -> CountyScope:
        from fireaudit.register.county import CountyScope

        return CountyScope.of(self.townships)


def same_township(value: Any, county: str | None, township: str | None) -> bool:
    """A county register names a township as `潘津镇` or `伊宁市潘津镇`."""
    from fireaudit.register.county import names_township

    return names_township(value, county, township)


def _undetermined(table, rows: list[int], column: str) -> Outcome:
    """Rows naming this township without a 县市 in a batch of several counties: say so, name the cells."""
    return outcome(UNKNOWN, "county_scope.no_county", [table.cell(i, column) for i in rows[:5]],
                   sheet=table.sheet, count=len(rows))


def _county(ctx: CheckContext) -> CountyData:
    return ctx.extra["county"]


class CountyModelsParams(Params):
    min_count: int = 1


def county_models(ctx: CheckContext, p: CountyModelsParams) -> Outcome:
    """R20: at least `min_count` 典型样板 recorded for the period's year."""
    from fireaudit.register.county import COUNTY_COLUMN

    table = ctx.need_in(_county(ctx).register, "典型样板", "年度", "名称")
    data = _county(ctx)
    found = [(i, data.scope.owns(county, name, ctx.register.county, data.townships))
             for i, year, county, name in table.records("年度", COUNTY_COLUMN, "乡镇街道") if year == ctx.period.year]
    hits = [i for i, match in found if match]
    params = dict(year=ctx.period.year, count=len(hits), min_count=p.min_count)
    if len(hits) >= p.min_count:
        return outcome(PASS, "county_models.pass", [table.cell(i, "名称") for i in hits[:5]], witnessed=True, **params)
    if any(match is None for _, match in found):
        return _undetermined(table, [i for i, match in found if match is None], "名称")
    return outcome(FAIL, "county_models.none", [table.header("年度")], **params)


class CountySupervisionParams(Params):
    types: list[Annotated[str, Vocab("督导类型")]]
    window: Window = "period"
    county_cadence: str | None = None     # the plan's word (定期): the window is the county's reading of it


def county_supervision(ctx: CheckContext, p: CountySupervisionParams) -> Outcome:
    """R21: this township had a 督导检查 or 季度考评 in the window; lists every township missed."""
    return with_cadence(_county_supervision(ctx, p), p.window, p.county_cadence)


def _county_supervision(ctx: CheckContext, p: CountySupervisionParams) -> Outcome:
    from fireaudit.register.county import COUNTY_COLUMN

    data = _county(ctx)
    table = ctx.need_in(data.register, "督导考评", "日期", "乡镇街道", "类型")
    start, end = ctx.window(p.window)
    note_astride(table, "日期", table.column("日期"), start, end)
    scope = data.scope
    visited: list[tuple[int, Any, Any]] = [(i, county, name) for i, day, county, name, kind
                                           in table.records("日期", COUNTY_COLUMN, "乡镇街道", "类型")
                                           if day is not None and start <= day <= end and kind in p.types]
    key = ("missed", start, end, tuple(p.types))   # once per batch, not once per township (n² × rows)
    if key not in data.memo:
        data.memo[key] = [f"{c or ''}{t or ''}" for c, t in data.townships
                          if not any(scope.matches(county, name, c, t) for _, county, name in visited)]
    missed = list(data.memo[key])
    found = [(i, scope.matches(county, name, ctx.register.county, ctx.register.township))
             for i, county, name in visited]
    own = [i for i, match in found if match]
    params = dict(start=start.isoformat(), end=end.isoformat(), missed=missed, count=len(missed))
    if own:
        return outcome(PASS, "county_supervision.pass", [table.cell(i, "日期") for i in own], witnessed=True, **params)
    if any(match is None for _, match in found):
        return _undetermined(table, [i for i, match in found if match is None], "乡镇街道")
    return outcome(FAIL, "county_supervision.missed", [table.header("乡镇街道")], **params)


class CountySanctionsParams(Params):
    types: list[Annotated[str, Vocab("奖惩类型")]]


def county_sanctions(ctx: CheckContext, p: CountySanctionsParams) -> Outcome:
    """R22: a township below the pass line, or with a critical fail, last quarter has a 通报/追责 record."""
    from fireaudit.register.county import COUNTY_COLUMN

    data = _county(ctx)
    if data.baseline is None:
        return outcome(UNKNOWN, "county_sanctions.no_baseline", [])
    previous = next((t for t in data.baseline.get("townships", [])
                     if same_township(t.get("township"), ctx.register.county, ctx.register.township)
                     and norm(t.get("county") or "") == norm(ctx.register.county or "")), None)
    pass_line = ctx.checklist.scoring.pass_line
    if previous is None:
        return outcome(PASS, "county_sanctions.not_in_baseline", [], pass_line=pass_line)
    critical = [c["id"] for r in previous.get("requirements", []) for c in r.get("checks", [])
                if c.get("status") == Status.FAIL and c.get("severity") == Severity.CRITICAL]
    score = previous.get("score", 0.0)
    if score >= pass_line and not critical:
        return outcome(PASS, "county_sanctions.not_required", [], score=score, pass_line=pass_line)
    table = ctx.need_in(data.register, "奖惩", "日期", "对象", "类型")
    start, end = ctx.period.previous().start, ctx.period.end
    found = [(i, data.scope.matches(county, target, ctx.register.county, ctx.register.township))
             for i, day, county, target, kind in table.records("日期", COUNTY_COLUMN, "对象", "类型")
             if kind in p.types and day is not None and start <= day <= end]
    hits = [i for i, match in found if match]
    params = dict(score=score, pass_line=pass_line, critical=critical, types=p.types,
                  previous=previous.get("period") or str(ctx.period.previous()))
    if hits:
        return outcome(PASS, "county_sanctions.pass", [table.cell(i, "类型") for i in hits], witnessed=True, **params)
    if any(match is None for _, match in found):
        return _undetermined(table, [i for i, match in found if match is None], "对象")
    return outcome(FAIL, "county_sanctions.missing", [table.header("对象")], **params)


KINDS = {
    "county_models": CheckKind(county_models, CountyModelsParams),
    "county_supervision": CheckKind(county_supervision, CountySupervisionParams),
    "county_sanctions": CheckKind(county_sanctions, CountySanctionsParams),
}
