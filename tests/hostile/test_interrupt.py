"""Ctrl-C (SIGINT) or SIGTERM in a batch: workers stop, exit 130 with a summary, no partial file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.builders import compliant
from tests.cli_helper import ROOT


@pytest.fixture(scope="module")
def slow_folder(tmp_path_factory):
    """Twelve registers with 15,000 drill rows each: the batch takes seconds, the signal comes in a fraction of one."""
    folder = tmp_path_factory.mktemp("slow")
    reg = compliant()
    for n in range(15000):
        reg.sheets["演练"].rows.append([n, "2023-01-01", "一村", "灭火演练", None, 10, None])
    first = reg.save(folder / "t00.xlsx")
    for n in range(1, 12):
        shutil.copy(first, folder / f"t{n:02d}.xlsx")
    return folder


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_a_batch_stops_workers_and_exits_130(slow_folder, tmp_path, signum):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "fireaudit", "batch", str(slow_folder), "-o", str(out),
                             "--format", "json", "--jobs", "2"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers = _workers(proc)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "已中断" in err and "Traceback" not in err
    time.sleep(0.5)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}") and "zombie" not in _state(w)]
    leftovers = [p.name for p in out.iterdir()] if out.exists() else []
    assert not [name for name in leftovers if name.endswith(".tmp")]
    assert "汇总.json" not in leftovers


def _workers(proc: subprocess.Popen) -> list[int]:
    """The batch's worker processes, once two or more children have stayed up for a tenth of a second."""
    deadline = time.monotonic() + 30
    seen: list[int] = []
    while time.monotonic() < deadline:
        children = _children(proc.pid)
        if len(children) >= 2 and children == seen:
            return children
        seen = children
        time.sleep(0.1)
    raise AssertionError("no workers started within 30 s")


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            return handle.read().lower()
    except OSError:
        return "zombie"
