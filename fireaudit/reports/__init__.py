"""Report writers. Each consumes only the audit result (never a workbook).

WRITERS maps a --format name to a Format: the file suffix and a renderer
`(run, township, options) -> bytes | str`. Renderers never touch the file
system; `write_reports` alone decides names (safe, unique, inside the output
directory) and writes every file atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from fireaudit.reports.files import check_targets, commit_set, inside, report_stem, write_atomic  # noqa: F401
from fireaudit.result import AuditRun, TownshipAudit

if TYPE_CHECKING:
    from fireaudit.checklist import Checklist


@dataclass(frozen=True)
class ReportOptions:
    """What a renderer may use besides the result: language, checklist texts, templates."""

    lang: str = "zh"
    checklist: "Checklist | None" = None   # titles and advice (md, xlsx)
    templates: Path | None = None          # a user's template directory (township.md.j2, notice.docx)


Renderer = Callable[[AuditRun, TownshipAudit, ReportOptions], "bytes | str"]


@dataclass(frozen=True)
class Format:
    suffix: str
    render: Renderer
    module: str = ""      # the module `render` imports (the CLI imports it while the worker parses)


def render_json(run: AuditRun, audit: TownshipAudit, options: ReportOptions) -> str:
    """One township's JSON; the same in every language."""
    from dataclasses import replace

    from fireaudit.reports.json_report import dumps

    return dumps(replace(run, townships=(audit,), unreadable=()))


def render_markdown(run: AuditRun, audit: TownshipAudit, options: ReportOptions) -> str:
    from fireaudit.reports.markdown import render

    return render(run, audit, options)


def render_xlsx(run: AuditRun, audit: TownshipAudit, options: ReportOptions) -> bytes:
    from fireaudit.reports.excel import render

    return render(run, audit, options)


def render_docx(run: AuditRun, audit: TownshipAudit, options: ReportOptions) -> bytes:
    """整改通知书: a Word letter to the township (reports/notice_docx.py)."""
    from fireaudit.reports.notice_docx import render

    return render(run, audit, options)


WRITERS: dict[str, Format] = {
    "md": Format(".md", render_markdown, "fireaudit.reports.markdown"),
    "xlsx": Format(".xlsx", render_xlsx, "fireaudit.reports.excel"),
    "json": Format(".json", render_json, "fireaudit.reports.json_report"),
    "docx": Format("-整改通知书.docx", render_docx, "fireaudit.reports.notice_docx"),
}
DEFAULT_FORMATS = "md,xlsx"


def unique_stem(stem: str, used: set[str]) -> str:
    """`stem`, or `stem-2`, `stem-3`… if another township already took it (case-blind, as on Windows)."""
    candidate, n = stem, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate.casefold())
    return candidate


def plan_reports(run: AuditRun, directory: Path, formats: Iterable[str]) -> list[tuple[TownshipAudit, str]]:
    """Each township with the unique stem its reports take (in run order)."""
    used: set[str] = set()
    return [(audit, unique_stem(report_stem(audit.county, audit.township, audit.period), used))
            for audit in run.townships]


def report_paths(directory: Path, stem: str, formats: Iterable[str]) -> list[Path]:
    return [inside(directory, stem + WRITERS[name].suffix) for name in formats]


def render_township(run: AuditRun, audit: TownshipAudit, directory: Path, stem: str, formats: Iterable[str],
                    options: ReportOptions, ready: dict[str, bytes | str] | None = None,
                    sync_folder: bool = True) -> list[Path]:
    """Render one township's reports and commit them as a set (all replaced, or none).

    `ready`: payloads already rendered from this run (by the worker: render_ahead.audit_ahead), by format.
    `sync_folder=False`: the caller syncs the folder once for many townships (files.commit_set)."""
    formats = list(formats)
    ready = ready or {}
    payloads = [(path, ready[name] if name in ready else WRITERS[name].render(run, audit, options))
                for path, name in zip(report_paths(directory, stem, formats), formats)]
    return commit_set(payloads, sync_folder)


def write_reports(run: AuditRun, directory: Path, formats: Iterable[str], options: ReportOptions,
                  written_one: Callable[[TownshipAudit], None] | None = None,
                  inputs: Iterable[Path] = (), ready: dict[tuple[int, str], bytes | str] | None = None) -> list[Path]:
    """Render and write every township's reports; returns the paths written, in order.

    Before anything is written, every target is checked against the run's
    inputs and against files fireaudit did not write (exit 2, naming both).
    A township's formats are committed as a set, so a failure or an
    interruption never leaves its report set half-replaced. `ready`: payloads
    already rendered from this run, by (township index, format)."""
    formats = list(formats)
    plan = plan_reports(run, directory, formats)
    check_targets([p for _, stem in plan for p in report_paths(directory, stem, formats)], inputs)
    written: list[Path] = []
    for index, (audit, stem) in enumerate(plan):
        own = {name: payload for (n, name), payload in (ready or {}).items() if n == index}
        written.extend(render_township(run, audit, directory, stem, formats, options, own))
        if written_one:
            written_one(audit)
    return written


AHEAD = ("xlsx",)   # what `audit FILE -o` has its worker render (openpyxl is the slowest import): render_ahead.audit_ahead
