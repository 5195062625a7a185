"""ModelForm base: Tabler widgets, and every choice of a related row offered through the scope layer."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError
from django.db import models

from feidi.core.fields import MonthFormField
from feidi.core.scope import offered
from feidi.core.scope import with_current

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def style_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            # a tick box or a group of them (CheckboxSelectMultiple is a RadioSelect): form-control
            # would draw each box without its tick, ticked or not
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.Textarea):
            widget.attrs["rows"] = 3


def mark_invalid(form: forms.BaseForm) -> None:
    """Give fields with errors Bootstrap's red border."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            classes = widget.attrs.get("class", "")
            if "is-invalid" not in classes.split():
                widget.attrs["class"] = (classes + " is-invalid").strip()


def surface_hidden_errors(form: forms.BaseForm) -> None:
    """An error on a field the page does not show (a hidden input, a field the form dropped) goes to
    the top of the form with the field's name, so a refused save always says why."""
    for name in [n for n in form.errors if n != NON_FIELD_ERRORS]:
        field = form.fields.get(name)
        if field is not None and not field.widget.is_hidden:
            continue
        label = field.label if field is not None else name
        for error in form.errors.pop(name):
            form.add_error(None, f"{label}：{error}")


class StyledFormMixin:
    def full_clean(self):
        super().full_clean()
        surface_hidden_errors(self)
        mark_invalid(self)


class ScopedModelForm(StyledFormMixin, forms.ModelForm):
    # Unique fields an importer has checked for the whole file at once (one query, not one a row).
    unique_checked: frozenset[str] = frozenset()
    _checking_unique = False

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if not self._checking_unique:
            # A related row the form field fetched through the user's scope exists: the model's
            # own check would fetch it again (the database's foreign key still guards the write).
            # Uniqueness and constraints are still checked with these fields (see below).
            exclude |= {name for name, field in self.fields.items()
                        if isinstance(field, forms.ModelChoiceField)
                        and not isinstance(field, forms.ModelMultipleChoiceField)
                        and isinstance(self.cleaned_data.get(name), models.Model)}
        return exclude

    def validate_unique(self):
        self._checking_unique = True
        try:
            if not self.unique_checked:
                super().validate_unique()
                return
            exclude = self._get_validation_exclusions() | set(self.unique_checked)
            try:
                self.instance.validate_unique(exclude=exclude)
            except ValidationError as exc:
                self._update_errors(exc)
        finally:
            self._checking_unique = False

    def validate_constraints(self):
        self._checking_unique = True
        try:
            super().validate_constraints()
        finally:
            self._checking_unique = False

    def __getitem__(self, name):
        # every path to a field's value or widget (rendering, cleaning) comes through here, after
        # the subclass's __init__ has set its own choices
        if not self._current_offered:
            self._current_offered = True
            self._offer_current()
        return super().__getitem__(name)

    def _offer_current(self) -> None:
        """The record's present links stay among their field's choices (``scope.with_current``):
        a relation the editor's scope (or the subclass's narrower choices) does not reach is shown
        and kept, not blanked, refused, or dropped from a many-to-many on an unchanged save."""
        if self.instance.pk is None:
            return
        opts = self.instance._meta
        for name, field in self.fields.items():
            qs = getattr(field, "queryset", None)
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:  # a form field of its own, not the model's
                continue
            if (qs is None or not isinstance(model_field, models.Field) or not model_field.is_relation
                    or model_field.related_model is not qs.model):  # forward relations only
                continue
            if model_field.many_to_many:
                current = getattr(self.instance, name).values("pk")
            elif model_field.many_to_one or model_field.one_to_one:
                value = getattr(self.instance, model_field.attname)
                if value is None:
                    continue
                target = model_field.target_field.name  # the key the column holds
                current = [value] if model_field.target_field.primary_key else \
                    qs.model._base_manager.filter(**{target: value}).values("pk")
            else:
                continue
            field.queryset = with_current(qs, current)

    _current_offered = False

    def _clean_fields(self):
        self._bound_ids()
        super()._clean_fields()
        # a one-line field holds one line: a pasted line break or control character (which would
        # start a new line in a robot message, a Word report or an export cell) becomes a space
        for name, value in list(self.cleaned_data.items()):
            field = self.fields.get(name)
            if (isinstance(value, str) and isinstance(field, forms.CharField)
                    and isinstance(field.widget, forms.TextInput) and _CONTROL.search(value)):
                self.cleaned_data[name] = " ".join(_CONTROL.sub(" ", value).split())

    def _bound_ids(self):
        """A choice posted as an id no key holds (99999999999999999999999999, −10²⁰) is no choice:
        replaced by one that matches nothing, it gets the field's own 选择有效的选项 error — the
        driver's overflow answered 500 on any form with a relation."""
        from .fields import MAX_ID

        def oversized(value) -> bool:
            text = str(value).strip().lstrip("+-")
            return text.isascii() and text.isdigit() and int(text) > MAX_ID

        data = None
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or field.disabled:
                continue
            key = self.add_prefix(name)
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data.get(key)]
            if any(v is not None and oversized(v) for v in values):
                data = data if data is not None else self.data.copy()
                kept = ["0" if v is not None and oversized(v) else v for v in values]
                data.setlist(key, kept) if hasattr(data, "setlist") else data.__setitem__(key, kept[0])
        if data is not None:
            self.data = data

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if getattr(qs, "model", None) is not None:
                field.queryset = offered(qs, user)
            if isinstance(getattr(field, "widget", None), forms.DateInput) and not isinstance(field, MonthFormField):
                field.widget.input_type = "date"
                field.widget.format = "%Y-%m-%d"
        concrete = {f.name for f in self._meta.model._meta.fields}
        for name, field in self.fields.items():
            model_field = self._meta.model._meta.get_field(name) if name in concrete else None
            if model_field is not None and model_field.get_internal_type() == "DateField":
                month = isinstance(field, MonthFormField)
                field.widget = forms.DateInput(attrs={"type": "month" if month else "date"},
                                               format="%Y-%m" if month else "%Y-%m-%d")
        style_fields(self)


