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
