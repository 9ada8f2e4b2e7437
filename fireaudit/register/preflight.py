"""Refuse hostile or broken files before any parser sees them.

calamine allocates a sheet's whole used range at once and aborts the process
(uncatchably) when that fails, so a 10 KB workbook with one cell at XFD1048576
is a denial of service. Before parsing, this module sniffs what the file
really is, walks a zip's directory (member count, declared sizes, ratios),
stream-inflates every XML part with hard caps (catching sizes that lie) and
refuses any DOCTYPE/ENTITY declaration. It then measures every sheet the way
calamine will see it, in one linear pass: OOXML worksheets by a streaming
expat parse of every part the workbook's relationships name (found as
calamine finds them: case-insensitive, backslashes as slashes, any
extension); .ods tables by summing number-rows/columns-repeated; legacy .xls
by walking the BIFF records (BoundSheet, DIMENSIONS, cell records). .xls and
.ods are parsed whole when opened, so a sheet over the limit refuses the file;
an .xlsx sheet is parsed only when read, so the reader skips it with a
register error. The binary .xlsb format is not accepted at all."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable
from xml.parsers import expat

import msgspec

from fireaudit.checklist.data import Limits
from fireaudit.errors import InputError
from fireaudit.i18n import Phrase

MB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# magic bytes -> what the file is, a catalogue key under error.file_kind
_SNIFF = ((b"%PDF", "pdf"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
          (b"PK\x05\x06", "empty-zip"), (b"Rar!", "rar"), (b"\x1f\x8b", "gzip"), (b"7z\xbc\xaf", "7z"))
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)   # a literal prefix: linear
_OVERLAP = 16
_CHUNK = 1 * MB
_END_RECORD_MAX = 22 + 0xFFFF                     # a zip's end record with the longest comment
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MAX_ROWS, _MAX_COLUMNS = 1048576, 16384          # calamine's caps on .ods repeats


@dataclass
class SheetScan:
    """What the reader must know about one worksheet before loading it."""

    cells: int = 0                          # max(used range from A1, cells seen): what calamine allocates
    formulas_without_value: list[tuple[str, str]] = field(default_factory=list)   # (A1, formula)
    error_cells: list[tuple[str, str]] = field(default_factory=list)              # (A1, #REF! …)


class SheetScans(dict):
    """Sheet name -> scan. A name the guard did not see (an XML parser may decode a name
    differently from calamine's) gets the largest scan: never a way round the limit."""

    def get(self, name, default=None):  # noqa: D102 - dict.get
        if name in self:
            return self[name]
        return SheetScan(max((s.cells for s in self.values()), default=0)) if self else default


@dataclass
class Preflight:
    kind: str                               # "xlsx", "ods", "xls"
    sheets: dict[str, SheetScan] = field(default_factory=SheetScans)   # sheet name -> scan (xlsx only)
    plain_parts: frozenset[str] = frozenset()   # worksheet members _PlainSheet measured: no formula in them


def check_file(path: Path, limits: Limits, data: bytes | None = None) -> Preflight:
    """Refuse (InputError, exit 3) anything that is not a safe workbook; else what was learnt.

    `data`, when given, is the file's content the caller read (and calamine will parse):
    the guard measures exactly those bytes, not the file again (it may have changed since)."""
    name = str(path)
    if path.is_dir():
        raise InputError(name, "is-directory")
    if data is None and not path.is_file():
        raise InputError(name, "file-not-found")
    size = path.stat().st_size if data is None else len(data)
    if size == 0:
        raise InputError(name, "file-empty")
    if size > limits.max_file_mb * MB:
        raise InputError(name, "file-too-large", size=f"{size / MB:.0f}", limit=limits.max_file_mb)
    if path.suffix.lower() == ".xlsb":
        raise InputError(name, "xlsb")
    if data is None:
        with path.open("rb") as handle:
            head = handle.read(8)
    else:
        head = data[:8]
    source = path if data is None else io.BytesIO(data)
    if head.startswith(ZIP_MAGIC):
        return _check_zip(name, source, limits)
    if head == OLE_MAGIC:
        return _check_ole(name, source, limits)
    for magic, what in _SNIFF:
        if head.startswith(magic):
            raise InputError(name, "sniffed-other", what=Phrase(f"error.file_kind.{what}"))
    raise InputError(name, "unknown-format")


# ---------------------------------------------------------------- zip containers (.xlsx .xlsm .ods)
class _Parts:
    """Member lookup as calamine does it: exact name, else case-insensitive with backslashes as slashes."""

    def __init__(self, name: str, members: list[zipfile.ZipInfo]):
        self.by_name = {m.filename: m for m in members}
        self.normal: dict[str, str] = {}
        for member in members:
            key = _normal(member.filename)
            if key in self.normal:
                raise InputError(name, "duplicate-member", part=member.filename)
            self.normal[key] = member.filename

    def find(self, path: str) -> str | None:
        """The real member calamine opens for `path`, or None."""
        real = self.normal.get(path.translate(_ASCII_LOWER))
        if real is not None:
            return real
        return path if path in self.by_name else None


def _normal(path: str) -> str:
    return path.replace("\\", "/").translate(_ASCII_LOWER)


def declared_members(tail: bytes) -> int | None:
    """The number of members a zip's end-of-central-directory record declares, from the file's last
    bytes; None when there is no such record or it defers to zip64."""
    end = tail.rfind(b"PK\x05\x06", max(0, len(tail) - _END_RECORD_MAX))
    if end < 0 or end + 22 > len(tail):
        return None
    count = int.from_bytes(tail[end + 10:end + 12], "little")
    return None if count == 0xFFFF else count


def _tail(source: Path | BinaryIO) -> bytes:
    """The last bytes of the file, where the end record lies."""
    handle = source.open("rb") if isinstance(source, Path) else contextlib.nullcontext(source)
    with handle as stream:
        stream.seek(0, io.SEEK_END)
        stream.seek(max(0, stream.tell() - _END_RECORD_MAX))
        tail = stream.read()
        stream.seek(0)
    return tail


def _check_zip(name: str, source: Path | BinaryIO, limits: Limits) -> Preflight:
    # zipfile holds an entry per member in memory before the members can be counted: the count the end
    # record declares is checked first (a lying record is caught by the count below)
    declared = declared_members(_tail(source))
    if declared is not None and declared > limits.max_members:
        raise InputError(name, "too-many-members", count=declared, limit=limits.max_members)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(name, "zip-corrupt", detail=str(exc)) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise InputError(name, "too-many-members", count=len(members), limit=limits.max_members)
        total = 0
        for info in members:
            _check_declared(name, info, limits)
            total += info.file_size
        if total > limits.max_total_mb * MB:
            raise InputError(name, "total-too-large", size=f"{total / MB:.0f}", limit=limits.max_total_mb)
        parts = _Parts(name, members)
        office = _office_document(archive, parts, name)
        if parts.find("xl/workbook.bin") or office.lower().endswith(".bin"):
            raise InputError(name, "xlsb")
        xl_path = office[:office.rfind("/") + 1].lstrip("/") if office else "xl/"
        workbook = parts.find(xl_path + "workbook.xml")
        ods = "content.xml" in parts.by_name
        if workbook:
            kind = "xlsx"
        elif ods and _read_small(archive, "mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            kind = "ods"
        elif parts.find("word/document.xml"):
            raise InputError(name, "word-document")
        elif parts.find("ppt/presentation.xml"):
            raise InputError(name, "powerpoint")
        else:
            raise InputError(name, "zip-no-spreadsheet")

        # calamine picks the reader by extension, or tries each in turn: measure every format present.
        worksheets = _worksheet_parts(archive, parts, xl_path, workbook, name) if workbook else []
        counters: dict[str, list[Any]] = {part: [_SheetCounter()] for _, part in worksheets}
        tables = _OdsCounter()
        if ods:
            counters.setdefault("content.xml", []).append(tables)
        inflated_total = 0
        for info in members:
            fed = counters.get(info.filename, [])
            if not fed and not info.filename.lower().endswith(_XML_SUFFIXES) and info.filename != "mimetype":
                continue
            inflated_total += _scan_member(archive, info, limits, name, fed)
            if inflated_total > limits.max_total_mb * MB:
                raise InputError(name, "inflated-too-large", limit=limits.max_total_mb)
    if ods:
        _check_totals(name, tables.tables, limits)
    scans = SheetScans()
    for sheet, part in worksheets:
        scan = counters[part][0].result()
        if sheet not in scans or scan.cells > scans[sheet].cells:   # a repeated name: the larger counts
            scans[sheet] = scan
    plain = frozenset(part for _, part in worksheets if counters[part][0].measured is not None)
    return Preflight(kind, scans, plain)


def workbook_members(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str]], list[str]]:
    """Of an OOXML workbook, resolved as calamine resolves them: (sheet name, real member of its part)
    for every sheet, and the members calamine reads on opening it (the package's content types and
    relationships, the workbook part, its relationships and the parts they name that are not sheets:
    shared strings, styles, theme …). ([], []) without a workbook part; InputError when an index part
    cannot be read."""
    name = archive.filename or "workbook"
    parts = _Parts(name, archive.infolist())
    office = _office_document(archive, parts, name)
    xl_path = office[:office.rfind("/") + 1].lstrip("/") if office else "xl/"
    workbook = parts.find(xl_path + "workbook.xml")
    if not workbook:
        return [], []
    rels_part = xl_path + "_rels/workbook.xml.rels"
    rels = _parse_index(archive, parts, rels_part, name) or []
    sheets = _worksheet_parts(archive, parts, xl_path, workbook, name, rels)
    named = [target for tag, attributes in rels
             if _local(tag) == "Relationship" and (target := attributes.get("Target"))]
    opened = {parts.find("[Content_Types].xml"), parts.find("_rels/.rels"), workbook, parts.find(rels_part)}
    opened.update(parts.find(t[1:] if t.startswith("/") else xl_path + t) for t in named)
    opened.difference_update(member for _, member in sheets)
    return sheets, sorted(member for member in opened if member)


