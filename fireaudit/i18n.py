"""Every user-facing sentence, from one catalogue per language (fireaudit/messages/<lang>.toml).

Checks and writers pass a message id and named values; the catalogue holds
the template. Values are filled in with str.format_map, never used as the
template, so nothing typed into a workbook can act as a format string."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

LANGS = ("zh", "en")
_DIR = Path(__file__).resolve().parent / "messages"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """The flattened catalogue: `check.roles_named.pass` -> template."""
    with (_DIR / f"{lang}.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Any) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(name + ".", value)
            else:
                flat[name] = value

    walk("", raw)
    return flat


class Phrase(NamedTuple):
    """A catalogue key with its own values, passed as a message value and rendered in the
    reader's language (a confidence label, one finding among several). A tuple, so it
    pickles and serialises as plain data."""

    key: str
    params: dict[str, Any] = {}


def fmt_value(value: Any, lang: str) -> str:
    if isinstance(value, Phrase):
        return t(lang, value.key, **_cited(value.params, lang))
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, Phrase) for v in value):
            return ("；" if lang == "zh" else "; ").join(fmt_value(v, lang) for v in value)
        return ("、" if lang == "zh" else ", ").join(fmt_value(v, lang) for v in value)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    if isinstance(value, bool):
        return t(lang, "ui.yes" if value else "ui.no")
    return "" if value is None else str(value)


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(lang: str, key: str, /, **params: Any) -> str:
    """The message `key` in `lang`, with `params` filled in."""
    template = catalog(lang).get(key) or catalog("zh").get(key) or key
    values = _Values({name: fmt_value(value, lang) for name, value in params.items()})
    return template.format_map(values)


def message_key(message: str) -> str:
    """A check's message id as a catalogue key: shared ones (`common.…`) stand alone, the rest under `check.`."""
    return message if message.startswith("common.") else f"check.{message}"


def message_text(message: str, params: dict[str, Any], lang: str) -> str:
    """A check result's message, in `lang`."""
    return t(lang, message_key(message), **_cited(params, lang))


def _cited(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """A `source` value is shown as its citation (fireaudit/citation.py), never as the raw provenance."""
    from fireaudit.citation import cite

    return {k: cite(v, lang) if k == "source" and isinstance(v, str) else v for k, v in params.items()}


def status_label(status: str, lang: str) -> str:
    return t(lang, f"status.{status}")


def severity_label(severity: str | None, lang: str) -> str:
    return t(lang, f"severity.{severity}") if severity else ""
