"""R07 against GB/T 35547-2017: the required grade is met, and each brigade meets its grade's minimums.

The grade a township needs and the minimums come from fireaudit/grades.py
(checklists/gbt35547.toml). Each minimum is evaluated per brigade by
`evaluate_item`, which the `fireaudit grade` command reuses; a finding names
the brigade, the value found, the minimum and that minimum's source and
confidence (or that the county's config set it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fireaudit import grades
from fireaudit.checklist.names import Vocab, nearest_hint
from fireaudit.errors import DataProblem
from fireaudit.checks.base import (
    FAIL, NA, PASS, UNKNOWN, CheckContext, CheckKind, MissingInput, Outcome, Params, missing_column, missing_sheet,
    need_column, outcome,
)
from fireaudit.checks.brigades import SHEET, township_brigades
from fireaudit.i18n import Joined, Phrase
from fireaudit.register.model import Evidence, Table, memo
from fireaudit.status import Severity
from fireaudit.textnorm import norm

MEMBERS = "队员"
PREFIX = "check.grade_minimum."


# ---------------------------------------------------------------- brigades and their members
@dataclass(frozen=True)
class Brigade:
    position: int
    name: str
    grade: str


def graded_brigades(ctx: CheckContext, table: Table) -> list[Brigade]:
    """The township's own brigades whose declared type is a GB/T 35547 grade."""
    data = grades.grade_data(ctx.checklist)
    names, kinds = table.column("队伍名称"), table.column("队伍类型")
    return [Brigade(i, names[i] or "", kinds[i]) for i in township_brigades(ctx)
            if grades.rank(data, kinds[i]) is not None]


def members_of(members: Table | None, brigade: str) -> list[int]:
    """Positions of the 队员 rows whose 所属队伍 is this brigade."""
    if members is None or not members.has("所属队伍"):
        return []
    teams = members.column("所属队伍")      # noted as read by the running check, every time
    return list(memo(members, "members_of", lambda: _member_index(teams)).get(norm(brigade), ()))


def _member_index(teams: list[Any]) -> dict[str, list[int]]:
    """normalised 所属队伍 -> positions: built once per audit, not once per brigade (and minimum)."""
    index: dict[str, list[int]] = {}
    for i, team in enumerate(teams):
        if team:
            index.setdefault(norm(str(team)), []).append(i)
    return index


def posts_of(members: Table, position: int) -> list[str]:
    value = members.column("岗位")[position] if members.has("岗位") else None
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# ---------------------------------------------------------------- one minimum, one brigade
@dataclass(frozen=True)
class ItemResult:
    """One minimum for one brigade: met, missed, or not verifiable, with the cells it rests on."""

    item: str
    brigade: Brigade
    status: str
    phrase: Phrase
    evidence: tuple[Evidence, ...]
    key: str                      # the data key of the minimum (for from_config)


def provenance(ctx: CheckContext, grade: str, item: str, minimum: grades.Minimum) -> dict[str, Any]:
    """Source and confidence of a minimum; a value the county set says so instead."""
    key = grades.minimum_key(grade, item)
    if ctx.checklist.is_overridden(key):
        return {"source": Phrase("check.grade_minimum.local_source", {"file": ctx.checklist.config_file or ""}),
                "confidence": Phrase("confidence.local")}
    return {"source": minimum.source, "confidence": Phrase(f"confidence.{minimum.confidence}")}


def _engines_on_duty(table: Table, i: int) -> int | None:
    """执勤消防车数量, else 消防车数量 (REQUIREMENTS.md, Settled readings: GB/T minimums)."""
    for column in ("执勤消防车数量", "消防车数量"):
        if table.has(column) and table.column(column)[i] is not None:
            return table.column(column)[i]
    return None


def _value(table: Table, i: int, column: str) -> Any:
    return table.column(column)[i] if table.has(column) else None