def _check_declared(name: str, info: zipfile.ZipInfo, limits: Limits) -> None:
    if info.flag_bits & 0x1:
        raise InputError(name, "password")
    if info.file_size > limits.max_member_mb * MB:
        raise InputError(name, "member-too-large", part=info.filename, size=f"{info.file_size / MB:.0f}",
                      limit=limits.max_member_mb)
    if info.file_size > limits.ratio_min_member_mb * MB:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise InputError(name, "zip-bomb-ratio", part=info.filename, ratio=f"{ratio:.0f}", limit=limits.max_ratio)


def _read_small(archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        with archive.open(member) as handle:
            return handle.read(200)
    except KeyError:
        return b""


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, name: str,
                 counters: list[Any]) -> int:
    """Inflate one part with caps and refuse declarations; measure it with each counter.

    A worksheet is first measured by `_PlainSheet` (a few C-speed byte scans per chunk); a part
    it cannot vouch for (formulas, comments, prefixes, cells without r …) is measured again
    by the expat counter, which sees every element as calamine does."""
    try:
        if len(counters) == 1 and isinstance(counters[0], _SheetCounter):
            plain = _PlainSheet()
            inflated = _inflate(archive, info, limits, name, plain.feed, declarations=False)   # `<!` is not plain
            if inflated is not None and plain.finish():
                counters[0].measured = plain.result()
                return inflated
        parsers = [counter.parser() for counter in counters]

        def parse(chunk: bytes) -> bool:
            for parser in parsers:
                parser.Parse(chunk, False)
            return True

        inflated = _inflate(archive, info, limits, name, parse)
        for parser in parsers:
            parser.Parse(b"", True)
    except InputError:
        raise
    except _Declared:
        raise InputError(name, "xml-declaration", part=info.filename) from None
    except expat.ExpatError as exc:
        raise InputError(name, "part-malformed", part=info.filename, detail=str(exc)) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:  # RuntimeError: unsupported compression
        raise InputError(name, "part-corrupt", part=info.filename, detail=str(exc)) from None
    return inflated


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, name: str,
             consume: Callable[[bytes], bool], declarations: bool = True) -> int | None:
    """Stream one part in chunks with the size caps and the declaration check, handing each chunk to
    `consume`; the bytes inflated, or None as soon as `consume` says False (it cannot go on).

    `declarations=False` leaves the check to `consume` (`_PlainSheet` stops at any `<!`, and the
    part is then inflated again, checked, for the XML parser)."""
    cap = int(limits.max_member_mb * MB)
    inflated = 0
    tail = b""
    with archive.open(info) as handle:
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                return inflated
            inflated += len(chunk)
            if inflated > cap or inflated > info.file_size + _CHUNK:
                raise InputError(name, "zip-bomb-inflate", part=info.filename, limit=limits.max_member_mb)
            if declarations:
                if _DECLARATION.search(tail + chunk):
                    raise InputError(name, "xml-declaration", part=info.filename)
                tail = chunk[-_OVERLAP:]
            if not consume(chunk):
                return None


