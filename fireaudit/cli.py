"""The command line: parse arguments, call the layers below, map results to exit codes.

Heavy libraries (pandas, openpyxl, jinja2, the checklist) are imported inside
the commands, so `fireaudit --help` starts fast."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from fireaudit.cli_text import run as run_localised
from fireaudit.errors import ExitCode, FireauditError, Interrupted

EXIT_CODES_HELP = """Exit codes:

\b
  0    ran; no gap at or above --fail-on
  1    check: gaps at or above --fail-on
  2    usage or configuration error (or the output cannot be written)
  3    an input could not be read or is not a register
  4    internal error in fireaudit, never a gap (traceback saved to a file)
  130  interrupted
"""

app = typer.Typer(
    name="fireaudit",
    help="Audit township fire-safety registers (台账) against the Ili plan of 2024 and GB/T 35547-2017.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,   # plain help: rich's help renderer costs ~0.15 s of start-up
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
AnnotateOption = Annotated[bool, typer.Option("--annotate", help="Also write each township's own workbook back, "
                                              "problem cells coloured and commented (<county>-<township>-<period>-批注.xlsx).")]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _say(key: str, **fields) -> str:
    """A catalogue message in the language of this command line (--lang / FIREAUDIT_LANG / zh)."""
    from fireaudit.cli_text import language
    from fireaudit.i18n import t

    return t(language(), key, **fields)


def _period(text: str | None):
    from fireaudit.period import Period

    if text is None:
        return None
    period = Period.parse(text)
    if period is None:
        raise typer.BadParameter(_say("error.cli.bad_period", value=text), param_hint="--period")
    return period


def _formats(text: str) -> list[str]:
    from fireaudit.reports import WRITERS

    formats = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        raise typer.BadParameter(_say("error.cli.bad_format", value=unknown or [text], choices=list(WRITERS)),
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
    format: Annotated[Optional[str], typer.Option("--format", help="Report formats, comma-separated (md, xlsx, json, docx = 整改通知书).")] = None,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
    demo: Annotated[bool, typer.Option("--demo", help="Audit the bundled sample registers.")] = False,
    templates: Annotated[Optional[Path], typer.Option("--templates", help="Your own Markdown report templates "
                                                      "(a directory with township.md.j2).")] = None,
    annotate: AnnotateOption = False,
) -> None:
    """Audit township workbooks: a summary per township, and report files with -o."""
    from fireaudit.i18n import t
    from fireaudit.runner import Pending

    paths = list(files or [])
    if demo:
        paths += _demo_files()
        output = output or Path("fireaudit-demo")
    if not paths:
        raise typer.BadParameter(_say("error.cli.no_files"), param_hint=_say("cli_hint.files"))
    if annotate and output is None:
        raise typer.BadParameter(_say("error.cli.annotate_without_output"), param_hint="--annotate")
    state = {}

    def prepare():
        """While the worker parses: the checks that stop the run before any work, in this order."""
        from fireaudit.audit import load_checklist
        from fireaudit.reports import DEFAULT_FORMATS

        state["formats"] = formats = _formats(format or DEFAULT_FORMATS)
        if output is not None and "md" in formats:
            from fireaudit.reports.markdown import load_template

            load_template(templates, lang.value)  # a missing template stops the run before any report
        state["checklist"] = load_checklist(config)
        return state["checklist"], _period(period)

    # one workbook with -o: its worker renders the slowest formats too (fireaudit.render_ahead)
    ahead = output is not None and len(paths) == 1
    pending = Pending(config, period, prepare,
                      ("fireaudit.render_ahead", "audit_ahead", (format, lang.value, templates)) if ahead else None)

    def writers() -> None:
        from fireaudit.reports import AHEAD, WRITERS

        formats = state["formats"] if output is not None else []
        _importing(["fireaudit.reports.terminal", *(WRITERS[f].module for f in formats)])()
        if "xlsx" in formats and not (ahead and "xlsx" in AHEAD):
            from fireaudit.openpyxl_lite import ensure_imported

            ensure_imported()

    run = _audit_counted(paths, pending, None, lang.value, meanwhile=writers)
    checklist, formats = state["checklist"], state["formats"]
    from fireaudit.reports import ReportOptions, write_reports
    from fireaudit.textnorm import visible

    console = _console()
    if output is None and format and formats == ["json"]:
        from fireaudit.reports.json_report import dumps

        sys.stdout.write(dumps(run))
    else:
        from fireaudit.reports.terminal import print_summary

        print_summary(console, run, checklist, lang.value, where=output is None)
    if output is not None:
        try:
            written = write_reports(run, output, formats, ReportOptions(lang.value, checklist, templates),
                                    inputs=[*paths, *([Path(checklist.config_file)] if checklist.config_file else [])],
                                    ready=pending.payloads(run))
        except OSError as exc:
            raise FireauditError("error.output.cannot_write", path=str(output), detail=exc.strerror or str(exc)) from None
        console.print(visible(t(lang.value, "ui.demo_written" if demo else "ui.written", path=str(output.resolve()))),
                      soft_wrap=True, markup=False)
        for path in written:
            console.print(f"  {visible(path.name)}", soft_wrap=True, markup=False)
    failed = _annotate(run, output, ReportOptions(lang.value, checklist), console) if annotate else []
    if run.unreadable or failed:
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
    from fireaudit.runner import Pending

    loaded = []

    def prepare():
        """While the worker parses: the checklist and the period, checked in this order."""
        from fireaudit.audit import load_checklist

        loaded.append(load_checklist(config))
        return loaded[0], _period(period)

    writers = {GateFormat.json: ["fireaudit.reports.json_report"], GateFormat.junit: ["fireaudit.reports.junit"],
               GateFormat.text: ["fireaudit.listing", "fireaudit.reports.terminal"]}[format]
    run = _audit_counted(files, Pending(config, period, prepare), None, lang.value, "ux.interrupted_check",
                         _importing([*writers, "fireaudit.gate"]))
    checklist = loaded[0]
    from fireaudit.gate import exit_code

    if format is GateFormat.json:
        from fireaudit.reports.json_report import dumps

        sys.stdout.write(dumps(run))
    elif format is GateFormat.junit:
        from fireaudit.reports.junit import dumps as junit_dumps

        sys.stdout.write(junit_dumps(run, checklist, fail_on.value, lang.value))
    else:
        from fireaudit.listing import per_code
        from fireaudit.reports.terminal import gate_lines, gate_summary

        for line in gate_lines(run, fail_on.value, lang.value, per_code(checklist)):
            print(line)
        for line in gate_summary(run, fail_on.value, lang.value):
            print(line)
    raise typer.Exit(exit_code(run, fail_on.value))


@app.command()
def requirements(
    requirement_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="One requirement or check, e.g. R07 or R07.2.")] = None,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
) -> None:
    """List the checklist: the 22 requirements, their checks, severities and sources."""
    from fireaudit.audit import load_checklist
    from fireaudit.i18n import t
    from fireaudit.reports.terminal import requirements_table

    checklist = load_checklist(config)
    wanted = requirement_id.strip().upper() if requirement_id else None
    if wanted and wanted not in checklist.requirement_by_id and wanted not in checklist.check_by_id:
        raise typer.BadParameter(t(lang.value, "ux.unknown_id", id=requirement_id), param_hint="ID")
    console = _console()
    console.print(requirements_table(checklist, lang.value, wanted))
    if checklist.overrides:
        console.print(t(lang.value, "ui.overrides", file=checklist.config_file, keys=list(checklist.overrides)))


@app.command()
def batch(
    directory: Annotated[Path, typer.Argument(help="Folder with the townships' workbooks (searched recursively).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where the reports and the roll-up go.")] = Path("fireaudit-batch"),
    period: PeriodOption = None,
    county_register: Annotated[Optional[Path], typer.Option("--county-register", help="The county's own register (R20–R22).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", min=1, help="Worker processes (default: all cores).")] = None,
    baseline: Annotated[Optional[list[Path]], typer.Option("--baseline", help="An earlier quarter's 汇总.json; "
                                                            "repeat for up to three earlier quarters (the trend).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", help="Per-township report formats (md, xlsx, json, docx = 整改通知书).")] = None,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
    annotate: AnnotateOption = False,
    prefer: Annotated[Optional[str], typer.Option("--prefer", help="Which of several workbooks for one township and "
                                                  "period stands: newest, largest or a file glob such as '*终稿*' "
                                                  "(default: [batch] prefer in fireaudit.toml; else a conflict).")] = None,
    templates: Annotated[Optional[Path], typer.Option("--templates", help="Your own report templates "
                                                      "(township.md.j2, notice.docx).")] = None,
) -> None:
    """Audit every workbook under a folder in parallel; per-township reports and a county roll-up."""
    from fireaudit.audit import load_checklist
    from fireaudit.batch import BatchRequest, print_batch_summary, run_batch
    from fireaudit.i18n import t
    from fireaudit.reports import DEFAULT_FORMATS

    formats = _formats(format or DEFAULT_FORMATS)
    if prefer is not None and not prefer.strip():
        raise typer.BadParameter(t(lang.value, "quarter.bad_prefer", value=prefer), param_hint="--prefer")
    checklist = load_checklist(config)
    request = BatchRequest(directory=directory, output=output, checklist=checklist, formats=formats, lang=lang.value,
                           period=_period(period), county_register=county_register, jobs=jobs,
                           annotate=annotate, baselines=tuple(baseline or ()), prefer=prefer, templates=templates)
    console = _console(stderr=True)
    result = run_batch(request, lambda: _progress(console, t(lang.value, "rollup.progress")))
    print_batch_summary(console, result, lang.value)
    if result.interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED)
    if result.has_problems:
        raise typer.Exit(ExitCode.UNREADABLE)


def _progress(console, label: str):
    """A rich progress bar (current file, done/total) on a terminal; nothing when output is piped."""
    from contextlib import contextmanager

    from fireaudit.batch import BatchProgress

    @contextmanager
    def bar():
        if not console.is_terminal:
            yield BatchProgress()
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from fireaudit.textnorm import markup_safe

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.fields[current]}"), console=console, transient=True) as progress:
            task = progress.add_task(label, total=0, current="")
            yield BatchProgress(
                started=lambda total: progress.update(task, total=total),
                finished=lambda path, ok: progress.update(task, advance=1, current=markup_safe(Path(path).name)),
            )

    return bar()


@app.command()
def grade(
    files: Annotated[Optional[list[Path]], typer.Argument(help="Township workbooks (optional).")] = None,
    county: Annotated[Optional[str], typer.Option("--county", help="County, e.g. 伊宁市 (without a workbook).")] = None,
    township: Annotated[Optional[str], typer.Option("--township", help="Township, e.g. 潘津镇 (without a workbook).")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="乡, 镇 or 街道 (default: from the township's name).")] = None,
    area: Annotated[Optional[float], typer.Option("--area", help="建成区面积 in km².")] = None,
    population: Annotated[Optional[float], typer.Option("--population", help="建成区常住人口 in 万人.")] = None,
    key_town: Annotated[Optional[bool], typer.Option("--key-town/--no-key-town", help="全国重点镇.")] = None,
    historic_town: Annotated[Optional[bool], typer.Option("--historic-town/--no-historic-town", help="历史文化名镇.")] = None,
    hazardous: Annotated[Optional[bool], typer.Option("--hazardous/--no-hazardous", help="易燃易爆或劳动密集型企业密集.")] = None,
    period: PeriodOption = None,
    lang: LangOption = Lang.zh,
    config: ConfigOption = None,
) -> None:
    """The GB/T 35547-2017 brigade grade a township needs, the rule that decided it, and each brigade's minimums."""
    from fireaudit.audit import load_checklist
    from fireaudit.errors import InputError
    from fireaudit.i18n import t
    from fireaudit.grade_lookup import file_lookup, profile_lookup
    from fireaudit.reports.grade import print_file, print_required

    checklist = load_checklist(config)
    console = _console()
    profile = {"建成区面积": area, "建成区常住人口": population, "全国重点镇": key_town,
               "历史文化名镇": historic_town, "易燃易爆或劳动密集型企业密集": hazardous}
    profile = {k: v for k, v in profile.items() if v is not None}
    if not files and not (township or profile):
        raise typer.BadParameter(t(lang.value, "grade.no_input"), param_hint=_say("cli_hint.files"))
    if township or profile:
        print_required(console, profile_lookup(checklist, county, township, kind, profile), lang.value)
    unreadable = False
    for path in files or []:
        console.print()
        try:
            lookup = file_lookup(checklist, path, _period(period))
            print_file(console, lookup, lang.value)
        except InputError as exc:
            unreadable = True
            from fireaudit.textnorm import markup_safe

            console.print(f"[red]{t(lang.value, 'ui.unreadable')}[/]: {markup_safe(exc.text(lang.value))}", soft_wrap=True)
        except BaseException as exc:   # calamine's PanicException is a BaseException: the file, not us
            from fireaudit.runner import parser_died
            from fireaudit.textnorm import markup_safe

            if not parser_died(exc):
                raise
            unreadable = True
            from fireaudit.runner import parser_died_on

            died = parser_died_on(path, type(exc).__name__)
            console.print(f"[red]{t(lang.value, 'ui.unreadable')}[/]: {markup_safe(path)}: {markup_safe(died.text(lang.value))}",
                          soft_wrap=True)
    if unreadable:
        raise typer.Exit(ExitCode.UNREADABLE)