class _Eval:
    """Evaluates one item for one brigade; each method returns (status, phrase key, params, evidence)."""

    def __init__(self, table: Table, members: Table | None, brigade: Brigade, minimum: grades.Minimum):
        self.table, self.members, self.b, self.m = table, members, brigade, minimum
        self.value = minimum.value

    def cell(self, column: str) -> Evidence:
        return self.table.cell(self.b.position, column)

    def number(self, column: str):
        found = _value(self.table, self.b.position, column)
        if found is None:
            return UNKNOWN, "blank", {"column": column}, [self.cell(column)]
        status = PASS if found >= self.value else FAIL
        return status, "below" if status == FAIL else "met", {"found": found}, [self.cell(column)]

    def land_area(self):
        return self.number("建设用地面积")

    def total_staff(self):
        return self.number("队员人数")

    def engines(self):
        total = _value(self.table, self.b.position, "消防车数量")
        on_duty = _value(self.table, self.b.position, "执勤消防车数量")
        if total is None and on_duty is not None:      # 执勤车辆 only (system exports): engines on duty are
            if on_duty >= self.value:                  # engines, so the total is at least that many
                return PASS, "engines_on_duty_met", {"found": on_duty}, [self.cell("执勤消防车数量")]
            evidence = [self.cell("消防车数量")] if self.table.has("消防车数量") else [self.cell("执勤消防车数量")]
            return UNKNOWN, "blank", {"column": "消防车数量"}, evidence   # fewer on duty says nothing of the total
        return self.number("消防车数量")

    def portable_pumps(self):
        return self.number("手抬机动消防泵数量")

    def _post_count(self, post: str) -> tuple[int, list[Evidence]]:
        hits = [i for i in members_of(self.members, self.b.name) if post in posts_of(self.members, i)]
        return len(hits), [self.members.cell(i, "岗位") for i in hits]

    def _per_engine(self, post: str | None, column: str | None = None):
        engines = _engines_on_duty(self.table, self.b.position)
        duty_column = "执勤消防车数量" if self.table.has("执勤消防车数量") else "消防车数量"
        if engines is None:
            return UNKNOWN, "blank", {"column": duty_column}, [self.cell(duty_column)]
        required = int(self.value * engines)
        if column is not None:                                       # a count column of the brigade
            found = _value(self.table, self.b.position, column)
            if found is None:
                return UNKNOWN, "blank", {"column": column}, [self.cell(column)]
            evidence = [self.cell(column), self.cell(duty_column)]
        else:                                                        # a post in the members sheet
            found, evidence = self._post_count(post)
            evidence = [self.cell(duty_column), *evidence]
        status = PASS if found >= required else FAIL
        params = {"found": found, "engines": engines, "required": required, "post": post or ""}
        return status, "per_engine_met" if status == PASS else "per_engine_below", params, evidence

    def drivers_per_engine(self):
        return self._per_engine("驾驶员")

    def crew_leaders_per_engine(self):
        return self._per_engine("班长")

    def duty_staff_per_engine(self):
        return self._per_engine(None, "专职队员人数")

    def leaders(self):
        missing, evidence = [], []
        for post in ("队长", "副队长"):
            count, cells = self._post_count(post) if self.members is not None else (0, [])
            named = _value(self.table, self.b.position, post)
            if self.table.has(post):
                cells = [self.cell(post), *cells]
            evidence += cells
            if count < self.value and not named:
                missing.append(post)
        if missing:
            return FAIL, "posts_missing", {"missing": missing}, evidence or [self.cell("队伍名称")]
        return PASS, "posts_met", {"posts": ["队长", "副队长"]}, evidence

    def comms_safety(self):
        rows = members_of(self.members, self.b.name)
        comms = {i for i in rows if "通信员" in posts_of(self.members, i)}
        safety = {i for i in rows if "安全员" in posts_of(self.members, i)}
        evidence = [self.members.cell(i, "岗位") for i in sorted(comms | safety)] or [self.cell("队伍名称")]
        missing = [post for post, who in (("通信员", comms), ("安全员", safety)) if not who]
        if missing:
            return FAIL, "posts_missing", {"missing": missing}, evidence
        distinct = any(a != b for a in comms for b in safety)
        if not distinct and not self.m.shared_allowed:
            return FAIL, "posts_shared", {"posts": ["通信员", "安全员"]}, evidence
        return PASS, "posts_met", {"posts": ["通信员", "安全员"]}, evidence

    def barracks(self):
        found = _value(self.table, self.b.position, "固定营房")
        if found is None:
            return UNKNOWN, "blank", {"column": "固定营房"}, [self.cell("固定营房")]
        return (PASS, "yes", {}, [self.cell("固定营房")]) if found else (FAIL, "no", {}, [self.cell("固定营房")])

    def acceptance_before_duty(self):
        accepted = _value(self.table, self.b.position, "验收日期")
        on_duty = _value(self.table, self.b.position, "投入执勤日期")
        evidence = [self.cell("验收日期"), self.cell("投入执勤日期")]
        dates = {"accepted": accepted.isoformat() if accepted else "", "on_duty": on_duty.isoformat() if on_duty else ""}
        if on_duty is None:
            return UNKNOWN, "blank", {"column": "投入执勤日期"}, evidence[1:]
        if accepted is None:
            return FAIL, "not_accepted", dates, evidence
        if accepted > on_duty:
            return FAIL, "accepted_late", dates, evidence
        return PASS, "accepted_first", dates, evidence