def _office_document(archive: zipfile.ZipFile, parts: _Parts, name: str) -> str:
    """The officeDocument target of _rels/.rels (calamine's way to the workbook), or ''."""
    target = ""
    for tag, attributes in _parse_index(archive, parts, "_rels/.rels", name) or ():
        if _local(tag) == "Relationship" and attributes.get("Type", "").endswith("/relationships/officeDocument"):
            target = attributes.get("Target", "")
    return target


def _parse_index(archive: zipfile.ZipFile, parts: _Parts, part: str, name: str) -> list[tuple[str, dict]] | None:
    """A small index part (rels, workbook.xml): its elements in document order as (tag, attributes),
    names as `namespace}local`; None if absent. Read with expat under defusedxml's policy (no entity
    declared or referred to outside: `_new_parser`), where ElementTree through defusedxml took ~9 ms
    to import."""
    real = parts.find(part)
    if real is None:
        return None
    info = parts.by_name[real]
    elements: list[tuple[str, dict]] = []
    parser = _new_parser(lambda tag, attributes: elements.append((tag, attributes)), lambda _: None, lambda _: None,
                         namespaces=True)
    parser.StartDoctypeDeclHandler = None     # as defusedxml's default: a DTD passes here (the scan of every
    try:                                      # part refuses it below), an entity in it does not
        with archive.open(info) as handle:
            parser.Parse(handle.read(info.file_size + 1), True)
    except _Declared:
        raise InputError(name, "index-unreadable", detail="EntitiesForbidden") from None
    except Exception as exc:  # noqa: BLE001 - expat on garbage, zipfile on a broken member (BadZipFile …)
        detail = "ParseError" if isinstance(exc, expat.ExpatError) else type(exc).__name__
        raise InputError(name, "index-unreadable", detail=detail) from None
    return elements


