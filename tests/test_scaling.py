"""Huge registers cost what their size says (issue 19, item 4): each test counts the work done, so a
regression to per-brigade, per-check or per-element Python work fails here, not only in benchmarks/."""

from __future__ import annotations

import random
import re

import pytest

from fireaudit.checks import grade
from fireaudit.register import model, preflight
from fireaudit.register.model import Table, one_audit
from tests.builders import compliant


# ---------------------------------------------------------------- 队员 indexed once
def _members(brigades: int, each: int) -> Table:
    teams = [f"第{b}队" for b in range(brigades) for _ in range(each)]
    return Table("队员", "队员", 0, {"所属队伍": 0}, row_index=list(range(len(teams))), values={"所属队伍": teams})


def test_members_of_indexes_the_members_once_per_audit(monkeypatch):
    brigades, each = 200, 10
    members = _members(brigades, each)
    calls = []
    real = grade.norm
    monkeypatch.setattr(grade, "norm", lambda text: calls.append(1) or real(text))
    with one_audit():
        found = [grade.members_of(members, f"第{b}队") for b in range(brigades) for _ in range(3)]
    assert found[3 * 7] == list(range(70, 80))
    assert len(calls) <= brigades * each + 3 * brigades      # not brigades × members (2,000 × 200)


def test_members_of_outside_an_audit_is_still_right():
    members = _members(3, 2)
    assert grade.members_of(members, " 第1队") == [2, 3]
    assert grade.members_of(members, "第9队") == []


# ---------------------------------------------------------------- unparsed cells gathered once
def test_unparsed_cells_are_sorted_once_per_column_set_in_an_audit(tmp_path, checklist, monkeypatch):
    from fireaudit.audit import audit_register
    from fireaudit.register import RegisterReader

    bad = 300
    reg = compliant()
    for n in range(bad):
        reg.sheets["检查隐患"].add(序号=n + 10, 检查日期="某月某日", 场所名称=f"场所{n}", 场所类型="商场市场",
                                  所属村社区="一村", 隐患描述="无", 整改状态="无隐患", 检查人="李梅")
    register = RegisterReader(checklist).read(reg.save(tmp_path / "潘津镇.xlsx"))
    calls = []
    real = model._row_of
    monkeypatch.setattr(model, "_row_of", lambda cell: calls.append(1) or real(cell))
    audit = audit_register(register, checklist)
    unknown = [c for r in audit.requirements for c in r.checks if c.params.get("count") == bad]
    assert len(unknown) >= 3                 # several checks read 检查日期 and are unknown for it
    # each distinct set of columns read is sorted once: (检查日期), (检查日期, 整改期限) at most
    assert len(calls) <= 2 * bad, len(calls)
    shared = {id(c.evidence) for c in unknown}
    assert len(shared) < len(unknown)        # one evidence tuple per list, not one per check


# ---------------------------------------------------------------- the preflight's plain-sheet scan
def _plain(xml: bytes, chunk: int | None = None) -> preflight.SheetScan | None:
    scan = preflight._PlainSheet()
    size = chunk or len(xml)
    ok = all(scan.feed(xml[i:i + size]) for i in range(0, len(xml), size)) and scan.finish()
    return scan.result() if ok else None


def _expat(xml: bytes) -> preflight.SheetScan:
    counter = preflight._SheetCounter()
    counter.parser().Parse(xml, True)
    return counter.result()


def _sheet(rows: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="urn:x"><sheetData>{rows}'
            f'</sheetData></worksheet>').encode()


PLAIN = [
    '<row r="2"><c r="B2"><v>1</v></c></row>',
    '<row r="1"><c r="XFD1048576"><v>1</v></c></row>',
    '<row r="3" spans="1:3"><c r="A3" t="s"><v>0</v></c><c r="C3" s="1" t="inlineStr"><is><t>乡 r 镇</t></is></c></row>',
    '<row r="7"><c r="AB7"/><c r="B9000"><v>2</v></c></row>',
]
NOT_PLAIN = {
    "comment": '<!-- <c r="XFD1048576"/> --><row r="1"><c r="A1"><v>1</v></c></row>',
    "no r": '<row r="1"><c><v>1</v></c><c><v>2</v></c></row>',
    "lower case": '<row><c r="c3"><v>1</v></c></row>',
    "single quotes": "<row r='3'><c r='C3'><v>1</v></c></row>",
    "prefixed": '<x:row r="5"><x:c r="A5"><x:v>1</x:v></x:c></x:row>',
    "formula": '<row r="1"><c r="A1"><f>1+1</f></c></row>',
    "error": '<row r="1"><c r="A1" t="e"><v>#REF!</v></c></row>',
    "r not first": '<row r="1"><c s="1" r="XFD1"><v>1</v></c></row>',
    "a second r": '<row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row>',
    "a second r after a tab": '<row r="1"><c r="A1"\tr="XFD1048576"><v>1</v></c></row>',
    "spaced r": '<row r="1"><c r ="XFD1"><v>1</v></c></row>',
    "row zero": '<row r="1"><c r="A0"><v>1</v></c></row>',
    "a comment right after <c (not XML)": '<row r="1"><c<!-- <c r="XFD1048576"/> --><c r="A1"/></row>',
}


