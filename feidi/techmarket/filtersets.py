"""Filters of the market's lists (pages and API alike): field, chain, segment, kind, status,
transfer mode, maturity, region and a keyword over the texts."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.chains.models import Chain
from feidi.chains.models import Segment
from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import date_range
from feidi.core.models import DictItem
from feidi.lib.script import traditional_forms
from feidi.registry.models import Zone

from .forms import SegmentChoiceField
from .forms import chain_choices
from .forms import segment_choices
from .matching.terms import normalize_text
from .models import Demand
from .models import Maturity
from .models import Push
from .models import Supply
from .models import Talent
from .models import ThesaurusEntry
from .models import TransferMode
from .todos import pushes_to_answer


def _fields():
    return DictItem.objects.filter(type__code="tech_field", active=True).order_by("order", "code")


def _choices(filterset, name, queryset) -> None:
    """Replace a choice filter's rows (the form is already built by the base class)."""
    filterset.filters[name].queryset = queryset
    filterset.form.fields[name].queryset = queryset


class SegmentFilter(django_filters.ModelChoiceFilter):
    field_class = SegmentChoiceField


def thesaurus_equivalents(value: str) -> list[str]:
    """The equivalents of ``value`` in the active thesaurus entries, read with one query of the
    entries that may hold it (the match is then exact on the normalised member)."""
    from .matching import thesaurus

    folded = " ".join(normalize_text(value).split())
    if not folded or len(folded) > 100:
        return []
    rows = ThesaurusEntry._base_manager.filter(active=True).filter(
        Q(term__iexact=folded) | Q(equivalents__icontains=folded))
    return thesaurus.equivalents_of(folded, thesaurus.from_rows(rows))


class MarketFilterSet(ScopedFilterSet):
    search_fields = ("title", "keywords", "description", "organization__name")
    field = django_filters.ModelChoiceFilter(label=_("技术领域"), queryset=DictItem.objects.none())
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="segment__chain",
                                             queryset=Chain.objects.all())
    segment = SegmentFilter(label=_("产业链环节"), queryset=Segment.objects.none())
    region = django_filters.CharFilter(label=_("所在地区"), field_name="organization__region",
                                       lookup_expr="icontains")
    mine = django_filters.BooleanFilter(label=_("发布单位"), method="filter_mine", widget=forms.Select(
        choices=[("", _("全部")), ("true", _("本单位")), ("false", _("其他单位"))]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "field", _fields())
        # An organization's user filters by the chains it may pick from, without seeing their rows.
        _choices(self, "chain", chain_choices(self.user))
        _choices(self, "segment", segment_choices(self.user))
        self.form.fields["q"].widget.attrs["placeholder"] = gettext("名称、描述、关键词、单位，可用缩写或同义词")
        self.form.fields["region"].widget.attrs["placeholder"] = gettext("如：上海")
        if self.user is None or not self.user.organization_id:
            self.filters.pop("mine")
            self.form.fields.pop("mine")

    def search_words(self, value: str) -> list[str]:
        """The text as typed and folded (the shared filter set's: "ＨＪＴ" finds HJT, 異質結 finds
        异质结); the text as Hong Kong and Taiwan write it, since institutions there post records in
        traditional characters (钙钛矿 finds 鈣鈦礦, 软件 finds 軟體: ``script.traditional_forms``);
        and, when it is a member of an active thesaurus entry, the entry's other members: "SHJ"
        finds the supplies that say 异质结 (``thesaurus.equivalents_of``)."""
        typed = super().search_words(value)  # as typed, then folded
        return list(dict.fromkeys([*typed, *traditional_forms(typed[-1]), *thesaurus_equivalents(value)]))

    def filter_mine(self, queryset, name, value):
        if value is None or self.user is None or not self.user.organization_id:
            return queryset
        own = {"organization_id": self.user.organization_id}
        return queryset.filter(**own) if value else queryset.exclude(**own)


class DemandFilterSet(MarketFilterSet):
    region = django_filters.CharFilter(label=_("所在地区"), method="filter_region")

    class Meta:
        model = Demand
        fields = ["field", "chain", "segment", "kind", "status", "region"]

    def filter_region(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(organization__region__icontains=value) | queryset.filter(
            organization__zone__host_region__icontains=value)


class SupplyFilterSet(MarketFilterSet):
    transfer_mode = django_filters.ChoiceFilter(label=_("转化方式"), choices=TransferMode.choices)
    maturity = django_filters.ChoiceFilter(label=_("成熟度"), choices=Maturity.choices)

    class Meta:
        model = Supply
        fields = ["field", "chain", "segment", "transfer_mode", "maturity", "status", "region"]


class PushFilterSet(ScopedFilterSet):
    search_fields = ("demand__title", "supply__title", "demand__organization__name", "supply__organization__name")
    feedback = django_filters.ChoiceFilter(label=_("反馈"), method="filter_feedback", choices=[
        ("pending", _("待我反馈")), ("interested", _("有方感兴趣")), ("not_interested", _("有方不感兴趣"))])
    chain = django_filters.ModelChoiceFilter(label=_("产业链"), field_name="demand__segment__chain",
                                             queryset=Chain.objects.all())

    class Meta:
        model = Push
        fields = ["direction", "feedback", "chain"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "chain", chain_choices(self.user))
        self.form.fields["q"].widget.attrs["placeholder"] = gettext("需求、成果或单位名称")

    def filter_feedback(self, queryset, name, value):
        if value == "pending":
            org = getattr(self.user, "organization_id", None)
            if not org:
                return queryset.filter(demand_feedback="", supply_feedback="")
            # 待我反馈: what 我的待办 counts (``todos.pushes_to_answer``)
            return pushes_to_answer(queryset, self.user)
        if value in ("interested", "not_interested"):
            return queryset.filter(demand_feedback=value) | queryset.filter(supply_feedback=value)
        return queryset


class TalentFilterSet(ScopedFilterSet):
    search_fields = ("person__name", "title", "note", "employer__name")
    field = django_filters.ModelChoiceFilter(label=_("专业领域"), queryset=DictItem.objects.none())
    enclave = django_filters.ModelChoiceFilter(label=_("引进飞地"), queryset=Zone.objects.all())
    after, before = date_range("introduced_on", _("引进日期从"))

    class Meta:
        model = Talent
        fields = ["field", "enclave", "how"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "field", _fields())
        _choices(self, "enclave", Zone.objects.visible_to(self.user).filter(kind__extra__enclave=True).order_by("name"))
        self.form.fields["q"].widget.attrs["placeholder"] = gettext("姓名、头衔、单位")


class ThesaurusEntryFilterSet(ScopedFilterSet):
    search_fields = ("term", "equivalents", "broader", "related")
    chain = django_filters.ChoiceFilter(label=_("产业链/领域"), choices=())

    class Meta:
        model = ThesaurusEntry
        fields = ["chain", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chains = (ThesaurusEntry.objects.visible_to(self.user).exclude(chain="").order_by("chain")
                  .values_list("chain", flat=True).distinct())
        choices = [(c, c) for c in chains]
        self.filters["chain"].extra["choices"] = choices
        self.form.fields["chain"].choices = [("", "---------"), *choices]
        self.form.fields["q"].widget.attrs["placeholder"] = gettext("术语、同义词、上位词、相关词")
