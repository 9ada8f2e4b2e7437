"""Run the command line as a user does: exit code, stdout and stderr.

`run_cli` runs `fireaudit.cli.main()` in this process under typer's CliRunner
isolation (its own stdin, stdout, stderr and environment, in `cwd`), so the
entry point's handling of usage errors, FireauditError (one line + exit code)
and crashes (exit 4) is what a test sees, without ~0.8 s of interpreter and
import start-up per call. `run_process` runs `python -m fireaudit` for real, for
the tests where a process matters: signals, start-up, the shipped entry point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {"COLUMNS": "200"}   # rich wraps at this width, in and out of process


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float | None = None) -> Result:
    """`fireaudit ARGS` in this process; env entries are set for the call only ("" stays "", as in a shell).

    `timeout` is accepted for call sites written for run_process and not enforced here."""
    from click import formatting
    from typer.testing import CliRunner

    from fireaudit import cli

    saved_cwd, saved_argv = os.getcwd(), sys.argv
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}   # batch sets SIGTERM
    with CliRunner().isolation(env={**ENV, **(env or {})}) as (out, err, _):
        formatting.FORCED_WIDTH = None   # help wraps to the terminal as outside (the isolation forces 80)
        try:
            os.chdir(cwd or ROOT)
            sys.argv = ["fireaudit", *args]
            try:
                cli.main()
                code = 0
            except SystemExit as exc:
                code = _exit_code(exc.code)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.chdir(saved_cwd)
            sys.argv = saved_argv
            for signum, handler in saved_signals.items():
                signal.signal(signum, handler)
        return Result(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8", "backslashreplace"))


def _exit_code(code: object) -> int:
    """What the shell would see for sys.exit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return int(code)
    print(code, file=sys.stderr)
    return 1


def run_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 120) -> Result:
    """`python -m fireaudit ARGS` in a new process, with this worktree on PYTHONPATH and no stdin."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **ENV, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "fireaudit", *args], cwd=cwd or ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return Result(proc.returncode, proc.stdout, proc.stderr)
