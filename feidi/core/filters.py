"""FilterSet base shared by list pages and the API: choice lists go through the scope layer too."""

from __future__ import annotations

import unicodedata

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case
from django.db.models import IntegerField
from django.db.models import Q
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import MAX_ID
from feidi.core.scope import offered
from feidi.lib.script import simplified

SEARCH_RANK = "search_rank"  # the annotation of a keyword search's rows (``ScopedFilterSet.filter_search``)


def by_relevance(queryset):
    """Whether ``queryset`` went through a keyword search and can be ordered by its rank."""
    return SEARCH_RANK in queryset.query.annotations


def _to_many(model, path: str) -> bool:
    """Whether the lookup ``path`` from ``model`` crosses a to-many relation."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a transform or lookup, not a field: the path ends here
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def _never_empty(model, path: str) -> bool:
    """Whether every row of ``model`` has a value at ``path`` (a field, or a chain of to-one
    relations none of which may be empty); False when the path cannot be followed."""
    from django.core.exceptions import FieldDoesNotExist

    for part in path.split("__"):
        if model is None:  # a lookup after a plain field (a date's __year)
            return False
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if getattr(field, "null", True) or field.many_to_many or field.one_to_many or (
                getattr(field, "blank", False) and not field.is_relation and not getattr(field, "choices", None)):
            return False
        model = field.related_model if field.is_relation else None
    return True


class ScopedFilterSet(django_filters.FilterSet):
    """``q`` searches ``search_fields``; every model-choice filter offers only visible rows."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("关键词"), method="filter_search")

    def __init__(self, data=None, queryset=None, *, user=None, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user
        model = self._meta.model or getattr(queryset, "model", None)
        for f in self.filters.values():
            # （空） only where a row can have none: a status or a kind every row has offered it on
            # 59 lists, and it found nothing
            if isinstance(f, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter,
                              django_filters.ModelMultipleChoiceFilter, django_filters.MultipleChoiceFilter)) \
                    and model is not None and "null_label" not in f.extra and _never_empty(model, f.field_name):
                f.extra["null_label"] = None
            qs = getattr(f, "queryset", None)
            if getattr(qs, "model", None) is not None:
                f.queryset = offered(qs, user)
        for name, field in self.form.fields.items():
            widget = field.widget
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs.setdefault("class", css)
            if name == "q":
                widget.attrs.setdefault("placeholder", gettext("名称、代码…"))
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = gettext("全部")
            if isinstance(widget, forms.NullBooleanSelect):  # not filtering: 全部, not Django's 未知
                widget.choices = [(value, gettext("全部") if value == "unknown" else label)
                                  for value, label in widget.choices]
            if isinstance(field, forms.DateField):
                widget.input_type = "date"

    def filter_search(self, queryset, name, value):
        """The rows holding any of ``search_words`` in any of ``search_fields``, annotated with
        their ``SEARCH_RANK``: a first field (the name, the title) equal to a word ranks first,
        then the row whose earliest field holds one (``search_fields`` are listed most telling
        first), so that a list searched and not sorted shows the rows named so before those that
        mention it (``by_relevance``)."""
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        words = self.search_words(value)

        def holding(field, lookup="icontains"):
            q = Q()
            for word in words:
                q |= Q(**{f"{field}__{lookup}": word})
            return q

        n = len(self.search_fields)
        model = queryset.model
        # a field across a to-many relation would repeat the row once per related record: it
        # finds rows, and ranks them last
        ranked = [(i, f) for i, f in enumerate(self.search_fields) if not _to_many(model, f)]
        whens = [When(holding(f), then=Value(n - i)) for i, f in ranked]
        if ranked and ranked[0][0] == 0:
            whens.insert(0, When(holding(self.search_fields[0], "iexact"), then=Value(n + 1)))
        rank = Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0)
        own = Q()
        for field in self.search_fields:
            if "__" not in field:
                own |= holding(field)
        across = [f for f in self.search_fields if "__" in f]
        if not across:
            found = own
        else:
            # One OR over the list's own columns and a related table's (the organization's name)
            # makes PostgreSQL test every joined row, as no index serves a condition across a join.
            # Each table searched apart, as a subquery of ids, reads its trigram indexes
            # (core/trigram.py); the list only looks the ids up (and a to-many field repeats none).
            rows = model._base_manager
            found = Q(pk__in=rows.filter(own).values("pk")) if own else Q()
            for field in across:
                first, rest = field.split("__", 1)
                relation = model._meta.get_field(first)
                if relation.many_to_one or (relation.one_to_one and relation.concrete):
                    # the related rows that hold the word, as ids: few, and the list's key to them indexed
                    related = relation.related_model._base_manager.filter(holding(rest)).values("pk")
                    found |= Q(**{f"{first}__in": related})
                else:
                    found |= Q(pk__in=rows.filter(holding(field)).values("pk"))
        return queryset.filter(found).annotate(**{SEARCH_RANK: rank})

    def search_words(self, value: str) -> list[str]:
        """The words ``q`` finds a row by, any one in any of ``search_fields``: the text itself and
        its folded form — full-width letters and digits as half-width (ＡＢＣ１２３, what a Chinese
        input method leaves), traditional characters as simplified (華為 finds 华为) — (a list
        whose field has synonyms adds them, as the market's lists the thesaurus's)."""
        return list(dict.fromkeys([value, " ".join(simplified(unicodedata.normalize("NFKC", value)).split())]))


