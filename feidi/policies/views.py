"""惠企政策 pages: the library (policies, items, conditions), matches (an item's enterprises, an
enterprise's own policies on the phone), applications and payments, totals and the effect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models import Q
from django.db.models import Sum
from django.http import Http404
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core.actions import ConflictError
from feidi.core.attachments import AttachmentView
from feidi.core.attachments import AttachView
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDeleteView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectImportView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import ScopedViewMixin
from feidi.core.views import apply_validation_error
from feidi.core.views import refusal_text

from . import actions
from .conditions import holds_for
from .filtersets import ApplicationFilterSet
from .filtersets import ConditionFilterSet
from .filtersets import MatchFilterSet
from .filtersets import PaymentFilterSet
from .filtersets import PolicyFilterSet
from .filtersets import PolicyItemFilterSet
from .forms import ApplicationActionForm
from .forms import ApplicationForm
from .forms import ConditionForm
from .forms import PolicyForm
from .forms import PolicyItemForm
from .models import Application
from .models import Condition
from .models import Match
from .models import Payment
from .models import Policy
from .models import PolicyItem
from .tables import ApplicationTable
from .tables import ConditionTable
from .tables import MatchTable
from .tables import PaymentTable
from .tables import PolicyItemTable
from .tables import PolicyTable

# --- the library ------------------------------------------------------------------------------------
# The menu 惠企政策: 我的政策, 政策库, 政策条款, then the hand-made entries (apps.py).
declare.model(Policy, "library", form=PolicyForm, filterset=PolicyFilterSet, table=PolicyTable,
              menu=declare.Entry("policies", gettext_noop("政策库"), position=1))
declare.model(PolicyItem, "items", form=PolicyItemForm, filterset=PolicyItemFilterSet, table=PolicyItemTable,
              select_related=("policy",), menu=declare.Entry("policies", gettext_noop("政策条款"), position=2))
declare.model(Condition, "conditions", form=ConditionForm, filterset=ConditionFilterSet, table=ConditionTable,
              select_related=("item", "label", "zone", "indicator", "talent_tier"))


@declare.view(Policy, "detail")
class PolicyDetailView(ObjectDetailView):
    template_name = "policies/policy_detail.html"
    detail_fields = ("issuer", "number", "issued_on", "effective_from", "effective_until", "target_indicator",
                     "active", "department")

    def get_extra_context(self, policy):
        items = (PolicyItem.objects.visible_to(self.request.user).filter(policy=policy)
                 .annotate(qualified=Count("matches", filter=Q(matches__status=Match.Status.QUALIFIED)),
                           partial=Count("matches", filter=Q(matches__status=Match.Status.PARTIAL))))
        from .effect import cashed

        paid = cashed(Payment.objects.visible_to(self.request.user).filter(item__policy=policy))
        return dict(items=items, paid=paid, can_add_item=self.can_add_item(),
                    attachments=policy.attachments.all(), can_attach=self.reaches(policy, "change"))

    def can_add_item(self) -> bool:
        return self.request.user.has_perm("policies.add_policyitem") and self.reaches(self.object, "change")


@declare.route("library/<int:pk>/attach/", "policy_attach")
class PolicyAttachView(AttachView):
    """The office adds a file of the policy document (原文, 申报指南, 表格)."""

    model = Policy

    def get_permission(self) -> str:
        return "policies.change_policy"

    def store(self, policy, upload):
        actions.do_attach_policy_file(policy, upload, acting_user=self.request.user)


@declare.route("library/<int:pk>/files/<int:file>/delete/", "policy_file_delete")
class PolicyFileDeleteView(ObjectMixin, View):
    model = Policy

    def get_permission(self) -> str:
        return "policies.change_policy"

    def post(self, request, *args, **kwargs):
        policy = self.get_object()
        attachment = policy.attachments.filter(pk=kwargs["file"]).first()
        if attachment is None:
            raise Http404(gettext("附件不存在"))
        actions.do_remove_policy_file(attachment, acting_user=request.user)
        messages.success(request, gettext("已删除附件 {name}").format(name=attachment.name))
        return redirect(policy.get_absolute_url())


@declare.route("library/<int:pk>/files/<int:file>/", "policy_file")
class PolicyFileView(AttachmentView):
    """A file of the policy, for staff who see the policy."""

    model = Policy


@declare.route("matches/<int:pk>/files/<int:file>/", "match_policy_file")
class MatchPolicyFileView(AttachmentView):
    """A file of the policy, for the enterprise (and its cadre) through its match of an item."""

    model = Match

    def files_of(self, match):
        return match.item.policy.attachments.all()


@declare.view(Policy, "edit")
class PolicyEditView(ObjectEditView):
    save_rule = actions.do_save_policy


@declare.view(PolicyItem, "detail")
class PolicyItemDetailView(ObjectDetailView):
    template_name = "policies/policyitem_detail.html"
    detail_fields = ("policy", "mode", "period", "amount_kind", "amount_fixed", "amount_rate", "amount_indicator",
                     "amount_month", "amount_cap", "review_department", "step_days", "active", "matched_at",
                     "content", "materials")

    def get_extra_context(self, item):
        user = self.request.user
        matches = Match.objects.visible_to(user).filter(item=item)
        counts = dict(matches.order_by().values_list("status").annotate(n=Count("pk")))
        top = matches.filter(status=Match.Status.QUALIFIED).select_related("organization").order_by(
            "-estimated_amount", "organization__name")[:20]
        may_change = self.reaches(item, "change")
        return dict(
            conditions=item.conditions.select_related("label", "zone", "indicator", "talent_tier"),
            qualified=counts.get(Match.Status.QUALIFIED, 0), partial=counts.get(Match.Status.PARTIAL, 0),
            top=top, may_change=may_change and user.has_perm("policies.add_condition"),
            may_refresh=may_change,
            may_list=item.mode == PolicyItem.Mode.EXEMPT and user.has_perm("policies.add_payment") and may_change,
            pending=Payment.objects.visible_to(user).filter(item=item, status=Payment.Status.PENDING).count(),
            may_confirm=user.has_perm("policies.change_payment") and may_change)


@declare.view(PolicyItem, "edit")
class PolicyItemEditView(ObjectEditView):
    prefill = {"policy": Policy}
    save_rule = actions.do_save_item


@declare.route("items/import/", "policyitem_import")
class PolicyItemImportView(ObjectImportView):
    model = PolicyItem
    import_key = "policy_items"


@declare.route("items/<int:pk>/act/", "policyitem_act")
class PolicyItemActView(ObjectMixin, View):
    """Buttons of an item's page: recompute its matches now, build the 免申即享 list, confirm it."""

    model = PolicyItem
    permission_action = "change"

    def post(self, request, *args, **kwargs):
        from feidi.core import formtokens

        item = self.get_object()
        what = request.POST.get("action")
        try:
            with formtokens.once(request, item.get_absolute_url()):  # posted twice, taken once
                self.act(item, what)
        except formtokens.AlreadySubmitted as exc:
            messages.warning(request, str(exc))
        except (ValidationError, ConflictError) as exc:
            messages.error(request, refusal_text(exc))
        return redirect(item.get_absolute_url())

    def act(self, item, what):
        """One step on ``item``: 重新匹配, 生成兑现名单 or 确认兑现."""
        from .matching import refresh_item

        request = self.request
        if what == "refresh":
            found = refresh_item(item)
            messages.success(request, gettext("已重新匹配：符合{qualified}家，差一项{partial}家").format(**found))
        elif what == "list":
            if not request.user.has_perm("policies.add_payment"):
                raise PermissionDenied(gettext("没有权限"))
            n = actions.do_build_payment_list(item, acting_user=request.user)
            messages.success(request, gettext("已生成兑现名单：新增{count}家待确认").format(count=n))
        elif what == "confirm":
            if not request.user.has_perm("policies.change_payment"):
                raise PermissionDenied(gettext("没有权限"))
            n = actions.do_confirm_payments(Payment.objects.visible_to(request.user, "change").filter(item=item),
                                            acting_user=request.user)
            messages.success(request, gettext("已确认{count}条兑现记录").format(count=n))
        else:
            messages.error(request, gettext("该操作当前不可用"))


