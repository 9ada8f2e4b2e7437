"""One catalogue per language, and they agree: same keys, same placeholders, every message id exists."""

from __future__ import annotations

import re

import pytest

from fireaudit.i18n import catalog, message_key, t
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
