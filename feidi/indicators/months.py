"""Month arithmetic of the monthly rows and their cells, below both ``engine`` (the figures) and
``cells`` (the maintained sums), so neither imports the other for it. Every name stays importable
from where it was first defined (``engine.add_months``, ``cells.NEVER`` …)."""

from __future__ import annotations

import datetime as dt

from feidi.lib.dates import add_months
from feidi.lib.dates import month_end  # noqa: F401
from feidi.lib.dates import month_start  # noqa: F401

NEVER = dt.date(1, 1, 1)  # a month no row has: January and February subtract nothing (1–2月 is one release)


def month_before_in_year(period: dt.date) -> dt.date:
    """The month whose cumulative value is subtracted for 当月: none for January and for February,
    whose first release is the 1–2月 cumulative; never December from a January value."""
    return add_months(period, -1) if period.month >= 3 else NEVER
