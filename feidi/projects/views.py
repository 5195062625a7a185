"""Pipeline and key-project pages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models import OuterRef
from django.db.models import Subquery
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views import View

from feidi.core import declare
from feidi.core.actions import ConflictError
from feidi.core.attachments import AttachmentView
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectImportView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import form_refusal
from feidi.core.views import refusal_text
from feidi.lib.files import file_name

from . import actions
from .filtersets import AlertFilterSet
from .filtersets import AnnualPlanFilterSet
from .filtersets import DispatchFilterSet
from .filtersets import InvestmentTripFilterSet
from .filtersets import KeyProjectFilterSet
from .filtersets import MilestoneFilterSet
from .filtersets import MonthlyInvestmentFilterSet
from .filtersets import PoolFilterSet
from .filtersets import ProblemFilterSet
from .filtersets import ProjectFilterSet
from .filtersets import ProjectSettingsFilterSet
from .filtersets import ReportFilterSet
from .filtersets import StageGateFilterSet
from .filtersets import TaskFilterSet
from .forms import AnnualPlanForm
from .forms import DispatchForm
from .forms import InvestmentTripForm
from .forms import MilestoneForm
from .forms import MonthlyInvestmentForm
from .forms import ProblemForm
from .forms import ProblemInstructForm
from .forms import ProblemResolveForm
from .forms import ProjectForm
from .forms import ProjectSettingsForm
from .forms import StageGateForm
from .forms import TaskDoneForm
from .forms import TaskForm
from .forms import TransitionForm
from .models import FLOW
from .models import Alert
from .models import AnnualPlan
from .models import Dispatch
from .models import InvestmentTrip
from .models import Milestone
from .models import MonthlyInvestment
from .models import Problem
from .models import Project
from .models import ProjectSettings
from .models import Report
from .models import Stage
from .models import StageGate
from .models import Task
from .models import allowed_next
from .tables import AlertTable
from .tables import AnnualPlanTable
from .tables import DispatchTable
from .tables import InvestmentTripTable
from .tables import KeyProjectTable
from .tables import MilestoneTable
from .tables import MonthlyInvestmentTable
from .tables import PoolTable
from .tables import ProblemTable
from .tables import ProjectSettingsTable
from .tables import ProjectTable
from .tables import ReportTable
from .tables import StageGateTable
from .tables import TaskTable

# --- projects -----------------------------------------------------------------------------------


# The menu 招商项目: 项目看板, 招商项目, 公海线索, 外出招商, 重点项目, 项目预警, 调度会, 调度任务, 半月专报,
# 阶段门槛, 调度设置 — the declared entries at their places among the hand-made ones (apps.py).
declare.model(Project, "pipeline", form=ProjectForm, filterset=ProjectFilterSet, table=ProjectTable,
              select_related=("zone", "segment__chain", "owner"),
              menu=declare.Entry("projects", gettext_noop("招商项目"), position=1))


@declare.view(Project, "list")
class ProjectListView(ObjectListView):
    """The pipeline; 公海线索 and 重点项目 are lists of it with their own filters and columns."""


@declare.route("pool/", "pool")
class PoolView(ProjectListView):
    """The shared pool (公海): leads without an owner, which any investment officer may claim."""

    filterset_class = PoolFilterSet
    table_class = PoolTable
    title = _("公海线索")
    template_name = "projects/pool.html"
    select_related = ("zone", "segment__chain")

    def get_permission(self) -> str:
        return "projects.claim_project"

    def base_queryset(self, user):
        return super().base_queryset(user).filter(owner__isnull=True, stage=Stage.LEAD)


@declare.route("key/", "key_list")
class KeyProjectListView(ProjectListView):
    """Key projects with this year's plan, completion and open alerts."""

    filterset_class = KeyProjectFilterSet
    table_class = KeyProjectTable
    title = _("重点项目")
    select_related = ("zone", "leader")

    def base_queryset(self, user):
        year = timezone.localdate().year
        plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=year).values("planned_investment")[:1]
        done = (MonthlyInvestment.objects.filter(project=OuterRef("pk"), month__year=year).order_by()
                .values("project").annotate(total=Sum("amount")).values("total")[:1])
        alerts = (Alert.objects.filter(project=OuterRef("pk"), resolved_at__isnull=True).order_by()
                  .values("project").annotate(n=Count("pk")).values("n")[:1])
        return (super().base_queryset(user).filter(is_key=True)
                .annotate(year_plan=Subquery(plan), year_done=Subquery(done),
                          open_alerts=Coalesce(Subquery(alerts), 0)))


