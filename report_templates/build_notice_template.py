"""Builds the shipped 整改通知书 templates, notice.docx (Chinese) and notice.en.docx, with python-docx.

Run once after changing it (`python report_templates/build_notice_template.py`) and
commit the .docx files beside it; tests/test_notice_docx.py checks that a rebuild
gives the same text. The layout follows GB/T 9704 (党政机关公文格式) where a
notice needs it: A4, margins 37/35/28/26 mm, title in 宋体 bold 二号, body in
仿宋 三号, headings in 黑体 and 楷体, page numbers at the foot, 抄送 at the end.

The placeholders are docxtpl's jinja2 (`{{ … }}`, `{%p … %}` for a paragraph
that is only a loop or a condition); fireaudit/reports/notice_docx.py lists what
`notice` and `report` hold. A county may copy and edit the .docx in Word or WPS
and pass its folder with `--templates DIR`: keep each `{{ … }}` in one run
(type it in one go, do not format half of it)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = {"zh": "notice.docx", "en": "notice.en.docx"}
BUILT_AT = "2024-01-23T00:00:00Z"     # the plan's date: a rebuild gives the same bytes (same python-docx)

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "宋体", "仿宋", "黑体", "楷体"
BODY_PT, ITEM_PT, TITLE_PT, SMALL_PT = 16, 14, 22, 9
LINE_PT = 28           # fixed line spacing of the body (GB/T 9704: 22 lines of 28 pt per page)

# (style, zh, en). Styles: number, title, addressee, body, heading, group, item, advice,
# control (a `{%p … %}` paragraph), signature, date, cc, small.
CONTENT: list[tuple[str, str, str]] = [
    ("number", "{{ notice.number }}", "{{ notice.number }}"),
    ("title", "关于{{ notice.township }}消防工作存在问题限期整改的通知",
     "Notice to {{ notice.township }} on fire-safety problems to be fixed within set time limits"),
    ("addressee", "{{ notice.addressee }}：", "To {{ notice.addressee }}:"),
    ("body", "根据《{{ notice.plan }}》，经对你{{ notice.unit }}报送的{{ notice.period }}消防工作台账"
             "（{{ report.file }}）审核，审核得分{{ notice.score }}分，发现以下问题。现将有关事项通知如下：",
     "Under the {{ notice.plan }}, the {{ notice.period }} fire-work register of your {{ notice.unit }} "
     "({{ report.file }}) has been audited: score {{ notice.score }}. The problems found and what is required "
     "are set out below."),
    ("heading", "一、存在的问题", "1. Problems found"),
    ("control", "{%p if notice.groups %}", "{%p if notice.groups %}"),
    ("control", "{%p for group in notice.groups %}", "{%p for group in notice.groups %}"),
    ("group", "（{{ group.number }}）{{ group.title }}（实施方案第{{ group.item }}项）",
     "({{ group.number }}) {{ group.title }} (plan item {{ group.item }})"),
    ("control", "{%p for f in group.findings %}", "{%p for f in group.findings %}"),
    ("item", "{{ f.number }}. {{ f.message }}（要求：{{ f.title }}；{{ f.severity_label }}，{{ f.status_label }}；"
             "台账位置：{{ f.evidence }}；整改期限：{{ f.deadline }}前，{{ f.days }}日内）",
     "{{ f.number }}. {{ f.message }} (required: {{ f.title }}; {{ f.severity_label }}, {{ f.status_label }}; "
     "in the register: {{ f.evidence }}; fix by {{ f.deadline }}, within {{ f.days }} days)"),
    ("control", "{%p if f.advice %}", "{%p if f.advice %}"),
    ("item", "整改建议：{{ f.advice }}", "What to do: {{ f.advice }}"),
    ("control", "{%p endif %}", "{%p endif %}"),
    ("control", "{%p endfor %}", "{%p endfor %}"),
    ("advice", "整改建议：{{ group.advice }}", "What to do: {{ group.advice }}"),
    ("control", "{%p endfor %}", "{%p endfor %}"),
    ("control", "{%p else %}", "{%p else %}"),
    ("body", "经审核，未发现需要限期整改的问题。", "No problem that needs fixing was found."),
    ("control", "{%p endif %}", "{%p endif %}"),
    ("control", "{%p if notice.register_errors %}", "{%p if notice.register_errors %}"),
    ("body", "另：台账中有{{ notice.register_errors }}处填报内容无法识别（如{{ notice.register_error_examples }}），"
             "请一并更正。",
     "Also: {{ notice.register_errors }} entries of the register could not be understood (e.g. "
     "{{ notice.register_error_examples }}); please correct them as well."),
    ("control", "{%p endif %}", "{%p endif %}"),
    ("heading", "二、整改要求", "2. What is required"),
    ("body", "请你{{ notice.unit }}对照《{{ notice.plan }}》{{ notice.items }}的要求，逐项制定整改措施，"
             "明确责任人和完成时限，在上述整改期限内整改到位，并于{{ notice.report_by }}前将整改情况书面报送"
             "{{ notice.issuer or '我单位' }}。标为“无法核验”的问题，是台账缺少相应记录或记录无法识别，"
             "请补充或更正台账；已经落实的，附相关证明材料一并报送。逾期未整改或整改不到位的，"
             "将依照实施方案第（二十二）项予以通报。",
     "Please take measures for each problem against {{ notice.items }} of the {{ notice.plan }}, name who is "
     "responsible, fix each problem by its deadline and report in writing to {{ notice.issuer or 'us' }} by "
     "{{ notice.report_by }}. A problem marked as not verifiable means the register lacks the record or it could "
     "not be understood: complete or correct the register, and send proof of what has been done. Problems not "
     "fixed in time will be notified under plan item (二十二)."),
    ("control", "{%p if notice.contact %}", "{%p if notice.contact %}"),
    ("body", "联系人及电话：{{ notice.contact }}", "Contact: {{ notice.contact }}"),
    ("control", "{%p endif %}", "{%p endif %}"),
    ("signature", "{{ notice.issuer_line }}（盖章）", "{{ notice.issuer_line }} (seal)"),
    ("date", "{{ notice.date }}", "{{ notice.date }}"),
    ("control", "{%p if notice.cc %}", "{%p if notice.cc %}"),
    ("cc", "抄送：{{ notice.cc }}。", "Copy to: {{ notice.cc }}."),
    ("control", "{%p endif %}", "{%p endif %}"),
    ("small", "审核依据：{{ report.checklist }}；台账文件：{{ report.file }}（SHA-256 {{ notice.sha256 }}）；"
              "{{ report.generated_by }}",
     "Audited against {{ report.checklist }}; register {{ report.file }} (SHA-256 {{ notice.sha256 }}); "
     "{{ report.generated_by }}"),
]


def build(lang: str = "zh"):
    """The template as a python-docx Document."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _font(document.styles["Normal"], BODY_FONT, BODY_PT)
    _page_number(section.footer.paragraphs[0])
    properties = document.core_properties
    properties.author = properties.last_modified_by = "fireaudit"
    properties.title = "整改通知书" if lang == "zh" else "Rectification notice"
    properties.comments = "fireaudit notice template (report_templates/build_notice_template.py)"
    properties.revision = 1

    index = 1 if lang == "zh" else 2
    for entry in CONTENT:
        style, text = entry[0], entry[index]
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)          # one run per paragraph: docxtpl sees each tag whole
        layout = paragraph.paragraph_format
        layout.space_before = layout.space_after = Pt(0)
        layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        layout.line_spacing = Pt(LINE_PT)
        if style == "title":
            _run_font(run, TITLE_FONT, TITLE_PT, bold=True)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            layout.line_spacing = Pt(36)
            layout.space_before, layout.space_after = Pt(12), Pt(24)
        elif style == "number":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif style == "heading":
            _run_font(run, HEADING_FONT, BODY_PT)
            layout.first_line_indent = Pt(BODY_PT * 2)
            layout.keep_with_next = True
        elif style == "group":
            _run_font(run, SUBHEADING_FONT, BODY_PT, bold=True)
            layout.first_line_indent = Pt(BODY_PT * 2)
            layout.keep_with_next = True
        elif style == "item":
            _run_font(run, BODY_FONT, ITEM_PT)
            layout.first_line_indent = Pt(ITEM_PT * 2)
            layout.line_spacing = Pt(24)
        elif style == "advice":
            _run_font(run, SUBHEADING_FONT, ITEM_PT)
            layout.first_line_indent = Pt(ITEM_PT * 2)
            layout.line_spacing = Pt(24)
        elif style in ("body",):
            layout.first_line_indent = Pt(BODY_PT * 2)
        elif style == "signature":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            layout.space_before = Pt(LINE_PT * 2)
            layout.right_indent = Pt(BODY_PT * 2)
            layout.keep_with_next = True
        elif style == "date":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            layout.right_indent = Pt(BODY_PT * 4)
        elif style == "cc":
            _run_font(run, BODY_FONT, ITEM_PT)
            layout.space_before = Pt(LINE_PT)
            _rules(paragraph)
        elif style == "small":
            _run_font(run, BODY_FONT, SMALL_PT)
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
            layout.line_spacing = Pt(14)
            layout.space_before = Pt(6)
    return document


