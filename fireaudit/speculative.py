"""Parse while the guard measures: a big workbook's calamine parse starts in its worker while
this process runs the pre-parse guard (preflight.check_file) on the same bytes.

Why: the guard is one pass over every inflated XML part (half a second for 100,000 hazards)
and the parse used to wait for its verdict, while the parent process sat idle. The safety
the guard gives is kept:
- the worker parses ahead only under an address-space cap (RLIMIT_AS), so a workbook built to
  make calamine allocate gigabytes ends that worker (an abort), never the machine;
- a refusal ends the worker at once, and the file is unreadable with the guard's reason, as before;
- nothing the worker loaded is used unless the guard passed exactly the bytes it parsed
  (SHA-256 compared) and the guard's verdict (its sheet measures) is what the reader then uses;
- anything else going wrong ahead (an exception, the cap, a died worker) falls back to the
  usual order: guard, then parse, in a worker.
Only one file, only a zip workbook of at least AHEAD_MIN_BYTES (smaller ones are guarded in
milliseconds), and only where the cap can be set."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from fireaudit.errors import InputError
from fireaudit.pool import Pool

AHEAD_MIN_BYTES = 1 << 20
# What the cap allows the parse ahead beyond what the worker had mapped: one sheet as large as the guard
# lets through (checklists/limits.toml: max_sheet_cells cells of calamine's 32-byte Data) with the
# strings of all parts (max_total_mb), twice over. A workbook holding more than that at once (several
# sheets near the limit) is parsed again the usual way, one sheet after another.
_CELL_BYTES = 32
_HEADROOM = 2
_ZIP_MAGIC = b"PK\x03\x04"
_PARSE_AHEAD: dict[str, Any] = {}       # in the worker: what `load_ahead` loaded, for audit_file


@dataclass
class ParsedAhead:
    """A worker's parse ahead of the guard: the bytes read once, their digest, and the open workbook
    with the sheets loaded so far (name -> calamine sheet)."""

    path: str
    data: bytes
    sha256: str
    workbook: Any
    sheets: dict[str, Any]


class Fallback(Exception):
    """Raised by the guard when this file's parse ahead is of no use (the file could not be read here,
    or it has a sheet the reader will not load): the worker is ended and the file parsed the usual way."""


class _Refused(Exception):
    """The guard's refusal, raised in Pool.map's `meanwhile` so that the worker is ended at once."""

    def __init__(self, error: InputError):
        super().__init__(error.reason)
        self.error = error


def worth_it(paths: list[Any]) -> bool:
    """Whether one file is big enough, and a zip workbook, for a parse ahead; and the cap can be set."""
    try:
        import resource  # noqa: F401 - POSIX only

        if len(paths) != 1 or not Path("/proc/self/statm").exists():
            return False
        path = Path(paths[0])
        if path.stat().st_size < AHEAD_MIN_BYTES:
            return False
        with path.open("rb") as handle:
            return handle.read(4) == _ZIP_MAGIC
    except (ImportError, OSError):
        return False


def guard_while_parsing(pool: Pool, load: tuple[Callable[..., str | None], tuple], prepare: Callable[[], Any],
                        guard: Callable[[], tuple[Any, str]]):
    """Send the parse ahead (`load`: a worker task returning the SHA-256 of what it loaded, or None)
    to `pool`'s worker, then run `prepare` and `guard` (the file's Preflight and the SHA-256 of the
    bytes it measured, or an InputError) here meanwhile.

    Returns the Preflight when the worker holds a parse of exactly the guarded bytes (audit
    with `with_verdict`), the InputError when the guard refused the file (its worker is
    gone), or None when the parse ahead came to nothing or `guard` raised Fallback (then parse
    the usual way)."""
    seen: dict[str, Any] = {}

    def meanwhile() -> None:
        prepare()
        try:
            seen["preflight"], seen["sha256"] = guard()
        except InputError as error:
            raise _Refused(error) from None

    try:
        pool.map([(0, *load)], done=lambda _, digest: seen.update(loaded=digest), died=lambda *_: None,
                 meanwhile=meanwhile, keep=True)
    except _Refused as refused:
        return refused.error
    except Fallback:
        return None
    if seen.get("loaded") and seen["loaded"] == seen.get("sha256"):
        return seen["preflight"]
    return None


def oversized(preflight: Any, limits: Any) -> bool:
    """Whether the guard found a sheet the reader will skip unread: the worker loaded it ahead (or died
    trying), and the usual parse, which never loads it, is the one to use."""
    return any(scan.cells > limits.max_sheet_cells for scan in preflight.sheets.values())


def budget(limits: Any) -> int:
    """The bytes the parse ahead may map beyond the worker's own (see _CELL_BYTES)."""
    return _HEADROOM * (limits.max_sheet_cells * _CELL_BYTES + int(limits.max_total_mb * (1 << 20)))