def _local(tag: str) -> str:
    """An element's or attribute's name without its namespace."""
    return tag.rpartition("}")[2]


def _worksheet_parts(archive: zipfile.ZipFile, parts: _Parts, xl_path: str, workbook_part: str,
                     name: str, rels: list[tuple[str, dict]] | None = None) -> list[tuple[str, str]]:
    """(sheet name, real member of its part) for every sheet, resolved as calamine resolves it (`rels`:
    the workbook's relationships, when the caller has parsed them already)."""
    if rels is None:
        rels = _parse_index(archive, parts, xl_path + "_rels/workbook.xml.rels", name)
    workbook = _parse_index(archive, parts, workbook_part, name)
    targets: dict[str, str] = {}
    for tag, attributes in rels or ():
        if _local(tag) == "Relationship" and attributes.get("Id") is not None:
            targets[attributes["Id"]] = attributes.get("Target", "")
    sheets: list[tuple[str, str]] = []
    for tag, attributes in workbook or ():
        if _local(tag) != "sheet":
            continue
        rid = ""
        for key, value in attributes.items():
            if key == "id" or key.endswith("}id"):
                rid = value
        target = targets.get(rid)
        if target is None:
            continue                                  # calamine refuses the workbook
        real = parts.find(target[1:] if target.startswith("/") else xl_path + target)
        if real is not None:
            sheets.append((attributes.get("name", ""), real))
    return sheets


class _Declared(Exception):
    """A DOCTYPE or entity declaration met by the streaming parser."""


def _new_parser(start: Callable, end: Callable, chars: Callable, namespaces: bool = False) -> expat.XMLParserType:
    """An expat parser that refuses DTDs and entities (defusedxml's policy) and buffers text; with
    `namespaces`, names are `namespace}local` (ElementTree's without its `{`)."""
    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars

    def refuse(*_: Any) -> None:
        raise _Declared()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _column_numbers() -> dict[str, int]:
    """'A' -> 0 … 'ZZ' -> 701: the common case of a reference looked up, not computed (all 16,384
    columns up to XFD took ~3 ms to list at every start; a wider column is computed in _position)."""
    letters = [chr(65 + i) for i in range(26)]
    two = [a + b for a in letters for b in letters]
    return {name: i for i, name in enumerate(letters + two)}


_COLUMNS = _column_numbers()
_DIGITS = "0123456789"


def _position(ref: str, column: bool = True) -> tuple[int, int] | None:
    """(row, column), zero-based, of an A1 reference read as calamine reads it (letters of
    either case, then digits); None where calamine refuses it."""
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters):]
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    col = _COLUMNS.get(letters, -1 if not letters else None)
    if col is None:
        if not letters.isascii() or not letters.isalpha():
            return None
        col = -1
        for char in letters:
            col = (col + 1) * 26 + (ord(char) & 0x1F) - 1
    row = int(digits)
    if row < 1 or (column and col < 0):
        return None
    return row - 1, col


