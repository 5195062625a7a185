"""What 揭榜挂帅 answers in 统计查询: challenges by batch (首批), status, field; joint projects."""

from __future__ import annotations

from django.db.models import Case
from django.db.models import F
from django.db.models import Q
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats
from feidi.core.calendar import end_of

from .models import Challenge
from .models import JointProject

C, J = Challenge.Status, JointProject.Status


def challenge_status_on(day):
    """A challenge as it stood on a day: 待发榜 until published, taking applications (揭榜中) up to its
    deadline; reviewed, awarded or withdrawn afterwards as it stands (those steps carry no date)."""
    return Case(
        When(Q(published_at__isnull=True) | Q(published_at__gte=end_of(day)), then=Value(C.DRAFT)),
        When(status__in=[C.REVIEW, C.AWARDED], deadline__gte=day, then=Value(C.OPEN)),
        default=F("status"))


def joint_status_on(day):
    """A joint project as it stood on a day: 攻关中 until its acceptance's date (已验收, 验收未通过)."""
    return Case(When(status__in=[J.ACCEPTED, J.FAILED], accepted_on__gt=day, then=Value(J.ACTIVE)),
                default=F("status"))


def register() -> None:
    stats.register(stats.Subject(
        key="challenges", label=_("揭榜挂帅榜单"), model=Challenge, noun=pgettext_lazy("stats noun", "揭榜挂帅项目"), unit="个", order=50,
        help=_("如“首批推出9个揭榜挂帅项目”（按发榜批次筛选）"),
        measures=(stats.Measure("count", _("榜单数")), stats.Measure("sum:bounty", _("榜额"), "sum", "bounty", "元")),
        dates=(stats.DateField("published_at", _("发榜时间"), pgettext_lazy("stats verb", "发布")), stats.DateField("deadline", _("揭榜截止日期"), pgettext_lazy("stats verb", "截止"))),
        dimensions=(
            stats.Dimension("batch", _("发榜批次"), "batch", "dict", dict_type="challenge_batch"),
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(Challenge.Status.choices),
                            inline=False, on_day=challenge_status_on),
            stats.Dimension("joint", _("协同发榜"), "joint", "bool"),
            stats.Dimension("field", _("技术领域"), "demand__field", "dict", dict_type="tech_field"),
        ),
        bands=(stats.Band("bounty", _("榜额"), "元"),),
    ))
    stats.register(stats.Subject(
        key="joint_projects", label=_("联合攻关项目"), model=JointProject, noun=pgettext_lazy("stats noun", "联合攻关项目"), unit="个", order=55,
        measures=(stats.Measure("count", _("项目数")), stats.Measure("sum:budget", _("攻关经费"), "sum", "budget", "元")),
        dates=(stats.DateField("starts_on", _("开始日期"), pgettext_lazy("stats verb", "实施")), stats.DateField("accepted_on", _("验收日期"), pgettext_lazy("stats verb", "验收"))),
        dimensions=(
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(JointProject.Status.choices),
                            inline=False, on_day=joint_status_on),
            stats.Dimension("enclave", _("孵化飞地"), "incubated_in_id", model="registry.Zone"),
        ),
    ))
