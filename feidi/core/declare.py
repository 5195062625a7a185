"""One declaration per record type, from which its pages, URLs, menu entry and API routes follow.

An app says once what a record type is made of — model, URL prefix, form, filterset, table —
and where it needs more than the generic pages, registers its own view for that kind
(NetBox's ``register_model_view``)::

    declare.model(Zone, "zones", form=ZoneForm, filterset=ZoneFilterSet, table=ZoneTable,
                  select_related=("kind",), menu=declare.Entry("registry", gettext_noop("园区与飞地")))

    @declare.view(Zone, "detail")
    class ZoneDetailView(ObjectDetailView): ...

A page that is not one of a record type's five (an action on a record, a dashboard, a report)
routes itself where it is written::

    @declare.route("library/<int:pk>/effect/", "policy_effect")
    class PolicyEffectView(ObjectDetailView): ...

``urls(app_label)`` routes every declaration of the app (``<app>:<model>_list/add/detail/edit/
delete``) and then every routed view of the app in the order the views were written, so an
app's ``urls.py`` is one line; ``menu_items(menu_key)`` gives the menu's entries in declaration order, and the
generated scope test walks ``REGISTRY``: a declared model is checked without anyone writing a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Annotated

from django.core.exceptions import ValidationError

KINDS = ("list", "detail", "edit", "delete")
OVERRIDABLE = (*KINDS, "add")  # "add": a page of its own for new records (else the edit form)
PAGES = ("list", "add", "detail", "edit", "delete")  # routed in this order, ``<model>_<page>``


@dataclass(frozen=True)
class Entry:
    """The menu entry of a declared model: the menu it sits in, its label (``gettext_noop``) and,
    in a menu that also has hand-made entries (a dashboard, an intake page), its place among them."""

    menu: str
    label: str
    org_users: bool = False
    position: int | None = None


@dataclass
class ModelDeclaration:
    model: type
    prefix: str
    form: type | None = None
    filterset: type | None = None
    table: type | None = None
    select_related: tuple[str, ...] = ()
    menu: Entry | None = None
    edit_base: type | None = None
    list_base: type | None = None
    edit_attrs: dict = field(default_factory=dict)
    overrides: dict[str, type] = field(default_factory=dict)
    _built: dict[str, type] | None = None
    pages: tuple[str, ...] = PAGES  # the pages routed (a bid has no edit page, a lot no delete page)
    list_attrs: dict = field(default_factory=dict)  # onto the generated list page (empty_hint, offer_add …)

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    def views(self) -> dict[str, type]:
        """The four view classes: a registered override where there is one, else the generic view
        made for this model (built once, at the first URL conf load)."""
        if self._built is None:
            from .views import crud_views

            generated = dict(zip(KINDS, crud_views(
                self.model, form_class=self.form, filterset_class=self.filterset, table_class=self.table,
                select_related=self.select_related, edit_base=self.edit_base, list_base=self.list_base,
                **self.edit_attrs), strict=True))
            for attr, value in self.list_attrs.items():
                setattr(generated["list"], attr, value)
            self._built = {kind: self.overrides.get(kind) or generated[kind] for kind in KINDS}
            for attr, value in (("filterset_class", self.filterset), ("table_class", self.table),
                                ("form_class", self.form)):
                for view_class in self.overrides.values():  # an override names only what differs
                    if value is not None and hasattr(view_class, attr) and getattr(view_class, attr) is None:
                        setattr(view_class, attr, value)
            listing = self.overrides.get("list")
            if listing is not None and self.select_related and not listing.select_related:
                listing.select_related = self.select_related
        return self._built

    def urls(self) -> list:
        from django.urls import path

        views = {**self.views(), "add": self.overrides.get("add") or self.views()["edit"]}
        routes = {"list": "", "add": "add/", "detail": "<int:pk>/", "edit": "<int:pk>/edit/",
                  "delete": "<int:pk>/delete/"}
        return [path(f"{self.prefix}/{routes[page]}", views[page].as_view(), name=f"{self.name}_{page}")
                for page in PAGES if page in self.pages]


REGISTRY: dict[str, ModelDeclaration] = {}


@dataclass(frozen=True)
class Route:
    app_label: str
    path: str  # under the app's include, as ``django.urls.path`` takes it
    name: str
    view: type


ROUTES: dict[tuple[str, str], Route] = {}  # (app label, URL name) → route, in the order written


def model(model_class, prefix: str, *, form=None, filterset=None, table=None, select_related=(), menu=None,
          edit_base=None, list_base=None, pages=PAGES, list_attrs=None, **edit_attrs) -> ModelDeclaration:
    """Declare ``model_class``'s record pages under ``<prefix>/`` (``pages``: which of list, add,
    detail, edit, delete are routed). The generated list and edit views derive from ``list_base``
    and ``edit_base`` when given; ``list_attrs`` go onto the list view (``empty_hint``, ``offer_add``
    …), ``edit_attrs`` onto the edit view (``save_rule=actions.do_save_<model>``, ``prefill={"segment":
    Segment}`` …)."""
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise ValueError(f"unknown pages {sorted(unknown)}; of {PAGES}")
    label = model_class._meta.label_lower
    pending = REGISTRY[label].overrides if label in REGISTRY else {}
    declaration = ModelDeclaration(model_class, prefix, form, filterset, table, tuple(select_related), menu,
                                   edit_base, list_base, edit_attrs, dict(pending), pages=tuple(pages),
                                   list_attrs=dict(list_attrs or {}))
    REGISTRY[label] = declaration
    return declaration


def view(model_class, kind: str):
    """Class decorator: this view serves ``kind`` (list, detail, edit or delete) of the declared
    ``model_class`` in place of the generic one. The view's ``model`` is set when it names none;
    a view without a filterset, table, form or (a list) ``select_related`` gets the declaration's."""
    if kind not in OVERRIDABLE:
        raise ValueError(f"unknown view kind {kind!r}; one of {OVERRIDABLE}")

    def register(view_class):
        if getattr(view_class, "model", None) is None:
            view_class.model = model_class
        label = model_class._meta.label_lower
        declaration = REGISTRY.get(label)
        if declaration is None:  # the view is registered before its declaration: kept for it
            declaration = REGISTRY[label] = ModelDeclaration(model_class, "")
        declaration.overrides[kind] = view_class
        declaration._built = None
        return view_class

    return register


