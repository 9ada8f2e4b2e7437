"""The register template townships fill in (`fireaudit template`).

Generated from the same register spec the reader uses (checklists/register.toml),
so what a township submits is what fireaudit reads: every sheet and column in
contract order, headers with their units and the required marker, drop-downs
for vocabularies and yes/no, date and number validations, an input message on
every header and cell, and a 填表说明 sheet. openpyxl is imported inside the
functions so that `fireaudit --help` stays fast."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fireaudit.checklist import Checklist
from fireaudit.checklist.models import ColumnSpec, RegisterSpec, SheetSpec
from fireaudit.errors import ConfigError, FireauditError
from fireaudit.i18n import t
from fireaudit.period import Period
from fireaudit.reports.files import safe_part, write_atomic

PROMPT_LIMIT = 255        # Excel's limit on an input message
ERROR_LIMIT = 225         # ... on an error message
TITLE_LIMIT = 32          # ... on an input or error title
EXCEL_EPOCH = date(1899, 12, 30)
PROFILE_KIND_KEY = "类型"  # the profile key `--kind` fills in (REGISTER.md 基本情况)
COUNTY_FILE_STEM = "县市消防工作台账"   # default name of the county register template
COUNTY_INTRO = (1, 4)                  # intro lines the county guide words its own way


@dataclass(frozen=True)
class TemplateRequest:
    """What to pre-fill on 基本情况, and the language of the extra hints."""

    county: str | None = None
    township: str | None = None
    kind: str | None = None
    period: Period | None = None
    lang: str = "zh"
    force: bool = False      # replace an existing file (else exit 2: it may be a filled register)

    def prefill(self) -> dict[str, Any]:
        values = {"县市": self.county, "乡镇街道": self.township, PROFILE_KIND_KEY: self.kind,
                  "报告期": str(self.period) if self.period else None}
        return {key: value for key, value in values.items() if value}

    @property
    def place(self) -> str:
        return f"{self.county or ''}{self.township or ''}"


def canonical_kind(spec: RegisterSpec, text: str) -> str | None:
    """`--kind` as the 单位类型 vocabulary value it names (aliases accepted), or None."""
    from fireaudit.register.values import ValueParsers

    key = next(k for k in spec.profile.keys if k.name == PROFILE_KIND_KEY)
    value, problem = ValueParsers(spec).vocab(text, key.vocab or "")
    return None if problem else value


def kind_values(spec: RegisterSpec) -> list[str]:
    key = next(k for k in spec.profile.keys if k.name == PROFILE_KIND_KEY)
    return list(spec.vocabularies[key.vocab or ""].values)


def default_file_name(spec: RegisterSpec, request: TemplateRequest) -> str:
    parts = [request.county, request.township]
    stem = "".join(safe_part(p) for p in parts if p) + spec.template.file_stem
    return stem + (str(request.period) if request.period else "") + ".xlsx"


def county_file_name(request: TemplateRequest) -> str:
    """`伊宁市县市消防工作台账2024Q2.xlsx`: the county register template's default name."""
    stem = (safe_part(request.county) if request.county else "") + COUNTY_FILE_STEM
    return stem + (str(request.period) if request.period else "") + ".xlsx"


def write_template(checklist: Checklist, request: TemplateRequest, path: Path) -> Path:
    """Write the template to `path` (a directory gets the default file name), atomically."""
    if path.is_dir():
        path = path / default_file_name(checklist.register, request)
    return _save(build_template(checklist, request), path, request.force)


def write_county_template(checklist: Checklist, request: TemplateRequest, path: Path) -> Path:
    """Write the county register template (`fireaudit template --county-register`) to `path`."""
    if path.is_dir():
        path = path / county_file_name(request)
    return _save(build_county_template(checklist, request), path, request.force)