# the columns (消防队伍) and whether the 队员 sheet is needed, per item
NEEDS: dict[str, tuple[tuple[str, ...], bool]] = {
    "land_area": (("建设用地面积",), False),
    "total_staff": (("队员人数",), False),
    "engines": (("消防车数量",), False),
    "portable_pumps": (("手抬机动消防泵数量",), False),
    "leaders": ((), False),
    "drivers_per_engine": ((), True),
    "crew_leaders_per_engine": ((), True),
    "duty_staff_per_engine": (("专职队员人数",), False),
    "comms_safety": ((), True),
    "barracks": (("固定营房",), False),
    "acceptance_before_duty": (("验收日期", "投入执勤日期"), False),
}


def applies(table: Table, brigade: Brigade, item: str, ctx: CheckContext | None = None) -> bool:
    """Items with a condition: the hand-carried pump is for a volunteer brigade without an engine;
    a `named_only` minimum (验收后投入执勤) is asked of the plan's named townships only."""
    if item == "portable_pumps":
        return not (_value(table, brigade.position, "消防车数量") or 0)
    if ctx is not None:
        minimum = grades.minimum(ctx.checklist, brigade.grade, item)
        if minimum is not None and minimum.named_only:
            data = grades.grade_data(ctx.checklist)
            return grades.named_township(data, ctx.register.county, ctx.register.township) is not None
    return True


def missing_input(ctx: CheckContext, table: Table, item: str) -> Outcome | None:
    """The `unknown` outcome when a column or sheet the item needs is absent (`fireaudit grade` shows it)."""
    columns, needs_members = NEEDS[item]
    if item == "engines" and table.has("执勤消防车数量"):
        columns = ()                     # the engines on duty may stand for the engines (_Eval.engines)
    for column in columns:
        if not table.has(column):
            return missing_column(table, column)
    members = ctx.table(MEMBERS)
    if item == "leaders" and not (table.has("队长") and table.has("副队长")):
        needs_members = True
    if needs_members:
        if members is None:
            return missing_sheet(MEMBERS, ctx.register)
        for column in ("所属队伍", "岗位"):
            if not members.has(column):
                return missing_column(members, column)
    return None


def evaluate_item(ctx: CheckContext, table: Table, brigade: Brigade, item: str) -> ItemResult | None:
    """The item for one brigade, or None when its declared grade has no such minimum."""
    minimum = grades.minimum(ctx.checklist, brigade.grade, item)
    if minimum is None or not applies(table, brigade, item, ctx):
        return None
    status, case, params, evidence = getattr(_Eval(table, ctx.table(MEMBERS), brigade, minimum), item)()
    phrase = Phrase(PREFIX + case, {
        "brigade": brigade.name, "grade": brigade.grade, "item": Phrase(f"gbt_item.{item}"),
        "minimum": int(minimum.value) if float(minimum.value).is_integer() else minimum.value,
        **params, **provenance(ctx, brigade.grade, item, minimum),
    })
    return ItemResult(item, brigade, status, phrase, tuple(evidence), grades.minimum_key(brigade.grade, item))


