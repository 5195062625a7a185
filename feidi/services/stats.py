"""What enterprise services answer in 统计查询: appeals received, accepted, closed in a window, by
category, outcome (解决用地, 留住订单 …), level or handling unit; the time taken against the limit."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats
from feidi.core.calendar import end_of

from .models import Appeal
from .models import Visit
from .models import closed_on
from .models import closed_on_time
from .models import promised_deadline
from .models import status_on


def register() -> None:
    S = Appeal.Status
    stats.register(stats.Subject(
        key="appeals", label=_("企业诉求"), model=Appeal,
        existed=lambda day: Q(submitted_at__lt=end_of(day)), noun=pgettext_lazy("stats noun", "企业诉求"), unit="件", order=30,
        help=_("如“已受理并解决企业诉求180余件”（统计项选办结数，时段选“累计”，勾选约数）"),
        measures=(
            stats.Measure("count", _("诉求数")),
            stats.Measure("closed", _("办结数"), where=closed_on, verb=pgettext_lazy("stats verb", "办结")),
            stats.Measure("compression", _("办理用时较时限压缩"), "computed", unit="%",
                          compute=stats.time_against_limit("submitted_at", "closed_at", promised_deadline(),
                                                           on_time=closed_on_time())),
        ),
        dates=(
            stats.DateField("submitted_at", _("提出时间"), pgettext_lazy("stats verb", "提出")), stats.DateField("accepted_at", _("受理时间"), pgettext_lazy("stats verb", "受理")),
            stats.DateField("closed_at", _("办结时间"), pgettext_lazy("stats verb", "办结"), ends=True),
        ),
        dimensions=(
            stats.Dimension("category", _("类别"), "category", "dict", dict_type="appeal_category", suffix=pgettext_lazy("stats suffix", "类")),
            stats.Dimension("outcome", _("服务成效"), "outcome", "dict", dict_type="service_outcome", inline=False),
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(S.choices), inline=False,
                            on_day=status_on),
            stats.Dimension("level", _("办理层级"), "level", "choice", choices_of=tuple(Appeal.LEVELS.items()),
                            inline=False),
            stats.Dimension("department", _("承办部门"), "handling_department_id", model="accounts.Department",
                            inline=False),
            stats.Dimension("zone", _("园区"), "organization__zone_id", model="registry.Zone"),
        ),
    ))
    stats.register(stats.Subject(
        key="visits", label=_("走访记录"), model=Visit, noun=pgettext_lazy("stats noun", "走访企业"), unit="次", order=35,
        measures=(stats.Measure("count", _("走访次数")),),
        dates=(stats.DateField("visited_on", _("走访日期"), ""),),
        dimensions=(stats.Dimension("zone", _("园区"), "organization__zone_id", model="registry.Zone"),),
    ))
