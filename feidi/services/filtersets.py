import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import IdFilter
from feidi.core.filters import MineFilter
from feidi.core.filters import OverdueFilter
from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import date_range
from feidi.core.filters import scoped_filterset
from feidi.core.models import DictItem
from feidi.core.workbench import WaitingFilter

from . import todos
from .models import Appeal
from .models import Assignment
from .models import ServiceGroup
from .models import ServiceSettings
from .models import Visit


class AppealFilterSet(ScopedFilterSet):
    search_fields = ("title", "content", "organization__name")
    category = django_filters.ModelChoiceFilter(label=_("类别"),
                                                queryset=DictItem.objects.filter(type__code="appeal_category"))
    # By id from links (an organization's page); a select of every organization would not scale.
    organization = IdFilter("organization_id")
    overdue = OverdueFilter(Appeal.OPEN)
    mine = MineFilter(label=_("我办理的"))
    # 我的待办's groups, from their "全部 N 项" links
    accept = WaitingFilter(todos.appeals_to_accept, _("待受理的诉求"))
    handle = WaitingFilter(todos.appeals_to_handle, _("办理中的诉求"))
    rate = WaitingFilter(todos.appeals_to_rate, _("待评价的诉求"))

    class Meta:
        model = Appeal
        fields = ["status", "level", "category", "organization"]


AssignmentFilterSet = scoped_filterset(Assignment, ["group"], search=("organization__name", "cadre__full_name"),
    group=django_filters.ModelChoiceFilter(label=_("服务小组"), queryset=ServiceGroup.objects.all()),
    current=django_filters.BooleanFilter(label=_("当前有效"), field_name="until", lookup_expr="isnull"))


ServiceGroupFilterSet = scoped_filterset(ServiceGroup, search=("name", "area"))
ServiceSettingsFilterSet = scoped_filterset(ServiceSettings, search=("name",))


class VisitFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "notes")
    visited_after, visited_before = date_range("visited_on", _("开始日期"), _("结束日期"))

    class Meta:
        model = Visit
        fields = []