class _SheetCounter:
    """One OOXML worksheet's cells, positioned as calamine's cell reader positions them:
    a cell's r (either case, either quote) moves the column, a cell without r takes the
    next column, a row's r sets the row and the next row without r follows it.

    Only element starts are handled (a callback per end tag would double the cost), so
    the text of <f> and <v> runs to the next start tag, and a cell without r is counted
    one row further down (calamine may have closed the row): never fewer cells than calamine."""

    def __init__(self) -> None:
        self.row, self.col, self.count = -1, 0, 0
        self.max_row = self.max_col = -1
        self.in_cell = self.error = self.inline = False
        self.cell = (0, 0)
        self.formula: list[str] | None = None
        self.value: list[str] | None = None
        self.formulas: dict[tuple[str, str], None] = {}      # ordered sets: linear, first seen first
        self.errors: dict[tuple[str, str], None] = {}
        self._parser: expat.XMLParserType | None = None

    def parser(self) -> expat.XMLParserType:
        self._parser = _new_parser(self.start, None, None)
        return self._parser

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.capturing:
            self._parser.CharacterDataHandler = None
            self.capturing = False
        handler = _SHEET_TAGS.get(tag)
        if handler is None:
            if ":" not in tag:
                return
            handler = _SHEET_TAGS.get(tag.rpartition(":")[2])     # calamine matches local names
            if handler is None:
                return
        handler(self, attrs)

    capturing = False
    measured: SheetScan | None = None     # set when _PlainSheet measured the part instead

    def _c(self, attrs: dict[str, str]) -> None:
        if self.in_cell:
            self._finish_cell()
        ref = attrs.get("r")
        pos = _position(ref) if ref is not None else None
        if pos is None:                           # no r (or one calamine refuses): the next column
            pos = (self.row + 1, self.col)        # a row down: calamine may have ended the row
        self.col = pos[1] + 1
        self.count += 1
        if pos[0] > self.max_row:
            self.max_row = pos[0]
        if pos[1] > self.max_col:
            self.max_col = pos[1]
        self.cell, self.in_cell = pos, True
        self.error, self.inline = attrs.get("t") == "e", False

    def _row(self, attrs: dict[str, str]) -> None:
        if self.in_cell:
            self._finish_cell()
        ref = attrs.get("r")
        pos = _position(ref, column=False) if ref is not None else None
        self.row = pos[0] if pos is not None else self.row + 1
        self.col = 0

    def _f(self, attrs: dict[str, str]) -> None:
        if self.in_cell:
            self.formula = []
            self._parser.CharacterDataHandler = self.formula.append
            self.capturing = True

    def _v(self, attrs: dict[str, str]) -> None:
        if not self.in_cell:
            return
        if self.formula is None and not self.error:       # a plain value: its text is not needed
            self.value = ["?"]                            # (a <v> before <f> counts as a value)
            return
        self.value = []
        self._parser.CharacterDataHandler = self.value.append
        self.capturing = True

    def _is(self, attrs: dict[str, str]) -> None:
        self.inline = self.in_cell

    def _finish_cell(self) -> None:
        self.in_cell = False
        formula, value = self.formula, self.value
        self.formula = self.value = None
        if formula is None and not self.error:
            return
        from fireaudit.register.model import a1

        cell = a1(*self.cell)
        text = "".join(value).strip() if value is not None else None
        if formula is not None and not self.inline and not text:
            self.formulas.setdefault((cell, "".join(formula).strip()), None)
        if self.error and text is not None:
            self.errors.setdefault((cell, text), None)

    def result(self) -> SheetScan:
        if self.measured is not None:
            return self.measured
        if self.in_cell:
            self._finish_cell()
        cells = max(self.count, (self.max_row + 1) * (self.max_col + 1)) if self.count else 0
        return SheetScan(cells, list(self.formulas), list(self.errors))


