"""The Markdown report: structure, escaping of hostile cells, language, and user templates.

Rendered reports are parsed with markdown-it-py (CommonMark + GFM tables and
strikethrough, raw HTML on) so "renders cleanly" is checked, not eyeballed."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from fireaudit.errors import ConfigError
from fireaudit.i18n import catalog
from fireaudit.reports import render_markdown
from fireaudit.reports.markdown import TEMPLATE, md_escape
from fireaudit.resources import data_dir
from tests.hostile_values import BAD_YESNO, TITLE, VILLAGE
from tests.report_support import hostile_run, options, sample_run

PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
# Inline syntax a cell value must never produce (strong is the template's own emphasis).
FORBIDDEN_TOKENS = {"html_inline", "html_block", "link_open", "image", "code_inline", "em_open", "s_open",
                    "code_block", "fence", "hr", "blockquote_open", "ordered_list_open"}


def tokens(text: str):
    return PARSER.parse(text)


def plain(token) -> str:
    """The text a reader sees for an inline token."""
    return "".join(child.content for child in token.children or [] if child.type in ("text", "text_special"))


def all_types(parsed) -> set[str]:
    out = set()
    for token in parsed:
        out.add(token.type)
        out.update(child.type for child in token.children or [])
    return out


def tables(parsed) -> list[list[list[str]]]:
    """Every table as rows of cell texts (header row first)."""
    found, rows, row, inside = [], [], [], False
    for token in parsed:
        if token.type == "table_open":
            rows, inside = [], True
        elif token.type == "table_close":
            found.append(rows)
            inside = False
        elif inside and token.type == "tr_open":
            row = []
        elif inside and token.type == "tr_close":
            rows.append(row)
        elif inside and token.type == "inline":
            row.append(plain(token))
    return found


def headings(parsed, level: int) -> list[str]:
    return [plain(parsed[i + 1]) for i, t in enumerate(parsed) if t.type == "heading_open" and t.tag == f"h{level}"]


# ---------------------------------------------------------------- escaping, value by value
HOSTILE_VALUES = [
    "a|b", "*粗*", "**粗**", "_斜_", "<b>x</b>", "<script>alert(1)</script>", "&amp;", "&#60;", "`code`",
    "[链接](http://e.com)", "![图](x.png)", "~~删~~", "$x$", "# 标题", "- 列表", "+ 列表", "1. 列表", "3) 列表",
    "> 引用", "---", "===", "\\", "a\\|b", "|", "x\ny", "x\r\ny", "x\ry", "\t缩进", "    四个空格",
    "=1+1", "@SUM(A1)", "<!-- c -->", "<http://e.com>", "a\u2028b", "末尾\\",
]


def expected(value: str) -> str:
    return re.sub(r"\r\n|[\r\n\t\u2028]", " ", value).strip()


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_escaped_value_renders_as_itself_in_a_table_cell(value):
    parsed = tokens(f"| a | b |\n| --- | --- |\n| {md_escape(value)} | z |\n")
    [table] = tables(parsed)
    assert table[1] == [expected(value), "z"]
    assert not all_types(parsed) & FORBIDDEN_TOKENS


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_escaped_value_renders_as_itself_at_a_line_start_and_in_a_list(value):
    for text, wrapper in ((f"{md_escape(value)}\n", "paragraph_open"), (f"- 证据：{md_escape(value)}\n", "bullet_list_open")):
        parsed = tokens(text)
        types = all_types(parsed)
        assert not types & FORBIDDEN_TOKENS
        assert not types & {"heading_open", "bullet_list_open"} - {wrapper}
        [inline] = [t for t in parsed if t.type == "inline"]
        assert plain(inline).endswith(expected(value)), text


def test_hostile_report_parses_cleanly_and_shows_every_value_verbatim():
    run = hostile_run()
    text = render_markdown(run, run.townships[0], options())
    parsed = tokens(text)
    assert not all_types(parsed) & FORBIDDEN_TOKENS
    lines = [plain(t) for t in parsed if t.type == "inline"]
    assert any(expected(TITLE) in line and line.startswith("问题：") for line in lines)
    assert any(expected(VILLAGE) in line for line in lines)
    # register errors: one table row per error, the raw value intact in its own cell
    errors = tables(parsed)[-1]
    assert errors[0] == ["单元格", "填写值", "问题"]
    assert [row[1] for row in errors[1:]] == [BAD_YESNO[i] for i in sorted(BAD_YESNO)]
    assert [row[0] for row in errors[1:]] == ["村社区!I3", "村社区!I4", "村社区!I5"]
    assert headings(parsed, 1) == ["消防工作差距报告：伊宁市潘津镇/../../x（2024Q2）"]


# ---------------------------------------------------------------- structure
@pytest.fixture(scope="module")
def panjin_zh():
    run = sample_run()
    audit = next(a for a in run.townships if a.township == "潘津镇")
    return audit, tokens(render_markdown(run, audit, options()))


def test_title_and_overview_name_township_kind_period_score_and_grade(panjin_zh):
    audit, parsed = panjin_zh
    assert headings(parsed, 1) == ["消防工作差距报告：伊宁市潘津镇（2024Q2）"]
    overview = dict(tables(parsed)[0][1:])
    assert overview["县市"] == "伊宁市" and overview["乡镇（街道）"] == "潘津镇" and overview["类型"] == "镇"
    assert overview["报告期"] == "2024Q2"
    assert overview["得分"] == f"{audit.score:g} / 100"
    assert overview["应建队伍等级"] == audit.required_grade["grade"] == "一级专职消防队"   # named in plan item (七)
    assert overview["台账文件"] == "伊宁市-潘津镇-2024Q2.xlsx"


def test_requirement_table_lists_r01_to_r22_with_item_title_status_severity(panjin_zh):
    audit, parsed = panjin_zh
    table = tables(parsed)[1]
    assert table[0] == ["要求", "方案条目", "名称", "状态", "严重程度"]
    assert [row[0] for row in table[1:]] == [f"R{n:02d}" for n in range(1, 23)]
    by_id = {row[0]: row for row in table[1:]}
    assert by_id["R01"] == ["R01", "(一)", "健全消防工作组织领导", "达标", "—"]  # a passing requirement shows no severity
    assert by_id["R05"][3:] == ["不适用", "—"]
    assert by_id["R06"][3] == "部分达标"
    assert {row[3] for row in table[1:]} <= {"达标", "部分达标", "不达标", "无法核验", "不适用"}


def test_each_gap_shows_problem_evidence_threshold_source_and_advice(panjin_zh):
    audit, parsed = panjin_zh
    gap_headings = headings(parsed, 3)
    assert gap_headings[0] == "R06 (六) 完善村（居）民委员会职责（部分达标，较重）"
    assert not any(h.startswith(("R01 ", "R05 ")) for h in gap_headings)    # passed / not applicable
    lines = [plain(t) for t in parsed if t.type == "inline"]
    start = lines.index("R06.2 每个村（社区）制定发布了防火安全公约（不达标，较重）")
    block = lines[start:start + 7]
    assert "问题：3个村（社区）中仅2个具备“防火安全公约”（66.7%，要求100%）；缺少的村（社区）：幸福社区。" in block
    assert "证据：村社区!E5" in block
    assert "标准：覆盖率不低于100%" in block
    assert "依据：实施方案第（六）项：制定发布“防火安全公约”" in block
    assert block[5] == "整改建议：指导幸福社区制定并发布防火安全公约，在“村社区”表登记公约发布日期。"   # the finding's own
    assert block[6].startswith("整改建议：指导每个村（社区）确定消防安全管理人") and "（实施方案第（六）项）" in block[6]


def test_register_errors_and_notes_are_listed():
    run = sample_run()
    audit = next(a for a in run.townships if a.township == "喀拉亚尕奇乡")
    parsed = tokens(render_markdown(run, audit, options()))
    assert headings(parsed, 2)[-2:] == ["登记错误", "说明"]
    errors = tables(parsed)[-1]
    assert errors[1][:2] == ["村社区!I5", "不清楚"]
    lines = [plain(t) for t in parsed if t.type == "inline"]
    assert "未识别的工作表“Sheet1”已忽略。" in lines


def test_english_report_uses_the_english_catalogue_throughout():
    run = sample_run()
    audit = next(a for a in run.townships if a.township == "潘津镇")
    text = render_markdown(run, audit, options("en"))
    parsed = tokens(text)
    assert headings(parsed, 1) == ["Fire-safety gap report: 伊宁市 潘津镇 (2024Q2)"]
    assert headings(parsed, 2)[:3] == ["Overview", "Requirements", "Gaps and what to do"]
    requirements = tables(parsed)[1]
    assert requirements[0] == ["Requirement", "Plan item", "Title", "Status", "Severity"]
    assert requirements[1] == ["R01", "(一)", "Fire-safety leadership organised", "pass", "—"]
    for word in ("整改建议", "达标", "问题：", "证据", "得分", "要求一览"):
        assert word not in text


def test_template_asks_only_for_catalogue_keys_present_in_both_languages():
    source = (data_dir("report_templates") / TEMPLATE).read_text(encoding="utf-8")
    keys = set(re.findall(r"t\('([\w.]+)'", source))
    assert keys and all(k in catalog("zh") and k in catalog("en") for k in keys)


def test_report_catalogue_sections_match_in_both_languages():
    def keys(lang):
        return {k for k in catalog(lang) if k.startswith(("report.", "threshold."))}

    assert keys("zh") == keys("en") and len(keys("zh")) > 40


def test_report_is_stable_and_its_only_timestamp_is_the_run_time():
    run = sample_run()
    first = render_markdown(run, run.townships[0], options())
    assert first == render_markdown(run, run.townships[0], options())
    times = re.findall(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", first)
    assert times == [run.generated_at]


# ---------------------------------------------------------------- user templates
def test_user_template_directory_is_used_with_escaping_and_t(tmp_path):
    (tmp_path / TEMPLATE).write_text("# {{ t('ui.township') }}：{{ report.township }}\n"
                                     "{% for f in report.findings %}- {{ f.message }}\n{% endfor %}", encoding="utf-8")
    run = hostile_run()
    text = render_markdown(run, run.townships[0], options(templates=tmp_path))
    assert text.startswith("# 乡镇（街道）：潘津镇/../../x\n")
    assert "\\<script\\>" in text and "<script>" not in text


def test_missing_template_names_what_was_expected(tmp_path):
    run = sample_run()
    with pytest.raises(ConfigError) as error:
        render_markdown(run, run.townships[0], options(templates=tmp_path / "nowhere"))
    assert TEMPLATE in error.value.message and "nowhere" in error.value.message


def test_broken_template_is_a_configuration_error_with_its_line(tmp_path):
    (tmp_path / TEMPLATE).write_text("# ok\n{% for x in %}\n", encoding="utf-8")
    run = sample_run()
    with pytest.raises(ConfigError, match="2"):
        render_markdown(run, run.townships[0], options(templates=tmp_path))
