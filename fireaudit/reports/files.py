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
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_STEM = 120


def safe_part(text: str | None, fallback: str = "未知") -> str:
    """One component of a file name, safe on Linux, macOS and Windows."""
    value = unicodedata.normalize("NFKC", text or "")
    value = _UNSAFE.sub("_", value).strip(" ._")
    value = re.sub(r"_+", "_", value)
    if not value or set(value) <= {"."}:
        value = fallback
    if value.split(".")[0].upper() in _WINDOWS_RESERVED:
        value = "_" + value
    return value[:MAX_STEM]


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
