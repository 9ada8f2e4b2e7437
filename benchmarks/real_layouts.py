"""Held-out workbooks in the layouts of shared/spec/REAL-FORMS.md, each with a human inspector's verdicts.

Written independently of tests/builders.py (own openpyxl code, own names and values taken from
REAL-FORMS.md), so that the tolerance measured on them is general, not tuned to the test fixtures.
Every workbook `NN-<layout>-<township>.xlsx` gets a `.human.json` beside it: the verdict per
requirement R01–R19 (pass / fail / partial / unknown / na) that a careful human reads in the file.
The verdicts follow from what each township did (the facts below) and the deliberate gaps written
into it, never from fireaudit's output.

    python benchmarks/real_layouts.py OUT_DIR      # writes the workbooks and verdicts
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

D = dt.date
CN_DIGITS = "〇一二三四五六七八九"
CN_QUARTER = "一二三四"
REQUIREMENTS = [f"R{n:02d}" for n in range(1, 20)]


# ------------------------------------------------------------------ what a township did
@dataclass
class Town:
    county: str
    name: str
    kind: str            # 乡 / 镇 / 街道
    year: int
    quarter: int
    team: str            # 志愿 / 一级 / 微型
    gaps: tuple[str, ...] = ()
    facts: dict = field(default_factory=dict)
    facts_wanted: tuple[str, ...] = ()      # extra facts a layout writes (a product refusal referred …)

    @property
    def mid(self) -> dt.date:
        return D(self.year, 3 * self.quarter - 1, 12)

    @property
    def period_words(self) -> str:
        return f"{self.year}年第{CN_QUARTER[self.quarter - 1]}季度"

    @property
    def head(self) -> str:
        return {"镇": "镇长", "乡": "乡长", "街道": "办事处主任"}[self.kind]


VILLAGES = {"乡": [("阿克奥依村", "村"), ("塔斯托别村", "村"), ("乡直社区", "社区")],
            "镇": [("红星村", "村"), ("团结村", "村"), ("振兴社区", "社区")],
            "街道": [("东城社区", "社区"), ("南苑社区", "社区"), ("城郊村", "村")]}

# Each gap: what it changes in the facts, and the human's verdict for the requirement it touches
# (the other checks of that requirement being met). `R04/R05` means the kind's duty requirement.
GAP_VERDICTS = {
    "no_evacuation_drill": {"DUTY": "partial"},             # the township held no 应急疏散演练 this quarter
    "no_village_drill": {"R06": "partial"},                 # no village drilled (advisory check)
    "overdue_hazard": {"R13": "partial"},                   # 整改中 past its deadline
    "refusal_unreferred": {"R13": "fail"},                  # 拒不整改 kept without referral (critical)
    "budget_outside": {"R18": "fail"},                      # 未纳入 financial budget (critical)
    "village_no_pact": {"R06": "partial"},                  # one village: 防火公约 未制定
    "no_topic_meeting": {"R03": "partial"},                 # no 专题研究 on fire work this quarter
    "lane_blocked": {"R14": "partial"},                     # one village's fire lane 被堵塞
    "stale_training": {"R17": "partial"},                   # people last trained over a year ago
    "one_enforcer": {"R15": "partial"},                     # one certified enforcement officer only
    "no_risk_review": {"R09": "partial"},                   # no 风险研判 this quarter
    "no_publicity": {"R11": "fail"},                        # no publicity nor school education this quarter
    "refusal_in_second_sheet": {"R13": "fail"},             # an unreferred refusal in the 2nd hazard sheet
    "refusal_planned": {"R13": "fail"},                     # 未整改, 住户拒绝拆除，拟移交城管: refused, not yet referred
}


def facts(t: Town) -> dict:
    """The township's register content in plain terms; the layouts below word it their own way."""
    mid, y, q = t.mid, t.year, t.quarter
    villages = VILLAGES[t.kind]
    first_title = {"镇": "党委书记", "乡": "党委书记", "街道": "党工委书记"}[t.kind]
    trained = D(y - 2, 3, 5) if "stale_training" in t.gaps else mid - dt.timedelta(days=20)
    people = [
        dict(name="吐尔逊·买买提", post=first_title, roles=["第一责任人"], unit=t.name),
        dict(name="陈建国", post="副" + t.head[-2:] if t.kind != "街道" else "办事处副主任", roles=["主要责任人"], unit=t.name),
        dict(name="古丽娜", post="党委委员", roles=["分管领域责任人"], unit=t.name),
        dict(name="杨帆", post="社会事务办公室主任", roles=["消防工作专人"], unit=t.name),
        dict(name="郭志远", post="综治中心主任", roles=["消防安全管理人"], unit=t.name),
        dict(name="努尔兰", post="综合行政执法队队员", roles=["执法人员"], unit=t.name, cert="新A0012345"),
        dict(name="魏东", post="综合行政执法队队员", roles=["执法人员"], unit=t.name, cert="新A0012346"),
        dict(name="海拉提", post="消防工作站站长", roles=["消防工作站站长"], unit=t.name),
        dict(name="孙小红", post="消防工作站工作人员", roles=["专职消防工作人员"], unit=t.name),
    ]
    if "one_enforcer" in t.gaps:
        people = [p for p in people if p["name"] != "魏东"]
    for n, (village, _) in enumerate(villages):
        people.append(dict(name=["阿依古丽", "马建军", "叶尔兰"][n], post="网格员", roles=["网格员"], unit=village))
    for p in people:
        p["trained"] = trained

    if t.team == "一级":
        posts = ["队长", "副队长", "班长", "班长", "班长", "驾驶员", "驾驶员", "驾驶员", "通信员", "安全员", "消防员", "消防员"]
        members = [dict(name=f"队员{chr(0x7532 + 0)}{n}", kind="专职", post=p, insured=True, accident=True,
                        cert="消防设施操作员（初级）" if n <= 3 else "无") for n, p in enumerate(posts, start=1)]
        members += [dict(name=f"兼职{n}", kind="兼职", post="消防员", insured=False, accident=True, cert="无")
                    for n in range(1, 5)]
        team = dict(name=f"{t.name}政府专职消防队", grade="一级专职消防队", path="专职队/乡镇政府专职消防队",
                    staff=16, full_time=12, engines=3, pumps=2, barracks=True, building=1500, land=1100,
                    accepted=D(y - 1, 4, 10), on_duty=D(y - 1, 5, 1), dispatch=True, captain="包力德", deputy="热合曼")
    elif t.team == "微型":
        posts = ["队长", "副队长", "驾驶员", "通信员、安全员", "班长", "消防员"]
        members = [dict(name=f"站员{n}", kind="志愿", post=p, insured=False, accident=True,
                        cert="消防设施操作员" if n == 1 else "无") for n, p in enumerate(posts, start=1)]
        team = dict(name=f"{t.name}微型消防站", grade="微型消防站", path="微型站/社区微型消防站", staff=6, full_time=0,
                    engines=0, pumps=1, barracks=False, dispatch=True, captain="包力德", deputy="热合曼")
    else:
        posts = ["队长", "副队长", "驾驶员", "通信员", "安全员", "班长", "消防员", "消防员"]
        members = [dict(name=f"志愿队员{n}", kind="志愿", post=p, insured=False, accident=True,
                        cert="消防设施操作员" if n == 1 else "无") for n, p in enumerate(posts, start=1)]
        team = dict(name=f"{t.name}志愿消防队", grade="志愿消防队", path="志愿队/乡镇志愿消防队", staff=8, full_time=0,
                    engines=1, pumps=1, barracks=True, land=400, accepted=D(y - 1, 4, 10), on_duty=D(y - 1, 5, 1),
                    dispatch=True, captain="包力德", deputy="热合曼")
    team["captain"], team["deputy"] = members[0]["name"], members[1]["name"]
    for m in members:
        m["trained"] = mid - dt.timedelta(days=10)

    subjects = ["隐患排查治理", "消防宣传教育培训", "志愿消防队" if t.team != "微型" else "微型消防站", "公共消防设施建设"]
    if t.team == "一级":
        subjects = ["隐患排查治理", "消防宣传教育培训", "政府专职消防队", "微型消防站", "公共消防设施建设"]
    inside = "budget_outside" not in t.gaps
    funds = [dict(year=y, subject=s, budget=12.0, received=3.0 * q, inside=inside) for s in subjects]

    drills = []
    if "no_evacuation_drill" not in t.gaps:
        drills.append(dict(date=mid, unit=t.name, kind="应急疏散演练", place="中心学校", people=320))
    if "no_village_drill" not in t.gaps:
        drills.append(dict(date=mid + dt.timedelta(days=3), unit=villages[0][0], kind="灭火演练", place="村委会广场", people=45))
    if t.team == "一级":
        drills.append(dict(date=mid - dt.timedelta(days=5), unit=t.name, kind="联勤联训", place="专职消防队", people=16))

    publicity = []
    if "no_publicity" not in t.gaps:
        publicity.append(dict(date=mid, kind="消防宣传五进", audience="村民", people=260))
        publicity.append(dict(date=mid + dt.timedelta(days=2), kind="业务培训", audience="网格员", people=35))
        if q == 4:
            publicity.append(dict(date=D(y, 11, 9), kind="119消防宣传月", audience="居民", people=500))
        else:
            publicity.append(dict(date=mid + dt.timedelta(days=4), kind="学校消防教育", audience="中心学校师生", people=600))

    grid = people[-3]["name"]
    hazards = [
        dict(date=mid, place="惠民超市", village=villages[2][0], text="无", category=None, deadline=None,
             state="无隐患", inspector="杨帆"),
        dict(date=mid, place=f"{villages[0][0]}农家乐", village=villages[0][0], text="疏散通道堆放杂物",
             category="占用堵塞疏散通道安全出口", deadline=mid + dt.timedelta(days=7), state="已整改", inspector=grid),
        dict(date=mid, place=f"{villages[2][0]}5号楼", village=villages[2][0], text="楼道内电动车飞线充电，经多次劝阻拒不整改",
             category="电动自行车违规停放充电", deadline=mid + dt.timedelta(days=3), state="拒不整改",
             referred_to=None if "refusal_unreferred" in t.gaps else f"{t.county}消防救援大队",
             referred_on=None if "refusal_unreferred" in t.gaps else mid + dt.timedelta(days=5), inspector="杨帆"),
    ]
    if "overdue_hazard" in t.gaps:
        hazards.append(dict(date=mid - dt.timedelta(days=30), place="兴旺饭店", village=villages[1][0],
                            text="厨房灭火器过期", category="其他", deadline=mid - dt.timedelta(days=20),
                            state="整改中", inspector=grid))
    if "product_refusal" in t.facts_wanted:
        hazards.append(dict(date=mid + dt.timedelta(days=1), place="鑫达五金店", village=villages[2][0],
                            text="销售不合格灭火器，责令下架后拒不整改", category="不合格消防产品（生产流通）",
                            deadline=mid + dt.timedelta(days=3), state="拒不整改",
                            referred_to="县市监局" if t.county.endswith("县") else "市监局",
                            referred_on=mid + dt.timedelta(days=6), inspector="杨帆"))
    if "refusal_planned" in t.gaps:
        hazards.append(dict(date=mid + dt.timedelta(days=2), place="第3村民小组28号", village=villages[0][0],
                            text="院内私搭彩钢板房", category="违规装修私搭乱建", deadline=mid + dt.timedelta(days=40),
                            state="未整改", note="住户拒绝拆除，拟移交城管", inspector=grid))
    second = []
    if "refusal_in_second_sheet" in t.gaps:
        second.append(dict(date=mid + dt.timedelta(days=6), place="鑫源液化气站", village=villages[1][0],
                           text="违规存放瓶装液化气，拒不整改", category="瓶装液化石油气违法",
                           deadline=mid + dt.timedelta(days=8), state="拒不整改", inspector="杨帆"))

    village_rows = []
    for n, (village, vkind) in enumerate(villages):
        village_rows.append(dict(name=village, kind=vkind, manager=["买买提江", "李红梅", "阿力木"][n],
                                 pact=not ("village_no_pact" in t.gaps and n == 1), pact_date=D(y - 1, 3, 1),
                                 team=True, grid=2, lane=not ("lane_blocked" in t.gaps and n == 0),
                                 charging=True, hydrants=2, water=True))

    meetings = []
    if "no_topic_meeting" not in t.gaps:
        meetings.append(dict(date=mid, kind="专题研究", topic="研究部署消防安全工作", chair=people[0]["name"]))
    if "no_risk_review" not in t.gaps:
        meetings.append(dict(date=mid + dt.timedelta(days=1), kind="风险研判", topic="季度火灾风险研判", chair=people[1]["name"]))
    meetings.append(dict(date=D(y, 1, 20) if q > 1 else mid, kind="综合评估", topic="年度消防工作综合评估", chair=people[0]["name"]))

    campaigns = [dict(start=D(y, 3 * q - 2, 1), end=D(y, 3 * q, 28), name="电动自行车消防安全专项整治",
                      target="住宅小区", places=40, found=10, fixed=9)]

    profile = dict(area=1.3, population=0.9, key_town=False, historic=False, dense=False, distance=17,
                   bodies="社会事务办公室、消防工作站", station_real=True, office=f"{t.name}综治中心二楼",
                   organisation=True, rules=True, governance=True, planning=True, archive=True, platform=True,
                   published=D(y - 1, 6, 1), filler="杨帆", phone="0999-5012345")
    return dict(profile=profile, people=people, team=team, members=members, funds=funds, drills=drills,
                publicity=publicity, hazards=hazards, second=second, villages=village_rows, meetings=meetings,
                campaigns=campaigns)


