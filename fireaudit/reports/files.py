"""Safe report file names and atomic writes.

Nothing from a cell decides where a file goes: names are reduced to a safe
stem (no separators, no `..`, no Windows device names), and every file is
written to a temporary sibling and renamed, so a report is either complete or
absent."""

from __future__ import annotations

import os
import re
import signal
import tempfile
import unicodedata
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

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
_PROFILE_SHEET = 'name="基本情况"'.encode("utf-8")   # a register (e.g. from `fireaudit template`), not a report
_EARLIER_MARKS = tuple(f'name="{n}"'.encode("utf-8") for n in ("审核意见", "Audit findings", "排名", "Ranking"))


class OutputClash(ConfigError):
    """A report would replace an input of this run or a file fireaudit did not write (exit 2, before any write)."""


def written_by_fireaudit(path: Path) -> bool:
    """Whether the existing file at `path` is a report or copy fireaudit wrote (so it may be replaced).

    JSON carries "tool": "fireaudit"; Markdown names fireaudit in its provenance;
    .xlsx/.docx name fireaudit as author and are not a register (a filled-in
    template also names fireaudit as its creator, so it must carry no 基本情况
    sheet) unless marked as an annotated copy."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        suffix = path.suffix.lower()
        if suffix in (".json", ".md"):
            with path.open("rb") as handle:
                head = handle.read(1 << 20)
            return (b'"tool": "fireaudit"' in head) if suffix == ".json" else (b"fireaudit" in head)
        if suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as archive:
                core = _member(archive, "docProps/core.xml")
                if ANNOTATED_KEYWORD.encode() in core:
                    return True
                workbook = _member(archive, "xl/workbook.xml")
                if b">fireaudit<" in core:
                    return _PROFILE_SHEET not in workbook
                # written by an earlier fireaudit, before these marks: an annotated copy or a roll-up
                return any(name in workbook for name in _EARLIER_MARKS)
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False
    return False


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
            raise OutputClash(f"refusing to write {target}: it would replace the input {clash}; "
                              f"choose another output directory (-o)")
        if os.path.lexists(target) and not written_by_fireaudit(target):
            raise OutputClash(f"refusing to overwrite {target}: fireaudit did not write it; "
                              f"move it away or choose another output directory (-o)")


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends: a set of renames is never cut in half."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):   # not on this platform / not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def commit_set(files: list[tuple[Path, bytes | str]]) -> list[Path]:
    """Write a set of files so that an interruption leaves the previous set or the new one, never a mix.

    Every file goes to a temporary sibling first and is made durable (a full
    disk fails here, before anything is replaced); then all are renamed with
    Ctrl-C/SIGTERM held, and each folder is synced once."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            payload = data.encode("utf-8") if isinstance(data, str) else data
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".fireaudit-", suffix=".tmp", dir=path.parent)
            temps.append((temp, path))
            os.chmod(temp, _file_mode(path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fdatasync(handle.fileno()) if hasattr(os, "fdatasync") else os.fsync(handle.fileno())
        with signals_held():
            for temp, path in temps:
                os.replace(temp, path)
    except BaseException:
        for temp, _ in temps:
            try:
                os.unlink(temp)
            except OSError:
                pass
        raise
    for folder in {path.parent for path, _ in files}:
        _sync_folder(folder)
    return [path for path, _ in files]


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
