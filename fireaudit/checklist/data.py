"""Typed shapes of the other data files in checklists/: GB/T 35547 grades, the annex, file limits.

They live here, in the checklist layer, so the loader validates every file
without importing the modules that use the data; DATA_SCHEMAS is written out
once below (file stem -> shape), not filled in by imports elsewhere."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from fireaudit.checklist.mapping import MappingSettings
from fireaudit.checklist.models import Strict
from fireaudit.errors import DataProblem

# local-policy: a local government's own rule (e.g. the 2018 Taizhou notice), never labelled as the standard's
Confidence = Literal["plan", "standard", "secondary", "local-policy", "assumed"]


# ---------------------------------------------------------------- gbt35547.toml (fireaudit/grades.py)
class Grades(Strict):
    order: list[str]
    full_time: list[str]
    source: str
    confidence: Confidence


class StreetRule(Strict):
    kinds: list[str]
    basis: str
    source: str
    confidence: Confidence


class NamedRule(Strict):
    basis: str
    source: str
    confidence: Confidence


class DefaultRule(Strict):
    grade: str
    basis: str
    source: str
    confidence: Confidence


class Rules(Strict):
    street: StreetRule
    named: NamedRule
    default: DefaultRule


class NamedTownship(Strict):
    county: str
    township: str
    grade: str
    source: str
    confidence: Confidence


class Criterion(Strict):
    grade: str
    key: str
    test: Literal["yes", "gt", "ge"]
    source: str
    confidence: Confidence
    value: float | None = None


class Minimum(Strict):
    value: float
    source: str
    confidence: Confidence
    shared_allowed: bool = False
    named_only: bool = False        # asked only of the plan's named townships (验收后投入执勤)


class Minimums(Strict):
    land_area: Minimum | None = None
    total_staff: Minimum | None = None
    engines: Minimum | None = None
    leaders: Minimum | None = None
    drivers_per_engine: Minimum | None = None
    crew_leaders_per_engine: Minimum | None = None
    duty_staff_per_engine: Minimum | None = None
    comms_safety: Minimum | None = None
    portable_pumps: Minimum | None = None
    barracks: Minimum | None = None
    acceptance_before_duty: Minimum | None = None


class Naming(Strict):
    """How a county and a township may be written and still be the plan's named one (grades.canonical_*)."""

    county_prefixes: list[str] = []       # 伊犁哈萨克自治州, 伊犁州 …
    county_kinds: list[str] = []          # 县, 市: optional, but 伊宁县 is not 伊宁市
    township_suffixes: list[str] = []     # 人民政府, 党委 …: stripped
    township_kinds: list[str] = []        # 乡, 镇: optional, but 惠远乡 is not 惠远镇
    source: str = ""


class GradeData(Strict):
    source: str
    grades: Grades
    rules: Rules
    named: list[NamedTownship]
    criteria: dict[str, Criterion]
    minimums: dict[str, Minimums]
    naming: Naming = Naming()

    def __post_init__(self) -> None:
        known = set(self.grades.order)
        for name, grade in [*((f"named {n.county}{n.township}", n.grade) for n in self.named),
                            *((f"criteria.{k}", c.grade) for k, c in self.criteria.items()),
                            *((f"minimums.{g}", g) for g in self.minimums),
                            ("rules.default", self.rules.default.grade),
                            *(("grades.full_time", g) for g in self.grades.full_time)]:
            if grade not in known:
                raise DataProblem("error.data.grade_not_in_order", key=name, grade=grade, order=list(self.grades.order))
        for key, criterion in self.criteria.items():
            if criterion.test != "yes" and criterion.value is None:
                raise DataProblem("error.data.criterion_needs_value", key=f"criteria.{key}", test=criterion.test)


# ---------------------------------------------------------------- annex.toml (fireaudit/annex.py)
class Rule(Strict):
    clause: list[list[str]]
    context: list[list[str]] = []
    unless: list[str] = []
    exclude: list[str] = []


class Category(Strict):
    name: str
    item: str
    annex_text: str
    departments: list[str]
    rules: list[Rule] = []
    any_department: bool = False


class Synonym(Strict):
    canonical: str
    variants: list[str]
    when: list[str] = []        # only in a clause holding one of these words


class Department(Strict):
    name: str
    keywords: list[str]
    source: str


class AnnexData(Strict):
    source: str
    multi_category_rule: str
    multi_category_source: str
    clause_separators: list[str]
    negations: list[str]
    negations_source: str
    department: list[Department]
    category: list[Category]
    keyword_sets: dict[str, list[str]] = {}
    clause_patterns: list[str] = []
    list_separators: list[str] = []
    multi_department_rule: str = "all"
    multi_department_source: str = ""
    suggestion_min_score: float = 1.0
    suggestion_source: str = ""
    former_departments: list[str] = []
    former_department_source: str = ""
    protected: list[str] = []
    synonym: list[Synonym] = []


# ---------------------------------------------------------------- limits.toml (fireaudit/register/preflight.py)
class Limits(Strict):
    source: str
    max_file_mb: float
    max_member_mb: float
    max_total_mb: float
    max_ratio: float
    ratio_min_member_mb: float
    max_members: int
    max_sheet_cells: int
    exact_scan_max_mb: float                # no longer used: every sheet is parsed exactly
    max_workbook_cells: int = 8000000
    text_prefix_chars: int = 500            # read by fireaudit/textnorm.py, from the shipped file
    text_prefix_source: str = ""
    annotate_max_cells: int = 2_000_000          # --annotate: see limits.toml
    annotate_max_merged: int = 20_000
    annotate_max_shared_strings: int = 1_000_000
    annotate_max_styles: int = 20_000
    # register errors listed per error code in reports and `check` text (fireaudit/listing.py); JSON keeps all
    listed_errors_per_code: Annotated[int, msgspec.Meta(ge=1)] = 20
    listed_errors_source: str = ""


class Letter(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """checklists/notice.toml [letter]: the 整改通知书's own fields (reports/notice_docx.py)."""

    issuer: str = ""
    number: str = ""
    cc: list[str] = []
    contact: str = ""
    report_days: int = 0
    addressee: dict[str, str] = {}
    addressee_default: str = "{township}"


class NoticeData(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """checklists/notice.toml: rectification deadlines per severity, and the letter."""

    source: str
    deadline_days: dict[str, int]
    letter: Letter = Letter()

    def __post_init__(self) -> None:
        unknown = sorted(set(self.deadline_days) - {"critical", "major", "advisory"})
        if unknown or any(days < 1 for days in self.deadline_days.values()):
            raise DataProblem("error.data.deadline_days")


DATA_SCHEMAS: dict[str, type] = {
    "gbt35547": GradeData,
    "annex": AnnexData,
    "limits": Limits,
    "mapping": MappingSettings,     # checklists/mapping.toml (fireaudit map, issue 15)
    "notice": NoticeData,           # checklists/notice.toml (--format docx)
}
