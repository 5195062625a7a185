"""经济运行's part of 我的待办: an enterprise's monthly report still missing for last month."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext

from feidi.core import workbench
from feidi.core.models import seeded_label

from . import engine
from .actions import values_written
from .models import Indicator
from .models import IndicatorValue


@workbench.declares("month_report", models=(Indicator, IndicatorValue))
def todos(user, today: dt.date, limit: int) -> list[workbench.Todo]:
    if not user.organization_id or not user.has_perm("indicators.add_indicatorvalue"):
        return []
    from feidi.registry.models import Organization

    if not Organization.objects.filter(pk=user.organization_id, kind=Organization.Kind.ENTERPRISE).exists():
        return []
    period = engine.add_months(today.replace(day=1), -1)
    required = {pk: seeded_label(name) for pk, name in
                Indicator.objects.filter(active=True, required=True).values_list("pk", "name")}
    reported = set(IndicatorValue.objects.filter(organization_id=user.organization_id, period=period,
                                                 indicator_id__in=required).values_list("indicator_id", flat=True))
    missing = [name for pk, name in required.items() if pk not in reported]
    if not missing:
        return []
    url = reverse("indicators:report") + f"?period={period:%Y-%m}"
    return [workbench.Todo("month_report", gettext("{year}年{month}月经济指标待填报").format(
        year=period.year, month=period.month), 1, url, gettext("填报"),
                           [workbench.Item(gettext("{year}年{month}月：{join}未填报").format(
                               year=period.year, month=period.month, join=gettext("、").join(missing)), url,
                                           note=gettext("每月必报指标"))], order=5, listed=False)]


def _values_written(sender, **kwargs) -> None:
    """A large import writes its values by COPY (PostgreSQL), which passes no cursor's ``execute``
    (``workbench.watch`` sees every other write): the cached counts are told here."""
    from django.db import connection

    workbench.changed(connection)


values_written.connect(_values_written, dispatch_uid="feidi.indicators.todos.values_written")
