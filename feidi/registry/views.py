"""Registry pages: declarative list/detail/edit/delete on the generic views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views import View

from feidi.core.actions import ConflictError
from feidi.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectImportView,
    ObjectListView,
    ObjectMixin,
)

from . import actions
from .filtersets import (
    AgreementFilterSet,
    CommitmentFilterSet,
    OrganizationFilterSet,
    OrganizationLabelFilterSet,
    PersonFilterSet,
    ResidencyFilterSet,
    ZoneFilterSet,
)
from .forms import (
    AgreementForm,
    CommitmentForm,
    OrganizationForm,
    OrganizationLabelForm,
    PersonForm,
    ResidencyForm,
    ResidencyTransitionForm,
    ZoneForm,
)
from .models import Agreement, Commitment, Organization, OrganizationLabel, Person, Residency, Zone
from .tables import (
    AgreementTable,
    CommitmentTable,
    OrganizationLabelTable,
    OrganizationTable,
    PersonTable,
    ResidencyTable,
    ZoneTable,
)


class ActionEditView(ObjectEditView):
    """Edit view whose save calls the app's ``do_save_<model>`` action."""

    action = None

    def save_object(self, form, obj, *, creating, expected_version):
        return type(self).action(obj, acting_user=self.request.user, expected_version=expected_version)


# --- zones ----------------------------------------------------------------------------------
class ZoneListView(ObjectListView):
    model = Zone
    filterset_class = ZoneFilterSet
    table_class = ZoneTable
    select_related = ("kind", "parent", "operator")


class ZoneDetailView(ObjectDetailView):
    model = Zone
    template_name = "registry/zone_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["organizations"] = (Organization.objects.visible_to(user).filter(zone=self.object).order_by("name")[:50])
        ctx["residencies"] = (Residency.objects.visible_to(user).filter(enclave=self.object)
                              .select_related("organization").order_by("status", "organization__name"))
        ctx["children"] = Zone.objects.visible_to(user).filter(parent=self.object)
        return ctx


class ZoneEditView(ActionEditView):
    model = Zone
    form_class = ZoneForm
    action = staticmethod(actions.do_save_zone)


class ZoneDeleteView(ObjectDeleteView):
    model = Zone


# --- organizations --------------------------------------------------------------------------
class OrganizationListView(ObjectListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    table_class = OrganizationTable
    select_related = ("zone",)


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    template_name = "registry/organization_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, org = self.request.user, self.object
        from .models import OrganizationLabel

        ctx["labels"] = OrganizationLabel.objects.visible_to(user).filter(organization=org).select_related("label")
        ctx["people"] = Person.objects.visible_to(user).filter(organization=org)
        ctx["residencies"] = Residency.objects.visible_to(user).filter(organization=org).select_related("enclave")
        return ctx


class OrganizationEditView(ActionEditView):
    model = Organization
    form_class = OrganizationForm
    action = staticmethod(actions.do_save_organization)


class OrganizationDeleteView(ObjectDeleteView):
    model = Organization


class OrganizationImportView(ObjectImportView):
    model = Organization
    import_key = "organizations"


# --- people ---------------------------------------------------------------------------------
class PersonListView(ObjectListView):
    model = Person
    filterset_class = PersonFilterSet
    table_class = PersonTable
    select_related = ("organization",)


class PersonDetailView(ObjectDetailView):
    model = Person

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("registry.reveal_person") or user.can_view_sensitive:
            from django.urls import reverse

            ctx["reveal_url"] = reverse("registry:person_reveal", kwargs={"pk": self.object.pk})
        return ctx


class PersonRevealView(ObjectMixin, View):
    """POST: the full phone or ID-card number as a small HTML fragment; audited."""

    model = Person

    def post(self, request, *args, **kwargs):
        person = self.get_object()
        try:
            value = actions.do_reveal_person_field(person, request.GET.get("field", ""), acting_user=request.user)
        except PermissionDenied:
            return HttpResponse(gettext("无权查看"), status=403)
        except ValidationError:
            return HttpResponse(gettext("未知字段"), status=400)
        return HttpResponse(format_html('<span class="font-monospace">{}</span>', value or "—"))


class PersonEditView(ActionEditView):
    model = Person
    form_class = PersonForm
    action = staticmethod(actions.do_save_person)


class PersonDeleteView(ObjectDeleteView):
    model = Person


# --- enclave residency ----------------------------------------------------------------------
class ResidencyListView(ObjectListView):
    model = Residency
    filterset_class = ResidencyFilterSet
    table_class = ResidencyTable
    select_related = ("organization", "enclave")


class ResidencyDetailView(ObjectDetailView):
    model = Residency
    template_name = "registry/residency_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        res = self.object
        allowed = Residency.TRANSITIONS[Residency.Status(res.status)]
        if allowed and self.can("change"):
            from django.utils import timezone

            form = ResidencyTransitionForm(initial={"on": timezone.localdate()})
            form.fields["status"].choices = [(s.value, s.label) for s in Residency.Status if s in allowed]
            form.fields["status"].widget.attrs["class"] = "form-select"
            ctx["transition_form"] = form
        return ctx


class ResidencyTransitionView(ObjectMixin, View):
    model = Residency
    permission_action = "change"

    def post(self, request, *args, **kwargs):
        res = self.get_object()
        form = ResidencyTransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("请填写变更状态与日期"))
            return redirect(res.get_absolute_url())
        try:
            actions.do_transition_residency(res, form.cleaned_data["status"], on=form.cleaned_data["on"],
                                            note=form.cleaned_data["note"], acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("状态已变更为“{status}”").format(status=res.get_status_display()))
        return redirect(res.get_absolute_url())


