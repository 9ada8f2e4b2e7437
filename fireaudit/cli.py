"""The command line: parse arguments, call the layers below, map results to exit codes.

Heavy libraries (pandas, openpyxl, jinja2, the checklist) are imported inside
the commands, so `fireaudit --help` starts fast."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from fireaudit.errors import ExitCode, FireauditError

EXIT_CODES_HELP = (
    "Exit codes: 0 ran, no gap at or above --fail-on; 1 gaps at or above --fail-on; "
    "2 usage or configuration error; 3 an input could not be read or is not a register; "
    "4 internal error in fireaudit (never a gap; the traceback is saved to a file)."
)

app = typer.Typer(
    name="fireaudit",
    help="Audit township fire-safety registers (台账) against the Ili plan of 2024 and GB/T 35547-2017.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class FailOn(str, Enum):
    critical = "critical"
    major = "major"
    advisory = "advisory"
    none = "none"


class GateFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"


LangOption = Annotated[Lang, typer.Option("--lang", help="Language of reports and messages.")]
ConfigOption = Annotated[Optional[str], typer.Option("--config", help="County overrides (default: ./fireaudit.toml).")]
PeriodOption = Annotated[Optional[str], typer.Option("--period", help="Quarter to audit, e.g. 2024Q1 (default: the profile's 报告期).")]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _period(text: str | None):
    from fireaudit.period import Period

    if text is None:
        return None
    period = Period.parse(text)
    if period is None:
        raise typer.BadParameter(f"{text!r} is not a quarter such as 2024Q1", param_hint="--period")
    return period


def _formats(text: str) -> list[str]:
    from fireaudit.reports import WRITERS

    formats = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        raise typer.BadParameter(f"unknown format {', '.join(unknown) or text!r}; choose from {', '.join(WRITERS)}",
                                 param_hint="--format")
    return formats


def _demo_files() -> list[Path]:
    from fireaudit.resources import data_dir

    return sorted(data_dir("samples").glob("*.xlsx"))


@app.command()
def audit(
    files: Annotated[Optional[list[Path]], typer.Argument(help="Township workbooks (.xlsx .xlsm .xls .ods).")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the reports into this directory.")] = None,
    period: PeriodOption = None,
    format: Annotated[Optional[str], typer.Option("--format", help="Report formats, comma-separated (md, xlsx, json).")] = None,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
    demo: Annotated[bool, typer.Option("--demo", help="Audit the bundled sample registers.")] = False,
) -> None:
    """Audit township workbooks: a summary per township, and report files with -o."""
    from fireaudit.checklist import load_checklist
    from fireaudit.i18n import t
    from fireaudit.reports import DEFAULT_FORMATS, WRITERS
    from fireaudit.reports.terminal import print_summary
    from fireaudit.runner import audit_files

    paths = list(files or [])
    if demo:
        paths += _demo_files()
        output = output or Path("fireaudit-demo")
    if not paths:
        raise typer.BadParameter("give at least one workbook, or --demo", param_hint="FILE")
    formats = _formats(format or DEFAULT_FORMATS)
    checklist = load_checklist(config)
    run = audit_files(paths, checklist, _period(period))

    console = _console()
    if output is None and format and formats == ["json"]:
        from fireaudit.reports.json_report import dumps

        sys.stdout.write(dumps(run))
    else:
        print_summary(console, run, checklist, lang.value)
    if output is not None:
        for township in run.townships:
            for name in formats:
                WRITERS[name](run, township, output, lang.value)
        console.print(t(lang.value, "ui.demo_written" if demo else "ui.written", path=str(output)))
    if run.unreadable:
        raise typer.Exit(ExitCode.UNREADABLE)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Township workbooks to gate.")],
    format: Annotated[GateFormat, typer.Option("--format", help="text, json or junit.")] = GateFormat.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Lowest severity that fails the gate.")] = FailOn.major,
    period: PeriodOption = None,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
) -> None:
    """CI gate: terse output and an exit code (0 clean, 1 gaps, 3 unreadable)."""
    from fireaudit.checklist import load_checklist
    from fireaudit.gate import counted_gaps, exit_code
    from fireaudit.i18n import t
    from fireaudit.runner import audit_files

    checklist = load_checklist(config)
    run = audit_files(files, checklist, _period(period))
    if format is GateFormat.json:
        from fireaudit.reports.json_report import dumps

        sys.stdout.write(dumps(run))
    elif format is GateFormat.junit:
        from fireaudit.reports.junit import dumps as junit_dumps

        sys.stdout.write(junit_dumps(run, checklist, fail_on.value, lang.value))
    else:
        from fireaudit.reports.terminal import gate_lines

        for line in gate_lines(run, fail_on.value, lang.value):
            print(line)
        total = sum(counted_gaps(a, fail_on.value) for a in run.townships)
        level = t(lang.value, f"severity.{fail_on.value}") if fail_on is not FailOn.none else "none"
        print(t(lang.value, "ui.gaps_found" if total else "ui.no_gaps", count=total, level=level))
    raise typer.Exit(exit_code(run, fail_on.value))


@app.command()
def requirements(
    requirement_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="One requirement, e.g. R07.")] = None,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
) -> None:
    """List the checklist: the 22 requirements, their checks, severities and sources."""
    from fireaudit.checklist import load_checklist
    from fireaudit.i18n import t
    from fireaudit.reports.terminal import requirements_table

    checklist = load_checklist(config)
    wanted = requirement_id.upper() if requirement_id else None
    if wanted and wanted not in checklist.requirement_by_id:
        raise typer.BadParameter(t(lang.value, "ui.unknown_requirement", id=requirement_id), param_hint="ID")
    console = _console()
    console.print(requirements_table(checklist, lang.value, wanted))
    if checklist.overrides:
        console.print(t(lang.value, "ui.overrides", file=checklist.config_file, keys=list(checklist.overrides)))


class RouteFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def route(
    description: Annotated[str, typer.Argument(help="A hazard description (隐患描述), as written in the register.")],
    format: Annotated[RouteFormat, typer.Option("--format", help="text or json.")] = RouteFormat.text,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
) -> None:
    """The annex category and referral department(s) for a hazard description (拒不整改隐患问题移送处理清单)."""
    from fireaudit.annex import router_of, routing
    from fireaudit.checklist import load_checklist

    result = routing(router_of(load_checklist(config)), description)
    if format is RouteFormat.json:
        import json

        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    from fireaudit.reports.route_text import route_lines

    for line in route_lines(result, lang.value):
        print(line)


def main() -> None:
    """Entry point: expected failures get one line and their exit code; a crash gets exit 4.

    typer (in standalone mode) already turns usage errors into exit 2 and
    typer.Exit into its code; what reaches the handlers here is ours."""
    try:
        app()
    except FireauditError as exc:
        _console(stderr=True).print(f"fireaudit: {exc.message}", soft_wrap=True, markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("fireaudit: interrupted", file=sys.stderr)
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        sys.exit(_crash(exc))


def _crash(exc: BaseException) -> int:
    """Save the traceback to a file and say so in one line: a crash is not a gap."""
    import tempfile
    import traceback

    from fireaudit import __version__

    with tempfile.NamedTemporaryFile("w", prefix="fireaudit-crash-", suffix=".txt", delete=False,
                                     encoding="utf-8") as handle:
        handle.write(f"fireaudit {__version__}\n{' '.join(sys.argv)}\n\n")
        traceback.print_exception(exc, file=handle)
    print(f"fireaudit: internal error ({type(exc).__name__}: {exc}); this is a bug in fireaudit, not a gap "
          f"in the register. Traceback saved to {handle.name}", file=sys.stderr)
    return ExitCode.INTERNAL