def route(path: str, name: str, *, app_label: str | None = None):
    """Class decorator: serve this view at ``path`` (under its app's URLs) as ``<app>:<name>``. The
    app is the one the view's module belongs to (``feidi.<app>.…``) unless ``app_label`` says
    otherwise; a view answering on two routes (the form that adds and edits) is decorated twice."""

    def register(view_class):
        app = app_label or view_class.__module__.split(".")[1]
        taken = ROUTES.get((app, name))
        if taken is not None and _qualified(taken.view) != _qualified(view_class):  # a module reloaded: kept
            raise ValueError(f"{app}:{name} is routed already, to {_qualified(taken.view)}")
        ROUTES[app, name] = Route(app, path, name, view_class)
        return view_class

    return register


def action(model_class, verb: str, rule, success, *, permission_action: str = "change", name: str | None = None,
           base=None):
    """The page that runs ``rule`` on one record of the declared ``model_class`` (a
    ``core.views.ObjectActionView``), routed at ``<the model's prefix>/<pk>/<verb>/`` as
    ``<model>_<verb>`` (or ``name``); ``base``: a subclass of it the app's actions share.
    ``DemandPublishView = declare.action(Demand, "publish",
    actions.do_publish_demand, _("需求已发布"))``."""
    import sys

    from .views import ObjectActionView

    view = type(f"{model_class.__name__}{verb.title()}View", (base or ObjectActionView,), {
        "__module__": sys._getframe(1).f_globals["__name__"], "model": model_class, "rule": staticmethod(rule),
        "success": success, "permission_action": permission_action})
    prefix = REGISTRY[model_class._meta.label_lower].prefix
    return route(f"{prefix}/<int:pk>/{verb}/", name or f"{model_class._meta.model_name}_{verb}")(view)


