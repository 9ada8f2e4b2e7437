"""The text view of `fireaudit route`: the same dict the JSON view dumps, as lines for a person."""

from __future__ import annotations

from typing import Any

from fireaudit.i18n import t


def route_lines(result: dict[str, Any], lang: str) -> list[str]:
    if not result["determined"]:
        return [t(lang, "route.unknown", categories=result["known_categories"])]
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
            lines.append(t(lang, "route.departments", departments=entry["departments"]))
        lines.append(t(lang, "route.item", item=entry["annex_item"], text=entry["annex_text"]))
        lines.append(t(lang, "route.keywords", keywords=entry["keywords"]))
    return lines
