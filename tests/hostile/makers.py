"""Hostile and broken files, each built in code (nothing binary is committed)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.builders import compliant

MB = 1024 * 1024


def good_xlsx(path: Path) -> Path:
    return compliant().save(path)


def text_as_xlsx(path: Path) -> Path:
    path.write_text("姓名,职务\n张三,镇长\n", encoding="utf-8")
    return path


def pdf_as_xlsx(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    return path


def png_as_xls(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return path


def truncated_zip(path: Path) -> Path:
    good = good_xlsx(path.with_name("source.xlsx")).read_bytes()
    path.write_bytes(good[: len(good) // 2])
    return path


def _zip_with(path: Path, extra: dict[str, bytes] | None = None, *, streamed: dict[str, int] | None = None,
              replace: dict[str, bytes] | None = None) -> Path:
    """A real register with parts replaced, added, or streamed as `size` bytes of zeros."""
    source = good_xlsx(path.with_name("source-" + path.name))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = (replace or {}).get(info.filename, src.read(info.filename))
            out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
        for name, size in (streamed or {}).items():
            with out.open(name, "w", force_zip64=True) as member:
                block = b"\x00" * MB
                for _ in range(size // MB):
                    member.write(block)
    return path


def zip_bomb_declared(path: Path) -> Path:
    """One member that declares (and holds) 101 MiB of zeros: over max_member_mb."""
    return _zip_with(path, streamed={"xl/media/bomb.bin": 101 * MB})


def zip_bomb_ratio(path: Path) -> Path:
    """A 20 MiB member compressing about 1000:1: over max_ratio above 10 MiB."""
    return _zip_with(path, streamed={"xl/media/zeros.bin": 20 * MB})


def zip_too_many_members(path: Path) -> Path:
    return _zip_with(path, extra={f"xl/media/p{i}.xml": b"<a/>" for i in range(2100)})


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                  + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


def entity_bomb(path: Path) -> Path:
    return _zip_with(path, replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS})


def external_entity(path: Path) -> Path:
    xml = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')
    return _zip_with(path, replace={"xl/worksheets/sheet2.xml": xml})


def encrypted_ooxml(path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    source = good_xlsx(path.with_name("plain.xlsx"))
    with source.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    return path


def encrypted_xls(path: Path) -> Path:
    """A real .xls whose WINDOWPROTECT record is turned into FILEPASS (0x002F): 'encrypted'."""
    import struct

    import olefile

    compliant().save(path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        offset = 0
        while offset + 4 <= len(data):
            record, length = struct.unpack_from("<HH", data, offset)
            if record == 0x0019:
                struct.pack_into("<H", data, offset, 0x002F)
                break
            offset += 4 + length
        else:
            raise AssertionError("no WINDOWPROTECT record to turn into FILEPASS")
        ole.write_stream("Workbook", bytes(data))
    return path


def corrupt_xls(path: Path) -> Path:
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\xff" * 600)
    return path


def sparse_huge_sheet(path: Path) -> Path:
    """A tiny file whose 演练 sheet has a cell at XFD1048576: a used range of 17 billion cells."""
    from openpyxl import load_workbook

    source = good_xlsx(path.with_name("source.xlsx"))
    workbook = load_workbook(source)
    workbook["演练"]["XFD1048576"] = "x"
    workbook.save(path)
    return path


def word_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("word/document.xml", "<document/>")
    return path


HOSTILE = {
    "text.xlsx": (text_as_xlsx, "not a workbook"),
    "report.xlsx": (pdf_as_xlsx, "PDF"),
    "photo.xls": (png_as_xls, "PNG"),
    "truncated.xlsx": (truncated_zip, "truncated or corrupt"),
    "declared-bomb.xlsx": (zip_bomb_declared, "max_member_mb"),
    "ratio-bomb.xlsx": (zip_bomb_ratio, "max_ratio"),
    "many-parts.xlsx": (zip_too_many_members, "max_members"),
    "laughs.xlsx": (entity_bomb, "DOCTYPE"),
    "xxe.xlsx": (external_entity, "DOCTYPE"),
    "locked.xlsx": (encrypted_ooxml, "password-protected: save it without a password"),
    "locked.xls": (encrypted_xls, "password-protected: save it without a password"),
    "corrupt.xls": (corrupt_xls, "container is corrupt"),
    "letter.xlsx": (word_docx, "Word document"),
}


# ---------------------------------------------------------------- bypasses of the used-range guard (issue 20)
# Each file below is small and names a cell or a repeat that makes calamine allocate
# billions of cells; before the streaming guard, each aborted or swamped the process.
_FAR_ROW = 1048576


def _drills_part(source: Path) -> str:
    """The worksheet part of the 演练 sheet in a saved register (workbook.xml and its rels)."""
    import re

    with zipfile.ZipFile(source) as src:
        workbook = src.read("xl/workbook.xml").decode()
        rels = src.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'name="演练"[^>]*r:id="(rId\d+)"', workbook).group(1)
    target = re.search(rf'Target="/?([^"]+)" Id="{rid}"', rels).group(1)
    return target if target.startswith("xl/") else "xl/" + target


def _rewrite(path: Path, edit) -> Path:
    """A real register whose parts pass through edit(name, data) -> (name, data)."""
    source = good_xlsx(path.with_name("source-" + path.name))
    drills = _drills_part(source)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            name, data = edit(info.filename, src.read(info.filename), drills)
            out.writestr(name, data)
    return path


def _far_row(row_xml: bytes):
    """An edit that appends one row to the 演练 sheet, just before </sheetData>."""
    def edit(name: str, data: bytes, drills: str) -> tuple[str, bytes]:
        if name == drills:
            data = data.replace(b"</sheetData>", row_xml + b"</sheetData>", 1)
        return name, data
    return edit


def far_cell_single_quotes(path: Path) -> Path:
    """r='XFD1048576' in single quotes: the old regex looked for r="…" only."""
    return _rewrite(path, _far_row(b"<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>"))


def far_cell_lowercase(path: Path) -> Path:
    """r="xfd1048576" in lower case (calamine accepts it) in a row without r."""
    return _rewrite(path, _far_row(b'<row><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>'))


def cells_without_r(path: Path) -> Path:
    """16,384 cells without r in row 200,000: calamine counts columns itself (1.6e9 cells)."""
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 16384
    return _rewrite(path, _far_row(b'<row r="200000">' + cells + b"</row>"))


def sheet_part_not_xml(path: Path) -> Path:
    """The 演练 sheet stored as xl/worksheets/drills.bin (any name works for calamine)."""
    def edit(name: str, data: bytes, drills: str) -> tuple[str, bytes]:
        if name == drills:
            name, data = "xl/worksheets/drills.bin", data.replace(
                b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1)
        elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            data = data.replace(drills.removeprefix("xl/").encode(), b"worksheets/drills.bin")
        return name, data
    return _rewrite(path, edit)


def sheet_part_backslashes(path: Path) -> Path:
    """The 演练 sheet stored as xl\\worksheets\\sheetN.xml: Python's zipfile does not find it, calamine does."""
    def edit(name: str, data: bytes, drills: str) -> tuple[str, bytes]:
        if name == drills:
            name = name.replace("/", "\\")
            data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1)
        return name, data
    return _rewrite(path, edit)