# What a layout leaves unsaid, whatever the township did: the check it cannot support is `unknown`
# for the human too, so its requirement is partial (the others being met).
LAYOUT_SILENCES = {
    # the 五定 ledger names no inspector: a 网格员's inspection (R12.3) cannot be seen
    "county": {"R12": "partial"},
}
# 队伍性质 written as the system's path `专职队/乡镇政府专职消防队` says full-time but not the grade
# (一级 or 二级): the grade-bound checks of (七) cannot be verified from the file.
PATH_TYPE_LAYOUTS = ("binder", "export", "gridname", "binder2")


def human_verdicts(t: Town, layout: str = "") -> dict[str, str]:
    """What a careful inspector concludes, requirement by requirement, reading the file."""
    verdict = {r: "pass" for r in REQUIREMENTS}
    verdict.update(LAYOUT_SILENCES.get(layout, {}))
    if t.team == "一级" and layout in PATH_TYPE_LAYOUTS:
        verdict["R07"] = "partial"
    duty = "R05" if t.kind == "街道" else "R04"
    verdict["R05" if duty == "R04" else "R04"] = "na"
    if t.team != "一级":                      # (八) and (十九) concern government full-time brigades
        verdict["R08"] = verdict["R19"] = "na"
    for gap in t.gaps:
        for rid, v in GAP_VERDICTS[gap].items():
            rid = duty if rid == "DUTY" else rid
            worse = {"pass": 0, "partial": 1, "fail": 2}
            if worse[v] > worse.get(verdict[rid], 0):
                verdict[rid] = v
    return verdict