def _qualified(view_class) -> str:
    return f"{view_class.__module__}.{view_class.__qualname__}"


def declarations(app_label: str) -> list[ModelDeclaration]:
    return [d for d in REGISTRY.values() if d.app_label == app_label and d.prefix]


def urls(app_label: str) -> list:
    """The URL patterns of ``app_label``: the pages of every record type it declares, then every view
    it routes with ``route`` (its views modules must have been imported: the app's ``urls.py`` does)."""
    from django.urls import path

    return [*(pattern for declaration in declarations(app_label) for pattern in declaration.urls()),
            *(path(r.path, r.view.as_view(), name=r.name) for r in ROUTES.values() if r.app_label == app_label)]


def menu_items(menu_key: str, others: list | None = None, app_name: str | None = None) -> list:
    """The entries of the menu ``menu_key``: those the declarations put there, each shown to holders
    of the model's view permission, in declaration order (the order of the app's views module),
    and the hand-made ``others`` (a dashboard, a calendar); an entry with a ``position`` goes to
    that place among them. With ``app_name``, only that app's declarations (a menu several apps
    fill: each adds its own)."""
    from .navigation import Item

    items = list(others or [])
    placed = sorted(((d.menu.position, i, d) for i, d in enumerate(REGISTRY.values())
                     if d.menu is not None and d.menu.menu == menu_key and d.prefix
                     and (app_name is None or d.model.__module__.startswith(app_name + "."))),
                    key=lambda t: (t[0] is None, t[0] or 0, t[1]))
    for position, _, d in placed:
        item = Item(d.menu.label, f"{d.app_label}:{d.name}_list", f"{d.app_label}.view_{d.name}",
                    org_users=d.menu.org_users)
        items.insert(len(items) if position is None else position, item)
    return items


