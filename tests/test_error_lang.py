"""Every error a user meets in the first hour is one line in the chosen language, saying what to do next
(issue 18, item 1): file not found, not a workbook, a folder given as a file, a wrong --period,
--annotate without -o, not a fireaudit JSON, config and mapping mistakes, preflight refusals.

Each case runs in both languages in this process (tests/cli_helper.run_cli), from a folder whose
file names are plain ASCII or allowed suffixes, and fails on a line carrying words of the other
language (tests/test_help_lang.foreign_lines: file names, ids, codes and option names allowed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.builders import compliant
from tests.cli_helper import run_cli
from tests.test_help_lang import DOMAIN_WORDS, foreign_lines

# Besides what help may carry (test_help_lang.ALLOWED_ASCII): what the user typed, quoted back (“…”),
# key paths (requirements.R01.weight, checks[...]), and the names of formats and programs.
NAMES = re.compile(r'“[^”]*”|"[^"]*"|' r"[\w.-]+/|[\w-]*(?:\.[\w…-]+|\[[^\]]*\])+|(?<![A-Za-z])(?:TOML|JSON|UTF-8|UTF-16|GBK|GB18030|BOM|"
                   r"Excel|WPS|PDF|PNG|OpenDocument|PowerPoint|Word|MiB|KiB|XML|OLE|FIFO|zip)(?![A-Za-z])")
NEXT_STEP = {"zh": re.compile(r"请|后重试"), "en": re.compile(r"\b(?:check|save|give|choose|write|correct|remove|use|submit|"
                                                             r"retry|try|move|export|audit|copy|send)\b", re.I)}


def register_names() -> re.Pattern[str]:
    """The register's own words (sheet, column, profile key and vocabulary names): Chinese in English text too."""
    from fireaudit.audit import load_checklist

    spec = load_checklist().register
    names = {spec.profile.sheet, *(k.name for k in spec.profile.keys)}
    for sheet in (*spec.sheets, *spec.county_sheets):
        names |= {sheet.name, *(c.name for c in sheet.columns)}
    for vocabulary in spec.vocabularies.values():
        names |= set(vocabulary.values)
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


REGISTER_NAMES = register_names()


def _workspace(tmp: Path) -> None:
    """The files the cases name, written once per language run."""
    compliant().save(tmp / "ok.xlsx")
    (tmp / "pdf.xlsx").write_bytes(b"%PDF-1.4\n" + b"0" * 200)
    (tmp / "empty.xlsx").write_bytes(b"")
    (tmp / "text.xlsx").write_text("county,township\n", encoding="utf-8")
    (tmp / "book.xlsb").write_bytes(b"PK\x03\x04" + b"0" * 100)
    (tmp / "d1").mkdir()
    (tmp / "dir.xlsx").mkdir()
    (tmp / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp / "other.json").write_text('{"tool": "other", "townships": []}', encoding="utf-8")
    (tmp / "typo.toml").write_text('[checks."R99.1"]\nseverity = "major"\n', encoding="utf-8")
    (tmp / "broken.toml").write_text('[checks\nseverity = 1\n', encoding="utf-8")
    (tmp / "gbk.toml").write_bytes('# 本县配置\n[checks."R01.1"]\n'.encode("gb18030"))
    (tmp / "field.toml").write_text('[checks."R01.1"]\nseverity = "major"\ncolour = "red"\n', encoding="utf-8")
    (tmp / "weight.toml").write_text('[requirements.R01]\nweight = -1\n', encoding="utf-8")
    (tmp / "sheet.toml").write_text('[register.sheets."检查"]\nnames = ["排查"]\n', encoding="utf-8")
    (tmp / "map.toml").write_text('[register.defaults]\n"报告期" = "Q9"\n', encoding="utf-8")
    (tmp / "waiver.toml").write_text('[[waivers]]\ncheck = "R01.9"\nreason = "x"\napprover = "y"\n'
                                     'expires = 2030-01-01\n', encoding="utf-8")


