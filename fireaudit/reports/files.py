"""Safe report file names and atomic writes.

Nothing from a cell decides where a file goes: names are reduced to a safe
stem (no separators, no `..`, no Windows device names), and every file is
written to a temporary sibling and renamed, so a report is either complete or
absent."""

from __future__ import annotations

import html
import os
import re
import signal
import tempfile
import threading
import unicodedata
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from fireaudit.errors import ConfigError

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                     *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
# File systems limit a name to 255 bytes (not characters; a Chinese character is
# 3 bytes in UTF-8). Three parts, two dashes and ".xlsx" stay below that.
MAX_PART_BYTES = 80


def safe_part(text: str | None, fallback: str = "未知") -> str:
    """One component of a file name, safe on Linux, macOS and Windows."""
    value = unicodedata.normalize("NFKC", text or "")
    value = _UNSAFE.sub("_", value).strip(" ._")
    value = re.sub(r"_+", "_", value)
    if not value or set(value) <= {"."}:
        value = fallback
    value = _truncate_bytes(value, MAX_PART_BYTES).rstrip(" .") or fallback
    if value.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        value = "_" + value
    return value


def _truncate_bytes(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def report_stem(county: str | None, township: str | None, period: str) -> str:
    return "-".join(safe_part(p) for p in (county, township, period))


def inside(directory: Path, name: str) -> Path:
    """`directory/name`, refusing anything that would resolve outside `directory`."""
    target = (directory / name).resolve()
    root = directory.resolve()
    if target.parent != root:
        raise ValueError(f"refusing to write outside {root}: {name!r}")
    return target


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".fireaudit-", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temp, _file_mode(path))  # mkstemp makes 0600; a report is as readable as any new file
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _file_mode(path: Path) -> int:
    """The mode of the report being replaced, else what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# ---------------------------------------------------------------- nothing lost (issue 20, item 3)
ANNOTATED_KEYWORD = "fireaudit-annotated"      # docProps keywords of an annotated copy
# A register (a filled-in `fireaudit template`, township or county), not a report, though fireaudit made the form
_REGISTER_SHEETS = tuple(f'name="{n}"'.encode("utf-8") for n in ("基本情况", "填表说明", "乡镇名册"))
_EARLIER_MARKS = tuple(f'name="{n}"'.encode("utf-8") for n in ("审核意见", "Audit findings", "排名", "Ranking"))
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>\s*([^<\s]+)\s*</dcterms:modified>")
_TOOL_CELL = re.compile(r"<t(?:\s[^>]*)?>fireaudit \d+(?:\.\d+)+[^<]{0,40}</t>")


class OutputClash(ConfigError):
    """A report would replace an input of this run or a file fireaudit did not write (exit 2, before any write)."""


def written_by_fireaudit(path: Path) -> bool:
    """Whether `path` is fireaudit's own output, as fireaudit wrote it: a batch skips it as an input,
    and a report may replace it. Anything else is someone's file: audited, never overwritten.

    JSON carries "tool": "fireaudit"; Markdown names fireaudit in its provenance;
    .docx names fireaudit as author. An .xlsx fireaudit wrote (report 概况, copy
    审核意见, roll-up 来源) carries provenance rows `工具版本 | fireaudit X.Y` and
    the run time, which is also the document's `modified` property: a renamed or
    moved copy is still fireaudit's, but one a township corrected and saved again
    (Excel or WPS rewrites `modified`) is the township's new register. Without
    such rows (an earlier fireaudit), the author, the annotated-copy keyword or
    the sheet names decide; a filled-in template (基本情况, 填表说明, 乡镇名册) never
    counts, though fireaudit made the form."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        suffix = path.suffix.lower()
        if suffix in (".json", ".md"):
            with path.open("rb") as handle:
                head = handle.read(1 << 20)
            return (b'"tool": "fireaudit"' in head) if suffix == ".json" else (b"fireaudit" in head)
        if suffix in (".xlsx", ".xlsm", ".docx"):
            with zipfile.ZipFile(path) as archive:
                core = _member(archive, "docProps/core.xml")
                if suffix == ".docx":
                    return b">fireaudit<" in core
                untouched = _untouched_output(archive, core)
                if untouched is not None:
                    return untouched
                workbook = _member(archive, "xl/workbook.xml")
                if ANNOTATED_KEYWORD.encode() in core:
                    return True
                if b">fireaudit<" in core:
                    return not any(mark in workbook for mark in _REGISTER_SHEETS)
                # written by an earlier fireaudit, before these marks: an annotated copy or a roll-up
                return any(name in workbook for name in _EARLIER_MARKS)
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError):
        return False
    return False


