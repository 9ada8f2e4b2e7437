"""Shared fixtures: build a register, save it, read it and audit it in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from fireaudit.audit import audit_register
from fireaudit.audit import load_checklist
from fireaudit.period import Period
from fireaudit.register import RegisterReader
from fireaudit.register.model import Register as ReadRegister
from fireaudit.result import TownshipAudit
from tests.builders import Register, compliant


PINNED_EPOCH = "1719792000"   # 2024-07-01T00:00:00Z: reports carry their run time; tests pin it


@pytest.fixture(autouse=True)
def pinned_run_time(monkeypatch):
    """Every test runs at a fixed SOURCE_DATE_EPOCH; provenance tests unset it to see the clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)


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


@pytest.fixture
def good(tmp_path):
    """A compliant register, saved: the command line's happy path."""
    return compliant().save(tmp_path / "good.xlsx")


@pytest.fixture
def gappy(tmp_path):
    """Three gaps of three severities: R04.5 and R06.2 (major), R06.3 (advisory)."""
    reg = compliant()
    reg.profile["建立消防安全档案"] = "否"                 # R04.5, major
    reg.sheets["村社区"].set(0, "防火安全公约", "无")       # R06.2, major
    reg.sheets["演练"].set(1, "组织单位", "镇中心学校")     # R06.3, advisory
    return reg.save(tmp_path / "gappy.xlsx")
