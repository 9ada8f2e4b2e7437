"""Time whole fireaudit commands against peers that do the same work; print each ratio with PASS/FAIL.

    pip install -e ".[bench]"
    python benchmarks/run.py [--runs 5] [--heavy-runs 3] [--batch 200] [--work DIR] [--profile] [--cases huge,long]

The cases and targets are the table of issue 19. Every figure is the median
of several fresh processes, ours and the peer's taking turns (A B, B A, …), so
that a shared machine's drift falls on both alike. Each command runs under a tiny intermediate
Python (`-S -I`, nothing imported but os/time/resource) that forks, execs the
command and reports the wall time and `getrusage(RUSAGE_CHILDREN).ru_maxrss`:
the peak RSS of that child alone. (Measured from this script, a forked
child's peak would start at this script's own size, since Linux carries the
high-water mark across exec.) Every command's exit status and output are
checked, so a peer that refuses the file (frictionless without --trusted
answers `path … is not safe`) stops the run instead of timing nothing.

The machines are shared and noisy, so the targets are ratios measured side by
side in one run, not absolute times."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import build  # noqa: E402

HAZARD_SHEET = "检查隐患"

# The intermediate process: it has imported nothing of ours, so the child's peak RSS is the child's own.
WRAPPER = """
import os, sys, time, resource
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status = os.waitpid(pid, 0)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as out:
    out.write(f"{seconds} {peak} {os.waitstatus_to_exitcode(status)}")
"""


@dataclass
class Timing:
    seconds: float     # median wall time
    rss_mib: float     # median peak RSS of the command's process
    runs: int


class PeerFailed(SystemExit):
    pass


def run_once(command: list[str], cwd: Path) -> tuple[float, float, int, str, str]:
    """One fresh process: (seconds, peak MiB, exit code, stdout, stderr)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}   # this worktree's fireaudit, not an installed one
    environment.pop("PYTHONDONTWRITEBYTECODE", None)           # as installed: compiled modules are cached
    with tempfile.TemporaryDirectory(prefix="fireaudit-run-") as scratch:
        report = Path(scratch) / "report"
        stdout, stderr = Path(scratch) / "stdout", Path(scratch) / "stderr"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            subprocess.run([sys.executable, "-S", "-I", "-c", WRAPPER, str(report), *command],
                           stdout=out, stderr=err, cwd=cwd, env=environment, check=True)
        seconds, peak_kib, code = report.read_text().split()
        return (float(seconds), int(peak_kib) / 1024, int(code),
                stdout.read_text(encoding="utf-8", errors="replace"), stderr.read_text(encoding="utf-8", errors="replace"))


Command = tuple[str, list[str], Callable[[int, str], str | None]]     # name, argv, verify(exit code, stdout)


def measure(runs: int, cwd: Path, *commands: Command) -> list[Timing]:
    """Median time and peak RSS of each command over `runs` fresh processes, the commands taking turns
    (A B, B A, A B …): a shared machine's speed drifts over the minutes a case takes, and taking turns
    puts that drift on ours and the peer alike instead of on whichever ran second. Every run's exit
    status and output are verified."""
    times: list[list[float]] = [[] for _ in commands]
    peaks: list[list[float]] = [[] for _ in commands]
    for turn in range(runs):
        order = list(enumerate(commands))
        for k, (name, command, verify) in order if turn % 2 == 0 else order[::-1]:
            seconds, peak, code, out, err = run_once(command, cwd)
            problem = verify(code, out)
            if problem:
                raise PeerFailed(f"{name}: {' '.join(command)} did not do the work: {problem} (exit {code})\n"
                                 f"stdout: {out[-500:]}\nstderr: {err[-500:]}")
            times[k].append(seconds)
            peaks[k].append(peak)
    return [Timing(statistics.median(t), statistics.median(p), runs) for t, p in zip(times, peaks)]


# ---------------------------------------------------------------- what each command must show it did
def exit_ok(*codes: int) -> Callable[[int, str], str | None]:
    return lambda code, out: None if code in codes else f"exit code {code}, expected {codes}"


