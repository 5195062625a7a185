import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import scoped_filterset

from .models import Chain
from .models import Segment
from .models import SegmentMember
from .models import Target

ChainFilterSet = scoped_filterset(Chain, search=("name", "leader__full_name"))
SegmentFilterSet = scoped_filterset(Segment, ["chain"], search=("name", "description"),
    chain=django_filters.ModelChoiceFilter(label=_("产业链"), queryset=Chain.objects.all()))


class SegmentMemberFilterSet(ScopedFilterSet):
    search_fields = ("organization__name",)
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="segment__chain",
                                             queryset=Chain.objects.all())
    segment = django_filters.ModelChoiceFilter(label=_("环节"), queryset=Segment.objects.all())

    class Meta:
        model = SegmentMember
        fields = ["chain", "segment", "role"]


class TargetFilterSet(ScopedFilterSet):
    search_fields = ("organization__name", "reason")
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="segment__chain",
                                             queryset=Chain.objects.all())
    segment = django_filters.ModelChoiceFilter(label=_("环节"), queryset=Segment.objects.all())

    class Meta:
        model = Target
        fields = ["chain", "segment", "priority", "status"]
