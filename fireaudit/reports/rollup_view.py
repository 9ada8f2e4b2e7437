"""What the county roll-up shows, computed once from a batch's AuditRun for both writers.

Ranking by score (pandas), the township × requirement matrix, how often each
requirement fails, the county's own duties R20–R22 (never in a township's score),
R21's unsupervised townships, the change since the baseline,
conflicts, and provenance. The writers in fireaudit/reports/rollup.py only lay
this out; nothing here reads a workbook or a check's params."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import PurePath
from typing import Any

from fireaudit.checklist import Checklist
from fireaudit.i18n import t
from fireaudit.result import AuditRun, Conflict, TownshipChange

SYMBOLS = {"pass": "✔", "partial": "◐", "fail": "✘", "unknown": "?", "na": "–"}
GAPS = ["fail", "partial", "unknown"]


@dataclass(frozen=True)
class RollupView:
    provenance: list[tuple[str, str]]
    inputs: list[dict[str, str]]
    run: AuditRun
    rows: list[dict[str, Any]]              # ranked: county, township, kind, score, name, gaps, change, statuses
    ids: list[str]
    by_requirement: list[dict[str, Any]]    # id, title and a count per status, most failed first
    symbols: dict[str, str]
    diff: tuple[TownshipChange, ...] | None
    conflicts: tuple[Conflict, ...]
    county: str
    period: str
    supervision_missed: tuple[str, ...] | None
    county_duties: dict[str, Any] | None = None   # R20–R22: the county's own section (county_section)

    def fields(self) -> dict[str, Any]:
        """The template's variables."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def township_ids(checklist: Checklist) -> list[str]:
    """The township's own requirements (R01–R19): the matrix and the counts; R20–R22 have their own section."""
    return [r.id for r in checklist.requirements if r.scope != "county"]


def county_section(run: AuditRun, checklist: Checklist, lang: str) -> dict[str, Any] | None:
    """R20–R22 as the batch judged them for each township, merged into one status per duty and one for
    the county (the engine's aggregation order). None outside a batch (no township has county duties)."""
    from fireaudit.audit import aggregate, requirement_severity
    from fireaudit.i18n import message_text

    if not any(a.county_duties for a in run.townships):
        return None
    duties, every = [], []
    for spec in (s for s in checklist.requirements if s.scope == "county"):
        checks, lines = [], []
        for audit in run.townships:
            for result in (r for r in audit.county_duties if r.id == spec.id):
                for check in result.checks:
                    checks.append(check)
                    lines.append({"county": audit.county, "township": audit.township, "name": audit.name,
                                  "check": check, "text": message_text(check.message, check.params, lang)})
        every += checks
        status = aggregate(checks)
        duties.append({"id": spec.id, "title": spec.title(lang), "status": str(status),
                       "severity": str(requirement_severity(checks) or ""), "lines": lines,
                       "shown": _distinct(lines)})
    return {"status": str(aggregate(every)) if every else "na", "requirements": duties}


def _distinct(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per finding: a county-wide result (R20, the same for every township) is said once."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for line in lines:
        key = (line["check"].id, str(line["check"].status), line["text"])
        seen.setdefault(key, line)
    return list(seen.values())


def status_frame(run: AuditRun, checklist: Checklist):
    """One row per township: identity, score, and the status of each requirement (pandas)."""
    import pandas as pd

    ids = township_ids(checklist)
    records = [{"county": a.county, "township": a.township, "kind": a.kind, "score": a.score,
                **{r.id: r.status for r in a.requirements}} for a in run.townships]
    return pd.DataFrame.from_records(records, columns=["county", "township", "kind", "score", *ids])


def rollup_view(run: AuditRun, checklist: Checklist, lang: str) -> RollupView:
    """Everything the roll-up shows: ranking, matrix, counts, the county's own duties."""
    ids = township_ids(checklist)
    batch = run.batch
    frame = status_frame(run, checklist)
    frame = frame.sort_values(["score", "county", "township"], ascending=[False, True, True], kind="stable")
    diff = {(d.county, d.township): d.change for d in (batch.baseline if batch else None) or ()}
    frame["gaps"] = frame[ids].isin(GAPS).sum(axis=1)
    rows = []
    for record in frame.to_dict("records"):
        change = diff.get((record["county"], record["township"]))
        rows.append({
            "county": record["county"], "township": record["township"], "kind": record["kind"],
            "score": record["score"], "name": f"{record['county'] or ''}{record['township'] or ''}",
            "gaps": int(record["gaps"]), "change": "—" if change is None else f"{change:+g}",
            "statuses": [record[i] for i in ids],
        })
    counts = frame[ids].apply(lambda column: column.value_counts()).reindex(list(SYMBOLS)).fillna(0).astype(int)
    by_requirement = [{"id": spec.id, "title": spec.title(lang), **{s: int(counts.at[s, spec.id]) for s in SYMBOLS}}
                      for spec in checklist.requirements if spec.id in ids]
    by_requirement.sort(key=lambda item: (-item["fail"], -item["partial"], -item["unknown"], item["id"]))
    counties = {a.county for a in run.townships if a.county}
    return RollupView(
        provenance=rollup_provenance(run, lang), inputs=rollup_inputs(run),
        run=run, rows=rows, ids=ids, by_requirement=by_requirement, symbols=SYMBOLS,
        diff=batch.baseline if batch else None, conflicts=batch.conflicts if batch else (),
        county=counties.pop() if len(counties) == 1 else "、".join(sorted(counties)) or "—",
        period=run.period or "—", supervision_missed=batch.supervision_missed if batch else None,
        county_duties=county_section(run, checklist, lang),
    )


def rollup_provenance(run: AuditRun, lang: str) -> list[tuple[str, str]]:
    """Run-level provenance, labelled as in the township reports: checklist, local config, tool, run time."""
    return [
        (t(lang, "report.checklist"), f"{run.checklist_id} {run.checklist_version}"),
        (t(lang, "report.config_file"), run.config_file or t(lang, "report.no_config")),
        (t(lang, "report.tool_version"), f"fireaudit {run.tool_version}"),
        (t(lang, "report.generated_at"), run.generated_at),
    ]


def rollup_inputs(run: AuditRun) -> list[dict[str, str]]:
    """Every input the roll-up rests on: each township's workbook, and the county register, with SHA-256."""
    inputs = [{"name": f"{a.county or ''}{a.township or ''}", "file": PurePath(a.file).name, "sha256": a.sha256}
              for a in run.townships]
    county = run.batch.county_register if run.batch else None
    if county:
        inputs.append({"name": "—", "file": PurePath(county.file).name, "sha256": county.sha256})
    return inputs
