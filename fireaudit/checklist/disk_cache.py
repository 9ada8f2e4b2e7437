"""The validated checklist kept on disk between runs (issue 19, item 6).

Parsing and validating checklists/*.toml and a county's fireaudit.toml is most
of a small `check`'s start-up. The result is pickled into the user's cache
directory (platformdirs), under a name that is the SHA-256 of everything it was
built from: every checklist file's bytes, the county config's path and bytes,
the check kinds' parameter types, fireaudit's own code (every module, as Python's
own .pyc check knows a source file: its path, size and modification time, since the
pickle holds objects of several; reading and hashing them all took ~5 ms a run) and
fireaudit's and Python's versions.
Any change gives another name, so a stale entry is never read; an entry that
cannot be read (truncated, corrupt, another format) is ignored and rebuilt. FIREAUDIT_NO_CACHE=1 turns the cache off.

Only validated checklists are stored; a checklist with an error is rebuilt (and
refused) every time. The cache directory is the user's own: whoever can write
there can already run code as that user."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any, Mapping

from fireaudit import user_cache

MAGIC = b"fireaudit checklist cache 1\n"
KEEP = 8          # entries kept: a few configs (counties, tests) without growing forever


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off."""
    return user_cache.folder("checklists")


def cache_key(root: Path, local_path: Path | None, param_types: Mapping[str, type]) -> str:
    """SHA-256 over what the checklist is built from (see the module docstring)."""
    from fireaudit import __version__

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("version", f"{__version__} {sys.version}".encode())
    for path in sorted(root.rglob("*.toml")):
        add(f"checklist:{path.relative_to(root).as_posix()}", path.read_bytes())
    if local_path is not None:
        add(f"config:{local_path}", local_path.read_bytes())
    add("kinds", repr(sorted((name, f"{kind.__module__}.{kind.__qualname__}")
                             for name, kind in param_types.items())).encode())
    package = Path(__file__).resolve().parent.parent     # the checklist pickles objects of several modules
    add("code", repr(code_files(str(package))).encode())
    return digest.hexdigest()


def code_files(package: str) -> list[tuple[str, int, int]]:
    """(path inside `package`, size, mtime in ns) of each of its modules, sorted: any edit changes it."""
    found = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in names:
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                found.append((os.path.relpath(os.path.join(folder, name), package).replace(os.sep, "/"),
                              info.st_size, info.st_mtime_ns))
    return sorted(found)


def load(key: str) -> Any | None:
    """The checklist stored under `key`, or None (absent, off, unreadable or corrupt)."""
    folder = cache_dir()
    if folder is None:
        return None
    data = user_cache.read(folder / f"{key}.pickle")
    if data is None:
        return None
    body = data[len(MAGIC) + 64:]
    if not data.startswith(MAGIC) or data[len(MAGIC):len(MAGIC) + 64] != hashlib.sha256(body).hexdigest().encode():
        return None                                   # truncated, corrupt or another format: rebuilt
    try:
        return pickle.loads(body)
    except Exception:                                 # noqa: BLE001 - an entry from other code: rebuilt
        return None


def store(key: str, checklist: Any) -> None:
    """Keep `checklist` under `key` (atomically: a reader never sees half an entry); failures are ignored."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        body = pickle.dumps(checklist, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:                                 # noqa: BLE001 - a checklist that cannot be pickled is not kept
        return
    if user_cache.write(folder / f"{key}.pickle", MAGIC + hashlib.sha256(body).hexdigest().encode() + body):
        try:
            _prune(folder)
        except OSError:
            pass


def _prune(folder: Path) -> None:
    """Keep the KEEP most recently written entries (user_cache.write sweeps what a killed run left)."""
    entries = sorted(folder.glob("[0-9a-f]*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
