"""Registry pages: each record type declared once (``core.declare``); the views here are those
that show or do more than the generic pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from django.views import View

from feidi.core import declare
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectImportView
from feidi.core.views import ObjectMixin

from . import actions
from .filtersets import AgreementFilterSet
from .filtersets import CommitmentFilterSet
from .filtersets import OrganizationFilterSet
from .filtersets import OrganizationLabelFilterSet
from .filtersets import PersonFilterSet
from .filtersets import ResidencyFilterSet
from .filtersets import ZoneFilterSet
from .forms import AgreementForm
from .forms import CommitmentForm
from .forms import OrganizationForm
from .forms import OrganizationLabelForm
from .forms import PersonForm
from .forms import ResidencyForm
from .forms import ResidencyTransitionForm
from .forms import ZoneForm
from .models import Agreement
from .models import Commitment
from .models import Organization
from .models import OrganizationLabel
from .models import Person
from .models import Residency
from .models import Zone
from .tables import AgreementTable
from .tables import CommitmentTable
from .tables import OrganizationLabelTable
from .tables import OrganizationTable
from .tables import PersonTable
from .tables import ResidencyTable
from .tables import ZoneTable


def _menu(label: str, **kwargs) -> declare.Entry:
    return declare.Entry("registry", label, **kwargs)


# The menu 主体库 lists these in this order.
declare.model(Zone, "zones", form=ZoneForm, filterset=ZoneFilterSet, table=ZoneTable,
              select_related=("kind", "parent", "operator"), menu=_menu(gettext_noop("园区与飞地")),
              save_rule=actions.do_save_zone)
declare.model(Organization, "organizations", form=OrganizationForm, filterset=OrganizationFilterSet,
              table=OrganizationTable, select_related=("zone",), menu=_menu(gettext_noop("单位"), org_users=True),
              save_rule=actions.do_save_organization)
declare.model(OrganizationLabel, "labels", form=OrganizationLabelForm, filterset=OrganizationLabelFilterSet,
              table=OrganizationLabelTable, select_related=("organization", "label"),
              menu=_menu(gettext_noop("资质标签")), save_rule=actions.do_save_label,
              prefill={"organization": Organization})
declare.model(Person, "people", form=PersonForm, filterset=PersonFilterSet, table=PersonTable,
              select_related=("organization",), menu=_menu(gettext_noop("人员")),
              save_rule=actions.do_save_person)
declare.model(Residency, "residencies", form=ResidencyForm, filterset=ResidencyFilterSet, table=ResidencyTable,
              select_related=("organization", "enclave"), menu=_menu(gettext_noop("飞地入驻")),
              save_rule=actions.do_save_residency)
declare.model(Agreement, "agreements", form=AgreementForm, filterset=AgreementFilterSet, table=AgreementTable,
              menu=_menu(gettext_noop("合作协议")))
declare.model(Commitment, "commitments", form=CommitmentForm, filterset=CommitmentFilterSet, table=CommitmentTable,
              select_related=("agreement",), menu=_menu(gettext_noop("协议承诺")),
              prefill={"agreement": Agreement}, save_rule=actions.do_save_commitment)


@declare.view(Zone, "detail")
class ZoneDetailView(ObjectDetailView):
    template_name = "registry/zone_detail.html"

    def get_extra_context(self, zone):
        user = self.request.user
        return {
            "organizations": Organization.objects.visible_to(user).filter(zone=zone).order_by("name")[:50],
            "residencies": (Residency.objects.visible_to(user).filter(enclave=zone)
                            .select_related("organization").order_by("status", "organization__name")),
            "children": Zone.objects.visible_to(user).filter(parent=zone),
        }


@declare.view(Organization, "detail")
class OrganizationDetailView(ObjectDetailView):
    template_name = "registry/organization_detail.html"

    def get_extra_context(self, org):
        user = self.request.user
        return {
            "labels": OrganizationLabel.objects.visible_to(user).filter(organization=org).select_related("label"),
            "people": Person.objects.visible_to(user).filter(organization=org),
            "residencies": Residency.objects.visible_to(user).filter(organization=org).select_related("enclave"),
        }


@declare.route("organizations/import/", "organization_import")
class OrganizationImportView(ObjectImportView):
    model = Organization
    import_key = "organizations"


@declare.view(Person, "detail")
class PersonDetailView(ObjectDetailView):
    def get_extra_context(self, person):
        user = self.request.user
        if not (user.has_perm("registry.reveal_person") or user.can_view_sensitive):
            return {}
        from django.urls import reverse

        return {"reveal_url": reverse("registry:person_reveal", kwargs={"pk": person.pk})}


@declare.route("people/<int:pk>/reveal/", "person_reveal")
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


@declare.view(Residency, "detail")
class ResidencyDetailView(ObjectDetailView):
    template_name = "registry/residency_detail.html"

    def get_extra_context(self, res):
        allowed = Residency.TRANSITIONS[Residency.Status(res.status)]
        if not (allowed and self.can("change")):
            return {}
        from django.utils import timezone

        form = ResidencyTransitionForm(initial={"on": timezone.localdate()})
        form.fields["status"].choices = [(s.value, s.label) for s in Residency.Status if s in allowed]
        form.fields["status"].widget.attrs["class"] = "form-select"
        return {"transition_form": form}


@declare.route("residencies/<int:pk>/transition/", "residency_transition")
class ResidencyTransitionView(ObjectActionView):
    model = Residency

    form_class = ResidencyTransitionForm

    def act(self, res):
        d = self.posted(res)
        return actions.do_transition_residency(res, d["status"], on=d["on"], note=d["note"],
                                               acting_user=self.request.user)

    def success_message(self, res, changed) -> str:
        return gettext("状态已变更为“{status}”").format(status=changed.get_status_display())


@declare.view(Agreement, "detail")
class AgreementDetailView(ObjectDetailView):
    template_name = "registry/agreement_detail.html"

    def get_extra_context(self, agreement):
        return {"commitments": Commitment.objects.visible_to(self.request.user).filter(agreement=agreement)}
