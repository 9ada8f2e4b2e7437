"""Checks on the 基本情况 profile: yes/no declarations and listed institutions."""

from __future__ import annotations

from typing import Annotated

from fireaudit.checklist.names import ProfileKey, ProfileValue
from fireaudit.checks.base import FAIL, NA, PASS, CheckContext, CheckKind, Outcome, Params, outcome


class OnlyIfListed(Params):
    key: Annotated[str, ProfileKey()]
    value: Annotated[str, ProfileValue(of="key")]


class ProfileYesParams(Params):
    key: Annotated[str, ProfileKey()]
    only_if_listed: OnlyIfListed | None = None


def profile_yes(ctx: CheckContext, p: ProfileYesParams) -> Outcome:
    """The profile declares `key` = 是 (optionally only when another key lists a value)."""
    if p.only_if_listed:
        listed = ctx.profile(p.only_if_listed.key)
        if p.only_if_listed.value not in listed:
            return outcome(NA, "profile_yes.not_listed", [ctx.register.profile_evidence(p.only_if_listed.key)],
                           key=p.only_if_listed.key, value=p.only_if_listed.value)
    value = ctx.profile(p.key)
    evidence = [ctx.register.profile_evidence(p.key)]
    return outcome(PASS if value else FAIL, "profile_yes.pass" if value else "profile_yes.no", evidence, key=p.key)


class ProfileListedParams(Params):
    key: Annotated[str, ProfileKey()]
    min_count: int = 1


def profile_listed(ctx: CheckContext, p: ProfileListedParams) -> Outcome:
    """The profile lists at least `min_count` values under `key`."""
    value = ctx.profile(p.key)
    evidence = [ctx.register.profile_evidence(p.key)]
    if len(value) >= p.min_count:
        return outcome(PASS, "profile_listed.pass", evidence, key=p.key, values=list(value))
    return outcome(FAIL, "profile_listed.too_few", evidence, key=p.key, count=len(value), min_count=p.min_count)


KINDS = {
    "profile_yes": CheckKind(profile_yes, ProfileYesParams),
    "profile_listed": CheckKind(profile_listed, ProfileListedParams),
}
