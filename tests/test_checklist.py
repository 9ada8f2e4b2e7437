"""The checklist data is complete and validated; a county's fireaudit.toml overrides it, loudly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fireaudit.audit import load_checklist
from fireaudit.errors import ConfigError
from fireaudit.resources import data_dir


def test_all_22_requirements_with_plan_items_titles_sources_weights(checklist):
    assert [r.id for r in checklist.requirements] == [f"R{n:02d}" for n in range(1, 23)]
    items = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六",
             "十七", "十八", "十九", "二十", "二十一", "二十二"]
    assert [r.item for r in checklist.requirements] == [f"({i})" for i in items]
    for r in checklist.requirements:
        assert r.title_zh and r.title_en and r.source and r.section and r.weight > 0
    assert {r.id for r in checklist.requirements if r.scope == "county"} == {"R20", "R21", "R22"}


def test_checks_of_r01_to_r06_as_requirements_md_says(checklist):
    severities = {c.id: c.severity for c in checklist.checks}
    assert severities["R01.1"] == "critical"
    assert severities["R03.3"] == "advisory"
    assert severities["R04.8"] == "critical"
    assert severities["R05.7"] == "critical"
    assert severities["R06.3"] == "advisory"
    assert len(checklist.checks_of("R04")) == 10
    assert len(checklist.checks_of("R05")) == 9
    for check in checklist.checks:
        assert check.source and check.title_zh and check.title_en


def _copy_checklists(tmp_path: Path) -> Path:
    target = tmp_path / "checklists"
    shutil.copytree(data_dir("checklists"), target)
    return target


@pytest.mark.parametrize("old, new, named", [
    ('severity = "critical"', 'severity = "grave"', "severity"),
    ('kind = "roles_named"', 'kind = "roles_nmaed"', "roles_nmaed"),
    ('min_count = 1, match = { "类型"', 'min_cuont = 1, match = { "类型"', "min_cuont"),
    ('match = { "类型" = ["专题研究"] }', 'match = { "类性" = ["专题研究"] }', "类性"),
    ('duties = ["消防工作专人"]', 'duties = ["消防专人员"]', "消防专人员"),
])
def test_a_mistake_in_the_checklist_names_file_and_key(tmp_path, old, new, named):
    root = _copy_checklists(tmp_path)
    path = root / "checks" / "organisation.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklist(directory=root)
    assert "organisation.toml" in info.value.text("en")
    assert named in info.value.text("en")


def test_broken_toml_names_the_file_and_line(tmp_path):
    root = _copy_checklists(tmp_path)
    (root / "requirements.toml").write_text("[checklist\nid = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklist(directory=root)
    assert re.search(r"requirements\.toml.*line 1", info.value.text("en"))
    assert re.search(r"requirements\.toml.*第 1 行", info.value.text("zh"))


def test_local_config_overrides_severity_params_weight_and_switches_off(tmp_path):
    config = tmp_path / "fireaudit.toml"
    config.write_text(
        '[checks."R03.2"]\nseverity = "advisory"\nparams = { min_count = 2 }\n\n'
        '[checks."R06.3"]\nenabled = false\n\n[requirements.R07]\nweight = 2.5\n', encoding="utf-8")
    checklist = load_checklist(str(config))
    assert checklist.check_by_id["R03.2"].severity == "advisory"
    assert checklist.params["R03.2"].min_count == 2
    assert checklist.check_by_id["R06.3"].enabled is False
    assert checklist.requirement_by_id["R07"].weight == 2.5
    assert set(checklist.overrides) == {"checks.R03.2.severity", "checks.R03.2.params.min_count",
                                        "checks.R06.3.enabled", "requirements.R07.weight"}
    assert checklist.config_file == str(config)


def test_config_overrides_reach_the_result(tmp_path, audit_of):
    from tests.builders import compliant

    config = tmp_path / "fireaudit.toml"
    config.write_text('[checks."R03.2"]\nparams = { min_count = 2 }\n', encoding="utf-8")
    checklist = load_checklist(str(config))
    from fireaudit.audit import audit_register
    from fireaudit.register import RegisterReader

    path = compliant().save(tmp_path / "r.xlsx")
    audit = audit_register(RegisterReader(checklist).read(path), checklist)
    result = audit.check("R03.2")
    assert result.status == "fail"          # one 专题研究 meeting, two now required
    assert result.from_config == ("checks.R03.2.params.min_count",)


@pytest.mark.parametrize("content, named", [
    ('[checks."R99.1"]\nseverity = "major"\n', "R99.1"),
    ('[checks."R03.2"]\nseverity = "urgent"\n', "severity"),
    ('[checks."R03.2"]\nparams = { min_count = "two" }\n', "min_count"),
    ('[requirements.R30]\nweight = 1\n', "R30"),
    ('[checkz."R03.2"]\nenabled = false\n', "checkz"),
])
def test_a_mistake_in_the_local_config_names_file_and_key(tmp_path, content, named):
    config = tmp_path / "county.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklist(str(config))
    assert "county.toml" in info.value.text("en")
    assert named in info.value.text("en")


def test_fireaudit_toml_in_the_working_directory_is_used(tmp_path, monkeypatch):
    (tmp_path / "fireaudit.toml").write_text('[checks."R06.3"]\nenabled = false\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_checklist().check_by_id["R06.3"].enabled is False
