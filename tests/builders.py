"""Readable builders for township registers: tests and the demo samples are made here.

A register is a profile (key -> value) and sheets (header + rows). `compliant()`
builds a township that meets every implemented check; a test changes one thing and asserts the
status and the evidence cell. Layout is fixed so cells are predictable: every
table sheet has one title row, the header on row 2, and data from row 3."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TITLE_ROWS = 1          # rows above the header in every table sheet
FIRST_DATA_ROW = TITLE_ROWS + 2


@dataclass
class Sheet:
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    title: str | None = "台账"
    footer: list[list[Any]] = field(default_factory=list)   # 合计 / 填表说明 rows below the data
    hidden: bool = False
    start_column: int = 0                                     # leading empty columns

    def cell(self, column: str, row: int) -> str:
        """A1 of `column` in data row `row` (0-based), as Excel shows it."""
        from fireaudit.register.model import a1

        title_rows = 1 if self.title is not None else 0
        return a1(title_rows + 1 + row, self.start_column + self.header.index(column))

    def header_cell(self, column: str) -> str:
        from fireaudit.register.model import a1

        title_rows = 1 if self.title is not None else 0
        return a1(title_rows, self.start_column + self.header.index(column))

    def set(self, row: int, column: str, value: Any) -> "Sheet":
        self.rows[row][self.header.index(column)] = value
        return self

    def add(self, **values: Any) -> "Sheet":
        self.rows.append([values.get(h) for h in self.header])
        return self


_SAVED: dict[bytes, bytes] = {}   # content key -> bytes of a register saved before (Register.save)


@dataclass
class Register:
    profile: dict[str, Any]
    sheets: dict[str, Sheet]
    extra_sheets: dict[str, Sheet] = field(default_factory=dict)

    def copy(self) -> "Register":
        return copy.deepcopy(self)

    def drop(self, name: str) -> "Register":
        self.sheets.pop(name)
        return self

    def profile_cell(self, key: str) -> str:
        """B-column cell of a profile key (row 1 title, row 2 header, keys from row 3)."""
        return f"B{list(self.profile).index(key) + 3}"

    def save(self, path: Path) -> Path:
        """Write .xlsx (openpyxl), .xls (xlwt) or .ods (odfpy) by the suffix of `path`.

        A register saved before with the same content gets the same bytes again
        without the writer (a third of the suite's saves repeat one)."""
        grid = self.grids()
        suffix = path.suffix.lower()
        layout = sorted((n, s.title, s.start_column, len(s.header), s.hidden)
                        for n, s in {**self.sheets, **self.extra_sheets}.items())
        key = hashlib.sha256(repr((suffix, grid, layout)).encode("utf-8")).digest()
        if key in _SAVED:
            path.write_bytes(_SAVED[key])
            return path
        if suffix in (".xlsx", ".xlsm"):
            _write_xlsx(path, grid, self)
        elif suffix == ".xls":
            _write_xls(path, grid, {n for n, s in {**self.sheets, **self.extra_sheets}.items() if s.hidden})
        elif suffix == ".ods":
            _write_ods(path, grid)
        else:
            raise ValueError(suffix)
        _SAVED[key] = path.read_bytes()
        return path

    def grids(self) -> dict[str, list[list[Any]]]:
        grids: dict[str, list[list[Any]]] = {}
        if self.profile:
            profile_rows: list[list[Any]] = [["基本情况"], ["项目", "填报内容"]]
            profile_rows += [[key, value] for key, value in self.profile.items()]
            grids["基本情况"] = profile_rows
        for name, sheet in {**self.sheets, **self.extra_sheets}.items():
            pad = [None] * sheet.start_column
            rows: list[list[Any]] = []
            if sheet.title is not None:
                rows.append(pad + [sheet.title])
            rows.append(pad + list(sheet.header))
            rows += [pad + list(r) for r in sheet.rows]
            rows += [pad + list(r) for r in sheet.footer]
            grids[name] = rows
        return grids


def _write_xlsx(path: Path, grids: dict[str, list[list[Any]]], register: Register) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    all_sheets = {**register.sheets, **register.extra_sheets}
    for name, rows in grids.items():
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
        spec = all_sheets.get(name)
        if spec and spec.title is not None:
            sheet.merge_cells(start_row=1, start_column=spec.start_column + 1,
                              end_row=1, end_column=spec.start_column + max(1, len(spec.header)))
        if spec and spec.hidden:
            sheet.sheet_state = "hidden"
    workbook.properties.created = dt.datetime(2024, 1, 1)
    workbook.properties.modified = dt.datetime(2024, 1, 1)
    workbook.save(path)


def _write_xls(path: Path, grids: dict[str, list[list[Any]]], hidden: set[str] = frozenset()) -> None:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in grids.items():
        sheet = workbook.add_sheet(name)
        if name in hidden:
            sheet.visibility = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    workbook.save(str(path))


def _write_ods(path: Path, grids: dict[str, list[list[Any]]]) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in grids.items():
            width = max(len(r) for r in rows)
            frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows])
            frame.to_excel(writer, sheet_name=name, header=False, index=False)


