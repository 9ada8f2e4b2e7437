"""JUnit XML for CI servers (GitLab, Jenkins): a testsuite per township, a testcase per requirement.

A requirement fails when it has a gap at or above --fail-on; `na` is skipped;
register errors are one more testcase; an unreadable file is an errored suite.
Every text from an input passes through `xml_safe` (`_x`): a control character
in a cell or a file name must not make the whole report ill-formed XML."""

from __future__ import annotations

from fireaudit.checklist import Checklist
from fireaudit.gate import REGISTER_ERROR_SEVERITY, fails_gate, gate
from fireaudit.i18n import t
from fireaudit.i18n import message_text
from fireaudit.listing import listed
from fireaudit.result import AuditRun, TownshipAudit
from fireaudit.status import Status
from fireaudit.textnorm import xml_safe as _x


def _suite(run: AuditRun, audit: TownshipAudit, checklist: Checklist, fail_on: str, lang: str):
    from junitparser import Failure, Skipped, TestCase, TestSuite

    suite = TestSuite(_x(f"{audit.county or ''}{audit.township or ''} {audit.period}"))
    suite.add_property("file", _x(audit.file))
    suite.add_property("score", str(audit.score))
    _provenance(suite, run, audit)
    for result in audit.requirements:
        spec = checklist.requirement_by_id[result.id]
        case = TestCase(_x(f"{result.id} {spec.title(lang)}"), classname=_x(f"{audit.county or ''}{audit.township or ''}"))
        gaps = [c for c in result.checks if fails_gate(c, fail_on)]
        if result.status == Status.NA:
            case.result = [Skipped(t(lang, Status.NA.key))]
        elif gaps:
            failure = Failure(f"{result.id} {t(lang, Status(result.status).key)}: {len(gaps)}", f"{gaps[0].severity}")
            failure.text = _x("\n".join(
                f"{c.id} [{c.severity}] {c.status} {', '.join(e.ref() for e in c.evidence)}: "
                f"{message_text(c.message, c.params, lang)}" for c in gaps))
            case.result = [failure]
        suite.add_testcase(case)
    errors = gate(audit, fail_on).register_errors
    case = TestCase(t(lang, "ui.register_errors"), classname=_x(f"{audit.county or ''}{audit.township or ''}"))
    if errors:
        failure = Failure(t(lang, "ui.register_errors_count", count=len(errors)), REGISTER_ERROR_SEVERITY.value)
        listing = listed(errors, checklist)     # the first N of each error code, then a count per code
        failure.text = _x("\n".join([*(f"{e.ref()} {e.message(lang)}" for e in listing.shown),
                                     *listing.more_lines(lang)]))
        case.result = [failure]
    suite.add_testcase(case)
    suite.update_statistics()
    return suite


def _provenance(suite, run: AuditRun, audit: TownshipAudit | None) -> None:
    """Where the verdict comes from: input hash, checklist, local config, tool version, run time.

    Every key is always present (an empty value when there is none), so CI can rely on it."""
    from fireaudit.provenance import run_fields

    fields = {"sha256": audit.sha256 if audit else "", **run_fields(run)}
    for name, value in fields.items():
        suite.add_property(name, "" if value is None else _x(value))
    if run.generated_at:
        suite.timestamp = run.generated_at.removesuffix("Z")   # JUnit's xs:dateTime, UTC


def dumps(run: AuditRun, checklist: Checklist, fail_on: str, lang: str) -> str:
    from junitparser import Error, JUnitXml, TestCase, TestSuite

    xml = JUnitXml("fireaudit")
    for audit in run.townships:
        xml.add_testsuite(_suite(run, audit, checklist, fail_on, lang))
    for item in run.unreadable:
        suite = TestSuite(_x(item.file))
        _provenance(suite, run, None)
        case = TestCase(t(lang, "ui.unreadable"), classname=_x(item.file))
        case.result = [Error(_x(item.text(lang)), "unreadable")]
        suite.add_testcase(case)
        suite.update_statistics()
        xml.add_testsuite(suite)
    xml.update_statistics()
    return xml.tostring().decode("utf-8") if isinstance(xml.tostring(), bytes) else xml.tostring()
