"""Typed shapes of the files in checklists/ and of a county's fireaudit.toml.

msgspec validates them on load: an unknown key or a wrong type is reported
with the file and the key path, the way yamllint rejects a bad rule option."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import msgspec

from fireaudit.errors import DataProblem
from fireaudit.status import Severity
ColumnType = Literal[
    "text", "number", "count", "year", "yesno", "date", "period", "vocab", "vocab_list", "ignore"
]
SEVERITY_ORDER: dict[str, int] = {s.value: s.rank for s in Severity}   # old name of Severity.rank; use that


class Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The one strict base of every checklist shape: an unknown key or a wrong type is an error."""


_Strict = Strict   # the name this file's shapes use


# ---------------------------------------------------------------- register.toml
class ReaderSettings(_Strict):
    source: str
    header_search_rows: int
    header_min_matches: int
    skip_row_prefixes: list[str]
    end_row_prefixes: list[str]
    required_marker: str
    list_separators: list[str]
    max_text_length: int
    # issue 14 (REAL-FORMS.md): how older forms write values; all optional
    number_prefixes: list[str] = []       # `共计13人`, `约50人`: words before a count
    meeting_bodies: list[str] = []        # 党委会 …: a meeting named by the body that met
    meeting_topic_words: list[str] = []   # … counts as 专题研究 only when its 议题 names one of these
    refusal_words: list[str] = []         # 未整改 with one of these in the row's text is 拒不整改
    echo_yes_prefixes: list[str] = []     # `已应用` in 应用网格化管理平台: a prefix + the column's own verb is yes …
    echo_no_prefixes: list[str] = []      # … `尚未纳入` in 纳入财政预算 is no
    auto_block_headings: int = 0          # a sheet with this many numbered headings naming register sheets is a
                                          # one-sheet register, read block by block without a mapping (0: never)
    qualified_sheet_min_length: int = 0   # `潘津镇消防安全责任人`: a known sheet name this long after a place or year
    remark_columns: list[str] = []        # 备注: where a hazard row may record its referral …
    referral_verbs: list[str] = []        # … `已于2024年5月17日抄告县市监局`
    referral_done_prefixes: list[str] = []   # 已 (done); 拟移交 (planned) is no referral


class YesNo(_Strict):
    yes: list[str]
    no: list[str]


class Dimension(_Strict):
    canonical: str
    units: dict[str, float]
    max: float | None = None     # largest plausible value in the canonical unit; above it is a register error


class Vocabulary(_Strict):
    values: list[str]
    aliases: dict[str, str] = {}
    # values that are understood but outside the plan's list (协管员 is a 消防职责 no check asks for):
    # read as themselves, never offered in the template's drop-down and never counted as a listed value
    others: list[str] = []
    # words that name a class of values but not which one (乡镇政府专职消防队: full-time, grade not stated):
    # still a register error, but a check asking only for the class may rest on it (register/model.resolve)
    classes: dict[str, list[str]] = {}


class ColumnSpec(_Strict):
    name: str
    type: ColumnType
    required: bool = False
    aliases: list[str] = []
    vocab: str | None = None
    dimension: str | None = None
    help: str = ""               # what to write here, shown to the clerk (template input message)
    help_en: str = ""            # the same in English (`fireaudit template --lang en`)
    yes: list[str] = []          # words this yes/no column alone reads as yes (`畅通` for the lane column)
    no: list[str] = []           # … and as no (`被堵塞`, `部分堵塞`)
    several: bool = False        # a vocab cell may name several values (`主要责任人、消防安全管理人`): a tuple
    mapped: dict[str, str] = {}  # a county's value map (fireaudit.toml [register]): value as written -> value read


class SheetSpec(_Strict):
    name: str
    columns: list[ColumnSpec]
    aliases: list[str] = []
    plan_items: list[str] = []
    description: str = ""
    description_en: str = ""
    header_row: int | None = None   # a county's hint (fireaudit.toml [register]): 1-based row of the header


class ProfileSpec(_Strict):
    sheet: str
    keys: list[ColumnSpec]
    aliases: list[str] = []
    plan_items: list[str] = []
    description: str = ""
    description_en: str = ""
    layout: Literal["rows", "grid", "columns"] | None = None   # a county's hint; None: key | value rows or a grid


class TemplateSettings(_Strict):
    """How `fireaudit template` lays out the workbook townships fill in."""

    instructions_sheet: str = "填表说明"   # the template's own sheets, which the reader skips silently
    options_sheet: str = "选项"            # hidden sheet holding the drop-down lists
    title_rows: int = 1                    # rows above the header (within reader.header_search_rows)
    profile_columns: tuple[str, str, str] = ("项目", "填报内容", "填写说明")   # key | value | help on the profile sheet
    file_stem: str = "消防工作台账"          # default file name: <县市><乡镇街道><file_stem><报告期>.xlsx
    data_rows: int = 500                   # rows below the header covered by validations
    earliest_date: date = date(1950, 1, 1)
    latest_date: date = date(2099, 12, 31)
    earliest_year: int = 1900
    latest_year: int = 2100
    required_fill: str = "FCE4D6"          # header colour of required columns
    optional_fill: str = "DDEBF7"
    title_fill: str = "F2F2F2"