def frictionless_read(rows: int) -> Callable[[int, str], str | None]:
    """frictionless --json: one task that read the sheet's `rows` data rows."""
    def verify(code: int, out: str) -> str | None:
        report = json.loads(out)
        task = report["tasks"][0]
        if task["errors"] and any(e.get("type") == "resource-error" for e in task["errors"]):
            return task["errors"][0]["message"]
        if task["stats"].get("rows") != rows:
            return f"read {task['stats'].get('rows')} rows, expected {rows}"
        return None if code == 0 else f"exit code {code}"
    return verify


def fireaudit_json(code: int, out: str) -> str | None:
    """`check --format json`: one township audited (exit 0: all pass, 1: findings), nothing unreadable."""
    if code not in (0, 1):
        return f"exit code {code}"
    report = json.loads(out)
    if report["unreadable"] or len(report["townships"]) != 1 or not report["townships"][0]["requirements"]:
        return f"unreadable {report['unreadable']}, {len(report['townships'])} townships"
    return None


def reports_written(folder: Path, expected: int, suffixes: tuple[str, ...]) -> Callable[[int, str], str | None]:
    """An output folder that holds `expected` reports of each suffix (emptied before each run)."""
    def verify(code: int, out: str) -> str | None:
        if code not in (0, 1):
            return f"exit code {code}"
        counts = {s: sum(1 for p in folder.rglob(f"*{s}") if not p.name.startswith("汇总")) for s in suffixes}
        shutil.rmtree(folder, ignore_errors=True)
        wrong = {s: n for s, n in counts.items() if n < expected}
        return f"reports written {counts}, expected {expected} of each" if wrong else None
    return verify


def printed_count(expected: int) -> Callable[[int, str], str | None]:
    """A peer script that prints how many rows (or files) it read."""
    def verify(code: int, out: str) -> str | None:
        if code != 0:
            return f"exit code {code}"
        got = int(out.split()[-1])
        return None if got >= expected else f"read {got}, expected at least {expected}"
    return verify


def raw_read(path: Path) -> list[str]:
    """The raw python-calamine read of every sheet, printing the rows read."""
    return [sys.executable, "-c",
            "import sys\nfrom python_calamine import CalamineWorkbook\n"
            f"wb = CalamineWorkbook.from_path({str(path)!r})\n"
            "print(sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names))"]


def pandas_batch(folder: Path) -> list[str]:
    """Every workbook of the folder read with pandas.read_excel(sheet_name=None), in one process."""
    return [sys.executable, "-c",
            "import pathlib, pandas\n"
            f"files = sorted(pathlib.Path({str(folder)!r}).glob('*.xlsx'))\n"
            "read = [pandas.read_excel(f, sheet_name=None) for f in files]\n"
            "assert all(len(sheets) >= 10 for sheets in read)\n"
            "print(len(read))"]


