"""The roll-ups of a batch: 汇总.json, 汇总.md and 汇总.xlsx of a county, and the prefecture's.

Ranking by score, the township × R01–R19 matrix, which requirements fail most,
the county's own duties (R20–R22, a section of their own, never in a township's score), the change since the previous quarter, conflicts and
unreadable files, and the quarter's sections (issue 17). Renders only: what is
shown is computed once by fireaudit/reports/rollup_view.py from the batch's
AuditRun. Each writer hands its file to a `sink` so that the batch commits every
roll-up as one set (quarter.write_rollups, reports/files.py commit_set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from fireaudit.checklist import Checklist
from fireaudit.i18n import t
from fireaudit.reports.files import inside, write_atomic
from fireaudit.reports.rollup_view import SYMBOLS, RollupView, rollup_view
from fireaudit.result import AuditRun

ROLLUP_STEM = "汇总"
Sink = Callable[[tuple[Path, "bytes | str"]], None]
FILLS = {"pass": "C6EFCE", "partial": "FFEB9C", "fail": "FFC7CE", "unknown": "E4DFEC", "na": "EDEDED"}


def write_rollup_json(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                      sink: Sink | None = None) -> Path:
    """The run's JSON with `county_duties` (rollup_json) and the quarter's keys (quarter_json)."""
    path = inside(directory, f"{ROLLUP_STEM}.json")
    return _put(path, _dumps({**rollup_json(run, checklist), **quarter_json(run, lang)}), sink)


def rollup_json(run: AuditRun, checklist: Checklist) -> dict[str, Any]:
    """The run's JSON, plus `county_duties`: R20–R22 for the county, apart from every township's score."""
    from fireaudit.reports.json_report import check_json, run_json
    from fireaudit.reports.rollup_view import county_section

    data = run_json(run)
    section = county_section(run, checklist, "zh")
    if section is not None:
        data["county_duties"] = {
            "status": section["status"],
            "requirements": [{"id": d["id"], "status": d["status"], "severity": d["severity"] or None,
                              "checks": [{"county": line["county"], "township": line["township"],
                                          **check_json(line["check"])} for line in d["lines"]]}
                             for d in section["requirements"]],
        }
    return data


def quarter_json(run: AuditRun, lang: str) -> dict[str, Any]:
    """The roll-up JSON's issue-17 keys: not_submitted, not_in_roster, ranked_last, superseded, skipped, trend."""
    from fireaudit.reports.rollup_view import quarter_view

    batch = run.batch
    if batch is None:
        return {}
    return {
        **quarter_view(run, lang).json(),
        "superseded": [{"county": s.county, "township": s.township, "period": s.period, "kept": s.kept,
                        "files": list(s.files), "rule": s.rule} for s in batch.superseded],
        "skipped": [{"file": s.file, "reason": s.reason} for s in batch.skipped],
    }


def _dumps(data: dict[str, Any]) -> str:
    import msgspec

    return msgspec.json.format(msgspec.json.encode(data), indent=2).decode("utf-8") + "\n"


def write_rollup_md(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                      sink: Sink | None = None) -> Path:
    """The roll-up in Markdown, through the same escaping environment as the township reports."""
    from fireaudit.reports.markdown import tidy, environment

    text = environment(None, lang).get_template("rollup.md.j2").render(**rollup_view(run, checklist, lang).fields())
    path = inside(directory, f"{ROLLUP_STEM}.md")
    return _put(path, tidy(text), sink)


