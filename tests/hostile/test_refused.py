"""Hostile files are refused before parsing: exit 3, a one-line reason, within 5 s and 512 MiB.

Each file is built in code (tests/hostile/makers.py). Time and peak memory are
measured on a forked `fireaudit check` process (tests/cli_helper.run_forked): the
run's own time and memory, without interpreter start-up, which
tests/test_cli.py and benchmarks/hostile.py measure apart. The bounds fail on a
real regression, not on CI noise."""

from __future__ import annotations

import json

import pytest

from tests.cli_helper import run_forked
from tests.hostile.makers import HOSTILE, good_xlsx, sparse_huge_sheet

MAX_SECONDS = 5.0
MAX_RSS_MIB = 512


def run_measured(*args: str) -> tuple[int, str, float, float]:
    """Exit code, output, wall seconds and peak RSS (MiB) the run added, in a forked fireaudit process."""
    run = run_forked(*args)
    return run.code, run.output, run.seconds, run.rss_mib


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_quickly_and_cheaply(tmp_path, name):
    make, reason = HOSTILE[name]
    path = make(tmp_path / name)
    before = path.read_bytes()
    code, output, seconds, rss = run_measured("check", str(path), "--lang", "en")
    assert code == 3, output
    assert reason in output
    assert "Traceback" not in output
    assert len([line for line in output.splitlines() if str(path) in line]) == 1
    assert seconds < MAX_SECONDS, seconds
    assert rss < MAX_RSS_MIB, rss
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["ratio-bomb.xlsx", "laughs.xlsx", "locked.xlsx", "truncated.xlsx"])
def test_the_run_continues_past_a_hostile_file(tmp_path, name):
    make, _ = HOSTILE[name]
    hostile = make(tmp_path / name)
    good = good_xlsx(tmp_path / "good.xlsx")
    code, output, _, _ = run_measured("check", str(hostile), str(good), "--format", "json")
    assert code == 3
    data = json.loads(output[output.index("{"):output.rindex("}") + 1])
    assert [t["township"] for t in data["townships"]] == ["潘津镇"]
    assert [u["file"] for u in data["unreadable"]] == [str(hostile)]


def test_a_huge_used_range_is_a_register_error_not_a_crash(tmp_path):
    path = sparse_huge_sheet(tmp_path / "sparse.xlsx")
    code, output, seconds, rss = run_measured("check", str(path), "--format", "json")
    assert code == 1, output
    data = json.loads(output[output.index("{"):output.rindex("}") + 1])
    errors = data["townships"][0]["register_errors"]
    assert [(e["code"], e["sheet"]) for e in errors] == [("sheet-too-large", "演练")]
    statuses = {c["id"]: c["status"] for r in data["townships"][0]["requirements"] for c in r["checks"]}
    assert statuses["R04.10"] == "unknown"     # the drills sheet could not be read
    assert statuses["R01.1"] == "pass"         # the rest of the workbook still is
    assert seconds < MAX_SECONDS and rss < MAX_RSS_MIB


def test_limits_are_configurable_and_named(tmp_path):
    path = good_xlsx(tmp_path / "good.xlsx")
    config = tmp_path / "fireaudit.toml"
    config.write_text("[data.limits]\nmax_members = 5\n", encoding="utf-8")
    code, output, _, _ = run_measured("check", str(path), "--config", str(config), "--lang", "en")
    assert code == 3 and "max_members" in output and "limit of 5" in output


def test_openpyxl_reads_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
