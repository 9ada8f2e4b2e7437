"""The annex routing: category inference from descriptions as township staff write them, and departments.

Each case is a description (not the annex's wording: short, colloquial, with
several hazards, odd punctuation, spaces instead of commas) and the categories
and departments it must get. Multi-hazard descriptions list every category."""

from __future__ import annotations

import pytest

import datetime as dt
import tomllib
from pathlib import Path

from fireaudit.annex import Referral, Router, router_of, routing
from fireaudit.i18n import fmt_value, t
from tests.builders import compliant
from tests.changes import add_row

MARKET, HOUSING, RESCUE, EMERGENCY, POLICE, CITY = (
    "市场监督管理部门", "住房和城乡建设部门", "消防救援机构", "应急管理部门", "公安机关", "城市管理部门")

# (description, expected categories in annex order, departments of each)
DESCRIPTIONS = [
    ("一楼楼道内堆放大量纸箱杂物", ["占用堵塞疏散通道安全出口"], [[RESCUE]]),
    ("安全出口上锁，无法正常开启", ["占用堵塞疏散通道安全出口"], [[RESCUE]]),
    ("后门疏散通道被货物堵死", ["占用堵塞疏散通道安全出口"], [[RESCUE]]),
    ("二楼走廊堆满桌椅,影响疏散", ["占用堵塞疏散通道安全出口"], [[RESCUE]]),
    ("楼梯间堆放装修垃圾", ["占用堵塞疏散通道安全出口"], [[RESCUE]]),
    ("电动车停放在单元楼道内充电", ["电动自行车违规停放充电"], [[RESCUE]]),
    ("居民从三楼窗户飞线给电瓶车充电", ["电动自行车违规停放充电"], [[RESCUE]]),
    ("电瓶拿回家里充电", ["电动自行车违规停放充电"], [[RESCUE]]),
    ("私拉电线充电 多辆电动自行车停在门厅", ["电动自行车违规停放充电"], [[RESCUE]]),
    ("电动车推入电梯上楼", ["电动自行车违规停放充电"], [[RESCUE]]),
    ("饭店配备的灭火器为三无产品", ["使用不合格消防产品"], [[RESCUE]]),
    ("宾馆安装的防火门不合格", ["使用不合格消防产品"], [[RESCUE]]),
    ("五金店销售不合格灭火器", ["不合格消防产品（生产流通）"], [[MARKET]]),
    ("灭火器为假冒产品,系该店对外出售", ["不合格消防产品（生产流通）"], [[MARKET]]),
    ("批发部在售应急照明灯无3C认证", ["不合格消防产品（生产流通）"], [[MARKET]]),
    ("车行私自改装电动车，加装大电瓶提速", ["违法销售改装电动车"], [[MARKET]]),
    ("门店违法销售电动摩托车", ["违法销售改装电动车"], [[MARKET]]),
    ("小区消防车道被私家车长期占用", ["占用堵塞消防车通道"], [[POLICE, RESCUE]]),
    ("消防通道停放多辆货车", ["占用堵塞消防车通道"], [[POLICE, RESCUE]]),
    ("消防车通道上私设地桩", ["占用堵塞消防车通道"], [[POLICE, RESCUE]]),
    ("登高场地被搭建的彩钢棚占用", ["占用堵塞消防车通道"], [[POLICE, RESCUE]]),
    ("商铺在楼梯间私自砌墙隔断作仓库", ["违规装修私搭乱建"], [[CITY]]),
    ("屋顶平台违法加盖彩钢房", ["违规装修私搭乱建"], [[CITY]]),
    ("楼顶私搭乱建", ["违规装修私搭乱建"], [[CITY]]),
    ("液化气钢瓶露天存放", ["瓶装液化石油气违法"], [[HOUSING]]),
    ("厨房内存放3个液化石油气钢瓶，串联使用", ["瓶装液化石油气违法"], [[HOUSING]]),
    ("天然气管道私自改装", ["燃气违法"], [[HOUSING]]),
    ("燃气灶软管老化，未安装燃气泄漏报警装置", ["燃气违法"], [[HOUSING]]),
    ("餐馆使用醇基燃料，存放在后厨", ["工业燃料违法"], [[EMERGENCY]]),
    ("烧烤店用环保油做饭", ["工业燃料违法"], [[EMERGENCY]]),
    ("使用工业丙烷罐", ["工业燃料违法"], [[EMERGENCY]]),
    ("市政消火栓被车辆撞坏漏水", ["市政消火栓损坏"], [[HOUSING]]),
    ("路边消火栓冻裂无法使用", ["市政消火栓损坏"], [[HOUSING]]),
    ("物业未对小区消防设施进行维护保养", ["物业不履行消防职责"], [[HOUSING]]),
    ("外墙保温层使用易燃泡沫板", ["外墙保温易燃材料"], [[HOUSING]]),
    ("门头广告牌遮挡二楼窗口，影响逃生", ["外墙装修广告牌影响防火"], [[HOUSING]]),
    ("厂房未经消防验收擅自投入使用", ["建设工程消防违法"], [[HOUSING]]),
    ("施工现场电焊作业未配灭火器材", ["建设工程消防违法"], [[HOUSING]]),
    # several hazards in one cell, with or without punctuation
    ("1.疏散通道堆放杂物；2.消防车道停车", ["占用堵塞疏散通道安全出口", "占用堵塞消防车通道"], [[RESCUE], [POLICE, RESCUE]]),
    ("安全出口锁闭 楼道飞线充电", ["占用堵塞疏散通道安全出口", "电动自行车违规停放充电"], [[RESCUE], [RESCUE]]),
    ("液化气罐放在地下室，灭火器不合格，", ["瓶装液化石油气违法", "使用不合格消防产品"], [[HOUSING], [RESCUE]]),
    ("后厨使用醇基燃料。消防车通道被占用!", ["工业燃料违法", "占用堵塞消防车通道"], [[EMERGENCY], [POLICE, RESCUE]]),
    ("疏散通道畅通，消防车道被占用", ["占用堵塞消防车通道"], [[POLICE, RESCUE]]),
    ("电动车停放在消防车通道", ["电动自行车违规停放充电"], [[RESCUE]]),
    ("ＬＰＧ钢瓶超量储存", ["瓶装液化石油气违法"], [[HOUSING]]),
]

