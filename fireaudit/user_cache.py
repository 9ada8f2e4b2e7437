"""fireaudit's files in the user's cache directory (platformdirs): what the checklist and message caches share.

Each cache keeps its own format and its own test of freshness
(fireaudit/checklist/disk_cache.py, fireaudit/i18n.py); here is where their
entries live, the switch that turns every cache off (FIREAUDIT_NO_CACHE=1), and
the atomic write (a reader never sees half an entry; a cache that cannot be
written is no cache, never an error; what a killed run left half written is
swept at the next write)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_OFF = "FIREAUDIT_NO_CACHE"


def folder(name: str) -> Path | None:
    """The cache folder `name` (not created here), or None when caches are off."""
    if os.environ.get(ENV_OFF, "") not in ("", "0"):
        return None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fireaudit", appauthor=False)) / name


def read(path: Path) -> bytes | None:
    """An entry's bytes, or None when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(path: Path, data: bytes) -> bool:
    """Write `data` to `path` by a temporary file and a rename; False (and nothing left behind) on failure."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    _sweep(path.parent)
    return True


def _sweep(folder: Path) -> None:
    """Drop the temporary files a killed run left in `folder` (older than a minute: not a write going on)."""
    import time

    try:
        for left in folder.glob(".tmp-*"):
            if left.stat().st_mtime < time.time() - 60:
                left.unlink(missing_ok=True)
    except OSError:
        pass
