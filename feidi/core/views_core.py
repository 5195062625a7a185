"""Pages of the core: download centre, dictionaries (系统管理员), audit trail (审计管理员)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.http import Http404
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from . import audit
from . import declare
from . import exports
from .filtersets import AuditRecordFilterSet
from .filtersets import CalendarDayFilterSet
from .filtersets import DeliveryFilterSet
from .filtersets import DictItemFilterSet
from .filtersets import ExportFileFilterSet
from .filtersets import ImportJobFilterSet
from .filtersets import NotificationFilterSet
from .filtersets import WebhookEndpointFilterSet
from .forms import ScopedModelForm
from .models import AuditRecord
from .models import CalendarDay
from .models import Delivery
from .models import DictItem
from .models import ExportFile
from .models import ImportJob
from .models import Notification
from .models import WebhookEndpoint
from .tables_core import AuditRecordTable
from .tables_core import CalendarDayTable
from .tables_core import DeliveryTable
from .tables_core import DictItemTable
from .tables_core import ExportFileTable
from .tables_core import ImportJobTable
from .tables_core import NotificationTable
from .tables_core import WebhookEndpointTable
from .tables_core import _model_name
from .views import ObjectDetailView
from .views import ObjectEditView
from .views import ObjectListView
from .views import ObjectMixin
from .views import ScopedViewMixin


class OwnRecordsMixin:
    """Personal records (downloads): every signed-in user may reach their own."""

    def get_permission(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super(ScopedViewMixin, self).dispatch(request, *args, **kwargs)


class OwnRecordsListView(OwnRecordsMixin, ObjectListView):
    """The list of a user's own personal records."""


# Personal records: 下载中心, 导入记录 and 站内消息, made by the system for each user.
declare.model(ExportFile, "downloads", filterset=ExportFileFilterSet, table=ExportFileTable, pages=("list",),
              list_base=OwnRecordsListView,
              list_attrs={"title": _("下载中心"), "empty_title": gettext_lazy("暂无导出文件。"),
                          "empty_hint": gettext_lazy("行数较多的列表导出在后台生成，完成后出现在这里。")})
declare.model(ImportJob, "imports", filterset=ImportJobFilterSet, table=ImportJobTable, pages=("list", "detail"),
              list_base=OwnRecordsListView,
              list_attrs={"title": _("导入记录"),
                          "empty_hint": gettext_lazy("在各模块的“批量导入”上传 Excel 后，导入记录和结果在此查看。")})
declare.model(Notification, "inbox", filterset=NotificationFilterSet, table=NotificationTable, pages=("list",))


@declare.view(ImportJob, "detail")
class ImportJobDetailView(OwnRecordsMixin, ObjectMixin, TemplateView):
    """One import: while it runs, its progress (the card polls itself); then its outcome, with the
    report and, for warnings, the uploader's confirmation."""

    template_name = "core/importjob_detail.html"

    def get(self, request, *args, **kwargs):
        from . import imports

        job = self.get_object()
        context = self.get_context_data(title=gettext("导入{title}：{filename}").format(
            title=gettext(job.title), filename=job.filename), job=job, live=imports.state(job),
                                        importer=_importer_or_none(job.kind))
        if request.headers.get("HX-Request"):
            if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"  # finished: the whole page, with the report
                return response
            return render(request, "core/_importjob_progress.html", context)
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        from . import imports

        job = self.get_object()
        try:
            job = imports.confirm(request.user, job)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            if job.status == ImportJob.Status.DONE:
                messages.success(request, gettext("导入成功：{filename} 共 {total} 行，写入 {created} 条").format(
                    filename=job.filename, total=job.total, created=job.created))
        return HttpResponseRedirect(job.get_absolute_url())


def _importer_or_none(kind: str):
    from . import imports

    try:
        return imports.importer_for(kind)
    except Exception:  # noqa: BLE001 — a kind no longer registered: the record still shows
        return None


@declare.route("downloads/<int:pk>/file/", "exportfile_download")
class ExportFileDownloadView(OwnRecordsMixin, ObjectMixin, TemplateView):
    model = ExportFile

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if job.status != ExportFile.Status.DONE or not job.filename:
            raise Http404(gettext("文件尚未生成"))
        path = exports.export_dir() / job.filename
        if not path.exists():
            raise Http404(gettext("文件已清理，请重新导出"))
        response = FileResponse(path.open("rb"), as_attachment=True)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{escape_uri_path(exports.export_filename(job.title))}")
        return response


