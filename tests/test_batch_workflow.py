"""The batch workflow's pieces, in process: county duties judged once by the engine, the typed
BatchResult, the conflict sentence from the catalogue, and a loader that imports no check."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from fireaudit.audit import BATCH, SINGLE, audit_register, judge_county_duties
from fireaudit.batch import BatchRequest, conflict_line, run_batch, supervision_missed
from fireaudit.checklist import loader
from fireaudit.checks.county import CountyData
from fireaudit.errors import ConfigError
from fireaudit.register import RegisterReader
from fireaudit.reports.rollup_view import rollup_view
from fireaudit.batch_facts import Conflict
from tests.builders import compliant, county_register

COUNTY_DUTIES = ("R20", "R21", "R22")


def _audit(tmp_path: Path, checklist, name: str, mode: str):
    path = compliant("伊宁市", name, "镇", "2024Q2").save(tmp_path / f"{name}.xlsx")
    return audit_register(RegisterReader(checklist).read(path), checklist, mode=mode)


def test_a_batch_township_leaves_its_county_duties_to_one_judgement(tmp_path, checklist):
    audit = _audit(tmp_path, checklist, "甲镇", BATCH)
    assert not [r for r in audit.requirements if r.id in COUNTY_DUTIES]
    judged = judge_county_duties(audit, checklist, None)
    assert [r.id for r in judged.requirements] == [r.id for r in checklist.requirements]
    duties = {r.id: r for r in judged.county_duties}      # the roll-up's county section
    for duty in COUNTY_DUTIES:
        (check,) = duties[duty].checks
        assert (check.status, check.message) == ("unknown", "common.county_missing")
        (listed,) = judged.requirement(duty).checks       # the township lists it, na, not scored
        assert (listed.status, listed.message) == ("na", "county_duties.in_rollup")
    assert judged.score == audit.score                    # issue 16 item 8: the county's duties never count
    single = _audit(tmp_path, checklist, "乙镇", SINGLE)
    assert {single.requirement(d).status for d in COUNTY_DUTIES} == {"na"}


def test_the_county_register_judges_each_township_and_names_the_unsupervised(tmp_path, checklist):
    names = ["甲镇", "乙镇"]
    audits = [_audit(tmp_path, checklist, n, BATCH) for n in names]
    county_path = county_register(names, supervised=["甲镇"]).save(tmp_path / "county.xlsx")
    county = CountyData(RegisterReader(checklist).read(county_path, county=True),
                        [(a.county, a.township) for a in audits])
    judged = [judge_county_duties(a, checklist, county) for a in audits]
    assert [next(c for r in a.county_duties for c in r.checks if c.id == "R21.1").status for a in judged] \
        == ["pass", "fail"]
    assert [a.check("R21.1").status for a in judged] == ["na", "na"]
    assert supervision_missed(judged) == ("伊宁市乙镇",)


def test_run_batch_returns_what_it_did(tmp_path, checklist):
    folder = tmp_path / "regs"
    folder.mkdir()
    for name in ("甲镇", "乙镇"):
        compliant("伊宁市", name, "镇", "2024Q2").save(folder / f"{name}.xlsx")
    compliant("伊宁市", "乙镇", "镇", "2024Q2").save(folder / "乙镇-重复.xlsx")
    previous = signal.getsignal(signal.SIGTERM)
    try:
        result = run_batch(BatchRequest(folder, tmp_path / "out", checklist, ["json"], jobs=1))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert (result.found, result.audited, result.interrupted) == (3, 1, False)
    assert [a.township for a in result.run.townships] == ["甲镇"]
    (conflict,) = result.run.batch.conflicts
    assert (conflict.township, len(conflict.files)) == ("乙镇", 2)
    assert result.has_problems                       # a conflict exits 3
    assert result.run.batch.county_register is None and result.run.batch.baseline is None
    assert (tmp_path / "out" / "汇总.md").is_file()
    view = rollup_view(result.run, checklist, "zh")
    assert [row["township"] for row in view.rows] == ["甲镇"] and view.conflicts == (conflict,)


@pytest.mark.parametrize("lang, expected", [
    ("zh", "与其他台账冲突：伊宁市乙镇 2024Q2: a.xlsx; b.xlsx; c.xlsx; … (+2)"),
    ("en", "Conflicts with another register for 伊宁市乙镇 2024Q2: a.xlsx; b.xlsx; c.xlsx; … (+2)"),
])
def test_the_conflict_sentence_comes_from_the_catalogue(lang, expected):
    conflict = Conflict("伊宁市", "乙镇", "2024Q2", ("a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx", "e.xlsx"))
    assert conflict_line(conflict, lang) == expected


def test_the_loader_validates_params_with_the_types_its_caller_gives():
    with pytest.raises(ConfigError, match="类型 records_in_window 不存在"):
        loader.load({})


def test_the_roll_up_ranking_is_the_one_pandas_gave():
    """rollup_view ranks without pandas now: score down, then county and township up, an empty one last,
    ties in run order (pandas' sort_values with na_position="last", stable)."""
    import random

    import pandas as pd

    from fireaudit.reports.rollup_view import _ranked

    rng = random.Random(7)
    for _ in range(200):
        records = [{"n": n, "score": rng.choice([0.0, 50.0, 94.4, 100.0]), "county": rng.choice([None, "伊宁市", "伊宁县"]),
                    "township": rng.choice([None, "潘津镇", "巴彦岱镇", "a"])} for n in range(rng.randint(0, 12))]
        frame = pd.DataFrame.from_records(records, columns=["n", "score", "county", "township"])
        frame = frame.sort_values(["score", "county", "township"], ascending=[False, True, True], kind="stable")
        assert [r["n"] for r in _ranked(records)] == list(frame["n"])
