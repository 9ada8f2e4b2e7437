"""What the terminal shows: rich summary tables, terse gate lines, the checklist."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from fireaudit.checklist import Checklist
from fireaudit.gate import NONE, counted_gaps
from fireaudit.i18n import cite
from fireaudit.i18n import message_text, severity_label, status_label, t
from fireaudit.result import AuditRun, TownshipAudit
from fireaudit.status import Status
from fireaudit.textnorm import markup_safe, visible

STATUS_STYLE = {s: s.style for s in Status}   # old name of Status.style
LISTED_UNDER_NONE = "advisory"                # --fail-on none lists every gap, as --fail-on advisory does


def summary_table(audit: TownshipAudit, checklist: Checklist, lang: str) -> Table:
    title = markup_safe(t(lang, "ui.summary", name=audit.name, period=audit.period, score=audit.score))
    table = Table(title=title, title_justify="left", show_lines=False)
    for key in ("requirement", "item", "title", "status", "severity"):
        table.add_column(t(lang, f"ui.{key}"), no_wrap=key in ("requirement", "status"))
    for result in audit.requirements:
        spec = checklist.requirement_by_id[result.id]
        style = Status(result.status).style
        table.add_row(result.id, spec.item, spec.title(lang),
                      f"[{style}]{status_label(result.status, lang)}[/]",
                      severity_label(result.severity, lang) if Status(result.status).is_gap else "")
    return table


MAX_ERRORS_SHOWN = 10     # register errors named on the terminal; the rest are counted


def print_summary(console: Console, run: AuditRun, checklist: Checklist, lang: str, where: bool = False) -> None:
    """A table per township; `where` (no report files written) also names the register errors' cells."""
    for audit in run.townships:
        console.print(summary_table(audit, checklist, lang))
        for line in warning_lines(audit, lang):
            console.print(f"[yellow]{markup_safe(line)}[/]", soft_wrap=True)
        if audit.register_errors and where:
            head, *rest = register_error_lines(audit, lang)
            console.print(f"[yellow]{markup_safe(head)}[/]", soft_wrap=True)
            for line in rest:
                console.print(markup_safe(line), soft_wrap=True)
        elif audit.register_errors:
            console.print(f"[yellow]{t(lang, 'ui.register_errors_count', count=len(audit.register_errors))}[/]")
        console.print()
    print_unreadable(console, run, lang)


def register_error_lines(audit: TownshipAudit, lang: str) -> list[str]:
    """`3处登记错误：` then `  基本情况!B5：…` for the first ten, then how many more."""
    errors = audit.register_errors
    lines = [t(lang, "ux.register_errors_where", count=len(errors))]
    lines += [visible(f"  {e.ref()}{t(lang, 'report.colon')}{e.message(lang)}") for e in errors[:MAX_ERRORS_SHOWN]]
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append("  " + t(lang, "ux.register_errors_more", count=len(errors) - MAX_ERRORS_SHOWN))
    return lines


def warning_lines(audit: TownshipAudit, lang: str) -> list[str]:
    """The notes a reader must not miss (the register's 报告期 is not the quarter audited), with 注意："""
    from fireaudit.reports.view import warnings_of

    return [f"{t(lang, 'ux.warning')}{t(lang, 'report.colon')}{text}" for text in warnings_of(audit, lang)]


def print_unreadable(console: Console, run: AuditRun, lang: str) -> None:
    for item in run.unreadable:
        console.print(f"[red]{t(lang, 'ui.unreadable')}[/]: {markup_safe(item.file)}: {markup_safe(item.text(lang))}",
                      soft_wrap=True)


def gate_lines(run: AuditRun, fail_on: str, lang: str, per_code: int | None = None) -> list[str]:
    """One line per gap, `file: R07.1 critical fail 消防队伍!C4 message` — grep-able.

    Register errors: the first `per_code` of each error code, then one line per
    code counting the rest (fireaudit/listing.py).
    Every line goes through `visible`: a newline or an escape sequence in a file
    name or a cell shows as `\\n` / `\\x1b` and cannot forge another line."""
    from fireaudit.gate import gate
    from fireaudit.listing import listing, per_code as per_code_default

    lines: list[str] = []
    listed = LISTED_UNDER_NONE if fail_on == NONE else fail_on   # --fail-on none changes the exit code, not the list
    for audit in run.townships:
        failing = gate(audit, listed)
        for check in failing.checks:
            where = ",".join(e.ref() for e in check.evidence[:3])
            fields = [f"{audit.file}:", check.id, check.severity, check.status, where,
                      message_text(check.message, check.params, lang)]
            lines.append(visible(" ".join(f for f in fields if f)))   # no double space where no cell is named
        errors = listing(failing.register_errors, per_code_default() if per_code is None else per_code)
        for error in errors.shown:
            lines.append(visible(f"{audit.file}: register {error.code} {error.ref()} {error.message(lang)}"))
        for (code, _), line in zip(errors.left_out, errors.more_lines(lang)):
            lines.append(visible(f"{audit.file}: register {code} {line}"))
        lines += [visible(f"{audit.file}: {line}") for line in warning_lines(audit, lang)]
    for item in run.unreadable:
        lines.append(visible(f"{item.file}: {t(lang, 'ui.unreadable')} {item.text(lang)}"))
    return lines


def gate_summary(run: AuditRun, fail_on: str, lang: str) -> list[str]:
    """The last lines of `check`: how many gaps count, and never 未发现问题 for a file that was not read."""
    audited = len(run.townships)
    if fail_on == NONE:
        total = sum(counted_gaps(a, LISTED_UNDER_NONE) for a in run.townships)
        lines = [t(lang, "ux.findings_listed_none", count=total)] if total else (
            [t(lang, "ux.no_findings_none")] if audited and not run.unreadable else [])
    else:
        total = sum(counted_gaps(a, fail_on) for a in run.townships)
        level = t(lang, f"severity.{fail_on}")
        if total:
            lines = [t(lang, "ui.gaps_found", count=total, level=level)]
        elif not run.unreadable:
            lines = [t(lang, "ui.no_gaps", level=level)]
        else:
            lines = [t(lang, "ux.no_gaps_rest", count=audited, level=level)] if audited else []
    if run.unreadable:
        lines.append(t(lang, "ux.unreadable_files", count=len(run.unreadable)))
    return lines


def requirements_table(checklist: Checklist, lang: str, requirement_id: str | None = None) -> Table:
    table = Table(title=f"{t(lang, 'ui.checklist')}: {checklist.meta.id} {checklist.meta.version}", title_justify="left")
    for key in ("requirement", "item", "title", "check", "severity", "kind", "source"):
        table.add_column(t(lang, f"ui.{key}"), overflow="fold")
    wanted_check = checklist.check_by_id.get(requirement_id) if requirement_id else None
    for spec in checklist.requirements:
        if requirement_id and spec.id not in (requirement_id, wanted_check and wanted_check.requirement):
            continue
        checks = [c for c in checklist.checks_of(spec.id) if wanted_check is None or c.id == wanted_check.id]
        table.add_row(f"[bold]{spec.id}[/]", spec.item, f"[bold]{spec.title(lang)}[/]", "", "", "", cite(spec.source, lang),
                      end_section=not checks)
        for n, check in enumerate(checks):
            marker = "" if check.enabled else " (off)"
            if checklist.is_overridden(f"checks.{check.id}"):
                marker += f" [cyan]({t(lang, 'ui.from_config')})[/]"
            table.add_row("", "", check.title(lang), check.id + marker, severity_label(check.severity, lang),
                          check.kind, cite(check.source, lang), end_section=n == len(checks) - 1)
    return table