# ---------------------------------------------------------------- the compliant township
D = dt.date


# The grades plan item (七) names (test data, deliberately not read from checklists/):
# compliant() builds the named grade's brigade, every other 乡/镇 a 志愿消防队.
PLAN_GRADES = {
    ("伊宁市", "潘津镇"): "一级专职消防队",
    ("霍城县", "惠远镇"): "一级专职消防队",
    ("特克斯县", "乔拉克铁热克镇"): "一级专职消防队",
    ("伊宁市", "托格拉克乡"): "二级专职消防队",
    ("巩留县", "阿尕尔森镇"): "二级专职消防队",
}
# A full-time brigade that meets its grade's minimums (gbt35547.toml), with margin.
FULL_TIME = {
    "一级专职消防队": dict(staff=16, full_time=12, engines=3, land=1100),
    "二级专职消防队": dict(staff=12, full_time=8, engines=2, land=750),
}


def compliant(county: str = "伊宁市", township: str = "潘津镇", kind: str = "镇", period: str = "2024Q2",
              grade: str | None = None) -> Register:
    """A township that meets every implemented check for the period (default 2024Q2).

    Its brigade is `grade`, by default the one plan item (七) names for the
    township (a 一级 brigade for the default 伊宁市潘津镇), else a 志愿消防队
    (a 微型消防站 for a 街道). Q4 has its 119 month."""
    if grade is None:
        grade = "微型消防站" if kind == "街道" else PLAN_GRADES.get((county, township), "志愿消防队")
    year = int(period[:4])
    q = int(period[-1])
    mid = D(year, 3 * q - 1, 15)          # a day in the middle of the quarter
    profile = {
        "县市": county,
        "乡镇街道": township,
        "类型": kind,
        "报告期": period,
        "建成区面积（平方公里）": 1.5,
        "建成区常住人口（万人）": 1.2,
        "全国重点镇": "否",
        "历史文化名镇": "否",
        "易燃易爆或劳动密集型企业密集": "否",
        "距城市消防救援站距离（公里）": 18,
        "承担消防工作职责机构": "社会事务办公室、消防工作站",
        "消防工作站实体化运行": "是",
        "消防工作站办公场所": f"{township}人民政府院内",
        "建立消防安全组织": "是",
        "制定消防安全制度": "是",
        "纳入综合治理体系": "是",
        "纳入国土空间规划": "是",
        "建立消防安全档案": "是",
        "应用网格化管理平台": "是",
        "执法权责清单公布日期": D(year - 1, 6, 1),
        "填报人": "李梅",
        "联系电话": "0999-8012345",
        "填报日期": mid,
    }
    people = Sheet(["序号", "姓名", "职务", "消防职责", "所属单位", "任职日期", "最近培训日期", "执法证号", "联系电话"],
                   title=f"{township}消防工作责任人台账")
    head = "镇长" if kind == "镇" else ("乡长" if kind == "乡" else "主任")
    people.add(序号=1, 姓名="阿不都", 职务=f"党委副书记、{head}", 消防职责="第一责任人", 所属单位=township, 最近培训日期=mid)
    people.add(序号=2, 姓名="王强", 职务="副" + head, 消防职责="主要责任人", 所属单位=f"{township}人民政府", 最近培训日期=mid)
    people.add(序号=3, 姓名="张伟", 职务="党委委员", 消防职责="分管领域责任人", 所属单位=township, 最近培训日期=mid)
    people.add(序号=4, 姓名="李梅", 职务="社会事务办公室主任", 消防职责="消防工作专人", 所属单位=township, 最近培训日期=mid)
    people.add(序号=5, 姓名="赵刚", 职务="综治办副主任", 消防职责="消防安全管理人", 所属单位=township, 最近培训日期=mid)
    people.add(序号=6, 姓名="马丽", 职务="执法队员", 消防职责="执法人员", 所属单位=township, 最近培训日期=mid, 执法证号="XJ2023001")
    people.add(序号=7, 姓名="周涛", 职务="执法队员", 消防职责="执法人员", 所属单位=township, 最近培训日期=mid, 执法证号="XJ2023002")
    people.add(序号=8, 姓名="韩磊", 职务="消防工作站站长", 消防职责="消防工作站站长", 所属单位=township, 最近培训日期=mid)
    people.add(序号=9, 姓名="刘洋", 职务="消防工作站工作人员", 消防职责="专职消防工作人员", 所属单位=township, 最近培训日期=mid)
    people.add(序号=10, 姓名="艾山", 职务="一村网格员", 消防职责="网格员", 所属单位="一村", 最近培训日期=mid)

    villages = Sheet(["序号", "名称", "类型", "消防安全管理人", "防火安全公约", "公约发布日期", "志愿消防队或微型消防站",
                      "网格员人数", "消防车通道畅通", "电动自行车集中充电场所", "市政消火栓数量", "消防水源"],
                     title="村（社区）消防工作情况")
    for n, (name, vkind) in enumerate([("一村", "村"), ("二村", "村"), ("幸福社区", "社区")], start=1):
        villages.add(序号=n, 名称=name, 类型=vkind, 消防安全管理人=f"管理人{n}", 防火安全公约="有",
                     公约发布日期=D(year - 1, 3, 1), 志愿消防队或微型消防站="有", 网格员人数=2, 消防车通道畅通="是",
                     电动自行车集中充电场所="是", 市政消火栓数量=2, 消防水源="有")

    brigades = Sheet(["序号", "队伍名称", "队伍类型", "所属单位", "队员人数", "专职队员人数", "消防车数量", "手抬机动消防泵数量",
                      "固定营房", "营房建筑面积（平方米）", "建设用地面积（平方米）", "验收日期", "投入执勤日期", "纳入调度指挥",
                      "执勤消防车数量", "队长", "副队长"], title="消防队伍台账")
    if grade == "微型消防站":
        brigades.add(序号=1, 队伍名称=f"{township}微型消防站", 队伍类型="微型消防站", 所属单位=township, 队员人数=6,
                     专职队员人数=0, 消防车数量=0, 手抬机动消防泵数量=1, 固定营房="否", 纳入调度指挥="是", 队长="孙勇", 副队长="钱进")
    elif grade in FULL_TIME:
        size = FULL_TIME[grade]
        brigades.add(序号=1, 队伍名称=f"{township}政府专职消防队", 队伍类型=grade, 所属单位=f"{township}人民政府",
                     队员人数=size["staff"], 专职队员人数=size["full_time"], 消防车数量=size["engines"], 手抬机动消防泵数量=2,
                     固定营房="是", 验收日期=D(year - 1, 4, 1), 投入执勤日期=D(year - 1, 5, 1), 纳入调度指挥="是",
                     执勤消防车数量=size["engines"], 队长="孙勇", 副队长="钱进",
                     **{"营房建筑面积（平方米）": 1500, "建设用地面积（平方米）": size["land"]})
    else:
        brigades.add(序号=1, 队伍名称=f"{township}志愿消防队", 队伍类型="志愿消防队", 所属单位=township, 队员人数=8,
                     专职队员人数=0, 消防车数量=1, 手抬机动消防泵数量=1, 固定营房="是", **{"建设用地面积（平方米）": 400},
                     验收日期=D(year - 1, 4, 1), 投入执勤日期=D(year - 1, 5, 1), 纳入调度指挥="是", 执勤消防车数量=1,
                     队长="孙勇", 副队长="钱进")

    budget = Sheet(["序号", "年度", "科目", "预算金额（万元）", "到位金额（万元）", "纳入财政预算", "备注"], title="消防经费台账")
    for n, subject in enumerate(["隐患排查治理", "消防宣传教育培训", "志愿消防队", "微型消防站", "公共消防设施建设"], start=1):
        budget.add(序号=n, 年度=year, 科目=subject, 纳入财政预算="是", **{"预算金额（万元）": 10, "到位金额（万元）": 2.5 * q})
    if grade in FULL_TIME:
        budget.add(序号=6, 年度=year, 科目="政府专职消防队", 纳入财政预算="是", **{"预算金额（万元）": 120, "到位金额（万元）": 30 * q})

    drills = Sheet(["序号", "日期", "组织单位", "演练类型", "地点", "参加人数", "备注"], title="消防演练台账")
    drills.add(序号=1, 日期=mid, 组织单位=township, 演练类型="应急疏散演练", 地点="镇中心学校", 参加人数=300)
    drills.add(序号=2, 日期=mid, 组织单位="一村", 演练类型="灭火演练", 地点="一村广场", 参加人数=40)
    drills.add(序号=3, 日期=mid, 组织单位=township, 演练类型="联勤联训", 地点="消防队", 参加人数=12)

    publicity = Sheet(["序号", "日期", "活动类型", "对象", "参加人数", "组织单位", "备注"], title="消防宣传培训台账")
    publicity.add(序号=1, 日期=mid, 活动类型="消防宣传五进", 对象="村民", 参加人数=200, 组织单位=township)
    publicity.add(序号=2, 日期=mid, 活动类型="业务培训", 对象="网格员", 参加人数=30, 组织单位=township)
    if q == 4:
        publicity.add(序号=3, 日期=D(year, 11, 9), 活动类型="119消防宣传月", 对象="居民", 参加人数=500, 组织单位=township)
    if q in (1, 2, 3):   # 开学、寒暑假、安全教育日、防灾减灾日 fall in Q1–Q3 (plan (十一))
        publicity.add(序号=3, 日期=mid, 活动类型="学校消防教育", 对象="中心学校师生", 参加人数=600, 组织单位=township)

    hazards = Sheet(["序号", "检查日期", "场所名称", "场所类型", "所属村社区", "隐患描述", "隐患类别", "整改期限", "整改状态",
                     "移送部门", "移送日期", "检查人"], title="消防安全检查及隐患台账")
    hazards.add(序号=1, 检查日期=mid, 场所名称="幸福超市", 场所类型="商场市场", 所属村社区="幸福社区", 隐患描述="无",
                整改状态="无隐患", 检查人="李梅")
    hazards.add(序号=2, 检查日期=mid, 场所名称="一村农家乐", 场所类型="餐饮", 所属村社区="一村",
                隐患描述="疏散通道堆放杂物", 隐患类别="占用堵塞疏散通道安全出口", 整改期限=mid, 整改状态="已整改", 检查人="艾山")
    hazards.add(序号=3, 检查日期=mid, 场所名称="幸福小区3号楼", 场所类型="住宅", 所属村社区="幸福社区",
                隐患描述="楼道内电动车充电，多次劝阻拒不整改", 整改期限=mid, 整改状态="拒不整改",
                移送部门=f"{county}消防救援大队", 移送日期=mid, 检查人="李梅")

    meetings = Sheet(["序号", "日期", "类型", "议题", "主持人", "措施"], title="会议研判台账")
    meetings.add(序号=1, 日期=mid, 类型="专题研究", 议题="部署夏季消防安全工作", 主持人="阿不都", 措施="开展隐患排查")
    meetings.add(序号=2, 日期=mid, 类型="风险研判", 议题="节假日火灾风险研判", 主持人="王强", 措施="加强巡查")
    meetings.add(序号=3, 日期=mid, 类型="综合评估", 议题="消防基础设施建设评估", 主持人="阿不都", 措施="补齐消火栓")

    campaigns = Sheet(["序号", "开始日期", "结束日期", "名称", "治理对象", "检查场所数", "发现隐患数", "整改隐患数"],
                      title="专项治理台账")
    campaigns.add(序号=1, 开始日期=D(year, 3 * q - 2, 1), 结束日期=D(year, 3 * q, 28), 名称="电动自行车消防安全专项治理",
                  治理对象="住宅小区", 检查场所数=40, 发现隐患数=10, 整改隐患数=9)

    return Register(profile, {
        "责任人": people, "消防队伍": brigades, "队员": _members(township, grade, mid), "经费": budget, "演练": drills,
        "宣传培训": publicity, "检查隐患": hazards, "村社区": villages, "会议研判": meetings, "专项治理": campaigns,
    })


