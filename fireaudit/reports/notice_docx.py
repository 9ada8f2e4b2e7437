"""整改通知书 (`--format docx`): one Word letter per township, to print, sign, seal and send.

Rendered with docxtpl from report_templates/notice.docx (notice.en.docx with
--lang en), or the same file in a county's `--templates DIR`. The template sees
two values:

- `report`: the TownshipView every writer uses (reports/view.py);
- `notice`: a NoticeView below: the letter's own fields (addressee, dates,
  deadlines, issuer, 抄送) and the township's problems grouped by requirement.

Every `{{ … }}` is XML-escaped (jinja2 autoescape) after control characters are
dropped and line breaks flattened, so nothing typed into a workbook can change
the document's structure. The environment is sandboxed like the Markdown one.
Deadlines come from checklists/notice.toml ([data.notice] in fireaudit.toml)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from fireaudit.checklist.data import NoticeData
from fireaudit.checklist.loader import convert
from fireaudit.errors import ConfigError
from fireaudit.i18n import t
from fireaudit.result import AuditRun, TownshipAudit

DATA = "notice"             # checklists/notice.toml: its shape is checklist.data.NoticeData
TEMPLATES = {"zh": "notice.docx", "en": "notice.en.docx"}
MAX_ERROR_EXAMPLES = 3
MAX_COMPILED = 64          # compiled template parts kept (a county's and the shipped templates)
CN_NUMBERS = "一二三四五六七八九十"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\t\x85\u2028\u2029]")


def notice_data(checklist) -> NoticeData:
    """The validated notice settings (the loader validates them; a checklist built otherwise is converted here)."""
    raw = checklist.data.get(DATA)
    if isinstance(raw, NoticeData):
        return raw
    if raw is None:
        raise ConfigError("error.config.data_missing", name="notice")
    return convert(raw, NoticeData, f"{DATA}.toml" + (f" + {checklist.config_file}" if checklist.config_file else ""))


# ---------------------------------------------------------------- what the template sees
@dataclass(frozen=True)
class NoticeItem:
    number: int             # 1, 2, … across the whole letter
    requirement: str        # R04
    check: str              # R04.2 ("" for a requirement without checks)
    title: str              # the check's title
    message: str            # what is wrong
    evidence: str           # `消防队伍!C4、消防队伍!C5 等3处`, or what is missing
    status_label: str       # 不达标 / 部分达标 / 无法核验
    severity: str
    severity_label: str     # 严重 / 一般 / 提示
    days: int
    deadline: str           # 2024年7月16日
    advice: str = ""        # what to do about this finding in particular ("" when the group's advice says it all)


@dataclass(frozen=True)
class NoticeGroup:
    number: str             # 一, 二, … (printed as （一）)
    requirement: str
    item: str               # （四）
    title: str
    advice: str
    findings: tuple[NoticeItem, ...]


@dataclass(frozen=True)
class NoticeView:
    township: str
    county: str
    addressee: str
    unit: str               # 镇 / 乡 / 街道: "你镇"
    plan: str
    period: str             # 2024年第二季度
    score: str
    date: str
    number: str
    issuer: str
    issuer_line: str        # the issuer, or a line to write it on
    cc: str
    cc_list: tuple[str, ...]
    contact: str
    items: str              # 第（四）、（十二）项
    report_by: str
    groups: tuple[NoticeGroup, ...]
    count: int
    register_errors: int
    register_error_examples: str
    sha256: str

    @property
    def findings(self) -> tuple[NoticeItem, ...]:
        return tuple(f for g in self.groups for f in g.findings)


def notice_view(run: AuditRun, audit: TownshipAudit, checklist, lang: str, view=None) -> NoticeView:
    """The letter's fields; `view` is the TownshipView (built here when not given)."""
    from fireaudit.reports.view import township_view

    view = view or township_view(run, audit, checklist, lang)
    settings = notice_data(checklist)
    letter = settings.letter
    issued = issue_date(run)
    county_scope = {r.id for r in checklist.requirements if r.scope == "county"}
    groups: list[NoticeGroup] = []
    number = 0
    for group in view.gaps:
        if group.requirement.id in county_scope:   # R20–R22 are the county's duties, not the township's
            continue
        items = []
        for finding in group.findings:
            number += 1
            severity = finding.severity or group.requirement.severity or "major"
            days = settings.deadline_days.get(severity) or max(settings.deadline_days.values(), default=30)
            evidence = t(lang, "report.list_separator").join(finding.evidence)
            if finding.more_evidence:
                evidence = f"{evidence} {finding.more_evidence}"
            items.append(NoticeItem(number, finding.requirement, finding.check, finding.title, finding.message,
                                    evidence or "—", finding.status_label, severity,
                                    finding.severity_label or group.requirement.severity_label, days,
                                    long_date(issued + timedelta(days=days), lang), finding.specific_advice))
        row = group.requirement
        groups.append(NoticeGroup(_cn_number(len(groups) + 1) if lang == "zh" else str(len(groups) + 1),
                                  row.id, _full_width(row.item) if lang == "zh" else row.item, row.title,
                                  row.advice, tuple(items)))
    findings = [f for g in groups for f in g.findings]
    latest = max((f.days for f in findings), default=0)
    report_days = letter.report_days or latest or max(settings.deadline_days.values(), default=30)
    township = view.township or t(lang, "notice.unnamed")
    kind = view.kind or ""
    addressee = letter.addressee.get(kind, letter.addressee_default)
    separator = "、" if lang == "zh" else ", "
    return NoticeView(
        township=township,
        county=view.county,
        addressee=_fill(addressee, township=township, county=view.county),
        unit=kind if kind and lang == "zh" else t(lang, "notice.unit"),
        plan=checklist.meta.title_zh if lang == "zh" else checklist.meta.title_en,
        period=period_text(audit.period, lang),
        score=f"{audit.score:g}",
        date=long_date(issued, lang),
        number=letter.number,
        issuer=letter.issuer,
        issuer_line=letter.issuer or "＿＿＿＿＿＿＿＿＿＿＿＿",
        cc=separator.join(letter.cc),
        cc_list=tuple(letter.cc),
        contact=letter.contact,
        items=t(lang, "notice.items", items=separator.join(g.item for g in groups)) if groups else
        t(lang, "notice.items_none"),
        report_by=long_date(issued + timedelta(days=report_days), lang),
        groups=tuple(groups),
        count=len(findings),
        register_errors=view.register_error_count,
        register_error_examples=separator.join(e.ref for e in view.register_errors[:MAX_ERROR_EXAMPLES]),
        sha256=audit.sha256,
    )


