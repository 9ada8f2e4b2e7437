"""The county roll-up of a batch: 汇总.json, 汇总.md and 汇总.xlsx.

Ranking by score, the township × R01–R19 matrix, which requirements fail most,
the county's own duties (R20–R22, a section of their own, never in a township's score), the change since the previous quarter, conflicts and
unreadable files. Renders only: what is shown is computed once by
fireaudit/reports/rollup_view.py from the batch's AuditRun."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from fireaudit.checklist import Checklist
from fireaudit.i18n import t
from fireaudit.reports.files import commit_set, inside, write_atomic
from fireaudit.reports.rollup_view import SYMBOLS, RollupView, rollup_view
from fireaudit.result import AuditRun

ROLLUP_STEM = "汇总"
Sink = Callable[[tuple[Path, "bytes | str"]], None]
FILLS = {"pass": "C6EFCE", "partial": "FFEB9C", "fail": "FFC7CE", "unknown": "E4DFEC", "na": "EDEDED"}


def write_rollup_json(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                      sink: Sink | None = None) -> Path:
    """The run's JSON, plus `county_duties`: R20–R22 for the county, apart from every township's score."""
    import msgspec

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
    path = inside(directory, f"{ROLLUP_STEM}.json")
    return _put(path, msgspec.json.format(msgspec.json.encode(data), indent=2).decode("utf-8") + "\n", sink)


def write_rollup_md(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                      sink: Sink | None = None) -> Path:
    """The roll-up in Markdown, through the same escaping environment as the township reports."""
    from fireaudit.reports.markdown import tidy, environment

    text = environment(None, lang).get_template("rollup.md.j2").render(**rollup_view(run, checklist, lang).fields())
    path = inside(directory, f"{ROLLUP_STEM}.md")
    return _put(path, tidy(text), sink)


def write_rollup_xlsx(run: AuditRun, checklist: Checklist, directory: Path, lang: str,
                      sink: Sink | None = None) -> Path:
    from io import BytesIO

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
           for n, r in enumerate(data.rows, start=1)])
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
          [[u.file, u.reason] for u in run.unreadable]
          + [[f, t(lang, "rollup.conflict_with", township=f"{c.county or ''}{c.township or ''}", period=c.period)]
             for c in data.conflicts for f in c.files])

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
    buffer = BytesIO()
    workbook.save(buffer)
    from fireaudit.provenance import reproducible_zip

    payload = reproducible_zip(buffer.getvalue(), run.generated_at) if run.generated_at else buffer.getvalue()
    path = inside(directory, f"{ROLLUP_STEM}.xlsx")
    return _put(path, payload, sink)


def _put(path: Path, data: "bytes | str", sink: Sink | None) -> Path:
    """Write `path` now, or hand it to `sink` when the roll-up is committed as a set."""
    if sink is None:
        write_atomic(path, data)
    else:
        sink((path, data))
    return path


def rollup_paths(directory: Path) -> list[Path]:
    return [inside(directory, f"{ROLLUP_STEM}.{name}") for name in ROLLUP_WRITERS]


def write_rollup(run: AuditRun, checklist: Checklist, directory: Path, lang: str) -> list[Path]:
    """Every roll-up format, committed as a set: an interruption leaves the old 汇总.* or the new, never a mix."""
    files: list[tuple[Path, "bytes | str"]] = []
    for writer in ROLLUP_WRITERS.values():
        writer(run, checklist, directory, lang, sink=files.append)
    return commit_set(files)


ROLLUP_WRITERS = {"json": write_rollup_json, "md": write_rollup_md, "xlsx": write_rollup_xlsx}
