"""FilterSet base shared by list pages and the API: choice lists go through the scope layer too."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ScopedFilterSet(django_filters.FilterSet):
    """``q`` searches ``search_fields``; every model-choice filter offers only visible rows."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("关键词"), method="filter_search")

    def __init__(self, data=None, queryset=None, *, user=None, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            model = getattr(qs, "model", None) if qs is not None else None
            if model is not None and hasattr(model, "scope") and hasattr(model.objects, "visible_to"):
                f.queryset = model.objects.visible_to(user)
        for name, field in self.form.fields.items():
            widget = field.widget
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs.setdefault("class", css)
            if name == "q":
                widget.attrs.setdefault("placeholder", gettext("名称、代码…"))
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = gettext("全部")
            if isinstance(field, forms.DateField):
                widget.input_type = "date"

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)


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