@declare.view(Condition, "list")
class ConditionListView(ObjectListView):
    select_related = ("item", "label", "zone", "indicator", "talent_tier")
    offer_add = False


@declare.view(Condition, "edit")
class ConditionEditView(ObjectEditView):
    prefill = {"item": PolicyItem}
    template_name = "policies/condition_form.html"

    def save_object(self, form, obj, *, creating, expected_version):
        if not PolicyItem.objects.visible_to(self.request.user, "change").filter(pk=obj.item_id).exists():
            raise PermissionDenied(gettext("不能修改该条款的条件"))
        return actions.do_save_condition(obj, acting_user=self.request.user)


@declare.view(Condition, "delete")
class ConditionDeleteView(ObjectDeleteView):

    def delete_object(self, obj):
        actions.do_delete_condition(obj, acting_user=self.request.user)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        item = obj.item
        self.delete_object(obj)
        messages.success(request, gettext("已删除：{obj}").format(obj=obj))
        return HttpResponseRedirect(item.get_absolute_url())


# --- matches ----------------------------------------------------------------------------------------
declare.model(Match, "matches", filterset=MatchFilterSet, table=MatchTable, pages=("list", "detail"),
              select_related=("organization", "item", "missing__label", "missing__zone", "missing__indicator",
                              "missing__talent_tier"), list_attrs={"offer_add": False})


