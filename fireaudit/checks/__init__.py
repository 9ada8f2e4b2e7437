"""Check kinds: a plain dict from the `kind` named in checklists/checks/*.toml to its function.

Each module holds the kinds of one area and exports KINDS; nothing registers
itself by magic, so `KINDS["roles_named"]` is where `roles_named` lives."""

from fireaudit.checks import (
    brigades, budget, campaigns, enforcement, funding, hazards, people, profile, records, villages,
)
from fireaudit.checks.base import CheckContext, CheckKind, Outcome

KINDS: dict[str, CheckKind] = {
    **people.KINDS,
    **profile.KINDS,
    **records.KINDS,
    **villages.KINDS,
    **brigades.KINDS,
    **budget.KINDS,
    **hazards.KINDS,
    **funding.KINDS,
    **campaigns.KINDS,
    **enforcement.KINDS,
}

__all__ = ["KINDS", "CheckContext", "CheckKind", "Outcome"]
