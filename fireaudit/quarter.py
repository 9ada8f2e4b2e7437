"""The county's quarter around a batch (issue 17), called from batch.run_batch in a few lines.

- what a batch must not read: its own -o folder, anything fireaudit wrote (known
  by the provenance rows it writes: reports/files.py written_by_fireaudit, the same
  test that lets a report replace a file), Office lock files;
- which of several workbooks for one township and period stands (--prefer);
- who has not submitted (乡镇名册 of the county register or [[roster]]);
- comparisons with earlier quarters that can be trusted: earlier periods only,
  canonical place names, a status that gets worse is a new problem, township
  requirements only; up to four quarters of scores per township;
- one roll-up per county plus the prefecture's when a batch holds several."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

from fireaudit.errors import ConfigError
from fireaudit.period import Period
from fireaudit.reports.files import written_by_fireaudit
from fireaudit.result import AuditRun, TownshipAudit
from fireaudit.batch_facts import Conflict, Place, Skipped, Superseded, TownshipChange, Trend
from fireaudit.textnorm import canonical_place, loose_county

OUTPUT, FIREAUDIT, LOCK = "output", "fireaudit", "lock"
PREFER_RULES = ("newest", "largest")
TREND_QUARTERS = 4                    # the batch's quarter and up to three before it
GAPS = ("fail", "partial", "unknown")
WORSE = {"pass": 0, "na": 0, "unknown": 1, "partial": 2, "fail": 3}   # a higher rank is a worse status
_LOCK = re.compile(r"^(?:~\$|\.~lock\.|\.~)")


# ---------------------------------------------------------------- what a batch must not read
def select_inputs(paths: Iterable[Path], directory: Path, output: Path) -> tuple[list[Path], list[Skipped]]:
    """`paths` (from discover) less the files under `output` and the files fireaudit wrote; plus lock files.

    When `output` is the input folder itself (or holds it), only provenance tells the two apart."""
    out = _resolved(output)
    by_place = not _under(_resolved(directory), out)
    kept, skipped = [], []
    for path in paths:
        if by_place and _under(_resolved(path), out):
            skipped.append(Skipped(str(path), OUTPUT))
        elif written_by_fireaudit(path):
            skipped.append(Skipped(str(path), FIREAUDIT))
        else:
            kept.append(path)
    skipped += lock_files(directory, out if by_place else None)
    return kept, sorted(skipped, key=lambda s: (s.reason, s.file))


def lock_files(directory: Path, output: Path | None) -> list[Skipped]:
    """Office and LibreOffice lock files (~$潘津镇.xlsx, .~lock.潘津镇.xlsx#) outside `output`."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if output is None or not _under(_resolved(Path(root) / d), output))
        found += [Skipped(str(Path(root) / name), LOCK) for name in sorted(files) if _LOCK.match(name)]
    return found


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


# ---------------------------------------------------------------- which workbook stands
def resolve_conflicts(townships: list[TownshipAudit], rule: str | None
                      ) -> tuple[list[TownshipAudit], list[Conflict], list[Superseded]]:
    """Group by canonical county + township + period; a group of several is settled by `rule` or stays a conflict.

    newest: the latest modified file; largest: the biggest file; anything else is a
    glob on the file name (or path): the one workbook it matches stands. A tie or no
    single match leaves the conflict (exit 3), never a guess."""
    groups: dict[tuple[str, str, str], list[TownshipAudit]] = {}
    for audit in townships:
        groups.setdefault((*canonical_place(audit.county, audit.township), audit.period), []).append(audit)
    kept, conflicts, superseded = [], [], []
    for group in groups.values():
        if len(group) == 1:
            kept.append(group[0])
            continue
        winner = _prefer(group, rule) if rule else None
        first = group[0]
        if winner is None:
            conflicts.append(Conflict(first.county, first.township, first.period, tuple(a.file for a in group)))
        else:
            kept.append(winner)
            superseded.append(Superseded(winner.county, winner.township, winner.period, winner.file,
                                         tuple(a.file for a in group if a is not winner), rule or ""))
    order = {id(a): n for n, a in enumerate(townships)}
    return sorted(kept, key=lambda a: order[id(a)]), conflicts, superseded


def _prefer(group: list[TownshipAudit], rule: str) -> TownshipAudit | None:
    if rule in PREFER_RULES:
        def measure(audit: TownshipAudit) -> float:
            try:
                stat = os.stat(audit.file)
            except OSError:
                return -1.0
            return stat.st_mtime if rule == "newest" else float(stat.st_size)

        ranked = sorted(group, key=measure, reverse=True)
        return ranked[0] if measure(ranked[0]) > measure(ranked[1]) else None
    matching = [a for a in group if fnmatch.fnmatch(Path(a.file).name, rule) or fnmatch.fnmatch(a.file, rule)]
    return matching[0] if len(matching) == 1 else None


# ---------------------------------------------------------------- who has not submitted
def roster_places(checklist, county_register: Any | None) -> tuple[Place, ...] | None:
    """The 乡镇名册 of the county register (as read), else [[roster]] of fireaudit.toml; None when neither has one."""
    places: list[Place] = []
    if county_register is not None:
        from fireaudit.register.county import roster

        places = [Place(e.county, e.township, e.kind, e.cell) for e in roster(county_register)]
    if not places:
        places = [Place(e.county.strip(), e.township.strip(), e.kind, checklist.config_file or "fireaudit.toml")
                  for e in checklist.roster]
    return tuple(places) if places else None


def submissions(roster: tuple[Place, ...], townships: Iterable[TownshipAudit], conflicts: Iterable[Conflict]
                ) -> tuple[tuple[Place, ...], tuple[Place, ...]]:
    """(未报送: in the roster with no workbook, 名册外: a workbook whose township is not in the roster).

    A township in conflict did submit. Names match canonically (PlaceIndex)."""
    sent = [(a.county, a.township, a.kind, a.file) for a in townships]
    sent += [(c.county, c.township, None, c.files[0]) for c in conflicts]
    index = PlaceIndex((p.county, p.township, p) for p in roster)
    matched = set()
    extra = []
    for county, township, kind, file in sent:
        place = index.get(county, township)
        if place is None:
            extra.append(Place(county, township, kind, file))
        else:
            matched.add(id(place))
    missing = tuple(p for p in roster if id(p) not in matched)
    return missing, tuple(extra)


class PlaceIndex:
    """Look a township up by canonical county + township; the county's 县/市 may be left off
    (`伊宁` finds `伊宁市`) only when that leaves one candidate."""

    def __init__(self, items: Iterable[tuple[str | None, str | None, Any]]):
        self.exact: dict[tuple[str, str], Any] = {}
        self.loose: dict[tuple[str, str], list[Any]] = {}
        for county, township, value in items:
            key = canonical_place(county, township)
            self.exact.setdefault(key, value)
            self.loose.setdefault((loose_county(key[0]), key[1]), []).append(value)

    def get(self, county: str | None, township: str | None) -> Any:
        key = canonical_place(county, township)
        if key in self.exact:
            return self.exact[key]
        candidates = self.loose.get((loose_county(key[0]), key[1]), [])
        return candidates[0] if len(candidates) == 1 else None


# ---------------------------------------------------------------- earlier quarters
def _get(data: Any, key: str, default: Any = None) -> Any:
    """A value of a baseline (a dict, or a validated struct)."""
    return data.get(key, default) if isinstance(data, dict) else getattr(data, key, default)


def baseline_period(data: Any) -> Period | None:
    """The period of a baseline JSON: its `period`, else the one period all its townships share."""
    period = Period.parse(_get(data, "period") or "")
    if period is not None:
        return period
    periods = {Period.parse(_get(t_, "period") or "") for t_ in _get(data, "townships", [])}
    return periods.pop() if len(periods) == 1 else None


def order_baselines(baselines: list[tuple[str, Any]]) -> list[tuple[Period, str, Any]]:
    """Baselines oldest first; each must know its period, and no two share one (exit 2 otherwise)."""
    ordered: dict[Period, tuple[str, Any]] = {}
    for path, data in baselines:
        period = baseline_period(data)
        if period is None:
            raise ConfigError("quarter.baseline_no_period", path=path)
        if period in ordered:
            raise ConfigError("quarter.baseline_twice", period=str(period), first=ordered[period][0],
                              second=path)
        ordered[period] = (path, data)
    return [(p, *ordered[p]) for p in sorted(ordered)]


def check_earlier(batch_period: Period | None, ordered: list[tuple[Period, str, Any]]) -> None:
    """Every baseline is of an earlier quarter than the batch (exit 2 naming both periods)."""
    if batch_period is None:
        return
    for period, path, _ in ordered:
        if period >= batch_period:
            raise ConfigError("quarter.baseline_not_earlier", path=path, baseline=str(period),
                              batch=str(batch_period))


def batch_period(run_period: str | None, townships: list[TownshipAudit]) -> Period | None:
    """The batch's quarter; several periods in one batch cannot be compared with a baseline (exit 2)."""
    if run_period:
        return Period.parse(run_period)
    periods = sorted({a.period for a in townships})
    if len(periods) > 1:
        raise ConfigError("quarter.batch_periods", periods=", ".join(periods))
    return None


def compare(townships: Iterable[TownshipAudit], previous: Any, checklist) -> tuple[TownshipChange, ...]:
    """Per township: the score change and the township requirements (R01–R19) whose status changed.

    A new problem is a gap whose status got worse (pass→partial, unknown→fail,
    partial→fail); a closed one is a gap that is no gap now."""
    township_ids = {r.id for r in checklist.requirements if r.scope == "township"}
    index = PlaceIndex((_get(p, "county"), _get(p, "township"), p) for p in _get(previous, "townships", []))
    rows = []
    for audit in townships:
        before = index.get(audit.county, audit.township)
        if before is None:
            rows.append(TownshipChange(audit.county, audit.township, audit.score))
            continue
        old = {_get(r, "id"): _get(r, "status") for r in _get(before, "requirements", [])}
        changed = [{"id": r.id, "from": old[r.id], "to": r.status} for r in audit.requirements
                   if r.id in township_ids and old.get(r.id) is not None and old[r.id] != r.status]
        score = _get(before, "score")
        rows.append(TownshipChange(
            audit.county, audit.township, audit.score, in_baseline=True,
            previous_score=score, previous_period=_get(before, "period"),
            change=round(audit.score - float(score or 0.0), 1),
            new_gaps=tuple(c["id"] for c in changed
                           if c["to"] in GAPS and WORSE.get(c["to"], 0) > WORSE.get(c["from"], 0)),
            closed_gaps=tuple(c["id"] for c in changed if c["from"] in GAPS and c["to"] not in GAPS),
            changed=tuple(changed),
        ))
    return tuple(rows)


def trend(townships: Iterable[TownshipAudit], ordered: list[tuple[Period, str, Any]], period: Period | None
          ) -> tuple[tuple[str, ...], tuple[Trend, ...]]:
    """Each township's score in the last TREND_QUARTERS quarters (the batch's last), from the baselines."""
    recent = ordered[-(TREND_QUARTERS - 1):]
    indexes = [PlaceIndex((_get(p, "county"), _get(p, "township"), p) for p in _get(data, "townships", []))
               for _, _, data in recent]
    periods = tuple(str(p) for p, _, _ in recent) + (str(period) if period else "—",)
    rows = []
    for audit in townships:
        scores = [_get(index.get(audit.county, audit.township) or {}, "score") for index in indexes]
        rows.append(Trend(audit.county, audit.township, tuple(scores) + (audit.score,)))
    return periods, tuple(rows)


# ---------------------------------------------------------------- one roll-up per county
def counties(run: AuditRun) -> list[str]:
    """The counties a batch holds (townships, conflicts, roster), as first spelled."""
    from fireaudit.reports.rollup_view import batch_counties

    return batch_counties(run)


def county_run(run: AuditRun, county: str) -> AuditRun:
    """The part of a batch that is `county`'s (unreadable and skipped files stay with the prefecture)."""
    key = canonical_place(county, "")[0]

    def mine(name: str | None) -> bool:
        return canonical_place(name, "")[0] == key

    batch = run.batch
    facts = None
    if batch is not None:
        facts = replace(
            batch,
            conflicts=tuple(c for c in batch.conflicts if mine(c.county)),
            superseded=tuple(s for s in batch.superseded if mine(s.county)),
            roster=tuple(p for p in batch.roster if mine(p.county)) if batch.roster is not None else None,
            not_submitted=tuple(p for p in batch.not_submitted if mine(p.county)),
            not_in_roster=tuple(p for p in batch.not_in_roster if mine(p.county)),
            baseline=tuple(c for c in batch.baseline if mine(c.county)) if batch.baseline is not None else None,
            trend=tuple(r for r in batch.trend if mine(r.county)),
            supervision_missed=tuple(n for n in batch.supervision_missed if n.startswith(county))
            if batch.supervision_missed is not None else None,
            skipped=(),
        )
    return replace(run, townships=tuple(a for a in run.townships if mine(a.county)), unreadable=(), batch=facts)


def rollup_parts(run: AuditRun, output: Path) -> list[tuple[AuditRun, Path, dict[str, Any]]]:
    """(run, folder, writers) of each roll-up: 汇总.* of the county; with several counties,
    <县市>/汇总.* each and the prefecture's at the top."""
    from fireaudit.reports.files import inside, safe_part
    from fireaudit.reports.rollup import PREFECTURE_WRITERS, ROLLUP_WRITERS

    names = counties(run)
    if len(names) <= 1:
        return [(run, output, ROLLUP_WRITERS)]
    parts = [(county_run(run, county), inside(output, safe_part(county)), ROLLUP_WRITERS) for county in names]
    return [*parts, (run, output, PREFECTURE_WRITERS)]


def rollup_targets(run: AuditRun, output: Path) -> list[Path]:
    """Every roll-up file a batch will write (checked against inputs and strangers' files before any write)."""
    from fireaudit.reports.files import inside
    from fireaudit.reports.rollup import ROLLUP_STEM

    return [inside(folder, f"{ROLLUP_STEM}.{name}") for _, folder, writers in rollup_parts(run, output)
            for name in writers]


def write_rollups(run: AuditRun, checklist, output: Path, lang: str,
                  files: list[tuple[Path, bytes | str]] | None = None) -> list[Path]:
    """Every roll-up (the counties' and the prefecture's), committed as one set: an interruption
    leaves the old 汇总.* everywhere or the new, never a mix. `files`: rollup_files, rendered already."""
    from fireaudit.reports.files import commit_set

    return commit_set(files if files is not None else rollup_files(run, checklist, output, lang))


def rollup_files(run: AuditRun, checklist, output: Path, lang: str) -> list[tuple[Path, bytes | str]]:
    """Every roll-up rendered, nothing written: (path, content) to commit as one set."""
    files: list[tuple[Path, bytes | str]] = []
    for part, folder, writers in rollup_parts(run, output):
        for writer in writers.values():
            writer(part, checklist, folder, lang, sink=files.append)
    return files
