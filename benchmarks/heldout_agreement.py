"""Issues 14 and 15 measured on held-out workbooks (benchmarks/real_layouts.py): how often fireaudit's
requirement verdicts agree with the human inspector's, (a) with `check` alone and (b) after
`fireaudit map --yes` into a fresh fireaudit.toml, then `check --config`.

    PYTHONPATH=. python benchmarks/heldout_agreement.py [--keep DIR] [--verbose]

false pass: the tool says pass where the human says fail or partial;
false fail: the tool says fail or partial where the human says pass."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_layouts import REQUIREMENTS, build  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def fireaudit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fireaudit", *args], capture_output=True, text=True, env=ENV)


def verdicts(book: Path, config: Path | None = None) -> dict[str, str] | None:
    """The tool's verdict per requirement, or None when the file could not be audited."""
    args = ["check", str(book), "--format", "json", "--fail-on", "none", "--lang", "zh"]
    if config is not None and config.exists():
        args += ["--config", str(config)]
    run = fireaudit(*args)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return None
    townships = report.get("townships") or []
    if not townships:
        return None
    return {q["id"]: q["status"] for q in townships[0]["requirements"]}


def classify(human: str, tool: str) -> str:
    if tool == human:
        return "agree"
    if tool == "pass" and human in ("fail", "partial"):
        return "false_pass"
    if tool in ("fail", "partial") and human == "pass":
        return "false_fail"
    if tool == "unknown":
        return "unknown"
    return "other"


def score(made: list[tuple[Path, dict]], mode: str, verbose: bool) -> dict:
    tally: Counter = Counter()
    auditable = 0
    for book, human in made:
        config = None
        if mode == "map":
            config = book.with_suffix(".fireaudit.toml")
            config.unlink(missing_ok=True)
            fireaudit("map", str(book), "-o", str(config), "--yes", "--lang", "zh")
        got = verdicts(book, config)
        if got is None:
            tally["not_auditable"] += 1
            if verbose:
                print(f"  [{mode}] {book.name}: not auditable")
            continue
        auditable += 1
        for rid in REQUIREMENTS:
            kind = classify(human[rid], got.get(rid, "missing"))
            tally[kind] += 1
            if verbose and kind != "agree":
                print(f"  [{mode}] {book.name} {rid}: human {human[rid]} -> tool {got.get(rid)} ({kind})")
    compared = sum(tally[k] for k in ("agree", "false_pass", "false_fail", "unknown", "other"))
    return dict(files=len(made), auditable=auditable, compared=compared, agree=tally["agree"],
                agreement=round(100 * tally["agree"] / compared, 1) if compared else 0.0,
                false_pass=tally["false_pass"], false_fail=tally["false_fail"], unknown=tally["unknown"],
                other=tally["other"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the workbooks here and keep them")
    parser.add_argument("--verbose", action="store_true", help="print every disagreement")
    parser.add_argument("--mode", choices=["check", "map", "both"], default="both")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="fireaudit-heldout-"))
    made = build(out)
    modes = ["check", "map"] if args.mode == "both" else [args.mode]
    for mode in modes:
        result = score(made, mode, args.verbose)
        label = "check" if mode == "check" else "map --yes + check --config"
        print(f"{label}: {result['auditable']}/{result['files']} auditable, agreement {result['agreement']}% "
              f"({result['agree']}/{result['compared']}), false pass {result['false_pass']}, "
              f"false fail {result['false_fail']}, unknown {result['unknown']}, other {result['other']}")


if __name__ == "__main__":
    main()
