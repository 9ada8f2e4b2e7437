"""fireaudit: audit township fire-safety registers (台账) against the Ili plan of 2024."""

__version__ = "0.1.0"