def explain(match: Match) -> list[dict]:
    """Each condition of the item, and whether this enterprise meets it."""
    rows = []
    for c in match.item.conditions.select_related("label", "zone", "indicator", "talent_tier"):
        held = holds_for(c, match.organization_id)
        rows.append({"text": str(c), "held": held, "missing": c.pk == match.missing_id})
    return rows


@declare.view(Match, "detail")
class MatchDetailView(ObjectDetailView):
    template_name = "policies/match_detail.html"

    def get_extra_context(self, match):
        user = self.request.user
        applications = Application.objects.visible_to(user).filter(item=match.item, organization=match.organization)
        payments = Payment.objects.visible_to(user).filter(item=match.item, organization=match.organization)
        may_apply = (match.item.mode == PolicyItem.Mode.APPLY and user.has_perm("policies.add_application")
                     and not applications.exclude(status=Application.Status.RETURNED).filter(
                         period=match.item.period).exists() and not payments.filter(period=match.item.period).exists()
                     and (not user.organization_id or user.organization_id == match.organization_id))
        return dict(conditions=explain(match), applications=applications, payments=payments,
                    may_apply=may_apply, policy=match.item.policy,
                    attachments=match.item.policy.attachments.all())


@declare.route("mine/", "mine")
class MyPoliciesView(ScopedViewMixin, TemplateView):
    """An enterprise's own page (phone first): the items it qualifies for, those it may qualify
    for and what is missing, the estimated amounts, its applications and payments."""

    model = Match
    template_name = "policies/mine.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not user.organization_id:
            return redirect("policies:match_list")
        matches = list(Match.objects.visible_to(user).filter(organization_id=user.organization_id)
                       .select_related("item__policy", "missing__label", "missing__zone", "missing__indicator",
                                       "missing__talent_tier").order_by("status", "-estimated_amount"))
        applications = (Application.objects.visible_to(user).filter(organization_id=user.organization_id)
                        .select_related("item")[:20]) if user.has_perm("policies.view_application") else []
        payments = (Payment.objects.visible_to(user).filter(organization_id=user.organization_id)
                    .select_related("item")[:20]) if user.has_perm("policies.view_payment") else []
        qualified = [m for m in matches if m.status == Match.Status.QUALIFIED]
        total = sum((m.estimated_amount or 0) for m in qualified)
        return self.render_to_response(self.get_context_data(
            title=gettext("我的惠企政策"), qualified=qualified,
            partial=[m for m in matches if m.status == Match.Status.PARTIAL], total=total,
            applications=applications, payments=payments))