def load_ahead(path: str, data: bytes, digest: str, sheets_of: Callable[[list[str]], list[str]], cap: int) -> str | None:
    """In the worker: open `data` (the file's bytes, read once) and load the sheets `sheets_of` names,
    under the address-space cap; keep them for the audit that follows. Their SHA-256, or None if
    anything failed (the usual guarded parse then runs)."""
    from fireaudit.register.parallel_parse import big_sheets
    from fireaudit.register.reader import open_workbook

    _PARSE_AHEAD.clear()
    try:
        with address_space_cap(cap), _stderr_silenced():
            workbook = open_workbook(Path(path), data)
            names = sheets_of(workbook.sheet_names)
            sheets: dict[str, Any] = big_sheets(data, names)     # parsed in parts, on idle cores
            sheets.update((name, workbook.get_sheet_by_name(name)) for name in names if name not in sheets)
    except Exception:   # noqa: BLE001 - MemoryError under the cap, calamine's own errors: the guarded parse says
        _PARSE_AHEAD.clear()
        return None
    _PARSE_AHEAD["ahead"] = ParsedAhead(path, data, digest, workbook, sheets)
    return digest


def with_verdict(preflight: Any, task: Callable[..., Any], *args: Any) -> Any:
    """In the worker: run `task` (worker_audit or a Pending's task) on the parse ahead, with the
    guard's verdict on its bytes."""
    _PARSE_AHEAD["preflight"] = preflight
    try:
        return task(*args)
    finally:
        _PARSE_AHEAD.clear()


def taken_ahead(path: str | Path) -> tuple[ParsedAhead, Any] | None:
    """The parse ahead of `path` and the guard's verdict on it, once (audit_file in the worker)."""
    ahead, preflight = _PARSE_AHEAD.pop("ahead", None), _PARSE_AHEAD.pop("preflight", None)
    if ahead is None or preflight is None or ahead.path != str(path):
        return None
    return ahead, preflight


class Loaded:
    """The workbook as the reader opens it, with the sheets loaded ahead handed out first (once each)."""

    def __init__(self, workbook: Any, sheets: dict[str, Any]):
        self.workbook, self.sheets = workbook, sheets
        self.sheet_names = workbook.sheet_names

    def get_sheet_by_name(self, name: str) -> Any:
        sheet = self.sheets.pop(name, None)
        return sheet if sheet is not None else self.workbook.get_sheet_by_name(name)

    def close(self) -> None:
        self.sheets.clear()
        self.workbook.close()


@contextlib.contextmanager
def address_space_cap(budget: int) -> Iterator[None]:
    """RLIMIT_AS lowered to what this process maps now plus `budget`, then put back: an allocation past
    it fails (calamine aborts, Python raises MemoryError) instead of taking the machine's memory.
    No core file meanwhile (RLIMIT_CORE 0): such an abort is expected, and its core could be as large."""
    import os
    import resource

    core = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, core[1]))    # an abort under the cap writes no core file
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm", encoding="ascii") as handle:
        mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = mapped + budget
    for limit in (soft, hard):          # never looser than a cap this process was given
        if limit != resource.RLIM_INFINITY:
            cap = min(cap, limit)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        resource.setrlimit(resource.RLIMIT_CORE, core)


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Nothing on the user's terminal from a parse ahead that fails under the cap (calamine's
    "memory allocation … failed" and the abort's dump): the usual guarded parse says what is wrong."""
    import os

    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
