"""Issue 16: what a careful reader of the plan would rule, and sources that say only what they say.

Each test quotes the plan (伊犁州直加强乡镇（街道）消防工作的实施方案, 2024) or the standard in its
docstring: the sentence that decides the reading the test pins down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fireaudit.i18n import message_text
from tests.builders import Register, Sheet, compliant, county_register
from tests.changes import add_row, drop_rows, set_cell
from tests.cli_helper import run_cli

HAZARDS = "检查隐患"


def text(result, lang: str = "zh") -> str:
    return message_text(result.message, result.params, lang)


# ---------------------------------------------------------------- 1. roles in the plan's own words
@pytest.mark.parametrize("first, second", [
    ("党政主要负责人", "分管消防工作负责人"),
    ("主要负责人", "分管负责人"),
    ("第一责任人", "分管责任人"),
])
def test_roles_written_in_the_plans_words_are_named(audit_of, first, second):
    """(三)：乡镇（街道）党政主要负责人为本辖区消防工作第一责任人……乡镇（街道）分管消防工作的负责人为本辖区
    消防工作主要责任人；(一)：由乡镇（街道）主要责任人负总责、分管责任人具体负责.
    A register in the plan's words (主要负责人, 分管负责人) names both; it used to fail R01.1 (critical)."""
    reg = compliant()
    reg.sheets["责任人"].set(0, "消防职责", first).set(1, "消防职责", second)
    audit = audit_of(reg)
    assert audit.check("R01.1").status == "pass", text(audit.check("R01.1"))
    assert audit.check("R03.1").status == "pass", text(audit.check("R03.1"))


@pytest.mark.parametrize("title, status", [
    ("党委书记", "pass"), ("镇党委书记", "pass"), ("潘津镇党委书记", "pass"), ("镇长", "pass"),
    ("潘津镇镇长", "pass"), ("党委书记兼镇长", "pass"), ("党委书记（主持工作）", "pass"), ("党工委书记", "pass"),
    ("社会事务办公室主任", "fail"), ("纪委书记", "fail"), ("驻村第一书记", "fail"), ("党委副书记", "fail"),
    ("副镇长", "fail"), ("综治办主任", "fail"),
    ("书记", "unknown"), ("主任", "unknown"),
])
def test_r03_1_heads_are_the_plans_heads_exactly(audit_of, title, status):
    """(三)：乡镇（街道）党政主要负责人为本辖区消防工作第一责任人.
    The heads are 党委（党工委）书记, 乡长, 镇长, 街道办事处主任 — not every title containing 书记 or 主任.
    A bare 书记/主任 does not say which: unknown, never an accusation."""
    reg = compliant()
    reg.sheets["责任人"].set(0, "职务", title)
    result = audit_of(reg).check("R03.1")
    assert result.status == status, text(result)


def test_r03_1_a_street_head_is_the_office_director(audit_of):
    """(三)：乡镇（街道）党政主要负责人; (五)：街道办事处 — its government head is the 街道办事处主任."""
    reg = compliant("伊宁市", "解放路街道", "街道")
    reg.sheets["责任人"].set(0, "职务", "街道办事处主任")
    assert audit_of(reg).check("R03.1").status == "pass"


# ---------------------------------------------------------------- 2. the named townships, however written
def test_grade_command_matches_huocheng_huiyuan_written_short():
    """(七)：伊犁州直符合且应建立一级乡镇专职消防队的乡镇共3个，分别为：伊宁市潘津镇、霍城县惠远镇、特克斯县乔拉克铁热克镇.
    霍城 + 惠远镇 is 霍城县惠远镇; it used to say 志愿消防队."""
    result = run_cli("grade", "--county", "霍城", "--township", "惠远镇")
    assert result.code == 0, result.err
    assert "应建等级：一级专职消防队" in result.out