# --- applications ------------------------------------------------------------------------------------
declare.model(Application, "applications", filterset=ApplicationFilterSet, table=ApplicationTable,
              select_related=("organization", "item"), pages=("list", "detail"), list_attrs={"offer_add": False})


def application_actions(application: Application, user) -> list[str]:
    if user.organization_id or not user.has_perm("policies.handle_application"):
        return []
    if application.status not in Application.OPEN:
        return []
    return ["advance", "return"]


@declare.view(Application, "detail")
class ApplicationDetailView(ObjectDetailView):
    template_name = "policies/application_detail.html"
    detail_fields = ("organization", "item", "period", "amount", "status", "handling_department", "level",
                     "deadline", "note", "created_at")

    offer_edit = offer_delete = False  # an application changes only through its steps

    def get_extra_context(self, app):
        acts = application_actions(app, self.request.user)
        if acts and not Application.objects.visible_to(self.request.user, "handle").filter(pk=app.pk).exists():
            acts = []
        files: dict[str, list] = {}
        for f in app.attachments.all():
            files.setdefault(f.material, []).append(f)
        may_attach = (app.status in Application.OPEN and self.request.user.has_perm("policies.add_application")
                      and (self.request.user.organization_id in (None, app.organization_id)))
        materials = [(m, app.materials.get(m, ""), files.get(m, [])) for m in app.item.material_list()]
        prefilled = [(gettext(actions.PREFILL_LABELS.get(k, k)), "、".join(v) if isinstance(v, list) else v)
                     for k, v in app.prefilled.items()]
        return dict(actions=[(a, ApplicationActionForm.ACTIONS[a]) for a in acts],
                    materials=materials, may_attach=may_attach, prefilled=prefilled)


@declare.route("applications/<int:pk>/attach/", "application_attach")
class ApplicationAttachView(AttachView):
    """A file for one of the item's materials, handed in while the application is open."""

    model = Application

    def get_permission(self) -> str:
        return "policies.add_application"

    def scope_action(self) -> str:
        return "view"  # the enterprise's own application; the action checks it is its own and open

    def store(self, application, upload):
        actions.do_attach_application_file(application, self.request.POST.get("material", ""), upload,
                                           acting_user=self.request.user)


@declare.route("applications/<int:pk>/files/<int:file>/", "application_file")
class ApplicationFileView(AttachmentView):
    model = Application


@declare.route("matches/<int:pk>/apply/", "match_apply")
class ApplicationApplyView(ObjectMixin, TemplateView):
    """Apply for the item of a match the user sees (an enterprise for itself, a cadre for it)."""

    model = Match
    template_name = "generic/form.html"

    def get_permission(self) -> str:
        return "policies.add_application"

    def form(self, match, data=None, files=None):
        app = Application(item=match.item, organization=match.organization, amount=match.estimated_amount)
        return ApplicationForm(data, files, instance=app, item=match.item, user=self.request.user)

    def render_form(self, form, match):
        return self.render_to_response(self.get_context_data(
            form=form, object=form.instance, creating=True, title=gettext("申报：{item}").format(item=match.item),
            cancel_url=match.get_absolute_url()))

    def get(self, request, *args, **kwargs):
        match = self.get_object()
        return self.render_form(self.form(match), match)

    def post(self, request, *args, **kwargs):
        match = self.get_object()
        form = self.form(match, request.POST, request.FILES)
        if form.is_valid():
            app = form.instance
            app.materials = form.materials()
            try:
                actions.do_apply(app, acting_user=request.user, files=form.uploads())
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError):
                    apply_validation_error(form, exc)
                else:
                    form.add_error(None, str(exc))
            else:
                messages.success(request, gettext("已提交申报"))
                return redirect(app.get_absolute_url())
        return self.render_form(form, match)