def transition_choices(project: Project) -> list[tuple[str, str]]:
    return [(s, Stage(s).label) for s in allowed_next(project.stage)]


@declare.view(Project, "detail")
class ProjectDetailView(ObjectDetailView):
    template_name = "projects/project_detail.html"
    detail_fields = ("zone", "investor", "organization", "industry_code", "segment", "channel", "introducer_department",
                     "introducer", "owner", "leader", "task_force", "signed_amount", "planned_investment",
                     "fixed_asset_investment", "foreign_investment", "signed_on", "started_on", "produced_on",
                     "key_level", "trip", "incubated_from", "terminated_reason", "last_activity_at", "description")

    def editable(self, obj):
        return obj.stage != Stage.TERMINATED  # 终止 is final (``actions.do_save_project``)

    def fields(self, obj):
        from feidi.lib.money import human

        rows = super().fields(obj)
        for row in rows:
            if row["name"] in ("signed_amount", "planned_investment", "fixed_asset_investment", "foreign_investment"):
                value = getattr(obj, row["name"])
                row["value"] = human(value) if value is not None else "—"
                row["label"] = (str(row["label"]).replace("（元）", "").replace("（折人民币元）", "（折人民币）")
                                .replace(gettext("（元）"), "").replace(gettext("（折人民币元）"), gettext("（折人民币）")))
            if row["name"] == "owner" and obj.owner_id is None:
                row["value"] = gettext("公海（待认领）")
        return [r for r in rows if not (r["name"] == "terminated_reason" and r["value"] == "—")]

    def get_extra_context(self, p):
        from feidi.challenges.actions import joint_projects_for  # the enclave joint projects it came from

        user = self.request.user
        today = timezone.localdate()
        next_stages = transition_choices(p)
        gate_notes = {s: actions.gate_problems(p, s, user, on=today) for s, _ in next_stages if s != Stage.TERMINATED}
        year = today.year
        return dict(
            flow=[(s, Stage(s).label, FLOW.index(s) <= FLOW.index(p.stage) if p.stage in FLOW else False)
                  for s in FLOW],
            durations=actions.stage_durations(p),
            events=p.events.select_related("user")[:50],
            files=p.files.all(),
            evidence_kinds=sorted({k for g in StageGate.objects.visible_to(user) for k in g.required_evidence or []}),
            can_transition=user.has_perm("projects.transition_project") and bool(next_stages),
            transition_form=TransitionForm(choices=next_stages, initial={"on": today}),
            gate_notes=gate_notes,
            can_claim=p.in_pool and user.has_perm("projects.claim_project"),
            can_reassign=user.has_perm("projects.reassign_project"),
            can_follow=user.has_perm("projects.change_project"),
            can_urge=user.has_perm("projects.instruct_problem") and not user.organization_id and p.owner_id is not None,
            colleagues=_owners_for(p, user) if user.has_perm("projects.reassign_project") else [],
            plans=p.plans.order_by("-year"), monthly=p.monthly.order_by("-month")[:24],
            year_done=sum((m.amount for m in p.monthly.filter(month__year=year)), 0),
            year_plan=p.plans.filter(year=year).values_list("planned_investment", flat=True).first(),
            milestones=p.milestones.order_by("planned_on"),
            problems=p.problems.select_related("owner_department").order_by("status", "deadline"),
            tasks=p.tasks.select_related("owner", "owner_department").order_by("status", "deadline"),
            alerts=p.alerts.filter(resolved_at__isnull=True), today=today,
            can_edit_parts=user.has_perm("projects.add_milestone") and p.stage != Stage.TERMINATED,
            can_invest=p.stage not in (Stage.LEAD, Stage.NEGOTIATING, Stage.TERMINATED),  # completed once signed
            joint_projects=joint_projects_for(p, user),
        )



