"""R08: government full-time brigades are under dispatch command and train jointly.

Both checks are `na` when 消防队伍 shows no full-time (一级/二级) brigade of
the township itself, and `unknown` when 消防队伍 is missing (REQUIREMENTS.md,
Settled readings). 企业专职消防队 is never the township's full-time brigade."""

from __future__ import annotations

from typing import Annotated

from fireaudit import grades
from fireaudit.checklist.names import Column
from fireaudit.checks.base import (
    FAIL, NA, PASS, UNKNOWN, CheckContext, CheckKind, Outcome, Params, need_column, outcome,
)
from fireaudit.checks.brigades import SHEET, township_brigades
from fireaudit.checks.records import RecordsInWindowParams, records_in_window
from fireaudit.register.model import resolve


def fulltime_brigades(ctx: CheckContext) -> list[int]:
    """Positions of the township's own full-time brigades (MissingInput without 消防队伍)."""
    table = ctx.need(SHEET, "队伍名称", "队伍类型")
    full_time = set(grades.grade_data(ctx.checklist).grades.full_time)
    kinds = table.column("队伍类型")
    return [i for i in township_brigades(ctx) if kinds[i] in full_time or resolve(table, i, "队伍类型", full_time)]


def no_fulltime() -> Outcome:
    """`na`: the township has no full-time brigade of its own."""
    return outcome(NA, "fulltime.none")


class FulltimeYesParams(Params):
    column: Annotated[str, Column(SHEET)]


def fulltime_brigades_yes(ctx: CheckContext, p: FulltimeYesParams) -> Outcome:
    """Every full-time brigade of the township has `column` = 是."""
    positions = fulltime_brigades(ctx)
    if not positions:
        return no_fulltime()
    table = ctx.table(SHEET)
    need_column(table, p.column)
    names, values = table.column("队伍名称"), table.column(p.column)
    no = [i for i in positions if values[i] is False]
    blank = [i for i in positions if values[i] is None]
    if no:
        return outcome(FAIL, "fulltime_brigades_yes.no", [table.cell(i, p.column) for i in no], witnessed=True,
                       column=p.column, brigades=[names[i] for i in no])
    if blank:
        return outcome(UNKNOWN, "fulltime_brigades_yes.blank", [table.cell(i, p.column) for i in blank],
                       column=p.column, brigades=[names[i] for i in blank])
    return outcome(PASS, "fulltime_brigades_yes.pass", [table.cell(i, p.column) for i in positions],
                   column=p.column, brigades=[names[i] for i in positions])


def fulltime_records_in_window(ctx: CheckContext, p: RecordsInWindowParams) -> Outcome:
    """As records_in_window, but only when the township has a full-time brigade."""
    return records_in_window(ctx, p) if fulltime_brigades(ctx) else no_fulltime()


KINDS: dict[str, CheckKind] = {
    "fulltime_brigades_yes": CheckKind(fulltime_brigades_yes, FulltimeYesParams),
    "fulltime_records_in_window": CheckKind(fulltime_records_in_window, RecordsInWindowParams),
}