CANNOT_TELL = ["灭火器过期", "未发现隐患", "值班人员脱岗", "", "员工不会使用灭火器"]


@pytest.fixture(scope="module")
def router(checklist):
    return router_of(checklist)


@pytest.mark.parametrize("description, categories, departments", DESCRIPTIONS, ids=[d for d, *_ in DESCRIPTIONS])
def test_description_gets_its_category_and_departments(router, description, categories, departments):
    matches = router.infer(description)
    assert [m.category for m in matches] == categories
    assert [list(router.departments_of(c)) for c in categories] == departments
    assert all(m.keywords for m in matches)


def test_there_are_at_least_forty_cases():
    assert len(DESCRIPTIONS) >= 40


@pytest.mark.parametrize("description", CANNOT_TELL)
def test_unclear_descriptions_are_not_guessed(router, description):
    assert router.infer(description) == ()


def test_inference_is_memoised_per_distinct_description(router):
    first = router.infer("楼道堆放杂物和电动车")
    assert router.infer("楼道堆放杂物和电动车") is first


@pytest.mark.parametrize("cell, departments, unrecognised", [
    ("伊宁市市场监督管理局", [MARKET], []),
    ("霍城县市场监管局", [MARKET], []),
    ("伊宁市消防救援大队", [RESCUE], []),
    ("特克斯县住建局", [HOUSING], []),
    ("伊宁县住房和城乡建设局", [HOUSING], []),
    ("巩留县应急管理局", [EMERGENCY], []),
    ("城关派出所、伊宁市消防救援大队", [RESCUE, POLICE], []),
    ("伊宁市公安局；消防大队", [RESCUE, POLICE], []),
    ("伊宁市城市管理局", [CITY], []),
    ("城管局/消防救援大队", [RESCUE, CITY], []),
    ("乡政府", [], ["乡政府"]),
])
def test_department_names_normalise_whatever_the_county_prefix(router, cell, departments, unrecognised):
    referral = router.referral(cell)
    assert sorted(referral.departments) == sorted(departments)
    assert list(referral.unrecognised) == unrecognised


