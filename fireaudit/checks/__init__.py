"""Check kinds: a plain dict from the `kind` named in checklists/checks/*.toml to its function.

Each module holds the kinds of one area and exports KINDS; nothing registers
itself by magic, so `KINDS["roles_named"]` is where `roles_named` lives."""

from fireaudit.checks import (
    brigades, budget, campaigns, county, enforcement, funding, hazards, people, profile, records, villages,
)
from fireaudit.checks import fulltime, grade, personnel, station  # brigades and people (R07, R08, R16, R17, R19)
from fireaudit.checks.base import CheckContext, CheckKind, Outcome

KINDS: dict[str, CheckKind] = {
    **people.KINDS,
    **profile.KINDS,
    **records.KINDS,
    **villages.KINDS,
    **brigades.KINDS,
    **budget.KINDS,
    **county.KINDS,
    **grade.KINDS,
    **fulltime.KINDS,
    **station.KINDS,
    **personnel.KINDS,
    **hazards.KINDS,
    **funding.KINDS,
    **campaigns.KINDS,
    **enforcement.KINDS,
}

__all__ = ["KINDS", "CheckContext", "CheckKind", "Outcome"]
