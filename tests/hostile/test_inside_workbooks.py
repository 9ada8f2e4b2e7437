"""Inside a readable workbook: formulas, error cells, rich text, huge strings, odd characters.

None of these may crash the run; each becomes a clean read or a register error
at its cell."""

from __future__ import annotations

import re
import zipfile

from tests.builders import compliant


def _patch_sheet(path, sheet_xml_name: str, pattern: str, replacement: str):
    """Rewrite one worksheet part of a saved workbook (regex on its XML)."""
    patched = path.with_name("patched-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == sheet_xml_name:
                data, count = re.subn(pattern.encode(), replacement.encode(), data, count=1)
                assert count == 1, pattern
            out.writestr(info, data)
    return patched


def _sheet_part(reg, name: str) -> str:
    order = ["基本情况", *reg.sheets, *reg.extra_sheets]
    return f"xl/worksheets/sheet{order.index(name) + 1}.xml"


def test_formula_with_cached_value_is_read_as_its_value(tmp_path, checklist):
    from fireaudit.register import RegisterReader

    reg = compliant()
    path = reg.save(tmp_path / "f.xlsx")
    brigades = reg.sheets["消防队伍"]
    cell = brigades.cell("队员人数", 0)
    members = brigades.rows[0][brigades.header.index("队员人数")]
    patched = _patch_sheet(path, _sheet_part(reg, "消防队伍"), rf'<c r="{cell}"( t="n")?><v>{members}</v></c>',
                           f'<c r="{cell}"><f>{members}*1</f><v>{members}</v></c>')
    register = RegisterReader(checklist).read(patched)
    assert register.errors == []
    assert register.table("消防队伍").column("队员人数")[0] == members


def test_formula_without_cached_value_is_a_register_error(read):
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队员人数", "=SUM(1,7)")
    register = read(reg)
    cell = reg.sheets["消防队伍"].cell("队员人数", 0)
    assert [(e.code, e.sheet, e.cell, e.value) for e in register.errors] == \
        [("formula-no-value", "消防队伍", cell, "=SUM(1,7)")]


def test_error_cells_are_register_errors(read):
    reg = compliant()
    reg.sheets["消防队伍"].set(0, "队员人数", "#REF!")
    reg.sheets["经费"].set(0, "预算金额（万元）", "#DIV/0!")
    register = read(reg)
    found = {(e.code, e.sheet, e.cell, e.value) for e in register.errors}
    assert ("error-cell", "消防队伍", reg.sheets["消防队伍"].cell("队员人数", 0), "#REF!") in found
    assert ("error-cell", "经费", reg.sheets["经费"].cell("预算金额（万元）", 0), "#DIV/0!") in found


def test_rich_text_is_read_as_plain_text(read):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    reg = compliant()
    reg.sheets["演练"].set(0, "地点", CellRichText(["镇中心", TextBlock(InlineFont(b=True), "学校")]))
    register = read(reg)
    assert register.table("演练").column("地点")[0] == "镇中心学校"
    assert register.errors == []


def test_text_longer_than_excel_allows_is_a_register_error(read):
    reg = compliant()
    reg.sheets["演练"].set(0, "备注", "长" * 40000)
    register = read(reg)
    assert [(e.code, e.cell) for e in register.errors] == [("too-long", reg.sheets["演练"].cell("备注", 0))]


def test_emoji_rare_cjk_and_control_characters_read_cleanly(read):
    reg = compliant()
    reg.sheets["责任人"].set(2, "姓名", "𠀀𪚥张三😀")          # Ext B ideographs and an emoji
    reg.sheets["演练"].set(0, "地点", "学校\u200b_x001F_操场")   # zero-width space and an escaped control character
    register = read(reg)
    assert register.table("责任人").column("姓名")[2] == "𠀀𪚥张三😀"
    assert register.table("演练").column("地点")[0] == "学校\u200b操场"
    assert register.errors == []


def test_a_thousand_columns_read_cleanly(read):
    reg = compliant()
    drills = reg.sheets["演练"]
    drills.header += [f"附加{i}" for i in range(1000)]
    drills.rows = [row + ["x"] * 1000 for row in drills.rows]
    register = read(reg)
    assert len(register.table("演练")) == 3
    assert register.errors == []
    assert any(n.code == "ignored-columns" for n in register.notes)


def test_many_rows_read_cleanly(read):
    reg = compliant()
    for n in range(5000):
        reg.sheets["演练"].rows.append([n, "2023-01-01", "一村", "灭火演练", None, 10, None])
    register = read(reg)
    assert len(register.table("演练")) == 5003
    assert register.errors == []


def test_a_used_range_over_the_limit_is_a_register_error(read):
    reg = compliant()
    drills = reg.sheets["演练"]
    drills.header += [f"附加{i}" for i in range(1000)]
    drills.rows = [row + [None] * 1000 for row in drills.rows]
    drills.rows[-1][-1] = "x"
    for n in range(6000):
        drills.rows.append([n, "2023-01-01", "一村", "灭火演练"])
    register = read(reg)
    assert register.table("演练") is None
    assert [(e.code, e.sheet, e.cell) for e in register.errors] == [("sheet-too-large", "演练", "A1")]
