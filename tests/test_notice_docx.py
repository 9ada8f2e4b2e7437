"""整改通知书 (`--format docx`, issue 17 item 7): one Word letter per township, opened with python-docx.

The letter names the township, groups its problems by requirement with the plan
item and the evidence cell, gives each problem a deadline by severity (county
settings), escapes every workbook value, and can be replaced by a county's own
template. The shipped template is rebuilt by code and must not drift."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document

from fireaudit.audit import audit_register
from fireaudit.audit import load_checklist
from fireaudit.errors import ConfigError
from fireaudit.register import RegisterReader
from fireaudit.reports import WRITERS, ReportOptions, write_reports
from fireaudit.reports.notice_docx import NoticeData, docx_safe, notice_data, notice_view
from fireaudit.resources import data_dir
from fireaudit.runner import make_run
from tests.builders import compliant, county_register
from tests.cli_helper import run_cli
from tests.test_county_template import judge_county

# conftest pins the run at 2024-07-01T00:00:00Z: the notice is dated 2024年7月1日 (UTC+8)
ISSUED = "2024年7月1日"
DEADLINE = {"critical": "2024年7月16日", "major": "2024年7月31日", "advisory": "2024年8月30日"}


def failing(township: str = "潘津镇"):
    """A township with a critical fail (no 主要责任人), a major fail (档案 否) and sheet-missing unknowns."""
    register = compliant(township=township)
    register.sheets["责任人"].rows = [row for row in register.sheets["责任人"].rows if row[3] != "主要责任人"]
    register.profile["建立消防安全档案"] = "否"
    return register.drop("会议研判")


def _audit(register, tmp_path: Path, checklist, name: str = "register.xlsx"):
    path = register.save(tmp_path / name)
    return audit_register(RegisterReader(checklist).read(path), checklist, None)


def _docx(run, audit, checklist, lang: str = "zh", templates: Path | None = None) -> Document:
    data = WRITERS["docx"].render(run, audit, ReportOptions(lang, checklist, templates))
    return Document(io.BytesIO(data))


def _mm(*lengths) -> tuple[int, ...]:
    """Lengths in whole millimetres (Word stores twips: 210 mm is 11906 twips, not exactly Mm(210))."""
    return tuple(round(length.mm) for length in lengths)


def _text(document: Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


@pytest.fixture
def failing_audit(tmp_path, checklist):
    return _audit(failing(), tmp_path, checklist)


@pytest.fixture
def run_of(checklist):
    return lambda *audits: make_run(checklist, None, list(audits), [])


# ---------------------------------------------------------------- the letter
def test_notice_names_the_township_and_every_finding_with_its_requirement_and_deadline(failing_audit, run_of,
                                                                                      checklist):
    run = run_of(failing_audit)
    text = _text(_docx(run, failing_audit, checklist))
    assert "关于潘津镇消防工作存在问题限期整改的通知" in text
    assert "潘津镇党委、人民政府：" in text
    assert "2024年第二季度消防工作台账" in text
    notice = notice_view(run, failing_audit, checklist, "zh")
    gaps = [(c.id, c.requirement, c.severity) for r in failing_audit.requirements for c in r.checks
            if c.status in ("fail", "partial", "unknown")]
    assert {"R01", "R03", "R04", "R09"} <= {requirement for _, requirement, _ in gaps}
    assert [f.check for f in notice.findings] == [check for check, _, _ in gaps]
    for group in notice.groups:
        spec = checklist.requirement_by_id[group.requirement]
        heading = f"（{group.number}）{spec.title_zh}（实施方案第{spec.item.replace('(', '（').replace(')', '）')}项）"
        assert heading in text, heading
    lines = text.splitlines()
    for check, _, severity in gaps:
        finding = next(f for f in notice.findings if f.check == check)
        line = next(l for l in lines if l.startswith(f"{finding.number}. "))
        assert f"整改期限：{DEADLINE[severity]}前" in line, line
        assert f"台账位置：{finding.evidence}" in line and finding.evidence != "—"
    assert "责任人!" in text and "基本情况!B" in text       # evidence cells
    assert f"整改期限：{DEADLINE['critical']}前，15日内" in text
    assert "二、整改要求" in text and "《伊犁州直加强乡镇（街道）消防工作实施方案》第（一）、（三）、（四）、（九）项" in text
    assert ISSUED in text and "（盖章）" in text
    assert "抄送" not in text                               # no 抄送 configured


def test_notice_is_a4_portrait_with_page_numbers(failing_audit, run_of, checklist):
    document = _docx(run_of(failing_audit), failing_audit, checklist)
    section = document.sections[0]
    assert _mm(section.page_width, section.page_height) == (210, 297)
    assert _mm(section.left_margin, section.top_margin) == (28, 37)
    assert 'w:instr="PAGE"' in section.footer._element.xml
    assert document.core_properties.author == "fireaudit"
    assert failing_audit.sha256 in document.core_properties.keywords


def test_notice_opens_in_libreoffice_and_prints_on_a4(failing_audit, run_of, checklist, tmp_path):
    """Headless LibreOffice where it is installed; the python-docx reading (page size, text) everywhere."""
    path = tmp_path / "notice.docx"
    path.write_bytes(WRITERS["docx"].render(run_of(failing_audit), failing_audit, ReportOptions("zh", checklist)))
    document = Document(str(path))
    assert _mm(document.sections[0].page_width, document.sections[0].page_height) == (210, 297)
    assert "关于潘津镇" in _text(document)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "notice.pdf").read_bytes()
    boxes = {tuple(round(float(v)) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes == {(0, 0, 595, 842)}                     # A4 in points


def test_deadlines_issuer_and_cc_come_from_fireaudit_toml(tmp_path, checklist):
    config = tmp_path / "fireaudit.toml"
    config.write_text('[data.notice.deadline_days]\ncritical = 10\n'
                      '[data.notice.letter]\nissuer = "伊宁市消防安全委员会办公室"\n'
                      'cc = ["伊宁市消防救援大队", "伊宁市应急管理局"]\ncontact = "李梅 0999-8000000"\n'
                      'number = "伊市消安办〔2024〕12号"\n', encoding="utf-8")
    local = load_checklist(str(config))
    audit = _audit(failing(), tmp_path, local)
    text = _text(_docx(make_run(local, None, [audit], []), audit, local))
    assert "整改期限：2024年7月11日前，10日内" in text       # critical: 10 days (county setting)
    assert f"整改期限：{DEADLINE['major']}前，30日内" in text  # major: the shipped default
    assert "伊宁市消防安全委员会办公室（盖章）" in text
    assert "书面报送伊宁市消防安全委员会办公室" in text
    assert "抄送：伊宁市消防救援大队、伊宁市应急管理局。" in text
    assert "联系人及电话：李梅 0999-8000000" in text and "伊市消安办〔2024〕12号" in text
    assert "data.notice.deadline_days.critical" in local.overrides


def test_shipped_deadlines_are_marked_as_ours(checklist):
    settings = notice_data(checklist)
    assert isinstance(settings, NoticeData)
    assert settings.source == "本县设置 (fireaudit default)"
    assert settings.deadline_days == {"critical": 15, "major": 30, "advisory": 60}


def test_a_bad_deadline_in_fireaudit_toml_is_a_config_error(tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text('[data.notice.deadline_days]\nsevere = 10\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="deadline_days"):
        notice_data(load_checklist(str(config)))


def test_every_workbook_value_is_escaped(tmp_path, checklist, run_of):
    hostile = '潘津镇<w:p>&"\'{{ 7*7 }}{% if 1 %}x{% endif %}\n第二行'
    audit = _audit(failing(township=hostile), tmp_path, checklist)
    data = WRITERS["docx"].render(run_of(audit), audit, ReportOptions("zh", checklist))
    document = Document(io.BytesIO(data))
    text = _text(document)
    shown = '潘津镇<w:p>&"\'{{ 7*7 }}{% if 1 %}x{% endif %} 第二行'
    assert f"关于{shown}消防工作存在问题限期整改的通知" in text
    assert "49" not in text.split("\n")[1]
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;w:p&gt;&amp;" in body
    assert docx_safe("a\x01b\x0bc\r\nd\ud800") == "abc d"    # XML forbids these; a line break is a space


def test_county_duties_are_not_the_townships_problems(tmp_path, checklist):
    audits = [_audit(failing(township=name), tmp_path, checklist, f"{name}.xlsx") for name in ("甲镇", "乙镇")]
    county = county_register(["甲镇", "乙镇"], supervised=["甲镇"]).save(tmp_path / "county.xlsx")
    judged, _ = judge_county(audits, checklist, str(county), None)
    assert next(c for r in judged[1].county_duties for c in r.checks if c.id == "R21.1").status == "fail"
    assert judged[1].check("R21.1").status == "na"      # the county's duty (issue 16 item 8)
    notice = notice_view(make_run(checklist, None, judged, []), judged[1], checklist, "zh")
    assert {g.requirement for g in notice.groups}.isdisjoint({"R20", "R21", "R22"})


def test_a_township_without_problems_gets_a_letter_saying_so(tmp_path, checklist, run_of):
    audit = _audit(compliant(), tmp_path, checklist)
    text = _text(_docx(run_of(audit), audit, checklist))
    assert "经审核，未发现需要限期整改的问题。" in text
    assert "（一）" not in text


def test_english_notice(failing_audit, run_of, checklist):
    text = _text(_docx(run_of(failing_audit), failing_audit, checklist, "en"))
    assert "Notice to 潘津镇 on fire-safety problems" in text
    assert "fix by 2024-07-16, within 15 days" in text


# ---------------------------------------------------------------- templates
def test_a_countys_own_template_replaces_the_shipped_one(failing_audit, run_of, checklist, tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    document = Document()
    document.add_paragraph("{{ notice.county }}{{ notice.township }}：请于{{ notice.report_by }}前整改{{ notice.count }}项。")
    document.save(str(own / "notice.docx"))
    text = _text(_docx(run_of(failing_audit), failing_audit, checklist, templates=own))
    count = len(notice_view(run_of(failing_audit), failing_audit, checklist, "zh").findings)
    assert text == f"伊宁市潘津镇：请于{DEADLINE['advisory']}前整改{count}项。"


def test_a_missing_or_broken_template_is_a_config_error(failing_audit, run_of, checklist, tmp_path):
    with pytest.raises(ConfigError, match="notice.docx"):
        _docx(run_of(failing_audit), failing_audit, checklist, templates=tmp_path)
    (tmp_path / "notice.docx").write_text("not a docx")
    with pytest.raises(ConfigError, match="不是可用的 Word 文档"):
        _docx(run_of(failing_audit), failing_audit, checklist, templates=tmp_path)
    document = Document()
    document.add_paragraph("{{ notice.no_such_field }}")
    document.save(str(tmp_path / "notice.docx"))
    with pytest.raises(ConfigError, match="no_such_field"):
        _docx(run_of(failing_audit), failing_audit, checklist, templates=tmp_path)


def _builder():
    path = data_dir("report_templates") / "build_notice_template.py"
    spec = importlib.util.spec_from_file_location("build_notice_template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_shipped_template_is_what_its_builder_makes(lang):
    builder = _builder()
    shipped = Document(str(data_dir("report_templates") / builder.FILES[lang]))
    assert builder.document_text(builder.build(lang)) == builder.document_text(shipped)
    assert any("{{ notice.township }}" in p.text for p in shipped.paragraphs)


# ---------------------------------------------------------------- command line
def test_audit_writes_a_notice_per_township(tmp_path):
    workbook = failing().save(tmp_path / "潘津镇.xlsx")
    out = tmp_path / "out"
    result = run_cli("audit", str(workbook), "-o", str(out), "--format", "docx")
    assert result.code in (0, 1), result.err
    written = out / "伊宁市-潘津镇-2024Q2-整改通知书.docx"
    assert "关于潘津镇消防工作存在问题限期整改的通知" in _text(Document(str(written)))
    wrong = run_cli("audit", str(workbook), "-o", str(out), "--format", "pdf")
    assert wrong.code == 2 and "docx" in wrong.err


def test_write_reports_names_the_notice_beside_the_other_reports(failing_audit, run_of, checklist, tmp_path):
    paths = write_reports(run_of(failing_audit), tmp_path, ["md", "docx"], ReportOptions("zh", checklist))
    assert [p.name for p in paths] == ["伊宁市-潘津镇-2024Q2.md", "伊宁市-潘津镇-2024Q2-整改通知书.docx"]


def test_a_finding_with_its_own_advice_carries_it_under_the_finding(failing_audit, run_of, checklist):
    """Issue 18 item 6: the letter says what to do about the finding itself (which role), not only the group's advice."""
    run = run_of(failing_audit)
    lines = [p.text for p in _docx(run, failing_audit, checklist).paragraphs]
    own = [n for n, line in enumerate(lines) if line.startswith("整改建议：") and "主要责任人" in line
           and "写明姓名、职务和所属单位" in line]
    assert own, "\n".join(lines)
    assert re.match(r"\d+\. ", lines[own[0] - 1])                   # right under the finding it belongs to
    assert "What to do:" in _text(_docx(run, failing_audit, checklist, "en"))


def test_the_notice_settings_are_validated_by_the_loader_without_the_word_writer(tmp_path):
    """A checklist loaded where no report writer was imported (a worker) validates [data.notice] too."""
    import os
    import sys

    script = ("import sys\nfrom fireaudit.audit import load_checklist\n"
              "from fireaudit.checklist.data import NoticeData\n"
              "checklist = load_checklist(None)\n"
              "assert 'fireaudit.reports.notice_docx' not in sys.modules\n"
              "print(type(checklist.data['notice']).__name__)\n")
    env = {**os.environ, "FIREAUDIT_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == NoticeData.__name__