@pytest.mark.parametrize("county, township, grade", [
    ("霍城", "惠远", "一级专职消防队"),
    ("伊犁州霍城县", "惠远镇人民政府", "一级专职消防队"),
    ("伊犁哈萨克自治州伊宁市", "潘津镇党委", "一级专职消防队"),
    ("巩留", "阿尕尔森", "二级专职消防队"),
    ("伊宁市", "托格拉克", "二级专职消防队"),
])
def test_named_townships_match_on_canonical_names(checklist, county, township, grade):
    """(七)：……伊宁市托格拉克乡、巩留县阿尕尔森镇 (二级). County with or without 县/市 and a prefecture prefix;
    township with or without 乡/镇, 人民政府/党委 stripped."""
    from fireaudit import grades

    required = grades.resolve(checklist, county, township, "镇")
    assert (required.grade, required.rule) == (grade, "named")


def test_a_short_written_named_township_with_only_volunteers_does_not_pass(audit_of):
    """(七)：上述乡镇所在县市人民政府要……逐步建设……并报当地消防救援机构验收后投入执勤.
    霍城/惠远 with only a 志愿消防队 used to pass R07.1 (critical); it is the named 一级 township."""
    result = audit_of(compliant("霍城", "惠远", "镇")).check("R07.1")
    assert result.status == "fail" and result.params["required"] == "一级专职消防队", text(result)