def _font(style, name: str, size: int) -> None:
    from docx.shared import Pt

    style.font.name = name
    style.font.size = Pt(size)
    _east_asian(style.element.get_or_add_rPr(), name)


def _run_font(run, name: str, size: int, bold: bool = False) -> None:
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run._element.get_or_add_rPr(), name)


def _east_asian(rpr, name: str) -> None:
    """Word picks CJK glyphs from w:eastAsia, not from the font name python-docx sets."""
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), name)


def _page_number(paragraph) -> None:
    """`— 1 —`, centred: a PAGE field between two dashes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def _rules(paragraph) -> None:
    """Thin lines above and below the 抄送 line, as on a printed notice."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    for side in ("top", "bottom"):
        line = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            line.set(qn(key), value)
        borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def document_text(document) -> list[str]:
    """Every paragraph's text, body then footer: what a rebuild must reproduce."""
    body = [p.text for p in document.paragraphs]
    footer = [p.text for s in document.sections for p in s.footer.paragraphs]
    return body + footer


def write(directory: Path = HERE) -> list[Path]:
    """Build and save both templates, with fixed zip and document times; returns their paths."""
    import io

    from fireaudit.provenance import reproducible_zip

    written = []
    for lang, name in FILES.items():
        buffer = io.BytesIO()
        build(lang).save(buffer)
        path = directory / name
        path.write_bytes(reproducible_zip(buffer.getvalue(), BUILT_AT))
        written.append(path)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))   # fireaudit, from this checkout
    for path in write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
