"""The parsed message catalogue kept in the cache directory (fireaudit.i18n.catalog)."""

import tomllib

from fireaudit import i18n


def _parsed(lang):
    return i18n._flatten(tomllib.loads((i18n._DIR / f"{lang}.toml").read_text(encoding="utf-8")))


def test_cached_catalogue_is_the_parsed_one(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FIREAUDIT_NO_CACHE", raising=False)
    for lang in ("zh", "en"):
        i18n.catalog.cache_clear()
        first = i18n.catalog(lang)                       # parsed and stored
        assert i18n._cache_file(lang).exists()
        i18n.catalog.cache_clear()
        again = i18n.catalog(lang)                       # read back
        assert again == first == _parsed(lang) and list(again) == list(first)
    i18n.catalog.cache_clear()


def test_other_bytes_are_not_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FIREAUDIT_NO_CACHE", raising=False)
    source = (i18n._DIR / "en.toml").read_bytes()
    i18n._keep("en", source + b"\n", {"stale": "entry"})
    assert i18n._cached("en", source) is None
    i18n._cache_file("en").write_bytes(b"garbage")
    assert i18n._cached("en", source) is None
    i18n.catalog.cache_clear()
    assert i18n.catalog("en") == _parsed("en")
    i18n.catalog.cache_clear()


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("FIREAUDIT_NO_CACHE", "1")
    assert i18n._cache_file("zh") is None
    i18n.catalog.cache_clear()
    assert i18n.catalog("zh") == _parsed("zh")
    assert not (tmp_path / "fireaudit").exists()
    i18n.catalog.cache_clear()


def test_a_half_written_catalogue_a_killed_run_left_is_swept_by_the_next_write(tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FIREAUDIT_NO_CACHE", raising=False)
    folder = i18n._cache_file("en").parent
    folder.mkdir(parents=True)
    stale, fresh = folder / ".tmp-stale.marshal", folder / ".tmp-fresh.marshal"   # fresh: a run writing now
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    source = (i18n._DIR / "en.toml").read_bytes()
    i18n._keep("en", source, {"a": "b"})
    assert i18n._cached("en", source) == {"a": "b"}
    assert not stale.exists() and fresh.exists()
