"""One Status, one Severity, one --fail-on gate: every output agrees on what fails."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from fireaudit.errors import ExitCode
from fireaudit.gate import at_or_above, counted_gaps, exit_code, fails_gate, gate
from fireaudit.i18n import catalog, t
from fireaudit.register.model import Evidence, RegisterError
from fireaudit.reports import json_report, junit
from fireaudit.reports.terminal import gate_lines
from fireaudit.result import AuditRun, CheckResult, RequirementResult, TownshipAudit, Unreadable
from fireaudit.status import GAPS, WORST_FIRST, Severity, Status, is_gap, rank

FAIL_ON = ["critical", "major", "advisory", "none"]


def test_statuses_are_the_json_strings_in_report_order():
    assert [s.value for s in Status] == ["pass", "partial", "fail", "unknown", "na"]
    assert Status.PASS == "pass" and f"{Status.NA}" == "na" and json.dumps([Status.FAIL]) == '["fail"]'
    assert Status("unknown") is Status.UNKNOWN


def test_a_gap_is_partial_fail_or_unknown_for_members_and_plain_strings():
    assert {s for s in Status if s.is_gap} == set(GAPS) == {Status.PARTIAL, Status.FAIL, Status.UNKNOWN}
    assert [is_gap(s) for s in ("pass", "partial", "fail", "unknown", "na")] == [False, True, True, True, False]
    assert WORST_FIRST == (Status.FAIL, Status.PARTIAL, Status.UNKNOWN)


def test_severity_order():
    assert sorted(Severity, key=lambda s: s.rank) == [Severity.ADVISORY, Severity.MAJOR, Severity.CRITICAL]
    assert list(Severity) == sorted(Severity, key=lambda s: -s.rank)      # iteration: most severe first
    assert rank("critical") > rank("major") > rank("advisory")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_status_and_severity_has_a_label_colour_and_fill(lang):
    for status in Status:
        assert status.key in catalog(lang) and t(lang, status.key) != status.key
        assert status.style and len(status.fill) == 6 and status.symbol
    for severity in Severity:
        assert severity.key in catalog(lang)


@pytest.mark.parametrize("severity, fail_on, counts", [
    ("critical", "critical", True), ("major", "critical", False), ("advisory", "critical", False),
    ("critical", "major", True), ("major", "major", True), ("advisory", "major", False),
    ("critical", "advisory", True), ("major", "advisory", True), ("advisory", "advisory", True),
    ("critical", "none", False), ("major", "none", False), ("advisory", "none", False),
])
def test_at_or_above(severity, fail_on, counts):
    assert at_or_above(severity, fail_on) is counts


def _check(check_id: str, status: str, severity: str) -> CheckResult:
    return CheckResult(check_id, check_id[:3], "roles_named", status, severity, "roles_named.missing",
                       {"missing": ["第一责任人"]}, (Evidence("责任人", "C3"),), "实施方案")


def _audit() -> TownshipAudit:
    checks = [_check("R01.1", "fail", "critical"), _check("R01.2", "unknown", "major"),
              _check("R01.3", "fail", "advisory"), _check("R01.4", "pass", "critical"),
              _check("R01.5", "na", "critical")]
    requirement = RequirementResult("R01", "fail", "critical", 1.0, tuple(checks))
    other = RequirementResult("R02", "na", None, 1.0, (_check("R02.1", "na", "major"),))
    error = RegisterError("bad-date", "演练", "B4", "2024-13-01", "日期")
    return TownshipAudit("潘津镇.xlsx", "伊宁市", "潘津镇", "镇", "2024Q2", 50.0, None, (requirement, other),
                         (error,), ())


@pytest.mark.parametrize("fail_on", FAIL_ON)
def test_text_junit_count_and_exit_code_agree_on_what_fails(checklist, fail_on):
    audit = _audit()
    run = AuditRun("0", "x", "1", "2024Q2", (audit,))
    failing = gate(audit, fail_on)
    expected = {"critical": {"R01.1"}, "major": {"R01.1", "R01.2"}, "advisory": {"R01.1", "R01.2", "R01.3"},
                "none": set()}[fail_on]
    assert {c.id for c in failing.checks} == expected
    assert all(fails_gate(c, fail_on) for c in failing.checks)
    assert len(failing.register_errors) == (fail_on in ("major", "advisory"))   # register errors count as major
    assert counted_gaps(audit, fail_on) == len(failing) == len(expected) + len(failing.register_errors)

    lines = gate_lines(run, fail_on, "en")
    shown = gate(audit, "advisory") if fail_on == "none" else failing   # none lists every gap, fails on none
    assert len(lines) == len(shown)
    assert {line.split()[1] for line in lines if line.split()[1] != "register"} == {c.id for c in shown.checks}

    suite = ET.fromstring(junit.dumps(run, checklist, fail_on, "en")).find("testsuite")
    failures = [case.find("failure") for case in suite.iter("testcase") if case.find("failure") is not None]
    listed = {line.split()[0] for f in failures for line in (f.text or "").splitlines() if line.startswith("R")}
    assert listed == expected
    skipped = [case.get("name") for case in suite.iter("testcase") if case.find("skipped") is not None]
    assert [name.split()[0] for name in skipped] == ["R02"]

    assert exit_code(run, fail_on) == (ExitCode.GAPS if len(failing) else ExitCode.OK)
    assert exit_code(AuditRun("0", "x", "1", None, (audit,), (Unreadable("a.xlsx", "bad"),)), fail_on) \
        == ExitCode.UNREADABLE


def test_json_carries_plain_status_and_severity_strings():
    run = AuditRun("0", "x", "1", "2024Q2", (_audit(),))
    data = json.loads(json_report.dumps(run))
    checks = data["townships"][0]["requirements"][0]["checks"]
    assert [(c["status"], c["severity"]) for c in checks][:2] == [("fail", "critical"), ("unknown", "major")]
