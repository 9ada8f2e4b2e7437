"""Time whole fireaudit commands against peers on this machine; print ratios against the targets.

    pip install -e ".[bench]"
    python benchmarks/run.py [--runs 5] [--batch 200] [--work DIR]

Every figure is the median wall time of several fresh processes, and peak RSS
from os.wait4. The machines are noisy, so the targets are ratios measured in
one run of this script, not absolute times (issue: Performance)."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import build  # noqa: E402


@dataclass
class Timing:
    seconds: float
    rss_mib: float


def measure(command: list[str], runs: int, env: dict[str, str] | None = None) -> Timing:
    """Median wall time and the largest peak RSS over `runs` fresh processes."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        environment = {**os.environ, **(env or {})}
        environment.pop("PYTHONDONTWRITEBYTECODE", None)   # as installed: compiled modules are cached
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1, 3):
            raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    return Timing(statistics.median(times), max(peaks))


def fireaudit(*args: str) -> list[str]:
    return [sys.executable, "-m", "fireaudit", *args]


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def profile_typical(path: Path) -> str:
    """Where one typical `check --format json` and `audit -o` spend their time, measured in a fresh process."""
    code = f"""
import time, io, contextlib, tempfile
t0 = time.perf_counter()
from fireaudit.audit import load_checklist
from fireaudit.register import RegisterReader
from fireaudit.audit import audit_register
from fireaudit.runner import make_run
from fireaudit.reports.json_report import dumps
t1 = time.perf_counter()
checklist = load_checklist()
t2 = time.perf_counter()
register = RegisterReader(checklist).read({str(path)!r})
t3 = time.perf_counter()
audit = audit_register(register, checklist)
t4 = time.perf_counter()
run = make_run(checklist, None, [audit], [])
dumps(run)
t5 = time.perf_counter()
from fireaudit.reports import ReportOptions, render_markdown, render_xlsx
options = ReportOptions("zh", checklist, None)
render_markdown(run, audit, options)
t6 = time.perf_counter()
render_xlsx(run, audit, options)
t7 = time.perf_counter()
print(f"imports {{t1-t0:.3f}} s, checklist {{t2-t1:.3f}} s, read {{t3-t2:.3f}} s, checks {{t4-t3:.3f}} s, "
      f"json {{t5-t4:.3f}} s, markdown {{t6-t5:.3f}} s (jinja2 import and template included), "
      f"xlsx {{t7-t6:.3f}} s (openpyxl import included)")
"""
    startup = measure(python("pass"), 5).seconds
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    return f"python start-up {startup:.3f} s; {out}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=200, help="workbooks in the batch case")
    parser.add_argument("--work", type=Path, help="keep the generated files here (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="fireaudit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    frictionless = shutil.which("frictionless")
    if frictionless is None:
        raise SystemExit('frictionless is not installed: pip install -e ".[bench]"')

    typical = build(work / "typical.xlsx")
    huge = build(work / "huge.xlsx", hazards=100_000)
    folder = work / "batch"
    if not folder.is_dir() or len(list(folder.glob("*.xlsx"))) != args.batch:
        shutil.rmtree(folder, ignore_errors=True)
        for n in range(args.batch):
            build(folder / f"t{n:03d}.xlsx", seed=n, township=f"第{n + 1}镇")
    out = work / "out"
    runs = args.runs

    rows: list[tuple[str, Timing, Timing, float, float, str]] = []

    def compare(name: str, ours: Timing, peer: Timing, target: float, peer_name: str, scale: float = 1.0) -> None:
        ratio = ours.seconds / (peer.seconds * scale)
        rows.append((name, ours, peer, ratio, target, peer_name))

    peer_validate = measure([frictionless, "validate", str(typical), "--sheet", "检查隐患"], runs)
    compare("typical: check --format json", measure(fireaudit("check", str(typical), "--format", "json"), runs),
            peer_validate, 0.7, "frictionless validate --sheet 检查隐患")
    compare("typical: audit --format md,xlsx,json",
            measure(fireaudit("audit", str(typical), "-o", str(out / "typical"), "--format", "md,xlsx,json"), runs),
            peer_validate, 1.0, "frictionless validate --sheet 检查隐患")

    huge_runs = max(3, runs // 2)
    peer_read = measure(python(f"import pandas; pandas.read_excel({str(huge)!r}, sheet_name=None, engine='calamine')"),
                        huge_runs)
    ours_huge = measure(fireaudit("check", str(huge), "--format", "json"), huge_runs)
    compare("huge (100,000 hazards): check --format json", ours_huge, peer_read, 1.3,
            "pandas.read_excel(all sheets, calamine)")
    memory_ratio = ours_huge.rss_mib / peer_read.rss_mib

    one_read = measure(python(f"import pandas; pandas.read_excel({str(typical)!r}, sheet_name=None)"), runs)
    ours_batch = measure(fireaudit("batch", str(folder), "-o", str(out / "batch")), 1)
    compare(f"batch of {args.batch} typical, with reports", ours_batch, one_read, 0.15,
            f"{args.batch} × python -c 'pandas.read_excel(FILE, sheet_name=None)'", scale=args.batch)

    compare("fireaudit --help", measure(fireaudit("--help"), runs),
            measure(python("import pandas"), runs), 0.6, "python -c 'import pandas'")

    print(f"fireaudit benchmarks — {os.cpu_count()} cores, median of {runs} runs (huge: {huge_runs}, batch: 1)\n")
    print("| case | fireaudit | peer | ratio | target | result |")
    print("|---|---:|---:|---:|---:|---|")
    failed = 0
    for name, ours, peer, ratio, target, peer_name in rows:
        verdict = "PASS" if ratio <= target else "FAIL"
        failed += verdict == "FAIL"
        peer_seconds = peer.seconds * (args.batch if name.startswith("batch") else 1)
        print(f"| {name} | {ours.seconds:.2f} s | {peer_seconds:.2f} s ({peer_name}) | {ratio:.2f} | ≤ {target} | {verdict} |")
    verdict = "PASS" if memory_ratio <= 2.0 else "FAIL"
    failed += verdict == "FAIL"
    print(f"| huge: peak memory | {ours_huge.rss_mib:.0f} MiB | {peer_read.rss_mib:.0f} MiB | {memory_ratio:.2f} | ≤ 2.0 | {verdict} |")
    print(f"\ntypical file, by stage: {profile_typical(typical)}")
    print(f"\nwork files: {work}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
