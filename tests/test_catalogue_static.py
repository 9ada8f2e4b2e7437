"""Every message id the code uses is in both catalogues, with the same placeholders (issue 13, item 5).

The test reads fireaudit/'s source (no import, no run): each call of a message function
(`t(lang, ID)`, `Phrase(ID)`, an error class `ConfigError(ID)`, `InputError(path, CODE)` …)
names an id. A string literal is looked up as it is; an f-string id is checked through its
constant prefix: every value a known prefix can take (PREFIX_VALUES), else at least one entry
under the prefix. It also fails on a raise of FireauditError (or a subclass) whose message is
a sentence written in the code (a literal, an f-string, or text already rendered with t())."""

from __future__ import annotations

import ast
import functools
import re
import string
from pathlib import Path

import pytest

from fireaudit.i18n import catalog

PACKAGE = Path(__file__).resolve().parents[1] / "fireaudit"
LANGS = ("zh", "en")

# function name -> (position of the id argument, prefix the id is looked up under)
ID_ARGUMENT = {
    "t": (1, ""), "_say": (0, ""), "Phrase": (0, ""), "DataProblem": (0, ""),
    "FireauditError": (0, ""), "ConfigError": (0, ""), "OutputClash": (0, ""),
    "outcome": (1, "check."),                       # a check's message id (i18n.message_key)
    "InputError": (1, "error.input."), "_unreadable": (1, "error.input."),
}
ERROR_CLASSES = {"FireauditError", "ConfigError", "InputError", "OutputClash"}


def _register_codes() -> list[str]:
    from fireaudit.register.codes import REGISTER_ERROR_CODES

    return list(REGISTER_ERROR_CODES)


def _file_kinds() -> list[str]:
    from fireaudit.register.preflight import _SNIFF

    return [kind for _, kind in _SNIFF]


# an f-string id's constant prefix -> every value its formatted part can take
PREFIX_VALUES = {
    "register.": _register_codes,
    "register_title.": _register_codes,
    "error.file_kind.": _file_kinds,
}


def sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(PACKAGE.rglob("*.py"))}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """FireauditError and every class of fireaudit/ derived from it (by name, transitively)."""
    found = set(ERROR_CLASSES)
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found \
                        and any(_name(b) in found for b in node.bases):
                    found.add(node.name)
                    changed = True
    return found


def used_ids(trees: dict[Path, ast.Module]) -> tuple[list[tuple[str, str, set[str] | None]], list[tuple[str, str]]]:
    """(literal ids with where and the keyword names given, or None when **values are passed),
    (f-string prefixes with where)."""
    literal, prefixes = [], []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name not in ID_ARGUMENT:
                continue
            position, prefix = ID_ARGUMENT[name]
            if len(node.args) <= position:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            for arg in _alternatives(node.args[position]):
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    key = arg.value if name == "outcome" and arg.value.startswith("common.") else prefix + arg.value
                    literal.append((key, where, None if name == "outcome" else _given(node, name)))
                elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                    prefixes.append((prefix + arg.values[0].value, where))
    return literal, prefixes


def _alternatives(arg: ast.expr) -> list[ast.expr]:
    """`"a" if x else "b"` names two ids."""
    if isinstance(arg, ast.IfExp):
        return [*_alternatives(arg.body), *_alternatives(arg.orelse)]
    return [arg]


def _given(call: ast.Call, name: str) -> set[str] | None:
    """The placeholder values a call passes; None when they cannot be read from the source."""
    if name == "Phrase":
        if len(call.args) < 2:
            return set()
        params = call.args[1]
        if isinstance(params, ast.Dict) and all(isinstance(k, ast.Constant) for k in params.keys):
            return {k.value for k in params.keys}
        return None
    if any(k.arg is None for k in call.keywords):
        return None
    return {k.arg for k in call.keywords}


def placeholders(template: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}


@functools.cache
def trees() -> dict[Path, ast.Module]:
    """The parsed package; built when a test asks (not at collection, on every worker)."""
    return sources()


@functools.cache
def ids() -> tuple[list[tuple[str, str, set[str] | None]], list[tuple[str, str]]]:
    """(literal ids, f-string prefixes) used in the package."""
    return used_ids(trees())


def test_the_scan_finds_the_messages_of_every_layer():
    found = {i for i, _, _ in ids()[0]}
    assert len(found) > 300
    assert {"error.input.xlsb", "error.config.not_found", "ui.written"} <= found
    assert any(p == "register." for p, _ in ids()[1])


@pytest.mark.parametrize("lang", LANGS)
def test_every_literal_id_is_in_the_catalogue(lang):
    texts = catalog(lang)
    missing = sorted({f"{key}  ({where})" for key, where, _ in ids()[0] if key not in texts})
    assert not missing, missing