class ResidencyEditView(ActionEditView):
    model = Residency
    form_class = ResidencyForm
    action = staticmethod(actions.do_save_residency)


class ResidencyDeleteView(ObjectDeleteView):
    model = Residency


# --- labels ---------------------------------------------------------------------------------
class PresetMixin:
    """``?<field>=<pk>`` on an add page preselects a related record (e.g. the organization)."""

    preset_fields: tuple[str, ...] = ()

    def new_object(self):
        obj = super().new_object()
        for name in self.preset_fields:
            value = self.request.GET.get(name)
            if value and value.isdigit():
                setattr(obj, f"{name}_id", int(value))
        return obj


class OrganizationLabelListView(ObjectListView):
    model = OrganizationLabel
    filterset_class = OrganizationLabelFilterSet
    table_class = OrganizationLabelTable
    select_related = ("organization", "label")


class OrganizationLabelDetailView(ObjectDetailView):
    model = OrganizationLabel


class OrganizationLabelEditView(PresetMixin, ActionEditView):
    model = OrganizationLabel
    form_class = OrganizationLabelForm
    action = staticmethod(actions.do_save_label)
    preset_fields = ("organization",)


class OrganizationLabelDeleteView(ObjectDeleteView):
    model = OrganizationLabel


# --- agreements -----------------------------------------------------------------------------
class AgreementListView(ObjectListView):
    model = Agreement
    filterset_class = AgreementFilterSet
    table_class = AgreementTable


class AgreementDetailView(ObjectDetailView):
    model = Agreement
    template_name = "registry/agreement_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        from .models import Commitment

        ctx["commitments"] = Commitment.objects.visible_to(self.request.user).filter(agreement=self.object)
        return ctx


class AgreementEditView(ObjectEditView):
    model = Agreement
    form_class = AgreementForm


class AgreementDeleteView(ObjectDeleteView):
    model = Agreement


class CommitmentListView(ObjectListView):
    model = Commitment
    filterset_class = CommitmentFilterSet
    table_class = CommitmentTable
    select_related = ("agreement",)


class CommitmentDetailView(ObjectDetailView):
    model = Commitment


class CommitmentEditView(PresetMixin, ObjectEditView):
    model = Commitment
    form_class = CommitmentForm
    preset_fields = ("agreement",)


class CommitmentDeleteView(ObjectDeleteView):
    model = Commitment
