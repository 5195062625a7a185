"""What the technology market answers in 统计查询: talents by tier (院士、国家级…), demands and supplies
by field (揭榜挂帅 and the auctions register their own subjects)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats

from .models import Demand
from .models import Supply
from .models import Talent

FIELD = stats.Dimension("field", _("技术领域"), "field", "dict", dict_type="tech_field")


def register() -> None:
    stats.register(stats.Subject(
        key="talents", label=_("引进人才"), model=Talent, noun=pgettext_lazy("stats noun", "人才"), unit="名", order=40,
        help=_("如“累计引进高端人才1000余名，其中院士7名”（时段选“累计”，按人才层次分组）"),
        measures=(stats.Measure("count", _("人数")),),
        dates=(stats.DateField("introduced_on", _("引进日期"), pgettext_lazy("stats verb", "引进")),),
        dimensions=(
            stats.Dimension("tier", _("人才层次"), "tier", "dict", dict_type="talent_tier"),
            stats.Dimension("enclave", _("引进飞地"), "enclave_id", model="registry.Zone"),
            stats.Dimension("how", _("引进方式"), "how", "choice", choices_of=tuple(Talent.How.choices), inline=False),
            FIELD,
        ),
    ))
    for key, model, label, noun, counted, order in (
            ("demands", Demand, _("技术需求"), pgettext_lazy("stats noun", "技术需求"), _("技术需求数"), 65),
            ("supplies", Supply, _("科技成果"), pgettext_lazy("stats noun", "科技成果"), _("科技成果数"), 66)):
        stats.register(stats.Subject(
            key=key, label=label, model=model, noun=noun, unit="项", order=order,
            measures=(stats.Measure("count", counted),),
            dates=(stats.DateField("published_at", _("发布时间"), pgettext_lazy("stats verb", "发布")), stats.DateField("created_at", _("登记时间"), pgettext_lazy("stats verb", "登记"))),
            dimensions=(FIELD, stats.Dimension("status", _("状态"), "status", "choice",
                                               choices_of=tuple(model.Status.choices), inline=False)),
        ))
