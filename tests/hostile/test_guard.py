"""The pre-parse guard is complete (issue 20): every bypass of the used-range check is
refused or bounded before calamine allocates, and the guard is linear.

Each hostile file is built in code (tests/hostile/makers.py). The CLI runs in a forked child
whose further address space is capped, so a regression aborts the child, not the machine.
Timings of the slow inputs live in benchmarks/hostile.py, not here."""

from __future__ import annotations

import json

import pytest

from fireaudit.errors import InputError
from fireaudit.register import RegisterReader, reader as reader_module
from fireaudit.register import preflight
from tests.cli_helper import run_forked
from tests.hostile.makers import BYPASSES, SLOW, comment_redos, many_formulas_without_value

CAP_MIB = 1024
REFUSED = {name for name, (_, reason) in BYPASSES.items() if reason != "sheet-too-large"}
BOUNDED = set(BYPASSES) - REFUSED


def run_capped(*args: str) -> tuple[int, str]:
    """Exit code and output of `fireaudit …` in a forked child that may grow by at most CAP_MIB of address space."""
    run = run_forked(*args, address_space_mib=CAP_MIB)
    return run.code, run.output


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_bypass_in_a_format_parsed_whole_is_refused_with_exit_3(tmp_path, name):
    make, reason = BYPASSES[name]
    path = make(tmp_path / name)
    code, output = run_capped("check", str(path))
    assert code == 3, output
    assert reason in output and "Traceback" not in output
    assert len([line for line in output.splitlines() if str(path) in line]) == 1


@pytest.mark.parametrize("name", sorted(BOUNDED))
def test_a_bypass_in_an_xlsx_sheet_skips_that_sheet_with_a_register_error(tmp_path, name):
    make, _ = BYPASSES[name]
    path = make(tmp_path / name)
    code, output = run_capped("check", str(path), "--format", "json")
    assert code == 1, output
    data = json.loads(output[output.index("{"):output.rindex("}") + 1])
    errors = data["townships"][0]["register_errors"]
    assert [(e["code"], e["sheet"], e["cell"]) for e in errors] == [("sheet-too-large", "演练", "A1")]


@pytest.fixture
def no_calamine(monkeypatch):
    """calamine may open the workbook only to read sheets the guard let through."""
    opened = []
    real = reader_module.open_workbook

    class Guarded:
        def __init__(self, workbook):
            self.workbook = workbook

        def __getattr__(self, attr):
            return getattr(self.workbook, attr)

        def get_sheet_by_name(self, sheet):
            assert sheet != "演练", "calamine asked for the oversized sheet"
            return self.workbook.get_sheet_by_name(sheet)

    def guarded(path, data=None):
        opened.append(path)
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise AssertionError(f"calamine opened {path}")
        return Guarded(real(path, data))

    monkeypatch.setattr(reader_module, "open_workbook", guarded)
    return opened


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_calamine_never_parses_a_bypass(tmp_path, checklist, no_calamine, name):
    make, reason = BYPASSES[name]
    path = make(tmp_path / name)
    if name in REFUSED:
        with pytest.raises(InputError, match=reason.replace(".", r"\.")):
            RegisterReader(checklist).read(path)
        assert no_calamine == []
    else:
        register = RegisterReader(checklist).read(path)
        assert [e.code for e in register.errors] == ["sheet-too-large"]


def test_ten_thousand_formulas_without_values_are_each_a_register_error(tmp_path, checklist):
    path = many_formulas_without_value(tmp_path / "formulas.xlsx")
    register = RegisterReader(checklist).read(path)
    found = [(e.code, e.sheet, e.cell, e.value) for e in register.errors if e.code == "formula-no-value"]
    assert len(found) == 10000
    assert found[0] == ("formula-no-value", "演练", "H100", "=1+100")


def test_a_comment_full_of_cell_tags_is_only_a_comment(tmp_path, checklist):
    path = comment_redos(tmp_path / "comment.xlsx")
    register = RegisterReader(checklist).read(path)
    assert register.errors == []
    assert len(register.table("演练")) == 3


def test_every_slow_input_has_a_benchmark_case():
    from benchmarks import hostile  # noqa: F401 - the module imports and names each case

    assert set(SLOW) <= set(hostile.SLOW)


# ---------------------------------------------------------------- the counters themselves
def _sheet(xml: str) -> preflight.SheetScan:
    counter = preflight._SheetCounter()
    parser = counter.parser()
    parser.Parse(f'<worksheet xmlns="urn:x"><sheetData>{xml}</sheetData></worksheet>'.encode(), True)
    return counter.result()


@pytest.mark.parametrize("xml, cells", [
    ('<row r="2"><c r="B2"><v>1</v></c></row>', 4),
    ("<row r='3'><c r='C3'><v>1</v></c></row>", 9),
    ('<row><c r="c3"><v>1</v></c></row>', 9),                                # lower case, as calamine reads it
    ('<row r="1"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>', 2 * 3),  # no r: next columns (a row more)
    ('<x:row r="5"><x:c r="A5"><x:v>1</x:v></x:c></x:row>', 5),             # prefixed elements
    ('<row r="1"><c r="XFD1048576"><v>1</v></c></row>', 16384 * 1048576),
])
def test_the_sheet_counter_sees_cells_as_calamine_does(xml, cells):
    assert _sheet(xml).cells == cells


