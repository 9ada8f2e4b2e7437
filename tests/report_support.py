"""Helpers for the report tests: audit the bundled samples and the hostile township once."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from fireaudit.audit import audit_register
from fireaudit.audit import load_checklist
from fireaudit.checklist import Checklist
from fireaudit.register import RegisterReader
from fireaudit.reports import ReportOptions
from fireaudit.result import AuditRun, TownshipAudit
from fireaudit.runner import audit_files, make_run
from tests.hostile_values import hostile

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def checklist() -> Checklist:
    return load_checklist(directory=None)


PINNED_RUN_TIME = "2024-07-01T00:00:00Z"


@lru_cache(maxsize=None)
def sample_run() -> AuditRun:
    """The bundled demo samples, audited in file-name order, at a pinned run time."""
    from dataclasses import replace

    return replace(audit_files(sorted(SAMPLES.glob("*.xlsx")), checklist(), None), generated_at=PINNED_RUN_TIME)


@lru_cache(maxsize=None)
def hostile_run() -> AuditRun:
    """The hostile township, saved as .xls so that `=…` cells stay text as a user would type them."""
    folder = Path(tempfile.mkdtemp(prefix="fireaudit-hostile-"))
    path = hostile().save(folder / "hostile.xls")
    audit: TownshipAudit = audit_register(RegisterReader(checklist()).read(path), checklist())
    return make_run(checklist(), None, [audit], [])


def options(lang: str = "zh", templates: Path | None = None) -> ReportOptions:
    return ReportOptions(lang, checklist(), templates)
