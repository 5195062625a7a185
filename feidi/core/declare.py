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

from dataclasses import dataclass, field

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
          edit_base=None, list_base=None, pages=PAGES, **edit_attrs) -> ModelDeclaration:
    """Declare ``model_class``'s record pages under ``<prefix>/`` (``pages``: which of list, add,
    detail, edit, delete are routed). The generated list and edit views derive from ``list_base``
    and ``edit_base`` when given; ``edit_attrs`` go onto the edit view (``action``,
    ``preset_fields`` …)."""
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise ValueError(f"unknown pages {sorted(unknown)}; of {PAGES}")
    label = model_class._meta.label_lower
    pending = REGISTRY[label].overrides if label in REGISTRY else {}
    declaration = ModelDeclaration(model_class, prefix, form, filterset, table, tuple(select_related), menu,
                                   edit_base, list_base, edit_attrs, dict(pending), pages=tuple(pages))
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


def menu_items(menu_key: str, others: list | None = None) -> list:
    """The entries of the menu ``menu_key``: those the declarations put there, each shown to holders
    of the model's view permission, in declaration order (the order of the app's views module),
    and the hand-made ``others`` (a dashboard, a calendar); an entry with a ``position`` goes to
    that place among them."""
    from .navigation import Item

    items = list(others or [])
    placed = sorted(((d.menu.position, i, d) for i, d in enumerate(REGISTRY.values())
                     if d.menu is not None and d.menu.menu == menu_key and d.prefix),
                    key=lambda t: (t[0] is None, t[0] or 0, t[1]))
    for position, _, d in placed:
        item = Item(d.menu.label, f"{d.app_label}:{d.name}_list", f"{d.app_label}.view_{d.name}",
                    org_users=d.menu.org_users)
        items.insert(len(items) if position is None else position, item)
    return items


def api_routes(router, model_class, out_schema, *, path: str, detail_summary: str | None = None,
               delete_summary: str | None = None, name: str | None = None) -> None:
    """The one-record routes of ``model_class`` on ``router``: ``GET <path>/{pk}`` through the
    ``view`` scope and, where a delete summary is given, ``DELETE <path>/{pk}`` (204) through the
    ``delete`` scope — the same answers (404 outside the scope, 403 without the permission) as the
    hand-written routes they replace, and the same operation ids (``<api module>_get_<name>``).
    Lists keep their own functions: their query parameters are each app's own."""
    import sys

    from ninja import Status

    from .actions import delete_object
    from .api import Id, model_of, scoped_get

    label = model_class._meta.label_lower
    name = name or model_class._meta.model_name
    module = sys._getframe(1).f_globals["__name__"]
    if detail_summary is not None:
        def get_one(request, pk: Id):
            return scoped_get(request, model_class, pk)

        get_one.__name__ = get_one.__qualname__ = f"get_{name}"
        get_one.__module__ = module
        get_one.__annotations__ = {"pk": Id}  # the type itself: this module's annotations are strings
        router.get(f"{path}/{{pk}}", response=out_schema, summary=detail_summary,
                   openapi_extra=model_of(label))(get_one)
    if delete_summary is not None:
        def delete_one(request, pk: Id):
            delete_object(scoped_get(request, model_class, pk, action="delete"), acting_user=request.user)
            return Status(204, None)

        delete_one.__name__ = delete_one.__qualname__ = f"delete_{name}"
        delete_one.__module__ = module
        delete_one.__annotations__ = {"pk": Id}
        router.delete(f"{path}/{{pk}}", response={204: None}, summary=delete_summary,
                      openapi_extra=model_of(label, action="delete"))(delete_one)