class RegisterSpec(_Strict):
    reader: ReaderSettings
    yesno: YesNo
    dimensions: dict[str, Dimension]
    vocabularies: dict[str, Vocabulary]
    profile: ProfileSpec
    sheets: list[SheetSpec]
    county_sheets: list[SheetSpec] = []
    template: TemplateSettings = TemplateSettings()
    # a county's mapping (fireaudit.toml [register], issue 15): block headings of a one-sheet register
    # -> register sheet, defaults for 类型/报告期, and the mapping file with its SHA-256
    blocks: dict[str, str] = {}
    defaults: dict[str, str] = {}
    mapping_file: str | None = None
    mapping_sha256: str | None = None

    def unit_of(self, column: ColumnSpec) -> str:
        """The canonical unit of a number column (`万元`), or "" for none."""
        dimension = self.dimensions.get(column.dimension or "")
        return dimension.canonical if dimension and column.type in ("number", "count") else ""

    def header_text(self, column: ColumnSpec, *, marked: bool = False) -> str:
        """The header as the template writes it, so the reader finds the unit: `预算金额（万元）*`.

        `marked` appends the required marker (the reader strips it)."""
        unit = self.unit_of(column)
        text = f"{column.name}（{unit}）" if unit else column.name
        return text + (self.reader.required_marker if marked and column.required else "")


# ---------------------------------------------------------------- requirements.toml and checks/*.toml
class ChecklistMeta(_Strict):
    id: str
    version: str
    title_zh: str
    title_en: str
    source: str


class Scoring(_Strict):
    source: str
    status_points: dict[str, float]
    pass_line: float
    pass_line_source: str


class RequirementSpec(_Strict):
    id: str
    item: str
    section: str
    title_zh: str
    title_en: str
    source: str
    advice_zh: str
    advice_en: str
    weight: float
    applies_to: list[str] = []
    scope: Literal["township", "county"] = "township"

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def advice(self, lang: str) -> str:
        return self.advice_en if lang == "en" else self.advice_zh


class CheckSpec(_Strict):
    id: str
    requirement: str
    kind: str
    severity: Severity
    title_zh: str
    title_en: str
    source: str
    params: dict[str, Any] = {}
    enabled: bool = True
    advice: str | None = None   # catalogue key of this check's own 整改建议 (fireaudit/reports/advice.py)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh


class RequirementsFile(_Strict):
    checklist: ChecklistMeta
    scoring: Scoring
    requirement: list[RequirementSpec]


class ChecksFile(_Strict):
    check: list[CheckSpec]


# ---------------------------------------------------------------- a county's fireaudit.toml
class CheckOverride(_Strict):
    severity: Severity | None = None
    enabled: bool | None = None
    params: dict[str, Any] = {}


class RequirementOverride(_Strict):
    weight: float | None = None


class ScoringOverride(_Strict):
    pass_line: float | None = None


class Waiver(_Strict):
    """A county's decision to accept a gap for one township, until a date."""

    county: str
    township: str
    check: str
    reason: str
    approver: str
    expires: date

    def to_json(self) -> dict[str, str]:
        return {"reason": self.reason, "approver": self.approver, "expires": self.expires.isoformat()}


class RosterTownship(_Strict):
    """One `[[roster]]` entry: a township the county expects a register from."""

    county: str
    township: str
    kind: str | None = None

    def __post_init__(self) -> None:
        if not self.county.strip() or not self.township.strip():
            raise DataProblem("error.data.place_empty")


class BatchSettings(_Strict):
    """`[batch]`: which of two workbooks for one township and period stands (newest, largest or a file glob)."""

    prefer: str | None = None

    def __post_init__(self) -> None:
        if self.prefer is not None and not self.prefer.strip():
            raise DataProblem("error.data.prefer")


class SheetMapping(_Strict):
    """One register sheet as a county's own form writes it (fireaudit.toml [register.sheets.<name>])."""

    names: list[str] = []                      # workbook sheet names that are this sheet
    columns: dict[str, str] = {}               # header (or profile key) as written -> register column
    values: dict[str, dict[str, str]] = {}     # register column -> {value as written -> register value}
    header_row: int | None = None              # 1-based row of the header (of a two-row header, the upper
                                               # row: names under a merged group heading are read with it)
    layout: Literal["rows", "grid", "columns"] | None = None   # the profile only: key | value rows, a grid,
                                                               # or keys across one row with values under them


class RegisterMapping(_Strict):
    """A county's mapping of its forms onto the register (written by `fireaudit map`)."""

    sheets: dict[str, SheetMapping] = {}
    blocks: dict[str, str] = {}                # heading of a block in a one-sheet register -> register sheet
    defaults: dict[str, str] = {}              # 类型 / 报告期 where a form never states them


class LocalConfig(_Strict):
    """Everything a county may change; every other key is a mistake."""

    checks: dict[str, CheckOverride] = {}
    waivers: list[Waiver] = []
    requirements: dict[str, RequirementOverride] = {}
    scoring: ScoringOverride = ScoringOverride()
    data: dict[str, Any] = {}
    roster: list[RosterTownship] = []       # 乡镇名册 when the county register has none (issue 17)
    batch: BatchSettings = BatchSettings()
    register: RegisterMapping = RegisterMapping()

    def __post_init__(self) -> None:
        from fireaudit.textnorm import canonical_place

        seen: set[tuple[str, str]] = set()
        for n, entry in enumerate(self.roster):
            key = canonical_place(entry.county, entry.township)
            if key in seen:
                raise DataProblem("error.data.roster_twice", n=n, place=f"{entry.county}{entry.township}")
            seen.add(key)
