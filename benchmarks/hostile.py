"""Time and child-only peak memory of `fireaudit check` on each hostile file.

    python benchmarks/hostile.py [--runs 3] [--cap-mib 2048] [--timeout 60]

Builds every file of tests/hostile/makers.py (the refused files, the guard
bypasses and the slow inputs of issue 20) in a temp dir and runs
`fireaudit check` on each in a child process whose address space is capped
(RLIMIT_AS, so a file that makes the parser allocate billions of cells aborts
the child, not the machine) and whose wall time is capped. Reports the median
time, the child's peak RSS (os.wait4: the child alone, not this script), the
exit code and the one-line reason. Slow-input cases are timed here, not in
the test suite."""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile.makers import BYPASSES, HOSTILE, SLOW, sparse_huge_sheet  # noqa: E402


# A small wrapper caps the address space and spawns fireaudit with posix_spawn, so the
# child's peak RSS is its own (a child forked or vforked from this script would count this
# script's pages until exec); it writes that peak (KiB) to argv[2] and exits as the child did.
_WRAP = """import os, resource, signal, sys
cap = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
pid = os.posix_spawn(sys.argv[3], sys.argv[3:], os.environ)
_, status, usage = os.wait4(pid, 0)
open(sys.argv[2], "w").write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def run(path: Path, cap_mib: int, timeout: float, root: Path = ROOT) -> tuple[float, float, str, str]:
    """Seconds, peak RSS (MiB) of the fireaudit child alone, exit (or signal / timeout) and the reason line."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output, tempfile.NamedTemporaryFile("r") as peak:
        command = [sys.executable, "-S", "-c", _WRAP, str(cap_mib * 1024 * 1024), peak.name,
                   sys.executable, "-m", "fireaudit", "check", str(path)]
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=root, start_new_session=True,
                                env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"})
        try:
            code = proc.wait(timeout)
            verdict = f"signal {signal.Signals(-code).name}" if code < 0 else str(code)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)           # the wrapper's own group: it and its child
            proc.wait()
            verdict = f"killed after {timeout:g} s"
        seconds = time.perf_counter() - start
        rss = int(peak.read() or 0) / 1024
        output.seek(0)
        lines = output.read().splitlines()
    line = next((l for l in lines if "unreadable" in l or "memory allocation" in l or "MemoryError" in l
                 or " register " in l), lines[-1] if lines else "")
    return seconds, rss, verdict, line.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap-mib", type=int, default=2048, help="address-space cap of each child (RLIMIT_AS)")
    parser.add_argument("--timeout", type=float, default=60.0, help="wall-time cap of each child, seconds")
    parser.add_argument("--only", nargs="*", help="run only these file names")
    parser.add_argument("--root", type=Path, default=ROOT, help="the fireaudit checkout to run (before/after)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fireaudit-hostile-"))
    cases = {name: make for name, (make, _) in {**HOSTILE, **BYPASSES}.items()}
    cases.update(SLOW)
    cases["sparse-XFD1048576.xlsx"] = sparse_huge_sheet
    print("| file | size | exit | median time | peak RSS (child) | reason |")
    print("|---|---:|---|---:|---:|---|")
    for name, make in sorted(cases.items()):
        if args.only and name not in args.only:
            continue
        path = make(work / name)
        results = [run(path, args.cap_mib, args.timeout, args.root) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        rss = max(r[1] for r in results)
        verdict, line = results[0][2], results[0][3]
        reason = line.split(str(path), 1)[-1].lstrip(": ")
        memory = f"{rss:.0f} MiB" if rss else "n/a"
        print(f"| {name} | {path.stat().st_size / 1024:.0f} KB | {verdict} | {seconds:.2f} s | {memory} | "
              f"{reason[:100]} |", flush=True)
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
