"""Enterprise service pages: appeals with their actions, assignments, groups, settings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core import formtokens
from feidi.core.actions import ConflictError
from feidi.core.attachments import AttachmentView
from feidi.core.attachments import AttachView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectMixin
from feidi.core.views import ScopedViewMixin
from feidi.core.views import refusal_text

from . import actions
from .filtersets import AppealFilterSet
from .filtersets import AssignmentFilterSet
from .filtersets import ServiceGroupFilterSet
from .filtersets import ServiceSettingsFilterSet
from .filtersets import VisitFilterSet
from .forms import AppealActionForm
from .forms import AppealForm
from .forms import AssignmentForm
from .forms import ServiceGroupForm
from .forms import ServiceSettingsForm
from .forms import VisitForm
from .models import Appeal
from .models import AppealEvent
from .models import Assignment
from .models import ServiceGroup
from .models import ServiceSettings
from .models import Visit
from .tables import AppealTable
from .tables import AssignmentTable
from .tables import ServiceGroupTable
from .tables import ServiceSettingsTable
from .tables import VisitTable

S = Appeal.Status


# 企业诉求: filed (the add page), then only acted on — no edit or delete page.
declare.model(Appeal, "appeals", form=AppealForm, filterset=AppealFilterSet, table=AppealTable,
              select_related=("organization", "category", "owner"), pages=("list", "add", "detail"),
              menu=declare.Entry("services", gettext_noop("企业诉求"), org_users=True, position=0))


def available_actions(appeal: Appeal, user) -> list[str]:
    """The actions this user may take on this appeal now."""
    if user.organization_id:
        found = ["reply"] if appeal.status not in (S.RATED, S.RETURNED) else []
        if appeal.status == S.CLOSED and user.has_perm("services.rate_appeal"):
            found.append("rate")
        return found
    if not user.has_perm("services.handle_appeal"):
        return []
    by_status = {
        S.SUBMITTED: ["accept", "return"],
        S.ACCEPTED: ["start", "close", "suspend", "transfer", "cohandle"],
        S.HANDLING: ["close", "suspend", "transfer", "cohandle"],
        S.SUSPENDED: ["resume"],
    }
    return [*by_status.get(appeal.status, []), "reply", "note"]


@declare.view(Appeal, "detail")
class AppealDetailView(ObjectDetailView):
    template_name = "services/appeal_detail.html"
    detail_fields = ("organization", "category", "status", "level", "owner", "handling_department", "deadline",
                     "submitted_at", "accepted_at", "closed_at", "suspend_count", "rating", "rating_comment", "content")
    offer_edit = offer_delete = False

    def fields(self, obj):
        rows = super().fields(obj)
        for row in rows:
            if row["name"] == "level":
                row["value"] = obj.level_label
            elif row["name"] == "deadline" and obj.deadline:
                from feidi.core.calendar import deadline_text

                row["value"] = deadline_text(obj.deadline)  # the end of a working day: that day at 24:00
        return rows

    def get_extra_context(self, appeal):
        user = self.request.user
        events = AppealEvent.objects.filter(appeal=appeal).select_related("user")
        if user.organization_id:
            events = events.filter(public=True)  # internal notes stay internal
        # each step's form carries its own one-time token (``core.formtokens``): posted twice, it acts once
        return dict(attachments=appeal.attachments.all(), events=events,
                    actions=[(a, AppealActionForm.ACTIONS[a], formtokens.issue()) for a in available_actions(appeal, user)],
                    action_form=AppealActionForm(user=user))


@declare.route("appeals/<int:pk>/act/", "appeal_act")
class AppealActionView(ObjectMixin, View):
    """A step posted from the appeal's page, once per rendered form (``core.formtokens``): the same
    form posted again — a double click, back and 提交 — is refused and changes nothing."""

    model = Appeal

    def scope_action(self) -> str:
        request = getattr(self, "request", None)
        if request is None or request.method != "POST":
            return "view"
        return actions.scope_action(request.POST.get("action", ""), request.user)

    def post(self, request, *args, **kwargs):
        appeal = self.get_object()
        form = AppealActionForm(request.POST, user=request.user)
        if not form.is_valid() or form.cleaned_data["action"] not in available_actions(appeal, request.user):
            messages.error(request, gettext("该操作当前不可用"))
            return redirect(appeal.get_absolute_url())
        action, text = form.cleaned_data["action"], form.cleaned_data["text"] or ""
        try:
            with formtokens.once(request, appeal.get_absolute_url()):
                self.act(appeal, action, text, form)
        except formtokens.AlreadySubmitted as exc:
            # not an error: nothing typed is given back to be posted a third time (``core.refused``)
            messages.warning(request, str(exc))
        except (ValidationError, ConflictError, PermissionDenied) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, gettext("已{value}").format(value=AppealActionForm.ACTIONS[action]))
        return redirect(appeal.get_absolute_url())

    def act(self, appeal, action: str, text: str, form) -> None:
        user, dept = self.request.user, form.cleaned_data.get("department")
        if action == "accept":
            actions.do_accept_appeal(appeal, acting_user=user)
        elif action == "return":
            actions.do_return_appeal(appeal, text, acting_user=user)
        elif action == "start":
            actions.do_start_appeal(appeal, acting_user=user)
        elif action in ("reply", "note"):
            actions.do_reply_appeal(appeal, text, public=action == "reply", acting_user=user)
        elif action in ("transfer", "cohandle"):
            if dept is None:
                raise ValidationError(gettext("请选择部门"))
            actions.do_transfer_appeal(appeal, dept, co=action == "cohandle", acting_user=user)
        elif action == "suspend":
            actions.do_suspend_appeal(appeal, text, acting_user=user)
        elif action == "resume":
            actions.do_resume_appeal(appeal, acting_user=user)
        elif action == "close":
            actions.do_close_appeal(appeal, text, acting_user=user, outcome=form.cleaned_data.get("outcome"))
        elif action == "rate":
            actions.do_rate_appeal(appeal, form.cleaned_data.get("rating") or 0, text, acting_user=user)


@declare.route("appeals/<int:pk>/attach/", "appeal_attach")
class AppealAttachView(AttachView):
    """Upload (POST) to an appeal the user can see and act on."""

    model = Appeal

    def store(self, appeal, upload):
        if not available_actions(appeal, self.request.user):
            raise PermissionDenied(gettext("该诉求当前不能上传附件"))
        actions.do_attach_file(appeal, upload, acting_user=self.request.user)


@declare.route("appeals/<int:pk>/files/<int:attachment>/", "appeal_file")
class AppealAttachmentView(AttachmentView):
    """Download an attachment: the appeal is loaded through the scope first."""

    model = Appeal
    file_kwarg = "attachment"


@declare.view(Appeal, "edit")
class AppealEditView(ObjectEditView):
    """Filing an appeal (企业用户 for itself, a cadre on an enterprise's behalf): routed as the add page
    only, so every appeal written through a page is a new one."""

    def save_object(self, form, obj, *, creating, expected_version):
        if not creating:
            raise PermissionDenied(gettext("诉求提交后不能修改，请通过回复补充"))
        return actions.do_file_appeal(obj, acting_user=self.request.user)


def _menu(label: str) -> declare.Entry:
    return declare.Entry("services", label)  # after 企业诉求 and the hand-made 办理指标 (apps.py)


# The menu 企业服务 lists these in this order.
declare.model(Visit, "visits", form=VisitForm, filterset=VisitFilterSet, table=VisitTable,
              select_related=("organization", "cadre"), menu=_menu(gettext_noop("走访记录")))
declare.model(Assignment, "assignments", form=AssignmentForm, filterset=AssignmentFilterSet, table=AssignmentTable,
              select_related=("organization", "cadre", "group"), menu=_menu(gettext_noop("挂点服务")))
declare.model(ServiceGroup, "groups", form=ServiceGroupForm, filterset=ServiceGroupFilterSet,
              table=ServiceGroupTable, select_related=("leader",), menu=_menu(gettext_noop("服务小组")))
declare.model(ServiceSettings, "settings", form=ServiceSettingsForm, filterset=ServiceSettingsFilterSet,
              table=ServiceSettingsTable, select_related=("department", "office_head", "principal_leader"),
              menu=_menu(gettext_noop("服务设置")), save_rule=actions.do_save_service_settings)


@declare.view(Assignment, "edit")
class AssignmentEditView(ObjectEditView):
    def save_object(self, form, obj, *, creating, expected_version):
        return actions.do_assign_cadre(obj, acting_user=self.request.user)


@declare.view(Visit, "edit")
class VisitEditView(ObjectEditView):
    def new_object(self):
        obj = super().new_object()
        obj.cadre = self.request.user
        return obj

    def save_object(self, form, obj, *, creating, expected_version):
        if obj.organization_id and obj.organization.department_id:
            obj.department_id = obj.organization.department_id
        return super().save_object(form, obj, creating=creating, expected_version=expected_version)


@declare.route("appeals/measures/", "appeal_measures")
class AppealMeasuresView(ScopedViewMixin, TemplateView):
    """The service office's dashboard: time to accept and close, on-time rate, escalations and
    satisfaction by category, department, group or cadre, over a date range."""

    model = Appeal
    permission_action = "handle"
    template_name = "services/measures.html"

    def get(self, request, *args, **kwargs):

        from . import measures

        by = request.GET.get("by", "category")
        if by not in measures.GROUPINGS:
            by = "category"
        today = timezone.localdate()
        try:
            start = dt.date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
            end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
        except ValueError:
            start, end = dt.date(today.year, 1, 1), today
        rows = measures.compute(self.base_queryset(request.user), by=by, start=start, end=end)
        chart = {"categories": [r["label"] for r in rows],
                 "on_time": [round((r["on_time_rate"] or 0) * 100, 1) for r in rows],
                 "count": [r["count"] for r in rows]}
        return self.render_to_response(self.get_context_data(
            title=gettext("诉求办理指标"), rows=rows, by=by, by_label=measures.GROUPINGS[by],
            groupings=measures.GROUPINGS,
            start=start, end=end, chart=chart))
