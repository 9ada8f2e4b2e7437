"""Where the shipped data lives: checklists/, report_templates/ and the demo samples.

In a source checkout they sit at the top of the repository; in an installed
wheel they are copied under fireaudit/_data/ (see pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The shipped folder `name` (checklists, report_templates, samples)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"fireaudit is installed without its {name}/ folder")