@pytest.fixture(params=["listed", "searched"])
def measure(request, monkeypatch):
    """Both ways the plain scan measures a piece: small pieces have their cells listed, larger ones
    are searched past the running maxima (forced here by a listing bound of 0)."""
    if request.param == "searched":
        monkeypatch.setattr(preflight._PlainSheet, "_LISTED_MAX_BYTES", 0)
    return request.param


@pytest.mark.parametrize("rows", PLAIN)
def test_a_plain_sheet_measures_as_the_xml_parser_does(rows, measure):
    xml = _sheet(rows)
    assert _plain(xml) == _expat(xml)
    assert _plain(xml, chunk=7) == _expat(xml)      # tags straddling chunks


@pytest.mark.parametrize("name", sorted(NOT_PLAIN))
def test_anything_else_is_left_to_the_xml_parser(name, measure):
    assert _plain(_sheet(NOT_PLAIN[name])) is None


def test_a_utf16_sheet_is_left_to_the_xml_parser():
    assert _plain(_sheet(PLAIN[0]).decode().replace("UTF-8", "UTF-16").encode("utf-16")) is None


class _FindallScan(preflight._PlainSheet):
    """The plain scan as it was before it stopped making an object per cell (one findall of every
    reference): the oracle the scan that counts and searches must agree with."""

    _CELL_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})[1-9][0-9]*"')
    _CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,3}+([1-9][0-9]*+)"')
    _OTHER_TAGS = re.compile(rb"<(?:c[^\s/>]|f[\s/>]|[!?])")

    def _scan(self, data: bytes, end: int) -> bool:
        piece = data[:end]
        if not piece:
            return True
        if b"\x00" in piece or self._ERROR_VALUE.search(piece) or self._PREFIXED.search(piece) \
                or self._ODD_R.search(piece):
            return False
        others = self._OTHER_TAGS.findall(piece)
        if any(not tag.startswith(b"<c") for tag in others):
            return False
        if any(space in piece for space in self._OTHER_SPACES) and self._OTHER_SPACE_R.search(piece):
            return False
        rows = self._CELL_ROWS.findall(piece)
        if len(rows) != piece.count(b"<c") - len(others):
            return False
        if rows:
            self.count += len(rows)
            self.max_row = max([self.max_row, *map(int, rows)])
            self.max_col = max([self.max_col, *(preflight._column_of(x) for x in self._CELL_LETTERS.findall(piece))])
        return True


def _oracle(xml: bytes, chunk: int) -> preflight.SheetScan | None:
    scan = _FindallScan()
    ok = all(scan.feed(xml[i:i + chunk]) for i in range(0, len(xml), chunk)) and scan.finish()
    return scan.result() if ok else None


def _letters(col: int) -> str:
    return model.column_letter(col) if col < 18278 else "AAAA"


def _random_sheet(rng: random.Random) -> bytes:
    """A sheet of values, now and then spelt in one of the ways that must leave it to the XML parser."""
    rare = rng.random() < 0.5                                     # half the sheets have one oddity or more
    odd = (lambda p: rare and rng.random() < p)
    top = rng.choice([3, 30, 2000, 1048576, 99999999])
    rows = sorted(rng.sample(range(1, top + 1), rng.randint(0, min(6, top))))
    if odd(0.3):
        rng.shuffle(rows)
    elif odd(0.3):
        rows.reverse()
    out = []
    for row in rows:
        q = "'" if odd(0.05) else '"'
        out.append(f"<row r={q}{row}{q}>" if not odd(0.05) else "<x:row>")
        widest = rng.choice([3, 30, 800, 16384, 20000])
        for col in sorted(rng.sample(range(widest), rng.randint(0, min(4, widest)))):
            name, number = _letters(col), str(row if not odd(0.1) else rng.choice([0, row + 1, 10 ** 7, 1]))
            if odd(0.03):
                name = name.lower()
            if odd(0.03):
                number = "0" + number
            q = "'" if odd(0.03) else '"'
            r = rng.choice([f" r={q}{name}{number}{q}"] * 20 + [" r =\"A1\"", "\tr=\"A1\"", "", f' r="{name}"',
                                                                     f' r="{number}"', ' r="A1B2"'])
            tag = "x:c" if odd(0.03) else "c"
            attrs = r if not odd(0.05) else rng.choice([f' s="1"{r}', f'{r} r="XFD1048576"', f"{r}\tr='A9'",
                                                          f'{r} t="e"', f"{r} t='e'", f'{r} xr="B3"'])
            body = rng.choice(["<v>1</v>", "<is><t>乡 r 镇 e r=\"x\"</t></is>", "", "<v>e</v>"])
            if odd(0.03):
                body = rng.choice(["<f>1+1</f><v>2</v>", "<f/>", "<v><![CDATA[<c r=\"XFD9\"/>]]></v>",
                                   "<!-- <c r=\"XFD9\"/> -->", "<?pi x?>", "<v>#REF!</v>"])
            out.append(f"<{tag}{attrs}>{body}</{tag}>" if body or odd(0.5) else f"<{tag}{attrs}/>")
        if odd(0.05):
            out.append(rng.choice(['<c>', '<col min="1"/>', '<cfRule type="x"/>', '<c\n r="A1"/>']))
        out.append("</row>" if not out[-1].startswith("<x:row") or not odd(0.9) else "</x:row>")
    return _sheet("".join(out).replace("<x:row>", "<x:row>" if rare else "<row>"))


