"""Register errors as a reader sees them listed: the first N of each error code, then a count of the rest.

A workbook with 100,000 unparseable dates has 100,000 register errors of one
code; listing each in a Markdown report, an Excel sheet, the annotated copy's
审核意见 sheet, `check` text or JUnit made reports of tens of megabytes that
nobody reads past the first screen (issue 19, item 5). N is
`listed_errors_per_code` in checklists/limits.toml (a county may change it
under [data.limits]). The JSON report keeps every error: it is for machines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Iterable, Sequence

from fireaudit.register.model import RegisterError

_CODE = attrgetter("code")


@dataclass(frozen=True)
class Listing:
    """The errors to list, in their original order, and how many of each code were left out."""

    shown: tuple[RegisterError, ...]
    left_out: tuple[tuple[str, int], ...]   # (code, count) in order of the code's first error
    total: int

    def more_lines(self, lang: str) -> tuple[str, ...]:
        """One sentence per code with errors left out: `另有 4980 处同类错误（日期无法识别，bad-date）`."""
        from fireaudit.i18n import t

        return tuple(t(lang, "listing.more_errors", n=count, code=code, title=t(lang, f"register_title.{code}"))
                     for code, count in self.left_out)


def per_code(checklist: Any = None) -> int:
    """`listed_errors_per_code` of the checklist's limits (the shipped default without a checklist)."""
    if checklist is None:        # the schema's default (the shipped limits.toml says the same)
        import msgspec

        from fireaudit.checklist.data import Limits

        return next(f.default for f in msgspec.structs.fields(Limits) if f.name == "listed_errors_per_code")
    from fireaudit.register.preflight import limits_of

    return limits_of(checklist).listed_errors_per_code


def listing(errors: Iterable[RegisterError], limit: int) -> Listing:
    """The first `limit` errors of each code (original order kept) and a count per code of the rest."""
    errors = errors if isinstance(errors, (list, tuple)) else list(errors)
    counts = Counter(map(_CODE, errors))        # codes in order of their first error
    wanted = sum(min(count, limit) for count in counts.values())
    shown: list[RegisterError] = []
    taken: dict[str, int] = {}
    for error in errors:                        # until the first `limit` of every code are found
        if len(shown) >= wanted:
            break
        count = taken.get(error.code, 0)
        if count < limit:
            taken[error.code] = count + 1
            shown.append(error)
    left_out = tuple((code, count - limit) for code, count in counts.items() if count > limit)
    return Listing(tuple(shown), left_out, len(errors))


def listed(errors: Sequence[RegisterError], checklist: Any = None) -> Listing:
    """`listing` with the checklist's per-code limit."""
    return listing(errors, per_code(checklist))