def _patch_biff_cell(path: Path, row: int | None, col: int | None) -> Path:
    """Move the first NUMBER/RK/LABELSST cell of the last sheet to (row, col) in the BIFF stream."""
    import struct

    import olefile

    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        offset, last_cell = 0, None
        while offset + 4 <= len(data):
            record, length = struct.unpack_from("<HH", data, offset)
            if record in (0x0203, 0x027E, 0x00FD):
                last_cell = offset
            offset += 4 + length
        assert last_cell is not None
        if row is not None:
            struct.pack_into("<H", data, last_cell + 4, row)
        if col is not None:
            struct.pack_into("<H", data, last_cell + 6, col)
        ole.write_stream("Workbook", bytes(data))
    return path


def xls_far_cell(path: Path) -> Path:
    """A legacy .xls with one cell moved to IV65536 (the last cell BIFF8 allows): 16.7M cells."""
    compliant().save(path)
    return _patch_biff_cell(path, 0xFFFF, 0x00FF)


def xls_column_ffff(path: Path) -> Path:
    """A legacy .xls with one cell at column 0xFFFF, beyond BIFF8's 256 columns: 4.3e9 cells."""
    compliant().save(path)
    return _patch_biff_cell(path, 0xFFFF, 0xFFFF)


def xls_huge_dimensions(path: Path) -> Path:
    """A legacy .xls whose DIMENSIONS record claims 65536 x 65535: calamine reserves that many cells."""
    import struct

    import olefile

    compliant().save(path)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        offset = 0
        while offset + 4 <= len(data):
            record, length = struct.unpack_from("<HH", data, offset)
            if record == 0x0200 and length == 14:
                struct.pack_into("<IIHH", data, offset + 4, 0, 0xFFFF, 0, 0xFFFF)
            offset += 4 + length
        ole.write_stream("Workbook", bytes(data))
    return path