def _members(township: str, grade: str, mid: dt.date) -> Sheet:
    """The brigade's roster: posts as GB/T 35547 §11 asks, everyone insured and trained in the period."""
    members = Sheet(["序号", "姓名", "所属队伍", "人员类别", "岗位", "基本养老保险", "失业保险", "工伤保险", "意外伤害保险",
                     "职业资格", "最近培训日期"], title="队员名册")
    if grade in FULL_TIME:
        size = FULL_TIME[grade]
        team = f"{township}政府专职消防队"
        posts = ["队长", "副队长", *["班长"] * size["engines"], *["驾驶员"] * size["engines"], "通信员", "安全员"]
        posts += ["消防员"] * (size["full_time"] - len(posts))
        for n, post in enumerate(posts, start=1):
            members.add(序号=n, 姓名=f"专职队员{n}", 所属队伍=team, 人员类别="专职", 岗位=post, 基本养老保险="是",
                        失业保险="是", 工伤保险="是", 意外伤害保险="是", 职业资格="消防设施操作员" if n <= 3 else "无",
                        最近培训日期=mid)
        for n in range(1, size["staff"] - size["full_time"] + 1):
            members.add(序号=len(posts) + n, 姓名=f"兼职队员{n}", 所属队伍=team, 人员类别="兼职", 岗位="消防员",
                        意外伤害保险="是", 职业资格="无", 最近培训日期=mid)
        return members
    team = f"{township}微型消防站" if grade == "微型消防站" else f"{township}志愿消防队"
    posts = ["队长", "副队长", "驾驶员", "通信员、安全员", "班长", "消防员", "消防员", "消防员"]
    for n, post in enumerate(posts[: 6 if grade == "微型消防站" else 8], start=1):
        members.add(序号=n, 姓名=f"队员{n}", 所属队伍=team, 人员类别="志愿", 岗位=post, 意外伤害保险="是",
                    职业资格="消防设施操作员" if n == 1 else "无", 最近培训日期=mid)
    return members


