"""Batch runs before a quarterly assessment: every workbook under a folder, in parallel.

The whole `fireaudit batch` workflow lives here (the CLI only parses options and
maps the BatchResult to an exit code): worker processes each load the checklist
once and are reused across files; one unreadable or hostile file never stops
the batch. What the quarter adds (fireaudit/quarter.py): the batch's own output
and lock files skipped, two workbooks for one township and period settled by
--prefer or left a conflict, the 乡镇名册, earlier quarters compared. The county
duties R20–R22 are judged once per township by the engine, from the county
register when one is given. Then the per-township reports, the roll-up (one per
county and the prefecture's when there are several) and the annotated copies."""

from __future__ import annotations

import json
import os
import signal
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from fireaudit.audit import BATCH, judge_county_duties, sha256_of
from fireaudit.checklist import Checklist
from fireaudit.checks.county import CountyData
from fireaudit.errors import ConfigError, FireauditError
from fireaudit.i18n import t
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.county import rows_without_county
from fireaudit.result import (
    AuditRun, BatchFacts, Conflict, CountyRegisterInput, TownshipAudit, Unreadable,
)
from fireaudit.runner import init_worker, make_run, worker_audit

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_CONFLICT_FILES = 3                 # files named per conflict on the terminal; the rest are counted


def discover(directory: Path) -> list[Path]:
    """Workbooks under `directory`, recursively; Office lock files (~$…) and hidden files skipped."""
    if not directory.is_dir():
        raise ConfigError(f"{directory}: not a directory")
    found = []
    for path in directory.rglob("*"):
        parts = path.relative_to(directory).parts
        if any(p.startswith(".") for p in parts) or path.name.startswith("~$"):
            continue
        if path.suffix.lower() in WORKBOOK_SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found)


def default_jobs() -> int:
    return os.cpu_count() or 1


# ---------------------------------------------------------------- auditing in parallel
@dataclass
class BatchProgress:
    """Callbacks the CLI uses to drive a progress bar; all optional."""

    started: Callable[[int], None] = lambda total: None
    finished: Callable[[str, bool], None] = lambda path, ok: None


def audit_parallel(paths: list[Path], checklist: Checklist, period: Period | None, jobs: int,
                   progress: BatchProgress) -> tuple[list[TownshipAudit], list[Unreadable], bool]:
    """Audit `paths` in `jobs` worker processes; returns what finished and whether Ctrl-C stopped it.

    The townships come back without their county duties (BATCH mode): judge_county adds them."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    townships: list[TownshipAudit] = []
    unreadable: list[Unreadable] = []
    progress.started(len(paths))
    if not paths:
        return townships, unreadable, False
    executor = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(paths))), initializer=init_worker,
                                   initargs=(checklist.config_file,))
    futures = {executor.submit(worker_audit, str(p), str(period) if period else None, BATCH): p for p in paths}
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                if isinstance(result, Unreadable):
                    unreadable.append(result)
                else:
                    townships.append(result)
                progress.finished(str(futures[future]), not isinstance(result, Unreadable))
    except KeyboardInterrupt:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        return _in_order(townships, paths), unreadable, True
    executor.shutdown()
    return _in_order(townships, paths), sorted(unreadable, key=lambda u: u.file), False


def _in_order(townships: list[TownshipAudit], paths: list[Path]) -> list[TownshipAudit]:
    order = {str(p): n for n, p in enumerate(paths)}
    return sorted(townships, key=lambda a: order.get(a.file, 0))


# ---------------------------------------------------------------- baseline and county register
def load_baseline(path: str) -> dict[str, Any]:
    """The previous quarter's batch JSON (汇总.json or any fireaudit JSON)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a fireaudit JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("tool") != "fireaudit" or not isinstance(data.get("townships"), list):
        raise ConfigError(f"{path}: not a fireaudit JSON file (no 'tool': 'fireaudit' with 'townships')")
    return data


def read_county_register(path: str, checklist: Checklist) -> tuple[Any, CountyRegisterInput]:
    """The county register (read with the same reader), and how the roll-up names it."""
    register = RegisterReader(checklist).read(path, county=True)
    return register, CountyRegisterInput(path, sha256_of(path) if Path(path).is_file() else "",
                                         tuple(register.errors))


