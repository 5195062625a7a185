"""What the investment pipeline answers in 统计查询: projects signed, started, produced … in a window,
their amounts, by park, chain, stage, programme (签约活动, 联动开工批次) or channel."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats
from feidi.core.calendar import end_of

from .models import Channel
from .models import KeyLevel
from .models import Project
from .models import Stage
from .models import StageRecord
from .models import in_force_on
from .models import stage_on

MONEY = (
    ("signed_amount", _("签约资金")), ("planned_investment", _("总投资")), ("fixed_asset_investment", _("固定资产投资")),
    ("foreign_investment", _("利用外资")), ("expected_output", _("预计年产值")),
)


def existed_by(day) -> Q:
    """The projects there were by the end of ``day``: entered by then, or carrying a step dated by
    then (a project signed in 2025 and entered in 2026 existed in 2025)."""
    return (Q(created_at__lt=end_of(day)) | Q(signed_on__lte=day) | Q(started_on__lte=day) | Q(produced_on__lte=day)
            | Q(pk__in=StageRecord.objects.filter(entered_on__lte=day).values("project_id")))


def register() -> None:
    stats.register(stats.Subject(
        key="projects", label=_("招商项目"), model=Project, noun=pgettext_lazy("stats noun", "项目"), unit="个", order=10,
        base=in_force_on, existed=existed_by, base_note=_("统计截止日前已终止的项目不计入"),
        help=_("按签约、开工、投产日期统计项目个数与金额，如“1至10月引进项目62个，签约资金322亿元”；统计截止日前已终止的项目不计入"),
        measures=(stats.Measure("count", _("项目数")),) + tuple(
            stats.Measure(f"sum:{name}", label, "sum", name, "元") for name, label in MONEY),
        dates=(
            stats.DateField("signed_on", _("签约日期"), pgettext_lazy("stats verb", "签约")), stats.DateField("started_on", _("开工日期"), pgettext_lazy("stats verb", "开工")),
            stats.DateField("produced_on", _("投产日期"), pgettext_lazy("stats verb", "投产")), stats.DateField("created_at", _("登记时间"), pgettext_lazy("stats verb", "新增")),
        ),
        dimensions=(
            stats.Dimension("zone", _("园区"), "zone_id", model="registry.Zone"),
            stats.Dimension("chain", _("产业链"), "segment__chain_id", model="chains.Chain", suffix=pgettext_lazy("stats suffix", "产业链")),
            stats.Dimension("segment", _("产业链环节"), "segment_id", model="chains.Segment", inline=False),
            stats.Dimension("stage", _("阶段"), "stage", "choice", choices_of=tuple(c for c in Stage.choices if c[0] != Stage.TERMINATED),
                            inline=False, on_day=stage_on),
            stats.Dimension("programme", _("活动/批次"), "programmes", "dict", dict_type="project_programme", multi=True),
            stats.Dimension("key", _("重点项目"), "is_key", "bool"),
            stats.Dimension("key_level", _("重点级别"), "key_level", "choice", choices_of=tuple(KeyLevel.choices)),
            stats.Dimension("channel", _("来源渠道"), "channel", "choice", choices_of=tuple(Channel.choices), inline=False),
            stats.Dimension("department", _("责任单位"), "introducer_department_id", model="accounts.Department",
                            inline=False),
        ),
        bands=tuple(stats.Band(name, label, "元") for name, label in MONEY[:3]),
    ))
