"""Which GB/T 35547-2017 brigade grade a township needs, and what each grade's minimums are.

One place for the grade logic, used by R07's checks, the JSON's
`required_grade` (fireaudit/audit.py) and the
`fireaudit grade` command. All values come from checklists/gbt35547.toml
(its shape is GradeData in fireaudit/checklist/data.py), so a county can override them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fireaudit.checklist import Checklist
from fireaudit.checklist.data import (  # noqa: F401 - the data's shape, re-exported for the grade logic's users
    Grades, StreetRule, NamedRule, DefaultRule, Rules, NamedTownship, Criterion, Minimum, Minimums, GradeData, Confidence,
)
from fireaudit.register.model import Note
from fireaudit.textnorm import norm

DATA = "gbt35547"
NEAR_MISS_NOTE = "more.named-near-miss"     # note.more.named-near-miss in the catalogue
ITEMS = ("land_area", "total_staff", "engines", "leaders", "drivers_per_engine", "crew_leaders_per_engine",
         "duty_staff_per_engine", "comms_safety", "portable_pumps", "barracks", "acceptance_before_duty")


def grade_data(checklist: Checklist) -> GradeData:
    return checklist.data[DATA]


# ---------------------------------------------------------------- the required grade
@dataclass(frozen=True)
class Suggestion:
    """The highest grade the configured criteria place the township in, and why."""

    grade: str | None
    fired: tuple[str, ...]          # criteria keys that apply
    missing: tuple[str, ...]        # profile keys the criteria need but were not given


@dataclass(frozen=True)
class RequiredGrade:
    """The grade a township must reach, the rule that says so, and what its criteria suggest."""

    grade: str | None
    rule: str                       # street | named | default
    basis: str
    source: str
    confidence: str
    from_config: bool
    suggestion: Suggestion
    higher_than_required: tuple[str, ...] = ()   # grades above the required one
    near: NamedTownship | None = None            # a named township the names come close to (rule near_miss)

    @property
    def suggests_higher(self) -> bool:
        return self.suggestion.grade is not None and self.suggestion.grade in self.higher_than_required

    def to_json(self, data: GradeData) -> dict[str, Any]:
        if self.grade is None:
            return {"grade": None, "basis": self.basis}     # INTERFACE.md: exactly this for a 街道
        out: dict[str, Any] = {"grade": self.grade, "basis": self.basis, "rule": self.rule,
                               "source": self.source, "confidence": self.confidence}
        if self.from_config:
            out["from_config"] = True
        if self.near is not None:
            out["near_miss"] = {"county": self.near.county, "township": self.near.township, "grade": self.near.grade}
        if self.suggests_higher:
            out["advisory"] = {
                "suggested_grade": self.suggestion.grade,
                "criteria": [{"key": k, "profile_key": data.criteria[k].key, "grade": data.criteria[k].grade,
                              "source": data.criteria[k].source, "confidence": data.criteria[k].confidence}
                             for k in self.suggestion.fired],
            }
        return out


def rank(data: GradeData, grade: str | None) -> int | None:
    """0 for the highest grade; None for a type that is not a grade (微型消防站, 企业专职消防队)."""
    return data.grades.order.index(grade) if grade in data.grades.order else None


def satisfies(data: GradeData, declared: str | None, required: str) -> bool:
    """A higher grade satisfies a lower requirement; a non-grade type never does."""
    have, need = rank(data, declared), rank(data, required)
    return have is not None and need is not None and have <= need


@dataclass(frozen=True)
class CanonicalName:
    """A name split into its stem and its optional kind: 霍城县 → (霍城, 县); 惠远镇人民政府 → (惠远, 镇)."""

    stem: str
    kind: str | None

    def same_as(self, other: "CanonicalName") -> bool:
        """The same stem, and a written kind must agree (伊宁县 is not 伊宁市; 惠远 is 惠远镇)."""
        return self.stem == other.stem and (self.kind is None or other.kind is None or self.kind == other.kind)


def _split(name: str, prefixes: list[str], suffixes: list[str], kinds: list[str]) -> CanonicalName:
    key = norm(name)
    for prefix in sorted((norm(p) for p in prefixes), key=len, reverse=True):
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
            break
    stripped = True
    while stripped:                                  # 惠远镇党委, 惠远镇人民政府
        stripped = False
        for suffix in sorted((norm(s) for s in suffixes), key=len, reverse=True):
            if key.endswith(suffix) and len(key) > len(suffix):
                key, stripped = key[: -len(suffix)], True
                break
    for kind in sorted((norm(k) for k in kinds), key=len, reverse=True):
        if key.endswith(kind) and len(key) > len(kind):
            return CanonicalName(key[: -len(kind)], kind)
    return CanonicalName(key, None)


def canonical_county(data: GradeData, name: str) -> CanonicalName:
    return _split(name, data.naming.county_prefixes, [], data.naming.county_kinds)


def canonical_township(data: GradeData, name: str) -> CanonicalName:
    return _split(name, [], data.naming.township_suffixes, data.naming.township_kinds)


@dataclass(frozen=True)
class NameMatch:
    """The plan's entry this county and township name (`entry`), or one they come close to (`near`)."""

    entry: NamedTownship | None = None
    near: NamedTownship | None = None


