"""Calendar arithmetic on dates, one way everywhere: a month's first and last day, a day some
months or years away. A day that the target month lacks falls on its last day (31 March − 1 month is
28 or 29 February; 29 February + 1 year is 28 February), as a report's 同比 and a contract's
period count them."""

from __future__ import annotations

import calendar
import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def last_month_ended(day: dt.date) -> dt.date:
    """The first day of the latest month over by the end of ``day``: ``day``'s own month on its last
    day, else the month before (a figure of 16 November is of October at most)."""
    start = month_start(day)
    return start if day == month_end(day) else add_months(start, -1)


def add_months(day: dt.date, n: int) -> dt.date:
    """``day`` ``n`` months on (back when negative), on the target month's last day where it has no
    such day; a month's first day stays a first day."""
    year, month = divmod(day.year * 12 + day.month - 1 + n, 12)
    month += 1
    if day.day <= 28:  # every month has the day: the monthly rows' periods (firsts) take this path, on
        return dt.date(year, month, day.day)  # the indicator import's per-row checks (4× faster)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, n: int) -> dt.date:
    """``day`` ``n`` years on; 29 February falls on 28 February in a year without it."""
    return add_months(day, 12 * n)