# ------------------------------------------------------------------ writing helpers
class Book:
    """An openpyxl workbook written row by row, sheet by sheet."""

    def __init__(self) -> None:
        self.wb = Workbook()
        self.wb.remove(self.wb.active)

    def sheet(self, name: str):
        return self.wb.create_sheet(name)

    def save(self, path: Path) -> None:
        self.wb.properties.created = self.wb.properties.modified = dt.datetime(2024, 1, 1)
        self.wb.save(path)


def put(ws, rows: list[list], start: int = 1) -> int:
    """Write rows from `start`; returns the next free row."""
    for r, row in enumerate(rows, start=start):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    return start + len(rows)


def title(ws, text: str, width: int) -> None:
    ws.cell(1, 1, text)
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def cn_date(d: dt.date) -> str:
    """二〇二四年六月二十八日"""
    def num(n: int) -> str:
        if n < 10:
            return "一二三四五六七八九"[n - 1]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else "一二三四五六七八九"[tens - 1]) + "十" + ("" if ones == 0 else "一二三四五六七八九"[ones - 1])
    return "".join(CN_DIGITS[int(ch)] for ch in str(d.year)) + f"年{num(d.month)}月{num(d.day)}日"


def dotted(d: dt.date | None) -> str | None:
    return None if d is None else f"{d.year}.{d.month}.{d.day}"


def ymd(d: dt.date | None) -> str | None:
    return None if d is None else f"{d.year}年{d.month}月{d.day}日"


SIGN = ["填表人：", None, "审核人：", None, "单位（盖章）"]