def api_routes(router, model_class, out_schema, *, path: str, list_summary: str | None = None,
               detail_summary: str | None = None, delete_summary: str | None = None, name: str | None = None,
               list_name: str | None = None, filterset=None, queryset=None, related: tuple[str, ...] = (),
               prefetch: tuple[str, ...] = (), order_by: tuple[str, ...] = (), page_size: int = 50,
               openapi_extra: dict | None = None, create_summary: str | None = None,
               update_summary: str | None = None) -> None:
    """The routes of ``model_class`` on ``router``, each through the scope of its action:

    - ``GET <path>`` (where a ``list_summary`` is given): the records the user may view, narrowed
      by the query string through the model's filterset (the declaration's, or ``filterset``) —
      the same filter as the list page, an invalid value a 422 naming the parameter — and
      documented as the route's query parameters; ``queryset(request)`` replaces the scoped
      records where a list shows fewer (an enterprise's own applications), ``related`` are joined,
      ``order_by`` sorts, ``page_size`` pages;
    - ``GET <path>/{pk}`` (``detail_summary``): one record, 404 outside the scope;
    - ``POST <path>`` (``create_summary``) and ``PATCH <path>/{pk}`` (``update_summary``): the
      declaration's form is the body (a record as ``<field>_id``, records as ``<record>_ids`` —
      ``_body_keys``) and its validation the API's (a field's error is a 422 naming the body's
      key), and the record is saved by the declaration's own edit page (its ``new_object`` and
      ``save_object``, so the same action and audit row as the page); a new record must lie within
      the scope of the roles that let the user add it, a change reaches only records in the
      ``change`` scope and must leave the record there (403 and nothing saved otherwise), and
      ``version`` refuses a lost update (409);
    - ``DELETE <path>/{pk}`` (``delete_summary``): 204, through the ``delete`` scope.

    Operation ids as the hand-written routes had them: ``<api module>_list_<path>`` (or
    ``list_name``), ``_get_<name>``, ``_delete_<name>``. A list whose parameters are its own (a
    sort, a flag the filterset has not) keeps its own function."""
    import sys

    from ninja import Status

    from .actions import delete_object
    from .api import Id
    from .api import model_of
    from .api import scoped_get

    label = model_class._meta.label_lower
    name = name or model_class._meta.model_name
    module = sys._getframe(1).f_globals["__name__"]
    if list_summary is not None:
        _api_list(router, model_class, out_schema, path=path, summary=list_summary, module=module,
                  name=list_name or f"list_{path.strip('/').replace('/', '_')}",
                  filterset=filterset if filterset is not None else getattr(REGISTRY.get(label), "filterset", None),
                  queryset=queryset, related=related, prefetch=prefetch, order_by=order_by, page_size=page_size,
                  openapi_extra={**model_of(label), **(openapi_extra or {})})
    if detail_summary is not None:
        def get_one(request, pk: Id):
            return scoped_get(request, model_class, pk)

        _name(get_one, f"get_{name}", module)
        get_one.__annotations__ = {"pk": Id}  # the type itself: this module's annotations are strings
        router.get(f"{path}/{{pk}}", response=out_schema, summary=detail_summary,
                   openapi_extra=model_of(label))(get_one)
    if create_summary is not None or update_summary is not None:
        _api_writes(router, model_class, out_schema, path=path, module=module, name=name,
                    create_summary=create_summary, update_summary=update_summary)
    if delete_summary is not None:
        def delete_one(request, pk: Id):
            delete_object(scoped_get(request, model_class, pk, action="delete"), acting_user=request.user)
            return Status(204, None)

        _name(delete_one, f"delete_{name}", module)
        delete_one.__annotations__ = {"pk": Id}
        router.delete(f"{path}/{{pk}}", response={204: None}, summary=delete_summary,
                      openapi_extra=model_of(label, action="delete"))(delete_one)


def _api_list(router, model_class, out_schema, *, path, summary, module, name, filterset, queryset, related,
              prefetch, order_by, page_size, openapi_extra) -> None:
    import inspect

    from ninja import Query
    from ninja.pagination import paginate

    from .api import Pages
    from .api import filtered
    from .api import scoped_list
    from .filters import SEARCH_RANK
    from .filters import by_relevance

    query = _query_schema(model_class, filterset)

    def list_all(request, **filters):  # the filters: documented by ``query``, read by the filterset
        records = queryset(request) if queryset is not None else scoped_list(request, model_class)
        if related:
            records = records.select_related(*related)
        if prefetch:
            records = records.prefetch_related(*prefetch)
        if filterset is not None:
            records = filtered(request, records, filterset)
        # a keyword search lists the records named so first, then in the route's order
        first = (f"-{SEARCH_RANK}",) if by_relevance(records) else ()
        return records.order_by(*first, *order_by) if order_by or first else records

    _name(list_all, name, module)
    if query.model_fields:
        list_all.__signature__ = inspect.Signature([
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("filters", inspect.Parameter.KEYWORD_ONLY, annotation=Query[query])])
    else:
        list_all.__signature__ = inspect.Signature([inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)])
    router.get(path, response=list[out_schema], summary=summary, openapi_extra=openapi_extra)(
        paginate(Pages, page_size=page_size)(list_all))


