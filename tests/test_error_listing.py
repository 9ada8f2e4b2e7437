"""Listed register errors are capped per error code (issue 19, item 5).

A workbook with 300 unparseable dates and 30 unknown 整改状态: every report
and `check` text lists at most N errors of each code with their cells, then one
sentence per code counting the rest; the JSON report keeps all of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fireaudit.audit import load_checklist
from fireaudit.i18n import t
from fireaudit.listing import listing, per_code
from fireaudit.register.model import RegisterError
from tests.builders import compliant
from tests.cli_helper import run_cli

BAD_DATES = 300   # fifteen times the listed 20: enough to show the cap; the 100k case is in benchmarks/run.py
BAD_STATUSES = 30
BAD_DATE_CELL = re.compile(r"检查隐患!B\d+")


@pytest.fixture(scope="module")
def checklist():
    return load_checklist(directory=None)


@pytest.fixture(scope="module")
def limit(checklist) -> int:
    return per_code(checklist)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    reg = compliant()
    hazards = reg.sheets["检查隐患"]
    for n in range(BAD_DATES):
        hazards.add(序号=n + 10, 检查日期="某月某日", 场所名称=f"场所{n}", 场所类型="商场市场", 所属村社区="一村",
                    隐患描述="无", 整改状态="不知道" if n < BAD_STATUSES else "无隐患", 检查人="李梅")
    return reg.save(tmp_path_factory.mktemp("listing") / "潘津镇.xlsx")


@pytest.fixture(scope="module")
def reports(workbook, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = run_cli("audit", str(workbook), "-o", str(out), "--format", "md,xlsx,json", "--annotate")
    assert result.code in (0, 1), result.err
    return out


def only(folder: Path, pattern: str) -> Path:
    found = [p for p in folder.glob(pattern)]
    assert len(found) == 1, (pattern, list(folder.iterdir()))
    return found[0]


def more_dates(limit: int, lang: str = "zh") -> str:
    return t(lang, "listing.more_errors", n=BAD_DATES - limit, code="bad-date", title=t(lang, "register_title.bad-date"))


def more_statuses(limit: int, lang: str = "zh") -> str:
    return t(lang, "listing.more_errors", n=BAD_STATUSES - limit, code="unknown-value",
             title=t(lang, "register_title.unknown-value"))


def test_the_limit_is_read_from_limits_toml(limit):
    assert limit == 20
    assert BAD_STATUSES > limit       # both codes are cut


def test_listing_keeps_the_first_of_each_code_in_order_and_counts_the_rest():
    errors = [RegisterError(code, "s", f"A{n}", "x") for n, code in enumerate("aabacaab")]
    got = listing(errors, 2)
    assert [(e.code, e.cell) for e in got.shown] == [("a", "A0"), ("a", "A1"), ("b", "A2"), ("c", "A4"), ("b", "A7")]
    assert got.left_out == (("a", 3),)
    assert got.total == 8
    assert listing(errors, 100).left_out == ()


def test_markdown_lists_n_per_code_then_the_count(reports, limit):
    text = only(reports, "*.md").read_text(encoding="utf-8")
    section = text.split(f"## {t('zh', 'report.register_errors')}")[1]
    assert len(BAD_DATE_CELL.findall(section)) == limit
    assert more_dates(limit) in text
    assert more_statuses(limit) in text
    assert len(text.encode()) < 200_000


def test_json_keeps_every_error(reports):
    report = json.loads(only(reports, "*.json").read_text(encoding="utf-8"))
    codes = [e["code"] for e in report["townships"][0]["register_errors"]]
    assert codes.count("bad-date") == BAD_DATES
    assert codes.count("unknown-value") == BAD_STATUSES


def test_excel_register_error_sheet_lists_n_per_code_then_the_count(reports, limit):
    book = load_workbook(_report_xlsx(reports))
    sheet = book[t("zh", "report.sheet_register_errors")]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
    dates = [r for r in rows if r[0] == "检查隐患" and r[1] and r[1].startswith("B")]
    assert len(dates) == limit
    problems = [r[3] for r in rows]
    assert more_dates(limit) in problems and more_statuses(limit) in problems
    assert len(rows) == 2 * limit + 2 + _other_errors(reports)


def test_annotated_review_sheet_lists_n_per_code_then_the_count(reports, limit):
    copy = only(reports, "*批注.xlsx")
    book = load_workbook(copy)
    sheet = book[t("zh", "annotate.sheet")]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert len([c for c in cells if BAD_DATE_CELL.fullmatch(c)]) == limit
    assert more_dates(limit) in cells and more_statuses(limit) in cells


def test_check_text_lists_n_per_code_then_the_count(workbook, limit):
    result = run_cli("check", str(workbook), "--fail-on", "advisory")
    lines = result.out.splitlines()
    dates = [line for line in lines if " register bad-date 检查隐患!B" in line]
    assert len(dates) == limit
    assert sum(more_dates(limit) in line for line in lines) == 1
    assert sum(more_statuses(limit) in line for line in lines) == 1


def test_junit_lists_n_per_code_then_the_count(workbook, limit):
    result = run_cli("check", str(workbook), "--fail-on", "advisory", "--format", "junit", "--lang", "en")
    assert len(re.findall(r"检查隐患!B\d+ ", result.out)) == limit
    assert more_dates(limit, "en") in result.out
    assert more_statuses(limit, "en") in result.out


def test_a_county_may_change_the_limit(workbook, tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text("[data.limits]\nlisted_errors_per_code = 3\n", encoding="utf-8")
    result = run_cli("check", str(workbook), "--fail-on", "advisory", "--config", str(config))
    assert len([line for line in result.out.splitlines() if " register bad-date 检查隐患!B" in line]) == 3
    assert more_dates(3) in result.out


def test_a_limit_below_one_is_refused(workbook, tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text("[data.limits]\nlisted_errors_per_code = 0\n", encoding="utf-8")
    result = run_cli("check", str(workbook), "--config", str(config))
    assert result.code == 2, (result.out, result.err)


def _report_xlsx(folder: Path) -> Path:
    return next(p for p in folder.glob("*.xlsx") if not p.name.endswith("批注.xlsx"))


def _other_errors(folder: Path) -> int:
    """Register errors of the workbook that are neither of the two mass codes (none in this fixture)."""
    report = json.loads(only(folder, "*.json").read_text(encoding="utf-8"))
    return sum(e["code"] not in ("bad-date", "unknown-value") for e in report["townships"][0]["register_errors"])
