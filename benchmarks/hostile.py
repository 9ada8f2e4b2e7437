"""Time and peak memory of refusing each hostile file (the whole `fireaudit check` process).

    python benchmarks/hostile.py

Builds every file of tests/hostile/makers.py in a temp dir and runs
`fireaudit check` on it once per --runs, reporting the median time, the
largest peak RSS and the one-line reason."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile.makers import HOSTILE, sparse_huge_sheet  # noqa: E402


def run(path: Path) -> tuple[float, float, int, str]:
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "fireaudit", "check", str(path)], stdout=output,
                                stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        output.seek(0)
        lines = output.read().splitlines()
        line = next((l for l in lines if "unreadable" in l or " register " in l), lines[0] if lines else "")
        return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fireaudit-hostile-"))
    cases = {name: make for name, (make, _) in HOSTILE.items()}
    cases["sparse-XFD1048576.xlsx"] = sparse_huge_sheet
    print("| file | exit | median time | peak RSS | reason |")
    print("|---|---:|---:|---:|---|")
    for name, make in sorted(cases.items()):
        path = make(work / name)
        results = [run(path) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        rss = max(r[1] for r in results)
        code, line = results[0][2], results[0][3]
        reason = line.split("unreadable ", 1)[-1] if "unreadable" in line else line.split(": ", 1)[-1]
        print(f"| {name} | {code} | {seconds:.2f} s | {rss:.0f} MiB | {reason[:90]} |")
    reliability_table(work, args.runs)


# ---------------------------------------------------------------- issue 20, items 1b–5 (tests/hostile/makers2.py)
def run_command(args: list[str]) -> tuple[float, float, int, str]:
    """Median-able (seconds, peak RSS MiB, exit code, last output line) of one fireaudit process.

    Peak RSS is the child's own (os.wait4), which includes its worker processes once reaped."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "fireaudit", *args], stdout=output, stderr=subprocess.STDOUT,
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        output.seek(0)
        lines = [line for line in output.read().splitlines() if line.strip()]
        return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), lines[-1] if lines else ""


def reliability_cases(work: Path) -> dict[str, list[str]]:
    """Each new hostile input of issue 20 and the command that meets it."""
    from tests.hostile import makers2 as m

    cases: dict[str, list[str]] = {}
    out = str(work / "out")
    for name, maker in (("injection", m.injection_register), ("control-chars", m.control_char_register),
                        ("markup", m.markup_register), ("autolink", m.autolink_register),
                        ("active-content", m.active_content_register), ("extreme-numbers", m.extreme_numbers_register)):
        path = maker(work / f"{name}.xlsx")
        cases[f"{name}.xlsx check"] = ["check", str(path)]
        cases[f"{name}.xlsx check --format junit"] = ["check", str(path), "--format", "junit"]
    cases["extreme-numbers.xlsx --period 0000Q1"] = ["check", str(work / "extreme-numbers.xlsx"), "--period", "0000Q1"]
    cases["active-content.xlsx audit --annotate"] = ["audit", str(work / "active-content.xlsx"), "-o", out + "1",
                                                    "--annotate"]
    merge = m.huge_merge_register(work / "merge-H1-XFD1048576.xlsx")
    cases["merge-H1-XFD1048576.xlsx audit --annotate"] = ["audit", str(merge), "-o", out + "2", "--annotate"]
    strict = m.strict_ooxml_register(work / "strict-ooxml.xlsx")
    cases["strict-ooxml.xlsx audit --annotate"] = ["audit", str(strict), "-o", out + "3", "--annotate"]
    for encoding in ("gbk", "utf-16"):
        config = m.toml_in(work / f"fireaudit-{encoding}.toml", encoding)
        cases[f"fireaudit.toml {encoding}"] = ["requirements", "--config", str(config)]
    for name, text in m.TOML_VALUES.items():
        config = work / f"fireaudit-{name}.toml"
        config.write_text(text, encoding="utf-8")
        cases[f"fireaudit.toml {name}"] = ["requirements", "--config", str(config)]
    empty = work / "empty-folder"
    empty.mkdir(exist_ok=True)
    for name in sorted({*m.BASELINES, *m.RAW_BASELINES}):
        path = m.baseline(work / f"baseline-{name}.json", name)
        cases[f"--baseline {name}"] = ["batch", str(empty), "-o", out + "4", "--baseline", str(path)]
    register = m.injection_register(work / "for-templates.xlsx")
    for kind in ("gbk", "recursive", "large"):
        folder = m.template_dir(work / f"templates-{kind}", kind)
        cases[f"--templates {kind}"] = ["audit", str(register), "-o", out + "5", "--templates", str(folder)]
    special = work / "special"
    special.mkdir(exist_ok=True)
    os.mkfifo(special / "pipe.xlsx")
    (special / "gone.xlsx").symlink_to(work / "nowhere.xlsx")
    cases["FIFO and dangling link, batch"] = ["batch", str(special), "-o", out + "6"]
    return cases


def reliability_table(work: Path, runs: int) -> None:
    print()
    print("| issue 20 input and command | exit | median time | peak RSS (child) | last line |")
    print("|---|---:|---:|---:|---|")
    for name, args in reliability_cases(work).items():
        results = [run_command(args) for _ in range(runs)]
        seconds = statistics.median(r[0] for r in results)
        rss = max(r[1] for r in results)
        line = results[0][3].replace("|", "\\|")
        print(f"| {name} | {results[0][2]} | {seconds:.2f} s | {rss:.0f} MiB | {line[:80]} |")


if __name__ == "__main__":
    main()
