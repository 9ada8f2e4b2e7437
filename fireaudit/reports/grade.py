"""What `fireaudit grade` prints: the required GB/T 35547 grade, the rule that decided it,
and, for a workbook, each brigade of the township with every minimum met or missed.

The grade logic is fireaudit/grades.py and the per-brigade minimums are
fireaudit/checks/grade.py, the same code R07's checks run, so this view and
the audit never disagree."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fireaudit import grades
from fireaudit.checklist import Checklist
from fireaudit.checks.base import CheckContext, MissingInput
from fireaudit.checks.brigades import SHEET, township_brigades
from fireaudit.checks.grade import (
    Brigade, RequiredGradeParams, evaluate_item, graded_brigades, missing_input, required_grade_met, rule_phrase,
)
from fireaudit.i18n import Phrase, fmt_value, t
from fireaudit.i18n import message_text
from fireaudit.reports.terminal import STATUS_STYLE
from fireaudit.status import Status

STATUS_KEY = {Status.PASS: "grade.met", Status.FAIL: "grade.missed", Status.UNKNOWN: "grade.unknown"}


def infer_kind(checklist: Checklist, township: str | None) -> str | None:
    """乡 / 镇 / 街道 from the end of the name, when --kind is not given."""
    if not township:
        return None
    kinds = sorted(checklist.register.vocabularies["单位类型"].values, key=len, reverse=True)
    return next((k for k in kinds if township.endswith(k)), None)


def print_required(console: Console, checklist: Checklist, lang: str, county: str | None, township: str | None,
                   kind: str | None, profile: dict[str, Any]) -> grades.RequiredGrade:
    """The heading, the required grade, its rule, and the advisory criteria line."""
    data = grades.grade_data(checklist)
    required = grades.resolve(checklist, county, township, kind, profile)
    console.print(f"[bold]{escape(t(lang, 'grade.heading', county=county or '', township=township or '', kind=kind or '?'))}[/]")
    if required.grade is None:
        console.print(t(lang, "grade.required_none"), markup=False)
    else:
        console.print(t(lang, "grade.required", grade=required.grade), markup=False)
    line = t(lang, "grade.basis", rule=rule_phrase(required))
    if required.from_config:
        line += " " + t(lang, "grade.from_config", file=checklist.config_file or "")
    console.print(line, soft_wrap=True, markup=False)
    if required.grade is None:
        return required
    if required.suggests_higher:
        from fireaudit.checks.grade import criterion_phrase

        fired = [criterion_phrase(data, k, profile.get(data.criteria[k].key)) for k in required.suggestion.fired]
        text = t(lang, "grade.advisory", suggested=required.suggestion.grade, required=required.grade, criteria=fired)
        console.print(f"[yellow]{escape(text)}[/]", soft_wrap=True)
    else:
        missing = [c.key for c in data.criteria.values()
                   if c.key in required.suggestion.missing and c.grade in required.higher_than_required]
        if missing:
            console.print(t(lang, "grade.criteria_missing", keys=list(dict.fromkeys(missing))), soft_wrap=True,
                          markup=False)
        else:
            suggested = required.suggestion.grade or Phrase("check.grade_criteria.no_grade")
            console.print(t(lang, "grade.criteria_consistent", suggested=suggested), soft_wrap=True, markup=False)
    return required


def print_brigades(console: Console, ctx: CheckContext, lang: str) -> None:
    """R07.1's verdict, then every brigade of the township against its declared grade's minimums."""
    try:
        verdict = required_grade_met(ctx, ctx.checklist.params.get("R07.1") or RequiredGradeParams())
    except MissingInput as missing:
        verdict = missing.outcome
    style = STATUS_STYLE.get(verdict.status, "")
    console.print(f"[{style}]{escape(message_text(verdict.message, verdict.params, lang))}[/]", soft_wrap=True)
    try:
        table = ctx.need(SHEET, "队伍名称", "队伍类型")
    except MissingInput as missing:
        console.print(message_text(missing.outcome.message, missing.outcome.params, lang), soft_wrap=True,
                      markup=False)
        return
    graded = graded_brigades(ctx, table)
    console.print(t(lang, "grade.brigades") if graded else t(lang, "grade.no_brigades"), markup=False)
    for brigade in graded:
        console.print(_brigade_table(ctx, table, brigade, lang))
    own = set(township_brigades(ctx))
    names, kinds = table.column("队伍名称"), table.column("队伍类型")
    units = table.column("所属单位") if table.has("所属单位") else [None] * len(table)
    graded_positions = {b.position for b in graded}
    for i in range(len(table)):
        if i in graded_positions or not names[i]:
            continue
        if i in own:
            console.print(t(lang, "grade.not_graded", name=names[i], type=kinds[i] or ""), soft_wrap=True, markup=False)
        else:
            console.print(t(lang, "grade.other_unit", name=names[i], type=kinds[i] or "", unit=units[i] or ""),
                          soft_wrap=True, markup=False)


def _brigade_table(ctx: CheckContext, table, brigade: Brigade, lang: str) -> Table:
    view = Table(title=escape(f"{brigade.name}（{brigade.grade}）"), title_justify="left")
    for key in ("item", "status", "detail"):
        view.add_column(t(lang, f"grade.{key}"), overflow="fold", no_wrap=key == "status")
    for item in grades.ITEMS:
        if grades.minimum(ctx.checklist, brigade.grade, item) is None:
            continue
        gap = missing_input(ctx, table, item)
        if gap is not None:
            view.add_row(t(lang, f"gbt_item.{item}"), f"[magenta]{t(lang, 'grade.unknown')}[/]",
                         escape(message_text(gap.message, gap.params, lang)))
            continue
        result = evaluate_item(ctx, table, brigade, item)
        if result is None:
            continue
        style = STATUS_STYLE[result.status]
        refs = ", ".join(e.ref() for e in result.evidence[:3])
        view.add_row(t(lang, f"gbt_item.{item}"), f"[{style}]{t(lang, STATUS_KEY[result.status])}[/]",
                     f"{escape(fmt_value(result.phrase, lang))}  [dim]{escape(refs)}[/]")
    return view


def grade_for_profile(console: Console, checklist: Checklist, lang: str, county: str | None, township: str | None,
                      kind: str | None, profile: dict[str, Any]) -> grades.RequiredGrade:
    """`fireaudit grade --county … --township … [--area …]`: no workbook needed."""
    return print_required(console, checklist, lang, county, township, kind or infer_kind(checklist, township), profile)


def grade_for_file(console: Console, checklist: Checklist, lang: str, path, period=None) -> None:
    """`fireaudit grade FILE`: read the workbook, then the required grade and every brigade."""
    from datetime import date

    from fireaudit.audit import resolve_period
    from fireaudit.errors import InputError
    from fireaudit.period import Period
    from fireaudit.register import RegisterReader

    register = RegisterReader(checklist).read(path)
    try:
        period = resolve_period(register, period)
    except InputError:                       # a look-up, not an audit: judge duty dates as of today
        today = date.today()
        period = Period(today.year, (today.month - 1) // 3 + 1)
    console.print(f"[dim]{escape(str(path))}  {period}[/]")
    print_required(console, checklist, lang, register.county, register.township, register.kind,
                   grades.profile_values(register))
    print_brigades(console, CheckContext(register, period, checklist), lang)
