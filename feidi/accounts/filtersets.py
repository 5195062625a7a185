import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet

from .models import Department, LoginLog, Role, User


class UserFilterSet(ScopedFilterSet):
    search_fields = ("username", "full_name", "email")
    department = django_filters.ModelChoiceFilter(label=_("部门"), queryset=Department.objects.all())
    role = django_filters.ModelChoiceFilter(label=_("角色"), queryset=Role.objects.all(), field_name="roles")
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = User
        fields = ["department", "role", "is_active"]


class DepartmentFilterSet(ScopedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Department
        fields = ["kind"]


class RoleFilterSet(ScopedFilterSet):
    search_fields = ("name", "code", "description")

    class Meta:
        model = Role
        fields = ["duty", "data_scope"]


class LoginLogFilterSet(ScopedFilterSet):
    search_fields = ("username", "address", "reason")
    at_after = django_filters.DateFilter(label=_("开始日期"), field_name="at", lookup_expr="date__gte")
    at_before = django_filters.DateFilter(label=_("结束日期"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = LoginLog
        fields = ["result"]