def county_register(townships: list[str], period: str = "2024Q2", *, supervised: list[str] | None = None,
                    sanctioned: list[str] | None = None, models: int = 1) -> Register:
    """A county register (县市台账): supervision of `supervised` (default: all), sanctions, typical models."""
    year, q = int(period[:4]), int(period[-1])
    mid = D(year, 3 * q - 1, 10)
    supervision = Sheet(["日期", "乡镇街道", "类型", "得分", "结论"], title="督导考评")
    for name in townships if supervised is None else supervised:
        supervision.add(日期=mid, 乡镇街道=name, 类型="季度考评", 得分=80, 结论="基本达标")
    sanctions = Sheet(["日期", "对象", "类型", "事由"], title="奖惩")
    for name in sanctioned or []:
        sanctions.add(日期=mid, 对象=name, 类型="通报", 事由="上季度消防工作考评不合格")
    typical = Sheet(["乡镇街道", "名称", "年度"], title="典型样板")
    for n in range(models):
        typical.add(乡镇街道=townships[0], 名称=f"网格化消防管理样板{n + 1}", 年度=year)
    return Register({}, {"督导考评": supervision, "奖惩": sanctions, "典型样板": typical})


# ---------------------------------------------------------------- real forms (REAL-FORMS.md, issue 14)
# Layouts townships actually keep, built from the same township data: a paper binder typed into
# Excel, a system-export roster with a two-row header, a grid-management hazard ledger.
@dataclass
class FreeSheet:
    """A sheet laid out cell by cell (row 1 first), with merged ranges such as "A1:F1"."""

    rows: list[list[Any]]
    merges: list[str] = field(default_factory=list)

    def save_into(self, workbook, name: str) -> None:
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(self.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(r, c, value)
        for merged in self.merges:
            sheet.merge_cells(merged)


def save_free(path: Path, sheets: dict[str, FreeSheet]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, sheet in sheets.items():
        sheet.save_into(workbook, name)
    workbook.properties.created = workbook.properties.modified = dt.datetime(2024, 1, 1)
    workbook.save(path)
    return path


SIGNATURE = ["填表人：李梅", None, "审核人：王强", None, "填报日期：2024年6月28日"]
BINDER_TABS = {"责任人": "二、消防安全责任人", "消防队伍": "三、消防队伍", "队员": "四、队员花名册", "经费": "五、经费保障",
               "演练": "六、训练演练记录", "宣传培训": "七、消防宣传培训", "检查隐患": "八、隐患排查整改台账",
               "村社区": "九、村（社区）消防工作情况", "会议研判": "十、会议记录", "专项治理": "十一、专项治理"}
# the state words a binder writes where the template says 是/否 (REAL-FORMS.md, Values seen)
STATE_WORDS = {"建立消防安全组织": "已建立", "制定消防安全制度": "已制定", "纳入综合治理体系": "已纳入",
               "纳入国土空间规划": "已纳入", "建立消防安全档案": "已建立", "应用网格化管理平台": "开展",
               "消防工作站实体化运行": "☑是 □否"}


def binder(reg: Register, title: str = "伊宁市潘津镇2024年第二季度消防工作台账") -> dict[str, FreeSheet]:
    """`reg` typed into a binder: numbered tabs, the period, county and township only in the title row,
    a grid profile (序号 | key | value | key | value, some keys in merged cells) without 类型/报告期,
    state words for yes/no, signature lines under every table."""
    identity = ("县市", "乡镇街道", "类型", "报告期")
    items = [(k, STATE_WORDS.get(k, v)) for k, v in reg.profile.items() if k not in identity]
    rows: list[list[Any]] = [[title], ["序号", "项目", None, "内容", "项目", "内容"]]
    merges = ["A1:F1", "B2:C2"]
    for n in range(0, len(items), 2):
        (k1, v1), (k2, v2) = items[n], (items[n + 1] if n + 1 < len(items) else (None, None))
        r = len(rows) + 1
        rows.append([n // 2 + 1, k1, None, v1, k2, v2])
        merges.append(f"B{r}:C{r}")            # the key in a merged cell
    rows.append([])
    rows.append(SIGNATURE)
    sheets = {"一、基本情况": FreeSheet(rows, merges)}
    for name, sheet in reg.sheets.items():
        body = [[sheet.title or name], list(sheet.header), *[list(r) for r in sheet.rows], [], SIGNATURE]
        sheets[BINDER_TABS.get(name, name)] = FreeSheet(body, [f"A1:{_letter(len(sheet.header))}1"])
    return sheets


def _letter(n: int) -> str:
    from fireaudit.register.model import column_letter

    return column_letter(n - 1)


def export_roster(members: Sheet) -> FreeSheet:
    """A system-export roster (花名册): `参保情况` merged over `养老 | 失业 | 工伤 | 意外`, marked √/×."""
    insured = ["基本养老保险", "失业保险", "工伤保险", "意外伤害保险"]
    other = [h for h in members.header if h not in insured]
    at = members.header.index(insured[0])
    top = other[:at] + ["参保情况", None, None, None] + other[at:]
    low = [None] * at + ["养老", "失业", "工伤", "意外"] + [None] * (len(other) - at)
    merges = ["A1:%s1" % _letter(len(top)), f"{_letter(at + 1)}2:{_letter(at + 4)}2"]
    merges += [f"{_letter(c + 1)}2:{_letter(c + 1)}3" for c, h in enumerate(top) if h and h != "参保情况"]
    rows: list[list[Any]] = [["队员花名册（系统导出）"], top, low]
    for row in members.rows:
        values = dict(zip(members.header, row))
        marks = [{"是": "√", "否": "×"}.get(values[k]) for k in insured]
        rows.append([values[h] for h in other[:at]] + marks + [values[h] for h in other[at:]])
    return FreeSheet(rows, merges)


GRID_LEDGER = ["发现日期", "网格", "网格员", "场所", "隐患描述", "整改责任人", "整改时限", "当前状态", "整改确认日期",
               "复查结果", "备注"]


def grid_ledger(rows: list[dict[str, Any]], title: str = "网格员隐患排查整改台账") -> FreeSheet:
    """Hazards as a grid-management ledger keeps them (REAL-FORMS.md: 网格员, 当前状态 待整改/整改中/已完成)."""
    body = [[title], list(GRID_LEDGER)] + [[row.get(h) for h in GRID_LEDGER] for row in rows]
    return FreeSheet(body, [f"A1:{_letter(len(GRID_LEDGER))}1"])


# ---------------------------------------------------------------- a county's own forms (issue 15)
ONE_SHEET_HEADINGS = {"基本情况": "一、基本情况", "责任人": "二、消防安全责任人", "消防队伍": "三、消防队伍",
                      "队员": "四、队员花名册", "经费": "五、经费保障", "演练": "六、训练演练记录",
                      "宣传培训": "七、消防宣传培训", "检查隐患": "八、隐患排查整改", "村社区": "九、村（社区）消防工作",
                      "会议研判": "十、会议记录", "专项治理": "十一、专项治理"}


def one_sheet(reg: Register, title: str = "伊宁市潘津镇2024年第二季度消防工作台账") -> FreeSheet:
    """The Word document pasted into one sheet: a title, then blocks under headings `一、…`, `二、…`,
    each with its own header row (REAL-FORMS.md: One sheet for everything)."""
    rows: list[list[Any]] = [[title], []]
    rows.append([ONE_SHEET_HEADINGS["基本情况"]])
    rows += [[key, value] for key, value in reg.profile.items()]
    for name, sheet in reg.sheets.items():
        rows += [[], [ONE_SHEET_HEADINGS[name]], list(sheet.header), *[list(r) for r in sheet.rows]]
    return FreeSheet(rows)


COUNTY_HAZARDS = {"检查日期": "排查时间", "场所名称": "被查单位", "隐患描述": "问题描述", "整改期限": "限改日期",
                  "整改状态": "处理结果", "检查人": "排查人"}   # none of these is an alias in register.toml
COUNTY_STATUS = {"已整改": "已处理"}


def county_form(reg: Register, sheet: str = "安全排查登记") -> Register:
    """`reg` with its hazards kept in one county's own form: its sheet name, headers and a status word
    that register.toml does not know."""
    out = reg.copy()
    hazards = out.sheets.pop("检查隐患")
    at = hazards.header.index("整改状态")
    hazards.header = [COUNTY_HAZARDS.get(h, h) for h in hazards.header]
    for row in hazards.rows:
        row[at] = COUNTY_STATUS.get(row[at], row[at])
    out.extra_sheets[sheet] = hazards
    return out