@pytest.mark.parametrize("categories, cell, fits", [
    (["不合格消防产品（生产流通）"], "伊宁市市场监督管理局", True),
    (["不合格消防产品（生产流通）"], "伊宁市消防救援大队", False),
    (["使用不合格消防产品"], "伊宁市消防救援大队", True),
    (["使用不合格消防产品"], "伊宁市市场监督管理局", False),
    (["占用堵塞消防车通道"], "伊宁市消防救援大队", True),            # one of item 5's departments (issue 16)
    (["占用堵塞消防车通道"], "城关派出所", True),
    (["占用堵塞消防车通道"], "城关派出所、伊宁市消防救援大队", True),
    (["其他"], "伊宁市卫生健康委员会", True),                          # any department
    (["其他"], "", False),
    (["瓶装液化石油气违法", "占用堵塞消防车通道"], "伊宁市住建局", True),  # the main department first
])
def test_referral_fits_the_annex(router, categories, cell, fits):
    assert router.referral_fits(categories, router.referral(cell)) is fits


def test_annex_and_register_vocabulary_agree(checklist):
    annex = [c.name for c in checklist.data["annex"].category]
    assert checklist.register.vocabularies["隐患类别"].values == annex
    assert "其他" in annex and checklist.data["annex"].category[-1].any_department


def test_routing_lists_categories_when_it_cannot_tell(router):
    result = routing(router, "值班人员脱岗")
    assert result["determined"] is False
    assert "占用堵塞消防车通道" in result["known_categories"]
    assert isinstance(router.referral(None), Referral)


def test_keyword_scanner_finds_exactly_the_keywords_a_substring_test_finds(router):
    from fireaudit.textnorm import norm

    for description, *_ in DESCRIPTIONS:
        for clause in router._splitter.split(description.casefold()):
            key = norm(clause)
            expected = {k for k in router._keywords if k in key}
            assert router._scanner.scan(key) >= expected
            assert {k for k in router._scanner.scan(key) if k in router._keywords} == expected


# ---------------------------------------------------------------- issue 16: item 5, specificity, ties, departments
@pytest.mark.parametrize("cell", ["伊宁市消防救援大队", "城关派出所", "伊宁县交警大队", "伊宁市公安局、消防救援大队"])
def test_annex_item_5_is_rightly_referred_to_either_of_its_departments(router, cell):
    """附件第5项：占用、堵塞消防车通道、消防登高作业场地。移送部门：各县市公安机关、消防救援机构。
    附件：如移交的消防违法行为涉及多部门处理，应先移交至主要部门，由其依法进行细化分解移交。"""
    assert router.referral_fits(["占用堵塞消防车通道"], router.referral(cell)) is True
    assert router.referral_fits(["占用堵塞消防车通道"], router.referral("伊宁市住建局")) is False


@pytest.mark.parametrize("description", ["工业丙烷气瓶存放在厨房", "后厨醇基燃料和液化气罐混放", "馕坑用工业丙烷罐"])
def test_the_more_specific_category_decides(router, description):
    """附件第4项：醇基燃料、工业丙烷、生物质燃油等工业燃料生产、销售、使用违法行为 — 移送应急管理部门,
    though the same clause also names a cylinder (第2项：瓶装液化石油气…违法行为)."""
    assert [m.category for m in router.infer(description)] == ["工业燃料违法"]


