import django_filters
from django.utils.translation import gettext_lazy as _

from .filters import ScopedFilterSet
from .filters import date_range
from .filters import scoped_filterset
from .imports import imports_to_confirm
from .models import AuditRecord
from .models import CalendarDay
from .models import Delivery
from .models import DictItem
from .models import DictType
from .models import ExportFile
from .models import ImportJob
from .models import Notification
from .models import WebhookEndpoint
from .workbench import WaitingFilter

ExportFileFilterSet = scoped_filterset(ExportFile, ["status"], search=("title",))
ImportJobFilterSet = scoped_filterset(ImportJob, ["status"], search=("filename", "title"),
    confirm=WaitingFilter(imports_to_confirm, _("待确认的导入")))
DictItemFilterSet = scoped_filterset(DictItem, ["type", "active"], search=("code", "label"),
    type=django_filters.ModelChoiceFilter(label=_("字典"), queryset=DictType.objects.all()))


class AuditRecordFilterSet(ScopedFilterSet):
    search_fields = ("username", "object_repr", "object_id", "model", "address")
    at_after, at_before = date_range("at", _("开始日期"), _("结束日期"), on_date=True)

    class Meta:
        model = AuditRecord
        fields = ["action", "source"]


CalendarDayFilterSet = scoped_filterset(CalendarDay, ["is_workday"], search=("note",),
    year=django_filters.NumberFilter(label=_("年份"), field_name="date", lookup_expr="year"))
NotificationFilterSet = scoped_filterset(Notification, search=("title", "body"),
    unread=django_filters.BooleanFilter(label=_("未读"), field_name="read_at", lookup_expr="isnull"))
WebhookEndpointFilterSet = scoped_filterset(WebhookEndpoint, ["kind", "active"], search=("name",))


class DeliveryFilterSet(ScopedFilterSet):
    search_fields = ("title", "recipient", "last_error")

    class Meta:
        model = Delivery
        fields = ["channel", "status"]
