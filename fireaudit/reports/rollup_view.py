"""What the county roll-up shows, computed once from a batch's AuditRun for both writers.

Ranking by score (plain Python: importing pandas for it cost a batch ~0.3 s), the township × requirement matrix, how often each
requirement fails, the county's own duties R20–R22 (never in a township's score),
R21's unsupervised townships, the change since the baseline,
conflicts, and provenance. The writers in fireaudit/reports/rollup.py only lay
this out; nothing here reads a workbook or a check's params."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from pathlib import PurePath
from typing import Any

from fireaudit.checklist import Checklist
from fireaudit.i18n import t
from fireaudit.result import AuditRun
from fireaudit.batch_facts import Conflict, Place, Superseded, TownshipChange

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
    quarter: "QuarterView | None" = None    # issue 17: marked rows, 未报送, 名册外, superseded, notes, trend
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


def status_records(run: AuditRun, checklist: Checklist) -> list[dict[str, Any]]:
    """One record per township: identity, score, and the status of each of its own requirements."""
    ids = township_ids(checklist)
    records = []
    for audit in run.townships:
        statuses = {r.id: r.status for r in audit.requirements}
        records.append({"county": audit.county, "township": audit.township, "kind": audit.kind,
                        "score": float(audit.score), **{i: statuses.get(i) for i in ids}})
    return records


def _ranked(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest score first, then county and township (an empty one last), ties in run order."""
    def key(record: dict[str, Any]) -> tuple:
        return (-record["score"], record["county"] is None, record["county"] or "",
                record["township"] is None, record["township"] or "")

    return sorted(records, key=key)


def rollup_view(run: AuditRun, checklist: Checklist, lang: str) -> RollupView:
    """Everything the roll-up shows: ranking, matrix, counts, the county's own duties."""
    ids = township_ids(checklist)
    batch = run.batch
    records = _ranked(status_records(run, checklist))
    diff = {(d.county, d.township): d.change for d in (batch.baseline if batch else None) or ()}
    rows = []
    for record in records:
        change = diff.get((record["county"], record["township"]))
        rows.append({
            "county": record["county"], "township": record["township"], "kind": record["kind"],
            "score": record["score"], "name": f"{record['county'] or ''}{record['township'] or ''}",
            "gaps": sum(1 for i in ids if record[i] in GAPS), "change": "—" if change is None else f"{change:+g}",
            "statuses": [record[i] for i in ids],
        })
    counts = {i: Counter(record[i] for record in records) for i in ids}
    by_requirement = [{"id": spec.id, "title": spec.title(lang), **{s: counts[spec.id][s] for s in SYMBOLS}}
                      for spec in checklist.requirements if spec.id in ids]
    by_requirement.sort(key=lambda item: (-item["fail"], -item["partial"], -item["unknown"], item["id"]))
    counties = {a.county for a in run.townships if a.county} or {
        p.county for p in (batch.not_submitted if batch else ()) if p.county}   # a county that sent nothing
    return RollupView(
        provenance=rollup_provenance(run, lang), inputs=rollup_inputs(run),
        run=run, rows=rows, ids=ids, by_requirement=by_requirement, symbols=SYMBOLS,
        diff=batch.baseline if batch else None, conflicts=batch.conflicts if batch else (),
        county=counties.pop() if len(counties) == 1 else "、".join(sorted(counties)) or "—",
        period=run.period or "—", supervision_missed=batch.supervision_missed if batch else None,
        quarter=quarter_view(run, lang),
        county_duties=county_section(run, checklist, lang),
    )