@pytest.mark.parametrize("description, tied", [
    ("楼道里堆放着几个液化气罐", ("瓶装液化石油气违法", "占用堵塞疏散通道安全出口")),
    ("物业对楼道堆放杂物不管不问", ("物业不履行消防职责", "占用堵塞疏散通道安全出口")),
])
def test_a_tie_is_unknown_with_a_note_never_any_department(router, description, tied):
    """附件：如移交的消防违法行为涉及多部门处理，应先移交至主要部门 — which one is main cannot be read from
    a clause that fits two categories equally: unknown, and no department passes on that account."""
    reading = router.read(description)
    assert router.infer(description) == ()
    assert reading.ties == (tied,)
    result = routing(router, description)
    assert result["determined"] is False and result["ties"][0]["categories"] == list(tied)
    note = fmt_value(router.unsettled("红星饭店", description), "zh")
    assert "红星饭店" in note and "同时符合" in note and tied[0] in note


def test_two_hazards_in_two_clauses_are_not_a_tie(router):
    """附件：如移交的消防违法行为涉及多部门处理，应先移交至主要部门 — two hazards, either department first."""
    categories = [m.category for m in router.infer("液化气罐放在地下室；消防车道停满私家车")]
    assert categories == ["瓶装液化石油气违法", "占用堵塞消防车通道"]
    assert router.referral_fits(categories, router.referral("伊宁市住建局")) is True


@pytest.mark.parametrize("cell, departments", [
    ("伊宁县消防大队", [RESCUE]),
    ("县消防局", [RESCUE]),
    ("市监局", [MARKET]),
    ("霍城县市监局", [MARKET]),
    ("伊宁市综合行政执法局", [CITY]),
    ("伊宁县交警大队", [POLICE]),
])
def test_departments_as_townships_write_them(router, cell, departments):
    """附件：移送部门：各县市市场监督管理部门 / 消防救援机构 / 公安机关 / 城市管理部门 — as townships write them."""
    referral = router.referral(cell)
    assert list(referral.departments) == departments and not referral.unrecognised and not referral.former


def test_a_market_keyword_does_not_catch_the_supervision_commission(router):
    """市监 is the market bureau; 伊宁市监察委员会 (市 + 监察) is not."""
    assert router.referral("伊宁市监察委员会").departments == ()


@pytest.mark.parametrize("cell", ["伊宁县公安消防大队", "公安消防支队"])
def test_the_pre_2018_fire_brigade_name_is_a_note_not_both_departments(router, cell):
    """附件：移送部门：各县市公安机关、消防救援机构 — since 2018 two bodies; 公安消防大队 names neither today
    (机构改革前名称，请写明现部门)."""
    referral = router.referral(cell)
    assert referral.departments == () and referral.former == (cell,)
    assert router.referral_fits(["使用不合格消防产品"], referral) is None          # neither pass nor fail
    assert router.referral_fits(["其他"], referral) is True                        # 依法归口: any department
    note = fmt_value(router.former_note("红星饭店", referral), "zh")
    assert "机构改革前名称" in note and "请写明现部门" in note and cell in note


# ---------------------------------------------------------------- the synonym table
@pytest.mark.parametrize("written, read_as, description, category", [
    ("电瓶车", "电动自行车", "电瓶车推进楼道充电", "电动自行车违规停放充电"),
    ("电摩", "电动自行车", "电摩停在楼梯间", "电动自行车违规停放充电"),
    ("电动车", "电动自行车", "电动车在门厅充电", "电动自行车违规停放充电"),
    ("煤气罐", "液化石油气钢瓶", "厨房放了五个煤气罐", "瓶装液化石油气违法"),
    ("气罐", "液化石油气钢瓶", "两个气罐串在一起用", "瓶装液化石油气违法"),
    ("液化气", "液化石油气", "商店无证卖液化气", "瓶装液化石油气违法"),
    ("挡住", "占用堵塞", "安全出口被纸箱挡住", "占用堵塞疏散通道安全出口"),
    ("堵死", "占用堵塞", "疏散楼梯被货物堵死", "占用堵塞疏散通道安全出口"),
    ("进不去", "占用堵塞", "私家车乱停，消防车进不去", "占用堵塞消防车通道"),
    ("堵住", "占用堵塞", "安全出口被冰柜堵住", "占用堵塞疏散通道安全出口"),
    ("飞线", "私拉电线", "从窗户飞线给电动车充电", "电动自行车违规停放充电"),
])
def test_synonyms_are_read_before_the_keyword_rules(router, written, read_as, description, category):
    """(十)紧盯…占用堵塞疏散通道和安全出口、电动自行车“飞线充电”等风险隐患 — in the inspectors' own words."""
    reading = router.read(description)
    assert (written, read_as) in reading.synonyms
    assert [m.category for m in router.infer(description)] == [category]


