"""Working-day arithmetic on the Chinese calendar (法定节假日与调休上班日).

Statutory holidays and make-up workdays come from the ``chinesecalendar`` package and from the
years an installation has entered itself (``YearSchedule``: the State Council's annual notice, its
holiday periods and make-up workdays, every other day by the weekday rule); single days may be
overridden (a local holiday). A date in a year nobody has published is an error — unless the
calendar is told to ``guess``: then the weekday rule stands in for that year, less the holidays the
law itself fixes (``statutory_holidays``: 元旦, 春节's four days, 清明, 劳动节, 端午, 中秋, 国庆),
and the year is noted in ``guessed``, so that the deadline it gave can be said to be provisional and
computed again once the year's notice is entered (``core.calendar``): a deadline must never stop an
appeal from being accepted, nor stand unmarked on a guess that is wrong around Spring Festival.

Convention for a limit of 0 working days: ``add_workdays(day, 0)`` is ``day`` itself when it is a
working day, else the next working day (something due "the same working day" and received on a
rest day is due on the next working day).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass

import chinese_calendar
from django.utils.translation import gettext
from lunardate import LunarDate

ONE_DAY = dt.timedelta(days=1)
KNOWN_YEARS = (min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year)


@functools.cache
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The rest days 《全国年节及纪念日放假办法》 fixes for every year (as amended in 2024, in force
    from 2025): 元旦 1 January; 春节 除夕 and 正月初一 to 初三; 清明 (the solar term's day); 劳动节
    1–2 May; 端午 五月初五; 中秋 八月十五; 国庆 1–3 October. A year's notice adds the make-up
    workdays and the bridging days around them; these days are rest days whatever it says, so the
    guess for a year no notice covers yet never counts them as working days."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    days = {dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 2), dt.date(year, 10, 1),
            dt.date(year, 10, 2), dt.date(year, 10, 3), LunarDate(year, 5, 5).to_solar_date(),
            LunarDate(year, 8, 15).to_solar_date()}
    days.update(new_year + dt.timedelta(days=n) for n in range(-1, 3))  # 除夕 is the day before 初一
    days.update(day for day, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
                if name == "清明")
    return frozenset(days)


class OutOfCalendar(ValueError):
    """The date lies outside the years whose holiday schedule is known."""

    def __init__(self, message: str, year: int | None = None):
        super().__init__(message)
        self.year = year


@dataclass(frozen=True)
class YearSchedule:
    """One year's schedule as the State Council's notice states it: the holiday periods (a period
    may start in the previous December, e.g. 元旦 2022-12-31 – 2023-01-02) and the make-up workdays
    (调休上班); every other day of the year by the weekday rule."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_workday(self, day: dt.date) -> bool | None:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year == self.year:
            return day.weekday() < 5
        return None


class Calendar:
    def __init__(self, overrides: Mapping[dt.date, bool] | None = None,
                 schedules: Iterable[YearSchedule] = (), *, guess: bool = False):
        self.guess = guess
        self.guessed: set[int] = set()  # the unknown years the weekday rule stood in for
        self.overrides = dict(overrides or {})
        self.schedules = {s.year: s for s in schedules}
        # a period or make-up day listed in a neighbouring year's notice (元旦 from 31 December)
        self.listed = {d: False for s in self.schedules.values() for d in s.holidays}
        self.listed.update({d: True for s in self.schedules.values() for d in s.workdays})

    def known_years(self) -> list[int]:
        return sorted(set(range(KNOWN_YEARS[0], KNOWN_YEARS[1] + 1)) | set(self.schedules))

    def knows(self, year: int) -> bool:
        return year in self.schedules or KNOWN_YEARS[0] <= year <= KNOWN_YEARS[1]

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            raise TypeError("is_workday takes a date, not a datetime (convert to local time first)")
        if day in self.overrides:
            return self.overrides[day]
        if day in self.listed:
            return self.listed[day]
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            return day.weekday() < 5
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if self.guess:
                self.guessed.add(day.year)
                return day.weekday() < 5 and day not in statutory_holidays(day.year)
            raise OutOfCalendar(
                gettext("{year}年的节假日安排尚未录入（{day:%Y年%m月%d日}无法判断是否工作日），无法按工作日计算期限。请系统管理员在“工作日历”中录入{year}年国务院办公厅节假日安排通知后再试").format(year=day.year, day=day),
                day.year) from None

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def previous_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the last working day before it."""
        while not self.is_workday(day):
            day -= ONE_DAY
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
