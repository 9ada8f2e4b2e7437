"""R16: a township that set up a 消防工作站 names its head and staff and gives it an office.

Every check here is `na` when the profile's 承担消防工作职责机构 does not list
the station (REQUIREMENTS.md, Settled readings), `unknown` when that key is blank."""

from __future__ import annotations

from typing import Annotated, Literal

from fireaudit.checklist.names import ProfileKey, ProfileValue, Vocab
from fireaudit.checks.base import FAIL, NA, PASS, CheckContext, CheckKind, Outcome, Params, outcome
from fireaudit.checks.people import RolesNamedParams, roles_named
from fireaudit.textnorm import norm


class StationParams(Params):
    institutions_key: Annotated[str, ProfileKey()] = "承担消防工作职责机构"
    station: Annotated[str, ProfileValue(of="institutions_key")] = "消防工作站"


def station_absent(ctx: CheckContext, p: StationParams) -> Outcome | None:
    """The `na` outcome when there is no station to check, else None (MissingInput when the key is blank)."""
    listed = ctx.profile(p.institutions_key)
    if p.station not in listed:
        return outcome(NA, "station.absent", [ctx.register.profile_evidence(p.institutions_key)],
                       key=p.institutions_key, station=p.station)
    return None


class StationRolesParams(StationParams):
    duties: list[Annotated[str, Vocab("消防职责")]] = []
    unit: Literal["township", "any"] = "township"


def station_roles_named(ctx: CheckContext, p: StationRolesParams) -> Outcome:
    """With a station: each duty in `duties` is named in 责任人 (as roles_named)."""
    return station_absent(ctx, p) or roles_named(ctx, RolesNamedParams(duties=p.duties, unit=p.unit))


class StationProfileParams(StationParams):
    key: Annotated[str, ProfileKey()] = "消防工作站办公场所"
    none_words: list[str] = []      # values that say "none" (无, 暂无 …)


def station_profile_given(ctx: CheckContext, p: StationProfileParams) -> Outcome:
    """With a station: the profile gives `key` (its office), and not as 无."""
    absent = station_absent(ctx, p)
    if absent is not None:
        return absent
    value = ctx.profile(p.key)
    evidence = [ctx.register.profile_evidence(p.key)]
    if norm(str(value)) in {norm(w) for w in p.none_words}:
        return outcome(FAIL, "station_profile_given.none", evidence, key=p.key, value=str(value))
    return outcome(PASS, "station_profile_given.pass", evidence, key=p.key, value=str(value))


KINDS: dict[str, CheckKind] = {
    "station_roles_named": CheckKind(station_roles_named, StationRolesParams),
    "station_profile_given": CheckKind(station_profile_given, StationProfileParams),
}
