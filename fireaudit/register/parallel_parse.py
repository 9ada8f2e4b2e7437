"""Parse a big worksheet in parts, on several threads at once.

Why: calamine lets go of the GIL while it parses, and parsing is most of the time a 100,000-row
register takes. With cores idle (a single file's worker, fireaudit/speculative.py) the sheet is
parsed in a little over half the time on two cores.

How: the sheet's XML is inflated once and cut just before a `<row r="` at equal shares of it. Each
part becomes a workbook of its own, the original's index, styles and shared strings with that part
as the sheet, stored uncompressed in an anonymous temporary file: the parts live in the file
system, not in this process, so the parse holds no more memory than one parse of the whole sheet.
calamine parses the parts side by side and their rows are joined into the grid one parse gives:
every part starts with a row that says its number, so calamine puts each cell where the whole sheet
has it.

Whatever this cannot vouch for leaves the sheet to the caller's usual parse: XML that could hide a
false cut (`<!`, `<?`, a prefixed or repeated sheetData), parts whose rows overlap or run backwards,
a sheet name met twice, no temporary file, any error. tests/test_parallel_parse.py compares the
joined grid with one parse, cell for cell."""

from __future__ import annotations

import io
import os
import tempfile
import threading
import zipfile
from typing import Any, BinaryIO

# A sheet part smaller than this (inflated, as its zip entry declares) is parsed whole: below it,
# inflating, cutting and writing the parts cost about what parsing them side by side saves.
MIN_SHEET_BYTES = 8 << 20
MAX_PARTS = 4
_ROW = b'<row r="'
_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"
_INDEX_SUFFIXES = (".xml", ".rels")     # besides the worksheets, what calamine may read: copied into each part


