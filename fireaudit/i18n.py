"""Every user-facing sentence, from one catalogue per language (fireaudit/messages/<lang>.toml).

Checks and writers pass a message id and named values; the catalogue holds
the template. Values are filled in with str.format_map, never used as the
template, so nothing typed into a workbook can act as a format string."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from fireaudit.lazy_re import LazyPattern

_DIR = Path(__file__).resolve().parent / "messages"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """The flattened catalogue: `check.roles_named.pass` -> template.

    Parsing a catalogue's TOML took ~15 ms of every command's start-up, so the flattened
    dict is kept in the user's cache directory (marshal) beside the exact bytes it was
    parsed from; it is used only when the catalogue's bytes are the same (see _cached)."""
    source = (_DIR / f"{lang}.toml").read_bytes()
    flat = _cached(lang, source)
    if flat is None:
        import tomllib

        flat = _flatten(tomllib.loads(source.decode()))
        _keep(lang, source, flat)
    return flat


_CACHE_FORMAT = "fireaudit catalogue cache 1"


def _cache_file(lang: str) -> Path | None:
    """Where `lang`'s parsed catalogue is kept, or None when fireaudit's caches are off."""
    from fireaudit import user_cache

    folder = user_cache.folder("messages")
    return None if folder is None else folder / f"{lang}.marshal"


def _cached(lang: str, source: bytes) -> dict[str, str] | None:
    """The catalogue parsed from exactly `source`, if the cache holds it (else None)."""
    import marshal
    import sys

    from fireaudit import user_cache

    path = _cache_file(lang)
    data = None if path is None else user_cache.read(path)
    if data is None:
        return None
    try:
        form, version, parsed_from, flat = marshal.loads(data)
    except Exception:                                 # noqa: BLE001 - truncated or another format
        return None
    if form != _CACHE_FORMAT or version != sys.version or parsed_from != source or type(flat) is not dict:
        return None
    return flat


def _keep(lang: str, source: bytes, flat: dict[str, str]) -> None:
    """Store the catalogue parsed from `source` (atomically); a cache that cannot be written is ignored."""
    import marshal
    import sys

    from fireaudit import user_cache

    path = _cache_file(lang)
    if path is not None:
        user_cache.write(path, marshal.dumps((_CACHE_FORMAT, sys.version, source, flat)))


def _flatten(raw: dict[str, Any]) -> dict[str, str]:
    """A parsed catalogue's tables flattened into dotted keys, in the file's order."""
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


class Joined(NamedTuple):
    """Items joined the way `lang` joins them: `separator` is a catalogue key under join
    (list: 、 / ", "; clauses: ； / "; "; alternatives: " / "), so no check writes a
    language's punctuation into a value."""

    items: tuple[Any, ...]
    separator: str = "list"


def fmt_value(value: Any, lang: str) -> str:
    if value.__class__ is str:          # the common case first (200,000 register errors' values)
        return value
    if isinstance(value, Phrase):
        return t(lang, value.key, **_cited(value.params, lang))
    if isinstance(value, Joined):
        return t(lang, f"join.{value.separator}").join(fmt_value(v, lang).strip() for v in value.items)
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, Phrase) for v in value):
            return t(lang, "join.clauses").join(fmt_value(v, lang) for v in value)
        return t(lang, "join.list").join(fmt_value(v, lang) for v in value)
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
    template = catalog(lang).get(key)
    if template is None:
        template = catalog("zh").get(key, key)
    values = _Values({name: fmt_value(value, lang) for name, value in params.items()})
    if "" in values.values():
        for name in [n for n, v in values.items() if v == ""]:   # "Only 0 {match} record(s)" with no match: one space
            template = template.replace(f" {{{name}}} ", " ")
    return template.format_map(values)


def message_key(message: str) -> str:
    """A check's message id as a catalogue key: shared ones (`common.…`) stand alone, the rest under `check.`."""
    return message if message.startswith("common.") else f"check.{message}"


def message_text(message: str, params: dict[str, Any], lang: str) -> str:
    """A check result's message, in `lang`."""
    return t(lang, message_key(message), **_cited(params, lang))