def test_formulas_and_errors_are_found_once_each_in_order():
    scan = _sheet('<row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f>2</f><v>2</v></c>'
                  '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="A1"><f>1+1</f><v></v></c></row>')
    assert scan.formulas_without_value == [("A1", "1+1")]
    assert scan.error_cells == [("C1", "#DIV/0!")]


def _ods(rows: str) -> list[tuple[str, int]]:
    counter = preflight._OdsCounter()
    parser = counter.parser()
    parser.Parse(('<office:document-content xmlns:office="urn:o" xmlns:table="urn:t" xmlns:text="urn:x">'
                  f'<table:table table:name="S">{rows}</table:table></office:document-content>').encode(), True)
    return counter.tables


def test_the_ods_counter_sums_repeats_but_not_trailing_empties():
    filled = '<table:table-cell office:value="1" table:number-columns-repeated="3"/>'
    empty = '<table:table-cell table:number-columns-repeated="16000"/>'
    assert _ods(f'<table:table-row table:number-rows-repeated="10">{filled}{empty}</table:table-row>'
                f'<table:table-row table:number-rows-repeated="1048000">{empty}</table:table-row>') == [("S", 30)]
    assert _ods(f'<table:table-row table:number-rows-repeated="2000000">{empty}{filled}</table:table-row>') == \
        [("S", 1048576 * 16003)]


def test_biff_dimensions_running_backwards_count_as_huge():
    import struct

    assert preflight._biff_dimensions(struct.pack("<IIHHH", 0, 10, 0, 5, 0)) == 50
    assert preflight._biff_dimensions(struct.pack("<IIHHH", 20, 10, 0, 5, 0)) > 10 ** 9


def test_an_unknown_sheet_name_gets_the_largest_scan():
    scans = preflight.SheetScans({"a": preflight.SheetScan(10), "b": preflight.SheetScan(10 ** 9)})
    assert scans.get("a").cells == 10
    assert scans.get("a\nb").cells == 10 ** 9
    assert preflight.SheetScans().get("x") is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reason_codes_are_distinct_and_render(lang):
    from fireaudit.errors import InputError
    from fireaudit.i18n import catalog

    codes = {key.removeprefix("error.input."): text for key, text in catalog(lang).items()
             if key.startswith("error.input.")}
    texts = list(codes.values())
    assert len(set(texts)) == len(texts) and len(codes) > 30
    for code, text in codes.items():
        fields = {name: 1 for name in __import__("string").Formatter().parse(text) for name in [name[1]] if name}
        error = InputError("f.xlsx", code, **fields)
        assert error.text(lang).startswith("f.xlsx: " if lang == "en" else "f.xlsx：")
        assert "{" not in error.text(lang)


# ---------------------------------------------------------------- the index parts (rels, workbook.xml)
def _with_workbook_xml(tmp_path, edit) -> "Path":
    import zipfile

    from tests.hostile.makers import _zip_with

    source = _zip_with(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(source) as archive:
        workbook = archive.read("xl/workbook.xml")
    return _zip_with(tmp_path / "edited.xlsx", replace={"xl/workbook.xml": edit(workbook)})


def _prefixed(workbook: bytes) -> bytes:
    """The same workbook written with a prefix on every element (x:workbook, x:sheet …)."""
    import re

    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    out = re.sub(rb"<(/?)(?![?!])([A-Za-z]+)", rb"<\1x:\2", workbook)
    return out.replace(b'xmlns="' + main + b'"', b'xmlns:x="' + main + b'"', 1)


def test_a_prefixed_workbook_index_names_the_same_sheets(tmp_path, checklist):
    from fireaudit.register.preflight import check_file, limits_of

    plain = check_file(_with_workbook_xml(tmp_path, lambda w: w), limits_of(checklist))
    prefixed = check_file(_with_workbook_xml(tmp_path, _prefixed), limits_of(checklist))
    assert list(prefixed.sheets) == list(plain.sheets) and len(plain.sheets) == 11


@pytest.mark.parametrize("edit, detail", [
    (lambda w: b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]>' + w.replace(b"<sheets>", b"<sheets>&a;", 1),
     "EntitiesForbidden"),
    (lambda w: b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
               + w.replace(b"<sheets>", b"<sheets>&e;", 1), "EntitiesForbidden"),
    (lambda w: w[: len(w) // 2], "ParseError"),
])
def test_an_index_with_an_entity_or_broken_is_refused(tmp_path, checklist, edit, detail):
    from fireaudit.register.preflight import check_file, limits_of

    with pytest.raises(InputError) as refused:
        check_file(_with_workbook_xml(tmp_path, edit), limits_of(checklist))
    assert refused.value.code == "index-unreadable" and detail in refused.value.text("en")


def test_a_bare_doctype_in_the_index_is_refused_by_the_scan_of_every_part(tmp_path, checklist):
    from fireaudit.register.preflight import check_file, limits_of

    with pytest.raises(InputError) as refused:
        check_file(_with_workbook_xml(tmp_path, lambda w: b"<!DOCTYPE workbook>" + w), limits_of(checklist))
    assert refused.value.code == "xml-declaration"
