"""The engine: run every enabled check of the checklist on a register, aggregate, score.

Aggregation and scoring follow REQUIREMENTS.md exactly (Settled readings,
'Aggregation order'); the points per status and the weights come from the
checklist, so a county tunes them in data, not here."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from fireaudit.checklist import Checklist, loader
from fireaudit.checklist.models import CheckSpec, RequirementSpec
from fireaudit.checks import KINDS, CheckContext
from fireaudit.checks.base import NA, UNKNOWN, MissingInput, outcome
from fireaudit.checks.county import CountyData
from fireaudit.checks.understood import judge, unreadable
from fireaudit.errors import InputError
from fireaudit.grades import near_miss_note, required_grade_json
from fireaudit.period import Period
from fireaudit.register.model import UNPARSED, Evidence, Note, ProfileEntry, Register, one_audit
from fireaudit.register.statuses import at_period
from fireaudit.result import CheckResult, RequirementResult, TownshipAudit
from fireaudit.status import Severity, Status
from fireaudit.textnorm import norm

# SINGLE: one township, county duties are `na`. BATCH: the county duties are left
# out here and judged once per batch by judge_county_duties, after every township.
SINGLE, BATCH = "single", "batch"


def load_checklist(config: str | None = None, directory: Path | None = None) -> Checklist:
    """The shipped checklist with the county's fireaudit.toml, each check's params validated by its kind."""
    return loader.load({name: kind.params for name, kind in KINDS.items()}, config, directory)


def resolve_period(register: Register, period: Period | None) -> Period:
    """`--period` wins over the profile's 报告期; with neither the file cannot be audited."""
    if period is not None:
        return period
    value = register.value("报告期")
    if value is None:   # exit 3, listing every place the reader looked, in the reader's language
        raise InputError(register.path, "no-period", detail=register.no_period_phrase())
    return value


def period_differs_note(register: Register, period: Period) -> Note | None:
    """`--period 2024Q1` on a register whose 报告期 says 2024Q2: audited as asked, with a warning in the report."""
    own = register.value("报告期")
    if not isinstance(own, Period) or own == period:
        return None
    entry = register.profile.get("报告期")
    return Note("period-differs", entry.evidence.ref() if entry is not None else "", f"{own} → {period}")


def aggregate(checks: list[CheckResult]) -> Status:
    """REQUIREMENTS.md, Aggregation order: the first rule that applies wins."""
    statuses = [c.status for c in checks]
    applicable = [s for s in statuses if s != NA]
    if not applicable:
        return Status.NA
    if all(s == UNKNOWN for s in applicable):
        return Status.UNKNOWN
    critical_fail = any(c.status == Status.FAIL and c.severity == Severity.CRITICAL for c in checks)
    if critical_fail or (Status.FAIL in applicable and Status.PASS not in applicable):
        return Status.FAIL
    if all(s == Status.PASS for s in applicable):
        return Status.PASS
    return Status.PARTIAL


def requirement_severity(checks: list[CheckResult]) -> str | None:
    """The severity of the worst failing check (else the worst gap); with no gap, the highest
    severity the requirement has, checked or not, so the figure does not change with the quarter."""
    pool = [c for c in checks if c.status == "fail"] or [c for c in checks if c.is_gap] or checks
    if not pool:
        return None
    return max((Severity(c.severity) for c in pool), key=lambda s: s.rank)


def score(requirements: list[RequirementResult], points: dict[str, float],
          county_duties: frozenset[str] = frozenset()) -> float:
    """The township's score: its own applicable requirements; the county's duties (R20–R22) never count."""
    applicable = [r for r in requirements if r.status != NA and r.id not in county_duties]
    total = sum(r.weight for r in applicable)
    if not total:
        return 0.0
    return round(100 * sum(r.weight * points.get(r.status, 0.0) for r in applicable) / total, 1)


def county_duty_ids(checklist: Checklist) -> frozenset[str]:
    return frozenset(spec.id for spec in checklist.requirements if spec.scope == "county")


def township_score(requirements: list[RequirementResult], checklist: Checklist) -> float:
    """The same in `check`, `audit` and `batch`: R20–R22 are left out whatever their status."""
    return score(requirements, checklist.scoring.status_points, county_duty_ids(checklist))


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def audit_register(register: Register, checklist: Checklist, period: Period | None = None, *,
                   mode: str = SINGLE, sha256: str | None = None) -> TownshipAudit:
    """Audit one township register for one period (in BATCH mode without the county duties).

    `sha256` is the hash of the bytes the reader parsed, when the caller has it; else the file is hashed."""
    period = resolve_period(register, period)
    register = at_period(register, period)      # 未整改 against this period's end, not only the register's own
    ctx = CheckContext(register, period, checklist)
    notes = list(register.notes)
    differs = period_differs_note(register, period)
    if differs is not None:
        notes.insert(0, differs)
    near_miss = near_miss_note(checklist, register.county, register.township)   # in every report
    if near_miss is not None:
        notes.append(near_miss)
    with one_audit():      # the register is not edited while its checks run
        requirements = [apply_waivers(_requirement(ctx, spec, mode), ctx, notes) for spec in checklist.requirements
                        if not (mode == BATCH and spec.scope == "county")]
    return TownshipAudit(
        file=register.path,
        county=register.county,
        township=register.township,
        kind=register.kind,
        period=str(period),
        score=township_score(requirements, checklist),
        required_grade=required_grade_json(ctx),
        requirements=tuple(requirements),
        register_errors=tuple(register.errors),
        notes=tuple(notes),
        sha256=sha256 or (sha256_of(register.path) if Path(register.path).is_file() else ""),
        header_rows={t.sheet: t.header_row for t in register.tables.values() if t.column_index},
        mapped_cells=dict(register.mapped_cells),
    )


