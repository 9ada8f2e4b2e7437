"""No verdict without understood evidence, for every check kind (issue 14, item 1).

Generated: for every kind in KINDS, every check of that kind is run on a
compliant township while each cell it reads (table cells and profile keys,
found by recording what it read) is in turn made "present but not
understood". The check must never fail on it; when the verdict changes it is
`unknown` and names the cell; a verdict that stands is one its own witnesses
prove (rows other than the unparsed one)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fireaudit.audit import BATCH, SINGLE, _requirement
from fireaudit.checks import KINDS, CheckContext
from fireaudit.checks.county import CountyData
from fireaudit.checks.understood import MESSAGE
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.model import READS, VALUE, Reads, Unparsed
from tests.builders import compliant, county_register

RAW = "？不详"


@pytest.fixture(scope="module")
def towns(tmp_path_factory, checklist):
    """A compliant 一级-brigade town, a 志愿 town and a 街道, read once; the county register of all three."""
    folder = tmp_path_factory.mktemp("understood")
    reader = RegisterReader(checklist)
    regs = [reader.read(compliant(township=t, kind=k).save(folder / f"{t}.xlsx"))
            for t, k in (("潘津镇", "镇"), ("巴彦岱镇", "镇"), ("解放路街道", "街道"))]
    names = [r.township for r in regs]
    county = reader.read(county_register(names, sanctioned=names).save(folder / "county.xlsx"), county=True)
    baseline = {"townships": [{"county": r.county, "township": r.township, "score": 40.0, "period": "2024Q1",
                               "requirements": []} for r in regs]}   # below the pass line: a sanction is due
    return regs, CountyData(county, [(r.county, r.township) for r in regs], baseline)


def _run(register, checklist, county, check_id):
    spec = next(s for s in checklist.requirements if any(c.id == check_id for c in checklist.checks_of(s.id)))
    extra = {"county": county} if spec.scope == "county" else {}
    ctx = CheckContext(register, Period.parse("2024Q2"), checklist, extra)
    result = _requirement(ctx, spec, BATCH if extra else SINGLE)
    return next(c for c in result.checks if c.id == check_id)


def _reads(register, checklist, county, check_id) -> Reads:
    reads = Reads()
    token = READS.set(reads)
    try:
        _run(register, checklist, county, check_id)
    finally:
        READS.reset(token)
    return reads


def _table_cells(reads):
    for table, columns in reads.tables.values():
        for column in sorted(columns):
            if column in table.values:
                for position in range(len(table)):
                    if table.status(position, column) == VALUE:
                        yield table, column, position


def _assert_held(baseline, result, ref, where):
    assert result.status != "fail", (where, result.message, result.params)
    if result.status != baseline.status or result.message != baseline.message:
        assert result.status == "unknown", (where, result.status, result.message)
        assert result.message == MESSAGE, (where, result.message, result.params)
        assert ref in [e.ref() for e in result.evidence], (where, result.evidence)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_cell_not_understood_never_gives_a_verdict(kind, towns, checklist):
    registers, county = towns
    check_ids = [c.id for c in checklist.checks if c.kind == kind and c.enabled]
    assert check_ids, f"no check of kind {kind}"
    turned_unknown = 0
    judged = 0
    for register in registers:
        for check_id in check_ids:
            baseline = _run(register, checklist, county, check_id)
            if baseline.status == "na" and baseline.message.startswith("common.kind"):
                continue
            judged += 1
            reads = _reads(register, checklist, county, check_id)
            for table, column, position in list(_table_cells(reads)):
                evidence = table.cell(position, column)
                old = table.values[column][position]
                table.values[column][position] = None
                table.unparsed.setdefault(column, {})[position] = Unparsed(RAW, "unknown-value", "可选值", evidence,
                                                                          ("是",))
                try:
                    result = _run(register, checklist, county, check_id)
                finally:
                    table.values[column][position] = old
                    del table.unparsed[column][position]
                    if not table.unparsed[column]:
                        del table.unparsed[column]
                _assert_held(baseline, result, evidence.ref(), (register.township, check_id, evidence.ref()))
                turned_unknown += result.status == "unknown" and baseline.status != "unknown"
            for reg, keys in reads.keys.values():
                for key in sorted(keys):
                    entry = reg.profile.get(key)
                    if entry is None or entry.value is None:
                        continue
                    reg.profile[key] = replace(entry, value=None,
                                               unparsed=Unparsed(RAW, "unknown-value", "可选值", entry.evidence))
                    try:
                        result = _run(register, checklist, county, check_id)
                    finally:
                        reg.profile[key] = entry
                    _assert_held(baseline, result, entry.evidence.ref(), (register.township, check_id, key))
                    turned_unknown += result.status == "unknown" and baseline.status != "unknown"
    assert judged, kind
    assert turned_unknown, f"{kind}: no cell it reads ever made it unknown (is the rule applied?)"
