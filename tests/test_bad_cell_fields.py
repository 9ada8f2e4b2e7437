"""The reader's per-field lists for cells not understood (reader._fields_of_bad) equal the per-cell answer."""

from fireaudit.register.reader import _fields_of_bad
from fireaudit.register.values import ColumnParser, Problem, raw_text


def _parser() -> ColumnParser:
    def base(raw):
        if raw == "ok":
            return "ok", None
        return None, Problem("bad-" + type(raw).__name__, "e" if raw != "x" else "", ("n",) if raw == "y" else ())
    return ColumnParser(base)


def _naive(parser, raws):
    out = []
    for raw in raws:
        problem = parser(raw)[1]
        out.append((raw_text(raw), problem.code, problem.expected, problem.nearest))
    return tuple(map(list, zip(*out)))


def test_each_field_matches_the_cell_by_cell_answer():
    parser = _parser()
    raws = ["x", "y", "x", 3.0, "z", "y"] * 5
    assert _fields_of_bad(parser, raws, raws) == _naive(parser, raws)


def test_one_distinct_value_repeats_its_fields():
    parser = _parser()
    raws = ["x"] * 7
    fields = _fields_of_bad(parser, raws, raws)
    assert fields == _naive(parser, raws)
    assert all(len(f) == 7 for f in fields)


def test_booleans_are_said_apart_from_equal_numbers():
    parser = _parser()
    raws = [True, 1, 1.0, False, 0, True]
    keys = [(bool, r) if r.__class__ is bool else r for r in raws]
    texts, found, _, _ = _fields_of_bad(parser, keys, raws)
    assert texts == ["True", "1", "1", "False", "0", "True"]
    assert found == ["bad-bool", "bad-int", "bad-int", "bad-bool", "bad-int", "bad-bool"]