def _cited(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """A `source` value is shown as its citation (cite, below), never as the raw provenance."""
    return {k: cite(v, lang) if k == "source" and isinstance(v, str) else v for k, v in params.items()}


def status_label(status: str, lang: str) -> str:
    return t(lang, f"status.{status}")


def severity_label(severity: str | None, lang: str) -> str:
    return t(lang, f"severity.{severity}") if severity else ""


# ---------------------------------------------------------------- citations
# A checklist `source` as an official would cite it in a report.
# 
# `source` in checklists/*.toml keeps the developers' precise provenance (spec
# files, notes in English, data-file names); JSON keeps it as is. Reports show
# `cite(source)` instead: the plan item (实施方案第（七）项), the standard's clause
# (GB/T 35547-2017 第9.2条), a law's article, or — for a number the plan leaves
# open — 审核口径. Internal notes (anything naming a spec file, a .toml, or
# written in English) never reach the citation.

_PLAN = LazyPattern(r"^(?:实施方案)?\s*[一二三四五六七八九十]*\s*(?P<items>(?:[(（][一二三四五六七八九十]+[)）][、，]?)+)"
                    r"(?P<annex>\s*及附件(?P<annex_name>《[^》]+》))?(?:[：:]\s*(?P<quote>.*))?$")
_PLAN_ANNEX = LazyPattern(r"^(?:实施方案\s*)?附件[：:]?\s*《?(?P<name>[^《》：]+?)》?(?:[：:].*)?$")
_STANDARD_CODE = LazyPattern(r"G[AB](?:/T)?\s*\d+(?:-\d+)?")
_GBT = LazyPattern(r"GB/T\s*35547-2017")
_CLAUSE = LazyPattern(r"(?:§\s*|第\s*)(?P<clause>\d+(?:\.\d+)*)")
_TABLE = LazyPattern(r"(?:表|Table\s*)(?P<table>\d+)")
_LAW = LazyPattern(r"(?P<law>消防法|行政处罚法)\s*(?P<article>第[一二三四五六七八九十百]+条)")
_NOTE = LazyPattern(r"[（(][^（）()]*[A-Za-z][^（）()]*[)）]")   # a parenthesis holding an English/internal note
_ITEM = LazyPattern(r"[(（]([一二三四五六七八九十]+)[)）]")


def cite(source: str, lang: str) -> str:
    """The citation of `source` in `lang`; 审核口径 / audit reading when nothing official is named."""
    return _cite(source or "", lang)


@lru_cache(maxsize=512)
def _cite(source: str, lang: str) -> str:
    parts: list[str] = []
    for segment in _segments(_NOTE.sub(_keep_standard, source)):
        text = _segment(segment, lang)
        if text and text not in parts:
            parts.append(text)
    if not parts:
        parts.append(t(lang, "cite.reading"))
    return t(lang, "cite.separator").join(parts)


def _keep_standard(note: re.Match) -> str:
    """Drop an internal note in parentheses, but keep （GB/T 35547-2017）."""
    return "" if _internal(note[0]) else note[0]


def _internal(text: str) -> bool:
    """English words or file names: anything in ASCII letters but a standard's code (GB/T 35547, GA/T 998)."""
    return bool(re.search(r"[A-Za-z]", _STANDARD_CODE.sub("", text)))


def _segments(source: str) -> list[str]:
    return [s.strip() for s in re.split(r"[；;]", source) if s.strip()]


def _segment(segment: str, lang: str) -> str:
    if "=" in segment:                       # "2名 = 行政处罚法第四十二条（…）": the right side is the citation
        segment = segment.split("=", 1)[1].strip()
    plan = _PLAN.match(segment)
    if plan:
        numbers = _ITEM.findall(plan["items"])
        items = "、".join(f"（{n}）" for n in numbers) if lang == "zh" else ", ".join(f"({n})" for n in numbers)
        text = t(lang, "cite.plan_item", items=items)
        if plan["annex"]:
            text += t(lang, "cite.and_annex", name=plan["annex_name"].strip("《》"))
        quote = (plan["quote"] or "").strip()
        if quote and lang == "zh" and not _internal(quote):
            text += f"：{quote}"
        return text
    annex = _PLAN_ANNEX.match(segment)
    if annex and not _internal(annex["name"]):
        return t(lang, "cite.plan_annex", name=annex["name"].strip())
    if _GBT.match(segment) or (_GBT.search(segment) and _internal(segment)):
        return _standard(segment, lang)
    law = _LAW.search(segment)
    if law:
        article = law["article"] if lang == "zh" else f"Article {_number(law['article'].strip('第条'))}"
        return t(lang, f"cite.law_{'fire' if law['law'] == '消防法' else 'penalty'}", article=article)
    if not _internal(segment):
        return segment            # already written as an official would (a local notice, 默认假定, 本县考评口径 …)
    if re.search(r"fireaudit|assum|default|older", segment, re.IGNORECASE):
        return t(lang, "cite.default")
    return ""        # a spec file, a .toml section or another internal note: not a citation


def _standard(segment: str, lang: str) -> str:
    clause, table = _CLAUSE.search(segment), _TABLE.search(segment)
    if clause:
        number = clause["clause"].rstrip(".")
        text = t(lang, "cite.gbt_clause" if "." in number else "cite.gbt_chapter", clause=number)
    elif table:
        text = t(lang, "cite.gbt_table", table=table["table"])
    else:
        text = t(lang, "cite.gbt")
    quote = segment.split("：", 1)[1].strip() if "：" in segment else ""
    if quote and lang == "zh" and not _internal(quote):
        text += f"：{quote}"
    if "台州" in segment:
        text += t(lang, "cite.secondary")
    return text


def _number(chinese: str) -> int:
    """四十二 -> 42 (up to 99: the articles cited here)."""
    digits = "零一二三四五六七八九"
    if "十" not in chinese:
        return digits.index(chinese)
    tens, _, ones = chinese.partition("十")
    return (digits.index(tens) if tens else 1) * 10 + (digits.index(ones) if ones else 0)
