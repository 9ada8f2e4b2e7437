"""Generic 'at least N dated records in a window' checks (meetings, drills, inspections …)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import compress
from typing import Annotated

import msgspec

from fireaudit.checklist.names import Column, ColumnValues, Sheet, Vocab
from fireaudit.checks.base import FAIL, NA, PASS, CheckContext, CheckKind, Outcome, Params, outcome, with_cadence
from fireaudit.checks.understood import note_astride
from fireaudit.register.model import memo, several
from fireaudit.textnorm import norm, split_list

# period | year | months:N, or month:M (month M of the period's year)
RecordsWindow = Annotated[str, msgspec.Meta(pattern=r"^(period|year|months:[1-9][0-9]*|month:([1-9]|1[0-2]))$")]


class RecordsInWindowParams(Params):
    sheet: Annotated[str, Sheet()]
    date_column: Annotated[str, Column(of="sheet")]
    window: RecordsWindow = "period"
    min_count: int = 1
    match: Annotated[dict[str, list[str]], ColumnValues(of="sheet")] = {}   # column -> accepted values
    organised_by_village: bool = False      # 组织单位 must be a village/community of 村社区
    # records with a start and an end: counted when they overlap the window
    end_column: Annotated[str | None, Column(of="sheet")] = None
    quarters: list[int] = []                # the check applies only in these quarters (else na); empty = all
    # `person_column` must name a 责任人 holding this 消防职责
    by_duty: Annotated[str | None, Vocab("消防职责")] = None
    person_column: Annotated[str, Column(of="sheet", when="by_duty")] = "检查人"
    # the plan's own word when it gives no frequency (定期, 有计划): the window is the county's reading of it
    county_cadence: str | None = None


def _window(ctx: CheckContext, name: str) -> tuple[date, date]:
    """`month:M` is month M of the period's year; anything else is CheckContext.window."""
    if name.startswith("month:"):
        month = int(name.split(":", 1)[1])
        first = date(ctx.period.year, month, 1)
        following = date(ctx.period.year + (month == 12), month % 12 + 1, 1)
        return first, following - timedelta(days=1)
    return ctx.window(name)


def _duty_holders(ctx: CheckContext, duty: str) -> set[str]:
    people = ctx.need("责任人", "姓名", "消防职责")
    return {norm(name) for _, name, held in people.records("姓名", "消防职责") if name and duty in several(held)}


def records_in_window(ctx: CheckContext, p: RecordsInWindowParams) -> Outcome:
    """At least `min_count` rows of `sheet` dated in the window and matching `match`."""
    return with_cadence(_records_in_window(ctx, p), p.window, p.county_cadence)


def _records_in_window(ctx: CheckContext, p: RecordsInWindowParams) -> Outcome:
    if p.quarters and ctx.period.quarter not in p.quarters:
        return outcome(NA, "records_in_window.other_quarter", [], quarter=ctx.period.quarter, quarters=p.quarters,
                       match=[v for values in p.match.values() for v in values])
    columns = [p.date_column, *p.match]
    if p.organised_by_village:
        columns.append("组织单位")
    if p.by_duty:
        columns.append(p.person_column)
    table = ctx.need(p.sheet, *columns)
    if p.organised_by_village:
        ctx.need("村社区", "名称")
    holders = _duty_holders(ctx, p.by_duty) if p.by_duty else None
    separators = ctx.checklist.register.reader.list_separators
    start, end = _window(ctx, p.window)
    dates = table.column(p.date_column)
    ends = table.column(p.end_column) if p.end_column and table.has(p.end_column) else None
    filters = [(table.column(c), set(v)) for c, v in p.match.items()]
    organisers = table.column("组织单位") if p.organised_by_village else None
    persons = table.column(p.person_column) if holders is not None else None
    # One comprehension per condition: C-speed passes over a 100,000-row sheet.
    if ends is None:      # the rows dated in a window, worked out once per audit (several checks ask)
        hits = list(memo(dates, ("dated_in", start, end),
                         lambda: [i for i, day in enumerate(dates) if day is not None and start <= day <= end]))
        # a month-only date (`2024年4月`) counts when the whole month lies in the window; astride a bound: undecided
        note_astride(table, p.date_column, dates, start, end)
    else:                                   # a blank end: still running
        hits = [i for i, day in enumerate(dates)
                if day is not None and day <= end and (ends[i] is None or ends[i] >= start)]
    for values, accepted in filters:
        hits = [i for i in hits if values[i] in accepted]
    if organisers is not None:
        hits = [i for i in hits if ctx.village_of(organisers[i]) is not None]
    if persons is not None:
        named_holder: dict[object, bool] = {}   # 检查人 cell -> names a duty holder (cells repeat)
        for cell in set(map(persons.__getitem__, hits)):
            named_holder[cell] = any(norm(n) in holders for n in split_list(cell or "", separators))
        hits = list(compress(hits, map(named_holder.__getitem__, map(persons.__getitem__, hits))))
    params = dict(sheet=p.sheet, start=start.isoformat(), end=end.isoformat(), count=len(hits),
                  min_count=p.min_count, match=[v for values in p.match.values() for v in values])
    if p.by_duty:
        params["duty"] = p.by_duty
    if len(hits) >= p.min_count:
        return outcome(PASS, "records_in_window.pass", [table.cell(i, p.date_column) for i in hits[:5]],
                       witnessed=True, **params)
    evidence = [table.cell(i, p.date_column) for i in hits] or [table.header(p.date_column)]
    message = "records_in_window.too_few"
    if p.organised_by_village:
        message = "records_in_window.too_few_village"
    elif p.by_duty:
        message = "records_in_window.too_few_by_duty"
        evidence = evidence if hits else [table.header(p.person_column)]
    return outcome(FAIL, message, evidence, **params)


KINDS = {"records_in_window": CheckKind(records_in_window, RecordsInWindowParams)}
