"""Refuse hostile or broken files before any parser sees them.

calamine allocates a sheet's whole used range at once and aborts the process
(uncatchably) when that fails, so a 10 KB workbook with one cell at XFD1048576
is a denial of service. Before parsing, this module sniffs what the file
really is, walks a zip's directory (member count, declared sizes, ratios),
stream-inflates every XML part with hard caps (catching sizes that lie),
refuses any DOCTYPE/ENTITY declaration, and measures each worksheet's used
range from its cell references. Legacy .xls files are checked as OLE
containers, including the BIFF FILEPASS record that marks a password."""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from fireaudit.errors import InputError

MB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_SNIFF = ((b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF8", "a GIF image"), (b"PK\x05\x06", "an empty zip archive"), (b"Rar!", "a RAR archive"),
          (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"))
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Cell and row references: the attribute r="…" wherever it stands in the tag. Patterns start
# with a literal so the regex engine skips ahead by substring search; other attributes ending
# in r (header="0.3") never hold letters-then-digits and at worst raise a maximum harmlessly.
_ROW = re.compile(rb'r="(\d+)"')
_CELL = re.compile(rb'r="([A-Z]{1,3})(\d+)"')
_WIDE_CELL = re.compile(rb'r="([A-Z]{2,3})\d')
_FAR_CELL = re.compile(rb'r="[A-Z]{1,3}(\d{6,})"')
_NO_VALUE_FORMULA = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]{1,3}\d+)"[^>]*>\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')
_ERROR_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3}\d+)"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?<v>([^<]*)</v>')
_OVERLAP = 512
_CHUNK = 4 * MB


