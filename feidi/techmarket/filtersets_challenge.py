import django_filters

from feidi.core.filters import ScopedFilterSet

from .models import Application, Challenge, JointProject

YES_NO = (("1", "是"), ("0", "否"))


class ChallengeFilterSet(ScopedFilterSet):
    search_fields = ("title", "demand__title", "demand__organization__name", "joint_partner")
    joint = django_filters.ChoiceFilter(label="协同发榜", choices=YES_NO, method="filter_joint", empty_label="全部")
    open_only = django_filters.ChoiceFilter(label="可揭榜（未截止）", choices=YES_NO, method="filter_open",
                                            empty_label="全部")

    class Meta:
        model = Challenge
        fields = ["status", "joint"]

    def filter_joint(self, queryset, name, value):
        return queryset.filter(joint=value == "1") if value else queryset

    def filter_open(self, queryset, name, value):
        from django.utils import timezone

        if not value:
            return queryset
        live = {"status": "open", "deadline__gte": timezone.localdate()}
        return queryset.filter(**live) if value == "1" else queryset.exclude(**live)


class ApplicationFilterSet(ScopedFilterSet):
    search_fields = ("applicant__name", "challenge__title", "proposal")
    challenge = django_filters.ModelChoiceFilter(label="榜单", queryset=Challenge.objects.all())

    class Meta:
        model = Application
        fields = ["challenge", "status"]


class JointProjectFilterSet(ScopedFilterSet):
    search_fields = ("title", "parties__organization__name")
    transferred = django_filters.ChoiceFilter(label="已转化落地", choices=YES_NO, method="filter_transferred",
                                              empty_label="全部")

    class Meta:
        model = JointProject
        fields = ["status", "transferred"]

    def filter_transferred(self, queryset, name, value):
        return queryset.filter(home_project__isnull=value != "1") if value else queryset

    def filter_search(self, queryset, name, value):
        return super().filter_search(queryset, name, value).distinct()
