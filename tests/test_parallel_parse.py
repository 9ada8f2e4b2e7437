"""A big sheet parsed in parts on several threads (fireaudit/register/parallel_parse.py) must give,
cell for cell, what one parse of the whole sheet gives; and whatever could make the parts differ
must leave the sheet to the usual parse.

The size threshold is lowered to 0 and the cores are pretended, so that small readable
workbooks, built here, take the parallel parse."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from fireaudit.register import parallel_parse
from fireaudit.register.parallel_parse import JoinedSheet, big_sheets

SHEET = "检查隐患"


@pytest.fixture(params=[2, 3, 4])
def parts(request, monkeypatch):
    monkeypatch.setattr(parallel_parse, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel_parse, "cores", lambda: request.param)
    return request.param


def _joined(path: Path, name: str = SHEET) -> JoinedSheet | None:
    return big_sheets(path.read_bytes(), [name]).get(name)


def _assert_as_one_parse(path: Path, name: str = SHEET) -> JoinedSheet:
    joined = _joined(path, name)
    assert joined is not None, "the sheet was not parsed in parts"
    whole = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name)
    assert joined.to_python(skip_empty_area=False) == whole.to_python(skip_empty_area=False)
    assert joined.to_python(skip_empty_area=True) == whole.to_python(skip_empty_area=True)
    assert list(joined.iter_rows()) == list(whole.iter_rows())
    assert joined.start == whole.start
    assert joined.merged_cell_ranges == whole.merged_cell_ranges
    return joined


# ---------------------------------------------------------------- workbooks written by openpyxl
def _openpyxl_book(path: Path, rows: dict[int, dict[int, object]], merges: tuple[str, ...] = ()) -> Path:
    """A workbook whose sheet SHEET has `rows` (row -> column -> value, one-based) and `merges`."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    for r, cells in rows.items():
        for c, value in cells.items():
            sheet.cell(row=r, column=c, value=value)
    for merge in merges:
        sheet.merge_cells(merge)
    other = book.create_sheet("村社区")
    other.append(["村", "户数"])
    book.save(path)
    return path


def _hazard(n: int) -> dict[int, object]:
    return {1: n, 2: date(2024, 4, 1 + n % 28), 3: f"场所{n}", 4: "未设置疏散指示标志" if n % 3 else "灭火器过期",
            5: n % 2 == 0, 6: n * 1.5, 7: datetime(2024, 5, 1, 8, 30)}


def test_a_table_of_every_kind_of_value_joins_as_one_parse(tmp_path, parts):
    rows = {1: {1: "消防安全检查及隐患台账"}, 2: {c: f"列{c}" for c in range(1, 8)}}
    rows.update({r: _hazard(r) for r in range(3, 120)})
    _assert_as_one_parse(_openpyxl_book(tmp_path / "t.xlsx", rows, merges=("A1:G1",)))


def test_a_table_away_from_a1_joins_as_one_parse(tmp_path, parts):
    rows = {r: {c + 2: v for c, v in _hazard(r).items()} for r in range(5, 80)}
    joined = _assert_as_one_parse(_openpyxl_book(tmp_path / "t.xlsx", rows))
    assert joined.start == (4, 2)


@pytest.mark.parametrize("later_columns", [range(1, 3), range(1, 12), range(4, 9)])
def test_parts_of_other_widths_join_as_one_parse(tmp_path, parts, later_columns):
    """The later rows narrower, wider, or further right than the first ones."""
    rows = {r: {c: f"{r}-{c}" for c in range(1, 7)} for r in range(1, 40)}
    rows.update({r: {c: f"{r}-{c}" for c in later_columns} for r in range(40, 90)})
    _assert_as_one_parse(_openpyxl_book(tmp_path / "t.xlsx", rows))


def test_empty_rows_where_the_sheet_is_cut_join_as_one_parse(tmp_path, parts):
    rows = {r: _hazard(r) for r in [*range(1, 20), *range(70, 75), *range(160, 200)]}
    _assert_as_one_parse(_openpyxl_book(tmp_path / "t.xlsx", rows))