def _owners_for(project, user):
    """Whom ``project`` can be given to: the active staff of its own zone (of the user's, for a
    project without a department) whose roles let them follow a project up."""
    from feidi.accounts.models import User

    people = User.objects.staff_of(project.department) if project.department_id else User.objects.colleagues_of(user)
    return people.holding(Project.acted_by["owner"])  # …who can follow it up (``core.actions.check_people``)


@declare.route("pipeline/<int:pk>/act/", "project_act")
class ProjectActionView(ObjectMixin, View):
    """POST actions on a project: transition, claim, reassign, follow-up, evidence upload."""

    model = Project
    # the scope through which each action reaches the project (see ObjectMixin.get_object)
    SCOPES = {"transition": "transition", "claim": "claim", "reassign": "reassign", "followup": "change",
              "evidence": "change", "urge": "view"}

    def scope_action(self) -> str:
        request = getattr(self, "request", None)
        if request is None or request.method != "POST":
            return "view"
        return self.SCOPES.get(request.POST.get("action", ""), "change")

    def post(self, request, *args, **kwargs):
        from feidi.core import formtokens

        project = self.get_object()
        try:
            with formtokens.once(request, project.get_absolute_url()):  # posted twice, taken once
                done = self.act(project, request.POST.get("action", ""), request.user)
        except formtokens.AlreadySubmitted as exc:
            messages.warning(request, str(exc))
        except (ValidationError, ConflictError, PermissionDenied) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, done)
        return redirect(project.get_absolute_url())

    def act(self, project, action: str, user) -> str:
        """One step on ``project``; what to say once it is done."""
        request = self.request
        if action == "transition":
            # Any stage passes the form: the action says why a step is not allowed.
            form = TransitionForm(request.POST)
            if not form.is_valid():
                raise form_refusal(form)
            d = form.cleaned_data
            actions.do_transition_project(project, d["to_stage"], acting_user=user, on=d["on"], note=d["note"])
            done = gettext("已推进到“{label}”").format(label=Stage(d['to_stage']).label)
        elif action == "claim":
            actions.do_claim_project(project, acting_user=user)
            done = gettext("已认领，该线索由您负责")
        elif action == "reassign":
            owner_id = request.POST.get("owner") or ""
            new_owner = _owners_for(project, user).filter(pk=owner_id).first() if owner_id.isdigit() else None
            if owner_id and new_owner is None:
                raise ValidationError(gettext("请选择本园区的负责人"))
            actions.do_reassign_project(project, new_owner, acting_user=user, reason=request.POST.get("text", ""))
            done = gettext("已改派")
        elif action == "urge":
            actions.do_urge_project(project, request.POST.get("text", ""), acting_user=user)
            done = gettext("已督办，已通知项目负责人")
        elif action == "followup":
            if not user.has_perm("projects.change_project"):
                raise PermissionDenied(gettext("您没有跟进项目的权限"))
            actions.do_follow_up(project, request.POST.get("text", ""), acting_user=user)
            done = gettext("已记录跟进")
        elif action == "evidence":
            if not user.has_perm("projects.change_project"):
                raise PermissionDenied(gettext("您没有上传材料的权限"))
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(gettext("请选择文件"))
            actions.do_attach_evidence(project, request.POST.get("kind", ""), upload, acting_user=user)
            done = gettext("已上传 {name}").format(name=upload.name)
        else:
            raise ValidationError(gettext("未知操作"))
        return done


@declare.route("pipeline/<int:pk>/files/<int:file>/", "project_file")
class ProjectFileView(AttachmentView):
    """Download evidence: the project is loaded through the scope first."""

    model = Project
    missing = gettext_noop("材料不存在")

    def files_of(self, obj):
        return obj.files.all()


