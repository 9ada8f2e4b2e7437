"""Safe report file names and atomic writes.

Nothing from a cell decides where a file goes: names are reduced to a safe
stem (no separators, no `..`, no Windows device names), and every file is
written to a temporary sibling and renamed, so a report is either complete or
absent."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

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
