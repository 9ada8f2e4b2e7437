"""Checks on the 消防队伍 sheet (R04, R05; the GB/T 35547 grade checks of R07 build on these)."""

from __future__ import annotations

from typing import Annotated

from fireaudit.checklist.names import Vocab
from fireaudit.i18n import Joined, Phrase
from fireaudit.checks.base import FAIL, PASS, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.register.model import resolve

SHEET = "消防队伍"


def township_brigades(ctx: CheckContext) -> list[int]:
    """Positions of the brigades whose 所属单位 is the township itself (REQUIREMENTS.md, Brigades)."""
    table = ctx.table(SHEET)
    if table is None:
        return []
    return [i for i, unit in table.records("所属单位") if ctx.is_township_itself(unit)]


class BrigadePresentParams(Params):
    types: list[Annotated[str, Vocab("队伍类型")]]


def brigade_present(ctx: CheckContext, p: BrigadePresentParams) -> Outcome:
    """The township itself has at least one brigade of the accepted `types`."""
    table = ctx.need(SHEET, "队伍类型", "队伍名称")
    own = set(township_brigades(ctx))
    kinds = table.column("队伍类型")
    names = table.column("队伍名称")
    hits = [i for i in sorted(own) if kinds[i] in p.types or resolve(table, i, "队伍类型", p.types)]
    if hits:
        return outcome(PASS, "brigade_present.pass", [table.cell(i, "队伍类型") for i in hits], witnessed=True,
                       names=[names[i] for i in hits], types=p.types)
    others = [i for i in range(len(table)) if kinds[i] in p.types and i not in own]
    evidence = [table.cell(i, "所属单位") for i in others] or [table.cell(i, "队伍类型") for i in sorted(own)] \
        or [table.header("队伍类型")]
    found = tuple(Phrase("item.with", {"name": names[i], "detail": kinds[i]}) for i in sorted(own) if kinds[i])
    return outcome(FAIL, "brigade_present.none", evidence, types=p.types,
                   found=Joined(found or (Phrase("check.required_grade_met.nothing"),)))   # never "现有本级队伍：。"


KINDS = {"brigade_present": CheckKind(brigade_present, BrigadePresentParams)}
