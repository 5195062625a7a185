import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import date_range
from feidi.core.filters import scoped_filterset

from .models import Department
from .models import LoginLog
from .models import Role
from .models import User


class UserFilterSet(ScopedFilterSet):
    search_fields = ("username", "full_name", "email")
    department = django_filters.ModelChoiceFilter(label=_("部门"), queryset=Department.objects.all())
    role = django_filters.ModelChoiceFilter(label=_("角色"), queryset=Role.objects.all(), field_name="roles")
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = User
        fields = ["department", "role", "is_active"]


DepartmentFilterSet = scoped_filterset(Department, ["kind"], search=("name",))
RoleFilterSet = scoped_filterset(Role, ["duty", "data_scope"], search=("name", "code", "description"))


class LoginLogFilterSet(ScopedFilterSet):
    search_fields = ("username", "address", "reason")
    at_after, at_before = date_range("at", _("开始日期"), _("结束日期"), on_date=True)

    class Meta:
        model = LoginLog
        fields = ["result"]
