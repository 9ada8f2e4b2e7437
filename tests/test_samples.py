"""The shipped demo samples are what tests/sample_registers.py builds, and audit as described."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from fireaudit.resources import data_dir
from tests.sample_registers import SAMPLES


def _cells(path):
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_shipped_sample_matches_its_builder(tmp_path, name):
    """If this fails, run `python -m tests.sample_registers` and commit samples/."""
    fresh = SAMPLES[name]().save(tmp_path / name)
    assert _cells(data_dir("samples") / name) == _cells(fresh)


def test_samples_cover_a_town_a_township_and_a_subdistrict(read):
    kinds = {read(build(), name).kind for name, build in SAMPLES.items()}
    assert kinds == {"镇", "乡", "街道"}


def test_the_gappy_sample_has_gaps_and_register_errors(audit_of):
    from tests.sample_registers import karayagachi, panjin

    gappy = audit_of(karayagachi())
    assert gappy.requirement("R01").status == "fail"
    assert gappy.register_errors
    near = audit_of(panjin())
    assert near.score > gappy.score
    assert near.register_errors == ()
