"""What the terminal shows: rich summary tables, terse gate lines, the checklist."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from fireaudit.checklist import Checklist
from fireaudit.i18n import cite
from fireaudit.i18n import message_text, severity_label, status_label, t
from fireaudit.result import AuditRun, TownshipAudit
from fireaudit.status import Status
from fireaudit.textnorm import markup_safe, visible

STATUS_STYLE = {s: s.style for s in Status}   # old name of Status.style


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


def print_summary(console: Console, run: AuditRun, checklist: Checklist, lang: str) -> None:
    for audit in run.townships:
        console.print(summary_table(audit, checklist, lang))
        if audit.register_errors:
            console.print(f"[yellow]{t(lang, 'ui.register_errors_count', count=len(audit.register_errors))}[/]")
        console.print()
    print_unreadable(console, run, lang)


def print_unreadable(console: Console, run: AuditRun, lang: str) -> None:
    for item in run.unreadable:
        console.print(f"[red]{t(lang, 'ui.unreadable')}[/]: {markup_safe(item.file)}: {markup_safe(item.text(lang))}",
                      soft_wrap=True)


def gate_lines(run: AuditRun, fail_on: str, lang: str) -> list[str]:
    """One line per gap, `file: R07.1 critical fail 消防队伍!C4 message` — grep-able.

    Every line goes through `visible`: a newline or an escape sequence in a file
    name or a cell shows as `\\n` / `\\x1b` and cannot forge another line."""
    from fireaudit.gate import gate

    lines: list[str] = []
    for audit in run.townships:
        failing = gate(audit, fail_on)
        for check in failing.checks:
            where = ",".join(e.ref() for e in check.evidence[:3])
            lines.append(visible(f"{audit.file}: {check.id} {check.severity} {check.status} {where} "
                                 f"{message_text(check.message, check.params, lang)}"))
        for error in failing.register_errors:
            lines.append(visible(f"{audit.file}: register {error.code} {error.ref()} {error.message(lang)}"))
    for item in run.unreadable:
        lines.append(visible(f"{item.file}: {t(lang, 'ui.unreadable')} {item.text(lang)}"))
    return lines


def requirements_table(checklist: Checklist, lang: str, requirement_id: str | None = None) -> Table:
    table = Table(title=f"{t(lang, 'ui.checklist')}: {checklist.meta.id} {checklist.meta.version}", title_justify="left")
    for key in ("requirement", "item", "title", "check", "severity", "kind", "source"):
        table.add_column(t(lang, f"ui.{key}"), overflow="fold")
    for spec in checklist.requirements:
        if requirement_id and spec.id != requirement_id:
            continue
        checks = checklist.checks_of(spec.id)
        table.add_row(f"[bold]{spec.id}[/]", spec.item, f"[bold]{spec.title(lang)}[/]", "", "", "", cite(spec.source, lang),
                      end_section=not checks)
        for n, check in enumerate(checks):
            marker = "" if check.enabled else " (off)"
            if checklist.is_overridden(f"checks.{check.id}"):
                marker += f" [cyan]({t(lang, 'ui.from_config')})[/]"
            table.add_row("", "", check.title(lang), check.id + marker, severity_label(check.severity, lang),
                          check.kind, cite(check.source, lang), end_section=n == len(checks) - 1)
    return table
