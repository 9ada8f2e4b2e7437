"""`fireaudit map` (issue 15): proposals on real layouts, --yes, a prompted session, the county's file kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fireaudit.cli import app
from fireaudit.errors import ConfigError
from tests.builders import compliant, county_form, one_sheet, save_free

runner = CliRunner()


def statuses(workbook: Path, config: Path | None = None) -> dict[str, str]:
    args = ["check", str(workbook), "--format", "json", "--fail-on", "none"]
    if config is not None:
        args += ["--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {r["id"]: r["status"] for r in data["townships"][0]["requirements"]}, data


# headings a county's one-sheet form uses that name no register sheet (the others are read without a mapping)
OWN_HEADINGS = {"二、消防安全责任人": "二、消防工作人员", "十、会议研判": "十、研究部署"}


def test_one_sheet_register_is_read_block_by_block_once_map_yes_maps_its_headings(tmp_path):
    template = compliant().save(tmp_path / "template.xlsx")
    sheet = one_sheet(compliant())
    sheet.rows = [[OWN_HEADINGS.get(v, v) for v in row] for row in sheet.rows]
    book = save_free(tmp_path / "one.xlsx", {"消防工作台账": sheet})
    unmapped, data = statuses(book)
    assert unmapped["R01"] == "unknown"                      # the block under 二、消防工作人员 is not read …
    assert any(n["code"] == "unrecognised-block" and "二、消防工作人员" in n["detail"]
               for n in data["townships"][0]["notes"])       # … and the report says which heading
    config = tmp_path / "fireaudit.toml"
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    assert '"二、消防工作人员" = "责任人"' in config.read_text(encoding="utf-8")
    assert f"fireaudit check {book}" in result.output
    expected, _ = statuses(template)
    got, data = statuses(book, config)
    assert got == expected                                   # the statuses a human reads from the same facts
    assert data["mapping"]["file"] == str(config) and len(data["mapping"]["sha256"]) == 64
    junit = runner.invoke(app, ["check", str(book), "--config", str(config), "--format", "junit", "--fail-on", "none"])
    assert f'name="mapping_sha256" value="{data["mapping"]["sha256"]}"' in junit.stdout


def test_map_yes_on_a_county_form_never_passes_or_fails_what_the_template_would_not(tmp_path):
    template_statuses, _ = statuses(compliant().save(tmp_path / "template.xlsx"))
    book = county_form(compliant()).save(tmp_path / "county.xlsx")
    unmapped, _ = statuses(book)
    config = tmp_path / "fireaudit.toml"
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert 'names = ["安全排查登记"]' in text and '"排查时间" = "检查日期"' in text
    assert "处理结果" not in text            # no name or value says it is 整改状态: listed for a person
    assert "处理结果" in result.output
    mapped, _ = statuses(book, config)
    for rid, status in mapped.items():   # no false fail, no false pass; a held column leaves checks unknown
        expected = template_statuses[rid]
        assert status != "fail" or expected == "fail", rid
        assert status != "pass" or expected == "pass", rid
        assert status in (expected, "unknown", "partial"), (rid, status, expected)
    assert sum(s == "unknown" for s in mapped.values()) <= sum(s == "unknown" for s in unmapped.values())


def test_map_yes_on_a_grid_ledger_accepts_nothing_a_person_should_decide(tmp_path):
    """整改确认日期 is a date near 移送日期 in the template, and 网格 / 整改责任人 / 复查结果 resemble columns
    the reader already found: none of them may be mapped unasked (a false 移送日期 would pass R13)."""
    import datetime as dt

    from tests.builders import binder, grid_ledger

    day = dt.date
    sheets = binder(compliant())
    sheets["八、隐患排查整改台账"] = grid_ledger([
        {"发现日期": day(2024, 5, 10), "网格": "一村", "网格员": "艾山", "场所": "一村农家乐", "隐患描述": "疏散通道堆放杂物",
         "整改责任人": "马明", "整改时限": day(2024, 5, 20), "当前状态": "已完成", "整改确认日期": day(2024, 5, 18),
         "复查结果": "合格"},
        {"发现日期": day(2024, 5, 12), "网格": "幸福社区", "网格员": "李梅", "场所": "幸福超市", "隐患描述": "无",
         "当前状态": "无隐患"}])
    book = save_free(tmp_path / "ledger.xlsx", sheets)
    before, _ = statuses(book)
    config = tmp_path / "fireaudit.toml"
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    assert not config.exists() or "整改确认日期" not in config.read_text(encoding="utf-8")
    assert "整改确认日期" in result.output                     # listed for a person
    if config.exists():
        assert statuses(book, config)[0] == before


def test_an_interactive_session_accepts_changes_and_skips(tmp_path):
    book = county_form(compliant()).save(tmp_path / "county.xlsx")
    config = tmp_path / "fireaudit.toml"
    # round 1: the sheet; round 2: its columns in order 排查时间 被查单位 问题描述 限改日期 处理结果 排查人;
    # round 3: the status word 已处理 (not in the vocabulary), chosen by name
    answers = ["a", "a", "a", "s", "c", "1", "a", "a", "c", "已整改"]
    result = runner.invoke(app, ["map", str(book), "-o", str(config)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert '"被查单位" = "场所名称"' in text
    assert "问题描述" not in text                              # skipped
    assert '"限改日期" = "整改期限"' in text                   # changed: chosen from the list
    assert '"处理结果" = "整改状态"' in text
    assert '"已处理" = "已整改"' in text                       # a value map, typed by name
    _, data = statuses(book, config)
    hazards = data["townships"][0]
    assert any(n["code"] == "mapping.values" for n in hazards["notes"])
    again = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert "排查时间" not in again.output and "已处理" not in again.output   # only what is still unmapped


def test_merging_keeps_the_countys_comments_and_keys(tmp_path):
    book = county_form(compliant()).save(tmp_path / "county.xlsx")
    config = tmp_path / "fireaudit.toml"
    original = ('# 伊宁县消防台账审核配置（县消防大队 2024）\n'
                '[scoring]\npass_line = 70.0   # 县里的合格线\n')
    config.write_text(original, encoding="utf-8")
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert "[register.sheets" in text


@pytest.mark.parametrize("mapping, words", [
    ('[register.sheets."检查隐患".columns]\n"排查时间" = "检查日期"\n"发现时刻" = "检查日期"\n', "two columns"),
    ('[register.sheets."检查隐患".values."整改状态"]\n"已完成" = "整改中"\n', "already reads as"),
    ('[register.sheets."检查隐患".values."整改状态"]\n"已处理" = "办结"\n', "not an allowed value"),
    ('[register.sheets."检查隐患".columns]\n"日期" = "整改期限"\n', "already reads"),
    ('[register.defaults]\n"县市" = "伊宁市"\n', "only"),
    ('[register.sheets."检查隐患"]\nlayout = "columns"\n', "only the profile sheet"),
    ('[register.sheets."隐患"]\nnames = ["安全排查"]\n', "no register sheet"),
    ('[register.sheets."演练"]\nnames = ["隐患台账"]\n', "already reads sheet"),
    ('[register.sheets."演练"]\nnames = ["安全排查"]\n[register.sheets."检查隐患"]\nnames = ["安全排查"]\n',
     "already reads sheet"),
    ('[register.defaults]\n"报告期" = "二季度"\n', "not a quarter"),
])
def test_ambiguous_or_wrong_mappings_are_refused_with_file_and_key(tmp_path, mapping, words):
    config = tmp_path / "fireaudit.toml"
    config.write_text(mapping, encoding="utf-8")
    book = compliant().save(tmp_path / "t.xlsx")
    result = runner.invoke(app, ["check", str(book), "--config", str(config)])
    assert isinstance(result.exception, ConfigError) and result.exception.exit_code == 2   # main(): one line, exit 2
    message = result.exception.text("en")
    assert "fireaudit.toml" in message and "register." in message and words in message


def test_a_value_mapped_to_no_is_never_accepted_by_yes(tmp_path):
    from fireaudit.audit import load_checklist
    from fireaudit.proposals import VALUE, Seen, propose, settings_of

    checklist = load_checklist()
    settings = settings_of(checklist.data)
    item = Seen(VALUE, "未制定到位", "基本情况", "制定消防安全制度")
    proposal = propose([item], checklist.register, settings)[0]
    assert proposal.target == "否" and proposal.hold == "direction" and not proposal.auto(settings)


def test_the_map_session_refuses_two_columns_onto_one(tmp_path):
    book = county_form(compliant()).save(tmp_path / "county.xlsx")
    config = tmp_path / "fireaudit.toml"
    config.write_text('[register.sheets."检查隐患"]\nnames = ["安全排查登记"]\n\n'
                      '[register.sheets."检查隐患".columns]\n"被查单位" = "场所名称"\n', encoding="utf-8")
    # 排查时间 (a), 问题描述 → choose 场所名称 by name: refused, already taken by 被查单位
    answers = ["a", "c", "场所名称", "s", "s", "s", "s"]
    result = runner.invoke(app, ["map", str(book), "-o", str(config)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "已拒绝" in result.output and "场所名称" in result.output
    assert '"问题描述"' not in config.read_text(encoding="utf-8")


def test_a_finding_resting_on_a_mapped_value_says_so(tmp_path):
    import datetime as dt

    reg = compliant()
    reg.sheets["检查隐患"].add(序号=4, 检查日期=dt.date(2024, 5, 1), 场所名称="二村仓库", 场所类型="仓库", 所属村社区="二村",
                              隐患描述="灭火器过期", 整改期限=dt.date(2024, 5, 10), 整改状态="超期未改", 检查人="李梅")
    book = reg.save(tmp_path / "t.xlsx")
    status = reg.sheets["检查隐患"].cell("整改状态", 3)
    config = tmp_path / "fireaudit.toml"
    config.write_text('[register.sheets."检查隐患".values."整改状态"]\n"超期未改" = "逾期未改"\n', encoding="utf-8")
    got, data = statuses(book, config)
    overdue = next(c for r in data["townships"][0]["requirements"] for c in r["checks"] if c["id"] == "R13.3")
    assert overdue["status"] == "fail"
    assert overdue["evidence"][0]["mapped"] == f"{status}：超期未改 → 逾期未改"
    unmapped, _ = statuses(book)
    assert unmapped["R13"] != "fail" or got["R13"] == "fail"      # without the map the word is not understood
    result = runner.invoke(app, ["audit", str(book), "--config", str(config), "-o", str(tmp_path / "out"), "--format", "md"])
    assert result.exit_code == 0, result.output
    report = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "依据本县映射：" in report and "本县映射文件" in report


def test_header_row_hint_and_defaults_for_what_a_form_never_states(tmp_path):
    from tests.builders import FreeSheet, binder

    sheets = binder(compliant(), title="伊宁市潘津镇消防工作台账")    # the period nowhere in the form
    hazards = sheets["八、隐患排查整改台账"]
    header = hazards.rows[1]
    hazards.rows[1] = [COUNTY_NAMES.get(h, h) for h in header]
    notes = [[f"填写要求第{n}条：如实填写"] for n in range(1, 18)]          # the header below row 15
    sheets["八、隐患排查整改台账"] = FreeSheet([hazards.rows[0], *notes, *hazards.rows[1:]])
    book = save_free(tmp_path / "b.xlsx", sheets)
    columns = "".join(f'"{v}" = "{k}"\n' for k, v in COUNTY_NAMES.items() if k in header)
    config = tmp_path / "fireaudit.toml"
    config.write_text(f'[register.sheets."检查隐患".columns]\n{columns}', encoding="utf-8")
    result = runner.invoke(app, ["check", str(book), "--config", str(config), "--format", "json"])
    assert result.exit_code == 3                             # no period anywhere
    config.write_text('[register.defaults]\n"类型" = "镇"\n"报告期" = "2024Q2"\n\n'
                      f'[register.sheets."检查隐患".columns]\n{columns}', encoding="utf-8")
    got, data = statuses(book, config)
    township = data["townships"][0]
    assert township["period"] == "2024Q2" and township["kind"] == "镇"
    assert any(n["code"] == "mapping.default" for n in township["notes"])
    assert got["R13"] == "unknown"                           # header below row 15: not found without the hint
    config.write_text('[register.defaults]\n"类型" = "镇"\n"报告期" = "2024Q2"\n\n'
                      '[register.sheets."检查隐患"]\nheader_row = 19\n\n'
                      f'[register.sheets."检查隐患".columns]\n{columns}', encoding="utf-8")
    got, _ = statuses(book, config)
    assert got["R13"] == "pass"


COUNTY_NAMES = {"检查日期": "排查日子", "场所名称": "被查对象", "隐患描述": "发现问题", "整改期限": "整改截止",
                "整改状态": "办理进度", "检查人": "排查干部", "场所类型": "对象类别", "所属村社区": "所在村",
                "隐患类别": "问题分类", "移送部门": "移交机关", "移送日期": "移交时间"}


COUNTY_KEYS = {"建成区面积（平方公里）": "建成区规模（平方公里）", "消防工作站实体化运行": "工作站实体运转",
               "距城市消防救援站距离（公里）": "离最近消防站（公里）", "纳入综合治理体系": "融入综治体系"}


def test_map_yes_on_a_binder_with_the_countys_own_keys_and_state_words(tmp_path):
    from tests.builders import binder, export_roster

    reg = compliant()
    plain = binder(reg)
    plain["四、队员花名册"] = export_roster(reg.sheets["队员"])      # the system export's two-row header
    expected, _ = statuses(save_free(tmp_path / "plain.xlsx", plain))
    sheets = binder(reg)
    sheets["四、队员花名册"] = export_roster(reg.sheets["队员"])
    for row in sheets["一、基本情况"].rows:
        row[:] = [COUNTY_KEYS.get(v, "已落实到位" if v == "已纳入" else v) for v in row]
    book = save_free(tmp_path / "county.xlsx", sheets)
    config = tmp_path / "fireaudit.toml"
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert '"工作站实体运转" = "消防工作站实体化运行"' in text and '"建成区规模（平方公里）" = "建成区面积"' in text
    assert '"已落实到位" = "是"' in text
    got, _ = statuses(book, config)
    for rid, status in got.items():
        assert status != "fail" or expected[rid] == "fail", rid
        assert status != "pass" or expected[rid] == "pass", rid
    assert sum(got[r] != expected[r] for r in got) <= 1     # at most the one held key (离最近消防站) differs


def test_map_proposes_a_header_row_below_where_the_reader_looks(tmp_path):
    from tests.builders import FreeSheet, binder

    sheets = binder(compliant())
    hazards = sheets["八、隐患排查整改台账"]
    notes = [[f"填写要求第{n}条：如实填写"] for n in range(1, 18)]
    sheets["八、隐患排查整改台账"] = FreeSheet([hazards.rows[0], *notes, *hazards.rows[1:]])
    book = save_free(tmp_path / "b.xlsx", sheets)
    before, _ = statuses(book)
    assert before["R13"] == "unknown"
    config = tmp_path / "fireaudit.toml"
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert "header_row = 19" in text and '"检查日期"' not in text    # names it already knows: only the row
    after, _ = statuses(book, config)
    assert after["R13"] == "pass"


def test_a_profile_laid_out_as_columns_is_read_with_the_countys_layout_hint(tmp_path):
    from tests.builders import FreeSheet, binder

    reg = compliant()
    sheets = binder(reg)
    keys = list(reg.profile)
    sheets["一、基本情况"] = FreeSheet([["潘津镇基本情况"], keys, [reg.profile[k] for k in keys]])
    book = save_free(tmp_path / "b.xlsx", sheets)
    config = tmp_path / "fireaudit.toml"
    config.write_text('[register.sheets."基本情况"]\nlayout = "columns"\n', encoding="utf-8")
    got, data = statuses(book, config)
    township = data["townships"][0]
    assert (township["county"], township["township"], township["kind"], township["period"]) == ("伊宁市", "潘津镇", "镇", "2024Q2")
    expected, _ = statuses(reg.save(tmp_path / "t.xlsx"))
    assert got == expected


def test_the_real_command_line_exits_2_naming_file_and_key_and_map_speaks_english(tmp_path):
    from tests.cli_helper import run_cli

    book = county_form(compliant()).save(tmp_path / "county.xlsx")
    config = tmp_path / "fireaudit.toml"
    config.write_text('[register.sheets."检查隐患".columns]\n"排查时间" = "检查日期"\n"发现时刻" = "检查日期"\n',
                      encoding="utf-8")
    result = run_cli("check", str(book), "--config", str(config))
    assert result.code == 2 and "Traceback" not in result.err
    assert str(config) in result.err and "register.sheets.检查隐患.columns" in result.err
    english = run_cli("map", str(book), "-o", str(tmp_path / "new.toml"), "--yes", "--lang", "en")
    assert english.code == 0, english.err
    assert "Next: fireaudit check" in english.out and "not accepted automatically" in english.out


def test_an_unreadable_file_is_skipped_and_named_the_rest_are_mapped(tmp_path):
    book = county_form(compliant()).save(tmp_path / "county.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    config = tmp_path / "fireaudit.toml"
    result = runner.invoke(app, ["map", str(broken), str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    assert "broken.xlsx" in result.output and 'names = ["安全排查登记"]' in config.read_text(encoding="utf-8")
    assert runner.invoke(app, ["map", str(broken), "-o", str(config), "--yes"]).exit_code == 3


def test_the_county_may_raise_the_threshold_and_a_wrong_type_is_a_config_error(tmp_path):
    book = county_form(compliant()).save(tmp_path / "county.xlsx")
    config = tmp_path / "fireaudit.toml"
    config.write_text("[data.mapping]\nauto_accept = 99   # 本县只接受几乎确定的建议\n", encoding="utf-8")
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert result.exit_code == 0, result.output
    text = config.read_text(encoding="utf-8")
    assert "# 本县只接受几乎确定的建议" in text and "[register" not in text      # nothing scores 99
    config.write_text('[data.mapping]\nauto_accept = "high"\n', encoding="utf-8")
    result = runner.invoke(app, ["map", str(book), "-o", str(config), "--yes"])
    assert isinstance(result.exception, ConfigError) and "auto_accept" in result.exception.text("en")
