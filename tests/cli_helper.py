"""Run the command line as a user does: exit code, stdout and stderr.

`run_cli` runs `fireaudit.cli.main()` in this process under typer's CliRunner
isolation (its own stdin, stdout, stderr and environment, in `cwd`), so the
entry point's handling of usage errors, FireauditError (one line + exit code)
and crashes (exit 4) is what a test sees, without ~0.8 s of interpreter and
import start-up per call. `run_forked` runs it in a forked process of its own, for
the tests where a process matters (exit status, memory, workers) but start-up
does not; the few tests of signals, pipes and start-up start `python -m fireaudit`
themselves."""

from __future__ import annotations

import os
import signal
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


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """`fireaudit ARGS` in this process; env entries are set for the call only ("" stays "", as in a shell)."""
    from click import formatting
    from typer.testing import CliRunner

    saved_cwd, saved_argv = os.getcwd(), sys.argv
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}   # batch sets SIGTERM
    with CliRunner().isolation(env={**ENV, **(env or {})}) as (out, err, _):
        formatting.FORCED_WIDTH = None   # help wraps to the terminal as outside (the isolation forces 80)
        try:
            code = _main(args, cwd)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.chdir(saved_cwd)
            sys.argv = saved_argv
            for signum, handler in saved_signals.items():
                signal.signal(signum, handler)
        return Result(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8", "backslashreplace"))


def _main(args: tuple[str, ...], cwd: Path | None) -> int:
    """`fireaudit ARGS` through the shipped entry point, in `cwd`: the exit status the shell would see."""
    from fireaudit import cli

    os.chdir(cwd or ROOT)
    sys.argv = ["fireaudit", *args]
    try:
        cli.main()
    except SystemExit as exc:
        return _exit_code(exc.code)
    return 0


def _exit_code(code: object) -> int:
    """What the shell would see for sys.exit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return int(code)
    print(code, file=sys.stderr)
    return 1


@dataclass
class Measured:
    code: int
    output: str       # stdout and stderr interleaved, as a terminal shows them
    seconds: float
    rss_mib: float    # peak resident memory the run added to what the process held when it started


def run_forked(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
               address_space_mib: int | None = None) -> Measured:
    """`fireaudit ARGS` in a forked copy of this process: a real process (its own memory, signals,
    exit status and file descriptors) without ~0.8 s of interpreter and import start-up.

    Peak memory is the child's maximum RSS (its workers' included, as os.wait4 counts
    them) minus the RSS it held right after the fork, so a bound on it is a bound on
    what the run itself allocated. `address_space_mib` caps
    the child's further address space, so a regression aborts the child, not the machine."""
    import tempfile
    import time

    import fireaudit.cli  # noqa: F401 - imported once here, not again in every child

    with tempfile.TemporaryFile("w+b") as output:
        read_end, write_end = os.pipe()
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:   # the child: never returns into pytest
            code = 70
            try:
                os.close(read_end)
                os.write(write_end, f"{_rss_mib()}".encode("ascii"))   # what the kernel counts as inherited
                os.close(write_end)
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)
                sys.stdin = open(0, encoding="utf-8", closefd=False)
                for signum in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
                if address_space_mib is not None:
                    import resource

                    limit = _address_space_bytes() + address_space_mib * 1024 * 1024
                    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                os.environ.update({**ENV, **(env or {})})
                code = _main(args, cwd)
            except BaseException:   # noqa: BLE001 - report anything, then leave
                import traceback

                traceback.print_exc()
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            inherited = float(pipe.read() or 0)
        _, status, usage = os.wait4(pid, 0)
        seconds = time.monotonic() - start
        output.seek(0)
        text = output.read().decode("utf-8", "backslashreplace")
    return Measured(os.waitstatus_to_exitcode(status), text, seconds, usage.ru_maxrss / 1024 - inherited)


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _address_space_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