class _PlainSheet:
    """A worksheet written plainly, measured by byte scans instead of an XML parser (issue 19, item 4).

    Plain means what Excel, WPS and openpyxl write for a sheet of values: UTF-8, every cell
    `<c r="A1"` with its reference first, upper-case letters and a row from 1, every r attribute
    written ` r="`, no comment, CDATA, processing instruction or DTD, no namespace prefix on c or
    row, no formula (`<f`) and no error cell (`t="e"`). Then the cells calamine sees are exactly
    the `<c r="…"` starts: they are counted, and one search per chunk finds any cell beyond the
    running maxima of row and column (no object per cell).
    Anything else makes `feed` answer False and the part is measured by `_SheetCounter`. Text can
    only over-count here (a literal `<c r="XFD1"` inside a value would need a `<`, which XML text
    cannot hold), never under-count: the checks below make every other spelling fall back."""

    # Each pattern starts with a literal (a character class at the start makes `re` try every byte):
    # every scan below is one C-speed pass over the chunk.
    _PREFIXED = re.compile(rb":(?:c|row|f|v|is)[\s/>]")      # `<x:c` (and, harmlessly, text like `8:c `)
    # an r attribute anywhere but first in <c or <row (a second one in a cell), or spelt ` r =`, ` r='`
    _ODD_R = re.compile(rb' r(?:=(?:"(?<!<c r=")(?<!<row r=")|[^"])|\s+=)')
    _ERROR_VALUE = re.compile(rb"""e(?:"(?<="e")|'(?<='e'))""")   # t="e" (or any value e): error cells
    _OTHER_SPACE_R = re.compile(rb"[\t\n\r\f\v]r\s*=")       # run only when such a space occurs at all
    _OTHER_SPACES = (b"\t", b"\n", b"\r", b"\f", b"\v")
    _DECLARATION = re.compile(rb'\A(?:\xef\xbb\xbf)?<\?xml[^>]*?\?>')
    _UTF8 = re.compile(rb'encoding\s*=\s*["\']utf-?8["\']', re.IGNORECASE)
    # <f, <!, <? (not plain): each one pattern with a two-byte literal start, run only from the first
    # f, ! or ? (a memchr) of the chunk: in a sheet of values these bytes hardly occur
    _OTHER_TAGS = ((b"f", re.compile(rb"<f[\s/>]")), (b"!", re.compile(rb"<!")), (b"?", re.compile(rb"<\?")))
    _REFERENCE = re.compile(rb'<c r="([A-Z]{1,3}+)([1-9][0-9]*+)"')
    # every `<c` tag (not `<col`, `<cfRule`): its plain reference's letters and row, or two empty groups
    # when it is written otherwise (r not first, or not a plain reference): `_past`'s cases, for a small part
    _CELL_TAG = re.compile(rb'<c(?: r="(?:([A-Z]{1,3}+)([1-9][0-9]*+)"|)|(?![^\s/>]))')
    # up to this many bytes a part's cells are listed and their maxima taken: less than compiling a
    # `_past` search for each new maximum (a few per sheet, each as long as listing 20 KB of cells)
    _LISTED_MAX_BYTES = 64 * 1024

    def __init__(self) -> None:
        self.carry = b""
        self.started = False
        self.count = 0
        self.max_row = 0                      # one-based, as written
        self.max_col = -1                     # zero-based

    def feed(self, chunk: bytes) -> bool:
        data = self.carry + chunk
        if not self.started:
            declaration = self._DECLARATION.match(data)
            rest = data[declaration.end():].lstrip(b" \t\r\n") if declaration else data
            if (not rest or rest.startswith(b"<?") and declaration is None) and len(data) < 4096:
                self.carry = data               # the declaration or the first tag not complete yet
                return True
            if declaration and b"encoding" in declaration.group() and not self._UTF8.search(declaration.group()):
                return False
            if not rest.startswith(b"<") or rest.startswith(b"<?"):
                return False
            self.started, data = True, rest
        cut = data.rfind(b"<")          # a tag may straddle chunks: keep from the last `<` for the next
        if cut <= 0:
            cut = 0
        self.carry = data[cut:]
        if len(self.carry) > 2 * _CHUNK:
            return False
        return self._scan(data, cut)

    def finish(self) -> bool:
        rest, self.carry = self.carry, b""
        return self.started and self._scan(rest, len(rest))

    def _scan(self, data: bytes, end: int) -> bool:
        """Measure data[:end] (bounds passed to each scan rather than the piece copied).

        No object per cell: the cells are counted (`bytes.count`), and one search per chunk
        (`_past`) finds any cell written otherwise, or whose reference is not plain, or that lies
        right of or below the farthest cell seen. It starts from the chunk's last cell, so with
        rows written in order it usually finds nothing; each cell it finds raises a maximum and
        the search goes on from that cell. Every other check is one C pass (a memchr where the
        pattern needs a rare byte)."""
        if not end:
            return True
        colon = data.find(b":", 0, end)                   # memchr: a prefix needs a colon, rare in values
        if data.find(b"\x00", 0, end) >= 0 or self._ERROR_VALUE.search(data, 0, end) \
                or colon >= 0 and self._PREFIXED.search(data, colon, end) or self._ODD_R.search(data, 0, end):
            return False
        if any(data.find(space, 0, end) >= 0 for space in self._OTHER_SPACES) \
                and self._OTHER_SPACE_R.search(data, 0, end):
            return False
        for char, tag in self._OTHER_TAGS:              # each searched from its rare second byte on
            first = data.find(char, 0, end)
            if first >= 0 and tag.search(data, max(first - 1, 0), end):
                return False
        if end <= self._LISTED_MAX_BYTES:
            return self._listed(data, end)
        cells = data.count(b'<c r="', 0, end)
        max_row, max_col = self.max_row, self.max_col
        if cells:                          # the last cell: a real one, so a safe first maximum
            last = self._REFERENCE.match(data, data.rfind(b'<c r="', 0, end), end)
            if last is not None:
                max_row = max(max_row, int(last[2]))
                max_col = max(max_col, _column_of(last[1]))
        start = 0
        while found := _past(max_col, max_row).search(data, start, end):
            letters, row = found.group(1, 2)
            if letters is not None:
                max_col = _column_of(letters)
            elif row is not None:
                max_row = int(row)
            else:
                return False                              # not plain: a cell written otherwise
            start = found.start()                         # the same cell may also lie further down
        self.count += cells
        if cells:
            self.max_row, self.max_col = max_row, max_col
        return True

    def _listed(self, data: bytes, end: int) -> bool:
        """`_scan`'s measure of a small data[:end]: every cell listed, the maxima taken in one go."""
        found = self._CELL_TAG.findall(data, 0, end)
        if not all(row for _, row in found):
            return False                                  # not plain: a cell written otherwise
        if found:
            self.max_row = max(self.max_row, max(int(row) for _, row in found))
            widest = max((letters for letters, _ in found), key=lambda letters: (len(letters), letters))
            self.max_col = max(self.max_col, _column_of(widest))
            self.count += len(found)
        return True

    def result(self) -> SheetScan:
        if not self.count:
            return SheetScan(0)
        return SheetScan(max(self.count, self.max_row * (self.max_col + 1)))


def _column_of(letters: bytes) -> int:
    """The zero-based column of a reference's upper-case letters."""
    return _position(letters.decode() + "1")[1]


