"""Nothing internal in official Chinese text (issue 18, item 2): no spec or data-file names, no
English notes, no error codes in a report, an annotated copy or a message. What may stay ASCII:
the standard's name, SHA-256, file names, ids and cell references, quarters, fireaudit, the
checklist id and the run time, and values quoted from the workbook."""

from __future__ import annotations

import glob
import io
import re
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fireaudit.annotate import render as render_annotated
from fireaudit.i18n import cite
from fireaudit.i18n import Phrase, message_text
from fireaudit.reports.excel import render as render_gap_report
from fireaudit.reports.markdown import render as render_markdown
from fireaudit.reports.rollup import write_rollup_md, write_rollup_xlsx
from tests.report_support import checklist, options, sample_run

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = re.compile(
    r"G[AB]/T \d+-\d+|SHA-256|UTC|fireaudit|ili-township-fire-\d+"
    r"|[\w.()\-]*\.(?:xlsx|xlsm|xls|ods|json|toml|md)\b"     # file names
    r"|R\d\d(?:\.\d+)?|\d{4}Q\d|\d{4}-\d\d-\d\dT[\d:]+Z"     # ids, quarters, the run time
    r"|[^\s!|“”]+![A-Z]{1,3}\d+|[0-9a-f]{64}"                 # sheet!cell, a SHA-256 value
    r"|“[^”]*”"                                               # a value quoted from the workbook
)
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def internal(text: str) -> str | None:
    """The ASCII word left once everything allowed is taken out, or None."""
    found = ENGLISH.search(ALLOWED.sub(" ", text))
    return found.group(0) if found else None


def offending(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, text) for where, text in lines if internal(text)]


def test_golden_reports_in_chinese_carry_nothing_internal():
    lines = [(Path(f).name, line) for f in sorted(glob.glob(str(ROOT / "tests/golden/*.zh.md")))
             for line in Path(f).read_text(encoding="utf-8").splitlines()]
    assert lines
    assert not offending(lines)


def test_generated_reports_in_chinese_carry_nothing_internal(tmp_path):
    run = sample_run()
    lines: list[tuple[str, str]] = []
    for audit in run.townships:
        lines += [(f"md {audit.township}", line) for line in render_markdown(run, audit, options()).splitlines()]
        book = load_workbook(io.BytesIO(render_gap_report(run, audit, options())))
        lines += [(f"xlsx {audit.township} {sheet.title}!{cell.coordinate}", cell.value)
                  for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
        copy = load_workbook(io.BytesIO(render_annotated(run, audit, options())))
        review = copy.worksheets[0]
        lines += [(f"批注 {audit.township} {review.title}!{cell.coordinate}", cell.value)
                  for row in review.iter_rows() for cell in row if isinstance(cell.value, str)]
        lines += [(f"批注 {audit.township} {sheet.title}!{cell.coordinate}", cell.comment.text)
                  for sheet in copy.worksheets[1:] for row in sheet.iter_rows() for cell in row
                  if cell.comment is not None and cell.comment.author == "fireaudit"]
    rollup = write_rollup_md(run, checklist(), tmp_path, "zh").read_text(encoding="utf-8")
    lines += [("汇总.md", line) for line in rollup.splitlines()]
    book = load_workbook(write_rollup_xlsx(run, checklist(), tmp_path, "zh"))
    lines += [(f"汇总.xlsx {sheet.title}!{cell.coordinate}", cell.value)
              for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert len(lines) > 500
    assert not offending(lines), offending(lines)[:10]


def _sources() -> list[str]:
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("source") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted((ROOT / "checklists").rglob("*.toml")):
        with path.open("rb") as handle:
            walk(tomllib.load(handle))
    return found


def test_every_checklist_source_cites_as_an_official_would():
    sources = _sources()
    assert len(sources) > 100
    bad = [(s, cite(s, "zh")) for s in sources if internal(cite(s, "zh"))]
    assert not bad, bad[:10]


@pytest.mark.parametrize("source, citation", [
    ("实施方案 四(七)", "实施方案第（七）项"),
    ("GB/T 35547-2017 §9.2 (1000–1200 m²; lower bound checked)", "GB/T 35547-2017 第9.2条"),
    ("fireaudit default: an engine needs a driver (§11.2.2 staffs full-time engines)", "审核默认值（标准未作具体规定）"),
    ("REQUIREMENTS.md, Settled readings: GB/T minimums", "审核口径"),
    ("实施方案 六(十七)：定期组织……参加消防业务培训；REQUIREMENTS.md, Settled readings: R17",
     "实施方案第（十七）项：定期组织……参加消防业务培训"),
    ("台州市 2018 通知 restating GB/T 35547-2017 Table 8", "GB/T 35547-2017 表8（据台州市2018年通知转述）"),
    ("GB/T 35547-2017 §4（未见原文；判定条件见 gbt35547.toml criteria）", "GB/T 35547-2017 第4章"),
])
def test_citations(source, citation):
    assert cite(source, "zh") == citation


def test_a_message_quoting_a_source_shows_the_citation():
    params = {"brigade": "潘津镇专职消防队", "grade": "一级专职消防队", "item": "驾驶员", "found": 0, "minimum": 1,
              "source": "fireaudit default: an engine needs a driver", "confidence": Phrase("confidence.assumed")}
    text = message_text("grade_minimum.below", params, "zh")
    assert "审核默认值" in text and not internal(text), text
    rule = Phrase("gbt_rule.default", {"grade": "二级专职消防队", "source": "fireaudit default: 建成区面积 2–5 km² → 二级"})
    assert not internal(message_text("grade_criteria.higher", {"suggested": "一级", "criteria": "", "required": "二级",
                                                               "rule": rule}, "zh"))


def test_register_errors_are_named_by_title_in_annotations():
    run = sample_run()
    audit = next(a for a in run.townships if a.register_errors)
    copy = load_workbook(io.BytesIO(render_annotated(run, audit, options())))
    comments = [cell.comment.text for sheet in copy.worksheets[1:] for row in sheet.iter_rows() for cell in row
                if cell.comment is not None and cell.comment.author == "fireaudit" and "登记错误" in cell.comment.text]
    assert comments and not any(re.search(r"登记错误（[a-z-]+）", text) for text in comments)


def test_english_reports_read_as_english():
    """Item 7: a space after colons and before (status, severity); no Chinese punctuation from the templates."""
    run = sample_run()
    for audit in run.townships:
        text = render_markdown(run, audit, options("en"))
        assert not re.search(r"\*\*[^*\n]+\*\*\(|\*\*[^*\n]+\*\*:[^ ]|^  - [A-Z][a-z ]+:[^ ]", text, re.M), text
        # lines built by the templates and catalogue only (a finding's message may quote the workbook)
        structural = [line for line in text.splitlines() if not line.startswith("  - Problem:")]
        assert not [line for line in structural if re.search(r"[，。：；]", line)], audit.township