def test_the_plain_scan_counts_as_the_findall_scan_and_the_xml_parser_on_random_sheets(measure):
    """Property: on random sheets (odd quotes, case, prefixes, cells without r or with a second r,
    tabs, CDATA, comments, formulas, error cells, rows in any order, huge references, chunks of 1 to
    40 bytes) the scan accepts what the findall scan accepts, with the same result, which is the
    XML parser's; where it does not accept, the XML parser measures the sheet."""
    rng = random.Random(19)
    accepted = 0
    for _ in range(600):
        xml = _random_sheet(rng)
        chunk = rng.choice([1, 2, 3, 5, 7, 13, 40, len(xml)])
        plain, oracle = _plain(xml, chunk), _oracle(xml, chunk)
        assert plain == oracle, xml
        if plain is not None:
            accepted += 1
            assert plain == _expat(xml), xml
    assert 150 < accepted < 550                 # both branches exercised


def test_a_workbook_of_values_is_scanned_without_expat_callbacks(tmp_path, checklist, monkeypatch):
    path = compliant().save(tmp_path / "潘津镇.xlsx")
    limits = preflight.limits_of(checklist)
    starts = []
    real = preflight._SheetCounter.start
    monkeypatch.setattr(preflight._SheetCounter, "start", lambda self, *a: starts.append(1) or real(self, *a))
    with monkeypatch.context() as forced:
        forced.setattr(preflight._PlainSheet, "finish", lambda self: False)     # every sheet to the parser
        parsed = preflight.check_file(path, limits).sheets
    assert starts
    starts.clear()
    assert preflight.check_file(path, limits).sheets == parsed
    assert starts == []


def test_only_sheets_without_formulas_skip_the_second_active_content_scan(tmp_path, checklist):
    from openpyxl import load_workbook

    from fireaudit.register import RegisterReader
    from fireaudit.register.active import active_content

    path = compliant().save(tmp_path / "潘津镇.xlsx")
    plain = RegisterReader(checklist).read(path).formula_free
    assert plain and all(part.startswith("xl/worksheets/") for part in plain)
    book = load_workbook(path)
    book["演练"]["Z1"] = '=cmd|"/c calc"!A0'
    book.save(path)
    register = RegisterReader(checklist).read(path)
    assert len(register.formula_free) == len(plain) - 1          # the sheet with a formula is scanned again
    assert active_content(path, register.formula_free) == ["DDE formula"]


def test_the_file_is_read_once_and_those_bytes_are_what_is_guarded_parsed_and_scanned(tmp_path, checklist):
    """The provenance hash covers exactly what was checked: once read, the file is not opened again (a file
    replaced meanwhile — here by a PDF — changes nothing), and active content is found in the bytes read."""
    from openpyxl import load_workbook

    from fireaudit.register import RegisterReader
    from fireaudit.register import codes
    from fireaudit.runner import note_active_content

    path = compliant().save(tmp_path / "潘津镇.xlsx")
    book = load_workbook(path)
    book["演练"]["Z1"] = '=cmd|"/c calc"!A0'
    book.save(path)
    data = path.read_bytes()
    path.write_bytes(b"%PDF-1.4 not the register any more")
    register = RegisterReader(checklist).read(path, data=data)
    assert register.tables
    note_active_content(register, data)
    assert [e.value for e in register.errors if e.code == codes.ACTIVE_CONTENT] == ["DDE formula"]
