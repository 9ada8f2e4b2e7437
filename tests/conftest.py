"""Shared fixtures: build a register, save it, read it and audit it in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from fireaudit.audit import audit_register
from fireaudit.checklist import load_checklist
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.model import Register as ReadRegister
from fireaudit.result import TownshipAudit
from tests.builders import Register


@pytest.fixture(scope="session")
def checklist():
    return load_checklist(directory=None)


@pytest.fixture
def read(tmp_path: Path, checklist) -> Callable[..., ReadRegister]:
    """Save a builder Register to a workbook and read it back."""

    def run(register: Register, name: str = "register.xlsx") -> ReadRegister:
        path = register.save(tmp_path / name)
        return RegisterReader(checklist).read(path)

    return run


@pytest.fixture
def audit_of(read, checklist) -> Callable[..., TownshipAudit]:
    """Save, read and audit a builder Register (period: the profile's unless given)."""

    def run(register: Register, period: str | None = None, name: str = "register.xlsx", **kwargs) -> TownshipAudit:
        return audit_register(read(register, name), checklist, Period.parse(period) if period else None, **kwargs)

    return run