@declare.view(Project, "edit")
class ProjectEditView(ObjectEditView):

    def new_object(self):
        obj = super().new_object()
        obj.introducer_department_id = self.request.user.department_id
        obj.introducer = self.request.user.full_name
        return obj

    def save_object(self, form, obj, *, creating, expected_version):
        m2m = {"task_force": form.cleaned_data.get("task_force", [])}
        return actions.do_save_project(obj, acting_user=self.request.user, expected_version=expected_version, m2m=m2m,
                                       pool=bool(form.cleaned_data.get("to_pool")))


@declare.route("pipeline/import/", "project_import")
class ProjectImportView(ObjectImportView):
    model = Project
    import_key = "projects"


# --- parts of key projects -------------------------------------------------------------------


class PartEditView(ObjectEditView):
    """Add from the project page (``?project=<id>``); the department follows the project."""

    prefill = {"project": Project}
    save_rule = actions.do_save_part

    def render_form(self, form, obj, token=""):
        response = super().render_form(form, obj, token)
        if obj.pk is None and getattr(obj, "project_id", None):
            response.context_data["cancel_url"] = obj.project.get_absolute_url()
        return response


declare.model(AnnualPlan, "plans", form=AnnualPlanForm, filterset=AnnualPlanFilterSet, table=AnnualPlanTable,
              select_related=("project",), edit_base=PartEditView)
declare.model(MonthlyInvestment, "monthly", form=MonthlyInvestmentForm, filterset=MonthlyInvestmentFilterSet,
              table=MonthlyInvestmentTable, select_related=("project",), edit_base=PartEditView)
declare.model(Milestone, "milestones", form=MilestoneForm, filterset=MilestoneFilterSet, table=MilestoneTable,
              select_related=("project",), edit_base=PartEditView)
declare.model(Problem, "problems", form=ProblemForm, filterset=ProblemFilterSet, table=ProblemTable,
              select_related=("project", "owner_department"), edit_base=PartEditView)


@declare.view(Problem, "detail")
class ProblemDetailView(ObjectDetailView):
    """A problem, and for its responsible unit (or the 项目办) while it is open, the form that
    reports it solved."""

    template_name = "projects/problem_detail.html"

    def get_extra_context(self, problem):
        user = self.request.user
        may_resolve = (problem.status == Problem.Status.OPEN
                       and actions.resolvable(Problem.objects.filter(pk=problem.pk), user).exists())
        may_instruct = actions.instructable(Problem.objects.filter(pk=problem.pk), user).exists()
        return {"resolve_form": ProblemResolveForm() if may_resolve else None,
                "instruct_form": ProblemInstructForm() if may_instruct else None}


@declare.route("problems/<int:pk>/instruct/", "problem_instruct")
class ProblemInstructView(ObjectActionView):
    """The leader's 批示 on a problem needing the leadership's decision (``actions.do_instruct_problem``)."""

    model = Problem
    permission_action = "instruct"
    success = _("已批示，已通知责任单位")
    form_class = ProblemInstructForm

    def act(self, problem):
        data = self.posted(problem)
        return actions.do_instruct_problem(problem, acting_user=self.request.user, instruction=data["instruction"])


@declare.route("problems/<int:pk>/resolve/", "problem_resolve")
class ProblemResolveView(ObjectActionView):
    """The responsible unit reports the problem solved (``actions.do_resolve_problem``); a unit
    reaches only the problems it answers for."""

    model = Problem
    permission_action = "resolve"
    success = _("已填报解决情况，问题已办结")
    form_class = ProblemResolveForm

    def base_queryset(self, user):
        return actions.resolvable(super().base_queryset(user), user)

    def act(self, problem):
        data = self.posted(problem)
        return actions.do_resolve_problem(problem, acting_user=self.request.user, resolution=data["resolution"],
                                          solved_on=data["solved_on"])


class TaskEditView(PartEditView):
    """A decision recorded at a dispatch (``?dispatch=…&project=…``) becomes a task."""

    prefill = {"project": Project, "dispatch": Dispatch}

    def save_object(self, form, obj, *, creating, expected_version):
        if creating:
            return actions.do_record_decision(obj, acting_user=self.request.user)
        return super().save_object(form, obj, creating=creating, expected_version=expected_version)