def write_rollup_xlsx(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                      sink: Sink | None = None) -> Path:
    from fireaudit.openpyxl_lite import ensure_imported

    ensure_imported()
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment

    from fireaudit.i18n import status_label
    from fireaudit.reports.excel import header_row, put, solid_fill, table_finish
    from fireaudit.reports.print_setup import prepare_workbook

    data: RollupView = rollup_view(run, checklist, lang)
    workbook = Workbook()
    workbook.properties.creator = "fireaudit"   # reports/files.py: a file fireaudit may replace

    def table(sheet, labels: list[str], rows: list[list[Any]]) -> None:
        header_row(sheet, 1, labels)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                put(sheet, r, c, value)
        table_finish(sheet, len(labels), len(rows) + 1)

    ranking = workbook.active
    ranking.title = t(lang, "rollup.sheet_ranking")
    table(ranking, [t(lang, "rollup.rank"), t(lang, "ui.county"), t(lang, "ui.township"), t(lang, "ui.kind"),
                    t(lang, "ui.score"), t(lang, "rollup.change"), t(lang, "rollup.gaps")],
          [[n, r["county"], r["township"], r["kind"], r["score"], r["change"], r["gaps"]]
           for n, r in enumerate(data.rows, start=1)]
          + [["—", r["county"], r["township"], r["kind"], r["mark"], "—", "—"] for r in data.quarter.marked])
    if data.rows:
        chart = BarChart()
        chart.title = t(lang, "rollup.score_chart")
        chart.y_axis.title = t(lang, "ui.score")
        chart.add_data(Reference(ranking, min_col=5, min_row=1, max_row=len(data.rows) + 1), titles_from_data=True)
        chart.set_categories(Reference(ranking, min_col=3, min_row=2, max_row=len(data.rows) + 1))
        chart.height, chart.width = 9, 18
        ranking.add_chart(chart, "I2")

    matrix = workbook.create_sheet(t(lang, "rollup.sheet_matrix"))
    table(matrix, [t(lang, "ui.township"), t(lang, "ui.score"), *data.ids],
          [[r["name"], r["score"], *[status_label(s, lang) for s in r["statuses"]]] for r in data.rows])
    for r, row in enumerate(data.rows, start=2):
        for c, status in enumerate(row["statuses"], start=3):
            matrix.cell(r, c).fill = solid_fill(FILLS[status])
            matrix.cell(r, c).alignment = Alignment(horizontal="center")

    counts = workbook.create_sheet(t(lang, "rollup.sheet_by_requirement"))
    table(counts, [t(lang, "ui.requirement"), t(lang, "ui.title"), *[t(lang, f"status.{s}") for s in SYMBOLS]],
          [[i["id"], i["title"], *[i[s] for s in SYMBOLS]] for i in data.by_requirement])

    if data.diff:
        changes = workbook.create_sheet(t(lang, "rollup.sheet_changes"))
        table(changes, [t(lang, "ui.township"), t(lang, "rollup.previous_score"), t(lang, "ui.score"),
                        t(lang, "rollup.change"), t(lang, "rollup.new_gaps"), t(lang, "rollup.closed_gaps")],
              [[f"{d.county or ''}{d.township or ''}", d.previous_score, d.score, d.change,
                ", ".join(d.new_gaps), ", ".join(d.closed_gaps)] for d in data.diff])

    if data.county_duties:
        duties = workbook.create_sheet(t(lang, "rollup.county_duties"))
        table(duties, [t(lang, "ui.requirement"), t(lang, "ui.title"), t(lang, "ui.township"),
                       t(lang, "county_duties_view.status"), t(lang, "county_duties_view.finding")],
              [[d["id"], d["title"], line["name"], status_label(str(line["check"].status), lang), line["text"]]
               for d in data.county_duties["requirements"] for line in d["shown"]])

    problems = workbook.create_sheet(t(lang, "rollup.sheet_problems"))
    table(problems, [t(lang, "ui.file"), t(lang, "rollup.problem")],
          [[u.file, u.text(lang)] for u in run.unreadable]
          + [[f, t(lang, "rollup.conflict_with", township=f"{c.county or ''}{c.township or ''}", period=c.period)]
             for c in data.conflicts for f in c.files])

    quarter_sheets(workbook, data, lang, table)

    sources = workbook.create_sheet(t(lang, "rollup_sources.sheet"))
    for r, (label, value) in enumerate(data.provenance, start=1):
        put(sources, r, 1, label, bold=True)
        put(sources, r, 2, value)
    first = len(data.provenance) + 2
    header_row(sources, first, [t(lang, "ui.township"), t(lang, "report.file"), t(lang, "report.sha256")])
    for r, item in enumerate(data.inputs, start=first + 1):
        for c, key in enumerate(("name", "file", "sha256"), start=1):
            put(sources, r, c, item[key])
    for column, width in zip("ABC", (24, 40, 70)):
        sources.column_dimensions[column].width = width

    prepare_workbook(workbook, f"{data.county} {data.period}", lang)
    return _save(workbook, run, directory, sink)


def _save(workbook, run: AuditRun, directory: Path, sink: Sink | None) -> Path:
    """汇总.xlsx, zipped reproducibly with the run time."""
    from fireaudit.openpyxl_lite import saved
    from fireaudit.provenance import reproducible_zip

    data = saved(workbook)
    payload = reproducible_zip(data, run.generated_at) if run.generated_at else data
    path = inside(directory, f"{ROLLUP_STEM}.xlsx")
    return _put(path, payload, sink)


