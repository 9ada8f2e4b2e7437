"""Reading township and county workbooks into typed, cell-addressed registers."""

from fireaudit.register.model import Evidence, Register, RegisterError, Table

__all__ = ["Evidence", "Register", "RegisterError", "RegisterReader", "Table"]


def __getattr__(name: str):
    """RegisterReader, imported when first asked for: what only holds a register's values (the checks, the
    result, a parent process whose worker parses) does not load the reader, its preflight and its parsers."""
    if name == "RegisterReader":
        from fireaudit.register.reader import RegisterReader

        return RegisterReader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
