"""Batch runs before a quarterly assessment: every workbook under a folder, in parallel.

Worker processes each load the checklist once and are reused across files.
One unreadable or hostile file never stops the batch. Two workbooks for the
same township and period are a conflict: both are listed, neither is merged
or ranked. With a county register, R20–R22 are judged for every township; with
a previous quarter's batch JSON, the change since then is computed."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from fireaudit.checklist import Checklist
from fireaudit.errors import ConfigError, InputError
from fireaudit.period import Period
from fireaudit.result import AuditRun, TownshipAudit, Unreadable

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
GAPS = ("fail", "partial", "unknown")


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


# ---------------------------------------------------------------- worker side
_WORKER: dict[str, Any] = {}


def _init_worker(config: str | None) -> None:
    """Runs once per worker process: Ctrl-C is the parent's business; the checklist is loaded once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from fireaudit.checklist import load_checklist
    from fireaudit.register import RegisterReader

    checklist = load_checklist(config)
    _WORKER.update(checklist=checklist, reader=RegisterReader(checklist))


def _audit_one(path: str, period: str | None) -> TownshipAudit | Unreadable:
    from fireaudit.audit import BATCH
    from fireaudit.runner import audit_file

    try:
        return audit_file(path, _WORKER["checklist"], Period.parse(period) if period else None, mode=BATCH,
                          reader=_WORKER["reader"])
    except InputError as exc:
        return Unreadable(path, exc.reason)


# ---------------------------------------------------------------- parent side
@dataclass
class BatchProgress:
    """Callbacks the CLI uses to drive a progress bar; all optional."""

    started: Callable[[int], None] = lambda total: None
    finished: Callable[[str, bool], None] = lambda path, ok: None


def audit_parallel(paths: list[Path], checklist: Checklist, period: Period | None, jobs: int,
                   progress: BatchProgress) -> tuple[list[TownshipAudit], list[Unreadable], bool]:
    """Audit `paths` in `jobs` worker processes; returns what finished and whether Ctrl-C stopped it."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    townships: list[TownshipAudit] = []
    unreadable: list[Unreadable] = []
    progress.started(len(paths))
    if not paths:
        return townships, unreadable, False
    executor = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(paths))), initializer=_init_worker,
                                   initargs=(checklist.config_file,))
    futures = {executor.submit(_audit_one, str(p), str(period) if period else None): p for p in paths}
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


def find_conflicts(townships: list[TownshipAudit]) -> tuple[list[TownshipAudit], list[dict[str, Any]]]:
    """Split off workbooks that claim the same county, township and period."""
    from fireaudit.textnorm import norm

    groups: dict[tuple[str, str, str], list[TownshipAudit]] = {}
    for audit in townships:
        groups.setdefault((norm(audit.county or ""), norm(audit.township or ""), audit.period), []).append(audit)
    kept, conflicts = [], []
    for group in groups.values():
        if len(group) == 1:
            kept.append(group[0])
        else:
            first = group[0]
            conflicts.append({"county": first.county, "township": first.township, "period": first.period,
                              "files": [a.file for a in group]})
    order = {id(a): n for n, a in enumerate(townships)}
    return sorted(kept, key=lambda a: order[id(a)]), conflicts


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


def baseline_diff(townships: Iterable[TownshipAudit], baseline: dict[str, Any]) -> list[dict[str, Any]]:
    """Per township: score change and the requirements whose status changed (new and closed gaps)."""
    from fireaudit.textnorm import norm

    before = {(norm(t.get("county") or ""), norm(t.get("township") or "")): t for t in baseline["townships"]}
    rows = []
    for audit in townships:
        previous = before.get((norm(audit.county or ""), norm(audit.township or "")))
        if previous is None:
            rows.append({"county": audit.county, "township": audit.township, "score": audit.score,
                         "previous_score": None, "change": None, "new_gaps": [], "closed_gaps": [], "changed": []})
            continue
        old = {r["id"]: r["status"] for r in previous.get("requirements", [])}
        changed = [{"id": r.id, "from": old.get(r.id), "to": r.status} for r in audit.requirements
                   if old.get(r.id) is not None and old.get(r.id) != r.status]
        rows.append({
            "county": audit.county, "township": audit.township, "score": audit.score,
            "previous_score": previous.get("score"), "previous_period": previous.get("period"),
            "change": round(audit.score - float(previous.get("score") or 0.0), 1),
            "new_gaps": [c["id"] for c in changed if c["to"] in GAPS and c["from"] not in GAPS],
            "closed_gaps": [c["id"] for c in changed if c["from"] in GAPS and c["to"] not in GAPS],
            "changed": changed,
        })
    return rows


def judge_county(townships: list[TownshipAudit], checklist: Checklist, county_register: str,
                 baseline: dict[str, Any] | None) -> tuple[list[TownshipAudit], list[dict[str, str]]]:
    """R20–R22 for every township, from the county register (read with the same reader).

    Returns the re-judged townships and the county register's own register errors."""
    from fireaudit.audit import rerun_requirements
    from fireaudit.checks.county import CountyData
    from fireaudit.register import RegisterReader

    register = RegisterReader(checklist).read(county_register, county=True)
    data = CountyData(register, [(a.county, a.township) for a in townships], baseline)
    county_ids = [r.id for r in checklist.requirements if r.scope == "county"]
    errors = [{"sheet": e.sheet, "cell": e.cell, "value": e.value, "code": e.code, "expected": e.expected}
              for e in register.errors]
    return [rerun_requirements(a, checklist, county_ids, {"county": data}) for a in townships], errors


def rank(townships: list[TownshipAudit]) -> list[TownshipAudit]:
    return sorted(townships, key=lambda a: (-a.score, a.county or "", a.township or ""))


def default_jobs() -> int:
    return os.cpu_count() or 1


def finish_run(run: AuditRun, conflicts: list[dict[str, Any]], diff: list[dict[str, Any]] | None,
               county_register: str | None, county_errors: list[dict[str, Any]]) -> AuditRun:
    from fireaudit.audit import sha256_of

    extra: dict[str, Any] = {"conflicts": conflicts,
                             "county_register": {"file": county_register,
                                                 "sha256": sha256_of(county_register) if Path(county_register).is_file() else "",
                                                 "register_errors": county_errors}
                             if county_register else None}
    if diff is not None:
        extra["baseline"] = diff
    return replace(run, extra=extra)
