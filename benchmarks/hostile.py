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


if __name__ == "__main__":
    main()
