"""Pages of the core: download centre, dictionaries (系统管理员), audit trail (审计管理员)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.encoding import escape_uri_path
from django.views.generic import TemplateView

from . import audit, exports
from .filtersets import AuditRecordFilterSet, CalendarDayFilterSet, DictItemFilterSet, ExportFileFilterSet
from .forms import ScopedModelForm
from .models import AuditRecord, CalendarDay, DictItem, ExportFile
from .tables_core import AuditRecordTable, CalendarDayTable, DictItemTable, ExportFileTable
from .views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectMixin,
    ScopedViewMixin,
)


class OwnRecordsMixin:
    """Personal records (downloads): every signed-in user may reach their own."""

    def get_permission(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super(ScopedViewMixin, self).dispatch(request, *args, **kwargs)


class ExportFileListView(OwnRecordsMixin, ObjectListView):
    model = ExportFile
    title = "下载中心"
    filterset_class = ExportFileFilterSet
    table_class = ExportFileTable


class ExportFileDownloadView(OwnRecordsMixin, ObjectMixin, TemplateView):
    model = ExportFile

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if job.status != ExportFile.Status.DONE or not job.filename:
            raise Http404("文件尚未生成")
        path = exports.export_dir() / job.filename
        if not path.exists():
            raise Http404("文件已清理，请重新导出")
        response = FileResponse(path.open("rb"), as_attachment=True)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{escape_uri_path(exports.export_filename(job.title))}")
        return response


class DictItemForm(ScopedModelForm):
    class Meta:
        model = DictItem
        fields = ["type", "code", "label", "order", "active"]


class DictItemListView(ObjectListView):
    model = DictItem
    title = "数据字典"
    filterset_class = DictItemFilterSet
    table_class = DictItemTable
    select_related = ("type",)
    permission_action = "change"


class DictItemEditView(ObjectEditView):
    model = DictItem
    form_class = DictItemForm

    def base_queryset(self, user):
        return DictItem.objects.visible_to(user)


class CalendarDayForm(ScopedModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]
        help_texts = {"is_workday": "勾选：当天上班（如调休上班日）；不勾选：当天休息（如地方节假日）"}


class CalendarDayListView(ObjectListView):
    model = CalendarDay
    title = "工作日历调整"
    filterset_class = CalendarDayFilterSet
    table_class = CalendarDayTable
    permission_action = "change"


class CalendarDayEditView(ObjectEditView):
    model = CalendarDay
    form_class = CalendarDayForm


class CalendarDayDeleteView(ObjectDeleteView):
    model = CalendarDay


class AuditRecordListView(ObjectListView):
    model = AuditRecord
    template_name = "core/auditrecord_list.html"
    title = "审计日志"
    filterset_class = AuditRecordFilterSet
    table_class = AuditRecordTable


class AuditRecordDetailView(ObjectDetailView):
    model = AuditRecord
    template_name = "core/auditrecord_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        before = json.loads(obj.before) if obj.before else {}
        after = json.loads(obj.after) if obj.after else {}
        keys = sorted(set(before) | set(after))
        ctx["changes"] = [{"field": k, "before": before.get(k, ""), "after": after.get(k, ""),
                           "changed": before.get(k) != after.get(k)} for k in keys]
        ctx["edit_url"] = ctx["delete_url"] = None
        return ctx


class AuditVerifyView(ScopedViewMixin, TemplateView):
    model = AuditRecord
    permission_action = "verify"
    template_name = "core/audit_verify.html"

    def post(self, request, *args, **kwargs):
        result = audit.verify()
        if result.ok:
            messages.success(request, f"审计链完整：已校验 {result.checked} 条记录")
        else:
            messages.error(request, f"审计链被破坏：{'；'.join(result.problems[:20])}")
        return redirect("core:auditrecord_list")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(title="校验审计链"))


