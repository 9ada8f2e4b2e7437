"""Realistic township registers of a chosen size, for the benchmarks.

    python benchmarks/generate.py OUT.xlsx                       # typical
    python benchmarks/generate.py OUT.xlsx --hazards 100000      # huge
    python benchmarks/generate.py DIR --copies 200               # a batch folder
    python benchmarks/generate.py OUT.xlsx --hazards 500 --description-chars 32000 --all-referred  # long texts
    python benchmarks/generate.py OUT.xlsx --hazards 100000 --bad-dates               # unparseable dates

Typical (the defaults): ~10 villages, ~40 responsible persons, ~3 brigades,
~60 members, ~25 budget rows, ~40 drills, ~60 publicity rows, ~300 hazards.
Descriptions are drawn from the phrases township staff use, combined with
place names, so a large sheet has many distinct texts (as real ones do), not
one repeated line. Written with openpyxl's write-only mode (streams rows).

Pathological cases (issue 19): `description_chars` pads every hazard
description to that length with more distinct phrases (a pasted inspection
report); `all_referred` makes every hazard a refused one referred to a
department (so every description goes through the annex routing); `bad_dates` writes every hazard's 检查日期 and 整改期限 as text no
date parser reads (`某月某日`, `2024.13.45`, ...)."""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

HAZARD_PHRASES = [
    "疏散通道堆放杂物", "安全出口上锁", "楼道内电动自行车充电", "飞线充电", "私拉电线给电瓶车充电",
    "消防车通道被车辆占用", "灭火器过期未更换", "使用不合格灭火器", "液化气钢瓶露天存放", "燃气管道私改",
    "外墙保温材料易燃", "屋顶违法加盖彩钢板房", "楼梯间堆放纸箱", "消火栓损坏", "物业未履行消防职责",
    "醇基燃料违规储存", "店内销售改装电动车", "商店销售无3C认证灭火器", "应急照明损坏", "疏散指示标志缺失",
]
PLACES = ["超市", "农家乐", "民宿", "小区", "饭店", "网吧", "仓库", "加油站", "学校", "卫生院", "集贸市场", "加工厂"]
BAD_DATES = ["某月某日", "2024.13.45", "二〇二四年", "待定", "2024-02-30", "上旬", "见附件", "45/45/2024"]
STATUSES = ["已整改"] * 6 + ["整改中"] * 2 + ["无隐患"] * 3 + ["逾期未改", "拒不整改"]