@app.command()
def template(
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="The .xlsx to write (a directory gets the default name).")] = None,
    county: Annotated[Optional[str], typer.Option("--county", help="县市 to pre-fill on 基本情况, e.g. 伊宁市.")] = None,
    township: Annotated[Optional[str], typer.Option("--township", help="乡镇街道 to pre-fill, e.g. 潘津镇.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="类型 to pre-fill: 乡, 镇 or 街道.")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="报告期 to pre-fill, e.g. 2024Q2.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="en adds English hints; sheet and column names stay Chinese.")] = Lang.zh,
    config: ConfigOption = None,
    county_register: Annotated[bool, typer.Option("--county-register", help="Write the county register template "
                                                  "instead (督导考评, 奖惩, 典型样板, 乡镇名册).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file of that name.")] = False,
) -> None:
    """Write the register template townships fill in: every sheet and column, drop-downs and validations."""
    from fireaudit.audit import load_checklist
    from fireaudit.i18n import t
    from fireaudit.template import (
        TemplateRequest, canonical_kind, county_file_name, default_file_name, kind_values, write_county_template,
        write_template,
    )

    checklist = load_checklist(config)
    spec = checklist.register
    canonical = None
    if kind is not None:
        canonical = canonical_kind(spec, kind)
        if canonical is None:
            raise typer.BadParameter(t(lang.value, "template.bad_kind", kind=kind, values=kind_values(spec)),
                                     param_hint="--kind")
    request = TemplateRequest(county=county, township=township, kind=canonical, period=_period(period),
                              lang=lang.value, force=force)
    if county_register:
        written = write_county_template(checklist, request, output or Path(county_file_name(request)))
    else:
        written = write_template(checklist, request, output or Path(default_file_name(spec, request)))
    _console().print(t(lang.value, "template.written", path=str(written)), markup=False)


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
    from fireaudit.audit import load_checklist

    if not description.strip():   # one line in the chosen language, not click's "DESCRIPTION 的值无效"
        from fireaudit.i18n import t

        print(f"fireaudit: {t(lang.value, 'routing.empty')}", file=sys.stderr)
        raise typer.Exit(ExitCode.USAGE)
    result = routing(router_of(load_checklist(config)), description)
    if format is RouteFormat.json:
        import json

        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    from fireaudit.reports.route_text import route_lines

    for line in route_lines(result, lang.value):
        print(line)


