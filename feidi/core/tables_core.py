from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import models
from .models import seeded_label
from .tables import ChoiceColumn
from .tables import Column
from .tables import RelatedColumn
from .tables import StatusColumn
from .tables import Table


def _download(row):
    if row.status == row.Status.DONE:
        return format_html(gettext('<a class="btn btn-sm btn-primary" href="{}">下载</a>'),
                           reverse("core:exportfile_download", kwargs={"pk": row.pk}))
    if row.status == row.Status.FAILED:
        return format_html('<span class="text-danger">{}</span>', row.error[:80])
    return row.get_status_display()


class ExportFileTable(Table):
    model_class = models.ExportFile
    fields = ("title", "rows", "status", "created_at", "finished_at", "file")
    status = StatusColumn()
    file = Column(_("文件"), render=_download, sortable=False, export=False)


class ImportJobTable(Table):
    model_class = models.ImportJob
    fields = ("filename", "title", "status", "total", "created", "error_count", "created_at", "finished_at")
    filename = Column(_("文件"), link=True)
    title = Column(_("导入类型"), render=lambda r: seeded_label(r.title),
                   export_value=lambda r: seeded_label(r.title))
    status = StatusColumn()


class DictItemTable(Table):
    model_class = models.DictItem
    default_order = "type__code"
    fields = ("type", "code", "label", "order", "active")
    type = RelatedColumn()
    label = Column(accessor="__str__", order_by="label", link=True)


def _model_name(label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class AuditRecordTable(Table):
    model_class = models.AuditRecord
    fields = ("seq", "at", "username", "address", "source", "action", "model", "object_repr")
    seq = Column(link=True)
    source = ChoiceColumn()
    action = ChoiceColumn()
    model = Column(render=lambda r: _model_name(r.model),
                   export_value=lambda r: _model_name(r.model))


class CalendarDayTable(Table):
    model_class = models.CalendarDay
    fields = ("date", "is_workday", "note")
    date = Column(link=True)
    note = Column(sortable=False)


def _read_state(row):
    if row.read_at:
        return format_html('<span class="text-secondary">{}</span>', gettext("已读"))
    return format_html('<span class="badge bg-blue-lt">{}</span>', gettext("未读"))


class NotificationTable(Table):
    model_class = models.Notification
    fields = ("title", "body", "created_at", "state")
    title = Column(link=True)
    body = Column(sortable=False)
    state = Column(_("状态"), render=_read_state, sortable=False,
                   export_value=lambda r: gettext("已读") if r.read_at else gettext("未读"))


class WebhookEndpointTable(Table):
    model_class = models.WebhookEndpoint
    default_order = "name"
    fields = ("name", "kind", "department", "active")
    name = Column(link=True)
    kind = ChoiceColumn()
    department = RelatedColumn(_("部门"), by="path")


class DeliveryTable(Table):
    model_class = models.Delivery
    fields = ("created_at", "channel", "recipient", "title", "status", "attempts", "next_attempt_at", "last_error")
    channel = ChoiceColumn()
    recipient = Column(_("收件人/机器人"))
    status = StatusColumn()
    last_error = Column(sortable=False)
