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

from fireaudit.audit import BATCH, SINGLE, judge_check
from fireaudit.checks import KINDS, CheckContext
from fireaudit.checks.county import CountyData
from fireaudit.checks.understood import MESSAGE
from fireaudit.i18n import message_text
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
    spec, check = next((s, c) for s in checklist.requirements for c in checklist.checks_of(s.id) if c.id == check_id)
    extra = {"county": county} if spec.scope == "county" else {}
    ctx = CheckContext(register, Period.parse("2024Q2"), checklist, extra)
    return judge_check(ctx, spec, check, BATCH if extra else SINGLE)


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


# ---------------------------------------------------------------- the accusations, each gone (item 9)
from fireaudit.i18n import message_text  # noqa: E402
from fireaudit.result import TownshipAudit  # noqa: E402
from tests.builders import D, Sheet  # noqa: E402


def _texts(audit: TownshipAudit, lang: str = "zh") -> str:
    return "\n".join(message_text(c.message, c.params, lang) for r in audit.requirements for c in r.checks)


def _statuses(audit: TownshipAudit) -> dict[str, str]:
    return {c.id: str(c.status) for r in audit.requirements for c in r.checks}


def test_yi_na_ru_in_the_fiscal_budget_column_is_yes(audit_of):
    reg = compliant()
    for row in range(len(reg.sheets["经费"].rows)):
        reg.sheets["经费"].set(row, "纳入财政预算", "已纳入")
    audit = audit_of(reg)
    assert audit.check("R18.1").status == "pass"
    assert "未纳入财政预算" not in _texts(audit)


@pytest.mark.parametrize("written", ["专职队/乡镇政府专职消防队", "乡镇政府专职消防队"])
def test_a_full_time_brigade_written_without_its_grade_is_never_an_accusation(audit_of, written):
    reg = compliant()                       # 潘津镇: the plan asks a 一级 brigade
    reg.sheets["消防队伍"].set(0, "队伍类型", written)
    audit = audit_of(reg)
    status = _statuses(audit)
    # full-time beyond doubt (R04.8 rests on it: tests/test_heldout_readings.py), the grade not said (R07 cannot)
    assert status["R04.8"] == "pass" and status["R07.1"] == "unknown"
    assert not [k for k, v in status.items() if k[:3] in ("R04", "R07", "R08") and v == "fail"], status
    assert "现有本级队伍：。" not in _texts(audit)
    ref = f"消防队伍!{reg.sheets['消防队伍'].cell('队伍类型', 0)}"
    assert ref in [e.ref() for e in audit.check("R04.8").evidence]
    assert written.split("/")[-1] in _texts(audit)          # the finding quotes the raw value


def test_yi_wu_brigade_is_the_older_name_of_the_volunteer_brigade(audit_of):
    reg = compliant(township="巴彦岱镇")
    reg.sheets["消防队伍"].set(0, "队伍类型", "义务消防队")
    audit = audit_of(reg)
    assert audit.check("R04.8").status == "pass" and audit.check("R07.1").status == "pass"


def test_an_empty_brigade_list_says_none_not_an_empty_colon(audit_of):
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "所属单位", "一村")
    text = _texts(audit_of(reg))
    assert "现有本级队伍：无" in text and "现有本级队伍：。" not in text


def test_several_roles_in_one_cell_count_for_each(audit_of):
    reg = compliant()
    people = reg.sheets["责任人"]
    people.set(1, "消防职责", "主要责任人、消防安全管理人")
    people.rows = [r for r in people.rows if r[people.header.index("消防职责")] != "消防安全管理人"]
    audit = audit_of(reg)
    assert audit.check("R01.1").status == "pass" and audit.check("R04.6").status == "pass"
    assert audit.check("R17.1").status == "pass"
    assert "未登记" not in _texts(audit)


def test_yi_zhi_ding_is_a_village_convention(audit_of):
    reg = compliant()
    for row in range(len(reg.sheets["村社区"].rows)):
        reg.sheets["村社区"].set(row, "防火安全公约", "已制定")
    audit = audit_of(reg)
    assert audit.check("R06.2").status == "pass"
    assert "0个具备" not in _texts(audit)


def test_a_month_only_training_date_inside_the_window_is_training(audit_of):
    reg = compliant()
    for row in range(len(reg.sheets["责任人"].rows)):
        reg.sheets["责任人"].set(row, "最近培训日期", "2024年4月")
    audit = audit_of(reg)
    assert audit.check("R17.1").status == "pass"
    assert "无记录" not in _texts(audit)