def issue_date(run: AuditRun) -> date:
    """The notice's date: the run's (SOURCE_DATE_EPOCH when set), in China's time zone (UTC+8)."""
    if run.generated_at:
        moment = datetime.strptime(run.generated_at, "%Y-%m-%dT%H:%M:%SZ")
        return (moment + timedelta(hours=8)).date()
    return date.today()


def long_date(day: date, lang: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def period_text(period: str, lang: str) -> str:
    """`2024Q2` as 2024年第二季度 (Chinese); unchanged otherwise."""
    match = re.fullmatch(r"(\d{4})Q([1-4])", period or "")
    if not match or lang != "zh":
        return period
    return f"{match.group(1)}年第{CN_NUMBERS[int(match.group(2)) - 1]}季度"


def _cn_number(n: int) -> str:
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def _full_width(item: str) -> str:
    return item.replace("(", "（").replace(")", "）")


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, **values: str) -> str:
    """A county's `{township}党委、人民政府` with the names filled in (values never act as a format)."""
    return template.format_map(_Values(values))


# ---------------------------------------------------------------- rendering
def docx_safe(value: Any) -> Any:
    """`finalize` for every `{{ … }}`: text without control characters, on one line (then XML-escaped)."""
    from markupsafe import Markup

    if isinstance(value, Markup) or value is None:
        return "" if value is None else value
    text = str(value)
    text = _CONTROL.sub("", text)
    text = _LINE_BREAK.sub(" ", text)
    return re.sub(r"[\ud800-\udfff]", "", text)


@lru_cache(maxsize=1)
def environment():
    """A sandboxed, autoescaping jinja2 environment for docxtpl, shared by a batch's notices.

    docxtpl compiles each XML part with `from_string`; the same template gives
    the same parts, so compiled parts are kept (a quarter of a notice's time)."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class CachingEnvironment(SandboxedEnvironment):
        compiled: dict[str, Any] = {}

        def from_string(self, source, globals=None, template_class=None):
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                if len(self.compiled) >= MAX_COMPILED:
                    self.compiled.clear()
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

    return CachingEnvironment(autoescape=True, finalize=docx_safe, undefined=StrictUndefined)


def template_path(templates: Path | None, lang: str) -> Path:
    """The notice template for `lang` in `templates` (default: the shipped report_templates/)."""
    from fireaudit.resources import data_dir

    directory = templates or data_dir("report_templates")
    name = TEMPLATES.get(lang, TEMPLATES["zh"])
    path = directory / name
    if not path.is_file():
        raise ConfigError("report.template_missing", directory=str(directory), name=name)
    return path


def load_template(templates: Path | None, lang: str = "zh"):
    """The docxtpl template, or a ConfigError naming the file (the CLI may call this before any work)."""
    from docxtpl import DocxTemplate

    path = template_path(templates, lang)
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
    except Exception as exc:   # python-docx raises several kinds on a file that is not a .docx
        raise ConfigError("notice.template_invalid", path=str(path), error=_reason(exc)) from None
    return template


def render(run: AuditRun, audit: TownshipAudit, options) -> bytes:
    from jinja2 import TemplateError

    from fireaudit.provenance import reproducible_zip
    from fireaudit.reports.view import township_view

    lang = options.lang
    view = township_view(run, audit, options.checklist, lang)
    notice = notice_view(run, audit, options.checklist, lang, view)
    template = load_template(options.templates, lang)
    try:
        template.render({"report": view, "notice": notice}, environment(), autoescape=True)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None) or "?"
        name = TEMPLATES.get(lang, TEMPLATES["zh"])
        raise ConfigError("report.template_error", name=name, line=line, error=str(exc)) from None
    properties = template.docx.core_properties
    properties.author = properties.last_modified_by = "fireaudit"
    properties.title = t(lang, "notice.doc_title", township=notice.township)
    properties.subject = f"{notice.county}{notice.township} {audit.period}"
    properties.keywords = f"fireaudit; sha256={audit.sha256}"
    properties.comments = view.generated_by
    buffer = io.BytesIO()
    template.save(buffer)
    return reproducible_zip(buffer.getvalue(), run.generated_at) if run.generated_at else buffer.getvalue()


def _reason(exc: Exception) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:200]