def rollup_provenance(run: AuditRun, lang: str) -> list[tuple[str, str]]:
    """Run-level provenance, labelled as in the township reports: checklist, local config, tool, run time."""
    return [
        (t(lang, "report.checklist"), f"{run.checklist_id} {run.checklist_version}"),
        (t(lang, "report.config_file"), run.config_file or t(lang, "report.no_config")),
        *([(t(lang, "map.provenance"), f"{run.mapping['file']} (SHA-256 {run.mapping['sha256']})")]
          if getattr(run, "mapping", None) else []),
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


# ---------------------------------------------------------------- issue 17: the county's quarter
SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class QuarterView:
    """What the roll-up adds about the quarter: rows ranked last and marked (冲突, 未报送), who has
    not submitted, who is not in the roster, which workbook stood by rule, skipped files, the trend."""

    marked: list[dict[str, Any]]            # county, township, kind, name, mark: after the ranked rows
    roster_given: bool
    roster_count: int
    not_submitted: tuple[Place, ...]
    not_in_roster: tuple[Place, ...]
    superseded: list[str]                   # one line each
    notes: list[str]                        # skipped files, counted
    trend_periods: tuple[str, ...]
    trend: list[dict[str, Any]]             # name, county, township, scores, spark

    def json(self) -> dict[str, Any]:
        """The roll-up JSON's issue-17 keys (stable English keys)."""
        def place(p: Place) -> dict[str, Any]:
            return {"county": p.county, "township": p.township, "kind": p.kind, "source": p.source}

        out: dict[str, Any] = {
            "not_submitted": [place(p) for p in self.not_submitted] if self.roster_given else None,
            "not_in_roster": [place(p) for p in self.not_in_roster] if self.roster_given else None,
            "ranked_last": [{"county": r["county"], "township": r["township"], "mark": r["key"]}
                            for r in self.marked],
        }
        if self.trend_periods:
            out["trend"] = {"periods": list(self.trend_periods),
                            "townships": [{"county": r["county"], "township": r["township"], "scores": r["scores"]}
                                          for r in self.trend]}
        return out


def quarter_view(run: AuditRun, lang: str) -> QuarterView:
    batch = run.batch
    if batch is None:
        return QuarterView([], False, 0, (), (), [], [], (), [])
    marked = [{"county": c.county, "township": c.township, "kind": None, "key": "conflict",
               "name": f"{c.county or ''}{c.township or ''}", "mark": t(lang, "quarter.conflicted")}
              for c in batch.conflicts]
    marked += [{"county": p.county, "township": p.township, "kind": p.kind, "key": "not_submitted",
                "name": f"{p.county or ''}{p.township or ''}", "mark": t(lang, "quarter.not_submitted")}
               for p in batch.not_submitted]
    trend = [{"county": r.county, "township": r.township, "name": f"{r.county or ''}{r.township or ''}",
              "scores": list(r.scores), "spark": sparkline(r.scores)} for r in batch.trend]
    return QuarterView(
        marked=marked, roster_given=batch.roster is not None, roster_count=len(batch.roster or ()),
        not_submitted=batch.not_submitted, not_in_roster=batch.not_in_roster,
        superseded=[superseded_line(s, lang) for s in batch.superseded],
        notes=skipped_notes(batch.skipped, lang),
        trend_periods=batch.trend_periods, trend=trend,
    )


def superseded_line(item: Superseded, lang: str) -> str:
    rule = (t(lang, f"quarter.rule_{item.rule}") if item.rule in ("newest", "largest")
            else t(lang, "quarter.rule_glob", glob=item.rule))
    return t(lang, "quarter.superseded_line", place=f"{item.county or ''}{item.township or ''}", period=item.period,
             kept=PurePath(item.kept).name, rule=rule, files=[PurePath(f).name for f in item.files])


def skipped_notes(skipped, lang: str) -> list[str]:
    """One line per reason: files in the output folder are counted, the others named."""
    notes = []
    for reason in ("output", "fireaudit", "lock"):
        files = [PurePath(s.file).name for s in skipped if s.reason == reason]
        if files:
            notes.append(t(lang, f"quarter.skipped_{reason}", count=len(files), files=files))
    return notes


def sparkline(scores) -> str:
    """`▃▅█`: one block per quarter on a 0–100 scale; a quarter without a score is a space."""
    return "".join(" " if s is None else SPARKS[min(int(float(s) / 100 * len(SPARKS)), len(SPARKS) - 1)]
                   for s in scores)


# ---------------------------------------------------------------- issue 17: the prefecture
@dataclass(frozen=True)
class PrefectureView:
    """The prefecture roll-up: counties ranked by mean score, county × R01–R19 (share passing),
    the county duties R20–R22 per county, totals of 未报送 and conflicts."""

    provenance: list[tuple[str, str]]
    inputs: list[dict[str, str]]
    run: AuditRun
    period: str
    counties: list[dict[str, Any]]          # ranked: county, townships, mean, lowest, not_submitted, conflicts,
    township_ids: list[str]                 # shares {id: float | None}, duties {id: (status, passing, total)}
    duty_ids: list[str]
    symbols: dict[str, str]
    totals: dict[str, int]
    notes: list[str]
    county_files: list[str]

    def fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def json(self) -> dict[str, Any]:
        return {"counties": [{"county": c["county"], "townships": c["townships"], "mean_score": c["mean"],
                              "lowest_score": c["lowest"], "not_submitted": c["not_submitted"],
                              "conflicts": c["conflicts"], "pass_share": c["shares"],
                              "county_duties": {i: {"status": s, "passing": p, "townships": n}
                                                for i, (s, p, n) in c["duties"].items()}}
                             for c in self.counties],
                "totals": self.totals}


def batch_counties(run: AuditRun) -> list[str]:
    """The counties a batch holds (townships, conflicts, roster), as first spelled; one per canonical name."""
    from fireaudit.textnorm import canonical_place

    batch = run.batch
    names = [a.county for a in run.townships]
    if batch:
        names += [c.county for c in batch.conflicts] + [p.county for p in batch.roster or ()]
    seen: dict[str, str] = {}
    for name in names:
        key = canonical_place(name, "")[0]
        if key:
            seen.setdefault(key, name or "")
    return [seen[k] for k in sorted(seen)]


def prefecture_view(run: AuditRun, checklist: Checklist, lang: str) -> PrefectureView:
    """The prefecture roll-up of a batch holding several counties."""
    from fireaudit.textnorm import canonical_place

    from fireaudit.audit import aggregate

    names = batch_counties(run)
    township_ids = [r.id for r in checklist.requirements if r.scope == "township"]
    duty_ids = [r.id for r in checklist.requirements if r.scope == "county"]
    batch = run.batch

    def key(name: str | None) -> str:
        return canonical_place(name, "")[0]

    counties = []
    for name in names:
        mine = [a for a in run.townships if key(a.county) == key(name)]
        scores = [a.score for a in mine]
        shares: dict[str, float | None] = {}
        for rid in township_ids:
            statuses = [a.requirement(rid).status for a in mine]
            applicable = [s for s in statuses if s != "na"]
            shares[rid] = round(applicable.count("pass") / len(applicable), 2) if applicable else None
        duties = {}
        for rid in duty_ids:   # judged once per township in a batch, merged as the county section merges them
            results = [r for a in mine for r in a.county_duties if r.id == rid]
            status = str(aggregate([c for r in results for c in r.checks])) if results else "na"
            duties[rid] = (status, sum(1 for r in results if str(r.status) == "pass"), len(results))
        counties.append({
            "county": name, "townships": len(mine),
            "mean": round(sum(scores) / len(scores), 1) if scores else None,
            "lowest": min(scores) if scores else None,
            "not_submitted": sum(1 for p in (batch.not_submitted if batch else ()) if key(p.county) == key(name)),
            "conflicts": sum(1 for c in (batch.conflicts if batch else ()) if key(c.county) == key(name)),
            "shares": shares, "duties": duties,
        })
    counties.sort(key=lambda c: (c["mean"] is None, -(c["mean"] or 0.0), key(c["county"])))
    totals = {"counties": len(counties), "townships": len(run.townships),
              "not_submitted": len(batch.not_submitted) if batch else 0,
              "conflicts": len(batch.conflicts) if batch else 0, "unreadable": len(run.unreadable)}
    return PrefectureView(
        provenance=rollup_provenance(run, lang), inputs=rollup_inputs(run), run=run, period=run.period or "—",
        counties=counties, township_ids=township_ids, duty_ids=duty_ids, symbols=SYMBOLS, totals=totals,
        notes=skipped_notes(batch.skipped if batch else (), lang),
        county_files=[t(lang, "quarter.county_files", county=c["county"]) for c in counties],
    )
