"""Batch runs before a quarterly assessment: every workbook under a folder, in parallel.

The whole `fireaudit batch` workflow lives here (the CLI only parses options and
maps the BatchResult to an exit code). Worker processes (fireaudit/pool.py)
inherit the checklist and are reused across files; one unreadable or hostile
file never stops the batch, not even one that kills its worker. What the quarter
adds (fireaudit/quarter.py): the batch's own output, files fireaudit wrote and
lock files skipped; two workbooks for one township and period settled by
--prefer or left a conflict; the 乡镇名册; earlier quarters compared. Wrong
inputs (a county register that is not one, a broken template, a malformed or
not-earlier baseline) are exit 2 before any work. The county duties R20–R22 are
judged once per township by the engine, from the county register when one is
given (parsed in a worker too). Then, after every target is checked against the
inputs and against files fireaudit did not write, the workers render and commit
each township's report set (only paths come back), the roll-ups (one per county
and the prefecture's when there are several) are committed as one set, and the
annotated copies are made."""

from __future__ import annotations

import gc
import json
import os
import signal
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, Literal

import msgspec

from fireaudit.audit import BATCH, judge_county_duties, sha256_of
from fireaudit.checklist import Checklist
from fireaudit.checks.county import CountyData
from fireaudit.errors import ConfigError, ExitCode, FireauditError, validation_phrase
from fireaudit.reports.files import OutputClash
from fireaudit.i18n import t
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.county import rows_without_county
from fireaudit.result import AuditRun, TownshipAudit, Unreadable
from fireaudit.batch_facts import BatchFacts, Conflict, CountyRegisterInput
from fireaudit.pool import Pool
from fireaudit.runner import (
    adopt_checklist, can_isolate, init_worker, make_run, parser_died_on, special_file_reason, unreadable_of,
    worker_audit,
)
from fireaudit.textnorm import visible

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_CONFLICT_FILES = 3                 # files named per conflict on the terminal; the rest are counted