@declare.route("applications/<int:pk>/act/", "application_act")
class ApplicationActView(ObjectMixin, View):
    model = Application
    permission_action = "handle"

    def get_permission(self) -> str:
        return "policies.handle_application"

    def scope_action(self) -> str:
        return "handle"

    def post(self, request, *args, **kwargs):
        app = self.get_object()
        form = ApplicationActionForm(request.POST)
        if not form.is_valid() or form.cleaned_data["action"] not in application_actions(app, request.user):
            messages.error(request, gettext("该操作当前不可用"))
            return redirect(app.get_absolute_url())
        from feidi.core import formtokens

        note = form.cleaned_data["note"] or ""
        try:
            with formtokens.once(request, app.get_absolute_url()):  # posted twice, one step
                if form.cleaned_data["action"] == "advance":
                    actions.do_advance_application(app, note, acting_user=request.user)
                else:
                    actions.do_return_application(app, note, acting_user=request.user)
        except formtokens.AlreadySubmitted as exc:
            messages.warning(request, str(exc))
            return redirect(app.get_absolute_url())
        except (ValidationError, ConflictError) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, gettext("已办理：{status}").format(status=app.get_status_display()))
        return redirect(app.get_absolute_url())


# --- payments ----------------------------------------------------------------------------------------
declare.model(Payment, "payments", filterset=PaymentFilterSet, table=PaymentTable, select_related=("organization", "item"),
              pages=("list", "detail"), list_attrs={"offer_add": False})


@declare.view(Payment, "detail")
class PaymentDetailView(ObjectDetailView):
    template_name = "policies/payment_detail.html"
    detail_fields = ("organization", "item", "period", "amount", "status", "application", "confirmed_by",
                     "confirmed_at", "paid_on", "created_at")

    offer_edit = offer_delete = False  # a payment changes only by confirmation and payment

    def get_extra_context(self, p):
        return {"may_pay": p.status == Payment.Status.CONFIRMED and self.reaches(p, "change")}


@declare.route("payments/<int:pk>/pay/", "payment_pay")
class PaymentPayView(ObjectActionView):
    model = Payment
    success = gettext_lazy("已拨付")

    def act(self, payment):
        try:
            paid_on = dt.date.fromisoformat(self.request.POST.get("paid_on") or timezone.localdate().isoformat())
        except ValueError:
            raise ValidationError(gettext("日期格式应为 YYYY-MM-DD")) from None
        return actions.do_pay(payment, paid_on, acting_user=self.request.user)


@declare.route("payments/summary/", "payment_summary")
class PaymentSummaryView(ScopedViewMixin, TemplateView):
    """Money paid per policy and per enterprise (what the user sees)."""

    model = Payment
    template_name = "policies/summary.html"

    def get(self, request, *args, **kwargs):
        from .effect import cashed

        qs = cashed(Payment.objects.visible_to(request.user))["qs"]
        disbursed = Sum("amount", filter=Q(status=Payment.Status.PAID))
        by_policy = (qs.values("item__policy_id", "item__policy__title").order_by("item__policy__title")
                     .annotate(total=Sum("amount"), disbursed=disbursed, n=Count("organization", distinct=True),
                               rows=Count("pk")))
        by_org = (qs.values("organization_id", "organization__name")
                  .annotate(total=Sum("amount"), disbursed=disbursed, rows=Count("pk"))
                  .order_by("-total", "organization__name")[:50])
        return self.render_to_response(self.get_context_data(title=gettext("兑现汇总"), by_policy=by_policy,
                                                             by_org=by_org))


@declare.route("library/<int:pk>/effect/", "policy_effect")
class PolicyEffectView(ObjectMixin, TemplateView):
    """A policy's effect: money paid, enterprises reached, and the targeted indicator's 同口径
    growth of those enterprises against the others of the same zones."""

    model = Policy
    template_name = "policies/effect.html"

    def get(self, request, *args, **kwargs):
        from . import effect

        policy = self.get_object()
        try:
            month = dt.date.fromisoformat(request.GET["month"] + "-01") if request.GET.get("month") else None
        except ValueError:
            month = None
        result = effect.compute(policy, request.user, month)
        return self.render_to_response(self.get_context_data(title=gettext("政策效果：{policy}").format(policy=policy),
                                                             object=policy, result=result))