# ------------------------------------------------------------------ layouts
def binder(t: Town, f: dict, path: Path) -> None:
    """Binder typed into Excel: numbered tabs, a grid profile (序号 | key | value | key | value) without
    类型/报告期 (both in the title), state words, signature lines under each table."""
    b = Book()
    p = f["profile"]
    ws = b.sheet("一、基本情况")
    title(ws, f"{t.county}{t.name}{t.period_words}消防工作台账", 5)
    pairs = [("县（市）", t.county), ("乡镇（街道）名称", t.name),
             ("建成区面积（平方公里）", p["area"]), ("建成区常住人口（万人）", p["population"]),
             ("全国重点镇", "否"), ("历史文化名镇", "否"), ("易燃易爆或劳动密集型企业密集", "否"),
             ("距城市消防救援站距离（公里）", p["distance"]), ("承担消防工作职责机构", p["bodies"]),
             ("消防工作站实体化运行", "已落实"), ("消防工作站办公场所", p["office"]),
             ("建立消防安全组织", "已建立"), ("制定消防安全制度", "已制定"), ("纳入综合治理体系", "已纳入"),
             ("纳入国土空间规划", "已纳入"), ("建立消防安全档案", "已建立"), ("应用网格化管理平台", "已应用"),
             ("执法权责清单公布日期", ymd(p["published"])), ("填报人", p["filler"]), ("联系电话", p["phone"])]
    rows = [["序号", "项目", "内容", "项目", "内容"]]
    for n in range(0, len(pairs), 2):
        rows.append([n // 2 + 1, *pairs[n], *pairs[n + 1]])
    nxt = put(ws, rows, 2)
    put(ws, [[], SIGN], nxt)

    ws = b.sheet("二、组织领导")
    title(ws, "消防工作领导及责任人员", 8)
    rows = [["序号", "姓名", "职务", "消防职责", "所属单位", "最近培训日期", "执法证号", "联系电话"]]
    people = [dict(x) for x in f["people"]]
    # the manager is also the 主要责任人's deputy in this binder: one cell, two roles
    for n, x in enumerate(people, start=1):
        role = "、".join(x["roles"])
        if "消防安全管理人" in x["roles"]:
            role = "分管负责人、消防安全管理人"
        if "消防工作专人" in x["roles"]:
            role = "消防安全专干"
        rows.append([n, x["name"], x["post"], role, x["unit"], x["trained"], x.get("cert"), None])
    nxt = put(ws, rows, 2)
    put(ws, [[], SIGN], nxt)

    _team_sheet(b.sheet("三、消防队伍"), t, f, style="binder")
    _members_two_row(b.sheet("四、队员花名册"), f)
    ws = b.sheet("五、经费保障")
    title(ws, "消防工作经费", 6)
    rows = [["序号", "年度", "经费项目", "预算资金（万元）", "到位资金（万元）", "是否纳入预算"]]
    rows += [[n, x["year"], x["subject"], x["budget"], x["received"], "已纳入" if x["inside"] else "未纳入"]
             for n, x in enumerate(f["funds"], start=1)]
    put(ws, rows, 2)
    ws = b.sheet("六、训练演练记录")
    title(ws, "训练演练记录", 6)
    rows = [["序号", "演练时间", "组织单位", "演练类型", "演练地点", "参演人数"]]
    rows += [[n, cn_date(x["date"]), x["unit"], x["kind"], x["place"], f"{x['people']}人"] for n, x in enumerate(f["drills"], 1)]
    put(ws, rows, 2)
    ws = b.sheet("七、消防宣传培训")
    title(ws, "消防宣传培训", 5)
    rows = [["序号", "活动时间", "类型", "对象", "参加人数"]]
    rows += [[n, ymd(x["date"]), x["kind"], x["audience"], f"{x['people']}人次"] for n, x in enumerate(f["publicity"], 1)]
    put(ws, rows, 2)
    _hazard_sheet(b.sheet("八、隐患排查整改台账"), t, f["hazards"] + f["second"], style="binder")
    _village_sheet(b.sheet("九、村级消防工作情况"), f, style="binder")
    _meeting_sheet(b.sheet("十、会议记录"), f, style="binder")
    _campaign_sheet(b.sheet("十一、专项整治"), f)
    b.save(path)


def binder_variant(t: Town, f: dict, path: Path) -> None:
    """A second binder from another township: the responsible persons on a tab named after the township,
    a 协管员 among them, drill times with the hour (`二〇二四年五月十二日九时整`), publicity written as date
    ranges (`2024.5.12-5.14`) and `全体职工` as a count, ticked boxes in the village sheet, the station
    `依托综治中心`, a product refusal referred to the 市监局."""
    f = dict(f)
    f["people"] = f["people"] + [dict(name="买合木提", post="消防协管员", roles=["协管员"], unit=f["villages"][1]["name"],
                                      trained=f["people"][0]["trained"])]
    f["profile"] = dict(f["profile"], bodies="社会事务办公室、消防工作站（依托综治中心）")
    binder(t, f, path)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    wb["二、组织领导"].title = f"{t.name}消防安全责任人"
    ws = wb["六、训练演练记录"]
    for row in ws.iter_rows(min_row=3):
        if isinstance(row[1].value, str) and row[1].value.endswith("日"):
            row[1].value = row[1].value + "九时整"
    ws = wb["七、消防宣传培训"]
    for n, row in enumerate(ws.iter_rows(min_row=3)):
        x = f["publicity"][n] if n < len(f["publicity"]) else None
        if x is None:
            break
        end = x["date"] + dt.timedelta(days=2)
        if end.month == x["date"].month:
            row[1].value = f"{dotted(x['date'])}-{end.month}.{end.day}"
        if n == 1:
            row[4].value = "全体职工"
    ws = wb["九、村级消防工作情况"]
    for row in ws.iter_rows(min_row=2):
        lane = row[8].value
        row[8].value = "☑畅通 □被堵塞" if lane == "畅通" else "□畅通 ☑被堵塞"
    wb.save(path)


def system_export(t: Town, f: dict, path: Path) -> None:
    """Provincial system exports side by side: profile with 填报期间, the 队伍 table with a path in 队伍性质,
    a two-row-header roster (花名册), hazards as the grid-management ledger."""
    b = Book()
    ws = b.sheet("基本信息")
    p = f["profile"]
    rows = [["项目", "填报内容"], ["县市", t.county], ["乡镇街道", t.name], ["类型", t.kind],
            ["填报期间", f"{t.year}年{3 * t.quarter - 2}月至{3 * t.quarter}月"],
            ["建成区面积", f"{p['area']}平方公里"], ["建成区常住人口", f"{p['population']}万人"],
            ["全国重点镇", "否"], ["历史文化名镇", "否"], ["易燃易爆或劳动密集型企业密集", "否"],
            ["距城市消防救援站距离", f"{p['distance']}公里"], ["承担消防工作职责机构", p["bodies"]],
            ["消防工作站实体化运行", "是"], ["消防工作站办公场所", p["office"]], ["建立消防安全组织", "建立"],
            ["制定消防安全制度", "是"], ["纳入综合治理体系", "是"], ["纳入国土空间规划", "是"], ["建立消防安全档案", "建立"],
            ["应用网格化管理平台", "是"], ["执法权责清单公布日期", p["published"]]]
    put(ws, rows)
    _people_sheet(b.sheet("消防安全责任人"), ["姓名", "职务", "职责", "单位", "培训日期", "执法证编号"], f)
    _team_sheet(b.sheet("消防队伍"), t, f, style="export")
    _members_two_row(b.sheet("队员花名册"), f)
    _funds_sheet(b.sheet("经费"), f)
    _plain_activity_sheets(b, f)
    _grid_ledger(b.sheet("隐患排查整改台账"), t, f["hazards"] + f["second"])
    _village_sheet(b.sheet("村（社区）消防工作情况"), f, style="export")
    _meeting_sheet(b.sheet("会议记录"), f, style="plain")
    _campaign_sheet(b.sheet("专项治理"), f)
    b.save(path)


def one_sheet(t: Town, f: dict, path: Path) -> None:
    """The Word document pasted into one sheet: blocks under 一、… 二、… each with its own header row.
    The period is only in the title (`2024年二季度`)."""
    b = Book()
    ws = b.sheet("Sheet1")
    p = f["profile"]
    rows: list[list] = [[f"{t.county}{t.name}{t.year}年{CN_QUARTER[t.quarter - 1]}季度消防工作台账"], []]
    rows += [["一、基本情况"], ["项目", "内容"], ["县市", t.county], ["乡镇街道", t.name], ["类型", t.kind],
             ["建成区面积（平方公里）", p["area"]], ["建成区常住人口（万人）", p["population"]], ["全国重点镇", "否"],
             ["历史文化名镇", "否"], ["易燃易爆或劳动密集型企业密集", "否"], ["距城市消防救援站距离（公里）", p["distance"]],
             ["承担消防工作职责机构", p["bodies"]], ["消防工作站实体化运行", "是"], ["消防工作站办公场所", p["office"]],
             ["建立消防安全组织", "是"], ["制定消防安全制度", "是"], ["纳入综合治理体系", "是"], ["纳入国土空间规划", "是"],
             ["建立消防安全档案", "是"], ["应用网格化管理平台", "是"], ["执法权责清单公布日期", p["published"]], []]
    rows += [["二、消防安全责任人"], ["序号", "姓名", "职务", "消防职责", "所属单位", "最近培训日期", "执法证号"]]
    rows += [[n, x["name"], x["post"], "、".join(x["roles"]), x["unit"], x["trained"], x.get("cert")]
             for n, x in enumerate(f["people"], 1)]
    team = f["team"]
    rows += [[], ["三、消防队伍"], ["序号", "队伍名称", "队伍类型", "所属单位", "队员人数", "专职队员人数", "消防车数量",
                                    "手抬机动消防泵数量", "固定营房", "建设用地面积（平方米）", "验收日期", "投入执勤日期",
                                    "纳入调度指挥", "执勤消防车数量", "队长", "副队长"]]
    rows.append([1, team["name"], team["grade"], t.name, team["staff"], team["full_time"], team["engines"], team["pumps"],
                 "是" if team["barracks"] else "否", team.get("land"), team.get("accepted"), team.get("on_duty"),
                 "是", team["engines"], team["captain"], team["deputy"]])
    rows += [[], ["四、队员花名册"], ["序号", "姓名", "所属队伍", "人员类别", "岗位", "基本养老保险", "失业保险", "工伤保险",
                                     "意外伤害保险", "职业资格", "最近培训日期"]]
    rows += [[n, m["name"], team["name"], m["kind"], m["post"], *(["是"] * 3 if m["insured"] else [None] * 3),
              "是" if m["accident"] else "否", m["cert"], m["trained"]] for n, m in enumerate(f["members"], 1)]
    rows += [[], ["五、经费保障"], ["序号", "年度", "科目", "预算金额（万元）", "到位金额（万元）", "纳入财政预算"]]
    rows += [[n, x["year"], x["subject"], x["budget"], x["received"], "是" if x["inside"] else "否"]
             for n, x in enumerate(f["funds"], 1)]
    rows += [[], ["六、消防演练"], ["序号", "日期", "组织单位", "演练类型", "地点", "参加人数"]]
    rows += [[n, x["date"], x["unit"], x["kind"], x["place"], x["people"]] for n, x in enumerate(f["drills"], 1)]
    rows += [[], ["七、宣传培训"], ["序号", "日期", "活动类型", "对象", "参加人数"]]
    rows += [[n, x["date"], x["kind"], x["audience"], x["people"]] for n, x in enumerate(f["publicity"], 1)]
    rows += [[], ["八、检查隐患"], ["序号", "检查日期", "场所名称", "所属村社区", "隐患描述", "隐患类别", "整改期限",
                                   "整改状态", "移送部门", "移送日期", "检查人"]]
    rows += [[n, h["date"], h["place"], h["village"], _text(h), h["category"], h["deadline"], h["state"],
              h.get("referred_to"), h.get("referred_on"), h["inspector"]] for n, h in enumerate(f["hazards"] + f["second"], 1)]
    rows += [[], ["九、村社区"], ["序号", "名称", "类型", "消防安全管理人", "防火安全公约", "公约发布日期",
                                 "志愿消防队或微型消防站", "网格员人数", "消防车通道畅通", "电动自行车集中充电场所",
                                 "市政消火栓数量", "消防水源"]]
    rows += [[n, v["name"], v["kind"], v["manager"], "有" if v["pact"] else "无", v["pact_date"] if v["pact"] else None,
              "有", v["grid"], "畅通" if v["lane"] else "被堵塞", "有" if v["kind"] == "社区" else None, v["hydrants"], "有"]
             for n, v in enumerate(f["villages"], 1)]
    rows += [[], ["十、会议研判"], ["序号", "日期", "类型", "议题", "主持人"]]
    rows += [[n, m["date"], m["kind"], m["topic"], m["chair"]] for n, m in enumerate(f["meetings"], 1)]
    rows += [[], ["十一、专项治理"], ["序号", "开始日期", "结束日期", "名称", "治理对象", "检查场所数", "发现隐患数", "整改隐患数"]]
    rows += [[n, c["start"], c["end"], c["name"], c["target"], c["places"], c["found"], c["fixed"]]
             for n, c in enumerate(f["campaigns"], 1)]
    put(ws, rows)
    b.save(path)


def county_form(t: Town, f: dict, path: Path) -> None:
    """A county's own forms: 统计时段 key, its own sheet names, hazards in the 五定 ledger with the
    referral written in 备注, a 抄告 register kept apart."""
    b = Book()
    ws = b.sheet("乡镇基本情况")
    p = f["profile"]
    title(ws, f"{t.name}消防工作基本情况表", 2)
    rows = [["项目", "填报内容"], ["所属县市", t.county], ["乡镇名称" if t.kind != "街道" else "街道名称", t.name],
            ["统计时段", f"{t.year}年{3 * t.quarter - 2}月1日-{3 * t.quarter}月{[31, 30, 30, 31][t.quarter - 1]}日"],
            ["建成区面积", p["area"]], ["建成区常住人口", p["population"]], ["全国重点镇", "否"], ["历史文化名镇", "否"],
            ["易燃易爆或劳动密集型企业密集", "否"], ["距城市消防救援站距离", p["distance"]],
            ["承担消防工作职责机构", p["bodies"]], ["消防工作站实体化运行", "☑是 □否"], ["消防工作站办公场所", p["office"]],
            ["建立消防安全组织", "已建立"], ["制定消防安全制度", "已制定"], ["纳入综合治理管理体系", "已纳入"],
            ["纳入国土空间规划", "已纳入"], ["建立消防安全档案", "已建立"], ["应用新疆消防网格化管理平台", "已应用"],
            ["执法权责清单公布日期", dotted(p["published"])]]
    put(ws, rows, 2)
    ws = b.sheet("领导小组")
    rows = [["序号", "姓名", "职务", "消防职责", "所属单位", "最近培训日期", "执法证号"]]
    rows += [[n, x["name"], x["post"], "/".join(x["roles"]), x["unit"], dotted(x["trained"]), x.get("cert")]
             for n, x in enumerate(f["people"], 1)]
    put(ws, rows)
    _team_sheet(b.sheet("消防队伍"), t, f, style="county")
    ws = b.sheet("队员")
    rows = [["序号", "姓名", "所属队伍", "人员类别", "岗位", "基本养老保险", "失业保险", "工伤保险", "意外伤害保险", "职业资格",
             "最近培训日期"]]
    rows += [[n, m["name"], f["team"]["name"], {"专职": "政府专职消防员", "兼职": "兼职消防员", "志愿": "志愿消防员"}[m["kind"]],
              m["post"], *(["已参保"] * 3 if m["insured"] else ["未参保"] * 3 if m["kind"] == "专职" else [None] * 3),
              "已参保" if m["accident"] else "未参保", m["cert"], dotted(m["trained"])] for n, m in enumerate(f["members"], 1)]
    put(ws, rows)
    ws = b.sheet("经费保障")
    rows = [["序号", "年度", "科目", "预算金额（万元）", "到位金额（万元）", "是否纳入财政预算"]]
    rows += [[n, x["year"], x["subject"], x["budget"], x["received"], "已纳入" if x["inside"] else "尚未纳入"]
             for n, x in enumerate(f["funds"], 1)]
    put(ws, rows)
    _plain_activity_sheets(b, f)
    _wuding_ledger(b.sheet("隐患排查整改台账"), t, f["hazards"] + f["second"])
    _village_sheet(b.sheet("村（社区）"), f, style="county")
    _meeting_sheet(b.sheet("会议研判"), f, style="body")
    _campaign_sheet(b.sheet("专项治理"), f)
    b.save(path)


def two_hazard_sheets(t: Town, f: dict, path: Path) -> None:
    """Template-like sheets, but hazards split over 消防检查 (clean inspections, fixed) and 隐患台账 (open ones)."""
    b = Book()
    ws = b.sheet("基本情况")
    p = f["profile"]
    rows = [["项目", "填报内容"], ["县市", t.county], ["乡镇街道", t.name], ["类型", t.kind],
            ["报告期", f"{t.year}Q{t.quarter}"], ["建成区面积（平方公里）", p["area"]],
            ["建成区常住人口（万人）", p["population"]], ["全国重点镇", "否"], ["历史文化名镇", "否"],
            ["易燃易爆或劳动密集型企业密集", "否"], ["距城市消防救援站距离（公里）", p["distance"]],
            ["承担消防工作职责机构", p["bodies"]], ["消防工作站实体化运行", "是"], ["消防工作站办公场所", p["office"]],
            ["建立消防安全组织", "是"], ["制定消防安全制度", "是"], ["纳入综合治理体系", "是"], ["纳入国土空间规划", "是"],
            ["建立消防安全档案", "是"], ["应用网格化管理平台", "是"], ["执法权责清单公布日期", p["published"]]]
    put(ws, rows)
    _people_sheet(b.sheet("责任人"), ["姓名", "职务", "消防职责", "所属单位", "最近培训日期", "执法证号"], f)
    _team_sheet(b.sheet("消防队伍"), t, f, style="county")
    _members_two_row(b.sheet("队员"), f)
    _funds_sheet(b.sheet("经费"), f)
    _plain_activity_sheets(b, f)
    done = [h for h in f["hazards"] if h["state"] in ("无隐患", "已整改")]
    open_ = [h for h in f["hazards"] if h not in done] + f["second"]
    _hazard_sheet(b.sheet("消防检查"), t, done, style="plain")
    _hazard_sheet(b.sheet("隐患台账"), t, open_, style="plain")
    _village_sheet(b.sheet("村社区"), f, style="export")
    _meeting_sheet(b.sheet("会议研判"), f, style="plain")
    _campaign_sheet(b.sheet("专项治理"), f)
    b.save(path)


def grid_ledger_book(t: Town, f: dict, path: Path) -> None:
    """Like the system export, but the period only in the file name and 类型 left to the township's name."""
    system_export(t, f, path)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    ws = wb["基本信息"]
    for row in list(ws.iter_rows()):
        if row[0].value in ("类型", "填报期间"):
            row[0].value = row[1].value = None
    wb.save(path)


# ------------------------------------------------------------------ sheets shared by the layouts

def _people_sheet(ws, header: list[str], f: dict) -> None:
    """The responsible persons under the form's own header (name, post, roles, unit, trained, certificate)."""
    put(ws, [header] + [[x["name"], x["post"], "、".join(x["roles"]), x["unit"], x["trained"], x.get("cert")]
                        for x in f["people"]])


def _funds_sheet(ws, f: dict) -> None:
    put(ws, [["年度", "科目", "预算金额（万元）", "到位金额（万元）", "纳入财政预算"]]
        + [[x["year"], x["subject"], x["budget"], x["received"], "是" if x["inside"] else "否"] for x in f["funds"]])

def _team_sheet(ws, t: Town, f: dict, style: str) -> None:
    team = f["team"]
    kind = team["path"] if style in ("export", "binder") else (
        "义务消防队" if team["grade"] == "志愿消防队" and style == "county" else team["grade"])
    header = ["序号", "队伍名称", "队伍性质", "组建单位", "队员总数", "政府专职消防员数", "执勤车辆（辆）", "手抬机动消防泵（台）",
              "固定营房", "营房面积（㎡）", "占地面积（㎡）", "验收时间", "投入执勤时间", "是否纳入119调度", "队长", "副队长"]
    row = [1, team["name"], kind, t.name, f"共计{team['staff']}人", team["full_time"], team["engines"], team["pumps"],
           "有" if team["barracks"] else "无", team.get("building"), team.get("land"), team.get("accepted"),
           team.get("on_duty"), "是" if team["dispatch"] else "否", team["captain"], team["deputy"]]
    put(ws, [["消防队伍基本情况"], header, row])


def _members_two_row(ws, f: dict) -> None:
    """花名册 with `参保情况` merged over 养老 | 失业 | 工伤 | 意外, marked √/×."""
    put(ws, [["队员花名册"],
             ["序号", "姓名", "所属队伍", "人员类别", "岗位", "参保情况", None, None, None, "职业资格", "最近培训日期"],
             [None, None, None, None, None, "养老", "失业", "工伤", "意外", None, None]])
    ws.merge_cells("F2:I2")
    for col in "ABCDEJK":
        ws.merge_cells(f"{col}2:{col}3")
    team = f["team"]["name"]
    rows = [[n, m["name"], team, m["kind"], m["post"], *(["√"] * 3 if m["insured"] else ["×"] * 3 if m["kind"] == "专职" else [None] * 3),
             "√" if m["accident"] else "×", m["cert"], m["trained"]] for n, m in enumerate(f["members"], 1)]
    put(ws, rows, 4)


def _plain_activity_sheets(b: Book, f: dict) -> None:
    ws = b.sheet("训练演练记录")
    rows = [["序号", "演练时间", "组织单位", "演练类型", "演练地点", "参加人数"]]
    rows += [[n, x["date"], x["unit"], x["kind"], x["place"], x["people"]] for n, x in enumerate(f["drills"], 1)]
    put(ws, rows)
    ws = b.sheet("消防宣传培训")
    rows = [["序号", "活动时间", "活动类型", "对象", "参加人数"]]
    rows += [[n, f"{x['date'].year}年{x['date'].month}月", x["kind"], x["audience"], x["people"]]
             for n, x in enumerate(f["publicity"], 1)]
    put(ws, rows)


def _hazard_sheet(ws, t: Town, hazards: list[dict], style: str) -> None:
    header = ["序号", "检查日期", "被检查单位", "所属村（社区）", "隐患内容", "隐患类别", "整改时限", "整改情况", "移送部门",
              "移送日期", "检查人员"]
    rows = [[n, h["date"] if style == "plain" else dotted(h["date"]), h["place"], h["village"], _text(h), h["category"],
             h["deadline"], h["state"], h.get("referred_to"), h.get("referred_on"), h["inspector"]]
            for n, h in enumerate(hazards, 1)]
    put(ws, [["隐患排查整改情况"], header, *rows, [], SIGN] if style == "binder" else [header, *rows])


GRID_STATE = {"无隐患": "无隐患", "已整改": "已完成", "整改中": "整改中", "拒不整改": "拒不整改", "未整改": "待整改"}


def _text(h: dict) -> str:
    """The hazard text, with its remark where the layout has no 备注 column."""
    return h["text"] + (f"，{h['note']}" if h.get("note") else "")


def _grid_ledger(ws, t: Town, hazards: list[dict]) -> None:
    header = ["发现日期", "网格", "网格员", "场所", "隐患描述", "隐患类别", "整改责任人", "整改时限", "当前状态",
              "整改确认日期", "复查结果", "移交部门", "移交日期"]
    rows = [[h["date"], h["village"], h["inspector"], h["place"], _text(h), h["category"], "场所负责人", h["deadline"],
             GRID_STATE[h["state"]], h["deadline"] if h["state"] == "已整改" else None,
             "合格" if h["state"] == "已整改" else None, h.get("referred_to"), h.get("referred_on")] for h in hazards]
    put(ws, [["网格员隐患排查整改台账"], header, *rows])


def _wuding_ledger(ws, t: Town, hazards: list[dict]) -> None:
    """The 五定 ledger: no referral columns; a referral is written in 备注."""
    header = ["序号", "检查日期", "检查单位", "地点", "类别", "级别", "状态", "隐患内容", "责任单位", "整改措施", "五定时间",
              "责任单位负责人", "复查时间", "复查人", "复查结果", "备注"]
    state = {"无隐患": "无隐患", "已整改": "已销号", "整改中": "整改中", "拒不整改": "拒不整改", "未整改": "未整改"}
    rows = []
    for n, h in enumerate(hazards, 1):
        note = h.get("note")
        if h.get("referred_to"):
            note = f"已于{ymd(h['referred_on'])}抄告{h['referred_to']}"
        rows.append([n, h["date"], t.name, h["village"], h["category"], "一般", state[h["state"]], h["text"], h["place"],
                     "限期整改" if h["text"] != "无" else None, h["deadline"], "负责人", h["deadline"] if h["state"] == "已整改" else None,
                     h["inspector"], "合格" if h["state"] == "已整改" else None, note])
    put(ws, [header, *rows])


def _village_sheet(ws, f: dict, style: str) -> None:
    header = ["序号", "村（社区）名称", "类型", "消防安全管理人", "防火公约", "公约发布日期", "志愿消防队或微型消防站",
              "网格员（人）", "消防车通道", "电动自行车集中充电场所", "消火栓数量", "消防水源"]
    yes, no = {"binder": ("已制定", "未制定"), "export": ("是", "否"), "county": ("已制定", "未制定")}[style]
    rows = [[n, v["name"], v["kind"], v["manager"], yes if v["pact"] else no, v["pact_date"] if v["pact"] else None,
             "已建" if style != "export" else "是", f"{v['grid']}人", "畅通" if v["lane"] else "被堵塞",
             ("已建" if style != "export" else "是") if v["kind"] == "社区" else None, f"{v['hydrants']}个", "有"]
            for n, v in enumerate(f["villages"], 1)]
    put(ws, [header, *rows])


def _meeting_sheet(ws, f: dict, style: str) -> None:
    """style `body`: the meeting named by the body that met (党委会) with a fire-work agenda."""
    header = ["序号", "会议时间", "会议类型", "会议内容", "主持人", "参加人", "记录员"]
    rows = []
    for n, m in enumerate(f["meetings"], 1):
        kind = m["kind"]
        if style == "body" and kind == "专题研究":
            kind = "党委会"
        if style == "binder" and kind == "专题研究":
            kind = "专题会"
        rows.append([n, m["date"] if style != "binder" else ymd(m["date"]), kind, m["topic"], m["chair"], "班子成员", "杨帆"])
    put(ws, [header, *rows])


def _campaign_sheet(ws, f: dict) -> None:
    header = ["序号", "开始时间", "结束日期", "整治名称", "治理对象", "检查场所数", "发现隐患数", "整改隐患数"]
    rows = [[n, c["start"], c["end"], c["name"], c["target"], c["places"], c["found"], c["fixed"]]
            for n, c in enumerate(f["campaigns"], 1)]
    put(ws, [header, *rows])


# ------------------------------------------------------------------ the held-out set
LAYOUTS = {"binder": binder, "export": system_export, "onesheet": one_sheet, "county": county_form,
           "twosheets": two_hazard_sheets, "gridname": grid_ledger_book, "binder2": binder_variant}

TOWNS = [("察布查尔锡伯自治县", "孙扎齐牛录镇", "镇", "志愿"), ("新源县", "那拉提镇", "镇", "志愿"),
         ("尼勒克县", "乌赞乡", "乡", "志愿"), ("伊宁市", "喀尔墩街道", "街道", "微型"),
         ("霍城县", "惠远镇", "镇", "一级"), ("昭苏县", "洪纳海乡", "乡", "志愿")]

GAP_SETS = [(), ("no_evacuation_drill",), ("overdue_hazard", "village_no_pact"), ("refusal_unreferred",),
            ("budget_outside", "lane_blocked"), ("no_topic_meeting", "stale_training"), ("one_enforcer", "no_risk_review"),
            ("no_publicity",), ("no_village_drill",), ("refusal_planned",)]


def towns() -> list[tuple[str, Town]]:
    """~30 (layout, township) pairs: every layout meets several townships, gap sets and quarters."""
    out = []
    n = 0
    for li, layout in enumerate(LAYOUTS):
        for k in range(5):
            county, name, kind, team = TOWNS[(li + k) % len(TOWNS)]
            gaps = GAP_SETS[(li * 3 + k) % len(GAP_SETS)]
            if layout == "twosheets" and k in (0, 3):
                gaps = gaps + ("refusal_in_second_sheet",)
            quarter = (li + k) % 4 + 1
            wanted = ("product_refusal",) if layout == "binder2" else ()
            out.append((layout, Town(county, name, kind, 2024, quarter, team, gaps, facts_wanted=wanted)))
            n += 1
    return out


def build(out: Path) -> list[tuple[Path, dict]]:
    """Write every workbook and its `.human.json`; returns (workbook, verdicts) pairs."""
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for n, (layout, t) in enumerate(towns(), start=1):
        stem = f"{n:02d}-{layout}-{t.name}"
        if layout == "gridname":
            stem += f"-{t.year}Q{t.quarter}"
        path = out / f"{stem}.xlsx"
        LAYOUTS[layout](t, facts(t), path)
        verdicts = human_verdicts(t, layout)
        (out / f"{stem}.human.json").write_text(json.dumps(
            {"layout": layout, "township": t.name, "kind": t.kind, "period": f"{t.year}Q{t.quarter}",
             "gaps": list(t.gaps), "verdicts": verdicts}, ensure_ascii=False, indent=1), encoding="utf-8")
        made.append((path, verdicts))
    return made


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=Path("heldout-books"),
                        help="where to write the workbooks and their .human.json (default: heldout-books)")
    target = parser.parse_args().out_dir
    print(len(build(target)), "workbooks in", target)
