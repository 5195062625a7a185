"""What the registry answers in 统计查询: enterprises on a day (holding a label on that day, on a chain,
in a park), the change between two days ("科技型中小企业从1711家增至2412家，增长41%"), and the
residencies of the enclaves (入驻、确定入驻、在谈)."""

from __future__ import annotations

from django.db.models import Case
from django.db.models import F
from django.db.models import Q
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from feidi.core import stats

from .models import Agreement
from .models import Organization
from .models import Residency
from .models import Zone
from .models import park_enterprises

# A residency's status on a day, from its dated steps (a question of an earlier day counts it as it
# stood then: resident until it left, in talks until it was confirmed); a record whose steps carry no
# date counts as its status says (undated, it is as it stands; an 退出 without a 退出日期 has left).
S = Residency.Status


def _not_left(day) -> Q:
    return Q(exited_on__gt=day) | (Q(exited_on__isnull=True) & ~Q(status=S.EXITED))


def _confirmed_by(day) -> Q:
    return Q(confirmed_on__lte=day) | Q(confirmed_on__isnull=True, entered_on__lte=day)


_UNDATED_CONFIRMED = Q(confirmed_on__isnull=True, entered_on__isnull=True, status__in=(S.CONFIRMED, S.RESIDENT))


def resident_on(day) -> Q:
    return (Q(entered_on__lte=day) & _not_left(day)) | Q(entered_on__isnull=True, status=S.RESIDENT)


def confirmed_on(day) -> Q:
    return (_confirmed_by(day) & _not_left(day)) | _UNDATED_CONFIRMED


def negotiating_on(day) -> Q:
    return ~_confirmed_by(day) & _not_left(day) & ~_UNDATED_CONFIRMED


def status_on(day):
    """A residency's status on ``day``, by the same steps as the measures: 已入驻, 确定入驻, 在谈, else
    退出 (left by then; one not yet in talks then is counted by its first dated step)."""
    return Case(When(resident_on(day), then=Value(S.RESIDENT)), When(confirmed_on(day), then=Value(S.CONFIRMED)),
                When(negotiating_on(day), then=Value(S.NEGOTIATING)), default=Value(S.EXITED))