def match_named(data: GradeData, county: str | None, township: str | None) -> NameMatch:
    """Canonical names decide: 霍城 + 惠远 is 霍城县惠远镇. The same township stem under another
    county, or with 乡 for 镇, is a near miss: neither the named grade nor silently the default."""
    if not township:
        return NameMatch()
    town = canonical_township(data, township)
    place = canonical_county(data, county or "")
    near = None
    for entry in data.named:
        if not town.stem or town.stem != canonical_township(data, entry.township).stem:
            continue
        if county and town.same_as(canonical_township(data, entry.township)) \
                and place.same_as(canonical_county(data, entry.county)):
            return NameMatch(entry=entry)
        near = near or entry
    return NameMatch(near=near)


def named_township(data: GradeData, county: str | None, township: str | None) -> NamedTownship | None:
    """The plan's entry for this county AND township (canonical names; 伊宁县 is not 伊宁市)."""
    return match_named(data, county, township).entry


def suggest(data: GradeData, profile: dict[str, Any]) -> Suggestion:
    """Evaluate the configured criteria on profile values (canonical units, yes/no as bool)."""
    fired: list[str] = []
    missing: list[str] = []
    for key, criterion in data.criteria.items():
        value = profile.get(criterion.key)
        if value is None:
            if criterion.key not in missing:
                missing.append(criterion.key)
            continue
        if _fires(criterion, value):
            fired.append(key)
    grades = [data.criteria[k].grade for k in fired]
    best = min(grades, key=data.grades.order.index) if grades else None
    return Suggestion(best, tuple(k for k in fired if data.criteria[k].grade == best), tuple(missing))


def _fires(criterion: Criterion, value: Any) -> bool:
    if criterion.test == "yes":
        return value is True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return value > criterion.value if criterion.test == "gt" else value >= criterion.value


def resolve(checklist: Checklist, county: str | None, township: str | None, kind: str | None,
            profile: dict[str, Any] | None = None) -> RequiredGrade:
    """The grade the township needs: 街道 → none; named in plan item (七) → that grade; else 志愿."""
    data = grade_data(checklist)
    suggestion = suggest(data, profile or {})
    rules = data.rules
    if kind in rules.street.kinds:
        return RequiredGrade(None, "street", rules.street.basis, rules.street.source, rules.street.confidence,
                             checklist.is_overridden(f"data.{DATA}.rules.street"), suggestion)
    match = match_named(data, county, township)
    entry = match.entry
    if entry is not None:
        basis = rules.named.basis.format(county=entry.county, township=entry.township, grade=entry.grade)
        grade, source, confidence = entry.grade, entry.source, entry.confidence
        from_config = checklist.is_overridden(f"data.{DATA}.named") or checklist.is_overridden(f"data.{DATA}.rules.named")
        rule = "named"
    else:
        grade, basis = rules.default.grade, rules.default.basis
        source, confidence = rules.default.source, rules.default.confidence
        from_config = checklist.is_overridden(f"data.{DATA}.rules.default")
        rule = "near_miss" if match.near is not None else "default"
    higher = tuple(data.grades.order[: data.grades.order.index(grade)])
    return RequiredGrade(grade, rule, basis, source, confidence, from_config, suggestion, higher, match.near)


def near_miss_note(checklist: Checklist, county: str | None, township: str | None) -> Note | None:
    """The warning every report carries when the names come close to a named township but do not match."""
    near = match_named(grade_data(checklist), county, township).near
    if near is None:
        return None
    return Note(NEAR_MISS_NOTE, f"{county or ''}{township or ''}", f"{near.county}{near.township}（{near.grade}）")


def profile_values(register) -> dict[str, Any]:
    """The profile values the criteria read, by canonical key."""
    return {key: entry.value for key, entry in register.profile.items()}


def required_grade_json(ctx) -> dict[str, Any]:
    """The JSON's `required_grade` for one township."""
    register = ctx.register
    required = resolve(ctx.checklist, register.county, register.township, register.kind, profile_values(register))
    return required.to_json(grade_data(ctx.checklist))


# ---------------------------------------------------------------- minimums
def minimum(checklist: Checklist, grade: str, item: str) -> Minimum | None:
    table = grade_data(checklist).minimums.get(grade)
    return getattr(table, item) if table is not None else None


def minimum_key(grade: str, item: str) -> str:
    """The dotted key of a minimum, as checklist.overrides records it."""
    return f"data.{DATA}.minimums.{grade}.{item}"