def _query_schema(model_class, filterset):
    """The list's query parameters as the OpenAPI document shows them: one per filter of the
    filterset, with its label; a record filter takes an id. The filterset itself reads and checks
    them (``core.api.filtered``), so the page and the API filter alike."""
    import django_filters
    from ninja import Field
    from ninja import Schema
    from pydantic import create_model

    from .api import MAX_ID

    fields = {}
    for filter_name, the_filter in (filterset.base_filters.items() if filterset is not None else ()):
        description = str(the_filter.label or _field_label(model_class, the_filter.field_name) or filter_name)
        if isinstance(the_filter, django_filters.ModelChoiceFilter):
            fields[filter_name] = (int | None, Field(None, ge=1, le=MAX_ID, description=description))
        elif isinstance(the_filter, django_filters.RangeFilter | django_filters.DateFromToRangeFilter):
            ends = ("after", "before") if isinstance(the_filter, django_filters.DateFromToRangeFilter) else ("min", "max")
            for end in ends:  # the range widget's two parameters
                fields[f"{filter_name}_{end}"] = (str | None, Field(None, description=f"{description}（{end}）"))
        else:
            fields[filter_name] = (str | None, Field(None, description=description))
    meta = model_class._meta
    return create_model(f"{meta.app_label.title()}{meta.object_name}ListQuery", __base__=Schema, **fields)


def _field_label(model_class, field_name: str):
    from django.core.exceptions import FieldDoesNotExist

    try:
        return model_class._meta.get_field(field_name.split("__")[0]).verbose_name
    except FieldDoesNotExist:
        return None


def _api_writes(router, model_class, out_schema, *, path, module, name, create_summary, update_summary) -> None:
    import inspect

    from ninja import Status

    from .api import Id
    from .api import create_within_scope
    from .api import model_of
    from .api import require_perm
    from .api import scoped_get

    label = model_class._meta.label_lower
    declaration = REGISTRY.get(label)
    if declaration is None or declaration.form is None:
        raise LookupError(f"{label}: the API's writes take the declared form; declare the model first")
    keys = _body_keys(declaration.form)

    def edit_page(request, **kwargs):
        views = declaration.views()
        page = (declaration.overrides.get("add") or views["edit"]) if not kwargs else views["edit"]
        view = page()
        view.setup(request, **kwargs)
        return view

    def bound_form(view, instance, data):
        form = view.form_class(data, instance=instance, **view.get_form_kwargs())
        if not form.is_valid():
            raise ValidationError({keys.get(field, field): [str(e) for e in errors]
                                   for field, errors in form.errors.items()})
        return form

    if create_summary is not None:
        body = _body_schema(model_class, declaration.form, keys, partial=False)

        def create_one(request, payload):
            require_perm(request, f"{model_class._meta.app_label}.add_{model_class._meta.model_name}")
            view = edit_page(request)
            record = view.new_object()  # what the page fills in (the caller as cadre …) unless the body says
            given = _form_data(payload.dict(exclude_unset=True), keys)
            form = bound_form(view, record, {**_initial(view, record), **given})
            return Status(201, create_within_scope(request, model_class, lambda: view.save_object(
                form, form.instance, creating=True, expected_version=None)))

        _name(create_one, f"create_{name}", module)
        create_one.__signature__ = inspect.Signature([
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("payload", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=body)])
        router.post(path, response={201: out_schema}, summary=create_summary, openapi_extra=model_of(label))(create_one)

    if update_summary is not None:
        patch = _body_schema(model_class, declaration.form, keys, partial=True)

        def update_one(request, pk, payload):
            record = scoped_get(request, model_class, pk, action="change")
            view = edit_page(request, pk=record.pk)
            given = payload.dict(exclude_unset=True)
            version = given.pop("version", None)
            form = bound_form(view, record, {**_initial(view, record), **_form_data(given, keys)})
            # where the record lands is checked in the save's transaction, as on the page: a change
            # that moves it out of the ``change`` scope (another cadre, another zone) is refused
            return create_within_scope(request, model_class, lambda: view.save_object(
                form, form.instance, creating=False, expected_version=version), action="change")

        _name(update_one, f"update_{name}", module)
        update_one.__signature__ = inspect.Signature([
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("pk", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Id),
            inspect.Parameter("payload", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=patch)])
        router.patch(f"{path}/{{pk}}", response=out_schema, summary=update_summary,
                     openapi_extra=model_of(label, action="change"))(update_one)