def discover(directory: Path, skip: Path | None = None, odd: list[Unreadable] | None = None) -> list[Path]:
    """Workbooks under `directory`, recursively; Office lock files (~$…), hidden files and `skip` (the output) left out.

    Entries named like workbooks that are not regular files (a dangling link,
    a FIFO, a device) are never opened: they go to `odd` as unreadable, with why."""
    if not directory.is_dir():
        raise ConfigError("error.batch.not_a_directory", path=str(directory))
    skipped = skip.resolve() if skip is not None and skip.exists() else None
    found = []
    for path in directory.rglob("*"):
        parts = path.relative_to(directory).parts
        if any(p.startswith(".") for p in parts) or path.name.startswith("~$"):
            continue
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            continue
        if skipped is not None and skipped in path.resolve().parents:
            continue
        strange = special_file_reason(path)
        if strange is None:
            found.append(path)
        elif odd is not None and not path.is_dir():
            odd.append(strange)
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

    A worker that dies on a file (any signal, calamine's PanicException) makes
    that file unreadable and is replaced; the batch carries on (fireaudit/pool.py).
    The townships come back without their county duties (BATCH mode): judge_county adds them."""
    townships: list[TownshipAudit] = []
    unreadable: list[Unreadable] = []
    progress.started(len(paths))
    if not paths:
        return townships, unreadable, False

    def done(path: Path, result: TownshipAudit | Unreadable) -> None:
        (unreadable if isinstance(result, Unreadable) else townships).append(result)
        gc.freeze()   # kept to the end of the run: the collector's passes need not walk it again and again
        progress.finished(str(path), not isinstance(result, Unreadable))

    def died(path: Path, how: str) -> None:
        done(path, parser_died_on(path, how))

    pool = _pool(min(jobs, len(paths)), checklist)
    try:
        pool.map(((p, worker_audit, (str(p), str(period) if period else None, BATCH)) for p in paths), done, died)
    except KeyboardInterrupt:
        return _in_order(townships, paths), unreadable, True
    finally:
        gc.unfreeze()   # a caller that goes on (a test run) collects as before
    return _in_order(townships, paths), sorted(unreadable, key=lambda u: u.file), False


def _pool(workers: int, checklist: Checklist) -> Pool:
    """Forked workers inherit the parent's checklist; spawned ones load it from the same config."""
    if can_isolate():
        return Pool(workers, adopt_checklist, (checklist,))
    return Pool(workers, init_worker, (checklist.config_file,))


def _in_order(townships: list[TownshipAudit], paths: list[Path]) -> list[TownshipAudit]:
    order = {str(p): n for n, p in enumerate(paths)}
    return sorted(townships, key=lambda a: order.get(a.file, 0))


# ---------------------------------------------------------------- baseline and county register
MAX_BASELINE_MB = 64      # a 汇总.json of a county's townships is a few MiB


class _BaselineCheck(msgspec.Struct, frozen=True):
    id: Annotated[str, msgspec.Meta(max_length=64)]
    status: str | None = None
    severity: str | None = None


class _BaselineRequirement(msgspec.Struct, frozen=True):
    id: Annotated[str, msgspec.Meta(max_length=64)]
    status: Annotated[str, msgspec.Meta(max_length=32)]
    checks: list[_BaselineCheck] = []


class _BaselineTownship(msgspec.Struct, frozen=True):
    county: str | None = None
    township: str | None = None
    period: str | None = None
    score: Annotated[float, msgspec.Meta(ge=0, le=100)] = 0.0
    requirements: list[_BaselineRequirement] = []


class _Baseline(msgspec.Struct, frozen=True):
    """What a previous quarter's batch JSON must look like for the diff and R22 (other keys are ignored)."""

    tool: Literal["fireaudit"]
    townships: list[_BaselineTownship]


def load_baseline(path: str) -> dict[str, Any]:
    """The previous quarter's batch JSON (汇总.json or any fireaudit JSON), validated before any work (exit 2)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BASELINE_MB * (1 << 20) + 1)
    except FileNotFoundError:
        raise ConfigError("error.baseline.not_found", path=path) from None
    except OSError as exc:
        raise ConfigError("error.baseline.cannot_read", path=path, detail=exc.strerror or str(exc)) from None
    if len(data) > MAX_BASELINE_MB * (1 << 20):
        raise ConfigError("error.baseline.too_large", path=path, limit=MAX_BASELINE_MB)
    try:
        msgspec.json.decode(data, type=_Baseline)   # the shape, with the path of the first wrong value
        parsed = json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
    except msgspec.ValidationError as exc:
        raise ConfigError("error.baseline.wrong_shape", path=path, detail=validation_phrase(exc)) from None
    except (msgspec.DecodeError, UnicodeDecodeError, json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise ConfigError("error.baseline.not_json", path=path) from None
    return parsed


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


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
    return judge_county_register(townships, checklist, register, previous)


def judge_county_register(townships: list[TownshipAudit], checklist: Checklist, register: Any,
                          previous: dict[str, Any] | None) -> tuple[list[TownshipAudit], list[Any]]:
    """judge_county on a county register already read."""
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
    from fireaudit.annotate import annotate_run, annotated_name
    from fireaudit.reports import ReportOptions, plan_reports, report_paths
    from fireaudit.reports.files import check_targets

    from fireaudit import quarter

    checklist, lang = request.checklist, request.lang
    refuse_output_in_input(request.directory, request.output)
    check_templates(request)                             # before any work: exit 2 on a wrong input
    baseline_files = [*([request.baseline] if request.baseline else []), *request.baselines]
    baselines = quarter.order_baselines([(str(p), load_baseline(str(p))) for p in baseline_files])
    quarter.check_earlier(request.period, baselines)
    previous = baselines[-1][2] if baselines else None
    county_read = read_county_checked(request.county_register, checklist) if request.county_register else None
    roster = quarter.roster_places(checklist, county_read[0] if isinstance(county_read, tuple) else None)
    odd: list[Unreadable] = []
    paths, skipped = quarter.select_inputs(discover(request.directory, odd=odd), request.directory, request.output)
    if not paths and not odd and not skipped:   # exit 3 with what was looked for, never an empty roll-up
        raise NoWorkbooks("ux.no_workbooks", path=str(request.directory))
    signal.signal(signal.SIGTERM, _raise_interrupt)   # a stopped batch still writes what it finished
    jobs = request.jobs or default_jobs()
    with progress() as bar:
        townships, unreadable, interrupted = audit_parallel(paths, checklist, request.period, jobs, bar)
    unreadable = sorted(unreadable + odd, key=lambda u: u.file)
    townships, conflicts, superseded = quarter.resolve_conflicts(townships, request.prefer or checklist.prefer)
    audited = len(townships) + len(unreadable) + sum(len(s.files) for s in superseded)

    county_input: CountyRegisterInput | None = None
    if county_read is not None and not interrupted:
        if isinstance(county_read, Unreadable):      # a parser abort spared the batch
            unreadable.append(county_read)
        else:
            register, county_input = county_read
            townships, errors = judge_county_register(townships, checklist, register, previous)
            county_input = replace(county_input, register_errors=tuple(errors))
    if county_input is None:
        townships = [judge_county_duties(a, checklist, None) for a in townships]

    run = make_run(checklist, request.period, townships, unreadable)
    period = quarter.batch_period(run.period, townships) if baselines else None
    quarter.check_earlier(period, baselines)
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

    options = ReportOptions(lang, checklist, request.templates)
    plan = plan_reports(run, request.output, request.formats)
    targets = [p for _, stem in plan for p in report_paths(request.output, stem, request.formats)]
    targets += quarter.rollup_targets(run, request.output) if not interrupted else []
    targets += [request.output / annotated_name(stem) for _, stem in plan] if request.annotate else []
    check_targets(targets, [*paths, *(x for x in (request.county_register, *baseline_files) if x),
                            *([Path(checklist.config_file)] if checklist.config_file else []),
                            *_template_files(request.templates)])
    rollups: list[list[tuple[Path, bytes | str]]] = []   # rendered by a worker beside the townships' reports
    reports, stopped = render_parallel(run, plan, request, options, jobs, rollups if not interrupted else None)
    interrupted = interrupted or stopped
    try:
        if not interrupted:   # the roll-up always comes in every format; one per county and the prefecture's
            quarter.write_rollups(run, checklist, request.output, lang, rollups[0] if rollups else None)
    except OSError as exc:
        raise FireauditError("error.output.cannot_write", path=str(request.output), detail=exc.strerror or str(exc)) from None
    annotated, failed = (annotate_run(run, request.output, options, jobs) if request.annotate and not interrupted
                         else ([], []))
    return BatchResult(run, request.output, len(paths) + len(odd), audited, interrupted, tuple(reports), tuple(annotated),
                       tuple(failed))


class NoWorkbooks(FireauditError):
    """The batch folder holds no workbook at all: nothing could be audited (exit 3)."""

    exit_code = ExitCode.UNREADABLE


def check_templates(request: BatchRequest) -> None:
    """Exit 2 before any work: a report template (township.md.j2, notice.docx) that is missing or broken."""
    lang = request.lang
    if "md" in request.formats:
        from fireaudit.reports.markdown import load_template

        load_template(request.templates, lang)
    if "docx" in request.formats:
        from fireaudit.reports.notice_docx import load_template as load_notice

        load_notice(request.templates, lang)


def _template_files(templates: Path | None) -> list[Path]:
    """The files of --templates: inputs a report must never replace."""
    try:
        return [p for p in templates.iterdir() if p.is_file()] if templates is not None else []
    except OSError:
        return []


def refuse_output_in_input(directory: Path, output: Path) -> None:
    """`batch sub -o sub` would put reports among the submissions (and replace any of the same name): exit 2."""
    try:
        same = directory.resolve() == output.resolve()
    except OSError:
        same = False
    if same:
        raise OutputClash("error.output.into_input", directory=str(directory), output=str(output))


# ---------------------------------------------------------------- rendering in the workers
_RENDER: dict[str, Any] = {}


def _init_render(run: AuditRun, audits: tuple[TownshipAudit, ...], lang: str, directory: Path, formats: list[str],
                 checklist: Any, templates: Path | None = None) -> None:
    """A render worker: the run and the options, set once per worker.

    A forked worker inherits the whole run and `audits` (the plan's townships) from the parent's
    memory, so its tasks name a township by its index and nothing big is pickled either way; a
    spawned one gets the run without its townships, and each task brings its township."""
    from fireaudit.reports import ReportOptions

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_interrupt)   # a stopped worker removes its temporary files first
    if not isinstance(checklist, Checklist):
        from fireaudit.audit import load_checklist

        checklist = load_checklist(checklist)
    _RENDER.update(run=replace(run, townships=(), unreadable=()), whole=run, audits=audits,
                   options=ReportOptions(lang, checklist, templates), directory=directory, formats=formats)


def _render_task(audit: TownshipAudit | int, stem: str) -> list[Path] | tuple[int, str]:
    """One township's reports (or the index of one the worker inherited), rendered and committed in
    the worker; only the paths go back.

    A write that fails (full disk) or a template error comes back as (exit code, message)."""
    from fireaudit.reports import render_township

    if isinstance(audit, int):
        audit = _RENDER["audits"][audit]
    try:
        return render_township(_RENDER["run"], audit, _RENDER["directory"], stem, _RENDER["formats"],
                               _RENDER["options"], sync_folder=False)   # once for all: render_parallel
    except OSError as exc:
        return 2, FireauditError("error.output.cannot_write", path=str(_RENDER["directory"]),
                                 detail=exc.strerror or str(exc))
    except FireauditError as exc:
        return int(exc.exit_code), exc


def _rollup_task() -> list[tuple[Path, bytes | str]] | None:
    """The roll-ups of the run a forked render worker inherited, rendered there, not written: the parent
    commits them after the townships' reports, as one set (quarter.write_rollups)."""
    from fireaudit import quarter

    try:
        return quarter.rollup_files(_RENDER["whole"], _RENDER["options"].checklist, _RENDER["directory"], _RENDER["options"].lang)
    except Exception:   # noqa: BLE001 - the parent renders them again and fails as it always did
        return None


_ROLLUPS = "\0rollups"   # the roll-up task's key among the townships' stems (no stem holds a NUL)


def render_parallel(run: AuditRun, plan: list[tuple[TownshipAudit, str]], request: BatchRequest,
                    options: Any, jobs: int, rollups: list | None = None) -> tuple[list[Path], bool]:
    """Every township's report set, rendered and written in `jobs` workers; (paths in run order, interrupted).

    With `rollups` (a list) and forked workers, one worker renders the roll-ups first, beside the townships'
    reports, and they are appended to it (nothing when that worker died or failed, or the workers are
    spawned: the parent renders them then)."""
    from fireaudit.reports.files import sync_folders

    if not plan:
        return [], False
    inherit = can_isolate()   # forked: the workers see the run in memory, a task is a township's index
    checklist = request.checklist if inherit else request.checklist.config_file
    given = run if inherit else replace(run, townships=(), unreadable=())
    audits = tuple(audit for audit, _ in plan) if inherit else ()
    pool = Pool(min(jobs, len(plan)), _init_render, (given, audits, request.lang, request.output, request.formats,
                                                     checklist, request.templates))
    written: dict[str, list[Path]] = {}
    problems: list[tuple[int, FireauditError]] = []

    def done(stem: str, result: list[Path] | tuple[int, FireauditError]) -> None:
        if stem == _ROLLUPS:
            rollups.extend([result] if result is not None else [])
        elif isinstance(result, tuple):
            problems.append(result)
        else:
            written[stem] = result

    def died(stem: str, reason: str) -> None:
        if stem != _ROLLUPS:
            problems.append((2, FireauditError("error.output.worker_died", stem=stem, detail=reason)))

    # forked, a worker renders the roll-ups from the run it inherited; spawned, the parent renders them (the
    # whole run pickled to a worker would cost what rendering them here costs)
    first = [(_ROLLUPS, _rollup_task, ())] if rollups is not None and inherit else []
    tasks = ((stem, _render_task, (n if inherit else audit, stem)) for n, (audit, stem) in enumerate(plan))
    stopped = False
    try:
        pool.map([*first, *tasks], done, died)
    except KeyboardInterrupt:
        stopped = True
    paths = [p for _, stem in plan for p in written.get(stem, [])]
    # the renames made durable: each folder once, not once per township; every planned set's folder,
    # since a worker stopped by Ctrl-C may have renamed its set without replying
    output = request.output.resolve()                  # as the written paths are (reports.files.inside)
    sync_folders([*paths, *(output / stem for _, stem in plan)])
    if problems and not stopped:
        error = FireauditError("error.batch.render_failed", problem=problems[0][1].phrase(), done=len(written),
                               total=len(plan))
        error.exit_code = problems[0][0]
        raise error
    return paths, stopped


def read_county_checked(path: Path, checklist: Checklist) -> tuple[Any, CountyRegisterInput] | Unreadable:
    """The county register, read once before any work, in a worker (read_county_isolated).

    A missing file, or one that is not a county register, is exit 2 saying what it
    looks like instead ("这是乡镇台账（潘津镇）"); a parser that dies on it makes it
    unreadable and the batch carries on without it."""
    read = read_county_isolated(str(path), checklist)
    if not isinstance(read, (tuple, Unreadable)):        # a WorkbookKind: not a county register
        raise ConfigError("error.batch.not_county_register", what=read.phrase())
    return read


def read_county_isolated(path: str, checklist: Checklist) -> Any:
    """The county register (or what it is instead: a WorkbookKind), parsed in a worker process too:
    an abort there must not take the batch down (it comes back Unreadable)."""
    results: list[Any] = []
    if not can_isolate():
        return _read_county(path, checklist)
    pool = Pool(1, adopt_checklist, (checklist,))
    pool.map([(path, _county_task, (path,))], lambda _, r: results.append(r),
             lambda _, how: results.append(parser_died_on(path, how)))
    return results[0]


def _county_task(path: str) -> Any:
    from fireaudit.runner import worker_checklist

    return _read_county(path, worker_checklist())


def _read_county(path: str, checklist: Checklist) -> Any:
    """(register, input) of a county register, else its WorkbookKind, or Unreadable."""
    from fireaudit.register.county import classify_workbook

    kind = classify_workbook(path, checklist)
    if not kind.is_county_register:
        return kind
    try:
        return read_county_register(path, checklist)
    except FireauditError as exc:
        return unreadable_of(exc, path)


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
        console.print(visible(conflict_line(conflict, lang)), soft_wrap=True, markup=False, style="red")
    print_quarter_summary(console, result.run, lang)
    if result.interrupted:
        console.print(t(lang, "rollup.interrupted", done=result.audited, total=result.found), markup=False)
    else:
        console.print(visible(t(lang, "rollup.written", done=result.found, path=str(result.output))), markup=False)


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
