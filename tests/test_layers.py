"""Data flows one way: every module of fireaudit/ sits in one layer and imports only its own layer or lower ones.

The layer order is written once, here. The test reads every module's source
(imports inside functions and under TYPE_CHECKING count too) and fails on an
import cycle, on a module importing a higher layer, and on a module placed in
no layer. A package's __init__ is a module of its own; importing a submodule
counts as importing that submodule only."""

from __future__ import annotations

import ast
import functools
import fnmatch
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fireaudit"

# Lowest first. A pattern with * takes every module it matches that no earlier, exact name took.
LAYERS: list[tuple[str, list[str]]] = [
    ("shared", ["fireaudit", "fireaudit.errors", "fireaudit.textnorm", "fireaudit.period", "fireaudit.resources", "fireaudit.pool",
                "fireaudit.i18n", "fireaudit.provenance", "fireaudit.status", "fireaudit.lazy_re",
                "fireaudit.user_cache"]),
    ("checklist", ["fireaudit.checklist", "fireaudit.checklist.*"]),
    ("register", ["fireaudit.register", "fireaudit.register.*", "fireaudit.result", "fireaudit.batch_facts"]),
    ("rules", ["fireaudit.grades", "fireaudit.annex"]),
    ("checks", ["fireaudit.checks", "fireaudit.checks.*"]),
    ("engine", ["fireaudit.audit", "fireaudit.runner", "fireaudit.speculative", "fireaudit.gate", "fireaudit.grade_lookup",
                "fireaudit.proposals"]),
    ("views", ["fireaudit.reports.view", "fireaudit.reports.rollup_view", "fireaudit.reports.advice",
               "fireaudit.listing"]),
    ("writers", ["fireaudit.reports", "fireaudit.reports.*", "fireaudit.openpyxl_lite", "fireaudit.formula_cache"]),
    ("workflows", ["fireaudit.batch", "fireaudit.render_ahead", "fireaudit.template", "fireaudit.annotate", "fireaudit.quarter",
                   "fireaudit.mapwork"]),
    ("cli", ["fireaudit.cli", "fireaudit.cli_text", "fireaudit.__main__", "fireaudit.pipes"]),
]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def layer_of(name: str) -> int | None:
    for exact_pass in (True, False):
        for index, (_, patterns) in enumerate(LAYERS):
            for pattern in patterns:
                if ("*" not in pattern) == exact_pass and fnmatch.fnmatchcase(name, pattern):
                    return index
    return None


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The fireaudit modules `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def resolve(target: str) -> str:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(resolve(alias.name) for alias in node.names if alias.name.split(".")[0] == "fireaudit")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "fireaudit":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else resolve(base))
    found.discard(name)
    found.discard("")
    return found


@functools.cache
def graph() -> dict[str, set[str]]:
    """Every module's fireaudit imports; built when a test asks (not at collection, on every worker)."""
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_every_module_is_in_a_layer():
    unplaced = [name for name in graph() if layer_of(name) is None]
    assert not unplaced, f"place these modules in a layer of tests/test_layers.py: {unplaced}"


def test_no_module_imports_a_higher_layer():
    breaches = [f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
                for name, targets in sorted(graph().items()) for target in sorted(targets)
                if layer_of(name) is not None and layer_of(target) is not None and layer_of(target) > layer_of(name)]
    assert not breaches, "\n".join(breaches)


def test_no_import_cycle():
    cycles: list[list[str]] = []
    state: dict[str, int] = {}             # 1: on the current path, 2: done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph().get(name, ())):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [name, target] if target in trail else [name, target])
            elif target not in state:
                visit(target, trail + [name])
        state[name] = 2

    for name in sorted(graph()):
        if name not in state:
            visit(name, [])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("source, expected", [
    ("from fireaudit.checks import KINDS\n", {"fireaudit.checks"}),
    ("def f():\n    from fireaudit.batch import run_batch\n", {"fireaudit.batch"}),
    ("from fireaudit import grades\n", {"fireaudit.grades"}),
    ("import fireaudit.reports.view\n", {"fireaudit.reports.view"}),
])
def test_the_walker_sees_every_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert imports("fireaudit.probe", path, modules()) == expected


def test_a_breach_would_be_caught():
    """The checklist layer importing the checks (as the loader once did) is below → above."""
    assert layer_of("fireaudit.checklist.loader") < layer_of("fireaudit.checks")
    assert layer_of("fireaudit.reports.grade") > layer_of("fireaudit.grade_lookup")


# Writers render results: none of them may itself read a workbook or run a check.
READS_OR_JUDGES = ["fireaudit.register", "fireaudit.register.reader", "fireaudit.register.preflight",
                   "fireaudit.checks", "fireaudit.checks.*", "fireaudit.audit", "fireaudit.runner"]


def test_writers_read_no_workbook_and_run_no_check():
    writers = [name for name in graph() if LAYERS[layer_of(name)][0] == "writers"]
    breaches = [f"{name} imports {target}" for name in sorted(writers) for target in sorted(graph()[name])
                if any(fnmatch.fnmatchcase(target, pattern) for pattern in READS_OR_JUDGES)]
    assert not breaches, "\n".join(breaches)