class Limits(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    source: str
    max_file_mb: float
    max_member_mb: float
    max_total_mb: float
    max_ratio: float
    ratio_min_member_mb: float
    max_members: int
    max_sheet_cells: int
    exact_scan_max_mb: float
    text_prefix_chars: int                # read by fireaudit/textnorm.py, from the shipped file
    text_prefix_source: str


@dataclass
class SheetScan:
    """What the reader must know about one worksheet before loading it."""

    cells: int = 0                          # rows x columns of the used range (an upper bound)
    formulas_without_value: list[tuple[str, str]] = field(default_factory=list)   # (A1, formula)
    error_cells: list[tuple[str, str]] = field(default_factory=list)              # (A1, #REF! …)


@dataclass
class Preflight:
    kind: str                               # "xlsx", "ods", "xls"
    sheets: dict[str, SheetScan] = field(default_factory=dict)   # sheet name -> scan (xlsx only)


def check_file(path: Path, limits: Limits) -> Preflight:
    """Refuse (InputError, exit 3) anything that is not a safe workbook; else what was learnt."""
    name = str(path)
    if not path.is_file():
        raise InputError(name, "file not found")
    size = path.stat().st_size
    if size == 0:
        raise InputError(name, "not a workbook: the file is empty")
    if size > limits.max_file_mb * MB:
        raise InputError(name, f"refused: the file is {size / MB:.0f} MiB, over the limit of {limits.max_file_mb:g} MiB (max_file_mb)")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        return _check_zip(path, limits)
    if head == OLE_MAGIC:
        return _check_ole(path)
    for magic, what in _SNIFF:
        if head.startswith(magic):
            raise InputError(name, f"not a workbook: the file is {what}")
    raise InputError(name, "not a workbook: the file is neither an Excel nor an OpenDocument spreadsheet "
                           "(text or an unknown format)")


# ---------------------------------------------------------------- zip containers (.xlsx .xlsm .ods)
def _check_zip(path: Path, limits: Limits) -> Preflight:
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(name, f"not a readable workbook: the zip container is truncated or corrupt ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise InputError(name, f"refused: {len(members)} parts in the archive, over the limit of {limits.max_members} (max_members)")
        total = 0
        for info in members:
            _check_declared(name, info, limits)
            total += info.file_size
        if total > limits.max_total_mb * MB:
            raise InputError(name, f"refused: {total / MB:.0f} MiB uncompressed, over the limit of {limits.max_total_mb:g} MiB (max_total_mb)")
        names = {m.filename for m in members}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            kind = "xlsx"
        elif "content.xml" in names and _read_small(archive, "mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            kind = "ods"
        elif "word/document.xml" in names:
            raise InputError(name, "not a workbook: the file is a Word document")
        elif "ppt/presentation.xml" in names:
            raise InputError(name, "not a workbook: the file is a PowerPoint presentation")
        else:
            raise InputError(name, "not a workbook: a zip archive without a spreadsheet inside")

        worksheet_parts = _worksheet_parts(archive, name) if kind == "xlsx" else {}
        scans: dict[str, SheetScan] = {}
        inflated_total = 0
        for info in members:
            if not info.filename.endswith((".xml", ".rels", ".vml")) and info.filename != "mimetype":
                continue
            sheet = info.filename in worksheet_parts.values()
            scan, inflated = _scan_member(archive, info, limits, name, sheet)
            inflated_total += inflated
            if inflated_total > limits.max_total_mb * MB:
                raise InputError(name, f"refused: over {limits.max_total_mb:g} MiB uncompressed (max_total_mb)")
            if sheet:
                scans[info.filename] = scan
    return Preflight(kind, {sheet: scans.get(part, SheetScan()) for sheet, part in worksheet_parts.items()})


def _check_declared(name: str, info: zipfile.ZipInfo, limits: Limits) -> None:
    if info.flag_bits & 0x1:
        raise InputError(name, "password-protected: save it without a password")
    if info.file_size > limits.max_member_mb * MB:
        raise InputError(name, f"refused: part {info.filename} declares {info.file_size / MB:.0f} MiB, "
                               f"over the limit of {limits.max_member_mb:g} MiB (max_member_mb)")
    if info.file_size > limits.ratio_min_member_mb * MB:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise InputError(name, f"refused: part {info.filename} compresses {ratio:.0f}:1, over {limits.max_ratio:g}:1 "
                                   f"(max_ratio) — a zip bomb")


def _read_small(archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        with archive.open(member) as handle:
            return handle.read(200)
    except KeyError:
        return b""


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, name: str,
                 sheet: bool) -> tuple[SheetScan, int]:
    """Inflate one part with caps; refuse declarations; measure a worksheet's used range."""
    cap = int(limits.max_member_mb * MB)
    exact = info.file_size <= limits.exact_scan_max_mb * MB
    scan = SheetScan()
    rows: list[int] = []
    row_tags = 0
    columns: set[bytes] = set()
    far_rows: list[int] = []
    inflated = 0
    tail = b""
    try:
        with archive.open(info) as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    break
                inflated += len(chunk)
                if inflated > cap or inflated > info.file_size + _CHUNK:
                    raise InputError(name, f"refused: part {info.filename} inflates beyond its declared size or "
                                           f"{limits.max_member_mb:g} MiB (max_member_mb) — a zip bomb")
                window = tail + chunk
                if _DECLARATION.search(window):
                    raise InputError(name, f"refused: part {info.filename} carries an XML DOCTYPE or ENTITY "
                                           f"declaration (entity expansion attack)")
                if sheet:
                    found_rows = _ROW.findall(window)
                    rows.extend(map(int, found_rows))
                    if not found_rows:              # rows without r="…": count them instead
                        row_tags += chunk.count(b"<row")
                    if exact:
                        for column, row in _CELL.findall(window):
                            columns.add(column)
                            far_rows.append(int(row))
                    else:
                        columns.update(_WIDE_CELL.findall(window))
                        far_rows.extend(int(r) for r in _FAR_CELL.findall(window))
                    for found, pattern, marker in ((scan.formulas_without_value, _NO_VALUE_FORMULA, b"<f"),
                                                   (scan.error_cells, _ERROR_CELL, b't="e"')):
                        if marker not in window:      # a substring test spares the slow pattern
                            continue
                        for cell, text in pattern.findall(window):
                            pair = (cell.decode(), text.decode("utf-8", "replace"))
                            if pair not in found:
                                found.append(pair)
                tail = window[-_OVERLAP:]
    except InputError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:  # RuntimeError: unsupported compression
        raise InputError(name, f"not a readable workbook: part {info.filename} is corrupt ({exc})") from None
    if sheet:
        max_row = max([*rows, *far_rows, row_tags, 1])
        max_col = max([_column_number(c) for c in columns] + [1 if exact and columns else 26])
        scan.cells = max_row * max_col
    return scan, inflated


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _worksheet_parts(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Sheet name -> worksheet part, from workbook.xml and its relationships (read with defusedxml)."""
    from defusedxml import ElementTree

    try:
        with archive.open("xl/workbook.xml") as handle:
            workbook = ElementTree.parse(handle).getroot()
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            rels = ElementTree.parse(handle).getroot()
    except KeyError:
        return {}
    except Exception as exc:  # defusedxml raises on DTDs/entities; ParseError on garbage
        raise InputError(name, f"refused: the workbook index cannot be read safely ({type(exc).__name__})") from None
    targets: dict[str, str] = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id", "")] = re.sub(r"[^/]+/\.\./", "", target)
    parts: dict[str, str] = {}
    for element in workbook.iter():
        if element.tag.endswith("}sheet"):
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), "")
            if rid in targets:
                parts[element.get("name", "")] = targets[rid]
    return parts


# ---------------------------------------------------------------- OLE containers (.xls, encrypted OOXML)
def _check_ole(path: Path) -> Preflight:
    import olefile

    name = str(path)
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=False)}
            if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
                raise InputError(name, "password-protected: save it without a password")
            book = "Workbook" if "Workbook" in streams else "Book" if "Book" in streams else None
            if book is None:
                if "WordDocument" in streams:
                    raise InputError(name, "not a workbook: the file is a legacy Word document")
                raise InputError(name, "not a workbook: an OLE container without a workbook stream")
            with ole.openstream(book) as stream:
                head = stream.read(64 * 1024)
    except InputError:
        raise
    except Exception as exc:  # olefile raises OSError and its own errors on corrupt containers
        raise InputError(name, "not a readable workbook: the legacy .xls container is corrupt") from exc
    if _biff_has_filepass(head):
        raise InputError(name, "password-protected: save it without a password")
    return Preflight("xls")


def _biff_has_filepass(data: bytes) -> bool:
    """Walk the BIFF records of the globals substream; FILEPASS (0x002F) means encrypted."""
    offset = 0
    while offset + 4 <= len(data):
        record, length = struct.unpack_from("<HH", data, offset)
        if record == 0x002F:
            return True
        if record == 0x000A:          # EOF of the globals substream
            return False
        offset += 4 + length
    return False


def limits_of(checklist: Any) -> Limits:
    value = checklist.data["limits"]
    return value if isinstance(value, Limits) else msgspec.convert(value, Limits)
