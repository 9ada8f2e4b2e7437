"""A small process pool that survives its workers: one task per worker at a time.

calamine can abort the whole process (an allocation failure is SIGABRT), and its
PanicException derives from BaseException. ProcessPoolExecutor breaks entirely
when one worker dies (BrokenProcessPool), so a single hostile file would lose
every other file's report. Here a worker that dies is replaced and only its
own task is reported, through `died(key, reason)`; the others carry on.

Workers ignore Ctrl-C (the parent decides) and take SIGTERM's default action;
on KeyboardInterrupt in the parent every worker is terminated and joined."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Hashable, Iterable

def died_reason(exitcode: int | None) -> str:
    """How the worker ended (SIGABRT, exit 3): the detail of the input code parser-died."""
    if exitcode is None:
        return "?"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit {exitcode}"


def _die_with_parent() -> None:
    """A parent killed outright (SIGKILL, the OOM killer) runs no clean-up: have the kernel end this
    worker with it (Linux PR_SET_PDEATHSIG), even in the middle of a long parse. Elsewhere a worker
    leaves at its next read of the closed pipe. (The signal follows the thread that started the
    worker: pools are started from the main thread.)"""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:   # it died before the call: no signal will come
        os._exit(1)


class TaskError(Exception):
    """A task raised an ordinary exception in a worker: a bug, re-raised in the parent (exit 4)."""


def _worker_main(conn: Connection, initializer: Callable[..., None] | None, initargs: tuple,
                 parents_ends: tuple[Connection, ...] = ()) -> None:
    """Run tasks from `conn` until it closes.

    What the worker has once initialised (the checklist; in a batch's render workers the whole
    run, inherited from the parent) lives as long as the worker: it is frozen (gc.freeze), so
    the collector's full passes, which the objects of every rendered workbook set off, do not walk it
    each time (they took a quarter of a render worker's time). The initializer runs with the
    collector off: what it makes is kept, so collecting meanwhile only costs time."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    for end in parents_ends:   # inherited by the fork: held here, they would keep `conn` from seeing EOF
        end.close()
    if initializer is not None:
        collecting = gc.isenabled()
        gc.disable()        # importing the engine and loading the checklist make no garbage worth
        try:                # the ~35 collections they would set off (~8 ms before a first task)
            initializer(*initargs)
        finally:
            if collecting:
                gc.enable()
    gc.freeze()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, args = task
        try:
            reply = ("ok", fn(*args))
        except Exception as exc:   # noqa: BLE001 - a bug: the parent re-raises it
            import traceback

            reply = ("bug", f"{type(exc).__name__}: {' '.join(str(exc).split())}", traceback.format_exc())
        except BaseException as exc:  # noqa: BLE001 - PanicException and kin: this task's input killed the parser
            reply = ("died", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled is a bug too
            conn.send(("bug", f"cannot send the result back: {type(exc).__name__}: {exc}"))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    key: Hashable | None = None


# Workers forked at start-up (prestart), each with the name and arguments of its initializer, until a Pool takes one.
_SPARES: list[tuple[str, tuple, _Worker]] = []


def prestart(module: str, function: str, args: tuple) -> None:
    """Fork one worker now, whose initializer `module.function(*args)` runs while this process goes
    on starting up (fireaudit/__main__.py: before typer is imported); the first Pool whose
    initializer and arguments are the same takes it as its first worker. Only where workers
    are forked; a spare no pool wants ends when one starts other workers, or with this process."""
    if multiprocessing.get_start_method(True) not in (None, "fork"):
        return
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_worker_main, args=(child, _initialise, (module, function, args), (parent,)),
                              daemon=True)
    process.start()
    child.close()
    _SPARES.append((f"{module}.{function}", args, _Worker(process, parent)))


def idle_core() -> bool:
    """Whether a core is free for one more process now: fewer runnable tasks than the cores this process
    may run on (Linux's /proc/loadavg counts this one among them; elsewhere the one-minute load average
    decides)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        try:
            return os.getloadavg()[0] < cores - 0.5
        except OSError:
            return False
    return running < cores


def _take_spare(initializer: Callable[..., None] | None, initargs: tuple, take: bool) -> _Worker | None:
    """The spare forked for this initializer and these arguments (removed from the spares if `take`)."""
    name = f"{getattr(initializer, '__module__', '')}.{getattr(initializer, '__qualname__', '')}"
    for n, (spare, args, worker) in enumerate(_SPARES):
        if spare == name and args == initargs:
            if take:
                del _SPARES[n]
            return worker
    return None


def _initialise(module: str, function: str, args: tuple) -> None:
    import importlib

    getattr(importlib.import_module(module), function)(*args)


def _discard_spares() -> None:
    while _SPARES:
        _, _, worker = _SPARES.pop()
        worker.conn.close()
        worker.process.terminate()
        worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(1)


class Pool:
    """`workers` processes; `map` runs (key, fn, args) tasks and calls back as each ends."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()):
        self.size = max(1, workers)
        self.initializer, self.initargs = initializer, initargs
        self.context = multiprocessing.get_context()
        self.workers: list[_Worker] = []

    @staticmethod
    def has_spare(initializer: Callable[..., None], initargs: tuple) -> bool:
        """Whether a spare (prestart) with this initializer and these arguments is waiting."""
        return _take_spare(initializer, initargs, take=False) is not None

    def _spawn(self) -> _Worker:
        spare = _take_spare(self.initializer, self.initargs, take=True)
        if spare is not None:
            self.workers.append(spare)
            return spare
        _discard_spares()   # not this pool's: it would only hold a core and the pipes of the workers forked next
        parent, child = self.context.Pipe()
        ends = (parent, *(w.conn for w in self.workers))   # the pool's ends of every pipe, to close in the worker
        process = self.context.Process(target=_worker_main, args=(child, self.initializer, self.initargs, ends),
                                       daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> int | None:
        worker.conn.close()
        worker.process.join(5)
        self.workers.remove(worker)
        return worker.process.exitcode

    def map(self, tasks: Iterable[tuple[Hashable, Callable[..., Any], tuple]],
            done: Callable[[Hashable, Any], None], died: Callable[[Hashable, str], None],
            meanwhile: Callable[[], None] | None = None, keep: bool = False) -> None:
        """Run every task; `done(key, result)` or `died(key, reason)` once per task, in completion order.

        `meanwhile` is called once, in this process, as soon as the first tasks are
        out (the caller's own preparation, e.g. importing its report writers, then
        overlaps the workers' parsing); an exception it raises ends every worker at once.
        With `keep`, the workers stay for the next `map` (with what their tasks left in them).

        A task whose worker raised an ordinary exception raises TaskError here
        (after the pool is shut down): that is fireaudit's bug, not the input's."""
        queue = deque(tasks)
        idle = [w for w in self.workers if w.key is None]   # kept from an earlier map
        try:
            while queue or any(w.key is not None for w in self.workers):
                while queue and (idle or len(self.workers) < self.size):
                    worker = idle.pop() if idle else self._spawn()
                    key, fn, args = queue.popleft()
                    worker.key = key
                    try:
                        worker.conn.send((fn, args))
                    except (BrokenPipeError, OSError):
                        pass   # died before its task: the sentinel says so below
                if meanwhile is not None:
                    meanwhile, prepare = None, meanwhile
                    prepare()
                busy = [w for w in self.workers if w.key is not None]
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for worker in busy:
                    if worker.conn not in ready and worker.process.sentinel not in ready:
                        continue
                    key, worker.key = worker.key, None
                    reply = None
                    try:
                        if worker.conn.poll():
                            reply = worker.conn.recv()
                    except (EOFError, OSError):
                        reply = None
                    if reply is None:
                        died(key, died_reason(self._retire(worker)))
                    elif reply[0] == "ok":
                        idle.append(worker)
                        done(key, reply[1])
                    elif reply[0] == "died":
                        self._retire_quietly(worker)
                        died(key, reply[1])
                    else:
                        error = TaskError(reply[1])
                        if len(reply) > 2:
                            error.add_note(f"in the worker process:\n{reply[2]}")   # goes to the crash file
                        raise error
        except BaseException:
            self.terminate()
            raise
        if not keep:
            self.close()

    def _retire_quietly(self, worker: _Worker) -> None:
        """A worker that survived a BaseException in native code is not trusted with another task."""
        worker.process.terminate()
        self._retire(worker)

    def close(self) -> None:
        for worker in list(self.workers):
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self._retire(worker)

    def terminate(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in list(self.workers):
            worker.conn.close()
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
        self.workers.clear()