def build(path: Path, *, villages: int = 10, people: int = 40, brigades: int = 3, members: int = 60, budget: int = 25,
          drills: int = 40, publicity: int = 60, hazards: int = 300, seed: int = 7,
          township: str = "潘津镇", county: str = "伊宁市", period: str = "2024Q2", description_chars: int = 0,
          bad_dates: bool = False, all_referred: bool = False) -> Path:
    from openpyxl import Workbook

    rng = random.Random(seed)
    year = int(period[:4])
    q = int(period[-1])
    start = dt.date(year, 3 * q - 2, 1)

    def day(spread: int = 90) -> dt.date:
        return start + dt.timedelta(days=rng.randrange(spread))

    village_names = [f"{n}村" if n % 4 else f"{n}社区" for n in range(1, villages + 1)]
    wb = Workbook(write_only=True)

    def sheet(name: str, title: str, header: list[str], rows):
        ws = wb.create_sheet(name)
        ws.append([title])
        ws.append(header)
        for row in rows:
            ws.append(row)

    sheet("基本情况", "基本情况", ["项目", "填报内容"], [
        ["县市", county], ["乡镇街道", township], ["类型", "镇"], ["报告期", period],
        ["建成区面积（平方公里）", 4.1], ["建成区常住人口（万人）", 3.6], ["全国重点镇", "否"], ["历史文化名镇", "否"],
        ["易燃易爆或劳动密集型企业密集", "否"], ["距城市消防救援站距离（公里）", 18],
        ["承担消防工作职责机构", "社会事务办公室、消防工作站"], ["消防工作站实体化运行", "是"],
        ["消防工作站办公场所", "镇政府院内"], ["建立消防安全组织", "是"], ["制定消防安全制度", "是"],
        ["纳入综合治理体系", "是"], ["纳入国土空间规划", "是"], ["建立消防安全档案", "是"], ["应用网格化管理平台", "是"],
        ["执法权责清单公布日期", dt.date(year - 1, 6, 1)],
    ])
    duties = ["第一责任人", "主要责任人", "分管领域责任人", "消防工作专人", "消防安全管理人", "执法人员", "执法人员",
              "消防工作站站长", "专职消防工作人员"]
    sheet("责任人", f"{township}消防工作责任人台账", ["序号", "姓名", "职务", "消防职责", "所属单位", "任职日期", "最近培训日期",
                                              "执法证号", "联系电话"],
          ([n + 1, f"人员{n + 1}", "党委副书记、镇长" if n == 0 else "干部",
            duties[n] if n < len(duties) else ("网格员" if n % 2 else "消防安全管理人"),
            township if n < len(duties) else village_names[n % villages], None, day(), f"XJ{n:05d}" if n in (5, 6) else None,
            None] for n in range(people)))
    sheet("消防队伍", "消防队伍台账", ["序号", "队伍名称", "队伍类型", "所属单位", "队员人数", "专职队员人数", "消防车数量",
                                "手抬机动消防泵数量", "固定营房", "营房建筑面积（平方米）", "建设用地面积（平方米）", "验收日期",
                                "投入执勤日期", "纳入调度指挥", "执勤消防车数量", "队长", "副队长"],
          ([n + 1, f"队伍{n + 1}", "一级专职消防队" if n == 0 else "志愿消防队", township if n == 0 else village_names[n],
            members // brigades, 12 if n == 0 else 0, 3 if n == 0 else 0, 1, "是" if n == 0 else "否", 1500, 1100,
            dt.date(year - 1, 9, 1), dt.date(year - 1, 10, 1), "是", 3 if n == 0 else 0, "孙勇", "钱进"]
           for n in range(brigades)))
    posts = ["队长", "副队长", "班长", "驾驶员", "通信员", "安全员", "消防员"]
    sheet("队员", "队员名册", ["序号", "姓名", "所属队伍", "人员类别", "岗位", "基本养老保险", "失业保险", "工伤保险",
                           "意外伤害保险", "职业资格", "最近培训日期"],
          ([n + 1, f"队员{n + 1}", f"队伍{n % brigades + 1}", "专职" if n % brigades == 0 else "志愿",
            posts[n % len(posts)], "是", "是", "是", "是", "无", day()] for n in range(members)))
    subjects = ["公共消防设施建设", "火灾风险防范", "隐患排查治理", "消防宣传教育培训", "政府专职消防队", "志愿消防队",
                "微型消防站", "消防工作经费"]
    sheet("经费", "消防经费台账", ["序号", "年度", "科目", "预算金额（万元）", "到位金额（万元）", "纳入财政预算", "备注"],
          ([n + 1, year, subjects[n % len(subjects)], 10, 5, "是", None] for n in range(budget)))
    kinds = ["应急疏散演练", "灭火演练", "联勤联训", "综合演练"]
    sheet("演练", "消防演练台账", ["序号", "日期", "组织单位", "演练类型", "地点", "参加人数", "备注"],
          ([n + 1, day(), village_names[n % villages] if n % 3 else township, kinds[n % 4], "广场", 30 + n, None]
           for n in range(drills)))
    activities = ["消防宣传", "消防宣传五进", "学校消防教育", "业务培训", "其他"]
    sheet("宣传培训", "宣传培训台账", ["序号", "日期", "活动类型", "对象", "参加人数", "组织单位", "备注"],
          ([n + 1, day(), activities[n % 5], "村民", 50, township, None] for n in range(publicity)))

    def long_text(text: str) -> str:
        """`text` followed by more findings of the same inspection, `description_chars` long in all."""
        parts = [text]
        length = len(text)
        while length < description_chars:
            part = f"；{rng.choice(PLACES)}{rng.randrange(1, 999)}号{rng.choice(HAZARD_PHRASES)}"
            parts.append(part)
            length += len(part)
        return "".join(parts)[:description_chars]

    def hazard_rows():
        for n in range(hazards):
            phrase = rng.choice(HAZARD_PHRASES)
            place = f"{rng.choice(village_names)}{rng.choice(PLACES)}{rng.randrange(1, 60)}号"
            status = "拒不整改" if all_referred else rng.choice(STATUSES)
            referred = status == "拒不整改"
            description = "无" if status == "无隐患" else f"{place}{phrase}"
            if description_chars and description != "无":
                description = long_text(description)
            checked = rng.choice(BAD_DATES) if bad_dates else day()
            deadline = rng.choice(BAD_DATES) if bad_dates else day() + dt.timedelta(days=30)
            yield [n + 1, checked, place, "商场市场", rng.choice(village_names), description, None, deadline, status,
                   "伊宁市消防救援大队" if referred else None, day() if referred else None, f"人员{rng.randrange(10, people)}"]

    sheet("检查隐患", "消防安全检查及隐患台账", ["序号", "检查日期", "场所名称", "场所类型", "所属村社区", "隐患描述", "隐患类别",
                                       "整改期限", "整改状态", "移送部门", "移送日期", "检查人"], hazard_rows())
    sheet("村社区", "村（社区）消防工作情况", ["序号", "名称", "类型", "消防安全管理人", "防火安全公约", "公约发布日期",
                                     "志愿消防队或微型消防站", "网格员人数", "消防车通道畅通", "电动自行车集中充电场所",
                                     "市政消火栓数量", "消防水源"],
          ([n + 1, name, "社区" if name.endswith("社区") else "村", f"管理人{n}", "有", dt.date(year - 1, 3, 1), "有", 2, "是",
            "是", 2, "有"] for n, name in enumerate(village_names)))
    sheet("会议研判", "会议研判台账", ["序号", "日期", "类型", "议题", "主持人", "措施"],
          ([n + 1, day(), ["专题研究", "风险研判", "综合评估"][n % 3], "消防工作", "人员1", "部署"] for n in range(6)))
    sheet("专项治理", "专项治理台账", ["序号", "开始日期", "结束日期", "名称", "治理对象", "检查场所数", "发现隐患数", "整改隐患数"],
          [[1, start, start + dt.timedelta(days=80), "电动自行车专项治理", "住宅小区", 40, 10, 9]])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _utf8_sheets(path)
    return path