def fireaudit(*args: str) -> list[str]:
    return [sys.executable, "-m", "fireaudit", *args]


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def profile_check(path: Path, top: int = 15) -> str:
    """cProfile of one typical `check --format json` (a fresh process): the top entries by cumulative time.

    The runpy/typer/click wrappers and importlib's frames are left out: they
    contain everything and say nothing (imports show up as the modules' own
    `<module>` entries)."""
    import io
    import pstats

    with tempfile.TemporaryDirectory(prefix="fireaudit-profile-") as scratch:
        stats_file = Path(scratch) / "check.prof"
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "fireaudit", "check", path.name,
                        "--format", "json"], stdout=subprocess.DEVNULL, cwd=path.parent,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        text = io.StringIO()
        stats = pstats.Stats(str(stats_file), stream=text)
        stats.sort_stats("cumulative").print_stats(top * 6)
    lines = text.getvalue().splitlines()
    header = next(n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    wrappers = ("builtins.exec}", "<frozen runpy>", "<string>:1", "click/core.py:", "typer/core.py:", "typer/main.py:",
                "__main__.py",
                "<frozen importlib", "builtins.__import__}")
    prefixes = (str(ROOT) + "/", str(Path(os.__file__).parent) + "/")
    entries = [_shorten(line, prefixes) for line in lines[header + 1:]
               if line.strip() and not any(w in line for w in wrappers)]
    return "\n".join([lines[header], *entries[:top]])


def _shorten(line: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        line = line.replace(prefix, "")
    return line.replace("site-packages/", "")


# ---------------------------------------------------------------- the table
@dataclass
class Row:
    case: str
    ours: str
    peer: str
    ratio: float
    target: str
    passed: bool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command (median)")
    parser.add_argument("--heavy-runs", type=int, default=3, help="runs of the 100k, batch and pathological cases")
    parser.add_argument("--batch", type=int, default=200, help="workbooks in the batch case")
    parser.add_argument("--work", type=Path, help="keep the generated files here (default: a temp dir)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of a typical check")
    parser.add_argument("--cases", default="typical,help,huge,batch,long,dates",
                        help="comma-separated subset of typical,help,huge,batch,long,dates (default: all)")
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="fireaudit-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    frictionless = shutil.which("frictionless")
    if frictionless is None:
        raise SystemExit('frictionless is not installed: pip install -e ".[bench]"')

    def made(name: str, **kwargs) -> Path:
        path = work / name
        return path if path.is_file() else build(path, **kwargs)

    typical = made("typical.xlsx")
    huge = made("huge.xlsx", hazards=100_000)
    long_texts = made("long.xlsx", hazards=500, description_chars=32_000, all_referred=True)
    bad_dates = made("dates.xlsx", hazards=100_000, bad_dates=True)
    folder = work / "batch"
    if not folder.is_dir() or len(list(folder.glob("*.xlsx"))) != args.batch:
        shutil.rmtree(folder, ignore_errors=True)
        for n in range(args.batch):
            build(folder / f"t{n:03d}.xlsx", seed=n, township=f"第{n + 1}镇")
    out = work / "out"
    runs, heavy = args.runs, args.heavy_runs
    cases = set(args.cases.split(","))
    rows: list[Row] = []

    def ratio_row(case: str, ours: Timing, peer: Timing, peer_name: str, target: float) -> None:
        ratio = ours.seconds / peer.seconds
        rows.append(Row(case, f"{ours.seconds:.2f} s", f"{peer.seconds:.2f} s ({peer_name})", ratio, f"≤ {target}",
                        ratio <= target))

    # typical: check and audit against frictionless reading the hazard sheet (relative path, --trusted)
    if "typical" in cases:
        typical_rows(frictionless, typical, out, runs, work, ratio_row)
    if "help" in cases:
        help_row(runs, work, ratio_row)
    if "huge" in cases:
        huge_rows(huge, heavy, work, ratio_row, rows)
    if "batch" in cases:
        batch_rows(folder, out, args.batch, heavy, work, ratio_row, rows)
    if "long" in cases:
        long_row(long_texts, heavy, work, ratio_row)
    if "dates" in cases:
        dates_rows(bad_dates, out, heavy, work, ratio_row, rows)
    report(rows, runs, heavy, args.profile, typical, work)


def typical_rows(frictionless: str, typical: Path, out: Path, runs: int, work: Path, ratio_row) -> None:
    peer_name = f"frictionless validate --trusted FILE --sheet {HAZARD_SHEET} --json"
    peer, check, audit = measure(
        runs, work,
        ("frictionless", [frictionless, "validate", "--trusted", typical.name, "--sheet", HAZARD_SHEET, "--json"],
         frictionless_read(300)),
        ("check", fireaudit("check", typical.name, "--format", "json"), fireaudit_json),
        ("audit", fireaudit("audit", typical.name, "-o", str(out / "typical"), "--format", "md,xlsx,json"),
         reports_written(out / "typical", 1, (".md", ".xlsx", ".json"))))
    ratio_row("typical: `check --format json`", check, peer, peer_name, 0.25)
    ratio_row("typical: `audit -o DIR --format md,xlsx,json`", audit, peer, peer_name, 0.5)


def help_row(runs: int, work: Path, ratio_row) -> None:
    ours, peer = measure(
        runs, work,
        ("help", fireaudit("--help"), lambda code, text: None if code == 0 and "batch" in text else "no usage text"),
        ("import pandas", [sys.executable, "-c", "import pandas; print(pandas.__version__)"],
         lambda code, text: None if code == 0 and text.strip() else "pandas not imported"))
    ratio_row("`fireaudit --help`", ours, peer, "python -c 'import pandas'", 0.2)


def huge_rows(huge: Path, heavy: int, work: Path, ratio_row, rows: list[Row]) -> None:
    """100k hazards: time and peak memory against the raw read of every sheet."""
    huge_read, huge_check = measure(heavy, work, ("raw read", raw_read(huge), printed_count(100_000)),
                                    ("check 100k", fireaudit("check", huge.name, "--format", "json"), fireaudit_json))
    ratio_row("100k hazards: `check --format json`", huge_check, huge_read, "python-calamine, every sheet", 1.5)
    memory = huge_check.rss_mib / huge_read.rss_mib
    rows.append(Row("100k hazards: peak memory (child only)", f"{huge_check.rss_mib:.0f} MiB",
                    f"{huge_read.rss_mib:.0f} MiB (python-calamine, every sheet)", memory, "≤ 1.5", memory <= 1.5))


def batch_rows(folder: Path, out: Path, count: int, heavy: int, work: Path, ratio_row, rows: list[Row]) -> None:
    """All reports, against pandas reading every workbook in one process; and the 2-worker speed-up."""
    formats = (".md", ".xlsx", ".json")

    def batch(jobs: int) -> Command:
        return (f"batch --jobs {jobs}", fireaudit("batch", folder.name, "-o", str(out / "batch"), "--format",
                                                  "md,xlsx,json", "--jobs", str(jobs)),
                reports_written(out / "batch", count, formats))

    batch_peer, two, one = measure(heavy, work, ("pandas batch", pandas_batch(folder), printed_count(count)),
                                   batch(2), batch(1))
    ratio_row(f"batch of {count} typical, all reports (`--jobs 2`)", two, batch_peer,
              f"pandas.read_excel(sheet_name=None) × {count}, one process", 0.25)
    speedup = one.seconds / two.seconds
    rows.append(Row(f"batch of {count}: speed-up of `--jobs 2` over `--jobs 1`",
                    f"{two.seconds:.2f} s", f"{one.seconds:.2f} s (`--jobs 1`)", speedup, "≥ 1.7",
                    speedup >= 1.7))


def long_row(long_texts: Path, heavy: int, work: Path, ratio_row) -> None:
    long_read, long_check = measure(heavy, work, ("raw read", raw_read(long_texts), printed_count(500)),
                                    ("check long", fireaudit("check", long_texts.name, "--format", "json"),
                                     fireaudit_json))
    ratio_row("500 referred hazards × 32,000-character descriptions: `check --format json`",
              long_check, long_read, "python-calamine, every sheet", 3)


def dates_rows(bad_dates: Path, out: Path, heavy: int, work: Path, ratio_row, rows: list[Row]) -> None:
    dates_out = out / "dates"
    sizes: list[float] = []

    def dates_written(code: int, text: str) -> str | None:
        if code not in (0, 1):
            return f"exit code {code}"
        written = list(dates_out.glob("*"))
        if not written:
            return "no reports written"
        sizes.append(folder_mib(dates_out))
        shutil.rmtree(dates_out, ignore_errors=True)
        return None

    dates_read, dates_audit = measure(heavy, work, ("raw read", raw_read(bad_dates), printed_count(100_000)),
                                      ("audit dates", fireaudit("audit", bad_dates.name, "-o", str(dates_out)),
                                       dates_written))
    ratio_row("100k unparseable dates: `audit -o DIR`", dates_audit, dates_read, "python-calamine, every sheet", 3)
    size = max(sizes)
    rows.append(Row("100k unparseable dates: size of the reports", f"{size:.1f} MiB", "—", size / 2, "< 2 MiB",
                    size < 2))


def report(rows: list[Row], runs: int, heavy: int, profile: bool, typical: Path, work: Path) -> None:
    load = os.getloadavg()
    print(f"fireaudit benchmarks — {os.cpu_count()} cores (shared; load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}), median of {runs} fresh processes ({heavy} for 100k, batch and pathological cases)\n")
    print("| case | fireaudit | peer | ratio | target | result |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print(f"| {row.case} | {row.ours} | {row.peer} | {row.ratio:.2f} | {row.target} | "
              f"{'PASS' if row.passed else 'FAIL'} |")
    if profile:
        print(f"\ncProfile of a typical `check --format json`, by cumulative time:\n{profile_check(typical)}")
    print(f"\nwork files: {work}")
    sys.exit(0 if all(row.passed for row in rows) else 1)


if __name__ == "__main__":
    main()
