"""The worker pool (fireaudit/pool.py): workers never outlive a parent that was killed outright.

A parent killed with SIGKILL (the OOM killer, `kill -9`) runs no clean-up; its
workers must still see their pipe close and leave, not wait on it for ever."""

from __future__ import annotations

import os
import signal
import time

from fireaudit.pool import Pool


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            return "zombie" not in handle.read().lower()
    except OSError:
        return False


def test_workers_leave_when_their_parent_is_killed(tmp_path):
    pids = tmp_path / "workers"
    parent = os.fork()
    if parent == 0:   # the parent of the pool: start three workers on long tasks, write their pids, wait
        try:
            pool = Pool(3)
            tasks = [(n, _sleep, (0.2 if n == 0 else 60,)) for n in range(3)]

            def done(key, _):
                pids.write_text(" ".join(str(w.process.pid) for w in pool.workers))

            pool.map(tasks, done, lambda key, reason: None)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 30
    while not pids.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p) for p in pids.read_text().split()]
    assert len(workers) == 3
    os.kill(parent, signal.SIGKILL)
    os.waitpid(parent, 0)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, "workers outlived their killed parent"


def _initialised(value: str) -> None:
    _SEEN.append(value)


_SEEN: list[str] = []


def _seen() -> list:
    return list(_SEEN)


def test_a_spare_started_early_serves_the_pool_with_the_same_initializer():
    """pool.prestart forks a worker before the command line is parsed (fireaudit/__main__.py);
    the first pool with that initializer and those arguments takes it, another pool forks its own."""
    from fireaudit import pool as pools

    pools.prestart(__name__, "_initialised", ("early",))
    spare = pools._SPARES[0][2].process
    pool = Pool(1, _initialised, ("early",))
    seen = []
    pool.map([(0, _seen, ())], lambda key, value: seen.append(value), lambda key, reason: None)
    assert seen == [["early"]] and spare.exitcode is not None and not pools._SPARES

    pools.prestart(__name__, "_initialised", ("guessed",))
    spare = pools._SPARES[0][2].process
    pool = Pool(1, _initialised, ("parsed",))
    seen.clear()
    pool.map([(0, _seen, ())], lambda key, value: seen.append(value), lambda key, reason: None)
    assert seen == [["parsed"]] and not spare.is_alive() and not pools._SPARES


def _frozen() -> int:
    import gc

    return gc.get_freeze_count()


def test_a_worker_freezes_what_it_inherited_and_initialised():
    """What a worker holds for its whole life (the checklist; a batch's run) is out of the cyclic
    collector's sight: its passes, set off by every workbook a task builds, need not walk it again."""
    results = []
    inherited = _frozen()   # what this process froze (a fork inherits it): the worker must freeze more
    Pool(1, _initialised, ("frozen",)).map([(0, _frozen, ())], lambda key, value: results.append(value),
                                          lambda key, reason: None)
    assert results and results[0] > inherited