def _put(path: Path, data: "bytes | str", sink: Sink | None) -> Path:
    """Write `path` now, or hand it to `sink` when the roll-up is committed as a set."""
    if sink is None:
        write_atomic(path, data)
    else:
        sink((path, data))
    return path


# ---------------------------------------------------------------- issue 17: the quarter's sheets
def quarter_sheets(workbook, data: RollupView, lang: str, table) -> None:
    """未报送与冲突 (who has not submitted, who is not in the roster, what stood by rule), 得分趋势 with a
    line chart, and 说明 (skipped files)."""
    from openpyxl.chart import LineChart, Reference

    quarter = data.quarter
    if quarter is None:
        return
    rows = [[t(lang, "quarter.not_submitted"), f"{p.county or ''}{p.township or ''}", p.source]
            for p in quarter.not_submitted]
    rows += [[t(lang, "quarter.not_in_roster_title"), f"{p.county or ''}{p.township or ''}", p.source]
             for p in quarter.not_in_roster]
    rows += [[t(lang, "quarter.superseded_title"), line, ""] for line in quarter.superseded]
    if rows or quarter.roster_given:
        sheet = workbook.create_sheet(t(lang, "quarter.sheet_submission"))
        table(sheet, [t(lang, "quarter.mark"), t(lang, "ui.township"), t(lang, "quarter.source")], rows)
    if quarter.trend_periods:
        sheet = workbook.create_sheet(t(lang, "quarter.trend_sheet"))
        table(sheet, [t(lang, "ui.township"), *quarter.trend_periods, t(lang, "quarter.trend_spark")],
              [[r["name"], *r["scores"], r["spark"]] for r in quarter.trend])
        if quarter.trend:
            chart = LineChart()
            chart.title = t(lang, "quarter.trend_chart")
            chart.y_axis.title = t(lang, "ui.score")
            chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
            periods = len(quarter.trend_periods)
            for n in range(len(quarter.trend)):   # one line per township, across the quarters
                chart.add_data(Reference(sheet, min_col=1, max_col=periods + 1, min_row=n + 2), from_rows=True,
                               titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=2, max_col=periods + 1, min_row=1))
            for series in chart.series:
                series.smooth = False             # a quarter's score, not a curve between quarters
            chart.legend.position = "r"          # one entry per township beside the lines, not over them
            chart.height, chart.width = min(8 + 0.45 * len(quarter.trend), 40), 20
            sheet.add_chart(chart, f"{_column(periods + 3)}2")
    if quarter.notes:
        sheet = workbook.create_sheet(t(lang, "quarter.sheet_notes"))
        table(sheet, [t(lang, "quarter.notes_title")], [[line] for line in quarter.notes])


def _column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


# ---------------------------------------------------------------- issue 17: the prefecture's roll-up
def _prefecture(run: AuditRun, checklist: Checklist, lang: str):
    from fireaudit.reports.rollup_view import prefecture_view

    return prefecture_view(run, checklist, lang)


def write_prefecture_json(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                          sink: Sink | None = None) -> Path:
    """Every township of the batch (a later batch's --baseline) plus the counties' figures under `prefecture`."""
    path = inside(directory, f"{ROLLUP_STEM}.json")
    return _put(path, _dumps({**rollup_json(run, checklist), **quarter_json(run, lang),
                              "prefecture": _prefecture(run, checklist, lang).json()}), sink)


def write_prefecture_md(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                        sink: Sink | None = None) -> Path:
    from fireaudit.reports.markdown import environment, tidy

    view = _prefecture(run, checklist, lang)
    text = environment(None, lang).get_template("prefecture.md.j2").render(**view.fields())
    path = inside(directory, f"{ROLLUP_STEM}.md")
    return _put(path, tidy(text), sink)


