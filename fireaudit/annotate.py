"""The township's own workbook back, every finding marked where it is (`…-批注.xlsx`).

Township clerks work in Excel/WPS, not in reports: the copy carries, on every
cell a gap or a register error rests on, the status colour and a comment
(requirement, check, status, message, 整改建议); a missing column is noted on
the sheet's header row; a 审核意见 sheet in front lists every finding and the
run's provenance. The submitted file is only read, never written.

What the copy keeps (README, "Annotated copies"):
- .xlsx/.xlsm are loaded with openpyxl: values, number formats, fonts, fills,
  borders, merged cells, widths, validations, conditional formats, comments,
  hidden sheets/rows/columns, sheet order, defined names and formulas are kept,
  and formula_cache puts back each formula's cached value as the township's
  program computed it. openpyxl drops images, charts and shapes, and fireaudit
  drops macros: an .xlsm gives a macro-free .xlsx (macros never run here).
- .xls/.ods are converted cell by cell from the values python-calamine reads
  (the reader's own view of the file); formats and formulas are not kept, hidden
  sheets and merged cells are.
Only the evidence cells' fill and comment change (an existing comment is kept
below ours); the 审核意见 sheet becomes the sheet that opens."""

from __future__ import annotations

import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from fireaudit.errors import FireauditError
from fireaudit.i18n import Phrase, fmt_value, message_text, severity_label, status_label, t
from fireaudit.register.active import over_limits, strip_active
from fireaudit.reports.files import ANNOTATED_KEYWORD, check_targets, inside, report_stem, write_atomic
from fireaudit.result import GAP_STATUSES, AuditRun, TownshipAudit
from fireaudit.textnorm import markup_safe, visible

if TYPE_CHECKING:
    from fireaudit.checklist import Checklist
    from fireaudit.reports import ReportOptions

ANNOTATED_SUFFIX = "-批注.xlsx"
MAX_REMOVED_LISTED = 50                        # active content items listed on 审核意见; the rest counted
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
WORST_FIRST = ("fail", "partial", "unknown")   # one cell, several findings: the worst one's colour
REGISTER_ERROR_STATUS = "fail"
COMMENT_AUTHOR = "fireaudit"
DATE_FORMAT = "yyyy-mm-dd"
COMMENT_WIDTH_PT, LINE_HEIGHT_PT, MAX_COMMENT_HEIGHT_PT = 300, 15, 600
COMMENT_LINE_CHARS = 40                        # display columns per comment line, for its height


class NotAnnotatable(Exception):
    """The file cannot be copied (changed since the audit, or openpyxl cannot open it)."""

    def __init__(self, file: str, reason: Phrase):
        super().__init__(reason)
        self.file, self.reason = file, reason


@dataclass(frozen=True)
class Mark:
    status: str
    text: str


@dataclass
class Marks:
    """What goes into the copy: comments on cells, and notes with no cell (missing column or key)."""

    cells: dict[tuple[str, str], list[Mark]] = field(default_factory=lambda: defaultdict(list))
    sheets: dict[str, list[Mark]] = field(default_factory=lambda: defaultdict(list))


def annotated_name(stem: str) -> str:
    return stem + ANNOTATED_SUFFIX


# ---------------------------------------------------------------- what to mark
def marks_of(audit: TownshipAudit, checklist: "Checklist", lang: str) -> Marks:
    """Every gap's evidence cells and every register error, with the comment text for each."""
    marks = Marks()
    from fireaudit.reports.advice import finding_advice

    for requirement in audit.requirements:
        advice = checklist.requirement_by_id[requirement.id].advice(lang)
        for check in requirement.checks:
            if check.status not in GAP_STATUSES:
                continue
            own = finding_advice(check, checklist.check_by_id.get(check.id), advice, lang)   # which village, member …
            mark = Mark(check.status, finding_text(check, own, checklist, lang))
            for evidence in dict.fromkeys(check.evidence):
                if evidence.cell:
                    marks.cells[(evidence.sheet, evidence.cell)].append(mark)
                elif evidence.missing in ("column", "key"):
                    marks.sheets[evidence.sheet].append(mark)
                # a missing sheet has nowhere to go but the 审核意见 sheet, which lists every finding
    for error in audit.register_errors:
        text = "\n".join((t(lang, "annotate.register_error", code=t(lang, f"register_title.{error.code}")),
                          error.message(lang)))
        mark = Mark(REGISTER_ERROR_STATUS, text)
        if error.cell:
            marks.cells[(error.sheet, error.cell)].append(mark)
        else:
            marks.sheets[error.sheet].append(mark)
    return marks


