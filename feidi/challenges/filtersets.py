import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet

from .models import Application, Challenge, JointProject

YES_NO = (("1", _("是")), ("0", _("否")))


class ChallengeFilterSet(ScopedFilterSet):
    search_fields = ("title", "demand__title", "demand__organization__name", "joint_partner")
    joint = django_filters.ChoiceFilter(label=_("协同发榜"), choices=YES_NO, method="filter_joint",
                                        empty_label=_("全部"))
    open_only = django_filters.ChoiceFilter(label=_("可揭榜（未截止）"), choices=YES_NO, method="filter_open",
                                            empty_label=_("全部"))

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
    challenge = django_filters.ModelChoiceFilter(label=_("榜单"), queryset=Challenge.objects.all())

    class Meta:
        model = Application
        fields = ["challenge", "status"]


class JointProjectFilterSet(ScopedFilterSet):
    search_fields = ("title", "parties__organization__name")
    transferred = django_filters.ChoiceFilter(label=_("已转化落地"), choices=YES_NO, method="filter_transferred",
                                              empty_label=_("全部"))

    class Meta:
        model = JointProject
        fields = ["status", "transferred"]

    def filter_transferred(self, queryset, name, value):
        return queryset.filter(home_project__isnull=value != "1") if value else queryset

    def filter_search(self, queryset, name, value):
        return super().filter_search(queryset, name, value).distinct()
