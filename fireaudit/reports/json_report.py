"""The JSON of INTERFACE.md: stable English keys, the same whatever --lang says.

Messages inside it are rendered in Chinese (the default language) and carry
their message id and parameters, so a machine never has to parse a sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fireaudit.i18n import message_text, t
from fireaudit.result import AuditRun, CheckResult, TownshipAudit
from fireaudit.status import Status

if TYPE_CHECKING:   # a batch's own values: annotations only, so `check` never defines them
    from fireaudit.batch_facts import BatchFacts, TownshipChange

JSON_LANG = "zh"


def check_json(check: CheckResult, evidence: dict[int, list[dict[str, str]]] | None = None) -> dict[str, Any]:
    """One check's JSON; `evidence`: the evidence lists already written, by id of the tuple (checks that
    rest on the same 200,000 unparsed cells share one tuple, written once)."""
    if evidence is None:
        cells = [e.to_json() for e in check.evidence]
    else:
        cells = evidence.get(id(check.evidence))
        if cells is None:
            cells = evidence[id(check.evidence)] = [e.to_json() for e in check.evidence]
    out: dict[str, Any] = {
        "id": check.id,
        "status": check.status,
        "severity": check.severity,
        "message": message_text(check.message, check.params, JSON_LANG),
        "message_id": check.message,
        "evidence": cells,
        "source": check.source,
    }
    if check.from_config:
        out["from_config"] = list(check.from_config)
    if check.waiver:
        out["waiver"] = check.waiver
    return out


def _mapped(out: dict[str, Any], audit: TownshipAudit) -> dict[str, Any]:
    """A finding resting on a value the county's mapping read says so (issue 15): evidence `mapped`."""
    from fireaudit.register.model import mapped_reading

    if audit.mapped_cells:
        for requirement, result in zip(out["requirements"], audit.requirements):
            for check, check_result in zip(requirement["checks"], result.checks):
                for evidence, cell in zip(check["evidence"], check_result.evidence):
                    reading = mapped_reading(cell, audit.mapped_cells)
                    if reading is not None:
                        evidence["mapped"] = reading
    return out


def township_json(audit: TownshipAudit) -> dict[str, Any]:
    return _mapped(_township_json(audit), audit)


def _township_json(audit: TownshipAudit) -> dict[str, Any]:
    # evidence lists shared between checks unless a mapped reading is added to each cell's entry (`_mapped`)
    evidence: dict[int, list[dict[str, str]]] | None = None if audit.mapped_cells else {}
    return {
        "file": audit.file,
        "sha256": audit.sha256,
        "county": audit.county,
        "township": audit.township,
        "kind": audit.kind,
        "period": audit.period,
        "score": audit.score,
        "required_grade": audit.required_grade,
        "requirements": [
            {
                "id": r.id,
                "status": r.status,
                "severity": r.severity,
                **({} if r.checks else {"message": ""}),   # every check of it disabled by the county
                "checks": [check_json(c, evidence) for c in r.checks],
            }
            for r in audit.requirements
        ],
        "register_errors": _register_errors(audit.register_errors),
        "notes": [
            {"code": n.code, "sheet": n.sheet, "detail": n.detail,
             "message": t(JSON_LANG, f"note.{n.code}", sheet=n.sheet, detail=n.detail)}
            for n in audit.notes
        ],
    }


def _register_errors(errors: Any) -> list[dict[str, Any]]:
    """Every register error (all of them: the reports' listings cap, the JSON does not); each distinct
    message rendered once (200,000 unparseable dates say a handful of things)."""
    messages: dict[tuple, str] = {}
    out = []
    for e in errors:
        key = (e.code, e.value, e.expected, e.nearest)
        message = messages.get(key)
        if message is None:
            message = messages[key] = e.message(JSON_LANG)
        out.append({"sheet": e.sheet, "cell": e.cell, "value": e.value, "code": e.code, "message": message,
                    "nearest": list(e.nearest)})
    return out


def run_json(run: AuditRun) -> dict[str, Any]:
    return {
        "tool": "fireaudit",
        "version": run.tool_version,
        "checklist": {"id": run.checklist_id, "version": run.checklist_version},
        "config": {"file": run.config_file, "overrides": list(run.overrides)} if run.config_file else None,
        **({"mapping": run.mapping} if run.mapping else {}),
        "generated_at": run.generated_at,
        "period": run.period,
        "townships": [township_json(a) for a in run.townships],
        "unreadable": [{"file": u.file, "reason": u.reason} for u in run.unreadable],
        "notes": [{"code": n.code, "detail": n.detail, "message": t(JSON_LANG, f"note.{n.code}", sheet=n.sheet, detail=n.detail)}
                  for n in run.notes],
        **batch_json(run.batch),
    }


def batch_json(batch: BatchFacts | None) -> dict[str, Any]:
    """A batch's conflicts, county register and change since the baseline (nothing for other runs)."""
    if batch is None:
        return {}
    county = batch.county_register
    out: dict[str, Any] = {
        "conflicts": [{"county": c.county, "township": c.township, "period": c.period, "files": list(c.files)}
                      for c in batch.conflicts],
        "county_register": {"file": county.file, "sha256": county.sha256,
                            "register_errors": [{"sheet": e.sheet, "cell": e.cell, "value": e.value, "code": e.code,
                                                 "expected": e.expected, "nearest": list(e.nearest)}
                                                for e in county.register_errors]}
        if county else None,
    }
    if batch.baseline is not None:
        out["baseline"] = [_change_json(c) for c in batch.baseline]
    return out


def _change_json(change: TownshipChange) -> dict[str, Any]:
    head = {"county": change.county, "township": change.township, "score": change.score,
            "previous_score": change.previous_score}
    if change.in_baseline:
        head["previous_period"] = change.previous_period
    return {**head, "change": change.change, "new_gaps": list(change.new_gaps),
            "closed_gaps": list(change.closed_gaps), "changed": [dict(c) for c in change.changed]}


def dumps(run: AuditRun) -> str:
    """Indented UTF-8 JSON; msgspec encodes a 100,000-hazard result several times faster than json."""
    import msgspec

    return msgspec.json.format(msgspec.json.encode(run_json(run)), indent=2).decode("utf-8") + "\n"