# ---------------------------------------------------------------- check kinds
class GradeMinimumParams(Params):
    item: str

    def __post_init__(self) -> None:
        if self.item not in grades.ITEMS:
            raise DataProblem("error.data.grade_item", item=self.item, hint=nearest_hint(self.item, grades.ITEMS))


def grade_minimum(ctx: CheckContext, p: GradeMinimumParams) -> Outcome:
    """Every 一级/二级/志愿 brigade of the township meets `item` for the grade it declares."""
    table = ctx.need(SHEET, "队伍名称", "队伍类型")
    label = Phrase(f"gbt_item.{p.item}")
    brigades = [b for b in graded_brigades(ctx, table)
                if grades.minimum(ctx.checklist, b.grade, p.item) is not None and applies(table, b, p.item, ctx)]
    if not brigades:
        return outcome(NA, "grade_minimum.none", item=label)
    gap = missing_input(ctx, table, p.item)
    if gap is not None:
        raise MissingInput(gap)
    results = [r for r in (evaluate_item(ctx, table, b, p.item) for b in brigades) if r is not None]
    uses = tuple(r.key for r in results)
    for status in (FAIL, UNKNOWN):
        hits = [r for r in results if r.status == status]
        if hits:
            return outcome(status, f"grade_minimum.{status}", [e for r in hits for e in r.evidence], uses=uses,
                           item=label, findings=[r.phrase for r in hits])
    return outcome(PASS, "grade_minimum.pass", [e for r in results for e in r.evidence[:1]], uses=uses,
                   item=label, findings=[r.phrase for r in results])


class RequiredGradeParams(Params):
    # these types must have 验收日期 to count (asked of the plan's named townships only)
    acceptance_required_for: list[Annotated[str, Vocab("队伍类型")]] = []
    on_duty_required: bool = True             # 投入执勤日期 on or before the period's end (named townships only)
    # a named township whose required brigade is not yet accepted and on duty, but which has a lower-grade
    # brigade on duty, is still building it (逐步建设): a gap at this severity, not the check's own
    building_severity: Severity = Severity.MAJOR


