"""The audit period: a calendar quarter such as 2024Q1, and the windows checks use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# The plan dates from 2024; a year outside these bounds is a typo (`0001Q1`), and
# date arithmetic near year 1 or 9999 would overflow.
MIN_YEAR, MAX_YEAR = 2000, 2100
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FORMS = (
    re.compile(r"^(\d{4})年?\s*[-_ ]?\s*[qQ]([1-4])$"),
    re.compile(r"^(\d{4})年?第?([一二三四1-4])季度?$"),
)


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> "Period | None":
        """Read `2024Q1`, `2024-Q1`, `2024年第一季度`, `2024年一季度`, `2024年1季度`; else None (also for a year
        outside MIN_YEAR–MAX_YEAR)."""
        from fireaudit.textnorm import clean

        compact = re.sub(r"\s+", "", clean(str(text)))
        for form in _FORMS:
            match = form.match(compact)
            if match:
                year = int(match.group(1))
                return cls(year, _CN_QUARTER[match.group(2)]) if MIN_YEAR <= year <= MAX_YEAR else None
        return None

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    def months_back(self, months: int) -> date:
        """First day of the window of `months` months ending on the period's last day."""
        end = self.end
        month_index = end.year * 12 + end.month - 1 - months + 1
        return date(month_index // 12, month_index % 12 + 1, 1)

    def previous(self) -> "Period":
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"
