"""Help and click's own words come in the chosen language (issue 18, item 1): Chinese by default,
English with `--lang en` anywhere on the line or FIREAUDIT_LANG=en. A line fails when it carries
words of the other language beyond file names, ids, codes, option names and option values."""

from __future__ import annotations

import re

import pytest

from fireaudit.cli_text import arguments, click_error, language
from tests.cli_helper import run_cli

COMMANDS = ["", "audit", "check", "requirements", "batch", "grade", "template", "route", "map"]

# What may stay ASCII in Chinese text: option names, metavars, file names, ids, codes, option values.
ALLOWED_ASCII = re.compile(
    r"--?[a-z][a-z-]*(?:/--?[a-z-]+)?"             # --lang, -o, --key-town/--no-key-town
    r"|<[^>]*>|\[[^\]]*\]|\{[^}]*\}"                # <path> [ID] {文件...}
    r"|'[^']*'"                                    # what the user typed, quoted back
    r"|[\w.-]*\.(?:xlsx|xlsm|xls|ods|toml|json|j2|md|docx)\b"   # file names
    r"|GB/T \d+-\d+|R\d\d(?:\.\d+)?|\d{4}Q\d"       # the standard, ids, quarters
    r"|\bFIREAUDIT_LANG\b|\bfireaudit\b|\bMarkdown\b"
    r"|\b(?:zh|en|md|xlsx|json|docx|text|junit|critical|major|advisory|none|newest|largest|ID)\b"   # option values
    r"|\b(?:audit|check|requirements|batch|grade|template|route|map|yes)\b"             # command names
)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Chinese the English help keeps on purpose: the register's own words (sheet, column and file names).
DOMAIN_WORDS = re.compile(r"台账|报告期|汇总|批注|县市|乡镇街道|基本情况|类型|乡|镇|街道|伊宁市|潘津镇|建成区面积|"
                          r"建成区常住人口|万人|全国重点镇|历史文化名镇|易燃易爆或劳动密集型企业密集|"
                          r"拒不整改隐患问题移送处理清单|隐患描述")


def foreign_lines(text: str, lang: str) -> list[str]:
    bad = []
    for line in text.splitlines():
        if lang == "zh":
            rest = ALLOWED_ASCII.sub(" ", line)
            if re.search(r"[A-Za-z]{2,}", rest):
                bad.append(line)
        elif CJK.search(DOMAIN_WORDS.sub(" ", line)):
            bad.append(line)
    return bad


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_help_is_in_one_language(lang):
    for command in COMMANDS:
        args = [command] if command else []
        extra = ["--lang", "en"] if lang == "en" else []
        result = run_cli(*args, "--help", *extra)
        assert result.code == 0, (command, result.err)
        assert not foreign_lines(result.out, lang), (command, foreign_lines(result.out, lang))
        heading = "用法：" if lang == "zh" else "Usage: "
        assert result.out.startswith(heading), command


def test_the_exit_code_table_is_in_the_top_help_in_both_languages():
    zh, en = run_cli("--help").out, run_cli("--help", "--lang", "en").out
    assert "退出码" in zh and "130  已中断" in zh
    assert "Exit codes" in en and "130  interrupted" in en


def test_lang_anywhere_on_the_line_and_from_the_environment():
    before = run_cli("--lang", "en", "check", "--help").out
    after = run_cli("check", "--help", "--lang=en").out
    from_env = run_cli("check", "--help", env={"FIREAUDIT_LANG": "en"}).out
    assert before.startswith("Usage: ") and after.startswith("Usage: ") and from_env.startswith("Usage: ")
    assert run_cli("check", "--help", "--lang", "zh", env={"FIREAUDIT_LANG": "en"}).out.startswith("用法：")


ERROR_LINES = [
    ["audit", "--perod", "x"],                  # no such option, with a suggestion
    ["check"],                                  # missing argument
    ["check", "--fail-on", "x", "a.xlsx"],      # invalid choice
    ["batch", "d", "--jobs", "x"],              # not a number
    ["batch", "d", "--jobs", "0"],              # out of range
    ["audti"],                                  # no such command, did you mean
    ["route", "a", "b"],                        # extra argument
    ["check", "--format"],                      # option without its value
    ["grade", "--key-town=x"],                  # a flag given a value
]