def test_both_catalogues_have_the_same_placeholders_for_every_id_used():
    zh, en = catalog("zh"), catalog("en")
    differ = sorted({key for key, _, _ in ids()[0]
                     if key in zh and key in en and placeholders(zh[key]) != placeholders(en[key])})
    assert not differ, differ


def test_every_placeholder_is_given_where_the_id_is_used():
    zh = catalog("zh")
    short = []
    for key, where, given in ids()[0]:
        if given is None or key not in zh:
            continue
        lacking = placeholders(zh[key]) - given
        if key.startswith("error.input.") or key == "error.in_file":
            lacking -= {"path"}
        if lacking:
            short.append(f"{key} ({where}) lacks {sorted(lacking)}")
    assert not short, short


@pytest.mark.parametrize("lang", LANGS)
def test_every_prefix_built_id_has_its_entries(lang):
    texts = catalog(lang)
    problems = []
    for prefix, where in ids()[1]:
        values = PREFIX_VALUES.get(prefix)
        if values is not None:
            problems += [f"{prefix}{v} ({where})" for v in values() if f"{prefix}{v}" not in texts]
        elif not any(key.startswith(prefix) for key in texts):
            problems.append(f"{prefix}… ({where})")
    assert not problems, sorted(set(problems))


def test_prefixes_have_the_same_entries_in_both_catalogues():
    zh, en = catalog("zh"), catalog("en")
    differ = sorted({p for p, _ in ids()[1]
                     if {k for k in zh if k.startswith(p)} != {k for k in en if k.startswith(p)}})
    assert not differ, differ


def _sentence(arg: ast.expr) -> bool:
    """A message written in the code: an f-string, a literal that is no catalogue id, text joined
    or rendered (t(...), .format) before the error is made."""
    if isinstance(arg, ast.JoinedStr) or isinstance(arg, ast.BinOp):
        return True
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return not re.fullmatch(r"[\w.-]+", arg.value)     # an id (checked above), never a sentence
    if isinstance(arg, ast.Call) and _name(arg.func) in ("t", "format", "join", "message_text"):
        return True
    return False


def literal_message_raises(trees: dict[Path, ast.Module]) -> list[str]:
    classes = error_classes(trees)
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            name = _name(node.exc.func)
            if name not in classes:
                continue
            position = 1 if name == "InputError" else 0
            args = node.exc.args
            if len(args) > position and _sentence(args[position]):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_no_error_is_raised_with_a_sentence_written_in_the_code():
    assert not literal_message_raises(trees())


def test_the_raise_check_can_fail():
    tree = ast.parse('raise ConfigError(f"{path}: not valid")\nraise OutputClash(t(lang, "ui.x"))\n'
                     'raise InputError(p, "file not found")\nraise ConfigError("error.config.not_found", path=p)\n')
    assert len(literal_message_raises({PACKAGE / "x.py": tree})) == 3


def test_every_input_code_in_the_catalogue_is_raised_somewhere():
    """A code nobody raises is dead text: keep the catalogue and the code in step."""
    raised = {key for key, _, _ in ids()[0] if key.startswith("error.input.")}
    listed = {key for key in catalog("zh") if key.startswith("error.input.")}
    assert listed == raised, sorted(listed ^ raised)


def test_phrases_checks_build_are_joined_in_the_readers_language():
    from fireaudit.i18n import Joined, Phrase, fmt_value

    item = Phrase("check.hazard_referral_department.wrong_item", {
        "label": "第3行", "categories": ["消防安全", "燃气安全"], "cell": "应急管理局",
        "expected": Joined((Joined(("消防救援大队",)), Joined(("住建局", "燃气公司"))), "alternatives")})
    assert fmt_value(Joined((item, item)), "zh").count("、") == 5     # two in each item, one between
    english = fmt_value(Joined((item, item)), "en")
    assert "、" not in english and "；" not in english and "（" not in english
    assert "住建局, 燃气公司" in english and " / " in english


# Whole error lines (not the fragments they are built of) say what to do next.
WHOLE_ERRORS = ("error.input.", "error.config.", "error.mapping.", "error.annex.", "error.baseline.", "error.batch.",
                "error.output.", "error.cli.")
NOT_A_LINE = {"error.config.utf16_no_bom", "error.config.unknown_encoding", "error.cli.interrupted",
              "error.input.no-period",            # its detail is note.no-period, which ends with what to do
              "error.batch.render_failed"}        # its problem is an error.output line


def test_every_chinese_error_line_says_what_to_do_next():
    lacking = sorted(key for key, text in catalog("zh").items()
                     if key.startswith(WHOLE_ERRORS) and key not in NOT_A_LINE and "请" not in text and "重试" not in text)
    assert not lacking, lacking
