"""The county roll-up of a batch: 汇总.json, 汇总.md and 汇总.xlsx.

Ranking by score, the township × R01–R22 matrix, which requirements fail most,
the county's own duties, the change since the previous quarter, conflicts and
unreadable files. Consumes only the batch's AuditRun."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fireaudit.checklist import Checklist
from fireaudit.i18n import t
from fireaudit.reports.files import inside, write_atomic
from fireaudit.result import AuditRun

ROLLUP_STEM = "汇总"
SYMBOLS = {"pass": "✔", "partial": "◐", "fail": "✘", "unknown": "?", "na": "–"}
FILLS = {"pass": "C6EFCE", "partial": "FFEB9C", "fail": "FFC7CE", "unknown": "E4DFEC", "na": "EDEDED"}


def status_frame(run: AuditRun, checklist: Checklist):
    """One row per township: identity, score, and the status of each requirement (pandas)."""
    import pandas as pd

    ids = [r.id for r in checklist.requirements]
    records = [{"county": a.county, "township": a.township, "kind": a.kind, "score": a.score,
                **{r.id: r.status for r in a.requirements}} for a in run.townships]
    return pd.DataFrame.from_records(records, columns=["county", "township", "kind", "score", *ids])


def rollup_data(run: AuditRun, checklist: Checklist, lang: str) -> dict[str, Any]:
    """Everything the roll-up shows, computed once for both writers: ranking, matrix, counts."""
    ids = [r.id for r in checklist.requirements]
    frame = status_frame(run, checklist)
    frame = frame.sort_values(["score", "county", "township"], ascending=[False, True, True], kind="stable")
    diff = {(d["county"], d["township"]): d.get("change") for d in run.extra.get("baseline") or []}
    frame["gaps"] = frame[ids].isin(["fail", "partial", "unknown"]).sum(axis=1)
    rows = []
    for record in frame.to_dict("records"):
        change = diff.get((record["county"], record["township"]))
        rows.append({
            "county": record["county"], "township": record["township"], "kind": record["kind"],
            "score": record["score"], "name": f"{record['county'] or ''}{record['township'] or ''}",
            "gaps": int(record["gaps"]), "change": "—" if change is None else f"{change:+g}",
            "statuses": [record[i] for i in ids],
        })
    counts = frame[ids].apply(lambda column: column.value_counts()).reindex(list(SYMBOLS)).fillna(0).astype(int)
    by_requirement = [{"id": spec.id, "title": spec.title(lang), **{s: int(counts.at[s, spec.id]) for s in SYMBOLS}}
                      for spec in checklist.requirements]
    by_requirement.sort(key=lambda item: (-item["fail"], -item["partial"], -item["unknown"], item["id"]))
    missed = None
    for audit in run.townships:
        for check in (c for r in audit.requirements for c in r.checks):
            if check.kind == "county_supervision" and "missed" in check.params:
                missed = list(check.params["missed"])
    counties = {a.county for a in run.townships if a.county}
    return {
        "provenance": rollup_provenance(run, lang), "inputs": rollup_inputs(run),
        "run": run, "rows": rows, "ids": ids, "by_requirement": by_requirement, "symbols": SYMBOLS,
        "diff": run.extra.get("baseline"), "conflicts": run.extra.get("conflicts") or [],
        "county": counties.pop() if len(counties) == 1 else "、".join(sorted(counties)) or "—",
        "period": run.period or "—", "supervision_missed": missed,
    }


def rollup_provenance(run: AuditRun, lang: str) -> list[tuple[str, str]]:
    """Run-level provenance, labelled as in the township reports: checklist, local config, tool, run time."""
    return [
        (t(lang, "report.checklist"), f"{run.checklist_id} {run.checklist_version}"),
        (t(lang, "report.config_file"), run.config_file or t(lang, "report.no_config")),
        (t(lang, "report.tool_version"), f"fireaudit {run.tool_version}"),
        (t(lang, "report.generated_at"), run.generated_at),
    ]


def rollup_inputs(run: AuditRun) -> list[dict[str, str]]:
    """Every input the roll-up rests on: each township's workbook, and the county register, with SHA-256."""
    from pathlib import PurePath

    inputs = [{"name": f"{a.county or ''}{a.township or ''}", "file": PurePath(a.file).name, "sha256": a.sha256}
              for a in run.townships]
    county = run.extra.get("county_register")
    if county:
        inputs.append({"name": "—", "file": PurePath(county["file"]).name, "sha256": county.get("sha256", "")})
    return inputs


def write_rollup_json(run: AuditRun, checklist: Checklist, directory: Path, lang: str) -> Path:
    from fireaudit.reports.json_report import dumps

    path = inside(directory, f"{ROLLUP_STEM}.json")
    write_atomic(path, dumps(run))
    return path


def write_rollup_md(run: AuditRun, checklist: Checklist, directory: Path, lang: str) -> Path:
    """The roll-up in Markdown, through the same escaping environment as the township reports."""
    from fireaudit.reports.markdown import _tidy, environment

    text = environment(None, lang).get_template("rollup.md.j2").render(**rollup_data(run, checklist, lang))
    path = inside(directory, f"{ROLLUP_STEM}.md")
    write_atomic(path, _tidy(text))
    return path


