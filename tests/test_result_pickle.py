"""A township's audit crosses from a worker to the parent by pickle, its records as columns (issue 19).

What must hold: the audit arrives equal, field for field; an evidence tuple
several checks share arrives once and shared (the JSON writer writes it once
by its identity); the records are rebuilt without their constructors (that is
the point: 200,000 register errors)."""

from __future__ import annotations

import pickle

from fireaudit.audit import audit_register
from fireaudit.register import RegisterReader, model
from fireaudit.register.model import Evidence, RegisterError, pack_rows, unpack_rows
from fireaudit.runner import audit_files
from tests.builders import compliant

BAD = 40


def _register_with_bad_dates(tmp_path):
    reg = compliant()
    for n in range(BAD):
        reg.sheets["检查隐患"].add(序号=n + 10, 检查日期="某月某日", 场所名称=f"场所{n}", 场所类型="商场市场",
                                  所属村社区="一村", 隐患描述="无", 整改状态="无隐患", 检查人="李梅")
    return reg.save(tmp_path / "潘津镇.xlsx")


def test_an_audit_arrives_equal_with_shared_evidence_still_shared(tmp_path, checklist):
    audit = audit_register(RegisterReader(checklist).read(_register_with_bad_dates(tmp_path)), checklist)
    assert len(audit.register_errors) >= BAD
    arrived = pickle.loads(pickle.dumps(audit))
    assert arrived == audit
    assert [type(e) for e in arrived.register_errors] == [RegisterError] * len(audit.register_errors)
    assert [e.nearest for e in arrived.register_errors] == [e.nearest for e in audit.register_errors]

    def sharing(a) -> list[int]:
        """For each check, the index of the first check holding the very same evidence tuple."""
        checks = [c for r in a.requirements for c in r.checks]
        first: dict[int, int] = {}
        return [first.setdefault(id(c.evidence), n) for n, c in enumerate(checks)]

    assert sharing(arrived) == sharing(audit)
    assert len(set(sharing(audit))) < len([c for r in audit.requirements for c in r.checks])   # some are shared


def test_a_worker_sends_the_same_audit_as_one_made_in_process(tmp_path, checklist):
    path = _register_with_bad_dates(tmp_path)
    in_process = audit_files([path], checklist, None, isolate=False).townships[0]
    from_worker = audit_files([path], checklist, None, isolate=True).townships[0]
    assert from_worker == in_process


def test_records_are_rebuilt_without_their_constructors(monkeypatch):
    rows = (RegisterError("bad-date", "检查隐患", "B3", "某月某日", "日期", ("2024-05-01",)),
            RegisterError("unknown-value", "队伍", "C4", "专职队"))
    packed = pack_rows(RegisterError, rows)

    def refuse(*args, **kwargs):
        raise AssertionError("a constructor was called")

    monkeypatch.setattr(model.RegisterError, "__init__", refuse)
    assert unpack_rows(*packed) == rows
    assert unpack_rows(Evidence, ([], [], [], [])) == ()


def test_a_field_of_equal_values_is_packed_once():
    rows = tuple(RegisterError("bad-date", "检查隐患", f"B{n}", "某月某日" if n % 2 else "45/45/2024", "日期")
                 for n in range(3, 1503))
    cls, columns = pickle.loads(pickle.dumps(pack_rows(RegisterError, rows)))
    assert [type(c).__name__ for c in columns] == ["_Same", "_Same", "list", "list", "_Same", "_Same"]
    assert unpack_rows(cls, columns) == rows


def test_pickling_leaves_the_audit_as_it_was_and_copies_checks_field_for_field(tmp_path, checklist):
    """The checks are copied without dataclasses.replace (result._with): the original keeps its evidence
    tuples, and a copy has every field, in the same order, as one made by replace."""
    from dataclasses import fields, replace

    from fireaudit.result import _with

    audit = audit_register(RegisterReader(checklist).read(_register_with_bad_dates(tmp_path)), checklist)
    before = [(c, c.evidence) for r in audit.requirements for c in r.checks]
    pickle.dumps(audit)
    assert all(c.evidence is evidence for c, evidence in before)
    check = before[0][0]
    copied, replaced = _with(check, evidence=()), replace(check, evidence=())
    assert copied == replaced and copied is not check and check.evidence is before[0][1]
    assert list(vars(copied)) == list(vars(replaced)) == [f.name for f in fields(check)]


def test_a_field_whose_last_value_differs_is_packed_as_a_list():
    rows = tuple(RegisterError("bad-date", "检查隐患", f"B{n}", "某月某日", "日期" if n < 1502 else "日")
                 for n in range(3, 1503))
    cls, columns = pickle.loads(pickle.dumps(pack_rows(RegisterError, rows)))
    assert [type(c).__name__ for c in columns] == ["_Same", "_Same", "list", "_Same", "list", "_Same"]
    assert unpack_rows(cls, columns) == rows