@functools.lru_cache(maxsize=256)
def _past(col: int, row: int) -> re.Pattern[bytes]:
    """One search for what stops a plain scan or raises its maxima. At a `<c` it matches a cell
    whose r is not first and written ` r="`, a cell whose reference is not `[A-Z]{1,3}` then a row
    from 1 then `"` (groups 1 and 2 None); a cell right of zero-based column `col` (group 1: its
    letters); or else a cell below one-based row `row` (group 2: its row). `<col`, `<cfRule` … pass."""
    return re.compile((f'<c(?: r="(?:(?![A-Z]{{1,3}}+[1-9][0-9]*+")|({_letters_past(col)})(?=[1-9])'
                       f'|[A-Z]{{1,3}}+({_digits_past(row)})")'
                       r'|(?! r=")(?![^\s/>]))').encode())


def _letters_past(col: int) -> str:
    """A pattern for the letters (to ZZZ) of a column right of zero-based column `col`."""
    from fireaudit.register.model import column_letter

    if col < 0:
        return "[A-Z]{1,3}"
    name = column_letter(col) if col < 18278 else "ZZZ"
    later = [f"[A-Z]{{{len(name) + 1},3}}"] if len(name) < 3 else []      # longer names come later
    later += [f"{name[:i]}[{chr(ord(name[i]) + 1)}-Z][A-Z]{{{len(name) - 1 - i}}}"
              for i in range(len(name)) if name[i] != "Z"]
    return "|".join(later) or "(?!)"


def _digits_past(row: int) -> str:
    """A pattern for the digits (no leading zero) of a number greater than `row` >= 0, to be followed
    by a non-digit: longer ones, or as long and greater at the first digit that differs."""
    digits = str(row)
    same = ""                                   # as long and greater: a trie built from the last digit
    for i in range(len(digits) - 1, -1, -1):
        greater = f"[{int(digits[i]) + 1}-9][0-9]{{{len(digits) - 1 - i}}}" if digits[i] != "9" else ""
        same = "|".join(part for part in (greater, same and f"{digits[i]}(?:{same})") if part)
    return f"[1-9][0-9]{{{len(digits)},}}+" + (f"|{same}" if same else "")


_SHEET_TAGS = {"c": _SheetCounter._c, "row": _SheetCounter._row, "f": _SheetCounter._f, "v": _SheetCounter._v,
               "is": _SheetCounter._is}
_ODS_VALUES = ("office:value", "office:string-value", "office:date-value", "office:time-value",
               "office:boolean-value", "table:formula")


def _repeats(attrs: dict[str, str], key: str) -> int:
    text = attrs.get(key)
    return int(text) if text is not None and text.isascii() and text.isdigit() else 1


class _OdsCounter:
    """Each table of an .ods content.xml: rows and columns as calamine expands their repeats
    (capped as it caps them), trailing empty cells and empty rows not counted, as calamine
    does not store them. The used range is measured from A1."""

    def __init__(self) -> None:
        self.tables: list[tuple[str, int]] = []
        self._new_table("")

    def _new_table(self, name: str) -> None:
        self.name, self.rows, self.used_rows, self.width = name, 0, 0, 0
        self.row_repeats = self.position = self.row_end = 0
        self.cell_repeats, self.cell_filled, self.depth = 0, False, 0

    def parser(self) -> expat.XMLParserType:
        return _new_parser(self.start, self.end, lambda _: None)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.depth:                                    # inside a cell: content makes it filled
            self.depth += 1
            self.cell_filled = True
        elif tag == "table:table-cell" or tag == "table:covered-table-cell":
            self.cell_repeats = max(0, min(_repeats(attrs, "table:number-columns-repeated"), _MAX_COLUMNS - self.position))
            self.cell_filled = any(key in attrs for key in _ODS_VALUES)
            self.depth = 1
        elif tag == "table:table-row":
            self.row_repeats = max(0, min(_repeats(attrs, "table:number-rows-repeated"), _MAX_ROWS - self.rows))
            self.position = self.row_end = 0
        elif tag == "table:table":
            self._new_table(attrs.get("table:name", ""))

    def end(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            if not self.depth:
                self.position += self.cell_repeats
                if self.cell_filled:
                    self.row_end = self.position
        elif tag == "table:table-row":
            if self.row_end:
                self.used_rows = self.rows + self.row_repeats
                self.width = max(self.width, self.row_end)
            self.rows += self.row_repeats
        elif tag == "table:table":
            self.tables.append((self.name, self.used_rows * self.width))


def _check_totals(name: str, tables: list[tuple[str, int]], limits: Limits) -> None:
    """Refuse a workbook parsed whole on opening (.xls, .ods) if a sheet or all of them are too large."""
    for sheet, cells in tables:
        if cells > limits.max_sheet_cells:
            raise InputError(name, "sheet-too-large", sheet=sheet, cells=f"{cells:,}", limit=f"{limits.max_sheet_cells:,}")
    total = sum(cells for _, cells in tables)
    if total > limits.max_workbook_cells:
        raise InputError(name, "workbook-too-large", cells=f"{total:,}", limit=f"{limits.max_workbook_cells:,}")


# ---------------------------------------------------------------- OLE containers (.xls, encrypted OOXML)
_BIFF_CELLS = frozenset((0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006))  # the records calamine keeps


def _check_ole(name: str, source: Path | BinaryIO, limits: Limits) -> Preflight:
    import olefile

    try:
        with olefile.OleFileIO(source if not isinstance(source, Path) else str(source)) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=False)}
            if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
                raise InputError(name, "password")
            books = [s for s in streams if s.lower() in ("workbook", "book")]   # calamine tries these names
            if not books:
                if "WordDocument" in streams:
                    raise InputError(name, "legacy-word")
                raise InputError(name, "ole-no-workbook")
            data = []
            for book in sorted(books):
                with ole.openstream(book) as stream:
                    data.append(stream.read(int(limits.max_file_mb * MB) + 1))
    except InputError:
        raise
    except Exception as exc:  # olefile raises OSError and its own errors on corrupt containers
        raise InputError(name, "xls-corrupt") from exc
    for stream in data:
        if _biff_has_filepass(stream[:64 * 1024]):
            raise InputError(name, "password")
        _check_totals(name, _biff_sheets(name, stream), limits)
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


