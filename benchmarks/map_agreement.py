"""Issue 15: agreement of `check --config` after `fireaudit map --yes` (accepted unseen) with the statuses the
same township gets in the template layout, over 32 real-layout workbooks (4 townships × compliant/gappy ×
one-sheet register, county form, binder with county keys and state words, header below row 15).

Run from the repository root: python benchmarks/map_agreement.py"""
import sys, json, tempfile, datetime as dt
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from typer.testing import CliRunner
from fireaudit.cli import app
from tests.builders import compliant, county_form, one_sheet, save_free, binder, export_roster, FreeSheet
R = CliRunner(); root = Path(tempfile.mkdtemp(prefix="fireaudit-map-"))
def st(book, cfg=None):
    a = ["check", str(book), "--format", "json", "--fail-on", "none"] + (["--config", str(cfg)] if cfg and cfg.exists() else [])
    r = R.invoke(app, a); return {q["id"]: q["status"] for q in json.loads(r.stdout)["townships"][0]["requirements"]}
KEYS = {"建成区面积（平方公里）": "建成区规模（平方公里）", "消防工作站实体化运行": "工作站实体运转",
        "距城市消防救援站距离（公里）": "离最近消防站（公里）", "纳入综合治理体系": "融入综治体系"}
def gappy(reg):
    reg = reg.copy(); h = reg.sheets["检查隐患"]; h.set(1, "整改状态", "整改中"); h.set(1, "整改期限", h.rows[1][h.header.index("检查日期")] - dt.timedelta(days=1))
    reg.sheets["演练"].rows.clear(); return reg
def layouts(reg, title):
    yield "one-sheet", lambda p: save_free(p, {"消防工作台账": one_sheet(reg, title)})
    yield "county-form", lambda p: county_form(reg).save(p)
    def kb(p):
        s = binder(reg, title); s["四、队员花名册"] = export_roster(reg.sheets["队员"])
        for row in s["一、基本情况"].rows: row[:] = [KEYS.get(v, "已落实到位" if v == "已纳入" else v) for v in row]
        return save_free(p, s)
    yield "binder-county-keys", kb
    def low(p):
        s = binder(reg, title); h = s["八、隐患排查整改台账"]
        s["八、隐患排查整改台账"] = FreeSheet([h.rows[0], *[[f"说明{n}"] for n in range(17)], *h.rows[1:]]); return save_free(p, s)
    yield "header-below-15", low
totals = dict(agree=0, unknown=0, false_pass=0, false_fail=0, other=0)
n = 0
for county, town, kind, period in [("伊宁市", "潘津镇", "镇", "2024Q2"), ("伊宁市", "托格拉克乡", "乡", "2024Q1"),
                                   ("伊宁市", "解放路街道", "街道", "2024Q3"), ("霍城县", "惠远镇", "镇", "2024Q4")]:
    for variant in ("compliant", "gappy"):
        reg = compliant(county, town, kind, period); reg = gappy(reg) if variant == "gappy" else reg
        q = int(period[-1]); title = f"{county}{town}{period[:4]}年第{'一二三四'[q-1]}季度消防工作台账"
        human = st(reg.save(root / f"t{n}.xlsx"))
        for name, make in layouts(reg, title):
            n += 1; book = make(root / f"b{n}.xlsx"); cfg = root / f"c{n}.toml"; cfg.unlink(missing_ok=True)
            R.invoke(app, ["map", str(book), "-o", str(cfg), "--yes"])
            got = st(book, cfg)
            for rid, s in got.items():
                h = human[rid]
                key = "agree" if s == h else "false_pass" if s == "pass" else "false_fail" if s == "fail" else "unknown" if s in ("unknown", "partial") else "other"
                totals[key] += 1
                if key != "agree": print(name, town, variant, rid, h, "->", s)
print(n, "workbooks", totals, f"agreement {totals['agree'] / sum(totals.values()):.1%}")