def _save(workbook, path: Path, force: bool = False) -> Path:
    if path.suffix.lower() != ".xlsx":
        raise FireauditError("template.bad_suffix", path=str(path))
    if (path.exists() or path.is_symlink()) and not force:   # a filled register is never silently replaced
        raise FireauditError("ux.template_exists", path=str(path))
    from fireaudit.openpyxl_lite import saved

    data = saved(workbook)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise FireauditError("template.cannot_write", path=str(path),
                             reason=exc.strerror or type(exc).__name__) from None
    return path


def build_template(checklist: Checklist, request: TemplateRequest):
    """The openpyxl Workbook: 填表说明, 基本情况, the table sheets in contract order, hidden 选项."""
    from fireaudit.openpyxl_lite import ensure_imported

    ensure_imported()
    from openpyxl import Workbook

    from fireaudit.reports.print_setup import prepare_workbook

    spec = checklist.register
    if spec.template.title_rows + 1 > spec.reader.header_search_rows:
        raise ConfigError("error.config.title_rows", rows=spec.template.title_rows, searched=spec.reader.header_search_rows)
    workbook = Workbook()
    workbook.remove(workbook.active)
    guide = workbook.create_sheet(spec.template.instructions_sheet)
    layout = _Layout(spec, request)
    options = layout.options(workbook)
    layout.profile_sheet(workbook.create_sheet(spec.profile.sheet), options)
    for sheet in spec.sheets:
        layout.table_sheet(workbook.create_sheet(sheet.name), sheet, options)
    layout.guide_sheet(guide, checklist)
    workbook.move_sheet(options.sheet, offset=len(workbook.sheetnames))  # keep 选项 last
    workbook.active = 0
    workbook.properties.creator = "fireaudit"
    prepare_workbook(workbook, f"{request.place} {request.period or ''}".strip(), request.lang, narrow=False)
    return workbook


def build_county_template(checklist: Checklist, request: TemplateRequest):
    """The county register (R20–R22, 乡镇名册): 填表说明, the `[[county_sheets]]` in order, hidden 选项.

    Same layout, drop-downs and input messages as the township template; the
    reader reads it back with `RegisterReader.read(path, county=True)`."""
    from fireaudit.openpyxl_lite import ensure_imported

    ensure_imported()
    from openpyxl import Workbook

    from fireaudit.reports.print_setup import prepare_workbook

    spec = checklist.register
    workbook = Workbook()
    workbook.remove(workbook.active)
    guide = workbook.create_sheet(spec.template.instructions_sheet)
    layout = _Layout(spec, request)
    options = layout.options(workbook)
    for sheet in spec.county_sheets:
        layout.table_sheet(workbook.create_sheet(sheet.name), sheet, options)
    layout.guide_sheet(guide, checklist, county=True)
    workbook.move_sheet(options.sheet, offset=len(workbook.sheetnames))
    workbook.active = 0
    workbook.properties.creator = "fireaudit"
    prepare_workbook(workbook, f"{request.place} {request.period or ''}".strip(), request.lang, narrow=False)
    return workbook


