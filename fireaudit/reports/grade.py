"""What `fireaudit grade` prints: the required GB/T 35547 grade, the rule that decided it,
and, for a workbook, each brigade of the township with every minimum met or missed.

Only prints: the look-up (reading the workbook, R07's checks) is
fireaudit/grade_lookup.py."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fireaudit.grade_lookup import BrigadeLookup, FileLookup, GradedBrigade, RequiredLookup
from fireaudit.i18n import Phrase, fmt_value, message_text, t
from fireaudit.reports.terminal import STATUS_STYLE
from fireaudit.status import Status

STATUS_KEY = {Status.PASS: "grade.met", Status.FAIL: "grade.missed", Status.UNKNOWN: "grade.unknown"}


def print_required(console: Console, lookup: RequiredLookup, lang: str) -> None:
    """The heading, the required grade, its rule, and the advisory criteria line."""
    required = lookup.required
    console.print(f"[bold]{escape(t(lang, 'grade.heading', county=lookup.county or '', township=lookup.township or '', kind=lookup.kind or '?'))}[/]")
    if required.grade is None:
        console.print(t(lang, "grade.required_none"), markup=False)
    else:
        console.print(t(lang, "grade.required", grade=required.grade), markup=False)
    line = t(lang, "grade.basis", rule=lookup.rule)
    if required.from_config:
        line += " " + t(lang, "grade.from_config", file=lookup.config_file or "")
    console.print(line, soft_wrap=True, markup=False)
    if required.grade is None:
        return
    if required.suggests_higher:
        text = t(lang, "grade.advisory", suggested=required.suggestion.grade, required=required.grade,
                 criteria=list(lookup.fired))
        console.print(f"[yellow]{escape(text)}[/]", soft_wrap=True)
    elif lookup.missing_keys:
        console.print(t(lang, "grade.criteria_missing", keys=list(lookup.missing_keys)), soft_wrap=True, markup=False)
    else:
        suggested = required.suggestion.grade or Phrase("check.grade_criteria.no_grade")
        console.print(t(lang, "grade.criteria_consistent", suggested=suggested), soft_wrap=True, markup=False)


def print_brigades(console: Console, lookup: BrigadeLookup, lang: str) -> None:
    """R07.1's verdict, then every brigade of the township against its declared grade's minimums."""
    verdict = lookup.verdict
    style = STATUS_STYLE.get(verdict.status, "")
    console.print(f"[{style}]{escape(message_text(verdict.message, verdict.params, lang))}[/]", soft_wrap=True)
    if lookup.missing is not None:
        console.print(message_text(lookup.missing.message, lookup.missing.params, lang), soft_wrap=True, markup=False)
        return
    console.print(t(lang, "grade.brigades") if lookup.graded else t(lang, "grade.no_brigades"), markup=False)
    for brigade in lookup.graded:
        console.print(_brigade_table(brigade, lang))
    for other in lookup.others:
        if other.own:
            console.print(t(lang, "grade.not_graded", name=other.name, type=other.type), soft_wrap=True, markup=False)
        else:
            console.print(t(lang, "grade.other_unit", name=other.name, type=other.type, unit=other.unit),
                          soft_wrap=True, markup=False)


def _brigade_table(brigade: GradedBrigade, lang: str) -> Table:
    view = Table(title=escape(f"{brigade.name}（{brigade.grade}）"), title_justify="left")
    for key in ("item", "status", "detail"):
        view.add_column(t(lang, f"grade.{key}"), overflow="fold", no_wrap=key == "status")
    for row in brigade.items:
        if row.gap is not None:
            view.add_row(t(lang, f"gbt_item.{row.item}"), f"[magenta]{t(lang, 'grade.unknown')}[/]",
                         escape(message_text(row.gap.message, row.gap.params, lang)))
            continue
        style = STATUS_STYLE[row.status]
        view.add_row(t(lang, f"gbt_item.{row.item}"), f"[{style}]{t(lang, STATUS_KEY[row.status])}[/]",
                     f"{escape(fmt_value(row.phrase, lang))}  [dim]{escape(row.refs)}[/]")
    return view


def print_file(console: Console, lookup: FileLookup, lang: str) -> None:
    """`fireaudit grade FILE`: the file and period, the required grade, then every brigade."""
    console.print(f"[dim]{escape(lookup.path)}  {lookup.period}[/]")
    print_required(console, lookup.required, lang)
    print_brigades(console, lookup.brigades, lang)
