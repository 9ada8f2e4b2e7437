"""Audit a list of workbooks: read each once, audit it, collect the unreadable ones.

Shared by `audit`, `check` and (in worker processes) `batch`. An InputError
makes a file unreadable and the run goes on; any other exception is a bug and
propagates, so a crash is never reported as a gap.

The parse runs where an abort cannot take the run down (issue 20, 1b): in a
forked worker process (fireaudit/pool.py) that is replaced when calamine
aborts or raises its PanicException (a BaseException), and the file becomes
unreadable (error.input.parser-died). Where fork is unavailable the parse runs in
process and only the PanicException is caught."""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from fireaudit import speculative
from fireaudit.errors import FireauditError, InputError
from fireaudit.pool import Pool

if TYPE_CHECKING:
    from fireaudit.checklist import Checklist
    from fireaudit.period import Period
    from fireaudit.register import RegisterReader
    from fireaudit.register.model import Note
    from fireaudit.result import AuditRun, TownshipAudit, Unreadable

# The engine (fireaudit.audit, the register reader, the result) is imported where it is used: `check`
# and `audit` start their worker before this process has imported it (Pending, below), so the worker
# imports it and parses while this process imports it too.
SINGLE = "single"   # fireaudit.audit.SINGLE


class Pending:
    """The checklist and --period of a command that has not loaded them yet (cli's check and audit).

    `prepare` does the loading and checking the command did before any parse, in the same
    order, and returns (checklist, period). With a spare worker (forked at start-up when a
    core was idle, pool.prestart) the parse starts first: the spare loads the checklist of
    the same --config itself and reads --period as given, while this process runs `prepare`
    (a bad config or period stops the run as before, and nothing of the worker's is used).
    Without one, audit_files runs `prepare` first and forks its worker with the checklist.

    `task` ("module", "function", extra args) replaces worker_audit in the worker:
    function(path, period, mode, generated_at, *extra) returns a result or an Ahead, whose
    payloads the caller takes through `payloads` (audit -o: the worker renders the Excel report)."""

    def __init__(self, config: str | None, period: str | None,
                 prepare: Callable[[], tuple[Checklist, Period | None]],
                 task: tuple[str, str, tuple] | None = None):
        self.config, self.period, self.prepare, self.task = config, period, prepare, task
        self.ahead: dict[int, Ahead] = {}
        self.digest = ""   # checklist_digest of this process's checklist as loaded (with a task)

    def payloads(self, run: AuditRun) -> dict[tuple[int, str], bytes | str]:
        """What the workers rendered ahead, for the townships whose worker saw exactly this run and
        this checklist (as loaded, before use: `digest`): {(township index, format): payload}.
        Anything else is rendered by the caller."""
        ready: dict[tuple[int, str], bytes | str] = {}
        for index, township in enumerate(run.townships):
            for ahead in self.ahead.values():
                if ahead.result is township and ahead.digest == self.digest and ahead.run == run:
                    ready.update({(index, name): payload for name, payload in ahead.payloads.items()})
        return ready


class Ahead:
    """A worker's result with reports it rendered from it, and the run and checklist (digest) it rendered them from."""

    def __init__(self, result: TownshipAudit, run: AuditRun, digest: str, payloads: dict[str, bytes | str]):
        self.result, self.run, self.digest, self.payloads = result, run, digest, payloads


