"""Parse a big worksheet in parts, on several threads at once.

Why: calamine lets go of the GIL while it parses, and parsing is most of the time a 100,000-row
register takes. With cores idle (a single file's worker, fireaudit/speculative.py) the sheet is
parsed in a little over half the time on two cores.

How: the sheet's XML is inflated once and cut just before a `<row r="` at equal shares of it. Each
part becomes a workbook of its own, the original's index, styles and shared strings with that part
as the sheet, stored uncompressed in an anonymous temporary file: the parts live in the file system
(in TMPDIR, gone once parsed), not in this process, which holds the inflated XML only until the
parts are written. calamine parses the parts side by side and their rows are joined into the grid
one parse gives: every part starts with a row that says its number, so calamine puts each cell where
the whole sheet has it.

Whatever this cannot vouch for leaves the sheet to the caller's usual parse: XML that could hide a
false cut or that one parse reads otherwise (`<!`, `<?`, a prefixed or second sheetData, merges
among the rows), parts whose rows overlap or run backwards, a sheet name met twice, no temporary
file, any error. tests/test_parallel_parse.py compares the joined grid with one parse, cell for cell."""

from __future__ import annotations

import io
import os
import tempfile
import threading
import zipfile
from typing import Any, BinaryIO

# A sheet part smaller than this (inflated, as its zip entry declares) is parsed whole. Measured alone
# on two cores, parts parse no faster at 1 MiB and 20-40 % faster from about 2.5 MiB on (0.21 s
# instead of 0.34 at 10 MiB, 0.7-0.9 s instead of 1.0-1.2 at 52 MiB); below 8 MiB that is well
# under 0.1 s, not worth a second way of reading the sheet.
MIN_SHEET_BYTES = 8 << 20
MAX_PARTS = 4
_ROW = b'<row r="'
_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"


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
    from fireaudit.register.preflight import workbook_members

    joined: dict[str, JoinedSheet] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if all(info.file_size < MIN_SHEET_BYTES for info in archive.infolist()):
                return {}                # no part that big: the workbook's index is not worth resolving
            worksheets, opened = workbook_members(archive)
            index: dict[str, bytes] | None = None
            for name in names:
                members = [member for sheet, member in worksheets if sheet == name]
                if len(members) != 1 or archive.getinfo(members[0]).file_size < MIN_SHEET_BYTES:
                    continue
                if index is None:        # what calamine reads on opening: shared strings, styles …
                    index = {member: archive.read(member) for member in opened}
                sheet = _in_parts(archive.read(members[0]), members[0], index, name, parts)
                if sheet is not None:
                    joined[name] = sheet
    except Exception:   # noqa: BLE001 - a construct not foreseen: the whole sheet's parse says what it is
        pass
    return joined


def _in_parts(xml: bytes, member: str, index: dict[str, bytes], name: str, parts: int) -> JoinedSheet | None:
    """The sheet `name` (XML `xml`, at `member`) parsed in `parts` parts, or None."""
    opening, closing = xml.find(_OPEN), xml.rfind(_CLOSE)
    if opening < 0 or closing < opening:
        return None
    start = opening + len(_OPEN)
    cuts = [start]
    for k in range(1, parts):
        cut = xml.find(_ROW, start + (closing - start) * k // parts, closing)
        if cut > cuts[-1]:           # a long row may span several shares: one part fewer
            cuts.append(cut)
    if len(cuts) < 2:
        return None
    cuts.append(closing)
    head, tail = xml[:start], xml[closing:]
    parsing = _Parsing(name)
    try:
        if not _sure(xml, opening, closing):
            return None
        with memoryview(xml) as view:
            for begin, end in zip(cuts, cuts[1:]):
                parsing.add(_stored(index, member, (head, view[begin:end], tail)))
        del xml                      # the caller's only reference: the parts are in their files now
        return parsing.joined()
    finally:
        parsing.close()


def _sure(xml: bytes, opening: int, closing: int) -> bool:
    """Whether the parts hold, between them, exactly what one parse reads:
    - `sheetData` is named in its one start tag and its end tag only (one parse reads the first
      sheetData alone, a second one written `<sheetData >` would be among the parts' rows);
    - no merges among the rows (calamine takes the first mergeCells wherever it stands, and each part
      keeps only the sheet's head and end);
    - no comment, CDATA or instruction among them that could hold text like a row (else `<` starts
      markup only, and every `<row r="` a cut was put before is a row's start tag)."""
    start = opening + len(_OPEN)
    if xml.find(b"sheetData") != opening + 1 or xml.find(b"sheetData", start) != closing + 2 \
            or xml.rfind(b"sheetData") != closing + 2 or xml.find(b"mergeCell", start, closing) >= 0:
        return False
    for mark in (b"!", b"?"):        # memchr first: these bytes are rare in a sheet of values
        seen = xml.find(mark, start, closing)
        if seen >= 0 and xml.find(b"<" + mark, seen - 1, closing) >= 0:
            return False
    return True


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


class _Parsing:
    """The parts' parses: each but the last on a thread of its own, the last on the calling thread (in
    the process's main malloc arena, whose memory the reader's objects then reuse: a thread's arena
    keeps what its parse held)."""

    def __init__(self, name: str):
        self.name = name
        self.files: list[BinaryIO] = []
        self.sheets: list[Any] = []

    def add(self, handle: BinaryIO) -> None:
        self.files.append(handle)
        self.sheets.append(None)

    def _parse(self, k: int) -> None:
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(f"/proc/self/fd/{self.files[k].fileno()}")
            try:
                self.sheets[k] = workbook.get_sheet_by_name(self.name)
            finally:
                workbook.close()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:   # noqa: BLE001 - calamine's panics too: the whole parse says what it is
            self.sheets[k] = exc

    def joined(self) -> JoinedSheet | None:
        """Every part parsed, then joined; None if a parse failed."""
        threads = [threading.Thread(target=self._parse, args=(k,), daemon=True) for k in range(len(self.files) - 1)]
        for thread in threads:
            thread.start()
        try:
            self._parse(len(self.files) - 1)
        finally:
            for thread in threads:
                thread.join()
        if any(sheet is None or isinstance(sheet, BaseException) for sheet in self.sheets):
            return None
        return JoinedSheet.of(self.sheets)

    def close(self) -> None:
        for handle in self.files:
            handle.close()


class JoinedSheet:
    """The parts' sheets as one calamine sheet, as far as the reader uses one: `name`, `start`,
    `to_python`, `iter_rows` and `merged_cell_ranges` (each part's XML keeps the sheet's merges)."""

    def __init__(self, parts: list[Any]):
        self.parts = parts
        self.name = parts[0].name
        self.merged_cell_ranges = parts[0].merged_cell_ranges
        self.start = (parts[0].start[0], min(part.start[1] for part in parts))
        self.columns = max(part.end[1] for part in parts) + 1    # from column A (calamine's width is the range's)

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
        width = self.columns
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
        """As calamine's: every row from the first, each from the used range's first column (built at
        once: the reader iterates only small sheets' rows)."""
        first = self.start[1]
        rows = self.to_python(skip_empty_area=False)
        return iter([row[first:] for row in rows] if first else rows)
