"""The checklist: requirements, checks, vocabularies and thresholds from checklists/."""

from fireaudit.checklist.loader import Checklist, load_checklist

__all__ = ["Checklist", "load_checklist"]