def cores() -> int:
    """The cores this process may run on (1 where that cannot be told)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return 1


def big_sheets(data: bytes, names: list[str]) -> dict[str, JoinedSheet]:
    """Of the sheets `names` of the OOXML workbook `data`, those of at least MIN_SHEET_BYTES, each parsed
    in parts; a sheet that could not be is left out (the caller parses it whole)."""
    parts = min(cores(), MAX_PARTS)
    if parts < 2 or not os.path.isdir("/proc/self/fd"):     # calamine opens each part by a path
        return {}
    from fireaudit.register.preflight import worksheet_members

    joined: dict[str, JoinedSheet] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            worksheets = worksheet_members(archive)
            index: dict[str, bytes] | None = None
            for name in names:
                members = [member for sheet, member in worksheets if sheet == name]
                if len(members) != 1 or archive.getinfo(members[0]).file_size < MIN_SHEET_BYTES:
                    continue
                if index is None:
                    skip = {member for _, member in worksheets}
                    index = {m.filename: archive.read(m) for m in archive.infolist()
                             if m.filename not in skip and m.filename.lower().endswith(_INDEX_SUFFIXES)}
                sheet = _in_parts(archive.read(members[0]), members[0], index, name, parts)
                if sheet is not None:
                    joined[name] = sheet
    except Exception:   # noqa: BLE001 - a construct not foreseen: the whole sheet's parse says what it is
        pass
    return joined


def _in_parts(xml: bytes, member: str, index: dict[str, bytes], name: str, parts: int) -> JoinedSheet | None:
    """The sheet `name` (XML `xml`, at `member`) parsed in `parts` parts, or None."""
    cuts = _cuts(xml, parts)
    if cuts is None:
        return None
    head, tail = xml[:cuts[0]], xml[cuts[-1]:]
    files: list[BinaryIO] = []
    try:
        with memoryview(xml) as view:
            for start, end in zip(cuts, cuts[1:]):
                files.append(_stored(index, member, (head, view[start:end], tail)))
        del xml                      # the caller's only reference: the parts are in their files now
        return _parse_joined(files, name)
    finally:
        for handle in files:
            handle.close()


def _cuts(xml: bytes, parts: int) -> list[int] | None:
    """Where the parts' rows start, and where the last one's end: the first at sheetData's start,
    the others at the first `<row r="` from an equal share of it on; None where no cut is sure.
    (`<` starts markup only, once comments, CDATA and instructions are ruled out: a `<row r="` found
    is a row's start tag.)"""
    opening, closing = xml.find(_OPEN), xml.rfind(_CLOSE)
    if opening < 0 or closing < opening or xml.find(_OPEN, opening + 1) >= 0:
        return None
    start = opening + len(_OPEN)
    for mark in (b"!", b"?"):        # a comment, CDATA or instruction could hold text like a row: memchr first
        seen = xml.find(mark, start, closing)
        if seen >= 0 and xml.find(b"<" + mark, seen - 1, closing) >= 0:
            return None
    cuts = [start]
    for k in range(1, parts):
        cut = xml.find(_ROW, start + (closing - start) * k // parts, closing)
        if cut > cuts[-1]:           # a long row may span several shares: one part fewer
            cuts.append(cut)
    return cuts + [closing] if len(cuts) > 1 else None


def _stored(index: dict[str, bytes], member: str, pieces: tuple[Any, ...]) -> BinaryIO:
    """An anonymous temporary file holding a workbook of `index`'s parts and of `member`, written from
    `pieces`, stored uncompressed."""
    handle = tempfile.TemporaryFile(prefix="fireaudit-part-")
    try:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as book:
            for name, content in index.items():
                book.writestr(name, content)
            sheet = zipfile.ZipInfo(member)
            sheet.file_size = sum(len(piece) for piece in pieces)
            with book.open(sheet, "w") as out:
                for piece in pieces:
                    out.write(piece)
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return handle


def _parse_joined(files: list[BinaryIO], name: str) -> JoinedSheet | None:
    """Each part's workbook parsed on a thread of its own (the first on this one); joined, or None."""
    from python_calamine import CalamineWorkbook

    parsed: list[Any] = [None] * len(files)

    def parse(k: int) -> None:
        try:
            workbook = CalamineWorkbook.from_path(f"/proc/self/fd/{files[k].fileno()}")
            try:
                parsed[k] = workbook.get_sheet_by_name(name)
            finally:
                workbook.close()
        except BaseException as exc:   # noqa: BLE001 - calamine's panics too: the whole parse says what it is
            parsed[k] = exc

    threads = [threading.Thread(target=parse, args=(k,), daemon=True) for k in range(1, len(files))]
    for thread in threads:
        thread.start()
    parse(0)
    for thread in threads:
        thread.join()
    if any(sheet is None or isinstance(sheet, BaseException) for sheet in parsed):
        return None
    return JoinedSheet.of(parsed)


class JoinedSheet:
    """The parts' sheets as one calamine sheet, as far as the reader uses one: `name`, `start`,
    `to_python`, `iter_rows` and `merged_cell_ranges` (each part's XML keeps the sheet's merges)."""

    def __init__(self, parts: list[Any]):
        self.parts = parts
        self.name = parts[0].name
        self.merged_cell_ranges = parts[0].merged_cell_ranges
        self.start = (parts[0].start[0], min(part.start[1] for part in parts))
        self.width = max(part.end[1] for part in parts) + 1      # from column A

    @classmethod
    def of(cls, parsed: list[Any]) -> JoinedSheet | None:
        """The parts joined, or None when their rows do not follow one another."""
        parts = [sheet for sheet in parsed if sheet.start is not None and sheet.end is not None]
        if not parts or any(later.start[0] <= earlier.end[0] for earlier, later in zip(parts, parts[1:])):
            return None
        return cls(parts)

    def to_python(self, skip_empty_area: bool = True) -> list[list[Any]]:
        """The rows as calamine gives them for the whole sheet: from A1 with skip_empty_area=False,
        else from the first cell of the used range."""
        width = self.width
        rows = self.parts[0].to_python(skip_empty_area=False)
        if len(rows[0]) < width:
            padding = [""] * (width - len(rows[0]))
            for row in rows:
                row.extend(padding)
        for part in self.parts[1:]:
            rows.extend([""] * width for _ in range(part.start[0] - len(rows)))     # empty rows at a cut
            more = part.to_python(skip_empty_area=True)
            left, right = part.start[1], width - 1 - part.end[1]
            if left or right:
                before, after = [""] * left, [""] * right
                more = [before + row + after for row in more]
            rows.extend(more)
        if skip_empty_area:
            top, first = self.start
            rows = [row[first:] for row in rows[top:]] if first else rows[top:]
        return rows

    def iter_rows(self):
        """As calamine's: every row from the first, each from the used range's first column."""
        first = self.start[1]
        rows = self.to_python(skip_empty_area=False)
        return iter([row[first:] for row in rows] if first else rows)