@pytest.mark.parametrize("description, category", [
    ("消防通道停满私家车", "占用堵塞消防车通道"),
    ("小区消防通道装了地锁", "占用堵塞消防车通道"),
    ("商场内消防通道堆放货物", "占用堵塞疏散通道安全出口"),
    ("宾馆消防通道被锁闭", "占用堵塞疏散通道安全出口"),
])
def test_fire_passage_is_read_by_its_context(router, description, category):
    """附件第3项“占用堵塞疏散通道和安全出口”（消防救援）与第5项“占用、堵塞消防车通道”（公安、消防救援）:
    消防通道 next to a car is the fire-engine lane, inside a shop the evacuation route."""
    assert [m.category for m in router.infer(description)] == [category]


def test_fire_passage_without_context_stays_unresolved(router):
    """Neither 附件第3项 nor 第5项 can be told from “消防通道被占用”: unknown, and the word is named."""
    reading = router.read("消防通道被占用")
    assert router.infer("消防通道被占用") == () and reading.unresolved == ("消防通道",)


def test_protected_words_are_not_rewritten(router):
    """An oxygen cylinder on a building site is not 瓶装液化石油气 (附件第2项)."""
    assert "瓶装液化石油气违法" not in [m.category for m in router.infer("工地氧气罐乱放")]


def test_keywords_are_shown_in_the_inspectors_words(router):
    match = router.infer("电瓶车飞线充电")[0]
    assert "电瓶车" in match.keywords and "电动自行车" not in match.keywords


@pytest.mark.parametrize("description, categories", [
    ("1、安全出口上锁；2、消防车道停车", ["占用堵塞疏散通道安全出口", "占用堵塞消防车通道"]),
    ("①疏散通道放着货架②灭火器是三无产品", ["占用堵塞疏散通道安全出口", "使用不合格消防产品"]),
    ("（1）电瓶车楼道充电（2）醇基燃料", ["电动自行车违规停放充电", "工业燃料违法"]),
    ("安全出口堵塞、消防车道被占", ["占用堵塞疏散通道安全出口", "占用堵塞消防车通道"]),
    ("楼道、楼梯间堆放杂物", ["占用堵塞疏散通道安全出口"]),
])
def test_numbered_and_listed_hazards_are_read_one_by_one(router, description, categories):
    assert [m.category for m in router.infer(description)] == categories


# ---------------------------------------------------------------- the 建议: a hint, never a verdict
def test_a_suggestion_is_offered_where_no_rule_fires_and_never_decides(router):
    """A township's own words may be out of the rules' reach: the annex text most alike is a 建议 with its score."""
    reading = router.read("消防栓没水")
    assert router.infer("消防栓没水") == ()
    assert reading.suggestion is not None and reading.suggestion.category == "市政消火栓损坏"
    assert 0 < reading.suggestion.score <= 1
    result = routing(router, "消防栓没水")
    assert result["determined"] is False and result["suggestion"]["verdict"] is False


@pytest.mark.parametrize("description", ["检查未发现隐患", "消防设施运行正常", "无"])
def test_no_suggestion_for_a_description_that_says_all_is_well(router, description):
    assert router.read(description).suggestion is None


