"""One township's report as plain, language-resolved text: what Markdown and Excel both show.

Built from the audit result and the checklist only. Values stay raw here
(unescaped); each writer makes them safe for its own format — Markdown
escapes them, Excel writes them as text, never as formulas."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from fireaudit.checklist import Checklist
from fireaudit.checklist.models import SEVERITY_ORDER
from fireaudit.i18n import catalog, cite, fmt_value, message_text, severity_label, status_label, t
from fireaudit.listing import listed
from fireaudit.register.model import Evidence
from fireaudit.status import Status
from fireaudit.result import GAP_STATUSES, STATUSES, AuditRun, CheckResult, TownshipAudit

MAX_EVIDENCE = 10        # cells listed per finding; the rest are counted
WARNING_NOTES = ("period-differs",)   # notes shown up front as 注意, in every report and on the terminal
THRESHOLD_PREFIXES = ("min_", "max_")


@dataclass(frozen=True)
class RequirementRow:
    id: str
    item: str
    title: str
    status: str
    status_label: str
    severity: str | None
    severity_label: str
    advice: str


@dataclass(frozen=True)
class Finding:
    """One gap: a check that did not pass."""

    requirement: str
    item: str
    check: str
    title: str
    status: str
    status_label: str
    severity: str | None
    severity_label: str
    message: str
    evidence: tuple[str, ...]
    more_evidence: str           # "等12处" when evidence was cut, else ""
    thresholds: tuple[str, ...]
    source: str
    advice: str                  # the finding's own advice, else the requirement's (unknown: correct the cell)
    from_config: str             # "取自本地配置：…" or ""
    specific_advice: str = ""    # the finding's own advice only (checks' `advice`), "" when it has none


@dataclass(frozen=True)
class GapGroup:
    requirement: RequirementRow
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ErrorRow:
    ref: str
    sheet: str
    cell: str
    value: str
    message: str


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class TownshipView:
    lang: str
    title: str
    county: str
    township: str
    kind: str
    period: str
    score: str
    required_grade: str
    grade_basis: str
    file: str
    checklist: str
    generated_by: str
    provenance: tuple[tuple[str, str], ...]   # (label, value): hash, local config, tool, run time
    requirements: tuple[RequirementRow, ...]
    gaps: tuple[GapGroup, ...]
    register_errors: tuple[ErrorRow, ...]   # the first N of each error code (fireaudit/listing.py)
    more_errors: tuple[str, ...]            # one sentence per code with errors left out of the list
    register_error_count: int               # all of them
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    status_counts: tuple[Count, ...]
    severity_counts: tuple[Count, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for group in self.gaps for f in group.findings)


_LAST: list[tuple[AuditRun, TownshipAudit, Checklist, str, TownshipView]] = []


def township_view(run: AuditRun, audit: TownshipAudit, checklist: Checklist, lang: str) -> TownshipView:
    """The view of one township's reports: built once for the Markdown and the Excel report of the same
    run, township, checklist and language (the last one is kept; the objects themselves, so an equal
    id cannot be another object's)."""
    if _LAST and _LAST[0][0] is run and _LAST[0][1] is audit and _LAST[0][2] is checklist and _LAST[0][3] == lang:
        return _LAST[0][4]
    view = _township_view(run, audit, checklist, lang)
    _LAST[:] = [(run, audit, checklist, lang, view)]
    return view


def _township_view(run: AuditRun, audit: TownshipAudit, checklist: Checklist, lang: str) -> TownshipView:
    requirements = tuple(_requirement_row(r.id, r.status, r.severity, checklist, lang) for r in audit.requirements)
    rows = {row.id: row for row in requirements}
    gaps = tuple(group for group in (_gap_group(rows[r.id], r.checks, checklist, lang, audit.mapped_cells)
                                        for r in audit.requirements)
                 if group)
    findings = [f for group in gaps for f in group.findings]
    grade, basis = _required_grade(audit.required_grade, lang)
    status_counts = Counter(r.status for r in audit.requirements)
    severity_counts = Counter(f.severity for f in findings if f.severity)
    errors = listed(audit.register_errors, checklist)
    return TownshipView(
        lang=lang,
        title=t(lang, "report.title", county=audit.county or "", township=audit.township or "", period=audit.period),
        county=audit.county or "",
        township=audit.township or "",
        kind=audit.kind or "",
        period=audit.period,
        score=t(lang, "report.score_value", score=audit.score),
        required_grade=grade,
        grade_basis=basis,
        file=PurePath(audit.file).name,
        checklist=f"{run.checklist_id} {run.checklist_version}",
        generated_by=t(lang, "report.generated_by", version=run.tool_version, checklist=run.checklist_id,
                       checklist_version=run.checklist_version),
        provenance=(
            (t(lang, "report.sha256"), audit.sha256),
            (t(lang, "report.config_file"), run.config_file or t(lang, "report.no_config")),
            *([(t(lang, "map.provenance"), f"{run.mapping['file']} (SHA-256 {run.mapping['sha256']})")]
              if run.mapping else []),
            (t(lang, "report.tool_version"), f"fireaudit {run.tool_version}"),
            (t(lang, "report.generated_at"), run.generated_at),
        ),
        requirements=requirements,
        gaps=gaps,
        register_errors=tuple(ErrorRow(f"{e.sheet}!{e.cell}", e.sheet, e.cell, e.value, e.message(lang))
                              for e in errors.shown),
        more_errors=errors.more_lines(lang),
        register_error_count=errors.total,
        notes=tuple(t(lang, f"note.{n.code}", sheet=n.sheet, detail=n.detail) for n in audit.notes
                    if n.code not in WARNING_NOTES),
        warnings=warnings_of(audit, lang),
        status_counts=tuple(Count(s, status_label(s, lang), status_counts.get(s, 0)) for s in STATUSES),
        severity_counts=tuple(Count(s, severity_label(s, lang), severity_counts.get(s, 0))
                              for s in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__, reverse=True)),
    )