@dataclass
class _Options:
    """The hidden sheet of drop-down lists: vocabulary -> absolute range."""

    sheet: Any
    ranges: dict[str, str]


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs at `width` columns (Excel does not grow wrapped rows on open)."""
    return sum(max(1, -(-_width(part) // max(1, int(width) - 1))) for part in str(text).split("\n"))


def _fit_rows(sheet, first_row: int, widths: dict[int, float], line_height: float = 15.0) -> None:
    """Set the height of rows `first_row`… from their longest wrapped cell."""
    for row in sheet.iter_rows(min_row=first_row):
        lines = max((_lines(c.value, widths.get(c.column, 10)) for c in row if c.value is not None), default=1)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = line_height * lines + 3


def _print_setup(sheet) -> None:
    """Landscape, one page wide: how county offices print registers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class _Layout:
    """Writes the sheets; knows the spec, the request and the styles."""

    def __init__(self, spec: RegisterSpec, request: TemplateRequest):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.spec = spec
        self.settings = spec.template
        self.request = request
        self.lang = request.lang
        self.header_row = self.settings.title_rows + 1            # 1-based
        self.first_row = self.header_row + 1
        self.last_row = self.header_row + self.settings.data_rows
        thin = Side(style="thin", color="A6A6A6")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self.required_fill = PatternFill("solid", fgColor=self.settings.required_fill)
        self.optional_fill = PatternFill("solid", fgColor=self.settings.optional_fill)
        self.title_fill = PatternFill("solid", fgColor=self.settings.title_fill)
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.wrap = Alignment(vertical="top", wrap_text=True)
        self.middle = Alignment(vertical="center", wrap_text=True)
        yesno = spec.yesno
        self.yes, self.no = yesno.yes[0], yesno.no[0]

    # -- texts ---------------------------------------------------------------
    def form(self, column: ColumnSpec, lang: str) -> str:
        """How to write a value of this column's type (`填日期，格式如 2024-03-15。`)."""
        kind = column.type
        if kind in ("number", "count") and self.spec.unit_of(column):
            return t(lang, "template.form.number_unit", unit=self.spec.unit_of(column))
        return t(lang, f"template.form.{kind}", yes=self.yes, no=self.no)

    def prompt(self, column: ColumnSpec) -> tuple[str, str]:
        """Input-message title and text: the column's help, its form, and English hints with --lang en."""
        required = t("zh", "template.required") if column.required else ""
        text = f"{column.help}{self.form(column, 'zh')}{required}"
        if self.lang == "en":
            english = " ".join(p for p in (column.help_en, self.form(column, "en"),
                                           t("en", "template.required") if column.required else "") if p)
            text = f"{text}\n{english}"
        return _fit(self.spec.header_text(column, marked=True), TITLE_LIMIT), _fit(text, PROMPT_LIMIT)

    def error(self, column: ColumnSpec) -> str:
        s = self.settings
        params: dict[str, Any] = {"yes": self.yes, "no": self.no}
        if column.type == "date":
            params.update(earliest=s.earliest_date.isoformat(), latest=s.latest_date.isoformat())
        elif column.type == "year":
            params.update(earliest=s.earliest_year, latest=s.latest_year)
        elif column.vocab:
            params["values"] = "、".join(self.spec.vocabularies[column.vocab].values)
        key = "template.error." + ("number" if column.type == "number" else column.type)
        text = t("zh", key, **params)
        if self.lang == "en":
            text = f"{text}\n{t('en', key, **params)}"
        return _fit(text, ERROR_LIMIT)

    # -- validations ---------------------------------------------------------
    def validation(self, column: ColumnSpec, options: _Options):
        """The data validation of the column's value cells (an input message only for free text)."""
        from openpyxl.worksheet.datavalidation import DataValidation

        title, prompt = self.prompt(column)
        common = dict(allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt)
        checked = dict(common, showErrorMessage=True, errorTitle=_fit(t("zh", "template.error.title"), TITLE_LIMIT),
                       error=self.error(column))
        s = self.settings
        kind = column.type
        if kind == "yesno":
            return DataValidation(type="list", formula1=f'"{self.yes},{self.no}"', **checked)
        if kind == "vocab":
            return DataValidation(type="list", formula1=options.ranges[column.vocab or ""], **checked)
        if kind == "vocab_list":  # several values typed with 、: warn, do not refuse
            return DataValidation(type="list", formula1=options.ranges[column.vocab or ""], errorStyle="information",
                                  **checked)
        if kind == "date":
            return DataValidation(type="date", operator="between", formula1=str(_serial(s.earliest_date)),
                                  formula2=str(_serial(s.latest_date)), **checked)
        if kind == "count":
            return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", **checked)
        if kind == "number":
            return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", **checked)
        if kind == "year":
            return DataValidation(type="whole", operator="between", formula1=str(s.earliest_year),
                                  formula2=str(s.latest_year), **checked)
        return DataValidation(**common)

    def header_prompt(self, column: ColumnSpec):
        from openpyxl.worksheet.datavalidation import DataValidation

        title, prompt = self.prompt(column)
        return DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt)

    @staticmethod
    def number_format(column: ColumnSpec) -> str | None:
        return {"date": "yyyy-mm-dd", "text": "@", "year": "0", "count": "0"}.get(column.type)

    # -- sheets --------------------------------------------------------------
    def options(self, workbook) -> _Options:
        """One column per vocabulary on the hidden options sheet; list validations point here."""
        from openpyxl.utils import get_column_letter

        sheet = workbook.create_sheet(self.settings.options_sheet)
        ranges: dict[str, str] = {}
        for c, (name, vocab) in enumerate(self.spec.vocabularies.items(), start=1):
            letter = get_column_letter(c)
            sheet.cell(1, c, name).font = self.bold
            for r, value in enumerate(vocab.values, start=2):
                sheet.cell(r, c, value)
            ranges[name] = f"{_quoted(sheet.title)}!${letter}$2:${letter}${len(vocab.values) + 1}"
            sheet.column_dimensions[letter].width = max(_width(v) for v in [name, *vocab.values]) + 2
        sheet.sheet_state = "hidden"
        return _Options(sheet, ranges)

    def title(self, sheet, text: str, width: int) -> None:
        sheet.cell(1, 1, text).font = self.title_font
        sheet.cell(1, 1).alignment = self.center
        sheet.row_dimensions[1].height = 28
        if width > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=self.settings.title_rows, end_column=width)

    def sheet_title(self, sheet: str) -> str:
        """`伊宁市潘津镇责任人台账（2024Q2）`: never a header the reader could match."""
        period = self.request.period
        key = "template.title_period" if period else "template.title"
        return t("zh", key, place=self.request.place, sheet=sheet, period=str(period or ""))

    def header_cell(self, sheet, row: int, col: int, text: str, required: bool) -> None:
        cell = sheet.cell(row, col, text)
        cell.font = self.bold
        cell.fill = self.required_fill if required else self.optional_fill
        cell.alignment = self.center
        cell.border = self.border

    def profile_sheet(self, sheet, options: _Options) -> None:
        """Key | value | help rows; the value cells carry the validations, pre-filled from the request."""
        spec = self.spec.profile
        key_head, value_head, help_head = self.settings.profile_columns
        self.title(sheet, self.sheet_title(spec.sheet), 3)
        row = self.header_row
        for col, text in enumerate((key_head, value_head, help_head), start=1):
            self.header_cell(sheet, row, col, text, False)
        prefill = self.request.prefill()
        for r, key in enumerate(spec.keys, start=self.header_row + 1):
            self.header_cell(sheet, r, 1, self.spec.header_text(key, marked=True), key.required)
            value = sheet.cell(r, 2, prefill.get(key.name))
            value.border = self.border
            value.alignment = self.middle
            if self.number_format(key):
                value.number_format = self.number_format(key) or "General"
            note = sheet.cell(r, 3, f"{key.help}{self.form(key, 'zh')}")
            note.alignment = self.middle
            note.border = self.border
            for target, validation in ((f"A{r}", self.header_prompt(key)), (f"B{r}", self.validation(key, options))):
                validation.add(target)
                sheet.add_data_validation(validation)
        widths = (max(_width(self.spec.header_text(k, marked=True)) for k in spec.keys) + 4, 28, 70)
        for letter, width in zip("ABC", widths):
            sheet.column_dimensions[letter].width = width
        _fit_rows(sheet, self.header_row + 1, dict(enumerate(widths, start=1)))
        sheet.freeze_panes = f"A{self.header_row + 1}"
        _print_setup(sheet)

    def table_sheet(self, sheet, spec: SheetSpec, options: _Options) -> None:
        """Title, header row (units, `*`, colours, input messages), validations on `data_rows` rows."""
        from openpyxl.utils import get_column_letter

        self.title(sheet, self.sheet_title(spec.name), len(spec.columns))
        for c, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(c)
            header = self.spec.header_text(column, marked=True)
            self.header_cell(sheet, self.header_row, c, header, column.required)
            head = self.header_prompt(column)
            head.add(f"{letter}{self.header_row}")
            sheet.add_data_validation(head)
            values = self.validation(column, options)
            values.add(f"{letter}{self.first_row}:{letter}{self.last_row}")
            sheet.add_data_validation(values)
            dimension = sheet.column_dimensions[letter]
            dimension.width = max(_width(header) + 2, 12 if column.type == "date" else 8,
                                  16 if column.type in ("text", "vocab_list") and column.name != "序号" else 0)
            if self.number_format(column):
                dimension.number_format = self.number_format(column)
        sheet.row_dimensions[self.header_row].height = 32
        sheet.freeze_panes = f"A{self.first_row}"
        sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        _print_setup(sheet)

    def guide_sheet(self, sheet, checklist: Checklist, county: bool = False) -> None:
        """填表说明: what each sheet is for and which plan items it serves, then every column's help."""
        from openpyxl.utils import get_column_letter

        english = self.lang == "en"
        place = self.request.place
        texts = "template.county" if county else "template"
        sheet.cell(1, 1, t("zh", f"{texts}.guide_title", place=place)).font = self.title_font
        row = 2
        for n in range(1, 6):
            key = f"template.county.intro_{n}" if county and n in COUNTY_INTRO else f"template.guide.intro_{n}"
            line = t("zh", key, options=self.settings.options_sheet)
            if english:
                line += "\n" + t("en", key, options=self.settings.options_sheet)
            sheet.cell(row, 1, f"{n}. {line}").alignment = self.wrap
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
            row += 1

        items = {r.item: r for r in checklist.requirements}
        row += 1
        sheet.cell(row, 1, t("zh", "template.guide.sheets")).font = self.bold
        row += 1
        heads = ["sheet", "content", "plan_items", "required_columns"] + (["english"] if english else [])
        for c, key in enumerate(heads, start=1):
            self.header_cell(sheet, row, c, t("zh", f"template.guide.{key}"), False)
        row += 1
        profile = self.spec.profile
        entries = [] if county else [(profile.sheet, profile.description, profile.description_en,
                                      profile.plan_items, profile.keys)]
        sheets = self.spec.county_sheets if county else self.spec.sheets
        entries += [(s.name, s.description, s.description_en, s.plan_items, s.columns) for s in sheets]
        for name, description, description_en, plan_items, columns in entries:
            plan = "\n".join(t("zh", "template.plan_item", item=i.replace("(", "（").replace(")", "）"),
                               title=items[i].title_zh if i in items else "") for i in plan_items)
            required = "、".join(c.name for c in columns if c.required)
            cells = [name, description, plan, required] + ([description_en] if english else [])
            for c, value in enumerate(cells, start=1):
                cell = sheet.cell(row, c, value)
                cell.alignment = self.wrap
                cell.border = self.border
            row += 1

        row += 1
        sheet.cell(row, 1, t("zh", "template.guide.columns")).font = self.bold
        row += 1
        heads = ["sheet", "column", "is_required", "form", "help"] + (["english"] if english else [])
        for c, key in enumerate(heads, start=1):
            self.header_cell(sheet, row, c, t("zh", f"template.guide.{key}"), False)
        row += 1
        for name, _, _, _, columns in entries:
            for column in columns:
                cells = [name, self.spec.header_text(column, marked=True),
                         t("zh", "template.required_yes") if column.required else "",
                         self.form(column, "zh"), column.help]
                if english:
                    cells.append(" ".join(p for p in (column.help_en, self.form(column, "en")) if p))
                for c, value in enumerate(cells, start=1):
                    cell = sheet.cell(row, c, value)
                    cell.alignment = self.wrap
                    cell.border = self.border
                row += 1
        widths = dict(enumerate((14, 48, 36, 30, 48, 60), start=1))
        for c, width in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = width
        intro = sum(widths[c] for c in range(1, 6))
        for r in range(2, 7):  # the merged intro lines span columns A–E
            sheet.row_dimensions[r].height = 15.0 * _lines(sheet.cell(r, 1).value, intro) + 3
        _fit_rows(sheet, 8, widths)
        _print_setup(sheet)