# ---------------------------------------------------------------- workbooks written by hand
_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                  'styles" Target="styles.xml"/></Relationships>')
_STYLES = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           '2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
           '</styleSheet>')


def _hand_book(path: Path, rows_xml: str, *, data_tag: str = "sheetData", name: str = SHEET, after: str = "",
               extra: dict[str, str] | None = None) -> Path:
    """A workbook of one sheet whose sheetData holds `rows_xml` as written, followed by `after`; with
    the `extra` members besides."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:C300"/><{data_tag}>{rows_xml}</{data_tag.split()[0]}>{after}</worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for member, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                             ("xl/workbook.xml", _WORKBOOK.format(name=name)),
                             ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES),
                             ("xl/worksheets/sheet1.xml", sheet), *(extra or {}).items()):
            book.writestr(member, text)
    return path


def _row(r: int, *, with_r: bool = True) -> str:
    """Row r: an inline string, a date (style 1) and a number."""
    ref = f' r="{r}"' if with_r else ""
    cell = (lambda c: f' r="{c}{r}"') if with_r else (lambda c: "")
    return (f'<row{ref}><c{cell("A")} t="inlineStr"><is><t>隐患{r}</t></is></c>'
            f'<c{cell("B")} s="1"><v>{45383 + r}</v></c><c{cell("C")}><v>{r}.5</v></c></row>')


def test_inline_strings_and_dates_written_by_hand_join_as_one_parse(tmp_path, parts):
    _assert_as_one_parse(_hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 200))))


def test_a_cut_right_after_empty_rows_joins_as_one_parse(tmp_path, parts):
    """Row 50 holds most of the bytes, so every share ends in it and each later part starts at row 200."""
    long_row = f'<row r="50"><c r="A50" t="inlineStr"><is><t>{"隐" * 20000}</t></is></c></row>'
    rows = "".join(_row(r) for r in range(1, 50)) + long_row + "".join(_row(r) for r in range(200, 210))
    joined = _assert_as_one_parse(_hand_book(tmp_path / "t.xlsx", rows))
    assert [part.start[0] for part in joined.parts] == [0, 199]


def test_rows_without_their_number_join_as_one_parse(tmp_path, parts):
    """Only rows that say their number start a part; the others follow the row before, in both parses."""
    rows = "".join(_row(r, with_r=r % 5 == 0) for r in range(5, 200))
    _assert_as_one_parse(_hand_book(tmp_path / "t.xlsx", rows))


@pytest.mark.parametrize("odd", ["<!-- {row} -->", "<![CDATA[{row}]]>", "<?note {row}?>"])
def test_comments_cdata_or_instructions_in_the_rows_leave_the_sheet_whole(tmp_path, parts, odd):
    rows = [_row(r) for r in range(1, 200)]
    rows.insert(150, odd.format(row=_row(999)))
    assert _joined(_hand_book(tmp_path / "t.xlsx", "".join(rows))) is None


def test_a_second_sheet_data_leaves_the_sheet_whole(tmp_path, parts):
    """One parse reads the first sheetData only; the parts would have read a second `<sheetData >`'s
    rows as the sheet's."""
    second = '<sheetData >' + "".join(_row(r) for r in range(5000, 5200)) + "</sheetData>"
    path = _hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 50)), after=second)
    assert _joined(path) is None
    assert len(CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()) == 49


@pytest.mark.parametrize("tag", ['sheetData xmlns="urn:other"', "sheetData "])
def test_sheet_data_written_otherwise_leaves_the_sheet_whole(tmp_path, parts, tag):
    assert _joined(_hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 200)), data_tag=tag)) is None