def ods_repeated(path: Path) -> Path:
    """A 6 KB .ods whose last sheet repeats one value over 1,048,576 rows x 94 columns (98M cells)."""
    source = compliant().save(path.with_name("source-" + path.name))
    row = (b'<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="94" '
           b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "content.xml":
                cut = data.rindex(b"</table:table>")
                data = data[:cut] + row + data[cut:]
            out.writestr(info, data)
    return path


def _xlsb_zip(path: Path) -> Path:
    """A zip laid out as an .xlsb (xl/workbook.bin): fireaudit does not read the binary format."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                     'officeDocument" Target="xl/workbook.bin"/></Relationships>')
        out.writestr("xl/workbook.bin", b"\x83\x01\x00\x84\x01\x00")     # BrtBeginBook, BrtEndBook
        out.writestr("xl/_rels/workbook.bin.rels", "<Relationships/>")
    return path


def xlsb_named_xlsb(path: Path) -> Path:
    return _xlsb_zip(path)


def xlsb_named_xlsx_upper(path: Path) -> Path:
    """An .xlsb saved as .XLSX: calamine tries the xlsb reader for an extension it does not know."""
    return _xlsb_zip(path)


BYPASSES = {
    # name: (maker, what the refusal or register error must say)
    "single-quotes.xlsx": (far_cell_single_quotes, "sheet-too-large"),
    "lowercase-ref.xlsx": (far_cell_lowercase, "sheet-too-large"),
    "cells-without-r.xlsx": (cells_without_r, "sheet-too-large"),
    "part-not-xml.xlsx": (sheet_part_not_xml, "sheet-too-large"),
    "backslashes.xlsx": (sheet_part_backslashes, "sheet-too-large"),
    "far-cell.xls": (xls_far_cell, "max_sheet_cells"),
    "column-ffff.xls": (xls_column_ffff, "max_sheet_cells"),
    "huge-dimensions.xls": (xls_huge_dimensions, "max_sheet_cells"),
    "repeated.ods": (ods_repeated, "max_sheet_cells"),
    "binary.xlsb": (xlsb_named_xlsb, ".xlsb"),
    "binary-upper.XLSX": (xlsb_named_xlsx_upper, ".xlsb"),
}


# ---------------------------------------------------------------- slow inputs for the old preflight (issue 20)
def many_formulas_without_value(path: Path, count: int = 10000) -> Path:
    """10,000 formula cells without a cached value in the 演练 sheet (quadratic `pair not in found`)."""
    rows = b"".join(b'<row r="%d"><c r="H%d"><f>1+%d</f></c></row>' % (n, n, n) for n in range(100, count + 100))
    return _rewrite(path, _far_row(rows))


def comment_redos(path: Path) -> Path:
    """A comment holding `<c ` 80,000 times (and an `<f`) in the 演练 sheet: a ReDoS for the old regex."""
    comment = b"<!-- " + b"<c " * 80000 + b"<f -->"
    return _rewrite(path, _far_row(comment))


SLOW = {
    "formulas-10k.xlsx": many_formulas_without_value,
    "comment-redos.xlsx": comment_redos,
}