def required_grade_met(ctx: CheckContext, p: RequiredGradeParams) -> Outcome:
    """The township has the brigade the plan asks of it.

    Plan (七): the named townships build their 专职 brigade 逐步 and put it on duty after the
    消防救援机构's 验收 — those dates are asked of that brigade only; every other township builds
    a 志愿消防队 (no acceptance asked). A named township with only a lower-grade brigade on duty
    is a gap at `building_severity`; with none at all, at the check's own (critical)."""
    register = ctx.register
    if register.kind is None:
        return outcome(UNKNOWN, "common.kind_unknown", [register.profile_evidence("类型")])
    required = grades.resolve(ctx.checklist, register.county, register.township, register.kind)
    rule = rule_phrase(required)
    if required.grade is None:
        return outcome(NA, "required_grade_met.street", [register.profile_evidence("类型")], rule=rule)
    if required.near is not None:
        return outcome(UNKNOWN, "required_grade_met.more.near_miss",
                       [register.profile_evidence("县市"), register.profile_evidence("乡镇街道")],
                       written=f"{register.county or ''}{register.township or ''}",
                       named=f"{required.near.county}{required.near.township}", grade=required.near.grade)
    table = ctx.need(SHEET, "队伍名称", "队伍类型")
    data = grades.grade_data(ctx.checklist)
    own = township_brigades(ctx)
    names, kinds = table.column("队伍名称"), table.column("队伍类型")
    candidates = [i for i in own if grades.satisfies(data, kinds[i], required.grade)]
    params = dict(required=required.grade, rule=rule)
    uses = ("data.gbt35547.named", "data.gbt35547.rules", "data.gbt35547.grades")
    if required.rule != "named":                # 志愿 (or better) built: no acceptance or duty date asked
        if candidates:
            i = candidates[0]
            return outcome(PASS, "required_grade_met.more.built", [table.cell(i, "队伍类型")], uses=uses,
                           brigade=names[i], grade=kinds[i], **params)
        return _none(table, own, names, kinds, uses, params)
    end = ctx.period.end
    blockers: list[Phrase] = []
    evidence: list[Evidence] = []
    for i in candidates:
        problems = _not_ready(ctx, table, i, p, kinds[i])
        if not problems:
            return outcome(PASS, "required_grade_met.pass", [table.cell(i, "队伍类型")], uses=uses, witnessed=True,
                           brigade=names[i], grade=kinds[i], **params)
        evidence += [table.cell(i, column) for column, _ in problems]
        blockers.append(Phrase("check.required_grade_met.blocked",
                               {"brigade": names[i], "grade": kinds[i], "problems": [ph for _, ph in problems]}))
    on_duty = [i for i in own if grades.rank(data, kinds[i]) is not None and i not in candidates
               and _on_duty(ctx, table, i, data)]
    if on_duty:                                  # a lower grade serves while the required one is built (逐步)
        lower = Joined(tuple(Phrase("item.with", {"name": names[i], "detail": kinds[i]}) for i in on_duty))
        return outcome(FAIL, "required_grade_met.more.building",
                       evidence + [table.cell(i, "队伍类型") for i in on_duty], uses=uses, severity=p.building_severity,
                       lower=lower, blocked=blockers or [Phrase("check.required_grade_met.nothing")],
                       end=end.isoformat(), **params)
    if not candidates:
        return _none(table, own, names, kinds, uses, params)
    return outcome(FAIL, "required_grade_met.not_ready", evidence, uses=uses, blocked=blockers, end=end.isoformat(),
                   **params)


def _none(table: Table, own: list[int], names: list, kinds: list, uses: tuple[str, ...], params: dict) -> Outcome:
    evidence = [table.cell(i, "队伍类型") for i in own] or [table.header("队伍类型")]
    found = Joined(tuple(Phrase("item.with", {"name": names[i], "detail": kinds[i]}) for i in own if kinds[i])
                   or (Phrase("check.required_grade_met.nothing"),))
    return outcome(FAIL, "required_grade_met.none", evidence, uses=uses, found=found, **params)


def _not_ready(ctx: CheckContext, table: Table, i: int, p: RequiredGradeParams, kind: str) -> list[tuple[str, Phrase]]:
    """The dated steps (验收, 投入执勤) not taken by the period's end, with the column of each."""
    problems: list[tuple[str, Phrase]] = []
    steps = (("验收日期", "not_accepted", kind in p.acceptance_required_for),
             ("投入执勤日期", "not_on_duty", p.on_duty_required))
    for column, problem, asked in steps:
        if not asked:
            continue
        need_column(table, column)
        day = table.column(column)[i]
        if day is None or day > ctx.period.end:
            problems.append((column, Phrase(f"check.required_grade_met.{problem}")))
    return problems


def _on_duty(ctx: CheckContext, table: Table, i: int, data: grades.GradeData) -> bool:
    """A 志愿 brigade serves once listed (no date is asked of it); a 专职 one from its 投入执勤日期."""
    if table.column("队伍类型")[i] not in data.grades.full_time:
        return True
    if not table.has("投入执勤日期"):
        return False
    day = table.column("投入执勤日期")[i]
    return day is not None and day <= ctx.period.end


def rule_phrase(required: grades.RequiredGrade) -> Phrase:
    """Which rule decided the grade, with its source, in the reader's language."""
    key = "gbt_rule.more.near_miss" if required.rule == "near_miss" else f"gbt_rule.{required.rule}"
    near = Phrase("item.with", {"name": f"{required.near.county}{required.near.township}", "detail": required.near.grade}) \
        if required.near else ""
    return Phrase(key, {"grade": required.grade or "", "source": required.source, "basis": required.basis,
                        "near": near})