def test_merges_among_the_rows_leave_the_sheet_whole(tmp_path, parts):
    """calamine takes the first mergeCells wherever it stands; the parts keep only the sheet's head and end."""
    rows = [_row(r) for r in range(1, 200)]
    rows.insert(150, '<mergeCells count="1"><mergeCell ref="A150:B152"/></mergeCells>')
    path = _hand_book(tmp_path / "t.xlsx", "".join(rows))
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).merged_cell_ranges
    assert _joined(path) is None


def test_merges_after_the_rows_join_as_one_parse(tmp_path, parts):
    after = '<mergeCells count="1"><mergeCell ref="A10:C12"/></mergeCells>'
    joined = _assert_as_one_parse(_hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 200)),
                                             after=after))
    assert joined.merged_cell_ranges


def test_only_what_calamine_opens_is_copied_into_the_parts(tmp_path, parts, monkeypatch):
    """A drawing the sheet's relationships name is not copied: calamine reads the workbook's index,
    styles and shared strings on opening, not the sheets' drawings."""
    copied = []
    real = parallel_parse._stored
    monkeypatch.setattr(parallel_parse, "_stored", lambda index, *rest: copied.append(sorted(index)) or real(index, *rest))
    drawing = {"xl/drawings/drawing1.xml": "<xdr:wsDr/>" * 1000,
               "xl/worksheets/_rels/sheet1.xml.rels": "<Relationships/>"}
    path = _hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 200)), extra=drawing)
    _assert_as_one_parse(path)
    assert copied and all(names == ["[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels",
                                     "xl/styles.xml", "xl/workbook.xml"] for names in copied)


def test_rows_running_backwards_across_a_cut_leave_the_sheet_whole(tmp_path, parts):
    rows = "".join(_row(r) for r in [*range(100, 200), *range(1, 100)])
    assert _joined(_hand_book(tmp_path / "t.xlsx", rows)) is None


def test_a_prefixed_sheet_data_leaves_the_sheet_whole(tmp_path, parts):
    rows = "".join(_row(r) for r in range(1, 200))
    assert _joined(_hand_book(tmp_path / "t.xlsx", rows, data_tag="x:sheetData")) is None


def test_rows_that_never_say_their_number_leave_the_sheet_whole(tmp_path, parts):
    rows = "".join(_row(r, with_r=False) for r in range(1, 200))
    assert _joined(_hand_book(tmp_path / "t.xlsx", rows)) is None


def test_a_part_calamine_fails_on_leaves_the_sheet_whole(tmp_path, parts, monkeypatch):
    import python_calamine

    opened, real = [], python_calamine.CalamineWorkbook

    class FailingOnTheLastPart:
        @staticmethod
        def from_path(path):
            opened.append(path)
            if len(opened) == parts:
                raise python_calamine.CalamineError("part unreadable")
            return real.from_path(path)

    path = _hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 200)))
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", FailingOnTheLastPart)
    assert _joined(path) is None and len(opened) == parts


# ---------------------------------------------------------------- when it is tried at all
def test_a_small_sheet_one_core_or_another_format_is_parsed_whole(tmp_path, monkeypatch):
    path = _hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 200)))
    assert big_sheets(path.read_bytes(), [SHEET]) == {}                   # under MIN_SHEET_BYTES
    monkeypatch.setattr(parallel_parse, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel_parse, "cores", lambda: 1)
    assert big_sheets(path.read_bytes(), [SHEET]) == {}                   # no idle core
    monkeypatch.setattr(parallel_parse, "cores", lambda: 2)
    assert big_sheets(b"not a zip", [SHEET]) == {}
    assert set(big_sheets(path.read_bytes(), [SHEET, "其他"])) == {SHEET}  # a sheet it does not hold: left out


def test_the_parts_are_gone_when_the_parse_is_done(tmp_path, parts, monkeypatch):
    """The parts' temporary files are anonymous and closed: nothing is left in the temporary folder."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    _assert_as_one_parse(_hand_book(tmp_path / "t.xlsx", "".join(_row(r) for r in range(1, 200))))
    assert list((tmp_path / "tmp").iterdir()) == []
