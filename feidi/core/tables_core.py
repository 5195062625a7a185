from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import seeded_label
from .tables import ChoiceColumn, Column, RelatedColumn, StatusColumn, Table


def _download(row):
    if row.status == row.Status.DONE:
        return format_html(gettext('<a class="btn btn-sm btn-primary" href="{}">下载</a>'),
                           reverse("core:exportfile_download", kwargs={"pk": row.pk}))
    if row.status == row.Status.FAILED:
        return format_html('<span class="text-danger">{}</span>', row.error[:80])
    return row.get_status_display()


class ExportFileTable(Table):
    default_order = "-created_at"
    title = Column(_("名称"))
    rows = Column(_("行数"))
    status = StatusColumn()
    created_at = Column(_("创建时间"))
    finished_at = Column(_("完成时间"))
    file = Column(_("文件"), render=_download, sortable=False, export=False)


class ImportJobTable(Table):
    default_order = "-created_at"
    filename = Column(_("文件"), link=True)
    title = Column(_("导入类型"), render=lambda r: seeded_label(r.title),
                   export_value=lambda r: seeded_label(r.title))
    status = StatusColumn()
    total = Column(_("行数"))
    created = Column(_("写入条数"))
    error_count = Column(_("错误数"))
    created_at = Column(_("上传时间"))
    finished_at = Column(_("完成时间"))


class DictItemTable(Table):
    default_order = "type__code"
    type = RelatedColumn(_("字典"))
    code = Column(_("编码"))
    label = Column(_("名称"), accessor="__str__", order_by="label", link=True)
    order = Column(_("排序"))
    active = Column(_("启用"))


def _model_name(label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class AuditRecordTable(Table):
    default_order = "-seq"
    seq = Column(_("序号"), link=True)
    at = Column(_("时间"))
    username = Column(_("用户"))
    address = Column(_("来源地址"))
    source = ChoiceColumn(_("渠道"))
    action = ChoiceColumn(_("操作"))
    model = Column(_("对象类型"), render=lambda r: _model_name(r.model),
                   export_value=lambda r: _model_name(r.model))
    object_repr = Column(_("对象"))


class CalendarDayTable(Table):
    default_order = "-date"
    date = Column(_("日期"), link=True)
    is_workday = Column(_("是工作日"))
    note = Column(_("说明"), sortable=False)


def _read_state(row):
    if row.read_at:
        return format_html('<span class="text-secondary">{}</span>', gettext("已读"))
    return format_html('<span class="badge bg-blue-lt">{}</span>', gettext("未读"))


class NotificationTable(Table):
    default_order = "-created_at"
    title = Column(_("标题"), link=True)
    body = Column(_("内容"), sortable=False)
    created_at = Column(_("时间"))
    state = Column(_("状态"), render=_read_state, sortable=False,
                   export_value=lambda r: gettext("已读") if r.read_at else gettext("未读"))


class WebhookEndpointTable(Table):
    default_order = "name"
    name = Column(_("名称"), link=True)
    kind = ChoiceColumn(_("平台"))
    department = RelatedColumn(_("部门"), by="path")
    active = Column(_("启用"))


class DeliveryTable(Table):
    default_order = "-created_at"
    created_at = Column(_("创建时间"))
    channel = ChoiceColumn(_("渠道"))
    recipient = Column(_("收件人/机器人"))
    title = Column(_("标题"))
    status = StatusColumn()
    attempts = Column(_("尝试次数"))
    next_attempt_at = Column(_("下次尝试"))
    last_error = Column(_("最近错误"), sortable=False)
