"""The worker task of `audit FILE -o`: the audit, then the slowest report formats rendered in the
worker from the run it sees, so the parent only writes them (runner.Pending). A module of its own so
that this worker imports the writers it uses and nothing of the batch workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fireaudit.period import Period
from fireaudit.result import TownshipAudit
from fireaudit.runner import make_run, worker_audit


def audit_ahead(path: str, period: str | None, mode: str, generated_at: str, format: str | None, lang: str,
                templates: Path | None) -> Any:
    """The worker task of `audit FILE -o` (runner.Pending.task), which renders in its worker as a batch
    does: the audit, then the reports.AHEAD formats of --format rendered from the run this worker sees
    (its own checklist, `generated_at` from the parent).
    The parent writes them only where its own run and checklist are the same (Pending.payloads); a
    render that fails here is left to the parent, which then fails as it always did."""
    from fireaudit.reports import AHEAD, DEFAULT_FORMATS, WRITERS, ReportOptions
    from fireaudit.runner import Ahead, worker_checklist, worker_digest

    result = worker_audit(path, period, mode)
    formats = [f.strip() for f in (format or DEFAULT_FORMATS).split(",") if f.strip() in AHEAD]
    if not isinstance(result, TownshipAudit) or not formats or not worker_digest():
        return result
    try:
        checklist = worker_checklist()
        run = make_run(checklist, Period.parse(period) if period else None, [result], [], generated_at=generated_at)
        options = ReportOptions(lang, checklist, templates)
        payloads = {name: WRITERS[name].render(run, result, options) for name in formats}
        return Ahead(result, run, worker_digest(), payloads)
    except Exception:   # noqa: BLE001 - the parent renders it again and reports what goes wrong
        return result