def test_the_referral_check_shows_the_suggestion_but_does_not_judge_by_it(audit_of):
    """(十三)…移送县市相关职能部门依法处理（具体见附件1）: where the category cannot be read, the hint names the
    建议 and its score, and the check neither passes nor fails the row on it."""
    reg = compliant()
    add_row("检查隐患", 检查日期=dt.date(2024, 5, 10), 场所名称="红星饭店", 场所类型="餐饮", 所属村社区="一村",
            隐患描述="消防栓没水", 整改状态="拒不整改", 移送部门="伊宁市卫生健康委", 移送日期=dt.date(2024, 5, 20),
            检查人="李梅")(reg)
    result = audit_of(reg).check("R13.2")
    message = t("zh", f"check.{result.message}", **result.params)
    assert result.status == "pass", message
    assert "红星饭店" in message and "建议：市政消火栓损坏" in message and "相似度" in message
    assert "suggestion: 市政消火栓损坏" in t("en", f"check.{result.message}", **result.params)


@pytest.mark.parametrize("description, cell, words", [
    ("楼道里堆放着几个液化气罐", "伊宁市住建局", ["同时符合", "瓶装液化石油气违法"]),
    ("后厨使用醇基燃料", "伊宁县公安消防大队", ["机构改革前名称", "公安消防大队"]),
])
def test_the_referral_check_notes_ties_and_former_names_instead_of_judging(audit_of, description, cell, words):
    """A tie → unknown and a note; 公安消防大队 → a note (机构改革前名称，请写明现部门), not both departments."""
    reg = compliant()
    add_row("检查隐患", 检查日期=dt.date(2024, 5, 10), 场所名称="红星饭店", 场所类型="餐饮", 所属村社区="一村",
            隐患描述=description, 整改状态="拒不整改", 移送部门=cell, 移送日期=dt.date(2024, 5, 20), 检查人="李梅")(reg)
    result = audit_of(reg).check("R13.2")
    message = t("zh", f"check.{result.message}", **result.params)
    assert result.status == "pass", message
    assert all(w in message for w in ["红星饭店", *words]), message


# ---------------------------------------------------------------- the labelled set
LABELLED = tomllib.loads((Path(__file__).parent / "data" / "hazard_routing.toml").read_text(encoding="utf-8"))["case"]


def test_the_labelled_set_is_large_and_varied():
    """At least 100 descriptions, with negatives and ties (expected = [])."""
    assert len(LABELLED) >= 100
    assert len({c["description"] for c in LABELLED}) == len(LABELLED)
    assert sum(1 for c in LABELLED if not c["expected"]) >= 15


def test_routing_accuracy_on_the_labelled_set_is_at_least_95_percent(router, checklist):
    """附件：拒不整改隐患问题移送处理清单 — read as inspectors write: the categories read must equal the labelled
    ones (a wrong or extra category, or a guess where the answer is unknown, counts as a miss)."""
    known = set(checklist.register.vocabularies["隐患类别"].values)
    misses = []
    for case in LABELLED:
        assert set(case["expected"]) <= known, case
        got = sorted(m.category for m in router.infer(case["description"]))
        if got != sorted(case["expected"]):
            misses.append((case["description"], got, case["expected"]))
    accuracy = 1 - len(misses) / len(LABELLED)
    assert accuracy >= 0.95, misses