def _audit_counted(paths, checklist, period, lang: str, interrupted: str = "ux.interrupted_files", meanwhile=None):
    """audit_files, counting finished files, so Ctrl-C can say how far it got (已中断：3/12个文件已审核)."""
    from fireaudit.i18n import t
    from fireaudit.runner import audit_files

    paths = list(paths)
    done = [0]
    try:
        return audit_files(paths, checklist, period, finished=lambda: done.__setitem__(0, done[0] + 1),
                           meanwhile=meanwhile)
    except KeyboardInterrupt:
        raise Interrupted(t(lang, interrupted, done=done[0], total=len(paths))) from None


def _importing(modules: list[str]):
    """What the output will need, imported while the worker parses the workbooks (runner.audit_files'
    `meanwhile`): the imports then overlap the parse instead of following it."""
    def run() -> None:
        import importlib

        for name in modules:
            importlib.import_module(name)

    return run


def _annotate(run, output: Path, options, console) -> list:
    """Write the annotated copies; list them, and say which files could not be copied (exit 3)."""
    from fireaudit.annotate import annotate_run, print_annotated

    written, failed = annotate_run(run, output, options)
    print_annotated(console, written, failed, options.lang)
    return failed


def main() -> None:
    """Entry point: expected failures get one line and their exit code; a crash gets exit 4.

    typer (in standalone mode) already turns usage errors into exit 2 and
    typer.Exit into its code; what reaches the handlers here is ours."""
    from fireaudit.pipes import closable_stdout

    try:
        with closable_stdout():   # `fireaudit audit --demo | head`: the rest of the run goes on quietly
            run_localised(app)    # help and click's words in the chosen language (fireaudit/cli_text.py)
    except FireauditError as exc:
        from fireaudit.textnorm import visible

        from fireaudit.cli_text import language

        _console(stderr=True).print(f"fireaudit: {visible(exc.text(language()))}", soft_wrap=True, markup=False)
        sys.exit(exc.exit_code)
    except Interrupted as exc:
        print(exc.text, file=sys.stderr)
        sys.exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        print(_say("ux.interrupted"), file=sys.stderr)
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
    print(f"fireaudit: {_say('error.cli.crash', kind=type(exc).__name__, detail=str(exc), path=handle.name)}",
          file=sys.stderr)
    return ExitCode.INTERNAL


@app.command(name="map")
def map_forms(
    files: Annotated[list[Path], typer.Argument(help="Township workbooks in the county's own forms.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The county's config to write or merge into.")] = Path("fireaudit.toml"),
    yes: Annotated[bool, typer.Option("--yes", help="Accept proposals above the confidence in checklists/mapping.toml "
                                      "without asking; list the rest.")] = False,
    lang: LangOption = Lang.zh,
) -> None:
    """Propose a mapping of the county's own forms onto the register; confirm it once, reuse it every quarter."""
    from fireaudit.mapwork import session

    session(files, output, yes, lang.value, _console())