def finding_text(check, advice: str, checklist: "Checklist", lang: str) -> str:
    spec = checklist.check_by_id.get(check.id)
    lines = [t(lang, "annotate.finding", requirement=check.requirement, check=check.id,
               title=spec.title(lang) if spec else "", status=status_label(check.status, lang),
               severity=severity_label(check.severity, lang)),
             message_text(check.message, check.params, lang)]
    if advice:
        lines.append(t(lang, "annotate.advice", advice=advice))
    return "\n".join(lines)


# ---------------------------------------------------------------- the copy
def render(run: AuditRun, audit: TownshipAudit, options: "ReportOptions") -> bytes:
    """The annotated copy of `audit.file`, as .xlsx bytes (byte-identical under SOURCE_DATE_EPOCH)."""
    from fireaudit.formula_cache import restore
    from fireaudit.provenance import reproducible_zip
    from fireaudit.reports.view import township_view

    lang, checklist = options.lang, options.checklist
    workbook, converted, cached, keep_created = _load(audit, checklist)
    removed = [] if converted else strip_active(workbook)
    apply_marks(workbook, marks_of(audit, checklist, lang), audit.header_rows, lang)
    review_sheet(workbook, township_view(run, audit, checklist, lang), converted)
    if removed:
        _note_removed(workbook, removed, lang)
    workbook.properties.keywords = ANNOTATED_KEYWORD   # reports/files.py: a copy fireaudit may replace
    from fireaudit.openpyxl_lite import saved

    data = restore(saved(workbook), cached)
    return reproducible_zip(data, run.generated_at, keep_created=keep_created) if run.generated_at else data


def _note_removed(workbook: Any, removed: list[str], lang: str) -> None:
    """Below the findings on the 审核意见 sheet: what was taken out of the copy, one line each."""
    sheet = workbook.worksheets[0]
    row = sheet.max_row + 2
    sheet.cell(row=row, column=1, value=t(lang, "annotate_active.heading"))
    for n, item in enumerate(removed[:MAX_REMOVED_LISTED], start=1):
        sheet.cell(row=row + n, column=1, value=item)
    if len(removed) > MAX_REMOVED_LISTED:
        sheet.cell(row=row + MAX_REMOVED_LISTED + 1, column=1,
                   value=t(lang, "annotate_active.more", count=len(removed) - MAX_REMOVED_LISTED))


def _load(audit: TownshipAudit, checklist: "Checklist | None" = None):
    """(workbook, converted from values?, formula cached values, keep the file's `created`?)."""
    from fireaudit.audit import sha256_of
    from fireaudit.formula_cache import cached_values

    path = Path(audit.file)
    try:
        if audit.sha256 and sha256_of(str(path)) != audit.sha256:
            raise NotAnnotatable(audit.file, Phrase("error.annotate.changed"))
    except OSError as exc:
        raise NotAnnotatable(audit.file, Phrase("error.annotate.os", {"detail": exc.strerror or str(exc)})) from None
    if path.suffix.lower() not in OPENPYXL_SUFFIXES:
        from fireaudit.register.preflight import limits_of

        return from_values(path, limits_of(checklist) if checklist is not None else None), True, {}, False
    from openpyxl import load_workbook

    if checklist is not None:
        from fireaudit.register.preflight import limits_of

        reason = over_limits(path, limits_of(checklist))
        if reason:
            raise NotAnnotatable(audit.file, reason)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl: "extension not supported", "unknown style"…
            workbook = load_workbook(path, rich_text=True, keep_links=False)   # external links never copied
    except Exception as exc:  # noqa: BLE001 - a file calamine read but openpyxl will not open
        text = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise NotAnnotatable(audit.file, Phrase("error.annotate.openpyxl", {"detail": text})) from None
    return workbook, False, cached_values(str(path)), _has_created(path)