def test_a_meeting_named_by_its_body_without_fire_in_the_agenda_is_unknown_not_fail(audit_of):
    reg = compliant()
    meetings = reg.sheets["会议研判"]
    meetings.set(0, "类型", "党委会").set(0, "议题", "研究春耕生产")
    audit = audit_of(reg)
    result = audit.check("R03.2")
    assert result.status == "unknown", (result.message, result.params)
    assert f"会议研判!{meetings.cell('类型', 0)}" in [e.ref() for e in result.evidence]
    assert "党委会" in _texts(audit)


def test_a_meeting_named_by_its_body_with_fire_in_the_agenda_counts(audit_of):
    reg = compliant()
    reg.sheets["会议研判"].set(0, "类型", "党委会").set(0, "议题", "研究部署消防安全工作")
    assert audit_of(reg).check("R03.2").status == "pass"


def _one_hazard(**values) -> Sheet:
    hazards = Sheet(["序号", "检查日期", "场所名称", "隐患描述", "整改期限", "整改状态", "移送部门", "移送日期", "备注"],
                    title="隐患台账")
    hazards.add(序号=1, 检查日期=D(2024, 5, 15), 场所名称="二村自建房", 隐患描述="违章搭建彩钢棚", **values)
    return hazards


def test_wei_zheng_gai_without_deadline_or_reason_is_not_read_as_in_progress(audit_of):
    reg = compliant()
    reg.sheets["检查隐患"] = _one_hazard(整改状态="未整改")
    audit = audit_of(reg)
    status = _statuses(audit)
    assert status["R13.1"] == "unknown" and status["R13.3"] == "unknown", status
    assert audit.requirement("R13").status not in ("pass", "fail")
    cell = f"检查隐患!{reg.sheets['检查隐患'].cell('整改状态', 0)}"
    assert cell in [e.ref() for e in audit.check("R13.3").evidence]


def test_wei_zheng_gai_with_a_refusal_in_the_row_and_no_referral_fails(audit_of):
    reg = compliant()
    reg.sheets["检查隐患"] = _one_hazard(整改状态="未整改", 备注="住户拒绝拆除")
    audit = audit_of(reg)
    assert audit.check("R13.1").status == "fail"


def test_an_unreferred_refusal_on_a_second_hazard_sheet_fails_r13(audit_of):
    reg = compliant()
    reg.extra_sheets["消防检查"] = _one_hazard(整改状态="拒不整改")
    audit = audit_of(reg)
    result = audit.check("R13.1")
    assert result.status == "fail", (result.message, result.params)
    assert any(e.sheet == "消防检查" for e in result.evidence)


def test_a_hazard_sheet_not_recognised_keeps_r13_from_passing(audit_of):
    reg = compliant()
    reg.extra_sheets["隐患排查台账（二）"] = _one_hazard(整改状态="拒不整改")
    audit = audit_of(reg)
    result = audit.check("R13.1")
    assert (result.status, result.message) == ("unknown", "common.unread_sheet")
    assert "隐患排查台账（二）" in _texts(audit) and "隐患排查台账（二）" in _texts(audit, "en")
    assert audit.check("R04.10").status == "pass"        # a drill sheet is not a hazard sheet


def test_a_missing_sheet_finding_names_the_sheet_that_resembles_it(audit_of):
    reg = compliant()
    reg.extra_sheets["消防责任人员表"] = reg.sheets.pop("责任人")
    audit = audit_of(reg)
    result = audit.check("R01.1")
    assert (result.status, result.message) == ("unknown", "common.missing_sheet_resembling")
    assert "未识别工作表“消防责任人员表”，可能对应“责任人”" in _texts(audit)


def test_a_profile_value_not_understood_is_not_called_blank(audit_of):
    reg = compliant()
    reg.profile["建立消防安全组织"] = "正在研究"
    audit = audit_of(reg)
    result = audit.check("R04.1")
    assert (result.status, result.message) == ("unknown", MESSAGE)
    assert "正在研究" in _texts(audit) and "未填写“建立消防安全组织”" not in _texts(audit)


# ---------------------------------------------------------------- no period anywhere: exit 3, in the report's language
def test_no_period_exits_3_listing_every_place_looked_in_the_chosen_language(tmp_path):
    from tests.cli_helper import run_cli

    reg = compliant()
    reg.profile.pop("报告期")
    path = reg.save(tmp_path / "台账.xlsx")
    zh = run_cli("audit", str(path), "--output", str(tmp_path / "zh"))
    assert zh.code == 3 and "Traceback" not in zh.out + zh.err
    assert all(w in zh.out for w in ("统计时段", "标题行", "文件名")), zh.out
    en = run_cli("check", str(path), "--lang", "en")
    assert en.code == 3
    assert all(w in en.out for w in ("title rows", "file name")), en.out


