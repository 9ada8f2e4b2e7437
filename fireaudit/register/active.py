"""What --annotate must check before openpyxl opens a submission, and what it strips from the copy.

Bounds: openpyxl holds every cell, every cell a merged range covers (one
MergedCell each: a merge H1:XFD1048576 is 17 billion objects), every shared
string and every style in memory. `over_limits` counts them by streaming the
package's XML in chunks (byte counts and a linear regex; nothing is parsed into
a tree) and says which limit of checklists/limits.toml a workbook exceeds.

Active content: a township's copy must not carry what runs or phones home when
opened. `strip_active` removes DDE formulas (`=cmd|' /C calc'!A0`), neutralises
HYPERLINK/WEBSERVICE/… formulas into text, drops javascript:/file:/UNC cell
links; external links are not loaded at all (keep_links=False). It returns
what it removed, for the 审核意见 sheet."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from fireaudit.i18n import Phrase
from fireaudit.lazy_re import LazyPattern

CHUNK = 1 << 20
# Compiled on first use: a register's check uses two (the links in .rels), most only --annotate.
_MERGE = LazyPattern(rb'<(?:\w+:)?mergeCell\s[^>]{0,200}?ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')
_CELL = LazyPattern(rb"<(?:\w+:)?c[\s>/]")
# A formula that calls out of the spreadsheet: DDE (`app|topic!item`) or a function
# that opens links, fetches URLs or calls code.
_DDE = LazyPattern(r"^\s*=?\s*[-+@]*\s*'?[A-Za-z0-9_.\- ]{1,64}'?\|")
_ACTIVE_FUNCTIONS = LazyPattern(r"\b(HYPERLINK|WEBSERVICE|FILTERXML|CALL|REGISTER\.ID|EXEC|RTD|DDE|IMPORTDATA|IMPORTXML)\s*\(",
                                re.IGNORECASE)
_SAFE_LINK = LazyPattern(r"^(https?:|mailto:|#)", re.IGNORECASE)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member's bytes in ~1 MiB pieces, each cut before its last `<` so that no tag is split."""
    tail = b""
    with archive.open(info) as handle:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                cut = len(data)
            yield data[:cut]
            tail = data[cut:]
    if tail:
        yield tail


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, counted: re.Pattern[bytes] | LazyPattern,
          merges: bool = False) -> tuple[int, int, int]:
    """(matches of `counted`, merged ranges, cells they cover) in one member."""
    found = ranges = covered = 0
    for body in _chunks(archive, info):
        found += len(counted.findall(body))
        if merges:
            for c1, r1, c2, r2 in _MERGE.findall(body):
                ranges += 1
                covered += (abs(int(r2) - int(r1)) + 1) * (abs(_column(c2) - _column(c1)) + 1)
    return found, ranges, covered


def over_limits(path: Path, limits: Any) -> Phrase | None:
    """The first annotate limit `path` (an .xlsx/.xlsm) exceeds, as a reason; None when it fits."""
    try:
        with zipfile.ZipFile(path) as archive:
            cells = ranges = covered = strings = styles = 0
            for info in archive.infolist():
                name = info.filename.replace("\\", "/").lower()
                if name.endswith("sharedstrings.xml"):
                    strings += _scan(archive, info, re.compile(rb"<(?:\w+:)?si[\s>/]"))[0]
                elif name.endswith("styles.xml"):
                    styles += _scan(archive, info, re.compile(rb"<(?:\w+:)?xf[\s>/]"))[0]
                elif "worksheets/" in name or "/sheets/" in name:
                    c, r, v = _scan(archive, info, _CELL, merges=True)
                    cells, ranges, covered = cells + c, ranges + r, covered + v
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError) as exc:
        return Phrase("error.annotate.not_zip", {"detail": type(exc).__name__})
    checks = [
        (cells + covered, limits.annotate_max_cells, "annotate_max_cells", "cells"),
        (ranges, limits.annotate_max_merged, "annotate_max_merged", "merged"),
        (strings, limits.annotate_max_shared_strings, "annotate_max_shared_strings", "strings"),
        (styles, limits.annotate_max_styles, "annotate_max_styles", "styles"),
    ]
    for value, limit, key, what in checks:
        if value > limit:
            return Phrase("error.annotate.too_large", {"count": f"{value:,}", "what": Phrase(f"error.annotate.what.{what}"),
                                                       "limit": f"{limit:,}", "key": key})
    return None


def strip_active(workbook: Any) -> list[str]:
    """Remove or neutralise active content in an openpyxl workbook; one line per thing removed."""
    removed: list[str] = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" and isinstance(value, str):
                    if _DDE.match(value) or _ACTIVE_FUNCTIONS.search(value):
                        kind = "DDE" if _DDE.match(value) else _ACTIVE_FUNCTIONS.search(value).group(1).upper()
                        cell.value = value.lstrip("=")            # kept as text, for the record
                        cell.data_type = "s"
                        removed.append(f"{sheet.title}!{cell.coordinate}: {kind} {value[:80]}")
                link = cell.hyperlink
                if link is not None:
                    target = (link.target or "") if hasattr(link, "target") else ""
                    if target and not _SAFE_LINK.match(target.strip()):
                        cell.hyperlink = None
                        removed.append(f"{sheet.title}!{cell.coordinate}: link {target[:80]}")
    external = getattr(workbook, "_external_links", None)
    if external:
        removed.append(f"{len(external)} external workbook link(s)")
        workbook._external_links = []
    return removed


_TARGET = LazyPattern(rb'Target="([^"]{0,2048})"')
_RISKY_TARGET = LazyPattern(rb"^\s*(file:|javascript:|vbscript:|\\\\|//)", re.IGNORECASE)
_FORMULA = LazyPattern(rb"<(?:\w+:)?f(?:\s[^>]{0,400})?>([^<]{0,8192})")
_RISKY_FORMULA = LazyPattern(rb"^\s*[-+@]*'?[\w.\- ]{1,64}'?\||HYPERLINK\s*\(|WEBSERVICE\s*\(|CALL\s*\(|RTD\s*\(", re.IGNORECASE)


def active_content(source: Path | bytes, formula_free: frozenset[str] = frozenset()) -> list[str]:
    """What active content a submitted .xlsx/.xlsm carries (DDE or link formulas, external links, file:/javascript: links).

    For the register error; a bounded streaming scan of the package's XML (`source`: the file, or
    the bytes already read from it). Worksheet members in `formula_free` (the preflight measured
    them as plain values: no `<f`) are not inflated again."""
    found: set[str] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            for info in archive.infolist():
                name = info.filename.replace("\\", "/").lower()
                if "externallinks/" in name and name.endswith(".xml"):
                    found.add("external link")
                elif name.endswith(".rels"):
                    for body in _chunks(archive, info):
                        if any(_RISKY_TARGET.match(t) for t in _TARGET.findall(body)):
                            found.add("file:/javascript: link")
                elif "worksheets/" in name and info.filename not in formula_free:
                    for body in _chunks(archive, info):
                        for formula in _FORMULA.findall(body):
                            match = _RISKY_FORMULA.search(formula)
                            if match:
                                found.add("DDE formula" if match.group().endswith(b"|") else
                                          f"{match.group().decode().rstrip('( ').upper()} formula")
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return []
    return sorted(found)
