"""What the technology market answers in 统计查询: talents by tier (院士、国家级…), 揭榜挂帅 challenges by
batch (首批), joint projects, auction lots and their turnover, demands and supplies by field."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats

from .models import Challenge, Demand, JointProject, Lot, Supply, Talent

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
    stats.register(stats.Subject(
        key="challenges", label=_("揭榜挂帅榜单"), model=Challenge, noun=pgettext_lazy("stats noun", "揭榜挂帅项目"), unit="个", order=50,
        help=_("如“首批推出9个揭榜挂帅项目”（按发榜批次筛选）"),
        measures=(stats.Measure("count", _("榜单数")), stats.Measure("sum:bounty", _("榜额"), "sum", "bounty", "元")),
        dates=(stats.DateField("published_at", _("发榜时间"), pgettext_lazy("stats verb", "发布")), stats.DateField("deadline", _("揭榜截止日期"), pgettext_lazy("stats verb", "截止"))),
        dimensions=(
            stats.Dimension("batch", _("发榜批次"), "batch", "dict", dict_type="challenge_batch"),
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(Challenge.Status.choices),
                            inline=False),
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
                            inline=False),
            stats.Dimension("enclave", _("孵化飞地"), "incubated_in_id", model="registry.Zone"),
        ),
    ))
    sold = Q(status=Lot.Status.SOLD)
    stats.register(stats.Subject(
        key="lots", label=_("成果拍卖拍品"), model=Lot, noun=pgettext_lazy("stats noun", "拍品"), unit="项", order=60,
        help=_("如“6项专利技术参与拍卖，成交额约2000万元”（按拍卖会筛选）"),
        measures=(
            stats.Measure("count", _("拍品数")), stats.Measure("sold", _("成交数"), where=sold, verb=pgettext_lazy("stats verb", "成交")),
            stats.Measure("turnover", _("成交额"), "sum", "current_price", "元", where=sold),
        ),
        dates=(stats.DateField("closes_at", _("截拍时间"), ""), stats.DateField("settled_at", _("成交确认时间"), "")),
        dimensions=(
            stats.Dimension("auction", _("拍卖会"), "auction_id", model="techmarket.Auction", inline=False),
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(Lot.Status.choices), inline=False),
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