# ---------------------------------------------------------------- the nearest known values, wherever a register error is shown
def test_register_errors_show_the_nearest_known_values_in_every_writer(audit_of, checklist):
    from fireaudit.reports.json_report import township_json
    from fireaudit.reports.junit import dumps as junit_dumps
    from fireaudit.reports.terminal import gate_lines
    from fireaudit.reports.view import township_view
    from fireaudit.runner import make_run

    reg = compliant(township="巴彦岱镇")
    reg.sheets["消防队伍"].set(0, "队伍类型", "志愿消防对")
    audit = audit_of(reg)
    (error,) = [e for e in audit.register_errors if e.value == "志愿消防对"]
    assert "志愿消防队" in error.nearest
    entry = next(e for e in township_json(audit)["register_errors"] if e["value"] == "志愿消防对")
    assert "志愿消防队" in entry["nearest"] and "志愿消防队" in entry["message"]
    run = make_run(checklist, None, [audit], [])
    for lang in ("zh", "en"):
        line = next(x for x in gate_lines(run, "advisory", lang) if "志愿消防对" in x)
        assert "志愿消防队" in line.split("志愿消防对", 1)[1]
        assert "志愿消防队" in next(r.message for r in township_view(run, audit, checklist, lang).register_errors
                                  if r.value == "志愿消防对")
        assert "最接近" in junit_dumps(run, checklist, "advisory", lang) or lang == "en"


# ---------------------------------------------------------------- 未整改 against the period audited (not only the register's own)
@pytest.mark.parametrize("own, audited, deadline, expected", [
    ("2024Q2", "2024Q3", D(2024, 8, 15), "fail"),      # deadline passed by the audited period's end: 逾期未改
    ("2024Q3", "2024Q2", D(2024, 8, 15), "unknown"),   # read 逾期未改 for Q3, but not yet late at Q2's end
    ("2024Q2", "2024Q2", D(2024, 8, 15), "unknown"),   # not late, no refusal: cannot say
])
def test_wei_zheng_gai_is_read_against_the_audited_period(audit_of, own, audited, deadline, expected):
    reg = compliant(period=own)
    reg.sheets["检查隐患"] = _one_hazard(整改状态="未整改", 整改期限=deadline)
    reg.sheets["检查隐患"].set(0, "检查日期", D(2024, 5, 15))
    audit = audit_of(reg, audited)
    result = audit.check("R13.3")
    assert result.status == expected, (result.message, result.params)
    cell = f"检查隐患!{reg.sheets['检查隐患'].cell('整改状态', 0)}"
    ambiguous = [e for e in audit.register_errors if e.code == "ambiguous-status"]
    assert bool(ambiguous) == (expected == "unknown")
    if expected == "unknown":
        assert cell in [e.ref() for e in result.evidence]


def test_a_grade_criterion_not_understood_is_not_called_blank(audit_of):
    reg = compliant()
    reg.profile["建成区常住人口（万人）"] = "约一万多"
    audit = audit_of(reg)
    result = audit.check("R07.14")
    assert (result.status, result.message) == ("unknown", MESSAGE), (result.message, result.params)
    assert "约一万多" in _texts(audit)


# ---------------------------------------------------------------- a month astride a window's bound is undecided
def test_a_month_astride_a_bound_makes_a_fail_unknown_and_leaves_a_witnessed_pass(read, checklist):
    from fireaudit.checks.base import FAIL, PASS, CheckKind, outcome
    from fireaudit.checks.understood import judge, note_astride
    from fireaudit.register.model import MonthDate

    register = read(compliant())
    table = register.table("演练")
    table.values["日期"][0] = MonthDate(2024, 4, 1)
    ctx = CheckContext(register, Period.parse("2024Q2"), checklist)

    def check(status, witnessed):
        def run(ctx, params):
            note_astride(table, "日期", table.column("日期"), D(2024, 4, 15), D(2024, 6, 30))
            return outcome(status, "records_in_window.pass", [table.cell(1, "日期")], witnessed=witnessed)
        return CheckKind(run, object)

    failed = judge(check(FAIL, False), ctx, None)
    assert failed.status == "unknown" and table.cell(0, "日期") in failed.evidence
    assert "2024-04" in message_text(failed.message, failed.params, "zh")
    assert judge(check(PASS, True), ctx, None).status == "pass"