def write_prefecture_xlsx(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                          sink: Sink | None = None) -> Path:
    from fireaudit.openpyxl_lite import ensure_imported

    ensure_imported()
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment

    from fireaudit.i18n import status_label
    from fireaudit.reports.excel import header_row, put, solid_fill, table_finish
    from fireaudit.reports.print_setup import prepare_workbook

    view = _prefecture(run, checklist, lang)
    workbook = Workbook()
    workbook.properties.creator = "fireaudit"   # reports/files.py: a file fireaudit may replace

    def table(sheet, labels: list[str], rows: list[list[Any]]) -> None:
        header_row(sheet, 1, labels)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                put(sheet, r, c, value)
        table_finish(sheet, len(labels), len(rows) + 1)

    ranking = workbook.active
    ranking.title = t(lang, "quarter.sheet_counties")
    table(ranking, [t(lang, "rollup.rank"), t(lang, "quarter.county"), t(lang, "quarter.townships"),
                    t(lang, "quarter.mean_score"), t(lang, "quarter.lowest_score"), t(lang, "quarter.not_submitted"),
                    t(lang, "quarter.conflicted")],
          [[n, c["county"], c["townships"], c["mean"], c["lowest"], c["not_submitted"], c["conflicts"]]
           for n, c in enumerate(view.counties, start=1)])
    if view.counties:
        chart = BarChart()
        chart.title = t(lang, "quarter.county_chart")
        chart.add_data(Reference(ranking, min_col=4, min_row=1, max_row=len(view.counties) + 1), titles_from_data=True)
        chart.set_categories(Reference(ranking, min_col=2, min_row=2, max_row=len(view.counties) + 1))
        chart.height, chart.width = 9, 18
        ranking.add_chart(chart, "I2")

    matrix = workbook.create_sheet(t(lang, "quarter.sheet_county_matrix"))
    table(matrix, [t(lang, "quarter.county"), *view.township_ids],
          [[c["county"], *[c["shares"][i] if c["shares"][i] is not None else "—" for i in view.township_ids]]
           for c in view.counties])
    for r in range(2, len(view.counties) + 2):
        for c in range(2, len(view.township_ids) + 2):
            matrix.cell(r, c).number_format = "0%"
            matrix.cell(r, c).alignment = Alignment(horizontal="center")
    if view.counties:
        last = f"{_column(len(view.township_ids) + 1)}{len(view.counties) + 1}"
        matrix.conditional_formatting.add(f"B2:{last}", ColorScaleRule(
            start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=0.5,
            mid_color="FFEB84", end_type="num", end_value=1, end_color="63BE7B"))

    duties = workbook.create_sheet(t(lang, "quarter.sheet_county_duties"))
    table(duties, [t(lang, "quarter.county"), *view.duty_ids],
          [[c["county"], *[f"{status_label(s, lang)}（{p}/{n}）" for s, p, n in
                           (c["duties"][i] for i in view.duty_ids)]] for c in view.counties])
    for r, county in enumerate(view.counties, start=2):
        for c, rid in enumerate(view.duty_ids, start=2):
            duties.cell(r, c).fill = solid_fill(FILLS[county["duties"][rid][0]])

    batch = run.batch
    rows = [[t(lang, "quarter.not_submitted"), f"{p.county or ''}{p.township or ''}", p.source]
            for p in (batch.not_submitted if batch else ())]
    rows += [[t(lang, "quarter.conflicted"), f"{c.county or ''}{c.township or ''} {c.period}", "; ".join(c.files)]
             for c in (batch.conflicts if batch else ())]
    rows += [[t(lang, "ui.unreadable"), u.file, u.text(lang)] for u in run.unreadable]
    rows += [[t(lang, "quarter.notes_title"), line, ""] for line in view.notes]
    submission = workbook.create_sheet(t(lang, "quarter.sheet_submission"))
    table(submission, [t(lang, "quarter.mark"), t(lang, "ui.township"), t(lang, "quarter.source")], rows)

    sources = workbook.create_sheet(t(lang, "rollup_sources.sheet"))
    for r, (label, value) in enumerate(view.provenance, start=1):
        put(sources, r, 1, label, bold=True)
        put(sources, r, 2, value)
    first = len(view.provenance) + 2
    header_row(sources, first, [t(lang, "ui.township"), t(lang, "report.file"), t(lang, "report.sha256")])
    for r, item in enumerate(view.inputs, start=first + 1):
        for c, key in enumerate(("name", "file", "sha256"), start=1):
            put(sources, r, c, item[key])
    prepare_workbook(workbook, t(lang, "quarter.prefecture_title", period=view.period), lang)
    return _save(workbook, run, directory, sink)


ROLLUP_WRITERS = {"json": write_rollup_json, "md": write_rollup_md, "xlsx": write_rollup_xlsx}
PREFECTURE_WRITERS = {"json": write_prefecture_json, "md": write_prefecture_md, "xlsx": write_prefecture_xlsx}
