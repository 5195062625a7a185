import django_filters
from django.utils.translation import gettext_lazy as _

from feidi.core.filters import ScopedFilterSet
from feidi.core.filters import scoped_filterset

from .models import NewsItem
from .models import Source


class NewsItemFilterSet(ScopedFilterSet):
    search_fields = ("title", "source", "org_name")
    published_on = django_filters.DateFromToRangeFilter(label=_("发布日期"))
    min_score = django_filters.NumberFilter(label=_("评分不低于"), field_name="score", lookup_expr="gte")

    class Meta:
        model = NewsItem
        fields = ["status", "doc_kind", "source_kind", "chain_name", "event_type", "published_on", "min_score"]


SourceFilterSet = scoped_filterset(Source, ["kind", "active"], search=("name", "location"))