CASES = {
    "file not found": (["check", "missing.xlsx"], 3),
    "not a workbook (pdf)": (["check", "pdf.xlsx"], 3),
    "empty file": (["check", "empty.xlsx"], 3),
    "text saved as .xlsx": (["check", "text.xlsx"], 3),
    "binary workbook": (["check", "book.xlsb"], 3),
    "a folder given as a file": (["check", "dir.xlsx"], 3),
    "audit of a missing file": (["audit", "missing.xlsx"], 3),
    "wrong --period": (["check", "ok.xlsx", "--period", "2024Q5"], 2),
    "--annotate without -o": (["audit", "ok.xlsx", "--annotate"], 2),
    "no workbook at all": (["audit"], 2),
    "unknown --format": (["audit", "ok.xlsx", "--format", "pdf"], 2),
    "not a fireaudit JSON": (["batch", "d1", "-o", "out", "--baseline", "bad.json"], 2),
    "another tool's JSON": (["batch", "d1", "-o", "out", "--baseline", "other.json"], 2),
    "baseline not found": (["batch", "d1", "-o", "out", "--baseline", "gone.json"], 2),
    "batch of a file": (["batch", "ok.xlsx", "-o", "out"], 2),
    "config not found": (["check", "ok.xlsx", "--config", "gone.toml"], 2),
    "config: no such check": (["check", "ok.xlsx", "--config", "typo.toml"], 2),
    "config: broken TOML": (["check", "ok.xlsx", "--config", "broken.toml"], 2),
    "config: not UTF-8": (["check", "ok.xlsx", "--config", "gbk.toml"], 2),
    "config: unknown setting": (["check", "ok.xlsx", "--config", "field.toml"], 2),
    "config: negative weight": (["check", "ok.xlsx", "--config", "weight.toml"], 2),
    "config: waiver of no check": (["check", "ok.xlsx", "--config", "waiver.toml"], 2),
    "mapping: default period": (["check", "ok.xlsx", "--config", "map.toml"], 2),
    "mapping: no such sheet": (["check", "ok.xlsx", "--config", "sheet.toml"], 2),
    "grade without input": (["grade"], 2),
    "route of nothing": (["route", " "], 2),
    "unknown requirement": (["requirements", "R99"], 2),
    "template: unknown kind": (["template", "-o", "t.xlsx", "--kind", "x"], 2),
    "template: not .xlsx": (["template", "-o", "t.txt"], 2),
    "templates folder without township.md.j2": (["audit", "ok.xlsx", "-o", "out", "--templates", "d1"], 2),
    "county register that is a township's": (["batch", "d1", "-o", "out", "--county-register", "ok.xlsx"], 2),
    "batch into its own input folder": (["batch", "d1", "-o", "d1"], 2),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("errors")
    _workspace(tmp)
    return tmp


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_error_is_one_line_in_the_chosen_language_with_what_to_do(workspace, case, lang):
    args, code = CASES[case]
    result = run_cli(*args, *(["--lang", "en"] if lang == "en" else []), cwd=workspace)
    assert result.code == code, (case, result.code, result.out, result.err)
    text = result.out + result.err
    plain = NAMES.sub(" ", REGISTER_NAMES.sub(" ", DOMAIN_WORDS.sub(" ", text)) if lang == "en" else text)
    assert not foreign_lines(plain, lang), (case, foreign_lines(plain, lang))
    assert "Traceback" not in text
    errors = [line for line in result.err.splitlines() if line.startswith("fireaudit: ")]
    if errors:      # a FireauditError: one line, naming what to do next
        assert len(errors) == 1, result.err
        assert NEXT_STEP[lang].search(errors[0]), errors[0]


def test_the_language_check_can_fail():
    assert foreign_lines(NAMES.sub(" ", "fireaudit: a.toml：not valid TOML"), "zh")
    assert foreign_lines(NAMES.sub(" ", "fireaudit: a.toml: 不是有效的 TOML"), "en")
    assert not foreign_lines(NAMES.sub(" ", "fireaudit: a.toml: “整改中” is not a quarter"), "en")


def test_the_same_error_differs_by_language(workspace):
    zh = run_cli("check", "ok.xlsx", "--config", "typo.toml", cwd=workspace).err
    en = run_cli("check", "ok.xlsx", "--config", "typo.toml", cwd=workspace, env={"FIREAUDIT_LANG": "en"}).err
    assert "没有这个核验项" in zh and "no such check" in en
    assert "R99.1" in zh and "R99.1" in en
