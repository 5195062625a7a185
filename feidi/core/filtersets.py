import django_filters
from django.utils.translation import gettext_lazy as _

from .filters import ScopedFilterSet
from .models import (
    AuditRecord,
    CalendarDay,
    Delivery,
    DictItem,
    DictType,
    ExportFile,
    ImportJob,
    Notification,
    WebhookEndpoint,
)


class ExportFileFilterSet(ScopedFilterSet):
    search_fields = ("title",)

    class Meta:
        model = ExportFile
        fields = ["status"]


class ImportJobFilterSet(ScopedFilterSet):
    search_fields = ("filename", "title")

    class Meta:
        model = ImportJob
        fields = ["status"]


class DictItemFilterSet(ScopedFilterSet):
    search_fields = ("code", "label")
    type = django_filters.ModelChoiceFilter(label=_("字典"), queryset=DictType.objects.all())

    class Meta:
        model = DictItem
        fields = ["type", "active"]


class AuditRecordFilterSet(ScopedFilterSet):
    search_fields = ("username", "object_repr", "object_id", "model", "address")
    at_after = django_filters.DateFilter(label=_("开始日期"), field_name="at", lookup_expr="date__gte")
    at_before = django_filters.DateFilter(label=_("结束日期"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditRecord
        fields = ["action", "source"]


class CalendarDayFilterSet(ScopedFilterSet):
    search_fields = ("note",)
    year = django_filters.NumberFilter(label=_("年份"), field_name="date", lookup_expr="year")

    class Meta:
        model = CalendarDay
        fields = ["is_workday"]


class NotificationFilterSet(ScopedFilterSet):
    search_fields = ("title", "body")
    unread = django_filters.BooleanFilter(label=_("未读"), field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = []


class WebhookEndpointFilterSet(ScopedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = WebhookEndpoint
        fields = ["kind", "active"]


class DeliveryFilterSet(ScopedFilterSet):
    search_fields = ("title", "recipient", "last_error")

    class Meta:
        model = Delivery
        fields = ["channel", "status"]
