"""Working-day arithmetic on the Chinese calendar, including the 2025 Spring Festival."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lunardate import LunarDate

from feidi.lib.workdays import KNOWN_YEARS
from feidi.lib.workdays import Calendar
from feidi.lib.workdays import OutOfCalendar
from feidi.lib.workdays import statutory_holidays

D = dt.date
cal = Calendar()
# Starts early enough that 60 working days later is still inside the known schedule.
days = st.dates(min_value=D(2005, 1, 1), max_value=D(2026, 8, 31))


def test_the_2025_spring_festival_and_its_make_up_workdays():
    # 2025: holiday 1月28日–2月4日 (8 days); make-up workdays Sunday 1月26日 and Saturday 2月8日.
    assert all(not cal.is_workday(D(2025, 1, 28) + dt.timedelta(d)) for d in range(8))
    assert cal.is_workday(D(2025, 1, 26)) and cal.is_workday(D(2025, 2, 8))
    assert cal.add_workdays(D(2025, 1, 24), 1) == D(2025, 1, 26)  # Friday → the make-up Sunday
    assert cal.add_workdays(D(2025, 1, 27), 1) == D(2025, 2, 5)  # over the whole holiday
    assert cal.add_workdays(D(2025, 1, 27), 4) == D(2025, 2, 8)  # …and onto the make-up Saturday
    assert cal.workdays_between(D(2025, 1, 27), D(2025, 2, 5)) == 1


def test_a_date_outside_the_known_years_is_an_error_not_a_guess():
    with pytest.raises(OutOfCalendar, match="工作日历"):
        cal.is_workday(D(2031, 3, 3))
    assert Calendar({D(2031, 3, 3): True}).is_workday(D(2031, 3, 3))


def test_overrides_win():
    local = Calendar({D(2025, 3, 3): False, D(2025, 3, 8): True})
    assert not local.is_workday(D(2025, 3, 3)) and local.is_workday(D(2025, 3, 8))
    assert local.add_workdays(D(2025, 3, 2), 1) == D(2025, 3, 4)


@given(days, st.integers(min_value=0, max_value=40))
def test_adding_then_counting_gives_back_n(start, n):
    end = cal.add_workdays(start, n)
    assert cal.is_workday(end)
    assert end >= start
    if n:
        assert cal.workdays_between(start, end) == n
        assert end > start


@given(days, st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=30))
def test_adding_is_associative(start, a, b):
    assert cal.add_workdays(cal.add_workdays(start, a), b) == cal.add_workdays(start, a + b)


@given(days, days)
def test_counting_is_antisymmetric(a, b):
    assert cal.workdays_between(a, b) == -cal.workdays_between(b, a)


@given(days)
def test_a_week_never_has_more_than_seven_or_fewer_than_zero_workdays(start):
    n = cal.workdays_between(start, start + dt.timedelta(days=7))
    assert 0 <= n <= 7


def test_the_calendar_table_overrides_the_national_schedule(cast, client_for):
    from django.urls import reverse

    from feidi.core.calendar import current_calendar

    assert current_calendar().is_workday(D(2026, 5, 6))
    response = client_for("sysadmin").post(reverse("core:calendarday_add"),
                                           {"date": "2026-05-06", "note": "地方节日", "_form_token": "c1"})
    assert response.status_code == 302
    assert not current_calendar().is_workday(D(2026, 5, 6))
    assert client_for("clerk").get(reverse("core:calendarday_list")).status_code == 403


@pytest.mark.parametrize("year", range(2025, KNOWN_YEARS[1] + 1))
def test_every_day_the_law_fixes_is_a_rest_day_in_the_published_schedules(year):
    """《全国年节及纪念日放假办法》's days (2024 amendment, from 2025): each is a rest day in every
    State Council notice the package holds — the rule the guess uses for a year not yet published."""
    days = statutory_holidays(year)
    assert len(days) == 13  # 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3
    assert [d for d in sorted(days) if chinese_calendar.is_workday(d)] == []


def test_a_year_no_notice_covers_yet_is_guessed_without_the_laws_holidays():
    """2027 before its notice: 元旦 and 春节 (除夕 2-05, 初一–初三 2-06…2-08) are never counted as
    working days, so a deadline across them is not a day early; the year is noted as guessed."""
    year = KNOWN_YEARS[1] + 1
    cal = Calendar(guess=True)
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for day in [dt.date(year, 1, 1), new_year - dt.timedelta(days=1), new_year, new_year + dt.timedelta(days=2)]:
        assert not cal.is_workday(day), day
    assert cal.guessed == {year}
    assert cal.is_workday(dt.date(year, 3, 3)) is (dt.date(year, 3, 3).weekday() < 5)
    if year == 2027:  # 2026-12-31 (Thu) + 1 working day: 2027-01-01 is 元旦, 01-02/03 a weekend → 01-04
        assert Calendar(guess=True).add_workdays(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
        assert Calendar(guess=True).add_workdays(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 9)
