"""Generic 'at least N dated records in a window' checks (meetings, drills, inspections …)."""

from __future__ import annotations

from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, outcome


class RecordsInWindowParams(Params):
    sheet: str
    date_column: str
    window: str = "period"                  # period | year | months:N
    min_count: int = 1
    match: dict[str, list[str]] = {}        # column -> accepted values
    organised_by_village: bool = False      # 组织单位 must be a village/community of 村社区


def records_in_window(ctx: CheckContext, p: RecordsInWindowParams) -> Outcome:
    """At least `min_count` rows of `sheet` dated in the window and matching `match`."""
    columns = [p.date_column, *p.match]
    if p.organised_by_village:
        columns.append("组织单位")
    table = ctx.need(p.sheet, *columns)
    if isinstance(table, Outcome):
        return table
    if p.organised_by_village:
        villages = ctx.need("村社区", "名称")
        if isinstance(villages, Outcome):
            return villages
    start, end = ctx.window(p.window)
    dates = table.column(p.date_column)
    filters = [(table.column(c), set(v)) for c, v in p.match.items()]
    organisers = table.column("组织单位") if p.organised_by_village else None
    hits = []
    for i, day in enumerate(dates):
        if day is None or not (start <= day <= end):
            continue
        if any(values[i] not in accepted for values, accepted in filters):
            continue
        if organisers is not None and ctx.village_of(organisers[i]) is None:
            continue
        hits.append(i)
    params = dict(sheet=p.sheet, start=start.isoformat(), end=end.isoformat(), count=len(hits),
                  min_count=p.min_count, match=[v for values in p.match.values() for v in values])
    if len(hits) >= p.min_count:
        return outcome(PASS, "records_in_window.pass", [table.cell(i, p.date_column) for i in hits[:5]], **params)
    evidence = [table.cell(i, p.date_column) for i in hits] or [table.header(p.date_column)]
    message = "records_in_window.too_few_village" if p.organised_by_village else "records_in_window.too_few"
    return outcome(FAIL, message, evidence, **params)


KINDS = {"records_in_window": CheckKind(records_in_window, RecordsInWindowParams)}
