"""`fireaudit audit … -o DIR`: the report set per township, --demo, --lang, --templates."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fireaudit.cli import app
from tests.cli_helper import run_cli
from tests.report_support import sample_run, SAMPLES

STEMS = ["伊宁县-喀拉亚尕奇乡-2024Q2", "伊宁市-潘津镇-2024Q2", "伊宁市-解放路街道-2024Q2"]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_demo_writes_markdown_and_excel_per_township_and_says_where(tmp_path):
    out = tmp_path / "demo"
    result = invoke("audit", "--demo", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}.{ext}" for s in STEMS for ext in ("md", "xlsx"))
    assert str(out.resolve()) in result.output
    assert "伊宁市-潘津镇-2024Q2.md" in result.output


def test_all_three_formats_and_json_is_the_same_in_every_language(tmp_path):
    sample = str(SAMPLES / "伊宁市-潘津镇-2024Q2.xlsx")
    for lang in ("zh", "en"):
        result = invoke("audit", sample, "-o", str(tmp_path / lang), "--format", "md,xlsx,json", "--lang", lang)
        assert result.exit_code == 0, result.output
        assert sorted(p.suffix for p in (tmp_path / lang).iterdir()) == [".json", ".md", ".xlsx"]
    zh = json.loads((tmp_path / "zh" / f"{STEMS[1]}.json").read_text(encoding="utf-8"))
    en = json.loads((tmp_path / "en" / f"{STEMS[1]}.json").read_text(encoding="utf-8"))
    assert zh == en
    assert (tmp_path / "en" / f"{STEMS[1]}.md").read_text(encoding="utf-8").startswith("# Fire-safety gap report")


def test_a_missing_template_directory_is_a_usage_error_naming_the_template(tmp_path):
    result = run_cli("audit", "--demo", "-o", str(tmp_path / "out"), "--templates", str(tmp_path / "mine"))
    assert result.code == 2
    assert "township.md.j2" in result.err and str(tmp_path / "mine") in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_a_user_template_is_used(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "township.md.j2").write_text("{{ report.township }} {{ report.score }}\n", encoding="utf-8")
    result = invoke("audit", str(SAMPLES / "伊宁市-潘津镇-2024Q2.xlsx"), "-o", str(tmp_path / "out"), "--format", "md",
                    "--templates", str(mine))
    assert result.exit_code == 0, result.output
    score = next(a.score for a in sample_run().townships if a.township == "潘津镇")
    assert (tmp_path / "out" / f"{STEMS[1]}.md").read_text(encoding="utf-8") == f"潘津镇 {score:g} / 100\n"