def _utf8_sheets(path: Path) -> None:
    """Write non-ASCII text as UTF-8, as Excel and WPS do, not as `&#NNNNN;` references.

    openpyxl without lxml writes every CJK character as a 7-byte character
    reference, which makes a sheet of long Chinese descriptions twice the size
    a real one is (and trips max_member_mb). References below U+0080 stay."""
    import re
    import zipfile

    reference = re.compile(rb"&#(\d+);")

    def decode(match: re.Match[bytes]) -> bytes:
        code = int(match.group(1))
        return chr(code).encode("utf-8") if code >= 0x80 else match.group(0)

    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = reference.sub(decode, data)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    temporary.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="an .xlsx file, or a folder with --copies")
    parser.add_argument("--hazards", type=int, default=300)
    parser.add_argument("--copies", type=int, default=0, help="write this many townships into the folder OUT")
    parser.add_argument("--description-chars", type=int, default=0, help="pad each hazard description to this length")
    parser.add_argument("--bad-dates", action="store_true", help="hazard dates as text no parser reads")
    parser.add_argument("--all-referred", action="store_true", help="every hazard refused and referred (移送)")
    args = parser.parse_args()
    extra = {"description_chars": args.description_chars, "bad_dates": args.bad_dates, "all_referred": args.all_referred}
    if args.copies:
        for n in range(args.copies):
            build(args.out / f"t{n:03d}.xlsx", hazards=args.hazards, seed=n, township=f"第{n + 1}镇", **extra)
    else:
        build(args.out, hazards=args.hazards, **extra)


if __name__ == "__main__":
    main()