def _untouched_output(archive: zipfile.ZipFile, core: bytes) -> bool | None:
    """None without provenance rows; else whether the run time they give is still the `modified` time."""
    from fireaudit.i18n import t

    text = html.unescape(b"".join(_member(archive, name, 4 << 20)
                                  for name in _provenance_parts(archive)).decode("utf-8", "replace"))
    labels = {t(lang, "report.tool_version") for lang in ("zh", "en")}
    if not (_TOOL_CELL.search(text) and any(f">{label}<" in text for label in labels)):
        return None
    modified = _MODIFIED.search(core)
    if modified is None:
        return False
    stamp = re.escape(modified.group(1).decode("utf-8", "replace"))
    return re.search(rf"<t(?:\s[^>]*)?>{stamp}</t>", text) is not None


def _provenance_parts(archive: zipfile.ZipFile) -> list[str]:
    """The shared strings, the first sheet and any 来源 sheet of a workbook (where provenance rows are)."""
    from fireaudit.i18n import t

    names = set(archive.namelist())
    parts = ["xl/sharedStrings.xml"] if "xl/sharedStrings.xml" in names else []
    book = _member(archive, "xl/workbook.xml").decode("utf-8", "replace")
    rels = _member(archive, "xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    sources = {t(lang, "rollup_sources.sheet") for lang in ("zh", "en")}
    for n, (name, rid) in enumerate(re.findall(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', book)):
        if n == 0 or html.unescape(name) in sources:
            target = targets.get(rid, "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if member in names:
                parts.append(member)
    return parts


def _member(archive: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    try:
        with archive.open(name) as handle:
            return handle.read(limit)
    except KeyError:
        return b""


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def check_targets(targets: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse (exit 2, before anything is written) a target that is an input of this run or a stranger's file."""
    by_identity: dict[tuple[int, int], Path] = {}
    by_name: dict[Path, Path] = {}
    for item in inputs:
        item = Path(item)
        identity = _identity(item)
        if identity:
            by_identity[identity] = item
        by_name[Path(os.path.abspath(item))] = item
    for target in targets:
        target = Path(target)
        clash = by_name.get(Path(os.path.abspath(target))) or by_identity.get(_identity(target) or (-1, -1))
        if clash is not None:
            raise OutputClash("error.output.would_replace_input", target=str(target), input=str(clash))
        if os.path.lexists(target) and not written_by_fireaudit(target):
            raise OutputClash("error.output.not_ours", target=str(target))


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends: a set of renames is never cut in half.

    The handlers are swapped for ones that only note the signal, then restored and
    the noted signal delivered. (A signal mask would hold it only in this thread; the
    kernel may hand a process signal to any other thread, and Python then runs the
    handler in the main thread at once.)"""
    held = (signal.SIGINT, signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread():   # handlers can only be set there
        yield
        return
    pending: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, _frame: pending.append(signum)) for signum in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if pending:
            handler = previous[pending[0]]
            if callable(handler):
                handler(pending[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(pending[0])


def commit_set(files: list[tuple[Path, bytes | str]], sync_folder: bool = True) -> list[Path]:
    """Write a set of files so that an interruption leaves the previous set or the new one, never a mix.

    Every file goes to a temporary sibling first and is made durable (a full
    disk fails here, before anything is replaced: the files are synced side by
    side, so the file system commits them together); then all are renamed with
    Ctrl-C/SIGTERM held, and each folder is synced once. `sync_folder=False`
    leaves that last step to the caller (a batch syncs its output folder once,
    after every township's set: sync_folders): a crash before it may lose a
    rename, never leave a file half written."""
    temps: list[tuple[str, Path]] = []
    handles: list[Any] = []
    try:
        for path, data in files:
            payload = data.encode("utf-8") if isinstance(data, str) else data
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".fireaudit-", suffix=".tmp", dir=path.parent)
            temps.append((temp, path))
            handle = os.fdopen(fd, "wb")
            handles.append(handle)
            os.chmod(temp, _file_mode(path))
            handle.write(payload)
            handle.flush()
        _sync_all([handle.fileno() for handle in handles])
        while handles:
            handles.pop().close()
        with signals_held():
            for temp, path in temps:
                os.replace(temp, path)
    except BaseException:
        for handle in handles:
            try:
                handle.close()
            except OSError:
                pass
        for temp, _ in temps:
            try:
                os.unlink(temp)
            except OSError:
                pass
        raise
    if sync_folder:
        sync_folders([path for path, _ in files])
    return [path for path, _ in files]


def sync_folders(paths: Iterable[Path]) -> None:
    """Make the renames of `paths` durable: each of their folders synced once."""
    for folder in {Path(path).parent for path in paths}:
        _sync_folder(folder)


def _sync_all(fds: list[int]) -> None:
    """fdatasync every file, at the same time (a journal commits concurrent syncs together: a set of
    three takes about the time of one); the first failure is raised once all have ended."""
    sync = os.fdatasync if hasattr(os, "fdatasync") else os.fsync
    if len(fds) < 2:
        for fd in fds:
            sync(fd)
        return
    failures: list[BaseException] = []

    def run(fd: int) -> None:
        try:
            sync(fd)
        except BaseException as exc:   # noqa: BLE001 - raised in the calling thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(fd,), daemon=True) for fd in fds[1:]]
    for thread in threads:
        thread.start()
    run(fds[0])
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
