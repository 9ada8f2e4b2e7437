"""One catalogue per language, and they agree: same keys, same placeholders, every message id exists."""

from __future__ import annotations

import re

import pytest

from fireaudit.i18n import catalog, message_key, message_text, t
from tests.builders import compliant
from tests.sample_registers import SAMPLES

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_catalogues_have_the_same_keys():
    assert sorted(catalog("zh")) == sorted(catalog("en"))


def test_catalogues_use_the_same_placeholders():
    zh, en = catalog("zh"), catalog("en")
    for key in zh:
        assert set(PLACEHOLDER.findall(zh[key])) == set(PLACEHOLDER.findall(en[key])), key


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_message_a_sample_produces_is_in_both_catalogues(audit_of, name):
    audit = audit_of(SAMPLES[name](), name=name)
    keys = {message_key(c.message) for r in audit.requirements for c in r.checks}
    keys |= {f"register.{e.code}" for e in audit.register_errors} | {f"note.{n.code}" for n in audit.notes}
    for lang in ("zh", "en"):
        missing = sorted(k for k in keys if k not in catalog(lang))
        assert not missing, (lang, missing)


def test_values_fill_placeholders_but_never_act_as_templates():
    hostile = "{__class__.__mro__}{0}{missing}"
    text = t("zh", "register.bad-date", value=hostile)
    assert hostile in text


def test_english_report_of_a_compliant_township_has_no_untranslated_template(audit_of):
    audit = audit_of(compliant())
    for result in audit.requirements:
        for check in result.checks:
            key = message_key(check.message)
            assert "{" not in t("en", key, **check.params), key


def test_lists_checks_build_read_in_the_reports_language(audit_of):
    """A brigade with its type, a campaign with its rate, a hazard with what it lacks or its deadline:
    each item is a catalogue phrase, so English output carries no Chinese brackets or commas."""
    import datetime as dt

    reg = compliant()                                                      # 潘津镇: an 一级 brigade is required
    reg.sheets["消防队伍"].set(0, "队伍类型", "二级专职消防队")               # R07.1: found, with its type
    reg.sheets["专项治理"].set(0, "整改隐患数", 5)                             # R10.2: below the rate
    reg.sheets["检查隐患"].set(2, "移送部门", None)                            # R13.1: lacking 移送部门
    reg.sheets["检查隐患"].add(检查日期=dt.date(2024, 5, 10), 场所名称="红星饭店", 场所类型="餐饮", 所属村社区="一村",
                            隐患描述="后厨使用醇基燃料", 整改状态="整改中", 整改期限=dt.date(2024, 6, 1), 检查人="李梅")   # R13.3
    audit = audit_of(reg)
    for check_id, inside in (("R07.1", "二级专职消防队"), ("R10.2", "%"), ("R13.1", "移送部门"), ("R13.3", "2024-06-01")):
        result = audit.check(check_id)
        assert result.status == "fail", (check_id, result.status)
        zh, en = (message_text(result.message, result.params, lang) for lang in ("zh", "en"))
        assert inside in zh and inside in en, (check_id, zh, en)
        assert "（" in zh and not set("（）、，") & set(en), (check_id, en)
