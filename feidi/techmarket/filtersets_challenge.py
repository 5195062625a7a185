import django_filters

from feidi.core.filters import ScopedFilterSet

from .models import Application, Challenge, JointProject


class ChallengeFilterSet(ScopedFilterSet):
    search_fields = ("title", "demand__title", "demand__organization__name", "joint_partner")
    joint = django_filters.BooleanFilter(label="协同发榜")
    open_only = django_filters.BooleanFilter(label="揭榜中且未截止", method="filter_open")

    class Meta:
        model = Challenge
        fields = ["status", "joint"]

    def filter_open(self, queryset, name, value):
        from django.utils import timezone

        if value is None:
            return queryset
        live = {"status": "open", "deadline__gte": timezone.localdate()}
        return queryset.filter(**live) if value else queryset.exclude(**live)


class ApplicationFilterSet(ScopedFilterSet):
    search_fields = ("applicant__name", "challenge__title", "proposal")
    challenge = django_filters.ModelChoiceFilter(label="榜单", queryset=Challenge.objects.all())

    class Meta:
        model = Application
        fields = ["challenge", "status"]


class JointProjectFilterSet(ScopedFilterSet):
    search_fields = ("title", "parties__organization__name")
    transferred = django_filters.BooleanFilter(label="已转化落地", field_name="home_project", lookup_expr="isnull",
                                               exclude=True)

    class Meta:
        model = JointProject
        fields = ["status", "transferred"]

    def filter_search(self, queryset, name, value):
        return super().filter_search(queryset, name, value).distinct()
