"""`fireaudit route "隐患描述"`: category, department(s), annex item and matched keywords; json; zh/en."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fireaudit.cli import app

runner = CliRunner()


def test_route_prints_category_departments_item_and_keywords():
    result = runner.invoke(app, ["route", "小区消防车道被私家车占用"])
    assert result.exit_code == 0, result.output
    assert "占用堵塞消防车通道" in result.output
    assert "公安机关、消防救援机构" in result.output
    assert "第5项" in result.output
    assert "消防车道" in result.output and "占用" in result.output


def test_route_tells_produced_from_used_fire_products():
    sold = runner.invoke(app, ["route", "五金店销售不合格灭火器"]).output
    used = runner.invoke(app, ["route", "宾馆使用的灭火器不合格"]).output
    assert "市场监督管理部门" in sold and "消防救援机构" not in sold
    assert "消防救援机构" in used and "市场监督管理部门" not in used


def test_route_json_lists_every_category_of_a_multi_hazard_description():
    result = runner.invoke(app, ["route", "楼道飞线充电，后厨使用醇基燃料", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["determined"] is True
    assert [c["category"] for c in data["categories"]] == ["电动自行车违规停放充电", "工业燃料违法"]
    assert data["categories"][1]["departments"] == ["应急管理部门"]
    assert data["categories"][1]["annex_item"] == "4"
    assert "醇基" in data["categories"][1]["keywords"]


def test_route_says_when_it_cannot_tell_and_lists_the_categories():
    zh = runner.invoke(app, ["route", "值班人员脱岗"])
    en = runner.invoke(app, ["route", "值班人员脱岗", "--lang", "en"])
    js = json.loads(runner.invoke(app, ["route", "值班人员脱岗", "--format", "json"]).output)
    assert zh.exit_code == 0 and "无法从描述判断" in zh.output and "瓶装液化石油气违法" in zh.output
    assert "Cannot tell" in en.output and "其他" in en.output
    assert js["determined"] is False and len(js["known_categories"]) == 16


def test_route_in_english():
    result = runner.invoke(app, ["route", "液化气钢瓶露天存放", "--lang", "en"])
    assert "Hazard category: 瓶装液化石油气违法" in result.output
    assert "Refer to: 住房和城乡建设部门" in result.output


# ---------------------------------------------------------------- issue 16
def test_an_empty_description_is_a_usage_error():
    """`route ""` asks nothing: a usage error (exit 2), in one line, never a 'cannot tell'."""
    for description in ["", "   ", "\t"]:
        result = runner.invoke(app, ["route", description])
        assert result.exit_code == 2, result.output
        assert "隐患描述为空" in result.output and "Traceback" not in result.output


def test_route_says_item_5_may_go_to_the_main_department_first():
    """附件：如移交的消防违法行为涉及多部门处理，应先移交至主要部门，由其依法进行细化分解移交。"""
    result = runner.invoke(app, ["route", "小区消防车道停满私家车"])
    assert "公安机关、消防救援机构" in result.output and "主要部门" in result.output
    data = json.loads(runner.invoke(app, ["route", "小区消防车道停满私家车", "--format", "json"]).output)
    assert data["categories"][0]["one_department_suffices"] is True


def test_route_shows_the_synonyms_it_read():
    result = runner.invoke(app, ["route", "电瓶车飞线充电"])
    assert "电动自行车违规停放充电" in result.output
    assert "电瓶车→电动自行车" in result.output and "飞线→私拉电线" in result.output
    data = json.loads(runner.invoke(app, ["route", "电瓶车飞线充电", "--format", "json"]).output)
    assert {"written": "电瓶车", "read_as": "电动自行车"} in data["synonyms"]


def test_route_shows_a_suggestion_as_such_with_its_score():
    """Where no rule fires: 建议 with its score, said to be a hint, and the category stays undetermined."""
    zh = runner.invoke(app, ["route", "消防栓没水"])
    en = runner.invoke(app, ["route", "消防栓没水", "--lang", "en"])
    js = json.loads(runner.invoke(app, ["route", "消防栓没水", "--format", "json"]).output)
    assert zh.exit_code == 0 and "建议：市政消火栓损坏" in zh.output and "相似度0." in zh.output
    assert "仅供参考" in zh.output and "无法从描述判断" in zh.output
    assert "Suggestion: 市政消火栓损坏" in en.output
    assert js["determined"] is False and js["suggestion"]["category"] == "市政消火栓损坏"
    assert 0 < js["suggestion"]["score"] <= 1 and js["categories"] == []


def test_route_says_a_tie_is_a_tie():
    """Two categories of different departments in one clause: unknown, with both named."""
    result = runner.invoke(app, ["route", "楼道里堆放着几个液化气罐"])
    assert "同时符合" in result.output and "瓶装液化石油气违法" in result.output
    assert "占用堵塞疏散通道安全出口" in result.output and "隐患类别：" not in result.output
