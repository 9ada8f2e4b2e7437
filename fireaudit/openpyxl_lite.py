"""Import openpyxl without dragging numpy in (0.09 s of every run that writes Excel).

openpyxl imports numpy, when installed, only to accept numpy scalars as cell
values; fireaudit never writes any. While openpyxl is first imported, numpy is
made unavailable to it, and available again right after, so any later
`import numpy` (pandas) works as usual."""

from __future__ import annotations

import sys


def ensure_imported() -> None:
    if "openpyxl" in sys.modules:
        return
    hide = "numpy" not in sys.modules
    if hide:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` raise ImportError
    try:
        import openpyxl  # noqa: F401
    finally:
        if hide:
            del sys.modules["numpy"]
