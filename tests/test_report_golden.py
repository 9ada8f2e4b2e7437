"""Golden Markdown reports, one per bundled sample (and one in English).

After a change that alters reports on purpose (new checks, new messages),
regenerate them and review the diff:

    FIREAUDIT_UPDATE_GOLDEN=1 python -m pytest tests/test_report_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from fireaudit.reports import render_markdown
from fireaudit.reports.files import report_stem
from tests.report_support import options, sample_run

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("FIREAUDIT_UPDATE_GOLDEN") == "1"
CASES = [("伊宁市", "潘津镇", "zh"), ("伊宁县", "喀拉亚尕奇乡", "zh"), ("伊宁市", "解放路街道", "zh"),
         ("伊宁市", "潘津镇", "en")]


@pytest.mark.parametrize("county, township, lang", CASES)
def test_markdown_report_matches_its_golden_file(county, township, lang):
    run = sample_run()
    audit = next(a for a in run.townships if (a.county, a.township) == (county, township))
    text = render_markdown(run, audit, options(lang))
    golden = GOLDEN / f"{report_stem(county, township, audit.period)}.{lang}.md"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing {golden.name}; run FIREAUDIT_UPDATE_GOLDEN=1 python -m pytest {__file__}"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if the change is intended: FIREAUDIT_UPDATE_GOLDEN=1 python -m pytest "
        "tests/test_report_golden.py")


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


@pytest.mark.parametrize("county, township, lang", CASES)
def test_every_table_row_has_as_many_cells_as_its_header(county, township, lang):
    run = sample_run()
    audit = next(a for a in run.townships if (a.county, a.township) == (county, township))
    header = None
    for line in render_markdown(run, audit, options(lang)).splitlines():
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = _unescaped_pipes(line)
        else:
            assert _unescaped_pipes(line) == header, line