def _requirement(ctx: CheckContext, spec: RequirementSpec, mode: str) -> RequirementResult:
    results = [judge_check(ctx, spec, check, mode) for check in ctx.checklist.checks_of(spec.id) if check.enabled]
    return RequirementResult(spec.id, aggregate(results), requirement_severity(results), spec.weight, tuple(results))


def judge_check(ctx: CheckContext, spec: RequirementSpec, check: CheckSpec, mode: str) -> CheckResult:
    """One check of `spec` on the township of `ctx`: scope and kind first, then its kind's judgement."""
    if spec.scope == "county" and mode == SINGLE:
        outcome = _fixed(NA, "common.county_single")
    elif spec.scope == "county" and "county" not in ctx.extra:
        outcome = _fixed(UNKNOWN, "common.county_missing")
    elif spec.applies_to and ctx.register.status("类型") == UNPARSED:
        outcome = unreadable([ctx.register.profile["类型"].unparsed], None)
    elif spec.applies_to and ctx.register.kind is None:
        outcome = _fixed(UNKNOWN, "common.kind_unknown")
    elif spec.applies_to and ctx.register.kind not in spec.applies_to:
        outcome = _fixed(NA, "common.kind_not_applicable", kind=ctx.register.kind, kinds=spec.applies_to)
    else:
        kind = KINDS[check.kind]
        try:   # judge: the one place a cell not understood keeps a verdict from resting on it
            outcome = judge(kind, ctx, ctx.checklist.params[check.id])
        except MissingInput as missing:   # the one place a missing input becomes `unknown`
            outcome = missing.outcome
    return CheckResult(
        id=check.id, requirement=spec.id, kind=check.kind, status=outcome.status,
        severity=outcome.severity or check.severity, message=outcome.message, params=outcome.params,
        evidence=outcome.evidence, source=check.source,
        from_config=_from_config(ctx.checklist, check.id, outcome.uses),
    )


def judge_county_duties(audit: TownshipAudit, checklist: Checklist, county: CountyData | None) -> TownshipAudit:
    """The county duties (R20–R22) of one township of a batch, judged once, kept apart for the roll-up.

    `county` is the county register with every township of the batch (None: no
    county register, so each duty is `unknown`). County checks read only the
    township's identity and the period, so the context's register holds just
    the identity from the audit; the township's workbook is not read again.
    The township's own result lists R20–R22 as `na` (the JSON keeps its keys)
    and its score is the one `check` and `audit` give (plan (二十)–(二十二) are
    the county's: 各县市要…)."""
    profile = {key: ProfileEntry(value, Evidence("基本情况")) for key, value in
               (("县市", audit.county), ("乡镇街道", audit.township), ("类型", audit.kind)) if value is not None}
    ctx = CheckContext(Register(audit.file, None, profile, {}, [], []), Period.parse(audit.period), checklist,
                       {"county": county} if county is not None else {})
    notes = list(audit.notes)
    judged = {spec.id: apply_waivers(_requirement(ctx, spec, BATCH), ctx, notes)
              for spec in checklist.requirements if spec.scope == "county"}
    township = {r.id: r for r in audit.requirements}
    requirements = [_in_rollup(judged[spec.id]) if spec.id in judged else township[spec.id]
                    for spec in checklist.requirements]
    return replace(audit, requirements=tuple(requirements), notes=tuple(dict.fromkeys(notes)),
                   score=township_score(requirements, checklist), county_duties=tuple(judged.values()))


def _in_rollup(judged: RequirementResult) -> RequirementResult:
    """A county duty as the township's result shows it: `na`, pointing at the roll-up's county section."""
    checks = tuple(replace(c, status=NA, message="county_duties.in_rollup", params={}, evidence=(), waiver=None)
                   for c in judged.checks)
    return RequirementResult(judged.id, NA, None, judged.weight, checks)


def waiver_matches(waiver: Any, county: str | None, township: str | None) -> bool:
    return norm(waiver.county) == norm(county or "") and norm(waiver.township) == norm(township or "")


def apply_waivers(result: RequirementResult, ctx: CheckContext, notes: list) -> RequirementResult:
    """A matching waiver valid through the period's last day turns its check `na`; an expired one is a note."""
    waivers = [w for w in ctx.checklist.waivers
               if waiver_matches(w, ctx.register.county, ctx.register.township)
               and any(c.id == w.check for c in result.checks)]
    if not waivers:
        return result
    checks = list(result.checks)
    for waiver in waivers:
        if waiver.expires < ctx.period.end:
            notes.append(Note("waiver-expired", "", f"{waiver.check}（{waiver.expires.isoformat()}）"))
            continue
        checks = [replace(c, status=NA, message="common.waived", waiver=waiver.to_json(),
                          params={**waiver.to_json(), "status": c.status}) if c.id == waiver.check else c
                  for c in checks]
    return replace(result, status=aggregate(checks), severity=requirement_severity(checks), checks=tuple(checks))


def _from_config(checklist: Checklist, check_id: str, uses: tuple[str, ...]) -> tuple[str, ...]:
    """The local-config keys this result rests on: its own settings and the data values it used."""
    return tuple(o for o in checklist.overrides
                 if o.startswith(f"checks.{check_id}.") or any(o == u or o.startswith(u + ".") for u in uses))


def _fixed(status: str, message: str, **params: Any):
    return outcome(status, message, **params)