def scoped_form(model, fields, *, base=ScopedModelForm, name=None, **attrs):
    """A ``base`` model form (a class, or a tuple of mixins and a form) editing ``fields`` of
    ``model``: most edit pages need nothing more, and a class statement for each repeated the same
    Meta. The class gets the usual ``<Model>Form`` name (or ``name``) and the caller's module,
    as ``core.filters.scoped_filterset`` does for filter sets."""
    import sys

    bases = base if isinstance(base, tuple) else (base,)
    attrs = {
        "__module__": sys._getframe(1).f_globals.get("__name__", __name__),
        "Meta": type("Meta", (), {"model": model, "fields": list(fields)}),
        **attrs,
    }
    return type(name or f"{model.__name__}Form", bases, attrs)


class ColleagueChoicesMixin:
    """People and units to assign work to: the staff and departments of the record's zone — of the
    editing user's own zone for a record not yet placed (the directory rule of
    ``User.objects.colleagues_of``), whatever one's data scope — and whom the record names already."""

    colleague_fields: tuple[str, ...] = ()
    zone_department_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from feidi.accounts.models import Department
        from feidi.accounts.models import User

        from .scope import with_current

        instance = getattr(self, "instance", None)
        place = instance.department if getattr(instance, "department_id", None) else None
        acted_by = getattr(self._meta.model, "acted_by", {}) if hasattr(self, "_meta") else {}
        for name in self.colleague_fields:
            if name in self.fields:
                people = User.objects.staff_of(place) if place is not None else User.objects.colleagues_of(self.user)
                if name in acted_by:  # only those who can do the work (``core.actions.check_people``)
                    people = people.holding(acted_by[name])
                current = getattr(instance, f"{name}_id", None) if instance is not None else None
                self.fields[name].queryset = with_current(people, [current]) if current else people
        for name in self.zone_department_fields:
            if name in self.fields:
                ids = (place.zone_subtree_ids() if place is not None
                       else self.user.zone_subtree_ids() if self.user is not None and self.user.department_id else [])
                current = getattr(instance, f"{name}_id", None) if instance is not None else None
                units = Department.objects.filter(pk__in=ids).order_by("path")
                self.fields[name].queryset = with_current(units, [current]) if current else units