def test_a_pass_proven_on_understood_rows_stands_beside_an_unreadable_row(audit_of):
    reg = compliant()
    reg.sheets["演练"].add(序号=4, 日期="五月中旬", 组织单位="潘津镇", 演练类型="应急疏散演练")
    audit = audit_of(reg)
    assert audit.check("R04.10").status == "pass"            # the drill held on 2024-05-15 proves it
    assert any(e.value == "五月中旬" for e in audit.register_errors)


def test_a_fail_for_want_of_a_record_is_unknown_while_a_row_is_unreadable(audit_of):
    reg = compliant()
    drills = reg.sheets["演练"]
    drills.set(0, "日期", "五月中旬")                          # the only 应急疏散演练
    audit = audit_of(reg)
    result = audit.check("R04.10")
    assert result.status == "unknown" and f"演练!{drills.cell('日期', 0)}" in [e.ref() for e in result.evidence]
    assert result.params["verdict"] == "fail"


def test_many_unreadable_cells_are_counted_and_the_first_named(audit_of):
    reg = compliant()
    for n in range(30):
        reg.sheets["演练"].add(序号=10 + n, 日期=f"第{n}天", 组织单位="潘津镇", 演练类型="灭火演练")
    reg.sheets["演练"].set(0, "日期", "五月中旬")
    result = audit_of(reg).check("R04.10")
    assert result.status == "unknown" and result.params["count"] == 31
    assert len(result.params["cells"].items) == 20 and len(result.evidence) == 31
    zh, en = (message_text(result.message, result.params, lang) for lang in ("zh", "en"))
    assert zh.count("演练!") == 20 and "。；" not in zh and "；" not in zh    # sentences follow one another
    assert en.count("演练!") == 20 and "  " not in en and "；" not in en


def test_a_class_only_cell_the_check_resolved_is_not_counted_as_unread_in_one_table():
    """`乡镇政府专职消防队` answers "a full-time brigade?" (every grade it may be is full-time): a check that
    read only that table rests on it, however few tables it read."""
    from fireaudit.register import codes
    from fireaudit.register.model import Evidence, Table, resolve

    grades = ("一级专职消防队", "二级专职消防队")
    table = Table("消防队伍", "消防队伍", 1, {"队伍类型": 2}, row_index=[2], values={"队伍类型": [None]})
    table.unparsed = {"队伍类型": {0: Unparsed("乡镇政府专职消防队", codes.CLASS_ONLY, "、".join(grades),
                                              Evidence("消防队伍", "C3", column="队伍类型"), grades)}}
    reads = Reads()
    token = READS.set(reads)
    try:
        table.column("队伍类型")
        assert [u.raw for u in reads.unparsed()] == ["乡镇政府专职消防队"]     # read, not yet resolved
        assert resolve(table, 0, "队伍类型", [*grades, "志愿消防队"])
        assert reads.unparsed() == []
    finally:
        READS.reset(token)


# ---------------------------------------------------------------- issue 19: 200,000 unparsed cells in reading order
def test_unparsed_cells_come_in_the_order_the_general_sort_gives():
    """Table.unparsed_in sorts integers when every cell is an A1 reference of the table's sheet; any other
    cell (another sheet, odd letters, a lower-case or missing reference) falls back to the general sort, and
    either way the order is the one the general sort (the `positions` path) gives."""
    import random

    from fireaudit.register.model import Evidence, Table, Unparsed

    rng = random.Random(19)
    for trial in range(60):
        columns = {"检查日期": rng.choice([1, 2, 27]), "整改期限": rng.choice([2, 7, 27, 700]), "备注": 2}
        table = Table("检查隐患", "隐患台账", 1, columns, row_index=sorted(rng.sample(range(2, 400), 120)))
        for column, index in columns.items():
            positions = rng.sample(range(120), rng.randrange(0, 60))     # in no particular order
            letters = "".join(chr(65 + d) for d in ([index // 26 - 1] if index >= 26 else []) + [index % 26])
            cells = {}
            for p in positions:
                cell, sheet = f"{letters}{table.row_index[p] + 1}", table.sheet
                if trial % 4 == 1 and rng.random() < 0.05:
                    cell, sheet = rng.choice([(cell.lower(), sheet), (f"{cell}0", sheet), (cell, "其他表"),
                                              (f"A{cell}", sheet), (None, sheet), (f"{letters}007", sheet)])
                cells[p] = Unparsed("某月某日", "bad-date", "日期", Evidence(sheet, cell, column=column))
            if cells:
                table.unparsed[column] = cells
        wanted = tuple(columns)
        every = range(len(table.row_index))
        assert table.unparsed_in(*wanted) == table.unparsed_in(*wanted, positions=every), trial
