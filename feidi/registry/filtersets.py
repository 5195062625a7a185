import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import IdFilter
from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import scoped_filterset
from feidi.core.models import DictItem

from .models import Agreement
from .models import Commitment
from .models import Organization
from .models import OrganizationLabel
from .models import Person
from .models import Residency
from .models import Zone

ZoneFilterSet = scoped_filterset(Zone, ["kind"], search=("name", "short_name", "host_region"),
    kind=django_filters.ModelChoiceFilter(label=_("类型"), queryset=DictItem.objects.filter(type__code="zone_kind")))


class OrganizationFilterSet(ScopedFilterSet):
    search_fields = ("name", "uscc")
    zone = django_filters.ModelChoiceFilter(label=_("园区"), queryset=Zone.objects.all())
    industry = django_filters.CharFilter(label=_("行业代码"), field_name="industry_code",
                                         lookup_expr="startswith")
    label = django_filters.ModelChoiceFilter(label=_("标签"),
                                             queryset=DictItem.objects.filter(type__code="org_label"),
                                             field_name="labels__label", distinct=True)
    # from the home page's label cards: the holders of a label valid today (有效认定)
    valid_label = IdFilter("labels__label", label=_("有效认定"), method="filter_valid_label")

    class Meta:
        model = Organization
        fields = ["kind", "zone", "industry", "label"]

    def filter_valid_label(self, queryset, name, value):
        if value is None:
            return queryset
        held = OrganizationLabel.objects.filter(label_id=value).valid_on(timezone.localdate())
        return queryset.filter(pk__in=held.values("organization_id"))


PersonFilterSet = scoped_filterset(Person, ["kind"], search=("name", "title", "organization__name", "field"),
    organization=IdFilter("organization_id"))


ResidencyFilterSet = scoped_filterset(Residency, ["enclave", "status"], search=("organization__name", "enclave__name"),
    enclave=django_filters.ModelChoiceFilter(label=_("飞地"), queryset=Zone.objects.filter(kind__extra__enclave=True)),
    organization=IdFilter("organization_id"))


AgreementFilterSet = scoped_filterset(Agreement, search=("title", "party_a", "party_b"),
    signed_after=django_filters.DateFilter(label=_("签署不早于"), field_name="signed_on", lookup_expr="gte"))


class OrganizationLabelFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "note")
    label = django_filters.ModelChoiceFilter(label=_("标签"), queryset=DictItem.objects.filter(type__code="org_label"))
    organization = IdFilter("organization_id")
    current = django_filters.BooleanFilter(label=_("仅有效"), method="filter_current")

    class Meta:
        model = OrganizationLabel
        fields = ["label", "organization"]

    def filter_current(self, queryset, name, value):
        """仅有效: the labels valid today (``LabelQuerySet.valid_on``); ``false``: the others."""
        if value is None:
            return queryset
        valid = queryset.valid_on(timezone.localdate())
        return valid if value else queryset.exclude(pk__in=valid.values("pk"))


CommitmentFilterSet = scoped_filterset(Commitment, ["agreement", "status"], search=("content", "owner", "agreement__title"),
    agreement=django_filters.ModelChoiceFilter(label=_("协议"), queryset=Agreement.objects.all()))
