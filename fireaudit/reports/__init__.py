"""Report writers. Each consumes only the audit result (never a workbook).

WRITERS maps a --format name to a function `(run, township, directory, lang) -> Path`
that writes one township's report atomically and returns its path."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from fireaudit.reports.files import inside, report_stem, write_atomic
from fireaudit.result import AuditRun, TownshipAudit

Writer = Callable[[AuditRun, TownshipAudit, Path, str], Path]


def write_json(run: AuditRun, audit: TownshipAudit, directory: Path, lang: str) -> Path:
    from dataclasses import replace

    from fireaudit.reports.json_report import dumps

    path = inside(directory, report_stem(audit.county, audit.township, audit.period) + ".json")
    write_atomic(path, dumps(replace(run, townships=(audit,), unreadable=())))
    return path


WRITERS: dict[str, Writer] = {"json": write_json}
DEFAULT_FORMATS = "json"
