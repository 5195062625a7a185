"""``feidi.lib.dates``: the one calendar arithmetic the figures, the statistics windows and the
contracts' periods share, at the month ends and leap days where it can go wrong."""

from __future__ import annotations

import datetime as dt

import pytest

from feidi.lib.dates import add_months
from feidi.lib.dates import add_years
from feidi.lib.dates import month_end
from feidi.lib.dates import month_start

D = dt.date


@pytest.mark.parametrize(("day", "n", "expected"), [
    (D(2026, 1, 31), 1, D(2026, 2, 28)), (D(2028, 1, 31), 1, D(2028, 2, 29)), (D(2026, 3, 31), -1, D(2026, 2, 28)),
    (D(2026, 12, 15), 1, D(2027, 1, 15)), (D(2027, 1, 1), -1, D(2026, 12, 1)), (D(2026, 5, 1), -12, D(2025, 5, 1)),
    (D(2026, 5, 31), -25, D(2024, 4, 30)), (D(2026, 8, 31), 18, D(2028, 2, 29)), (D(2026, 6, 30), 0, D(2026, 6, 30)),
])
def test_a_day_months_away_falls_on_the_target_months_last_day_when_it_lacks_the_day(day, n, expected):
    assert add_months(day, n) == expected


def test_a_first_of_the_month_stays_a_first_and_a_round_trip_is_exact_for_it():
    day = D(2020, 1, 1)
    while day < D(2032, 1, 1):
        for n in (-25, -12, -1, 1, 12, 37):
            assert add_months(day, n).day == 1 and add_months(add_months(day, n), -n) == day
        day = add_months(day, 1)


@pytest.mark.parametrize(("day", "n", "expected"), [
    (D(2028, 2, 29), -1, D(2027, 2, 28)), (D(2028, 2, 29), 4, D(2032, 2, 29)), (D(2027, 2, 28), 1, D(2028, 2, 28)),
    (D(2026, 12, 31), 1, D(2027, 12, 31)),
])
def test_a_year_away_keeps_the_date_and_29_february_becomes_the_28th_without_one(day, n, expected):
    assert add_years(day, n) == expected


def test_month_bounds():
    assert (month_start(D(2028, 2, 17)), month_end(D(2028, 2, 17))) == (D(2028, 2, 1), D(2028, 2, 29))
    assert month_end(D(2100, 2, 1)) == D(2100, 2, 28)  # divisible by 100, not by 400: no leap day