def checklist_digest(checklist: Checklist) -> str:
    """The SHA-256 of the pickled checklist: equal in a worker and its parent when they loaded the same."""
    import hashlib
    import pickle

    return hashlib.sha256(pickle.dumps(checklist, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


def worker_task(module: str, function: str, *args: Any) -> Any:
    """A Pending's task, found by name in the worker (the runner does not import the layers above it)."""
    import importlib

    return getattr(importlib.import_module(module), function)(*args)


def audit_file(path: str | Path, checklist: Checklist, period: Period | None, *, mode: str = SINGLE,
               reader: RegisterReader | None = None) -> TownshipAudit:
    from fireaudit.audit import audit_register
    from fireaudit.register import RegisterReader

    reader = reader or RegisterReader(checklist)
    taken = speculative.taken_ahead(path)
    if taken is not None:   # parsed ahead in this worker while the parent guarded the same bytes
        ahead, preflight = taken
        data, digest = ahead.data, ahead.sha256
        register = reader.read(path, data=data, ahead=(preflight, speculative.Loaded(ahead.workbook, ahead.sheets)))
    else:
        data, digest = read_once(Path(path), reader.limits)
        register = reader.read(path, data=data)
    if register.profile_sheet is None and not register.tables:
        # with --period even a stranger's spreadsheet would otherwise be scored (0 of 100)
        names = [checklist.register.profile.sheet, *(s.name for s in checklist.register.sheets)][:4]
        raise InputError(str(path), "not-a-register", names=names)
    note_active_content(register, data)
    return audit_register(register, checklist, period, mode=mode, sha256=digest or None)


def read_once(path: Path, limits: Any) -> tuple[bytes | None, str]:
    """The file's bytes and their SHA-256, read once: the provenance hash is of exactly what is parsed.

    A file over the size limit, or one that cannot be opened, is left to the
    reader (which refuses it with the reason)."""
    import hashlib

    try:
        if path.stat().st_size > limits.max_file_mb * (1 << 20):
            return None, ""
        with path.open("rb") as handle:
            data = handle.read(int(limits.max_file_mb * (1 << 20)) + 1)
    except OSError:
        return None, ""
    return data, hashlib.sha256(data).hexdigest()


def note_active_content(register: Any, data: bytes | None = None) -> None:
    """A register error when the submission carries DDE, link formulas or external links (issue 20, item 4).

    `data`: the bytes read once for the audit (scanned instead of the file, which is not opened again)."""
    from fireaudit.register import codes
    from fireaudit.register.active import active_content
    from fireaudit.register.model import RegisterError

    path = Path(register.path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    found = active_content(path if data is None else data, register.formula_free)
    if found:
        register.errors.append(RegisterError(codes.ACTIVE_CONTENT, register.profile_sheet or Path(path).name, "",
                                             "、".join(found)))


def audit_files(paths: Iterable[str | Path], checklist: Checklist | Pending, period: Period | None, *,
                mode: str = SINGLE, isolate: bool | None = None,
                finished: Callable[[], None] = lambda: None,
                meanwhile: Callable[[], None] | None = None) -> AuditRun:
    """Audit each file; `isolate` (default: wherever fork is available) parses in a worker process.

    `finished` is called once per file done (so an interrupted run can say how far it got);
    `meanwhile` once, while the worker parses (or first, without a worker). With a Pending
    checklist, `period` is ignored: the Pending's are used."""
    paths = list(paths)
    if isolate is None:
        isolate = can_isolate()
    pending = checklist if isinstance(checklist, Pending) else None
    loaded: list[tuple[Checklist, Period | None]] = []

    def load() -> None:
        if pending is not None and not loaded:
            loaded.append(pending.prepare())
            if pending.task is not None:
                pending.digest = checklist_digest(loaded[0][0])

    def prepare() -> None:
        load()
        if meanwhile is not None:
            meanwhile()

    townships: list[TownshipAudit] = []
    unreadable: list[Unreadable] = []
    if isolate and paths:
        results: dict[int, TownshipAudit | Unreadable] = {}
        for n, path in enumerate(paths):
            odd = special_file_reason(Path(path))
            if odd is not None:
                results[n] = odd
                finished()

        initargs = (pending.config, True) if pending is not None and pending.task is not None else (
            (pending.config,) if pending is not None else ())
        if pending is not None and Pool.has_spare(init_worker, initargs):   # forked at start-up: it loads its own
            pool, task_period = Pool(1, init_worker, initargs), pending.period
        else:   # load here first and hand the checklist down: no process does it twice
            if pending is not None:
                load()
                checklist, period = loaded[0]
            pool = Pool(1, adopt_checklist, (checklist, pending.digest if pending is not None else ""))
            task_period = str(period) if period else None
        task, generated_at, extra = worker_audit, None, ()
        if pending is not None and pending.task is not None:   # one time for the worker's run and this one
            from fireaudit.provenance import iso, run_time

            module, function, extra = pending.task
            generated_at = iso(run_time())
            task = functools.partial(worker_task, module, function)

        def task_args(path: str | Path) -> tuple:
            args = (str(path), task_period, mode)
            return args if task is worker_audit else (*args, generated_at, *extra)

        def done(n: int, item: Any) -> None:
            if isinstance(item, Ahead):
                pending.ahead[n], item = item, item.result
            results[n] = item
            finished()

        prepared = [False]

        def prepare_once() -> None:
            if not prepared[0]:
                prepared[0] = True
                prepare()

        todo = [(n, task, task_args(p)) for n, p in enumerate(paths) if n not in results]
        if speculative.worth_it([paths[n] for n, _, _ in todo]):
            n, _, args = todo[0]

            def guard() -> tuple[Any, str]:
                from fireaudit.register.preflight import check_file, limits_of

                limits = limits_of(loaded[0][0] if pending is not None else checklist)
                data, digest = read_once(Path(paths[n]), limits)
                if data is None:
                    raise speculative.Fallback   # left to the worker, whose reader says why
                preflight = check_file(Path(paths[n]), limits, data)
                if speculative.oversized(preflight, limits):
                    raise speculative.Fallback
                return preflight, digest

            verdict = speculative.guard_while_parsing(pool, (load_ahead, (str(paths[n]),)), prepare_once, guard)
            if isinstance(verdict, InputError):   # named as the worker names a file it cannot read
                from fireaudit.result import Unreadable

                todo = []
                done(n, Unreadable(str(paths[n]), verdict.reason, tuple(verdict.texts.items())))
            elif verdict is not None:
                todo = [(n, speculative.with_verdict, (verdict, task, *args))]
        pool.map(todo, done=done, died=lambda n, how: done(n, parser_died_on(paths[n], how)), meanwhile=prepare_once)
        if not prepared[0]:   # no file to parse
            prepare()
        if pending is not None:
            checklist, period = loaded[0]
        from fireaudit.result import Unreadable

        for n in range(len(paths)):
            item = results[n]
            (unreadable if isinstance(item, Unreadable) else townships).append(item)
        return make_run(checklist, period, townships, unreadable, generated_at=generated_at)
    prepare()
    if pending is not None:
        checklist, period = loaded[0]
    from fireaudit.register import RegisterReader

    reader = RegisterReader(checklist)
    for path in paths:
        odd = special_file_reason(Path(path))
        if odd is not None:
            unreadable.append(odd)
            finished()
            continue
        try:
            townships.append(audit_file(path, checklist, period, mode=mode, reader=reader))
        except InputError as exc:
            unreadable.append(unreadable_of(exc))
        except BaseException as exc:
            if not parser_died(exc):
                raise
            unreadable.append(parser_died_on(path, type(exc).__name__))
        finished()
    return make_run(checklist, period, townships, unreadable)


def special_file_reason(path: Path) -> Unreadable | None:
    """Why `path` must not be opened (a dangling link, a FIFO that would block, a device), else None.

    A missing file is left to the reader, which names it."""
    import stat

    try:
        info = path.lstat()
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        try:
            info = path.stat()
        except OSError:
            return _unreadable(path, "dangling-link")
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _unreadable(path, "is-directory")
    if stat.S_ISFIFO(mode):
        return _unreadable(path, "fifo")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _unreadable(path, "device")
    if stat.S_ISSOCK(mode):
        return _unreadable(path, "socket")
    return _unreadable(path, "not-regular")


def _unreadable(path: Path, code: str) -> Unreadable:
    return unreadable_of(InputError(str(path), code))


def parser_died_on(path: str | Path, how: str) -> Unreadable:
    """A file whose parser died (a worker's abort, a PanicException): unreadable, with how it ended."""
    return unreadable_of(InputError(str(path), "parser-died", how=how))


def unreadable_of(exc: FireauditError, path: str | None = None) -> Unreadable:
    """A file that cannot be audited, with its reason in every language (an InputError names its own file)."""
    from fireaudit.result import Unreadable

    if isinstance(exc, InputError):
        return Unreadable(exc.path, exc.reason, tuple(exc.texts.items()))
    return Unreadable(str(path), exc.text("en"), tuple((lang, exc.text(lang)) for lang in ("zh", "en")))


def can_isolate() -> bool:
    """Forked workers inherit the loaded checklist for free; elsewhere (spawn) isolation would reload it."""
    import multiprocessing

    return os.environ.get("FIREAUDIT_NO_ISOLATION") != "1" and multiprocessing.get_start_method(True) in (None, "fork")


def parser_died(exc: BaseException) -> bool:
    """calamine's PanicException: a BaseException that is neither an Exception nor a way of stopping."""
    return not isinstance(exc, (Exception, KeyboardInterrupt, SystemExit, GeneratorExit))


def make_run(checklist: Checklist, period: Period | None, townships: list[TownshipAudit],
             unreadable: list[Unreadable], generated_at: str | None = None) -> AuditRun:
    """The run's result; `generated_at` (UTC ISO) defaults to now."""
    from fireaudit import __version__
    from fireaudit.provenance import iso, run_time
    from fireaudit.result import AuditRun

    periods = {a.period for a in townships}
    return AuditRun(
        generated_at=generated_at or iso(run_time()),
        notes=tuple(unmatched_waivers(checklist, townships)),
        tool_version=__version__,
        checklist_id=checklist.meta.id,
        checklist_version=checklist.meta.version,
        period=str(period) if period else (periods.pop() if len(periods) == 1 else None),
        townships=tuple(townships),
        unreadable=tuple(unreadable),
        config_file=checklist.config_file,
        overrides=checklist.overrides,
        mapping=({"file": checklist.register.mapping_file, "sha256": checklist.register.mapping_sha256 or ""}
                 if checklist.register.mapping_file else None),
    )


def unmatched_waivers(checklist: Checklist, townships: list[TownshipAudit]) -> list[Note]:
    """Waivers that named no township of this run: listed, never silently dropped."""
    from fireaudit.audit import waiver_matches
    from fireaudit.register.model import Note

    return [Note("waiver-unmatched", "", f"{w.county}{w.township} {w.check}") for w in checklist.waivers
            if not any(waiver_matches(w, t.county, t.township) for t in townships)]


# ---------------------------------------------------------------- worker processes
_WORKER: dict[str, Any] = {}


def init_worker(config: str | None, digest: bool = False) -> None:
    """A worker process's initializer: Ctrl-C is the parent's business; the checklist is loaded once
    (with `digest`, its checklist_digest as loaded is kept: Pending.payloads compares it).

    A checklist that cannot be loaded (a county config error, or anything else) is the parent's to
    report, since it loads the same: the worker keeps the error, and a task given to it anyway fails as a bug."""
    from fireaudit.audit import load_checklist
    from fireaudit.register import RegisterReader

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        checklist = load_checklist(config)
    except Exception as exc:   # noqa: BLE001 - the parent loads the same checklist and says what is wrong
        _WORKER.update(error=exc)
        return
    _WORKER.update(checklist=checklist, reader=RegisterReader(checklist),
                   digest=checklist_digest(checklist) if digest else "")


def adopt_checklist(checklist: Checklist, digest: str = "") -> None:
    """A forked worker's initializer: the parent's checklist, inherited rather than reloaded (with the
    digest the parent took of it, for Pending.payloads)."""
    from fireaudit.register import RegisterReader

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER.update(checklist=checklist, reader=RegisterReader(checklist), digest=digest)


def worker_checklist() -> Checklist:
    """The checklist init_worker loaded in this worker process."""
    return _WORKER["checklist"]


def load_ahead(path: str) -> str | None:
    """In a worker: load `path`'s named sheets ahead of the guard's verdict (speculative.load_ahead);
    None whenever that cannot be done (the usual guarded parse follows)."""
    if "reader" not in _WORKER:
        return None
    reader = _WORKER["reader"]
    try:
        data, digest = read_once(Path(path), reader.limits)
    except Exception:   # noqa: BLE001 - whatever it is, the usual parse meets it and says what it is
        return None
    if data is None:
        return None
    return speculative.load_ahead(path, data, digest, reader.named_sheets, speculative.budget(reader.limits))


def worker_digest() -> str:
    """checklist_digest of the worker's checklist as loaded ("" when init_worker was not asked for it)."""
    return _WORKER.get("digest", "")


def worker_audit(path: str, period: str | None, mode: str) -> TownshipAudit | Unreadable:
    """Audit one file in a worker process; an unreadable file is a value, not an exception."""
    from fireaudit.period import Period
    from fireaudit.result import Unreadable

    if "error" in _WORKER:
        raise RuntimeError(f"the worker could not load the checklist: {_WORKER['error']}")
    try:
        return audit_file(path, _WORKER["checklist"], Period.parse(period) if period else None, mode=mode,
                          reader=_WORKER["reader"])
    except InputError as exc:
        return Unreadable(path, exc.reason, tuple(exc.texts.items()))