def _biff_sheets(name: str, data: bytes) -> list[tuple[str, int]]:
    """(sheet, cells calamine allocates) for each BoundSheet of a BIFF workbook stream.

    Walks the globals for BoundSheet records, then each sheet's substream from its
    offset, as calamine does: DIMENSIONS (calamine reserves rows x columns) and every
    cell record it keeps, nested substreams (charts) skipped. One pass per distinct offset."""
    sheets: list[tuple[int, str]] = []          # (offset, sheet name)
    offset = 0
    for record, start, length in _records(data, 0):
        if record == 0x0085 and length >= 4:
            sheets.append((struct.unpack_from("<I", data, start)[0], _biff_sheet_name(data[start:start + length], len(sheets))))
        elif record == 0x000A:
            break
    measured: dict[int, int] = {}
    found: list[tuple[str, int]] = []
    for offset, sheet in sheets:
        if offset > len(data):
            raise InputError(name, "xls-bad-offset", sheet=sheet)
        if offset not in measured:
            measured[offset] = _biff_sheet_cells(data, offset)
        found.append((sheet, measured[offset]))
    return found


def _biff_sheet_name(record: bytes, index: int) -> str:
    """A BoundSheet8's name (BIFF8 ShortXLUnicodeString), or its position when it cannot be read."""
    try:
        count, flags = record[6], record[7]
        text = record[8:8 + 2 * count].decode("utf-16-le") if flags & 1 else record[8:8 + count].decode("latin-1")
        if len(text) == count and text.isprintable():
            return text
    except (IndexError, UnicodeDecodeError):
        pass
    return f"#{index + 1}"


def _records(data: bytes, offset: int):
    """(type, data start, length) of each whole BIFF record from `offset`."""
    size = len(data)
    while offset + 4 <= size:
        record, length = struct.unpack_from("<HH", data, offset)
        if offset + 4 + length > size:
            return
        yield record, offset + 4, length
        offset += 4 + length


def _biff_sheet_cells(data: bytes, offset: int) -> int:
    reserve = count = 0
    max_row = max_col = -1
    seen_bof, depth = False, 0
    for record, start, length in _records(data, offset):
        if depth:
            depth += 1 if record == 0x0809 else -1 if record == 0x000A else 0
            continue
        if record == 0x0809:
            depth, seen_bof = (depth + 1 if seen_bof else depth), True
        elif record == 0x000A:
            break
        elif record == 0x0200:
            reserve = max(reserve, _biff_dimensions(data[start:start + length]))
        elif record in _BIFF_CELLS and length >= 4:
            row, col = struct.unpack_from("<HH", data, start)
            count += 1
            max_row, max_col = max(max_row, row), max(max_col, col)
        elif record == 0x00BD and length >= 6:           # MULRK: a run of columns in one row
            row, first = struct.unpack_from("<HH", data, start)
            last = struct.unpack_from("<H", data, start + length - 2)[0]
            count += max(0, last - first + 1)
            max_row, max_col = max(max_row, row), max(max_col, last, first)
    used = (max_row + 1) * (max_col + 1) if count else 0
    return max(reserve, used, count)


def _biff_dimensions(record: bytes) -> int:
    """The cells calamine reserves for a DIMENSIONS record (a row range that runs backwards wraps: huge)."""
    if len(record) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", record)
    elif len(record) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", record)
    else:
        return 0
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row < 1 or last_col < 1:
        return 1
    rows = last_row - first_row if last_row - 1 >= first_row else 1 << 32
    return rows * (last_col - first_col)


def limits_of(checklist: Any) -> Limits:
    value = checklist.data["limits"]
    return value if isinstance(value, Limits) else msgspec.convert(value, Limits)
