"""The bundled sample registers behind `fireaudit audit --demo`, built from tests/builders.py.

Regenerate with `python -m tests.sample_registers` (writes samples/*.xlsx);
tests/test_samples.py checks that the shipped files still match this code.

- 伊宁市潘津镇 (镇): near-compliant, a 一级 full-time brigade as the plan requires.
- 伊宁县喀拉亚尕奇乡 (乡): gappy and messy, the way real submissions arrive.
- 伊宁市解放路街道 (街道): a sub-district with a micro fire station.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.builders import Register, Sheet, compliant

D = dt.date
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


def panjin() -> Register:
    """伊宁市潘津镇: meets nearly everything with its 一级 brigade; one village lacks its pact."""
    reg = compliant("伊宁市", "潘津镇", "镇", "2024Q2")           # the plan names it for a 一级 brigade
    reg.sheets["消防队伍"].add(序号=2, 队伍名称="一村志愿消防队", 队伍类型="志愿消防队", 所属单位="一村", 队员人数=8,
                               消防车数量=0, 手抬机动消防泵数量=1, 固定营房="否", 纳入调度指挥="是", 队长="艾力", 副队长="木拉提")
    reg.sheets["村社区"].set(2, "防火安全公约", "无")
    reg.profile["建成区面积（平方公里）"] = 4.1
    reg.profile["建成区常住人口（万人）"] = 3.6
    return reg


def karayagachi() -> Register:
    """伊宁县喀拉亚尕奇乡: title rows, aliases, 元, full-width digits, mixed dates — and real gaps."""
    reg = compliant("伊宁县", "喀拉亚尕奇乡", "乡", "2024Q2")
    reg.profile.pop("纳入国土空间规划")
    reg.profile["建立消防安全档案"] = "否"
    reg.profile["承担消防工作职责机构"] = "社会事务办"
    reg.profile["应用网格化管理平台"] = "未"

    people = reg.sheets["责任人"]
    people.title = "喀拉亚尕奇乡消防工作责任人台账（2024年第二季度）"
    people.rows = [r for r in people.rows if r[3] != "主要责任人"]        # no 主要责任人
    people.set(0, "职务", "党委副书记")                                   # a deputy as 第一责任人
    people.set(1, "最近培训日期", "2022年5月6日")

    budget = reg.sheets["经费"]
    budget.header[3] = "预算金额（元）"
    budget.header[4] = "到位金额（元）"
    for row in budget.rows:
        row[3], row[4] = "５００００", 20000                              # full-width digits, in 元
    budget.footer = [["合计", None, None, 250000, 100000, None, None]]

    drills = reg.sheets["演练"]
    drills.rows = [r for r in drills.rows if r[3] != "应急疏散演练"]      # no evacuation drill
    drills.set(0, "日期", "2024.5.20")

    villages = reg.sheets["村社区"]
    villages.set(1, "消防安全管理人", None)
    villages.set(1, "网格员人数", "0人")
    villages.set(2, "消防车通道畅通", "不清楚")                           # not a yes/no: a register error

    hazards = reg.sheets["检查隐患"]
    hazards.add(序号=4, 检查日期="20240418", 场所名称="喀拉亚尕奇乡液化气站", 场所类型="危险品", 所属村社区="一村",
                隐患描述="液化气钢瓶露天存放，拒不整改", 隐患类别="瓶装液化石油气违法", 整改期限="2024/5/1",
                整改状态="拒不整改")
    hazards.footer = [["填表说明：每处隐患填一行，整改状态从下拉列表中选择。"]]

    reg.drop("会议研判")                                                   # sheet not submitted
    reg.extra_sheets["Sheet1"] = Sheet(["备注"], rows=[["草稿"]], title=None, hidden=True)
    return reg


def jiefanglu() -> Register:
    """伊宁市解放路街道: a sub-district with a micro fire station; training lapsed for one person."""
    reg = compliant("伊宁市", "解放路街道", "街道", "2024Q2")
    reg.profile.pop("纳入国土空间规划")
    people = reg.sheets["责任人"]
    people.set(0, "职务", "党工委书记")
    people.set(1, "职务", "办事处副主任")
    people.set(4, "最近培训日期", D(2022, 11, 2))
    villages = reg.sheets["村社区"]
    villages.rows.clear()
    for n, name in enumerate(["新华社区", "胜利社区", "红旗社区", "团结社区"], start=1):
        villages.add(序号=n, 名称=name, 类型="社区", 消防安全管理人=f"社区管理人{n}", 防火安全公约="有",
                     公约发布日期=D(2023, 3, 1), 志愿消防队或微型消防站="有", 网格员人数=3, 消防车通道畅通="是",
                     电动自行车集中充电场所="是" if n != 3 else "否", 市政消火栓数量=4, 消防水源="有")
    reg.sheets["演练"].set(1, "组织单位", "新华社区")
    reg.sheets["检查隐患"].set(1, "所属村社区", "新华社区")
    return reg


SAMPLES = {
    "伊宁市-潘津镇-2024Q2.xlsx": panjin,
    "伊宁县-喀拉亚尕奇乡-2024Q2.xlsx": karayagachi,
    "伊宁市-解放路街道-2024Q2.xlsx": jiefanglu,
}


def write_samples(directory: Path = SAMPLES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [build().save(directory / name) for name, build in SAMPLES.items()]


if __name__ == "__main__":
    for path in write_samples():
        print(path)