def judge_county(townships: list[TownshipAudit], checklist: Checklist, county_register: str,
                 previous: dict[str, Any] | None) -> tuple[list[TownshipAudit], list[Any]]:
    """R20–R22 of every township from the county register, judged once each.

    Returns the judged townships and the county register's own register errors,
    with rows that name a township without its 县市 in a batch of several counties."""
    register, _ = read_county_register(county_register, checklist)
    identities = [(a.county, a.township) for a in townships]
    county = CountyData(register, identities, previous)
    errors = [*register.errors, *rows_without_county(register, identities)]
    return [judge_county_duties(a, checklist, county) for a in townships], errors


def supervision_missed(townships: Iterable[TownshipAudit]) -> tuple[str, ...] | None:
    """R21's list of townships the county did not supervise (the same in every township's result)."""
    missed = None
    for audit in townships:
        for check in (c for r in (*audit.requirements, *audit.county_duties) for c in r.checks):
            if check.kind == "county_supervision" and "missed" in check.params:
                missed = tuple(check.params["missed"])
    return missed


# ---------------------------------------------------------------- the workflow
@dataclass(frozen=True)
class BatchRequest:
    directory: Path
    output: Path
    checklist: Checklist
    formats: list[str]
    lang: str = "zh"
    period: Period | None = None
    county_register: Path | None = None
    baseline: Path | None = None
    jobs: int | None = None
    annotate: bool = False
    baselines: tuple[Path, ...] = ()             # more earlier quarters (--baseline repeated): the trend
    prefer: str | None = None                    # newest, largest or a file glob (else fireaudit.toml's)
    templates: Path | None = None                # the county's own report templates (township.md.j2, notice.docx)


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: the run (with its BatchFacts), the files found, and what was written."""

    run: AuditRun
    output: Path
    found: int                                   # workbooks discovered
    audited: int                                 # files finished: townships kept and unreadable files
    interrupted: bool
    reports: tuple[Path, ...] = ()
    annotated: tuple[Path, ...] = ()
    not_annotated: tuple[Any, ...] = ()         # annotate.NotAnnotatable: file and reason

    @property
    def has_problems(self) -> bool:
        """An unreadable file, a conflict or a copy that could not be annotated (exit 3)."""
        return bool(self.run.unreadable or (self.run.batch and self.run.batch.conflicts) or self.not_annotated)


def _raise_interrupt(*_: Any) -> None:
    raise KeyboardInterrupt()


def run_batch(request: BatchRequest,
              progress: Callable[[], AbstractContextManager[BatchProgress]] = lambda: nullcontext(BatchProgress()),
              ) -> BatchResult:
    """Audit, judge the county duties, compare with the baseline, write every report and the roll-up."""
    from fireaudit.annotate import annotate_run
    from fireaudit.reports import ReportOptions, write_reports

    from fireaudit import quarter

    checklist, lang = request.checklist, request.lang
    check_inputs(request)                                # before any work: exit 2 on a wrong input
    baselines = quarter.order_baselines(
        [(str(p), load_baseline(str(p))) for p in (*([request.baseline] if request.baseline else []),
                                                   *request.baselines)], lang)
    quarter.check_earlier(request.period, baselines, lang)
    previous = baselines[-1][2] if baselines else None
    roster = quarter.roster_places(checklist, request.county_register)
    paths, skipped = quarter.select_inputs(discover(request.directory), request.directory, request.output)
    signal.signal(signal.SIGTERM, _raise_interrupt)   # a stopped batch still writes what it finished
    jobs = request.jobs or default_jobs()
    with progress() as bar:
        townships, unreadable, interrupted = audit_parallel(paths, checklist, request.period, jobs, bar)
    townships, conflicts, superseded = quarter.resolve_conflicts(townships, request.prefer or checklist.prefer)
    audited = len(townships) + len(unreadable) + sum(len(s.files) for s in superseded)

    county_input: CountyRegisterInput | None = None
    if request.county_register and not interrupted:
        path = str(request.county_register)
        try:
            townships, errors = judge_county(townships, checklist, path, previous)
            county_input = CountyRegisterInput(path, _sha(request.county_register), tuple(errors))
        except FireauditError as exc:
            unreadable.append(Unreadable(path, getattr(exc, "reason", exc.message)))
    if county_input is None:
        townships = [judge_county_duties(a, checklist, None) for a in townships]

    run = make_run(checklist, request.period, townships, unreadable)
    period = quarter.batch_period(run.period, townships, lang) if baselines else None
    quarter.check_earlier(period, baselines, lang)
    not_submitted, not_in_roster = quarter.submissions(roster, townships, conflicts) if roster else ((), ())
    trend_periods, trend = quarter.trend(townships, baselines, period) if len(baselines) > 1 else ((), ())
    run = replace(run, batch=BatchFacts(
        conflicts=tuple(conflicts),
        county_register=county_input if county_input else (
            CountyRegisterInput(str(request.county_register), _sha(request.county_register))
            if request.county_register else None),
        baseline=quarter.compare(townships, previous, checklist) if previous else None,
        supervision_missed=supervision_missed(townships),
        skipped=tuple(skipped), superseded=tuple(superseded), roster=roster,
        not_submitted=not_submitted, not_in_roster=not_in_roster, trend_periods=trend_periods, trend=trend,
    ))

    written: list[str] = []
    options = ReportOptions(lang, checklist, request.templates)
    try:
        reports = write_reports(run, request.output, request.formats, options, lambda a: written.append(a.file))
        if not interrupted:   # the roll-up always comes in every format; one per county and the prefecture's
            quarter.write_rollups(run, checklist, request.output, lang)
    except OSError as exc:
        raise FireauditError(f"cannot write the reports to {request.output}: {exc.strerror or exc}; "
                             f"finished {len(written)} of {len(run.townships)} townships") from None
    annotated, failed = (annotate_run(run, request.output, options, jobs) if request.annotate and not interrupted
                         else ([], []))
    return BatchResult(run, request.output, len(paths), audited, interrupted, tuple(reports), tuple(annotated),
                       tuple(failed))


def check_inputs(request: BatchRequest) -> None:
    """Exit 2 before any work: a county register that is missing or is not one ("这是乡镇台账（潘津镇）"),
    a report template that is missing or broken."""
    lang = request.lang
    if request.county_register is not None:
        from fireaudit.register.county import classify_workbook

        kind = classify_workbook(request.county_register, request.checklist)
        if not kind.is_county_register:
            raise ConfigError(kind.describe(lang))
    if "md" in request.formats:
        from fireaudit.reports.markdown import load_template

        load_template(request.templates, lang)
    if "docx" in request.formats:
        from fireaudit.reports.notice_docx import load_template as load_notice

        load_notice(request.templates, lang)


def _sha(path: Path) -> str:
    return sha256_of(str(path)) if path.is_file() else ""


def print_batch_summary(console: Any, result: BatchResult, lang: str) -> None:
    """After a batch, on stderr: annotated copies, unreadable files, conflicts, and the closing line."""
    from fireaudit.annotate import print_annotated
    from fireaudit.reports.terminal import print_unreadable

    if result.annotated or result.not_annotated:
        print_annotated(console, result.annotated, result.not_annotated, lang)
    print_unreadable(console, result.run, lang)
    for conflict in result.run.batch.conflicts if result.run.batch else ():
        console.print(conflict_line(conflict, lang), soft_wrap=True, markup=False, style="red")
    print_quarter_summary(console, result.run, lang)
    if result.interrupted:
        console.print(t(lang, "rollup.interrupted", done=result.audited, total=result.found))
    else:
        console.print(t(lang, "rollup.written", done=result.found, path=str(result.output)))


def print_quarter_summary(console: Any, run: AuditRun, lang: str) -> None:
    """Which workbook stood by --prefer, and how many roster townships have not submitted."""
    from fireaudit.reports.rollup_view import superseded_line

    batch = run.batch
    if batch is None:
        return
    for item in batch.superseded:
        console.print(superseded_line(item, lang), soft_wrap=True, markup=False)
    if batch.roster is not None:
        console.print(t(lang, "quarter.not_submitted_count", roster=len(batch.roster), count=len(batch.not_submitted)),
                      soft_wrap=True, markup=False)


def conflict_line(conflict: Conflict, lang: str) -> str:
    """`与其他台账冲突：伊宁市潘津镇 2024Q1: a.xlsx; b.xlsx; c.xlsx; … (+2)` (the first files, the rest counted)."""
    files = list(conflict.files[:MAX_CONFLICT_FILES])
    if len(conflict.files) > MAX_CONFLICT_FILES:
        files.append(t(lang, "batch.more_files", count=len(conflict.files) - MAX_CONFLICT_FILES))
    return t(lang, "batch.conflict", county=conflict.county or "", township=conflict.township or "",
             period=conflict.period, files="; ".join(files))
