"""The codes of register errors, in one place: a cell the reader could not take as written.

Each code is stable (JSON `code`, tests) and has its sentence under [register] and its
short title under [register_title] in fireaudit/messages/<lang>.toml."""

from __future__ import annotations

MISSING_VALUE = "missing-value"
MISSING_KEY = "missing-key"
COUNTY_MISSING = "county-missing"
BAD_DATE = "bad-date"
BAD_PERIOD = "bad-period"
BAD_YESNO = "bad-yesno"
BAD_NUMBER = "bad-number"
BAD_COUNT = "bad-count"
BAD_YEAR = "bad-year"
UNKNOWN_VALUE = "unknown-value"
BAD_UNIT = "bad-unit"
ERROR_CELL = "error-cell"
TOO_LONG = "too-long"
SHEET_TOO_LARGE = "sheet-too-large"
FORMULA_NO_VALUE = "formula-no-value"
OUT_OF_RANGE = "out-of-range"
ACTIVE_CONTENT = "active-content"
AMBIGUOUS_STATUS = "ambiguous-status"
MEETING_BODY = "meeting-body"
MONTH_ASTRIDE = "month-astride"
REFERRAL_UNDATED = "referral-undated"   # 已抄告… in 备注 without a whole date
CLASS_ONLY = "class-only"       # a vocabulary word naming a class of values, not one (Vocabulary.classes)

REGISTER_ERROR_CODES = (
    MISSING_VALUE, MISSING_KEY, COUNTY_MISSING, BAD_DATE, BAD_PERIOD, BAD_YESNO, BAD_NUMBER, BAD_COUNT, BAD_YEAR,
    UNKNOWN_VALUE, BAD_UNIT, ERROR_CELL, TOO_LONG, SHEET_TOO_LARGE, FORMULA_NO_VALUE, OUT_OF_RANGE, ACTIVE_CONTENT,
    AMBIGUOUS_STATUS, MEETING_BODY, MONTH_ASTRIDE, CLASS_ONLY, REFERRAL_UNDATED,
)