def write_rollup_xlsx(run: AuditRun, checklist: Checklist, directory: Path, lang: str) -> Path:
    from io import BytesIO

    from fireaudit.openpyxl_lite import ensure_imported

    ensure_imported()
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment

    from fireaudit.i18n import status_label
    from fireaudit.reports.excel import _fill, _header, _table_finish, put
    from fireaudit.reports.print_setup import prepare_workbook

    data = rollup_data(run, checklist, lang)
    workbook = Workbook()

    def table(sheet, header: list[str], rows: list[list[Any]]) -> None:
        _header(sheet, 1, header)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                put(sheet, r, c, value)
        _table_finish(sheet, len(header), len(rows) + 1)

    ranking = workbook.active
    ranking.title = t(lang, "rollup.sheet_ranking")
    table(ranking, [t(lang, "rollup.rank"), t(lang, "ui.county"), t(lang, "ui.township"), t(lang, "ui.kind"),
                    t(lang, "ui.score"), t(lang, "rollup.change"), t(lang, "rollup.gaps")],
          [[n, r["county"], r["township"], r["kind"], r["score"], r["change"], r["gaps"]]
           for n, r in enumerate(data["rows"], start=1)])
    if data["rows"]:
        chart = BarChart()
        chart.title = t(lang, "rollup.score_chart")
        chart.y_axis.title = t(lang, "ui.score")
        chart.add_data(Reference(ranking, min_col=5, min_row=1, max_row=len(data["rows"]) + 1), titles_from_data=True)
        chart.set_categories(Reference(ranking, min_col=3, min_row=2, max_row=len(data["rows"]) + 1))
        chart.height, chart.width = 9, 18
        ranking.add_chart(chart, "I2")

    matrix = workbook.create_sheet(t(lang, "rollup.sheet_matrix"))
    table(matrix, [t(lang, "ui.township"), t(lang, "ui.score"), *data["ids"]],
          [[r["name"], r["score"], *[status_label(s, lang) for s in r["statuses"]]] for r in data["rows"]])
    for r, row in enumerate(data["rows"], start=2):
        for c, status in enumerate(row["statuses"], start=3):
            matrix.cell(r, c).fill = _fill(FILLS[status])
            matrix.cell(r, c).alignment = Alignment(horizontal="center")

    counts = workbook.create_sheet(t(lang, "rollup.sheet_by_requirement"))
    table(counts, [t(lang, "ui.requirement"), t(lang, "ui.title"), *[t(lang, f"status.{s}") for s in SYMBOLS]],
          [[i["id"], i["title"], *[i[s] for s in SYMBOLS]] for i in data["by_requirement"]])

    if data["diff"]:
        changes = workbook.create_sheet(t(lang, "rollup.sheet_changes"))
        table(changes, [t(lang, "ui.township"), t(lang, "rollup.previous_score"), t(lang, "ui.score"),
                        t(lang, "rollup.change"), t(lang, "rollup.new_gaps"), t(lang, "rollup.closed_gaps")],
              [[f"{d['county'] or ''}{d['township'] or ''}", d["previous_score"], d["score"], d["change"],
                ", ".join(d["new_gaps"]), ", ".join(d["closed_gaps"])] for d in data["diff"]])

    problems = workbook.create_sheet(t(lang, "rollup.sheet_problems"))
    table(problems, [t(lang, "ui.file"), t(lang, "rollup.problem")],
          [[u.file, u.reason] for u in run.unreadable]
          + [[f, t(lang, "rollup.conflict_with", township=f"{c['county'] or ''}{c['township'] or ''}", period=c["period"])]
             for c in data["conflicts"] for f in c["files"]])

    sources = workbook.create_sheet(t(lang, "rollup_sources.sheet"))
    for r, (label, value) in enumerate(data["provenance"], start=1):
        put(sources, r, 1, label, bold=True)
        put(sources, r, 2, value)
    first = len(data["provenance"]) + 2
    _header(sources, first, [t(lang, "ui.township"), t(lang, "report.file"), t(lang, "report.sha256")])
    for r, item in enumerate(data["inputs"], start=first + 1):
        for c, key in enumerate(("name", "file", "sha256"), start=1):
            put(sources, r, c, item[key])
    for column, width in zip("ABC", (24, 40, 70)):
        sources.column_dimensions[column].width = width

    prepare_workbook(workbook, f"{data['county']} {data['period']}", lang)
    buffer = BytesIO()
    workbook.save(buffer)
    from fireaudit.provenance import reproducible_zip

    payload = reproducible_zip(buffer.getvalue(), run.generated_at) if run.generated_at else buffer.getvalue()
    path = inside(directory, f"{ROLLUP_STEM}.xlsx")
    write_atomic(path, payload)
    return path


ROLLUP_WRITERS = {"json": write_rollup_json, "md": write_rollup_md, "xlsx": write_rollup_xlsx}
