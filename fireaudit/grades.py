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
from fireaudit.textnorm import norm

DATA = "gbt35547"
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
    grade: str | None
    rule: str                       # street | named | default
    basis: str
    source: str
    confidence: str
    from_config: bool
    suggestion: Suggestion
    higher_than_required: tuple[str, ...] = ()   # grades above the required one

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


def named_township(data: GradeData, county: str | None, township: str | None) -> NamedTownship | None:
    """The plan's entry for this county AND township (伊宁县 is not 伊宁市)."""
    if not county or not township:
        return None
    key = (norm(county), norm(township))
    return next((n for n in data.named if (norm(n.county), norm(n.township)) == key), None)


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
    entry = named_township(data, county, township)
    if entry is not None:
        basis = rules.named.basis.format(county=entry.county, township=entry.township, grade=entry.grade)
        grade, source, confidence = entry.grade, entry.source, entry.confidence
        from_config = checklist.is_overridden(f"data.{DATA}.named") or checklist.is_overridden(f"data.{DATA}.rules.named")
        rule = "named"
    else:
        grade, basis = rules.default.grade, rules.default.basis
        source, confidence = rules.default.source, rules.default.confidence
        from_config = checklist.is_overridden(f"data.{DATA}.rules.default")
        rule = "default"
    higher = tuple(data.grades.order[: data.grades.order.index(grade)])
    return RequiredGrade(grade, rule, basis, source, confidence, from_config, suggestion, higher)


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