@declare.route("downloads/new/", "exportfile_queue")
class ExportQueueView(LoginRequiredMixin, View):
    """POST: a list's export too large to answer at once, queued to the download centre (the list's
    export page asks first; a GET never queues one). The rows are the list's own for this user,
    re-read through the list's queryset when the job runs; the same export still waiting is not
    queued twice."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from django.db import transaction
        from django.http import QueryDict

        from .jobs import abandoned_export
        from .jobs import queue_export
        from .views import list_view_class

        view_class = list_view_class(request.POST.get("view_name", ""))
        if view_class is None:
            raise Http404(gettext("没有这个列表"))
        view = view_class()
        view.setup(request)
        permission = view.get_permission()
        if permission and not request.user.has_perm(permission):
            raise PermissionDenied(gettext("您没有访问该页面的权限"))
        params = QueryDict(request.POST.get("query", ""), mutable=True)
        params.pop("export", None)
        query = params.urlencode()
        title = view.get_title()
        qs, _filters, _order = view.build_queryset(request.user, params)
        with transaction.atomic():
            waiting = (ExportFile.objects.select_for_update()
                       .filter(user=request.user, view_name=request.POST["view_name"], query=query,
                               status__in=(ExportFile.Status.PENDING, ExportFile.Status.RUNNING)).first())
            if waiting is not None and not abandoned_export(waiting):  # one whose worker died is asked anew
                messages.info(request, gettext("相同的导出已在生成中，完成后可在“下载中心”下载"))
                return redirect("core:exportfile_list")
            count = qs.count()
            job = ExportFile.objects.create(user=request.user, title=title, rows=count,
                                            view_name=request.POST["view_name"], query=query)
            transaction.on_commit(lambda: queue_export(job.pk))
        messages.info(request, gettext("共{count}行，导出已在后台生成，完成后可在“下载中心”下载").format(count=count))
        return redirect("core:exportfile_list")


class DictItemForm(ScopedModelForm):
    class Meta:
        model = DictItem
        fields = ["type", "code", "label", "order", "active", "extra"]
        help_texts = {"extra": _('附加属性（JSON）。诉求类别填写办理时限，如 {"limit_days": 5}；园区类型填写 {"enclave": true} 表示飞地')}

    def clean_extra(self):
        extra = self.cleaned_data.get("extra") or {}
        if not isinstance(extra, dict):
            raise forms.ValidationError(gettext("附加属性应为 JSON 对象，如 {\"limit_days\": 5}"))
        kind = self.cleaned_data.get("type")
        if kind is not None and kind.code == "appeal_category":
            days = extra.get("limit_days")
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
                raise forms.ValidationError(gettext("诉求类别须设置办理时限 limit_days：1–365 的整数（工作日）"))
        return extra


declare.model(DictItem, "dictionaries", form=DictItemForm, filterset=DictItemFilterSet, table=DictItemTable,
              select_related=("type",), pages=("list", "add", "edit"),
              list_attrs={"title": _("数据字典"), "permission_action": "change"})


@declare.view(DictItem, "edit")
class DictItemEditView(ObjectEditView):
    def base_queryset(self, user):
        return DictItem.objects.visible_to(user)


class CalendarDayForm(ScopedModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]
        help_texts = {"is_workday": _("勾选：当天上班（如调休上班日）；不勾选：当天休息（如地方节假日）")}


declare.model(CalendarDay, "calendar", form=CalendarDayForm, filterset=CalendarDayFilterSet, table=CalendarDayTable,
              pages=("list", "add", "edit", "delete"),
              list_attrs={"title": _("工作日历调整"), "permission_action": "change"})


@declare.view(Notification, "list")
class NotificationListView(OwnRecordsListView):
    empty_hint = gettext_lazy("诉求、项目预警、匹配推送等需要您知道的事会通知到这里。")
    title = _("站内消息")
    template_name = "core/notification_list.html"

    def post(self, request, *args, **kwargs):
        """Mark all as read."""
        Notification.objects.visible_to(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("core:notification_list")


@declare.route("inbox/<int:pk>/", "notification_open")
class NotificationOpenView(OwnRecordsMixin, ObjectMixin, TemplateView):
    """One message: GET shows it and its link and changes nothing (a page's ``<img src>`` pointing
    here marks nothing read); the page marks it read by a POST with its CSRF token — sent by htmx
    as the page loads, or by its button without JavaScript, which then follows the link."""

    model = Notification
    template_name = "core/notification_detail.html"

    def target(self, note) -> tuple[str, bool]:
        """The message's link if it is one of this site's pages, and whether the user may open it."""
        if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={self.request.get_host()}):
            from .views import can_open

            return note.url, can_open(self.request.user, note.url)
        return "", False

    def get(self, request, *args, **kwargs):
        note = self.get_object()
        url, may_open = self.target(note)
        return self.render_to_response(self.get_context_data(title=note.title, note=note, url=url,
                                                             may_open=may_open))

    def post(self, request, *args, **kwargs):
        note = self.get_object()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
        if request.headers.get("HX-Request"):  # the page marked it as it opened: it says so in place
            return render(request, "core/_notification_read.html")
        url, may_open = self.target(note)
        if may_open:
            return redirect(url)
        if url:
            messages.info(request, gettext("“{title}”所指的记录您当前无权打开（可能已移交或不在您的数据范围内）").format(
                title=note.title))
        return redirect("core:notification_list")


class WebhookEndpointForm(ScopedModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["name", "kind", "url", "secret", "department", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["secret"] = ""
        if self.instance.pk and self.instance.secret:
            self.fields["secret"].widget.attrs["placeholder"] = gettext("已设置（留空则不修改）")

    def clean_secret(self):
        value = (self.cleaned_data.get("secret") or "").strip()
        return value or (self.instance.secret if self.instance.pk else "")


declare.model(WebhookEndpoint, "robots", form=WebhookEndpointForm, filterset=WebhookEndpointFilterSet,
              table=WebhookEndpointTable, select_related=("department",))


@declare.view(WebhookEndpoint, "detail")
class WebhookEndpointDetailView(ObjectDetailView):
    detail_fields = ("name", "kind", "url", "secret", "department", "active")


declare.model(Delivery, "deliveries", filterset=DeliveryFilterSet, table=DeliveryTable, pages=("list",),
              list_attrs={"title": _("通知投递记录"),
                          "empty_hint": gettext_lazy("站内信、邮件和机器人消息的每次投递会记录在此。")})
declare.model(AuditRecord, "audit", filterset=AuditRecordFilterSet, table=AuditRecordTable,
              pages=("list", "detail"), list_attrs={"title": _("审计日志"), "template_name": "core/auditrecord_list.html",
                          "empty_hint": gettext_lazy("每次新增、修改、删除、导入和导出都会在此留痕。")})


@declare.view(AuditRecord, "detail")
class AuditRecordDetailView(ObjectDetailView):
    template_name = "core/auditrecord_detail.html"

    offer_edit = offer_delete = False

    def fields(self, obj):
        # the record's kind as its model is named (项目阶段关口), not its label (projects.stagegate)
        rows = super().fields(obj)
        for row in rows:
            if row["name"] == "model":
                row["value"] = _model_name(obj.model)
        return rows

    def get_extra_context(self, record):
        before = json.loads(record.before) if record.before else {}
        after = json.loads(record.after) if record.after else {}
        keys = sorted(set(before) | set(after))
        labels = _field_labels(record.model)
        return {"changes": [{"field": k, "label": labels.get(k, k), "before": before.get(k, ""), "after": after.get(k, ""),
                             "changed": before.get(k) != after.get(k)} for k in keys]}


def _field_labels(label: str) -> dict[str, str]:
    """The audited model's field names → their names on its pages (verbose_name): 占地面积, not
    area_km2. A key that is no field of it (an export's query) is shown as recorded."""
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):  # a model since removed: its records keep their keys
        return {}
    return {f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")}


@declare.route("audit/verify/", "auditrecord_verify")
class AuditVerifyView(ScopedViewMixin, TemplateView):
    model = AuditRecord
    permission_action = "verify"
    template_name = "core/audit_verify.html"

    def post(self, request, *args, **kwargs):
        result = audit.verify()
        if result.ok:
            messages.success(request, gettext("审计链完整：已校验 {checked} 条记录").format(checked=result.checked))
        else:
            messages.error(request, gettext("审计链被破坏：{join}").format(join='；'.join(result.problems[:20])))
        return redirect("core:auditrecord_list")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(title=gettext("校验审计链")))