# ---------------------------------------------------------------- issue 19: clauses read once per shape
def test_a_description_reads_as_it_would_without_the_shape_memo(checklist):
    """Clauses are memoised by their shape (the characters no keyword, synonym or separator can use
    blotted out): thousands of descriptions built from every word of the annex, house numbers, numbering,
    separators, full-width and invisible characters read exactly as a router that memoises by the exact
    text reads them."""
    import random

    from fireaudit.annex import Router
    from fireaudit.textnorm import norm

    shared = router_of(checklist)
    exact = Router(shared.data, checklist.register.reader.list_separators)

    class Exact:
        blot = "\x00"

        def coarse(self, text: str) -> str:
            return text

        fine = coarse

    exact.__dict__["_inert"] = Exact()
    data = shared.data
    words = {norm(w) for c in data.category for r in c.rules for g in (*r.clause, *r.context) for w in g
             if not w.startswith("@")}
    words |= {w for s in data.keyword_sets.values() for w in s} | set(data.negations) | set(data.protected)
    words |= {w for s in data.synonym for w in (*s.variants, s.canonical, *s.when)}
    words |= {w for c in data.category for r in c.rules for w in r.exclude}
    pieces = sorted(words) + [*data.clause_separators, "、", "1、", "（2）", "③", "3.", "Ｂ2", "ｂ3", "\u200b", "１２",
                              "2024.", "号", "超市12号", "超市45号", "3楼", "b", "c", "x",
                              # a keyword the rewriting makes with a neighbour: 电摩辆 → 电动自行车辆 (车辆)
                              "电摩辆", "被挡住", "充小电驴", "辆", "被", "充"]
    # siblings that differ where a shape could wrongly blot: each ASCII character of a keyword changed
    # (b2/b3/b9, 无3c), and beside a synonym's variant each character a keyword has beside its canonical
    # word's first or last (电摩辆 → 电动自行车辆: 车辆)
    siblings = [f"外墙保温{w[:i]}{c}{w[i + 1:]}号，{w[:i]}{c}{w[i + 1:]}灭火器"
                for w in sorted(words) for i, old in enumerate(w) if old.isascii() for c in "0123456789bcegx"]
    keywords = shared._keywords
    for entry in data.synonym:
        canonical = norm(entry.canonical)
        after = {k[i + 1] for k in keywords for i in range(len(k) - 1) if k[i] == canonical[-1]}
        before = {k[i - 1] for k in keywords for i in range(1, len(k)) if k[i] == canonical[0]}
        for variant in map(norm, entry.variants):
            siblings += [f"{variant}{c}号" for c in sorted(after)] + [f"号{c}{variant}" for c in sorted(before)]
    for description in siblings:
        assert routing(shared, description) == routing(exact, description), description
    chars = sorted({c for p in pieces for c in p} | set("0123456789号村"))
    rng = random.Random(19)
    for _ in range(1500):
        description = "".join(rng.choice(pieces) if rng.random() < 0.7 else rng.choice(sorted(words))[:2]
                              for _ in range(rng.randrange(1, 10)))
        # and the same with a character or two changed: where two clauses share a shape, the second is not read
        for variant in range(3):
            assert routing(shared, description) == routing(exact, description), description
            at = rng.randrange(len(description))
            description = description[:at] + rng.choice(chars) + description[at + 1:]


def test_a_plain_clause_is_its_own_norm():
    """annex reads a clause of CJK ideographs and lower-case ASCII without `norm`: it must change none of them."""
    from fireaudit.annex import _PLAIN
    from fireaudit.textnorm import norm

    plain = [chr(c) for c in range(0x110000) if _PLAIN.fullmatch(chr(c))]
    assert len(plain) > 20_000
    assert [c for c in plain if norm(c) != c] == []
    assert norm("".join(plain)) == "".join(plain)


def test_infer_makes_no_suggestion_and_a_later_read_is_as_a_read_alone(checklist, monkeypatch):
    """`infer` (the R13 check, 7,000 referred hazards) needs no suggestion; `read` (route, the hint) still has it."""
    descriptions = ["1村仓库34号消火栓损坏", "4社区仓库48号灭火器过期未更换", "3村卫生院1号物业未履行消防职责", ""]
    alone = Router(checklist.data["annex"], checklist.register.reader.list_separators)
    expected = [alone.read(d) for d in descriptions]
    assert expected[0].suggestion is not None and expected[2].matches   # the cases below are real ones

    router = Router(checklist.data["annex"], checklist.register.reader.list_separators)
    suggested = []
    real = router._suggest
    monkeypatch.setattr(router, "_suggest", lambda text: suggested.append(text) or real(text))
    assert [router.infer(d) for d in descriptions] == [r.matches if r.determined else () for r in expected]
    assert suggested == []
    assert [router.read(d) for d in descriptions] == expected
    assert len(suggested) == 2        # the two without a category, once each
    assert [router.read(d) for d in descriptions] == expected and len(suggested) == 2
