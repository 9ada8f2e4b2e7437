"""The text view of `fireaudit route`: the same dict the JSON view dumps, as lines for a person.

A tie or a 建议 is said as such: the suggestion carries its score and says it
is a hint, so nobody mistakes it for the annex's ruling."""

from __future__ import annotations

from typing import Any

from fireaudit.i18n import Phrase, t


def route_lines(result: dict[str, Any], lang: str) -> list[str]:
    lines = _category_lines(result, lang) if result["determined"] else _unknown_lines(result, lang)
    if result.get("synonyms"):
        pairs = [Phrase("routing.pair", p) for p in result["synonyms"]]
        lines.append(t(lang, "routing.synonyms", pairs=("、" if lang == "zh" else ", ").join(
            t(lang, p.key, **p.params) for p in pairs)))
    return lines


def _category_lines(result: dict[str, Any], lang: str) -> list[str]:
    lines: list[str] = []
    if len(result["categories"]) > 1:
        lines.append(t(lang, "route.several", count=len(result["categories"])))
    for n, entry in enumerate(result["categories"]):
        if n or len(result["categories"]) > 1:
            lines.append("")
        lines.append(t(lang, "route.category", category=entry["category"]))
        if entry["any_department"]:
            lines.append(t(lang, "route.any_department"))
        else:
            line = t(lang, "route.departments", departments=entry["departments"])
            if entry.get("one_department_suffices"):
                line += t(lang, "routing.one_department")
            lines.append(line)
        lines.append(t(lang, "route.item", item=entry["annex_item"], text=entry["annex_text"]))
        lines.append(t(lang, "route.keywords", keywords=entry["keywords"]))
    return lines


def _unknown_lines(result: dict[str, Any], lang: str) -> list[str]:
    lines = [t(lang, "routing.tie", categories=tie["categories"]) for tie in result.get("ties", [])]
    if result.get("unresolved"):
        lines.append(t(lang, "routing.unresolved", words=result["unresolved"]))
    if result.get("suggestion"):
        lines.append(t(lang, "routing.suggestion", category=result["suggestion"]["category"],
                       score=result["suggestion"]["score"]))
    lines.append(t(lang, "route.unknown", categories=result["known_categories"]))
    return lines
