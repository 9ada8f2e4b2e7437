"""整改建议 per finding (issue 18, item 6): the finding's own advice where it says something more specific.

A check may name an advice sentence in checklists/checks/*.toml (`advice = "ux.advice.<name>"`); the
sentence lives in fireaudit/messages/<lang>.toml with the finding's values as placeholders (which
village, which member, which hazard). A failing finding gets that sentence when every placeholder
has a value in the finding; otherwise — and for `unknown`, whose advice is to correct the cell —
the requirement's advice stands. Nothing is ever shown with a placeholder left unfilled.

Besides the finding's own values, a list of phrases (people, brigades) also offers the names in it:
`{people_name}` is every `name` in `people`, `{findings_brigade}` every `brigade` in `findings`."""

from __future__ import annotations

from string import Formatter
from typing import Any

from fireaudit.i18n import Joined, Phrase, catalog, t
from fireaudit.status import Status

NAMED_FIELDS = ("name", "brigade")    # what a phrase in a list may name, offered as `<list>_<field>`


def finding_advice(check: Any, spec: Any, requirement_advice: str, lang: str) -> str:
    """The finding's own advice when it has one (see specific_advice), else the requirement's."""
    return specific_advice(check, spec, lang) or requirement_advice


def specific_advice(check: Any, spec: Any, lang: str) -> str:
    """The check's advice sentence filled with this finding's values, or "" (no advice, not a fail, a gap)."""
    key = getattr(spec, "advice", None)
    if not key or check.status != Status.FAIL:
        return ""
    template = catalog(lang).get(key)
    if template is None:
        return ""
    values = advice_values(check.params)
    wanted = placeholders(template)
    if any(_empty(values.get(name)) for name in wanted):
        return ""
    return t(lang, key, **{name: values[name] for name in wanted})


def advice_values(params: dict[str, Any]) -> dict[str, Any]:
    """The finding's values, and the names inside its lists of phrases (`people_name`, `findings_brigade`)."""
    values = dict(params)
    for name, value in params.items():
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, Phrase) for v in value):
            continue
        for field in NAMED_FIELDS:
            found = [str(v.params[field]) for v in value if v.params.get(field) not in (None, "")]
            if found:
                values[f"{name}_{field}"] = list(dict.fromkeys(found))
    return values


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field}


def _empty(value: Any) -> bool:
    if isinstance(value, Joined):
        return not value.items
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)