class GradeCriteriaParams(Params):
    pass


def grade_criteria(ctx: CheckContext, p: GradeCriteriaParams) -> Outcome:
    """Advisory: the configured criteria do not place the township above the plan's grade."""
    register = ctx.register
    if register.kind is None:
        return outcome(UNKNOWN, "common.kind_unknown", [register.profile_evidence("类型")])
    data = grades.grade_data(ctx.checklist)
    values = {c.key: register.value(c.key) for c in data.criteria.values()}   # read so the engine sees them
    required = grades.resolve(ctx.checklist, register.county, register.township, register.kind, values)
    if required.grade is None:
        return outcome(NA, "grade_criteria.street", [register.profile_evidence("类型")])
    uses = ("data.gbt35547.criteria",)
    params = dict(required=required.grade, rule=rule_phrase(required))
    if required.suggests_higher:
        fired = [criterion_phrase(data, k, register.value(data.criteria[k].key)) for k in required.suggestion.fired]
        evidence = [register.profile_evidence(data.criteria[k].key) for k in required.suggestion.fired]
        return outcome(FAIL, "grade_criteria.higher", evidence, uses=uses, suggested=required.suggestion.grade,
                       criteria=fired, **params)
    could_raise = [c.key for c in data.criteria.values()
                   if c.key in required.suggestion.missing and c.grade in required.higher_than_required]
    keys = list(dict.fromkeys(could_raise))
    if keys:
        return outcome(UNKNOWN, "grade_criteria.missing", [register.profile_evidence(k) for k in keys], uses=uses,
                       keys=keys, **params)
    return outcome(PASS, "grade_criteria.consistent", [], uses=uses, suggested=required.suggestion.grade or
                   Phrase("check.grade_criteria.no_grade"), **params)


def criterion_phrase(data: grades.GradeData, key: str, value: Any) -> Phrase:
    criterion = data.criteria[key]
    return Phrase(f"check.grade_criteria.{criterion.test}", {
        "key": criterion.key, "value": value, "threshold": criterion.value, "grade": criterion.grade,
        "source": criterion.source, "confidence": Phrase(f"confidence.{criterion.confidence}")})


class MemberCountParams(Params):
    pass


def member_count_matches(ctx: CheckContext, p: MemberCountParams) -> Outcome:
    """Advisory: each graded brigade's 队员人数 equals its rows in 队员 (REQUIREMENTS.md, GB/T minimums)."""
    table = ctx.need(SHEET, "队伍名称", "队伍类型", "队员人数")
    brigades = graded_brigades(ctx, table)
    if not brigades:
        return outcome(NA, "member_count_matches.none")
    members = ctx.need(MEMBERS, "所属队伍")
    mismatched, evidence = [], []
    for b in brigades:
        declared, listed = table.column("队员人数")[b.position], len(members_of(members, b.name))
        if declared != listed:
            mismatched.append(Phrase("check.member_count_matches.brigade",
                                     {"brigade": b.name, "declared": declared if declared is not None else "",
                                      "listed": listed}))
            evidence.append(table.cell(b.position, "队员人数"))
    if mismatched:
        return outcome(FAIL, "member_count_matches.differ", evidence, brigades=mismatched)
    return outcome(PASS, "member_count_matches.pass", [table.cell(b.position, "队员人数") for b in brigades],
                   brigades=[b.name for b in brigades])


KINDS: dict[str, CheckKind] = {
    "required_grade_met": CheckKind(required_grade_met, RequiredGradeParams),
    "grade_minimum": CheckKind(grade_minimum, GradeMinimumParams),
    "grade_criteria": CheckKind(grade_criteria, GradeCriteriaParams),
    "member_count_matches": CheckKind(member_count_matches, MemberCountParams),
}
