"""A missing input is raised once (MissingInput) and recorded once, by the engine, as `unknown`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fireaudit.checks import KINDS
from fireaudit.checks.base import CheckKind, MissingInput, outcome
from fireaudit.status import Status
from tests.builders import compliant

CHECKS = Path(__file__).resolve().parent.parent / "fireaudit" / "checks"


def _deep(ctx, params):
    """A check whose helper needs a sheet the register lacks: no return value to thread back."""
    def helper():
        ctx.need("责任人", "姓名")
        ctx.need("不存在的表", "某列")
        raise AssertionError("need() must raise before this line")
    helper()


def test_a_missing_sheet_deep_in_a_check_becomes_one_unknown_result(audit_of, monkeypatch):
    monkeypatch.setitem(KINDS, "roles_named", CheckKind(_deep, KINDS["roles_named"].params))
    result = audit_of(compliant()).check("R01.1")
    assert result.status == Status.UNKNOWN and result.message == "common.missing_sheet"
    assert result.params == {"sheet": "不存在的表"}
    assert [e.missing for e in result.evidence] == ["sheet"]


def test_a_missing_column_names_sheet_and_column(audit_of):
    register = compliant()
    sheet = register.sheets["专项治理"]
    at = sheet.header.index("整改隐患数")
    sheet.header.pop(at)
    for row in sheet.rows:
        row.pop(at)
    result = audit_of(register).check("R10.2")
    assert result.status == Status.UNKNOWN and result.message == "common.missing_column"
    assert result.params == {"sheet": "专项治理", "column": "整改隐患数"}


def test_a_blank_profile_key_raises_with_its_evidence(audit_of):
    register = compliant()
    register.profile["执法权责清单公布日期"] = None
    result = audit_of(register).check("R15.1")
    assert (result.status, result.message, result.params) == (Status.UNKNOWN, "common.missing_profile",
                                                               {"key": "执法权责清单公布日期"})


def test_missing_input_carries_the_outcome_the_engine_records():
    found = outcome(Status.UNKNOWN, "common.missing_sheet", sheet="队员")
    with pytest.raises(MissingInput) as info:
        raise MissingInput(found)
    assert info.value.outcome is found


def test_outcome_takes_uses():
    assert outcome(Status.PASS, "x.pass", uses=("data.gbt35547.rules",), n=1).uses == ("data.gbt35547.rules",)
    assert outcome(Status.PASS, "x.pass", n=1).params == {"n": 1}


def test_no_check_returns_early_on_an_outcome_and_none_catches_missing_input_but_the_partial_one():
    """`if isinstance(x, Outcome): return x` is gone; only training_recent (judged in parts) catches."""
    catching = []
    for path in sorted(CHECKS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
                assert not (len(node.args) == 2 and "Outcome" in ast.unparse(node.args[1])), \
                    f"{path.name}:{node.lineno}: returns early on an Outcome"
            if isinstance(node, ast.ExceptHandler) and "MissingInput" in ast.unparse(node.type or ast.Constant(None)):
                catching.append(path.name)
    assert catching == ["personnel.py"]