class MineFilter(django_filters.BooleanFilter):
    """``?mine=true``: the rows whose ``field_name`` (a user) is the signed-in user; ``false``: the others."""

    def __init__(self, field_name: str = "owner", label: str = _("我负责的"), **kwargs):
        super().__init__(field_name=field_name, label=label, **kwargs)

    def filter(self, qs, value):
        user = getattr(self.parent, "user", None)
        if value is None or user is None:
            return qs
        own = {f"{self.field_name}_id": user.pk}
        return qs.filter(**own) if value else qs.exclude(**own)


class IdFilter(django_filters.NumberFilter):
    """``?<name>=<id>`` from a link (an organization's page, an item's page): a hidden field, as a
    select of every related record would not scale."""

    def __init__(self, field_name: str, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        # an id the database can hold: a larger number is the filter's error, not the driver's overflow
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(field_name=field_name, **kwargs)


OVERDUE = _("已逾期")


class OverdueFilter(django_filters.BooleanFilter):
    """``?overdue=true``: the open rows (``status`` in ``open_statuses``) past their ``deadline``, a
    date-time; ``false``: the others."""

    def __init__(self, open_statuses, label: str = OVERDUE, **kwargs):
        super().__init__(label=label, **kwargs)
        self.open_statuses = open_statuses

    def filter(self, qs, value):
        from django.utils import timezone

        if value is None:
            return qs
        overdue = qs.filter(status__in=self.open_statuses, deadline__lt=timezone.now())
        return overdue if value else qs.exclude(pk__in=overdue.values("pk"))


def date_range(field_name: str, start_label, end_label=None, *, on_date: bool = False):
    """The "from … to …" pair of date filters on ``field_name``, both ends inclusive;
    ``on_date`` compares a date-time field by its date. Unpack into two declared filters:
    ``after, before = date_range("signed_on", _("签约日期从"))``."""
    lookup = "date__" if on_date else ""
    end_label = _("至") if end_label is None else end_label
    return (django_filters.DateFilter(label=start_label, field_name=field_name, lookup_expr=f"{lookup}gte"),
            django_filters.DateFilter(label=end_label, field_name=field_name, lookup_expr=f"{lookup}lte"))


def scoped_filterset(model, fields=(), *, search=None, base=ScopedFilterSet, name=None, **filters):
    """A ``base`` filter set for ``model`` filtering on ``fields`` and searching ``search`` (else
    what ``base`` searches), with any extra declared ``filters``: most list pages need nothing
    more, and a class statement for each repeated the same Meta. The class gets the usual
    ``<Model>FilterSet`` name (or ``name``, for a second one on the model) and the caller's
    module, so it reads and pickles like a declared one."""
    import sys

    attrs = {
        "__module__": sys._getframe(1).f_globals.get("__name__", __name__),
        "Meta": type("Meta", (), {"model": model, "fields": list(fields)}),
        **filters,
    }
    if search is not None:
        attrs["search_fields"] = tuple(search)
    return type(name or f"{model.__name__}FilterSet", (base,), attrs)
