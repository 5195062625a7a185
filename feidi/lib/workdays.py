"""Working-day arithmetic on the Chinese calendar (法定节假日与调休上班日).

Statutory holidays and make-up workdays come from the ``chinesecalendar`` package; a zone may
override single days (a local holiday, a late-published schedule). A date the package does not
know and no override covers is an error, never a guess: a deadline computed on a guessed calendar
would be wrong by days around Spring Festival.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)
KNOWN_YEARS = (min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year)


class OutOfCalendar(ValueError):
    """The date lies outside the years whose holiday schedule is known."""


class Calendar:
    def __init__(self, overrides: Mapping[dt.date, bool] | None = None):
        self.overrides = dict(overrides or {})

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            raise TypeError("is_workday takes a date, not a datetime (convert to local time first)")
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise OutOfCalendar(
                f"{day:%Y年%m月%d日} 不在已知的节假日安排范围内（{KNOWN_YEARS[0]}–{KNOWN_YEARS[1]}年），"
                "请在工作日历中补充该年份的安排") from None

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (``start`` itself not counted); n ≥ 0.
        With n = 0: ``start`` if it is a working day, else the next one."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        if n == 0:
            return self.next_workday(start)
        day = start
        while n:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_workday(day)
        return count


DEFAULT = Calendar()