@pytest.mark.parametrize("args", ERROR_LINES, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_click_errors_are_in_the_chosen_language(args, lang):
    extra = ["--lang", "en"] if lang == "en" else []
    result = run_cli(*args, *extra)
    assert result.code == 2, result
    assert not foreign_lines(result.err, lang), foreign_lines(result.err, lang)
    error_lines = [line for line in result.err.splitlines() if line.startswith(("错误：", "Error: "))]
    assert len(error_lines) == 1 and error_lines[0].startswith("错误：" if lang == "zh" else "Error: "), result.err


def test_language_prescan():
    assert language([], {}) == "zh"
    assert language(["check", "--lang", "en"], {}) == "en"
    assert language(["--lang=en", "check"], {}) == "en"
    assert language([], {"FIREAUDIT_LANG": "en"}) == "en"
    assert language(["--lang", "zh"], {"FIREAUDIT_LANG": "en"}) == "zh"
    assert language(["route", "--", "--lang", "en"], {}) == "zh"      # after --, it is a value


def test_lang_moves_after_the_command_and_is_dropped_where_unknown():
    names, takes = ["audit", "route"], {"audit", "route"}
    assert arguments(["--lang", "en", "audit", "x.xlsx"], names, "en", takes) == ["audit", "--lang", "en", "x.xlsx"]
    assert arguments(["audit", "x.xlsx"], names, "zh", takes) == ["audit", "--lang", "zh", "x.xlsx"]
    assert arguments(["--help", "--lang", "en"], names, "en", takes) == ["--help"]


def test_an_unknown_click_message_passes_through_unchanged():
    assert click_error("something new from click", "zh") == "something new from click"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_quick_top_level_help_names_typers_commands(lang):
    """`fireaudit --help` is rendered without typer (cli_text.quick_help): the same commands, in typer's order."""
    import typer.main

    from fireaudit.cli import app
    from fireaudit.cli_text import commands

    assert commands(lang) == list(typer.main.get_command(app).commands)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("args", [["--help"], []], ids=["help", "no-args"])
def test_the_quick_top_level_help_is_typers_byte_for_byte(args, lang, monkeypatch, capsys):
    """The whole run (streams, exit status) at the width run_cli gives typer (its CliRunner forces 80)."""
    from fireaudit.cli_text import quick_help

    typer_says = run_cli(*args, env={"COLUMNS": "80", "FIREAUDIT_LANG": lang})
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("FIREAUDIT_LANG", lang)
    code = quick_help(args)
    out, err = capsys.readouterr()
    assert (code, out, err) == (typer_says.code, typer_says.out, typer_says.err)


@pytest.mark.parametrize("columns", [20, 52, 60, 79, 100, 200])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_quick_top_level_help_wraps_as_click_does(lang, columns, monkeypatch):
    """The page at other terminal widths: typer's group renders it through click's formatter."""
    import typer.main
    from typer._click import Context, formatting

    from fireaudit.cli import app
    from fireaudit.cli_text import install, localise, top_help

    monkeypatch.setattr(formatting, "FORCED_WIDTH", None)
    monkeypatch.setenv("COLUMNS", str(columns))
    install(lang)
    group = localise(typer.main.get_command(app), lang)
    typer_page = group.get_help(Context(group, info_name="fireaudit"))
    assert top_help(lang, max(min(columns, 80) - 2, 50)) == typer_page


def test_the_quick_help_leaves_every_other_line_to_typer():
    from fireaudit.cli_text import quick_help

    for args in (["check", "--help"], ["--help", "check"], ["--version"], ["--", "--help"], ["--lang"], ["-h"]):
        assert quick_help(args, {}) is None, args
    assert quick_help(["--help"], {"_FIREAUDIT_COMPLETE": "bash_complete"}) is None
