"""The annex routing: category inference from descriptions as township staff write them, and departments.

Each case is a description (not the annex's wording: short, colloquial, with
several hazards, odd punctuation, spaces instead of commas) and the categories
and departments it must get. Multi-hazard descriptions list every category."""

from __future__ import annotations

import pytest

from fireaudit.annex import Referral, router_of, routing

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
    (["占用堵塞消防车通道"], "伊宁市消防救援大队", False),           # needs both
    (["占用堵塞消防车通道"], "城关派出所", False),
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