declare.model(Task, "tasks", form=TaskForm, filterset=TaskFilterSet, table=TaskTable,
              select_related=("project", "owner", "owner_department"), edit_base=TaskEditView,
              menu=declare.Entry("projects", gettext_noop("调度任务"), position=7))


@declare.view(Task, "detail")
class TaskDetailView(ObjectDetailView):
    """A dispatch task, and for whoever may change it while it is open, the form that reports it done."""

    template_name = "projects/task_detail.html"

    def get_extra_context(self, task):
        may_finish = task.status == Task.Status.OPEN and self.reaches(task, "change")
        return {"done_form": TaskDoneForm() if may_finish else None}


@declare.route("tasks/<int:pk>/done/", "task_done")
class TaskDoneView(ObjectActionView):
    """The task's owner or unit reports it done (``actions.do_complete_task``)."""

    model = Task
    success = _("已填报办理结果，任务已完成")
    form_class = TaskDoneForm

    def act(self, task):
        data = self.posted(task)
        return actions.do_complete_task(task, acting_user=self.request.user, result=data["result"],
                                        done_on=data["done_on"])


# --- trips, gates, settings, alerts ---------------------------------------------------------------


declare.model(InvestmentTrip, "trips", form=InvestmentTripForm, filterset=InvestmentTripFilterSet,
              table=InvestmentTripTable, menu=declare.Entry("projects", gettext_noop("外出招商"), position=3))


@declare.view(InvestmentTrip, "list")
class InvestmentTripListView(ObjectListView):
    select_related = ("leader",)

    def base_queryset(self, user):
        return super().base_queryset(user).annotate(lead_count=Count("leads"))


@declare.view(InvestmentTrip, "detail")
class InvestmentTripDetailView(ObjectDetailView):
    template_name = "projects/trip_detail.html"

    def get_extra_context(self, trip):
        return {"leads": Project.objects.visible_to(self.request.user).filter(trip=trip)}


class _StageGateList(ObjectListView):
    prefetch_related = ("roles",)

    def base_queryset(self, user):
        from django.db.models import Case
        from django.db.models import IntegerField
        from django.db.models import Value
        from django.db.models import When

        order = [*FLOW, Stage.TERMINATED]
        return super().base_queryset(user).annotate(flow=Case(
            *[When(stage=s, then=Value(i)) for i, s in enumerate(order)], output_field=IntegerField()))


declare.model(StageGate, "gates", form=StageGateForm, filterset=StageGateFilterSet, table=StageGateTable,
              select_related=("department",), list_base=_StageGateList, menu=declare.Entry("projects", gettext_noop("阶段门槛"), position=9))
declare.model(ProjectSettings, "settings", form=ProjectSettingsForm, filterset=ProjectSettingsFilterSet,
              table=ProjectSettingsTable, select_related=("department",), menu=declare.Entry("projects", gettext_noop("调度设置"), position=10))


declare.model(Alert, "alerts", filterset=AlertFilterSet, table=AlertTable, select_related=("project",),
              pages=("list", "detail"), list_attrs={"empty_hint": gettext_lazy(
                  "预警由系统按规则每日生成（进度滞后、问题逾期、节点逾期等），出现时会通知项目负责人和挂点领导。")})


@declare.view(Alert, "detail")
class AlertDetailView(ObjectDetailView):
    detail_fields = ("project", "rule", "message", "raised_at", "resolved_at")

    def get_extra_context(self, alert):
        return {"list_url": alert.project.get_absolute_url()}  # "back" goes to the project


# --- dispatch ---------------------------------------------------------------------------------------


declare.model(Dispatch, "dispatches", form=DispatchForm, filterset=DispatchFilterSet, table=DispatchTable,
              menu=declare.Entry("projects", gettext_noop("调度会"), position=6))