def register() -> None:
    stats.register(stats.Subject(
        key="organizations", label=_("企业"), model=Organization, noun=pgettext_lazy("stats noun", "企业"), unit="家", order=20,
        # the enterprises of a park: a target or partner firm elsewhere (no park) is not counted
        as_of=stats.existing_on("established_on"), base=park_enterprises(),
        base_note=_("只计园区内的企业，未落户园区的招商目标、合作企业不计入"),
        help=_("某日园区内的企业数（按当日持有的标签、所在产业链），两日之间的变化，如“科技型中小企业从1711家增至2412家”；未落户园区的招商目标、合作企业不计入"),
        measures=(
            stats.Measure("count", _("企业数")),
            stats.Measure("sum:employees", _("从业人员"), "sum", "employees", "人"),
            stats.Measure("sum:land_area_mu", _("用地面积"), "sum", "land_area_mu", "亩"),
            stats.Measure("sum:registered_capital", _("注册资本"), "sum", "registered_capital", "元"),
        ),
        dimensions=(
            stats.Dimension("label", _("标签（当日持有）"), "", "label", dict_type="org_label"),
            stats.Dimension("chain", _("产业链"), "chain_memberships__segment__chain_id", model="chains.Chain",
                            multi=True, suffix=pgettext_lazy("stats suffix", "产业链")),
            stats.Dimension("zone", _("园区"), "zone_id", model="registry.Zone"),
        ),
        bands=(stats.Band("employees", _("从业人员"), "人"), stats.Band("land_area_mu", _("用地面积"), "亩"),
               stats.Band("registered_capital", _("注册资本"), "元")),
    ))
    stats.register(stats.Subject(
        key="zones", label=_("园区与飞地"), model=Zone, noun=pgettext_lazy("stats noun", "园区与飞地"), unit="个", order=22,
        as_of=stats.existing_on("established_on"),
        # the zones this platform runs (a zone with no administering department is another city's,
        # kept for its published figures), a 分区 (under a parent of its own kind) counted in its parent
        base=Q(department__isnull=False) & (Q(parent__isnull=True) | ~Q(parent__kind=F("kind"))),
        base_note=_("只计本平台管理的园区与飞地，分区计入所属园区"),
        help=_("某日的园区、飞地个数（按类型、上级园区），如“人才工作联络站19家、人才飞地15个”；分区（上级园区与其同类型）计入上级园区，未设管理部门的外地对比园区不计入"),
        measures=(stats.Measure("count", _("个数")), stats.Measure("sum:area_km2", _("面积"), "sum", "area_km2", "平方公里")),
        dates=(stats.DateField("established_on", _("设立日期"), pgettext_lazy("stats verb", "设立")),),
        dimensions=(
            stats.Dimension("kind", _("类型"), "kind", "dict", dict_type="zone_kind", names_kind=True),
            stats.Dimension("parent", _("上级园区"), "parent_id", model="registry.Zone"),
            stats.Dimension("home_zone", _("派出园区"), "home_zone_id", model="registry.Zone"),
        ),
    ))
    stats.register(stats.Subject(
        key="agreements", label=_("合作协议"), model=Agreement, noun=pgettext_lazy("stats noun", "合作协议"), unit="份", order=24,
        help=_("签署的合作协议份数，如“与松江区签署合作协议3份”（按签署日期）"),
        measures=(stats.Measure("count", _("份数")),),
        dates=(stats.DateField("signed_on", _("签署日期"), pgettext_lazy("stats verb", "签署")),),
    ))
    stats.register(stats.Subject(
        key="residencies", label=_("飞地入驻"), model=Residency, noun=pgettext_lazy("stats noun", "对接企业"), unit="家", order=25,
        help=_("飞地对接的企业（在谈、确定入驻、已入驻、退出），如“创新协同中心已确定入驻8家，在谈10余家”（统计项选已确定入驻、在谈，或按状态分组）"),
        measures=(
            # each status counted from the day it was reached (a question naming a date bounds them all by it)
            stats.Measure("count", _("对接企业数"), verb=pgettext_lazy("stats verb", "对接"),
                          noun=pgettext_lazy("stats noun", "企业"), date="negotiating_since"),
            stats.Measure("resident", _("已入驻"), where=resident_on,
                          verb=pgettext_lazy("stats verb", "已入驻"), noun=pgettext_lazy("stats noun", "企业"),
                          date="entered_on"),
            stats.Measure("confirmed", _("已确定入驻（含已入驻）"),
                          where=confirmed_on,
                          verb=pgettext_lazy("stats verb", "已确定入驻"), noun=pgettext_lazy("stats noun", "企业"),
                          date="confirmed_on"),
            stats.Measure("negotiating", _("在谈"), where=negotiating_on,
                          verb=pgettext_lazy("stats verb", "在谈"), noun=pgettext_lazy("stats noun", "企业"),
                          date="negotiating_since"),
        ),
        # a step recorded without the one before it was reached by then (entered without a 确定入驻日期)
        dates=(
            stats.DateField("entered_on", _("入驻日期"), pgettext_lazy("stats verb", "入驻")),
            stats.DateField("confirmed_on", _("确定入驻日期"), pgettext_lazy("stats verb", "确定入驻"),
                            fallback=("entered_on",)),
            stats.DateField("negotiating_since", _("开始洽谈日期"), pgettext_lazy("stats verb", "洽谈"),
                            fallback=("confirmed_on", "entered_on", "exited_on")),
        ),
        dimensions=(
            stats.Dimension("enclave", _("飞地/园区"), "enclave_id", model="registry.Zone"),
            stats.Dimension("status", _("状态"), "status", "choice", choices_of=tuple(Residency.Status.choices),
                            inline=False, on_day=status_on),
        ),
    ))
