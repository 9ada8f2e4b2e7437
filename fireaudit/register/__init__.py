"""Reading township and county workbooks into typed, cell-addressed registers."""

from fireaudit.register.model import Evidence, Register, RegisterError, Table
from fireaudit.register.reader import RegisterReader

__all__ = ["Evidence", "Register", "RegisterError", "RegisterReader", "Table"]