def warnings_of(audit: TownshipAudit, lang: str) -> tuple[str, ...]:
    """The notes a reader must see before the findings (WARNING_NOTES), in `lang`."""
    return tuple(t(lang, f"note.{n.code}", sheet=n.sheet, detail=n.detail) for n in audit.notes
                 if n.code in WARNING_NOTES)


def _requirement_row(requirement_id: str, status: str, severity: str | None, checklist: Checklist,
                     lang: str) -> RequirementRow:
    spec = checklist.requirement_by_id[requirement_id]
    return RequirementRow(requirement_id, spec.item, spec.title(lang), status, status_label(status, lang),
                          severity, severity_label(severity, lang) if status in GAP_STATUSES else "", spec.advice(lang))


def _gap_group(row: RequirementRow, checks: tuple[CheckResult, ...], checklist: Checklist,
               lang: str, mapped: dict[str, str] | None = None) -> GapGroup | None:
    if row.status not in GAP_STATUSES:
        return None
    findings = tuple(_finding(row, c, checklist, lang, mapped) for c in checks if c.status in GAP_STATUSES)
    return GapGroup(row, findings) if findings else None


def _finding(row: RequirementRow, check: CheckResult, checklist: Checklist, lang: str,
             mapped: dict[str, str] | None = None) -> Finding:
    from fireaudit.reports.advice import specific_advice

    spec = checklist.check_by_id.get(check.id)
    own_advice = specific_advice(check, spec, lang)
    evidence = tuple(_mapped_mark(evidence_text(e, lang), e, mapped, lang) for e in check.evidence[:MAX_EVIDENCE])
    extra = len(check.evidence) - len(evidence)
    return Finding(
        requirement=row.id,
        item=row.item,
        check=check.id,
        title=spec.title(lang) if spec else check.id,
        status=check.status,
        status_label=status_label(check.status, lang),
        severity=check.severity,
        severity_label=severity_label(check.severity, lang),
        message=message_text(check.message, check.params, lang),
        evidence=evidence,
        more_evidence=t(lang, "report.more_evidence", count=extra) if extra > 0 else "",
        thresholds=thresholds(check.params, lang),
        source=cite(check.source, lang),
        advice=own_advice or (t(lang, "report.advice_unknown") if check.status == Status.UNKNOWN else row.advice),
        from_config=t(lang, "report.from_config", keys=list(check.from_config)) if check.from_config else "",
        specific_advice=own_advice,
    )


def _mapped_mark(text: str, evidence: Evidence, mapped: dict[str, str] | None, lang: str) -> str:
    """`检查隐患!I4（依据本县映射：已处理 → 已整改）` for a cell the county's mapping read (issue 15)."""
    from fireaudit.register.model import mapped_reading

    reading = mapped_reading(evidence, mapped or {})
    if reading is None:
        return text
    return f"{text}（{t(lang, 'map.mapped')}：{reading}）" if lang == "zh" else f"{text} ({t(lang, 'map.mapped')}: {reading})"


def evidence_text(evidence: Evidence, lang: str) -> str:
    """`消防队伍!C4`, or what is missing when there is no cell to point at."""
    if evidence.cell or not evidence.missing:
        return evidence.ref()
    return t(lang, f"report.evidence_missing_{evidence.missing}", sheet=evidence.sheet, column=evidence.column or "")


def thresholds(params: dict[str, Any], lang: str) -> tuple[str, ...]:
    """The check's limits (`min_*`/`max_*` values), worded by the catalogue's [threshold] section."""
    out = []
    for name, value in params.items():
        if not name.startswith(THRESHOLD_PREFIXES):
            continue
        key = f"threshold.{name}"
        if key in catalog(lang):
            out.append(t(lang, key, value=value))
        else:
            out.append(f"{name} = {fmt_value(value, lang)}")
    return tuple(out)


def _required_grade(required: dict[str, Any] | None, lang: str) -> tuple[str, str]:
    if not required:
        return t(lang, "report.grade_undetermined"), ""
    grade = fmt_value(required.get("grade"), lang) or t(lang, "report.grade_undetermined")
    basis = fmt_value(required.get("basis"), lang)     # English, as the JSON keeps it
    source = cite(fmt_value(required.get("source"), lang), lang) if required.get("source") else ""
    if required.get("grade") is None and not source:   # a 街道: plan item (五), no township grade
        return grade, t(lang, "report.grade_basis_street")
    if lang == "zh":
        return grade, source or basis
    return grade, t(lang, "report.list_separator").join(p for p in (basis, source) if p)
