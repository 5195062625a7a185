"""揭榜挂帅's filters: challenges (协同发榜, still open), applications by challenge, joint projects."""

import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import scoped_filterset
from feidi.core.workbench import WaitingFilter

from . import todos
from .models import Application
from .models import Challenge
from .models import JointProject


def _yes_no(label, method: str) -> django_filters.BooleanFilter:
    """A yes/no filter as every list has them (true/false, as the API's other flags take)."""
    return django_filters.BooleanFilter(label=label, method=method)


class ChallengeFilterSet(ScopedFilterSet):
    search_fields = ("title", "demand__title", "demand__organization__name", "joint_partner")
    joint = _yes_no(_("协同发榜"), "filter_joint")
    open_only = _yes_no(_("可揭榜（未截止）"), "filter_open")
    award = WaitingFilter(todos.challenges_to_award, _("评审完毕待定榜的榜单"))

    class Meta:
        model = Challenge
        fields = ["status", "joint"]

    def filter_joint(self, queryset, name, value):
        return queryset if value is None else queryset.filter(joint=value)

    def filter_open(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        live = {"status": "open", "deadline__gte": timezone.localdate()}
        return queryset.filter(**live) if value else queryset.exclude(**live)


ApplicationFilterSet = scoped_filterset(Application, ["challenge", "status"],
    search=("applicant__name", "challenge__title", "proposal"),
    challenge=django_filters.ModelChoiceFilter(label=_("榜单"), queryset=Challenge.objects.all()),
    review=WaitingFilter(todos.applications_to_score, _("待评审的揭榜申请")))


class JointProjectFilterSet(ScopedFilterSet):
    search_fields = ("title", "parties__organization__name")
    transferred = _yes_no(_("已转化落地"), "filter_transferred")

    class Meta:
        model = JointProject
        fields = ["status", "transferred"]

    def filter_transferred(self, queryset, name, value):
        return queryset if value is None else queryset.filter(home_project__isnull=not value)

    def filter_search(self, queryset, name, value):
        return super().filter_search(queryset, name, value).distinct()
