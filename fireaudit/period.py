"""The audit period: a calendar quarter such as 2024Q1, and the windows checks use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from fireaudit.lazy_re import LazyPattern

# The plan dates from 2024; a year outside these bounds is a typo (`0001Q1`), and
# date arithmetic near year 1 or 9999 would overflow.
MIN_YEAR, MAX_YEAR = 2000, 2100
_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FORMS = (
    re.compile(r"^(\d{4})年?\s*[-_ ]?\s*[qQ]([1-4])$"),
    re.compile(r"^(\d{4})年?(?:度)?第?([一二三四1-4])季度?$"),
)
# A period inside longer text: a title row (`2024年第二季度消防工作台账`) or a file name (`伊宁市潘津镇2024Q2.xlsx`).
# Both compiled when first needed (most runs read a plain `2024Q2`).
_IN_TEXT = (
    LazyPattern(r"(?<!\d)(\d{4})\s*年?\s*[-_ ]?\s*[qQ]([1-4])(?!\d)"),
    LazyPattern(r"(?<!\d)(\d{4})\s*年(?:度)?\s*第?\s*([一二三四1-4])\s*季度"),
)
# A date range that is exactly one quarter: `2024.4.1-2024.6.30`, `2024年4月1日至6月30日`, `2024年4-6月`.
_QUARTER_RANGE = (
    LazyPattern(r"^(\d{4})[年.\-/](\d{1,2})[月.\-/]?(?:1日?|01)?(?:至|到|~|～|—|-)(?:\d{4}[年.\-/])?(\d{1,2})[月.\-/]?(\d{1,2})?日?$"),
    LazyPattern(r"^(\d{4})年(\d{1,2})(?:月)?(?:至|到|~|～|—|-)(\d{1,2})月(?:份)?()$"),
)
_CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})年")   # 二〇二四年
_CN_NUM = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}


def _year_digits(match: re.Match[str]) -> str:
    return "".join(str(_CN_NUM[c]) for c in match.group(1)) + "年"


def cn_number(text: str) -> int | None:
    """一 -> 1, 十 -> 10, 二十八 -> 28, 三十一 -> 31; a single 〇 -> 0; else None."""
    if not text:
        return None
    if "十" not in text:
        return _CN_NUM.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    high = _CN_NUM.get(tens, -1) if tens else 1
    low = _CN_NUM.get(ones, -1) if ones else 0
    return None if high < 0 or low < 0 else high * 10 + low


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter: `Period(2024, 2)` is 2024Q2."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> "Period | None":
        """Read `2024Q1`, `2024-Q1`, `2024年第一季度`, `2024年一季度`, `2024年1季度`; else None (also for a year
        outside MIN_YEAR–MAX_YEAR)."""
        from fireaudit.textnorm import clean

        compact = _CN_YEAR.sub(_year_digits, re.sub(r"\s+", "", clean(str(text))))
        for form in _FORMS:
            match = form.match(compact)
            if match:
                year = int(match.group(1))
                return cls(year, _CN_QUARTER[match.group(2)]) if MIN_YEAR <= year <= MAX_YEAR else None
        for form in _QUARTER_RANGE:   # 统计时段 written as the quarter's first and last month
            match = form.match(compact)
            if match:
                year, first, last = (int(g) for g in match.groups()[:3])
                if first in (1, 4, 7, 10) and last == first + 2 and MIN_YEAR <= year <= MAX_YEAR:
                    period = cls(year, (first + 2) // 3)
                    if not match.group(4) or int(match.group(4)) == period.end.day:
                        return period
        return None

    @classmethod
    def find(cls, text: str) -> "Period | None":
        """The one period named inside longer text (a title row, a file name); None if none or several differ."""
        from fireaudit.textnorm import clean

        text = _CN_YEAR.sub(_year_digits, clean(str(text)))
        found = {cls(int(m.group(1)), _CN_QUARTER[m.group(2)]) for form in _IN_TEXT
                 for m in form.finditer(text)}
        return found.pop() if len(found) == 1 else None

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
