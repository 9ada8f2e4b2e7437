"""A township whose cells try to break the reports: Markdown syntax, line breaks, formulas, paths.

Shared by the Markdown, Excel and file-name tests: every value here reaches a
report through a check message, a register error or the township's name."""

from __future__ import annotations

from tests.builders import Register, compliant

TOWNSHIP = "潘津镇/../../x"
# 职务 of the 第一责任人: not a head's title, so R03.1 fails and quotes it in its message.
TITLE = '=HYPERLINK("http://evil.example","点我")|*粗*<b>x</b>\n# 标题 `code` [链接](http://e.com) &amp; $x$ ~~删~~'
# The third village lacks a 防火安全公约, so R06.2 lists its name.
VILLAGE = "幸福|社区\r\n- 列表 1. <script>alert(1)</script>\t_斜_"
# Yes/no cells the reader cannot understand: register errors quoting the value.
BAD_YESNO = {0: "=1+1", 1: "@SUM(A1)", 2: "+cmd|' /C calc'!A0"}
FORMULA_LIKE = ["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0"]


def hostile() -> Register:
    register = compliant(township=TOWNSHIP)
    register.sheets["责任人"].set(0, "职务", TITLE)
    villages = register.sheets["村社区"]
    villages.set(2, "名称", VILLAGE)
    villages.set(2, "防火安全公约", None)
    for row, value in BAD_YESNO.items():
        villages.set(row, "消防车通道畅通", value)
    return register