@pytest.mark.parametrize("county, township, named", [
    ("伊宁县", "潘津镇", "伊宁市潘津镇"),        # another county
    ("霍城县", "惠远乡", "霍城县惠远镇"),        # 乡 for 镇
])
def test_a_near_miss_is_reported_and_r07_1_is_unknown(tmp_path: Path, audit_of, county, township, named):
    """(七) names the townships by county and township. A name close to a named one but not it is neither the
    named grade nor silently the default 志愿: a warning in every report ("与方案点名的…相近，请核对") and R07.1 unknown."""
    audit = audit_of(compliant(county, township, "镇" if township.endswith("镇") else "乡"))
    result = audit.check("R07.1")
    assert result.status == "unknown" and named in text(result)
    assert [n for n in audit.notes if n.code.endswith("named-near-miss")]
    path = compliant(county, township, "镇").save(tmp_path / "near.xlsx")
    out = tmp_path / "out"
    assert run_cli("audit", str(path), "-o", str(out), "--format", "md,json").code in (0, 1)
    (report,) = out.glob("*.md")
    assert f"与方案第（七）项点名的{named}" in report.read_text(encoding="utf-8")
    (data,) = (json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json"))
    township = data["townships"][0] if "townships" in data else data
    assert any("相近" in n["message"] and "请核对" in n["message"] for n in township["notes"])
    assert named.endswith(township["required_grade"]["near_miss"]["township"])


# ---------------------------------------------------------------- 3. R07: dates for named 专职 brigades only
def test_a_volunteer_brigade_is_asked_no_duty_date(audit_of):
    """(七)：其他乡镇要参照国家标准（GB/T 35547-2017），建立乡镇志愿消防队 — no 验收 or 投入执勤 is asked of it
    (a 志愿 brigade with a blank 投入执勤日期 used to fail R07.1, critical)."""
    reg = compliant("伊宁县", "喀拉亚尕奇乡", "乡")
    reg.sheets["消防队伍"].set(0, "投入执勤日期", None).set(0, "验收日期", None)
    result = audit_of(reg).check("R07.1")
    assert result.status == "pass", text(result)


def test_acceptance_before_duty_is_asked_of_named_townships_only(audit_of):
    """(七)：上述乡镇……并报当地消防救援机构验收后投入执勤 — 上述乡镇 are the five named ones."""
    reg = compliant("伊宁县", "喀拉亚尕奇乡", "乡", grade="二级专职消防队")
    reg.sheets["消防队伍"].set(0, "验收日期", None)
    audit = audit_of(reg)
    assert audit.check("R07.12").status == "na"
    assert audit.check("R07.1").status == "pass"


def test_a_named_township_with_a_lower_grade_on_duty_is_a_major_gap(audit_of):
    """(七)：上述乡镇……要结合实际……逐步建设固定营房、配备消防装备、配齐专兼职消防员 — being built step by step:
    a lower-grade brigade on duty is a gap at major, not critical."""
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队伍类型", "志愿消防队")
    audit = audit_of(reg)
    result = audit.check("R07.1")
    assert (result.status, result.severity) == ("fail", "major"), text(result)
    assert "逐步建设" in text(result)
    assert audit.requirement("R07").status != "fail" or any(
        c.status == "fail" and c.severity == "critical" for c in audit.requirement("R07").checks)


def test_a_named_township_without_any_brigade_is_critical(audit_of):
    """(七)：伊犁州直符合且应建立一级乡镇专职消防队的乡镇……; (四)：根据……需要建立专职消防队、志愿消防队.
    No brigade at all: critical."""
    reg = compliant()
    reg.sheets["消防队伍"].rows = []
    result = audit_of(reg).check("R07.1")
    assert (result.status, result.severity) == ("fail", "critical")


# ---------------------------------------------------------------- 4. R13: referred, or handled and notified
def _with_handling(reg: Register) -> Sheet:
    sheet = reg.sheets[HAZARDS]
    sheet.header += ["处理方式", "告知部门"]
    for row in sheet.rows:
        row += [None, None]
    return sheet


@pytest.mark.parametrize("way, told, referred, status", [
    ("本级依法处理", "县住建局", False, "pass"),
    ("本级依法处理", None, False, "fail"),
    ("移送", None, True, "pass"),
    ("移送", None, False, "fail"),
    (None, "县住建局", False, "pass"),
])
def test_a_refused_hazard_is_handled_when_referred_or_handled_and_notified(audit_of, way, told, referred, status):
    """(十三)：对劝阻、制止无效的，依法予以处理，并告知相关职能部门；对超出执法权限的……移送县市相关职能部门依法处理.
    Either way the hazard is handled (columns 处理方式, 告知部门)."""
    reg = compliant()
    sheet = _with_handling(reg)
    sheet.add(序号=9, 检查日期="2024-05-10", 场所名称="二村自建房", 隐患描述="楼道堆放杂物，拒不清理", 整改状态="拒不整改",
              处理方式=way, 告知部门=told, 移送部门="县消防救援大队" if referred else None,
              移送日期="2024-05-20" if referred else None)
    result = audit_of(reg).check("R13.1")
    assert result.status == status, text(result)
    if status == "fail" and way == "本级依法处理":
        assert "告知部门" in text(result)


def test_the_handling_columns_are_in_the_register_and_template(checklist):
    """(十三)：依法予以处理，并告知相关职能部门 — the register carries 处理方式 (移送/本级依法处理) and 告知部门."""
    sheet = next(s for s in checklist.register.sheets if s.name == HAZARDS)
    columns = {c.name: c for c in sheet.columns}
    assert columns["处理方式"].vocab == "处理方式" and "告知部门" in columns
    assert checklist.register.vocabularies["处理方式"].values == ["移送", "本级依法处理"]


# ---------------------------------------------------------------- 6, 7
@pytest.mark.parametrize("period, status", [("2024Q1", "fail"), ("2024Q2", "fail"), ("2024Q3", "fail"),
                                            ("2024Q4", "na")])
def test_r11_3_runs_in_every_quarter_holding_one_of_the_plans_dates(audit_of, period, status):
    """(十一)：结合每学期开学、寒暑假及“全国中小学教育日”“防灾减灾日”指导学校开展消防安全宣传教育活动 —
    开学 (Q1, Q3), 寒暑假 (Q1, Q3), 安全教育日 (March, Q1), 防灾减灾日 (12 May, Q2): Q1, Q2 and Q3."""
    reg = compliant(period=period)
    drop_rows("宣传培训", "活动类型", "学校消防教育")(reg)
    assert audit_of(reg).check("R11.3").status == status


def test_r19_is_na_without_fulltime_members(audit_of):
    """(十九)：落实政府专职消防队员和其他消防工作人员相关待遇……督促、指导政府专职消防队……依法参加基本养老保险、
    失业保险和工伤保险 — R19 is about 专职 members; a volunteer-only township is na (it used to pass)."""
    reg = compliant("伊宁县", "喀拉亚尕奇乡", "乡")
    set_cell("队员", 0, "意外伤害保险", "否")(reg)
    audit = audit_of(reg)
    assert audit.requirement("R19").status == "na"


# ---------------------------------------------------------------- 8. a township's score is the township's
def test_the_same_workbook_has_the_same_score_in_every_command(tmp_path: Path):
    """(二十一)：各县市要将乡镇（街道）消防工作情况作为……考评的重要内容，定期开展督导检查 — R20–R22 are the
    county's duties (各县市要…): never in a township's score or findings, in check, audit or batch."""
    folder = tmp_path / "regs"
    folder.mkdir()
    for name in ("甲镇", "乙镇"):
        compliant("伊宁市", name, "镇").save(folder / f"{name}.xlsx")
    county = county_register(["甲镇", "乙镇"], supervised=["甲镇"], models=0).save(tmp_path / "county.xlsx")
    path = folder / "乙镇.xlsx"
    audited = json.loads(run_cli("audit", str(path), "--format", "json").out)["townships"][0]
    checked = json.loads(run_cli("check", str(path), "--format", "json").out)["townships"][0]
    out = tmp_path / "out"
    assert run_cli("batch", str(folder), "-o", str(out), "--county-register", str(county),
                   "--format", "json,md").code in (0, 1)
    rollup = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    batched = next(t for t in rollup["townships"] if t["township"] == "乙镇")
    assert audited["score"] == checked["score"] == batched["score"]
    for township in (audited, checked, batched):
        duties = [r for r in township["requirements"] if r["id"] in ("R20", "R21", "R22")]
        assert [r["status"] for r in duties] == ["na"] * 3          # listed (stable keys), never scored
    county_section = {r["id"]: r for r in rollup["county_duties"]["requirements"]}
    r21 = {c["township"]: c["status"] for c in county_section["R21"]["checks"]}
    assert r21 == {"甲镇": "pass", "乙镇": "fail"}                  # judged, in the county's own section
    # (二十一)：定期开展督导检查 — the quarter is the county's yardstick, said so
    assert all("本县考评口径：每季度" in c["message"] for c in county_section["R21"]["checks"])
    assert county_section["R20"]["status"] == "fail" and rollup["county_duties"]["status"] == "partial"
    md = (out / "汇总.md").read_text(encoding="utf-8")
    assert "## 县市职责" in md and "不计入任何乡镇（街道）得分" in md
    township_md = [p.read_text(encoding="utf-8") for p in out.glob("*.md") if "汇总" not in p.name]
    assert len(township_md) == 2 and not any("未对本乡镇（街道）开展督导检查" in report for report in township_md)


# ---------------------------------------------------------------- 9. frequencies that are ours, said to be ours
@pytest.mark.parametrize("check_id, breaker", [
    ("R03.2", drop_rows("会议研判", "类型", "专题研究")),
    ("R09.1", drop_rows("会议研判", "类型", "风险研判")),
    ("R08.2", drop_rows("演练", "演练类型", "联勤联训")),
    ("R10.1", lambda reg: setattr(reg.sheets["专项治理"], "rows", [])),
])
def test_plan_words_without_a_frequency_are_the_countys_yardstick(audit_of, check_id, breaker):
    """(三)：定期研究部署消防工作；(十)：有计划地组织开展消防安全专项治理；(九)：加强消防安全风险研判；
    (八)：强化联勤联训. The plan sets no frequency: the quarter is this county's yardstick, and the finding says so."""
    reg = compliant()
    assert "本县考评口径：每季度" in text(audit_of(reg).check(check_id))
    breaker(reg)
    result = audit_of(reg).check(check_id)
    assert result.status == "fail" and "本县考评口径：每季度" in text(result) and "未规定具体频次" in text(result)


def test_the_countys_yardstick_is_a_setting(tmp_path: Path, read):
    """(三)：定期研究部署消防工作 — a county may read 定期 as once a year; the finding then says 每年."""
    from fireaudit.audit import audit_register, load_checklist

    config = tmp_path / "fireaudit.toml"
    config.write_text('[checks."R03.2".params]\nwindow = "year"\n', encoding="utf-8")
    reg = compliant()
    reg.sheets["会议研判"].set(0, "日期", "2024-01-05")       # in the year, not in the quarter
    result = audit_register(read(reg), load_checklist(str(config))).check("R03.2")
    assert result.status == "pass" and "本县考评口径：每年" in text(result)


def test_r05_6_cites_no_sentence_of_item_five_that_does_not_exist(checklist):
    """(五) lists no funds for 街道办事处; (十八)：将乡镇（街道）消防工作经费纳入财政预算，安排必要资金 does."""
    source = checklist.check_by_id["R05.6"].source
    assert "六(十八)" in source and "REQUIREMENTS" not in source


def test_r18_1_sets_donations_apart(audit_of):
    """(十八)：各县市要……将乡镇（街道）消防工作经费纳入财政预算 — a donation is not the township's fire-work funds."""
    reg = compliant()
    add_row("经费", 序号=9, 年度=2024, 科目="消防宣传教育培训", 纳入财政预算="否", 备注="辖区企业捐赠",
            **{"预算金额（万元）": 2})(reg)
    assert audit_of(reg).check("R18.1").status == "pass"
    set_cell("经费", 0, "纳入财政预算", "否")(reg)
    assert audit_of(reg).check("R18.1").status == "fail"


def test_r18_2_is_advisory(checklist):
    """(十八)：安排必要资金，用于公共消防基础设施建设、火灾风险防范、隐患排查治理…… — what the money is for,
    not a budget line the township must show for each: advisory."""
    assert checklist.check_by_id["R18.2"].severity == "advisory"


# ---------------------------------------------------------------- 10. GB/T 35547 provenance, exact
def test_local_policy_minimums_say_so_and_are_advisory(audit_of, checklist):
    """15/10 staff and 2/1 engines: 台州市2018年通知 ("一级乡镇专职消防队一般编配不少于15人和2辆消防车，二级…
    不少于10人和1辆"), which does not cite GB/T 35547-2017: local-policy, advisory, said in every finding."""
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队员人数", 14).set(0, "消防车数量", 1).set(0, "执勤消防车数量", 1)
    audit = audit_of(reg)
    for check_id in ("R07.3", "R07.4"):
        result = audit.check(check_id)
        assert (result.status, result.severity) == ("fail", "advisory")
        assert "台州市2018年地方通知" in text(result) and "地方规定，未引用该标准" in text(result)
        assert "restating" not in text(result) and "表8" not in text(result).split("（来源")[0]


def test_permissive_and_assumed_minimums_are_advisory_and_standard_ones_are_not(checklist):
    """GB/T 35547-2017 §11.2.2：每班次的执勤人员配备，可按执勤消防车每台平均定员4名确定 (可: permissive, per shift);
    the 志愿 minimum of 6 and the portable pump are assumptions; §9.2, §11.2.1, §11.2.3 stay the standard's."""
    severity = {c.id: c.severity for c in checklist.checks}
    assert {severity[i] for i in ("R07.3", "R07.4", "R07.6", "R07.7", "R07.8", "R07.10")} == {"advisory"}
    assert {severity[i] for i in ("R07.2", "R07.5", "R07.9")} == {"major"}
    from fireaudit import grades

    data = grades.grade_data(checklist)
    first = data.minimums["一级专职消防队"]
    assert (first.land_area.confidence, first.leaders.confidence, first.comms_safety.confidence) == ("standard",) * 3
    assert (first.total_staff.confidence, first.engines.confidence) == ("local-policy",) * 2
    assert "可按执勤消防车每台平均定员4名" in first.duty_staff_per_engine.source


def test_every_source_a_report_cites_is_chinese_and_names_no_file_of_ours(checklist):
    """Every report sentence that cites a source is Chinese in the Chinese report: no "fireaudit default",
    "REQUIREMENTS.md, Settled readings", "restating", file names of our data."""
    from fireaudit import grades

    data = grades.grade_data(checklist)
    sources = [c.source for c in checklist.checks] + [r.source for r in checklist.requirements]
    sources += [n.source for n in data.named] + [c.source for c in data.criteria.values()]
    sources += [m.source for table in data.minimums.values() for m in (getattr(table, i) for i in grades.ITEMS) if m]
    banned = ("fireaudit", "REQUIREMENTS", "Settled", "restating", ".toml", ".md", "default", "assum", "older")
    offending = [s for s in sources if any(b in s for b in banned)]
    assert not offending, offending
