"""The reader's per-field lists for cells not understood (reader._fields_of_bad) equal the per-cell answer."""

from fireaudit.register.reader import _fields_of_bad
from fireaudit.register.values import ColumnParser, Problem, raw_text


def _parser() -> ColumnParser:
    def base(raw):
        if raw == "ok":
            return "ok", None
        return None, Problem("bad-" + type(raw).__name__, "e" if raw != "x" else "", ("n",) if raw == "y" else ())
    return ColumnParser(base)


def _fields(raws):
    """What the reader makes of a column's cells not understood: their positions and the fields."""
    parser = _parser()
    _, problems = parser.column(raws)
    keys = [parser.last_keys[p] for p in problems]
    return problems, _fields_of_bad(parser, keys, parser.last_bad)


def _naive(raws, problems):
    parser = _parser()
    out = []
    for raw in (raws[p] for p in problems):
        problem = parser(raw)[1]
        out.append((raw_text(raw), problem.code, problem.expected, problem.nearest))
    return tuple(map(list, zip(*out)))


def test_each_field_matches_the_cell_by_cell_answer():
    raws = ["x", "ok", "y", "x", 3.0, "z", None, "y"] * 5
    problems, fields = _fields(raws)
    assert problems == [p for p, raw in enumerate(raws) if raw not in ("ok", None)]
    assert fields == _naive(raws, problems)


def test_one_distinct_value_repeats_its_fields():
    raws = ["x"] * 7
    problems, fields = _fields(raws)
    assert fields == _naive(raws, problems)
    assert all(len(f) == 7 for f in fields)


def test_booleans_are_said_apart_from_equal_numbers():
    raws = [True, 1, 1.0, False, 0, True]
    problems, (texts, found, _, _) = _fields(raws)
    assert problems == list(range(6))
    assert texts == ["True", "1", "1", "False", "0", "True"]
    assert found == ["bad-bool", "bad-int", "bad-int", "bad-bool", "bad-int", "bad-bool"]


def _problems_cell_by_cell(parser, raws):
    return [p for p, raw in enumerate(raws) if parser(raw)[1] is not None]


def test_positions_not_understood_with_and_without_blank_cells():
    for raws in (["x", "ok", "y", "ok"] * 3,                     # no blank: the None values are the bad cells
                 ["x", "", None, "ok", "  ", "y", "ok"] * 3,      # blanks are None too, and not bad
                 ["x"] * 5):
        parser = _parser()
        values, problems = parser.column(raws)
        assert problems == _problems_cell_by_cell(_parser(), raws), raws
        assert values == [parser(raw)[0] for raw in raws]


def test_a_value_given_with_its_problem_is_still_not_understood():
    """Should a parser keep a value beside its problem, its cells are still found (not by their None value)."""
    parser = ColumnParser(lambda raw: ("kept", Problem("odd")) if raw == "odd" else (None, Problem("bad")))
    raws = ["odd", "bad", "odd"]
    assert parser.column(raws)[1] == [0, 1, 2]
