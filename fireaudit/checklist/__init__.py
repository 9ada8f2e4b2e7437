"""The checklist: requirements, checks, vocabularies and thresholds from checklists/.

Load it with fireaudit.audit.load_checklist (the engine passes the check kinds'
params types to loader.load; this layer imports no check)."""

from fireaudit.checklist.loader import Checklist

__all__ = ["Checklist"]