def _has_created(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        try:
            return b"dcterms:created" in archive.read("docProps/core.xml")
        except KeyError:
            return False


def from_values(path: Path, limits: Any = None):
    """An .xls/.ods as a new openpyxl workbook: the values calamine reads, sheet by sheet, cell by cell.

    Strings stay text (never formulas); hidden sheets stay hidden; merged cells stay merged."""
    from datetime import datetime, time

    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    from fireaudit.register.reader import sheet_rows
    from fireaudit.reports.excel import fit_columns, safe_text

    workbook = Workbook()
    workbook.remove(workbook.active)
    source = CalamineWorkbook.from_path(str(path))
    try:
        for meta in source.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.create_sheet(meta.name)
            if meta.visible == SheetVisibleEnum.Hidden:
                sheet.sheet_state = "hidden"
            elif meta.visible == SheetVisibleEnum.VeryHidden:
                sheet.sheet_state = "veryHidden"
            data = source.get_sheet_by_name(meta.name)
            merges = data.merged_cell_ranges or []
            if limits is not None:
                covered = sum((er - sr + 1) * (ec - sc + 1) for (sr, sc), (er, ec) in merges)
                if len(merges) > limits.annotate_max_merged or covered > limits.annotate_max_cells:
                    raise NotAnnotatable(str(path), Phrase("error.annotate.too_merged", {
                        "merges": f"{len(merges):,}", "cells": f"{covered:,}"}))
            for r, row in enumerate(sheet_rows(data), start=1):
                for c, value in enumerate(row, start=1):
                    if value == "" or value is None:
                        continue
                    cell = sheet.cell(row=r, column=c)
                    if isinstance(value, str):
                        cell.value = safe_text(value)
                        cell.data_type = "s"
                    else:
                        cell.value = value
                        if isinstance(value, datetime) and value.time() == time(0):
                            cell.number_format = DATE_FORMAT   # a date the .xls stored as a day
            for (sr, sc), (er, ec) in merges:
                sheet.merge_cells(start_row=sr + 1, start_column=sc + 1, end_row=er + 1, end_column=ec + 1)
            fit_columns(sheet)
    finally:
        source.close()
    return workbook


def apply_marks(workbook, marks: Marks, header_rows: dict[str, int], lang: str) -> None:
    """Fill and comment every marked cell; notes without a cell go on the sheet's header row."""
    for (sheet_name, ref), items in marks.cells.items():
        if sheet_name in workbook.sheetnames:
            _mark(_anchor(workbook[sheet_name], ref), items, lang)
    for sheet_name, items in marks.sheets.items():
        if sheet_name in workbook.sheetnames:
            sheet = workbook[sheet_name]
            _mark(_anchor(sheet, _header_note_cell(sheet, header_rows.get(sheet_name))), items, lang)


def _header_note_cell(sheet, header_row: int | None) -> str:
    """Right of the header row's last heading (where a missing column would go); A1 with no header."""
    from openpyxl.utils import get_column_letter

    if header_row is None:
        return "A1"
    row = header_row + 1
    last = max((cell.column for cell in next(sheet.iter_rows(min_row=row, max_row=row), ())
                if cell.value not in (None, "")), default=0)
    return f"{get_column_letter(last + 1)}{row}"


def _anchor(sheet, ref: str):
    """The cell at `ref`, or the top-left cell of the merged range covering it (which holds the value)."""
    from openpyxl.cell.cell import MergedCell

    cell = sheet[ref]
    if isinstance(cell, MergedCell):
        for merged in sheet.merged_cells.ranges:
            if ref in merged:
                return sheet.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _mark(cell, items: list[Mark], lang: str) -> None:
    from openpyxl.comments import Comment

    from fireaudit.reports.excel import STATUS_FILL, safe_text, solid_fill
    from fireaudit.reports.print_setup import display_width

    status = min((m.status for m in items), key=WORST_FIRST.index)
    text = "\n\n".join(dict.fromkeys(m.text for m in items))
    if cell.comment is not None and cell.comment.text:
        text += "\n\n" + t(lang, "annotate.original_comment") + "\n" + cell.comment.text
    text = safe_text(text)
    lines = sum(1 + display_width(line) // COMMENT_LINE_CHARS for line in text.split("\n"))
    cell.fill = solid_fill(STATUS_FILL[status])
    cell.comment = Comment(text, COMMENT_AUTHOR, height=min(lines * LINE_HEIGHT_PT + 10, MAX_COMMENT_HEIGHT_PT),
                           width=COMMENT_WIDTH_PT)


# ---------------------------------------------------------------- 审核意见
def review_sheet(workbook, view, converted: bool) -> None:
    """The sheet in front: what this copy is, provenance, and every finding with its cell (no links)."""
    from fireaudit.reports.excel import HEADER_FILL, STATUS_FILL, sheet_title, put
    from fireaudit.reports.print_setup import prepare_sheet

    lang = view.lang
    sheet = workbook.create_sheet(sheet_title(t(lang, "annotate.sheet")), 0)
    put(sheet, 1, 1, t(lang, "annotate.heading", title=view.title), bold=True, size=14)
    put(sheet, 2, 1, t(lang, "annotate.intro"))
    row = 3
    for warning in view.warnings:
        put(sheet, row, 1, f"{t(lang, 'ux.warning')}{t(lang, 'report.colon')}{warning}", bold=True)
        row += 1
    if converted:
        put(sheet, row, 1, t(lang, "annotate.converted"))
        row += 1
    facts = [(t(lang, "report.file"), view.file), (t(lang, "report.checklist"), view.checklist),
             *view.provenance, (t(lang, "report.score"), view.score)]
    row += 1
    for label, value in facts:
        put(sheet, row, 1, label, bold=True)
        put(sheet, row, 2, value)
        row += 1

    row += 1
    headers = [t(lang, "ui.requirement"), t(lang, "ui.check"), t(lang, "ui.title"), t(lang, "ui.status"),
               t(lang, "ui.severity"), t(lang, "report.problem"), t(lang, "annotate.location"),
               t(lang, "report.advice")]
    header_row = row
    for column, label in enumerate(headers, start=1):
        put(sheet, row, column, label, bold=True, fill=HEADER_FILL)
    separator = t(lang, "report.list_separator")
    for f in view.findings:
        row += 1
        where = separator.join(f.evidence) + (f" {f.more_evidence}" if f.more_evidence else "")
        values = [f.requirement, f.check, f.title, f.status_label, f.severity_label, f.message, where, f.advice]
        _row(sheet, row, values, STATUS_FILL[f.status])
    for error in view.register_errors:
        row += 1
        values = [t(lang, "ui.register_errors"), "", "", status_label(REGISTER_ERROR_STATUS, lang),
                  severity_label(_register_error_severity(), lang), error.message, error.ref, ""]
        _row(sheet, row, values, STATUS_FILL[REGISTER_ERROR_STATUS])
    for line in view.more_errors:    # the codes with errors beyond the listed ones: a count each
        row += 1
        values = [t(lang, "ui.register_errors"), "", "", status_label(REGISTER_ERROR_STATUS, lang),
                  severity_label(_register_error_severity(), lang), line, "", ""]
        _row(sheet, row, values, STATUS_FILL[REGISTER_ERROR_STATUS])
    if row == header_row:
        put(sheet, row + 1, 1, t(lang, "report.no_gaps"))
    sheet.freeze_panes = f"A{header_row + 1}"
    for column, width in zip("ABCDEFGH", (10, 12, 28, 10, 10, 50, 28, 50)):
        sheet.column_dimensions[column].width = width
    for other in workbook.worksheets:
        for view_ in other.views.sheetView:
            view_.tabSelected = False      # two selected tabs would open as a group
    workbook.active = 0
    sheet.sheet_view.tabSelected = True
    prepare_sheet(sheet, f"{view.county}{view.township} {view.period}", lang)


def _row(sheet, row: int, values: list[Any], fill: str) -> None:
    from fireaudit.reports.excel import solid_fill, put

    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value, wrap=column in (3, 6, 7, 8))
    sheet.cell(row=row, column=4).fill = solid_fill(fill)


def _register_error_severity() -> str:
    from fireaudit.gate import REGISTER_ERROR_SEVERITY

    return REGISTER_ERROR_SEVERITY


# ---------------------------------------------------------------- files
def annotate_run(run: AuditRun, directory: Path, options: "ReportOptions",
                 jobs: int = 1) -> tuple[list[Path], list[NotAnnotatable]]:
    """write_annotated, with a directory that cannot be written as one clear error (exit 2)."""
    try:
        return write_annotated(run, directory, options, jobs)
    except OSError as exc:
        raise FireauditError("error.output.cannot_write_annotated", path=str(directory), detail=exc.strerror or str(exc)) from None


def print_annotated(console: Any, written: Iterable[Path], failed: Iterable[NotAnnotatable], lang: str) -> None:
    """The copies written, and each file that could not be copied (the run then exits 3)."""
    written = list(written)
    if written:
        console.print(t(lang, "annotate.written"), markup=False)
        for path in written:
            console.print(f"  {visible(path.name)}", soft_wrap=True, markup=False)
    for item in failed:
        console.print(f"[red]{t(lang, 'annotate.failed')}[/]: {markup_safe(item.file)}: "
                      f"{markup_safe(fmt_value(item.reason, lang))}",
                      soft_wrap=True)


def write_annotated(run: AuditRun, directory: Path, options: "ReportOptions",
                    jobs: int = 1) -> tuple[list[Path], list[NotAnnotatable]]:
    """Write every township's annotated copy; returns the paths written and the files that could not be.

    openpyxl reads and writes some 40,000 cells a second, so a batch renders the
    copies in `jobs` worker processes (each loads the checklist once); files are
    written here, in the run's order."""
    from fireaudit.reports import unique_stem

    used: set[str] = set()
    stems = [unique_stem(report_stem(a.county, a.township, a.period), used) for a in run.townships]
    check_targets([inside(directory, annotated_name(stem)) for stem in stems], [Path(a.file) for a in run.townships])
    written: list[Path] = []
    failed: list[NotAnnotatable] = []
    for stem, (audit, result) in zip(stems, _rendered(run, options, jobs)):
        if isinstance(result, tuple):
            failed.append(NotAnnotatable(*result))
            continue
        path = inside(directory, annotated_name(stem))
        write_atomic(path, result)
        written.append(path)
    return written, failed


def _rendered(run: AuditRun, options: "ReportOptions", jobs: int):
    """(audit, bytes or (file, reason)) per township, in order.

    Each copy is made in a worker process (fireaudit/pool.py) where fork is
    available: openpyxl on a hostile file may exhaust memory or abort, and then
    only that copy is missing (with the reason), never the run."""
    from dataclasses import replace

    from fireaudit.pool import Pool
    from fireaudit.runner import adopt_checklist, can_isolate, init_worker

    if not can_isolate() and (jobs <= 1 or len(run.townships) <= 1):
        for audit in run.townships:
            yield audit, _render_or_reason(run, audit, options)
        return
    config = options.checklist.config_file if options.checklist else None
    pool = (Pool(min(jobs, len(run.townships)), adopt_checklist, (options.checklist,)) if can_isolate()
            and options.checklist else Pool(min(jobs, len(run.townships)), init_worker, (config,)))
    results: dict[int, Any] = {}
    pool.map(((n, _render_in_worker, (replace(run, townships=(a,), batch=None), a, options.lang))
              for n, a in enumerate(run.townships)),
             results.__setitem__,
             lambda n, how: results.__setitem__(n, (run.townships[n].file, Phrase("error.input.parser-died", {"how": how}))))
    for n, audit in enumerate(run.townships):
        yield audit, results[n]


def _render_or_reason(run: AuditRun, audit: TownshipAudit, options: "ReportOptions") -> bytes | tuple[str, str]:
    try:
        return render(run, audit, options)
    except NotAnnotatable as exc:
        return exc.file, exc.reason


def _render_in_worker(run: AuditRun, audit: TownshipAudit, lang: str) -> bytes | tuple[str, str]:
    from fireaudit.reports import ReportOptions
    from fireaudit.runner import worker_checklist

    return _render_or_reason(run, audit, ReportOptions(lang, worker_checklist()))