@declare.view(Dispatch, "detail")
class DispatchDetailView(ObjectDetailView):
    """The meeting's agenda, prepared from the data; decisions are recorded per project."""

    template_name = "projects/dispatch_detail.html"

    def get_extra_context(self, dispatch):
        user = self.request.user
        agenda = actions.dispatch_agenda(dispatch, Project.objects.visible_to(user))
        return dict(agenda=agenda, can_decide=user.has_perm("projects.add_task"),
                    can_hold=(user.has_perm("projects.change_dispatch")
                              and dispatch.status == Dispatch.Status.PREPARED),
                    task_form=TaskForm(user=user, instance=Task(dispatch=dispatch)))


@declare.view(Dispatch, "edit")
class DispatchEditView(ObjectEditView):

    def new_object(self):
        obj = super().new_object()
        if obj.department_id:  # 一周一调度 is the zone's meeting, whichever of its offices prepares it
            obj.department = zone_department(self.request.user)
        today = timezone.localdate()
        obj.week_start = today - dt.timedelta(days=today.weekday())
        obj.title = gettext("重点项目第{value}周调度会").format(value=obj.week_start.isocalendar()[1])
        return obj


@declare.route("dispatches/<int:pk>/hold/", "dispatch_hold")
class DispatchHoldView(ObjectActionView):
    model = Dispatch
    success = gettext_lazy("已标记为已召开")

    def act(self, dispatch):
        return actions.do_hold_dispatch(dispatch, acting_user=self.request.user, notes=self.request.POST.get("notes"))


# --- reports ----------------------------------------------------------------------------------------


# 半月专报: made by the system (or 立即生成), never written by hand — a list and each report's page.
declare.model(Report, "reports", filterset=ReportFilterSet, table=ReportTable, select_related=("created_by",),
              pages=("list", "detail"))


@declare.view(Report, "list")
class ReportListView(ObjectListView):
    empty_hint = gettext_lazy("半月专报每月1日、16日由系统自动生成，也可在项目看板上立即生成。")
    template_name = "projects/report_list.html"

    def get_extra_context(self, rows):
        return {"can_generate": self.request.user.has_perm("projects.dispatch_project"),
                "today": timezone.localdate()}


@declare.view(Report, "detail")
class ReportDetailView(ObjectDetailView):
    template_name = "projects/report_detail.html"
    detail_fields = ("title", "year", "number", "as_of", "created_by", "created_at")


@declare.route("reports/<int:pk>/<str:kind>/", "report_file")
class ReportFileView(ObjectMixin, View):
    model = Report

    def get(self, request, *args, **kwargs):
        report = self.get_object()
        kind = kwargs["kind"]
        field = report.docx if kind == "docx" else report.xlsx if kind == "xlsx" else None
        if not field:
            raise Http404(gettext("文件不存在"))
        name = file_name(gettext("{title}（{year}年第{number}期）").format(
            title=report.title, year=report.year, number=report.number), f".{kind}")
        return FileResponse(field.open("rb"), as_attachment=True, filename=name)


@declare.route("reports/generate/", "report_generate")
class ReportGenerateView(ReportListView):
    """POST: generate the biweekly report now for the user's zone, over what the user sees."""

    def get_permission(self) -> str:
        return "projects.dispatch_project"

    def post(self, request, *args, **kwargs):
        from .reports import ReportDateError
        from .reports import generate_biweekly

        try:
            as_of = dt.date.fromisoformat(request.POST.get("as_of") or timezone.localdate().isoformat())
        except ValueError:
            messages.error(request, gettext("日期格式不正确"))
            return redirect("projects:report_list")
        try:
            report = generate_biweekly(zone_department(request.user), as_of, acting_user=request.user)
        except ReportDateError as exc:  # a future day, a day with its issue
            messages.error(request, str(exc))
            return redirect("projects:report_list")
        messages.success(request, gettext("已生成：{report}").format(report=report))
        return redirect(report.get_absolute_url())


def zone_department(user):
    """The zone administration a user works in (the department itself when none is above)."""
    from feidi.accounts.models import Department

    dept = user.department
    if dept is None:
        raise PermissionDenied(gettext("您的账号没有所属部门"))
    for d in [dept, *reversed(list(dept.ancestors()))]:
        if d.kind == Department.Kind.ZONE:
            return d
    return dept