def _initial(view, record) -> dict:
    """The values the page's form shows for ``record``: what a body leaves out stays as it is."""
    current = view.form_class(instance=record, **view.get_form_kwargs())
    return {field: current.initial.get(field) for field in current.fields}


def _name(function, name: str, module: str) -> None:
    """A generated route function named as a hand-written one in the app's API module would be:
    ninja makes its operation id from these."""
    function.__name__ = function.__qualname__ = name
    function.__module__ = module


def _body_keys(form_class) -> dict[str, str]:
    """The form's fields by the names the API gives them: a record's id as ``<field>_id``, a set of
    records as ``<record>_ids`` when the field is named for them in the plural (``appeals`` of
    Appeal: ``appeal_ids``, as the answer names them), else ``<field>_ids``; files are not taken
    through the JSON API."""
    from django import forms

    keys = {}
    for field_name, form_field in form_class.base_fields.items():
        if isinstance(form_field, forms.FileField):
            continue
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            model = getattr(form_field.queryset, "model", None)
            record = model._meta.model_name if model is not None else None
            keys[field_name] = f"{record}_ids" if field_name == f"{record}s" else f"{field_name}_ids"
        elif isinstance(form_field, forms.ModelChoiceField):
            keys[field_name] = f"{field_name}_id"
        else:
            keys[field_name] = field_name
    return keys


def _form_data(given: dict, keys: dict[str, str]) -> dict:
    by_key = {key: field for field, key in keys.items()}
    return {by_key[key]: value for key, value in given.items() if key in by_key}


def _body_schema(model_class, form_class, keys: dict[str, str], *, partial: bool):
    """The body of a create (``partial``: an update) as the form takes it: each field's type, its
    label as the description, required where the form requires it (an update: nothing required,
    and the ``version`` it was read at)."""
    import datetime as dt
    from decimal import Decimal

    from django import forms
    from ninja import Field
    from ninja import Schema
    from pydantic import create_model

    from .api import MAX_ID
    from .api import TEXT_MAX

    fields = {}
    for field_name, key in keys.items():
        form_field = form_class.base_fields[field_name]
        options = {"description": str(form_field.label or field_name)}
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            kind = list[Annotated[int, Field(ge=1, le=MAX_ID)]]
            options["max_length"] = 1000
        elif isinstance(form_field, forms.ModelChoiceField):
            kind = int
            options.update(ge=1, le=MAX_ID)
        elif isinstance(form_field, forms.BooleanField):
            kind = bool
        elif isinstance(form_field, forms.IntegerField):
            kind = int
        elif isinstance(form_field, forms.DecimalField):
            kind = Decimal
            options.update({k: v for k, v in (("max_digits", form_field.max_digits),
                                              ("decimal_places", form_field.decimal_places)) if v is not None})
        elif isinstance(form_field, forms.FloatField):
            kind = float
        elif isinstance(form_field, forms.DateTimeField):
            kind = dt.datetime
        elif isinstance(form_field, forms.DateField):
            kind = dt.date
        elif isinstance(form_field, forms.JSONField):
            kind = dict | list
        else:
            kind = str
            options["max_length"] = getattr(form_field, "max_length", None) or TEXT_MAX
        if form_field.required and not partial and not isinstance(form_field, forms.BooleanField):
            options["description"] += "（必填，新增页面有默认值的除外）"
        fields[key] = (kind | None, Field(None, **options))  # the form says what is missing, in Chinese
    if partial:
        fields["version"] = (int | None, Field(None, ge=0, le=MAX_ID, description="读取时的版本号（防止覆盖他人的修改）"))
    meta = model_class._meta
    suffix = "Patch" if partial else "In"
    return create_model(f"{meta.app_label.title()}{meta.object_name}Declared{suffix}", __base__=Schema, **fields)
