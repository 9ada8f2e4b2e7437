"""Very long texts: normalisation and the annex keyword scan read a bounded prefix (checklists/limits.toml)."""

from __future__ import annotations

import tomllib
import unicodedata

import pytest

from fireaudit import textnorm
from fireaudit.annex import router_of
from fireaudit.register.preflight import limits_of
from fireaudit.resources import data_dir
from fireaudit.textnorm import clean, norm, prefix, prefix_chars
from tests.report_support import checklist

KEYWORDS = "疏散通道堆放杂物"        # read by the annex as 占用堵塞疏散通道安全出口
FILLER = "某"                      # no keyword, no clause separator


def shipped_limits() -> dict:
    with open(data_dir("checklists") / "limits.toml", "rb") as file:
        return tomllib.load(file)


def test_the_bound_is_data_with_a_source_saying_it_is_ours():
    limits = shipped_limits()
    assert prefix_chars() == limits["text_prefix_chars"] > 0
    assert "fireaudit's own" in limits["text_prefix_source"]
    loaded = limits_of(checklist())                 # the loader validates the new keys like the others
    assert loaded.text_prefix_chars == prefix_chars()


def test_short_texts_are_normalised_whole():
    assert clean(" １５号　") == "15号"
    assert norm("Ａ Ｂ") == "ab"


def test_a_long_text_is_normalised_in_its_prefix_and_kept_as_typed_after_it():
    bound = prefix_chars()
    text = "１" * bound + "２３\x07"
    cleaned = clean(text)
    assert cleaned == "1" * bound + "２３"           # prefix NFKC; the rest kept, control character removed
    assert len(cleaned) == bound + 2                 # nothing dropped


def test_normalisation_never_sees_more_than_the_bound(monkeypatch):
    seen: list[int] = []
    real = unicodedata.normalize

    def spy(form: str, text: str) -> str:
        seen.append(len(text))
        return real(form, text)

    monkeypatch.setattr(textnorm.unicodedata, "normalize", spy)
    clean("；" * 32_000)                              # full-width: not NFKC-normal, so it is normalised
    assert seen and max(seen) <= prefix_chars()


def test_prefix_is_the_first_bound_characters():
    bound = prefix_chars()
    assert prefix("x" * (bound * 3)) == "x" * bound
    assert prefix("短") == "短"


@pytest.fixture(scope="module")
def router():
    return router_of(checklist())


def test_keywords_inside_the_prefix_route_as_in_a_short_text(router):
    short = router.infer(KEYWORDS)
    assert [m.category for m in short] == ["占用堵塞疏散通道安全出口"]
    assert router.infer(KEYWORDS + FILLER * 32_000) == short


def test_keywords_past_the_prefix_are_not_read(router):
    bound = prefix_chars()
    assert router.infer(FILLER * (bound - len(KEYWORDS)) + KEYWORDS)      # ends exactly at the bound: read
    assert router.infer(FILLER * bound + KEYWORDS) == ()                  # starts past it: cannot tell
