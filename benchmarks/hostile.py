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
import resource
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


def run(path: Path, cap_mib: int, timeout: float) -> tuple[float, float, str, str]:
    """Seconds, peak RSS (MiB) of the child alone, exit (or signal / timeout) and the reason line."""
    def limit() -> None:
        cap = cap_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "fireaudit", "check", str(path)], stdout=output,
                                stderr=subprocess.STDOUT, cwd=ROOT, preexec_fn=limit,
                                env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
        deadline = start + timeout
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                timed_out = True
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        output.seek(0)
        lines = output.read().splitlines()
    if timed_out:
        verdict = f"killed after {timeout:g} s"
    elif code < 0:
        verdict = f"signal {signal.Signals(-code).name}"
    else:
        verdict = str(code)
    line = next((l for l in lines if "unreadable" in l or "memory allocation" in l or "MemoryError" in l
                 or " register " in l or "sheet-too-large" in l or "超" in l), lines[-1] if lines else "")
    return seconds, usage.ru_maxrss / 1024, verdict, line.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap-mib", type=int, default=2048, help="address-space cap of each child (RLIMIT_AS)")
    parser.add_argument("--timeout", type=float, default=60.0, help="wall-time cap of each child, seconds")
    parser.add_argument("--only", nargs="*", help="run only these file names")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fireaudit-hostile-"))
    cases = {name: make for name, (make, _) in {**HOSTILE, **BYPASSES}.items()}
    cases.update(SLOW)
    cases["sparse-XFD1048576.xlsx"] = sparse_huge_sheet
    print(f"| file | size | exit | median time | peak RSS (child) | reason |")
    print("|---|---:|---|---:|---:|---|")
    for name, make in sorted(cases.items()):
        if args.only and name not in args.only:
            continue
        path = make(work / name)
        results = [run(path, args.cap_mib, args.timeout) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        rss = max(r[1] for r in results)
        verdict, line = results[0][2], results[0][3]
        reason = line.split(str(path), 1)[-1].lstrip(": ")
        print(f"| {name} | {path.stat().st_size / 1024:.0f} KB | {verdict} | {seconds:.2f} s | {rss:.0f} MiB | "
              f"{reason[:100]} |", flush=True)


if __name__ == "__main__":
    main()
