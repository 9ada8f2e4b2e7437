"""Audit a list of workbooks: read each once, audit it, collect the unreadable ones.

Shared by `audit`, `check` and (in worker processes) `batch`. An InputError
makes a file unreadable and the run goes on; any other exception is a bug and
propagates, so a crash is never reported as a gap."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any, Iterable

from fireaudit import __version__
from fireaudit.audit import SINGLE, audit_register, load_checklist, waiver_matches
from fireaudit.checklist import Checklist
from fireaudit.errors import InputError
from fireaudit.period import Period
from fireaudit.provenance import iso, run_time
from fireaudit.register import RegisterReader
from fireaudit.register.model import Note
from fireaudit.result import AuditRun, TownshipAudit, Unreadable


def audit_file(path: str | Path, checklist: Checklist, period: Period | None, *, mode: str = SINGLE,
               reader: RegisterReader | None = None) -> TownshipAudit:
    reader = reader or RegisterReader(checklist)
    register = reader.read(path)
    return audit_register(register, checklist, period, mode=mode)


def audit_files(paths: Iterable[str | Path], checklist: Checklist, period: Period | None, *,
                mode: str = SINGLE) -> AuditRun:
    reader = RegisterReader(checklist)
    townships: list[TownshipAudit] = []
    unreadable: list[Unreadable] = []
    for path in paths:
        try:
            townships.append(audit_file(path, checklist, period, mode=mode, reader=reader))
        except InputError as exc:
            unreadable.append(Unreadable(str(path), exc.reason, tuple(exc.texts.items())))
    return make_run(checklist, period, townships, unreadable)


def make_run(checklist: Checklist, period: Period | None, townships: list[TownshipAudit],
             unreadable: list[Unreadable]) -> AuditRun:
    periods = {a.period for a in townships}
    return AuditRun(
        generated_at=iso(run_time()),
        notes=tuple(unmatched_waivers(checklist, townships)),
        tool_version=__version__,
        checklist_id=checklist.meta.id,
        checklist_version=checklist.meta.version,
        period=str(period) if period else (periods.pop() if len(periods) == 1 else None),
        townships=tuple(townships),
        unreadable=tuple(unreadable),
        config_file=checklist.config_file,
        overrides=checklist.overrides,
    )


def unmatched_waivers(checklist: Checklist, townships: list[TownshipAudit]) -> list[Note]:
    """Waivers that named no township of this run: listed, never silently dropped."""
    return [Note("waiver-unmatched", "", f"{w.county}{w.township} {w.check}") for w in checklist.waivers
            if not any(waiver_matches(w, t.county, t.township) for t in townships)]


# ---------------------------------------------------------------- worker processes
_WORKER: dict[str, Any] = {}


def init_worker(config: str | None) -> None:
    """A worker process's initializer: Ctrl-C is the parent's business; the checklist is loaded once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    checklist = load_checklist(config)
    _WORKER.update(checklist=checklist, reader=RegisterReader(checklist))


def worker_checklist() -> Checklist:
    """The checklist init_worker loaded in this worker process."""
    return _WORKER["checklist"]


def worker_audit(path: str, period: str | None, mode: str) -> TownshipAudit | Unreadable:
    """Audit one file in a worker process; an unreadable file is a value, not an exception."""
    try:
        return audit_file(path, _WORKER["checklist"], Period.parse(period) if period else None, mode=mode,
                          reader=_WORKER["reader"])
    except InputError as exc:
        return Unreadable(path, exc.reason, tuple(exc.texts.items()))
