"""Formulas' cached values across an openpyxl round trip.

openpyxl keeps a workbook's formulas but writes them without the value the
township's spreadsheet program last computed (`<v>`), so a viewer that does not
recalculate (a phone preview, calamine, fireaudit itself) would show blanks.
`cached_values` reads the submitted file's `<c><f/><v/></c>` cells as stored;
`restore` writes those values back into the saved copy, cell by cell, in the
sheet of the same name. Only formula cells whose `<v>` openpyxl left empty are
touched."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = DOC_REL + "/officeDocument"
# Strict OOXML (ISO 29500 Strict) names the same things under purl.oclc.org.
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_DOC_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
MAINS = (MAIN, STRICT_MAIN)
DOC_RELS = (DOC_REL, STRICT_DOC_REL)
OFFICE_DOCUMENTS = (OFFICE_DOCUMENT, STRICT_DOC_REL + "/officeDocument")
KEPT_TYPES = ("str", "b", "e", "n")   # a formula's result type; `s`/`inlineStr` are not valid there

# A formula cell as openpyxl writes it (ElementTree or lxml): `<c r="B2" s="1"><f>A1*2</f><v /></c>`.
_EMPTY_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]{1,3}[0-9]+)"(?P<attrs>[^>]*)>'
    r'(?P<f><f(?:\s[^>]*)?>[^<]*</f>|<f(?:\s[^>]*)?/>)(?:<v\s*/>|<v></v>)</c>')

Cached = dict[str, dict[str, tuple[str | None, str]]]   # sheet name -> A1 -> (t, raw <v> text)


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package (e.g. `xl/worksheets/sheet1.xml`)."""
    from defusedxml.ElementTree import fromstring

    root_rels = fromstring(archive.read("_rels/.rels"))
    workbook_part = next((r.get("Target", "") for r in root_rels.iter(f"{{{PKG_REL}}}Relationship")
                          if r.get("Type") in OFFICE_DOCUMENTS), None)
    if workbook_part is None:
        return {}
    workbook_part = workbook_part.lstrip("/")
    folder, name = posixpath.split(workbook_part)
    rels = fromstring(archive.read(posixpath.join(folder, "_rels", name + ".rels")))
    targets = {}
    for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(folder, target))
    workbook = fromstring(archive.read(workbook_part))
    parts = {}
    for sheet in (e for main in MAINS for e in workbook.iter(f"{{{main}}}sheet")):
        part = targets.get(next((sheet.get(f"{{{rel}}}id") for rel in DOC_RELS if sheet.get(f"{{{rel}}}id")), None))
        if part and part in archive.namelist():
            parts[sheet.get("name")] = part
    return parts


def cached_values(path: str) -> Cached:
    """Every formula cell's stored result in the workbook at `path` (an .xlsx/.xlsm).

    A package whose parts cannot be found or parsed gives no cached values (the
    copy is still made, its formulas without results), never a crash."""
    from xml.etree.ElementTree import ParseError

    try:
        return _cached_values(path)
    except (KeyError, ValueError, ParseError, zipfile.BadZipFile, OSError):
        return {}


def _cached_values(path: str) -> Cached:
    from defusedxml.ElementTree import iterparse

    out: Cached = {}
    with zipfile.ZipFile(path) as archive:
        for sheet, part in sheet_parts(archive).items():
            cells: dict[str, tuple[str | None, str]] = {}
            with archive.open(part) as stream:
                for _, element in iterparse(stream):
                    main = element.tag[1:].partition("}")[0]
                    if element.tag != f"{{{main}}}c" or main not in MAINS:
                        continue
                    value = element.find(f"{{{main}}}v")
                    if element.find(f"{{{main}}}f") is not None and value is not None and value.text:
                        kind = element.get("t")
                        cells[element.get("r", "")] = (kind if kind in KEPT_TYPES else None, value.text)
                    element.clear()
            if cells:
                out[sheet] = cells
    return out


def restore(data: bytes, cached: Cached) -> bytes:
    """`data` (a workbook openpyxl saved) with the cached values put back into its formula cells."""
    if not cached:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {part: cached[name] for name, part in sheet_parts(source).items() if name in cached}
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in parts:
                content = _fill_in(content.decode("utf-8"), parts[info.filename]).encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def _fill_in(xml: str, cells: dict[str, tuple[str | None, str]]) -> str:
    def put_back(match: re.Match) -> str:
        found = cells.get(match["ref"])
        if found is None:
            return match[0]
        kind, value = found
        attrs = re.sub(r'\st="[^"]*"', "", match["attrs"])
        kind_attr = f' t="{kind}"' if kind and kind != "n" else ""
        return f'<c r="{match["ref"]}"{attrs}{kind_attr}>{match["f"]}<v>{escape(value)}</v></c>'

    return _EMPTY_FORMULA_CELL.sub(put_back, xml)
