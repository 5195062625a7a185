"""Generic views: queryset through the scope layer, filterset, table, form, action.

Every list, detail, edit, delete and export page subclasses these; none reads a model's rows
except through ``visible_to``. Subclasses declare ``model``, ``filterset_class``,
``table_class``, ``form_class`` and, for writes, the domain action to call.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db import models
from django.db import transaction
from django.http import Http404
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from . import audit
from . import exports
from .actions import ConflictError
from .actions import create_object
from .actions import delete_object
from .actions import refuse_outside_scope
from .actions import update_object
from .fields import MoneyField
from .fields import as_id
from .filters import SEARCH_RANK
from .filters import by_relevance
from .models import FormSubmission
from .tables import Column
from .tables import format_value


def model_url_name(model, action: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def perm_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ScopedViewMixin(LoginRequiredMixin):
    """Signed-in users holding the model's permission; rows only through ``visible_to``."""

    model = None
    permission_action = "view"
    title: str = ""

    def get_permission(self) -> str:
        return perm_name(self.model, self.permission_action)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(self.get_permission()):
            raise PermissionDenied(gettext("您没有访问该页面的权限"))
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self, user):
        return self.model.objects.visible_to(user, "view")

    def get_title(self) -> str:
        return str(self.title or self.model._meta.verbose_name_plural)

    def scope_action(self) -> str:
        """The action whose roles' data scope bounds the rows this view reaches: that of the
        view's permission when it is one of the model's own (``change``, ``delete``, ``publish``…)."""
        app, _, codename = (self.get_permission() or "").partition(".")
        suffix = f"_{self.model._meta.model_name}"
        if app == self.model._meta.app_label and codename.endswith(suffix):
            return codename[: -len(suffix)]
        return "view"

    def can(self, action: str) -> bool:
        """The user holds the action's permission — and, to add, a scope a new record can land in:
        a role reaching no department cannot file a record of reference (a zone's published
        figure) anywhere, so it is offered no add page that would refuse every save."""
        user = self.request.user
        if not user.has_perm(perm_name(self.model, action)):
            return False
        return action != "add" or not cannot_add(self.model, user)

    def reaches(self, obj, action: str) -> bool:
        """The user may ``action`` this very record: the permission, and the record within the
        scope of the roles granting it (a city-wide viewer sees other zones' records but edits
        none of them, so it gets no edit link there)."""
        return self.can(action) and self.model.objects.visible_to(self.request.user, action).filter(pk=obj.pk).exists()

    def url_for(self, action: str, **kwargs) -> str | None:
        try:
            return reverse(model_url_name(self.model, action), kwargs=kwargs or None)
        except Exception:  # the model has no such page
            return None


class ObjectListView(ScopedViewMixin, TemplateView):
    template_name = "generic/list.html"
    partial_template = "generic/_table.html"
    filterset_class = None
    table_class = None
    paginate_by = 25
    page_sizes = (25, 50, 100)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # False where a record is added only from its parent's page (an application from its challenge)
    offer_add = True

    def build_queryset(self, user, params):
        """The rows this user sees with these filters and this order (pages, exports, jobs)."""
        qs = self.base_queryset(user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(params, queryset=qs, user=user)
            qs = filterset.qs if filterset.is_valid() else qs.none()
        order = params.get("sort", "")
        field = self.table_class.order_field(order, qs.model, qs.query.annotations) if order else None
        # searched and not sorted by a column: the rows named so first (``filters.by_relevance``)
        first = (f"-{SEARCH_RANK}",) if field is None and by_relevance(qs) else ()
        qs = qs.order_by(*first, field or self.table_class.default_order, "-pk")
        return qs, filterset, order

    def get(self, request, *args, **kwargs):
        qs, filterset, order = self.build_queryset(request.user, request.GET)
        if request.GET.get("export") == "xlsx":
            return self.export(request, qs)
        try:
            per_page = int(request.GET.get("per_page", self.paginate_by))
        except ValueError:
            per_page = self.paginate_by
        if per_page not in self.page_sizes:
            per_page = self.paginate_by
        # Page over ids first (sort and offset without the joins), then load the page's rows with
        # their related records: on large tables the planner otherwise joins every row before sorting.
        paginator = Paginator(qs.values_list("pk", flat=True), per_page)
        page = paginator.get_page(request.GET.get("page"))
        ids = list(page.object_list)
        rows = qs.model._base_manager.none() if not ids else qs.order_by().filter(pk__in=ids)
        by_pk = {row.pk: row for row in rows}
        page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
        extra = self.get_extra_context(page.object_list)
        table = self.table_class(page.object_list, order=order, model=qs.model, annotations=qs.query.annotations)
        params = request.GET.copy()
        params.pop("page", None)
        resorted = params.copy()
        resorted.pop("sort", None)  # a column's link replaces the order, never adds a second one
        add_url = self.url_for("add") if self.offer_add and self.can("add") else None
        import_url = self.url_for("import") if self.offer_add and self.can("add") else None
        context = self.get_context_data(
            title=self.get_title(), table=table, page=page, paginator=paginator, filterset=filterset,
            query=params.urlencode(), sort_query=resorted.urlencode(), per_page=per_page, page_sizes=self.page_sizes,
            add_url=add_url, import_url=import_url, export_query=urlencode([*params.items(), ("export", "xlsx")]),
            by_relevance=tuple(qs.query.order_by[:1]) == (f"-{SEARCH_RANK}",),
            empty=self.empty_state(request, qs.model, add_url, import_url) if not paginator.count else None,
            **extra,
        )
        template = self.partial_template if getattr(request, "htmx", False) else self.template_name
        return self.render_to_response(context, template_name=template)

    def get_extra_context(self, rows) -> dict:
        """What this list shows beside its table (a legend, today's date), given the page's records
        (``rows``, which it may annotate for its columns); merged into its context."""
        return {}

    empty_hint = ""  # what fills this list, said when it is empty (e.g. 挂点干部走访企业后在此登记)
    empty_title = ""  # the first words of an empty list, when "还没有<名称>。" does not read well

    def empty_state(self, request, model, add_url, import_url) -> dict:
        """An empty list says why and what to do next: reset the filters that found nothing, or
        add the first record (or import a spreadsheet), or where these records come from."""
        name = model._meta.verbose_name
        filtered = any(k not in ("sort", "per_page", "page") and v for k, v in request.GET.items())
        if filtered:
            return {"text": gettext("没有符合筛选条件的{name}。可放宽条件或重置筛选。").format(name=name),
                    "reset_url": request.path}
        text = str(self.empty_title) if self.empty_title else gettext("还没有{name}。").format(name=name)
        hint = ""
        if add_url:
            hint = (gettext("点“新增”登记第一条，或用“批量导入”从 Excel 一次导入。") if import_url
                    else gettext("点“新增”登记第一条。"))
        elif self.empty_hint:
            hint = str(self.empty_hint)
        if hint:  # two sentences: joined without a space in Chinese, with one in English
            text = gettext("{sentence}{next}").format(sentence=text, next=hint)
        return {"text": text, "add_url": add_url, "import_url": import_url}

    def render_to_response(self, context, template_name=None, **kwargs):
        from django.template.response import TemplateResponse

        return TemplateResponse(self.request, template_name or self.template_name, context)

    def export(self, request, qs):
        from django.conf import settings

        title = self.get_title()
        count = qs.count()
        if count > settings.EXPORT_INLINE_MAX_ROWS:
            # A file this large is built by the job queue, which a GET never starts (a crawler, a
            # prefetching browser or another site's <img> would each queue one): the page asks, its
            # form posts to the download centre.
            params = request.GET.copy()
            params.pop("export", None)
            return self.render_to_response({
                "title": title, "count": count, "limit": settings.EXPORT_INLINE_MAX_ROWS,
                "view_name": request.resolver_match.view_name, "query": params.urlencode(),
                "cancel_url": f"{request.path}?{params.urlencode()}" if params else request.path,
            }, template_name="generic/export_confirm.html")
        audit.record(audit.AuditRecord.Action.EXPORT, user=request.user, model_label=self.model._meta.label_lower,
                     object_repr=gettext("{title}（{count}行）").format(
                         title=title, count=count), after={"query": request.GET.urlencode()})
        body = exports.xlsx_bytes(self.table_class, qs.iterator(chunk_size=2000), title)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        from django.utils.encoding import escape_uri_path

        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(exports.export_filename(title))}"
        return response


def list_view_class(view_name: str):
    """The list view a stored export names (``ExportFile.view_name``), or None when the name is no
    list page's: an export is only ever a list's rows, re-read through that list's queryset."""
    from django.urls import NoReverseMatch
    from django.urls import resolve

    try:
        view_class = getattr(resolve(reverse(view_name)).func, "view_class", None)
    except (NoReverseMatch, Http404, ValueError):
        return None
    return view_class if isinstance(view_class, type) and issubclass(view_class, ObjectListView) else None


class ObjectMixin(ScopedViewMixin):
    """Loads one row through the scope layer: another zone's row answers 404."""

    def get_object(self):
        qs = self.base_queryset(self.request.user)
        action = self.scope_action()
        if action != "view":
            # a write reaches only rows the roles granting it cover (published rows are only seen)
            qs = qs.filter(pk__in=self.model.objects.visible_to(self.request.user, action).values("pk"))
        try:
            return qs.get(pk=self.kwargs["pk"])
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404(gettext("记录不存在或无权查看")) from None


REFUSALS = (ValidationError, ConflictError, PermissionDenied)  # what a refused action raises


def refusal_text(exc) -> str:
    """What a refused action says to the user: its messages, joined."""
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


def form_refusal(form) -> ValidationError:
    """A bound form's errors as one refusal, each message named by its field's label."""
    return ValidationError([f"{form.fields[k].label}：{v[0]}" if k in form.fields else v[0]
                            for k, v in form.errors.items()])


class ObjectActionView(ObjectMixin, View):
    """POST: one action on one record (publish, close, hold …) — ``rule(record, acting_user=…)``
    or the view's own ``act`` — through the scope of ``permission_action``. A refused action (a
    rule broken, a lost race, no permission) is an error message on the record's page and changes
    nothing; a done one says ``success`` (``success_message`` may word it from the result)."""

    http_method_names = ["post"]
    permission_action = "change"
    success = ""
    rule = None
    refusals = REFUSALS

    form_class = None  # the form the step posts, read by ``posted``

    def form_kwargs(self, obj) -> dict:
        return {}

    def posted(self, obj) -> dict:
        """The step's posted form (``form_class``), cleaned; an invalid one refuses the step, each
        error named by its field's label."""
        form = self.form_class(self.request.POST, **self.form_kwargs(obj))
        if not form.is_valid():
            raise form_refusal(form)
        return form.cleaned_data

    def act(self, obj):
        return type(self).rule(obj, acting_user=self.request.user)

    def success_message(self, obj, result) -> str:
        return self.success

    def target(self, obj, result) -> str:
        """Back to the page the form was on when it says so (``next``, on this site), else the record."""
        from django.utils.http import url_has_allowed_host_and_scheme

        back = self.request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={self.request.get_host()}):
            return back
        return obj.get_absolute_url()

    def post(self, request, *args, **kwargs):
        from . import formtokens

        obj = self.get_object()
        result = None
        try:
            with formtokens.once(request, obj.get_absolute_url()):  # posted twice, the step is taken once
                result = self.act(obj)
        except formtokens.AlreadySubmitted as exc:
            messages.warning(request, str(exc))
        except self.refusals as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, self.success_message(obj, result))
        return redirect(self.target(obj, result))


def can_open(user, target: str, **kwargs) -> bool:
    """Whether ``user`` may open ``target`` — a URL name (with ``kwargs``) or a path of this site:
    the view's permission, and for a page of one record, that record within the scope of the
    view's action. Pages show a link only when this holds (a user never sees a link he cannot
    follow)."""
    from django.urls import Resolver404
    from django.urls import resolve

    if user is None or not user.is_authenticated:
        return False
    try:
        path = target if target.startswith("/") else reverse(target, kwargs=kwargs or None)
        match = resolve(path.split("?", 1)[0])
    except (Resolver404, Exception):  # noqa: BLE001 — an unknown name or path is not a link to show
        return False
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, ScopedViewMixin):
        return True
    view = view_class()
    view.args, view.kwargs = match.args, match.kwargs
    view.request = _Probe(user)
    permission = view.get_permission()
    if permission is not None and not user.has_perm(permission):  # None: one's own records, signed in is enough
        return False
    if isinstance(view, ObjectMixin) and "pk" in match.kwargs:
        try:
            view.get_object()
        except Http404:
            return False
    return True


class _Probe:
    """The little of a request a view's permission and object lookup read."""

    method = "GET"

    def __init__(self, user):
        from django.http import QueryDict

        self.user = user
        self.GET = self.POST = QueryDict()


class ObjectDetailView(ObjectMixin, TemplateView):
    template_name = "generic/detail.html"
    detail_fields: tuple[str, ...] | None = None
    table_class = None  # the list's table: a field it shows with a column of its own is shown the same here

    def fields(self, obj):
        names = self.detail_fields or [
            f.name for f in self.model._meta.concrete_fields
            if f.name not in {"id", "version", "password", "path"} and not f.name.endswith("_secret")
        ]
        rows = []
        columns = {} if self.table_class is None else {
            c.name: c for c in self.table_class.base_columns.values()
            if (type(c).display is not Column.display or c.money) and not c.link}
        for name in names:
            field = self.model._meta.get_field(name)
            column = columns.get(name)
            if column is not None and (column.accessor or name) == name and isinstance(
                    field, (models.DecimalField, models.FloatField, models.IntegerField)):  # 亩均税收 in 万元/亩, 研发强度 in %
                rows.append({"name": name, "label": column.header, "value": column.display(obj), "secret": False})
                continue
            if getattr(field, "choices", None):
                value = getattr(obj, f"get_{name}_display")()
            elif hasattr(type(obj), f"{name}_shown"):  # seeded text shown translated (roles, indicators)
                value = getattr(obj, f"{name}_shown")
            else:
                value = getattr(obj, name)
            text = format_value(value)
            label = str(field.verbose_name)
            if isinstance(field, models.DecimalField) and value is not None:
                text, label = decimal_shown(value, label, money=isinstance(field, MoneyField),
                                            places=field.decimal_places)
            label = label.replace("（元）", "").replace(gettext("（元）"), "")
            rows.append({"name": name, "label": label, "value": text, "secret": getattr(field, "encrypted", False)})
        return rows

    # False where a record changes only through its own steps (an application, a payment): the page
    # offers no 编辑 / 删除 button, whatever the user's roles
    offer_edit = True
    offer_delete = True

    def editable(self, obj) -> bool:
        """Whether the record, as it stands, still takes the generic edit page (a finished auction
        does not); the button shows only then, and only to a user whose roles reach the record."""
        return self.offer_edit

    def deletable(self, obj) -> bool:
        """Likewise for 删除."""
        return self.offer_delete

    def get_extra_context(self, obj) -> dict:
        """What this page shows beside the record's fields (its children, forms for its steps, what
        the user may do next), read through the scope layer; merged over the generic context."""
        return {}

    def get_context_data(self, **kwargs):
        obj = self.object
        ctx = super().get_context_data(
            object=obj, title=str(obj), model_title=self.model._meta.verbose_name, fields=self.fields(obj),
            edit_url=self.url_for("edit", pk=obj.pk) if self.editable(obj) and self.reaches(obj, "change") else None,
            delete_url=(self.url_for("delete", pk=obj.pk) if self.deletable(obj) and self.reaches(obj, "delete")
                        else None),
            list_url=self.url_for("list"), **kwargs)
        ctx.update(self.get_extra_context(obj))
        return ctx

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())


class ObjectEditView(ObjectMixin, TemplateView):
    """Create (no pk) or edit (pk). Saves through ``save_object``, which calls the domain action.

    A create form carries a one-time token: posting it twice creates one record. An edit form
    carries the version it was loaded at: a concurrent edit is refused, not overwritten.
    """

    template_name = "generic/form.html"
    form_class = None
    # the app's do_save_<model>(obj, acting_user=…, expected_version=…); None: the generic create/update
    save_rule = None
    # a new record opened from its parent's page: {"segment": Segment} reads ?segment=<id> among the
    # rows the user may see
    prefill: dict = {}

    def get_permission(self) -> str:
        return perm_name(self.model, "change" if "pk" in self.kwargs else "add")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and "pk" not in kwargs and cannot_add(self.model, request.user):
            raise PermissionDenied(gettext("您的数据范围内不能新增{verbose_name}：请由数据范围为“全部数据”的人员录入").format(
                verbose_name=self.model._meta.verbose_name))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def new_object(self):
        obj = self.model()
        user = self.request.user
        if hasattr(obj, "department_id") and user.department_id:
            obj.department_id = user.department_id
        for field, model in self.prefill.items():
            raw = as_id(self.request.GET.get(field) or self.request.POST.get(field))
            if raw:
                found = model.objects.visible_to(user).filter(pk=raw).first()
                if found is not None:
                    setattr(obj, field, found)
        return obj

    def save_object(self, form, obj, *, creating: bool, expected_version):
        """Through ``save_rule``, else the generic create/update with its audit row; a page whose
        save needs more (the form's many-to-many, a second record) overrides this."""
        if self.save_rule is not None:
            return type(self).save_rule(obj, acting_user=self.request.user, expected_version=expected_version)
        m2m = {f.name: form.cleaned_data[f.name] for f in obj._meta.many_to_many if f.name in form.cleaned_data}
        if creating:
            return create_object(obj, acting_user=self.request.user, m2m=m2m)
        return update_object(obj, acting_user=self.request.user, expected_version=expected_version, m2m=m2m)

    def get(self, request, *args, **kwargs):
        obj = self.get_object() if "pk" in kwargs else self.new_object()
        form = self.form_class(instance=obj, **self.get_form_kwargs())
        return self.render_form(form, obj, token=secrets.token_urlsafe(16))

    def render_form(self, form, obj, token=""):
        creating = obj.pk is None
        return self.render_to_response(self.get_context_data(
            form=form, object=obj, creating=creating, form_token=token, version=getattr(obj, "version", ""),
            title=(gettext("新增{verbose_name}").format(verbose_name=self.model._meta.verbose_name) if creating else gettext("编辑：{obj}").format(obj=obj)),
            cancel_url=self.url_for("list") if creating else obj.get_absolute_url(),
        ))

    def post(self, request, *args, **kwargs):
        creating = "pk" not in kwargs
        obj = self.new_object() if creating else self.get_object()
        token = request.POST.get("_form_token", "")
        if creating and token:
            done = FormSubmission.objects.filter(token=token, user=request.user).first()
            if done is not None:
                messages.info(request, gettext("该表单已提交过，未重复创建"))
                return HttpResponseRedirect(done.result_url or self.url_for("list"))
        form = self.form_class(request.POST, request.FILES, instance=obj, **self.get_form_kwargs())
        if form.is_valid():
            expected = request.POST.get("_version")
            try:
                with transaction.atomic():
                    saved = self.save_object(form, form.instance, creating=creating,
                                             expected_version=int(expected) if expected and expected.isdigit() else None)
                    refuse_outside_scope(saved, request.user, "add" if creating else "change")
                    if creating and token:
                        FormSubmission.objects.create(token=token, user=request.user, result_url=saved.get_absolute_url())
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except (ConflictError, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            except IntegrityError:
                if creating and token and FormSubmission.objects.filter(token=token).exists():
                    return HttpResponseRedirect(self.url_for("list"))
                form.add_error(None, gettext("保存失败：数据与已有记录冲突，请检查唯一性字段"))
            else:
                messages.success(request, gettext("已保存：{saved}").format(saved=saved))
                return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(form, obj, token=token)


PER_YUAN = re.compile(r"（元/([^）]+)）$")


def decimal_shown(value, label: str, *, money: bool = False, places: int = 2) -> tuple[str, str]:
    """(the number as a page shows it, its label): an amount of 元 in 万元/亿元 (``human``), an amount
    per unit (元/亩) likewise per that unit with the unit out of the label, any other number with
    thousands separators and its field's places up to two (a score 84.50, an area 3,200.00) — never
    a row of yuan digits or four stored decimals."""
    from feidi.lib.money import human

    if money or label.endswith("（元）") or label.endswith(gettext("（元）")):
        return human(value), label
    per = PER_YUAN.search(label)
    if per:
        return f"{human(value)}/{per.group(1)}", label[:per.start()]
    text = f"{value:,.{min(places, 2)}f}" if value == value else str(value)
    return text, label


def cannot_add(model, user) -> bool:
    """Whether no record ``user`` creates of ``model`` could land within the scope of the roles that
    grant adding it (``refuse_outside_scope`` would refuse every save)."""
    from django.db.models import Q

    from .scope import scope_q

    return getattr(model, "scope", None) is not None and scope_q(model, user, "add") == Q(pk__in=[])


def crud_views(model, *, form_class, filterset_class, table_class, select_related=(), edit_base=None,
               list_base=None, **edit_attrs) -> tuple:
    """The list, detail, edit and delete views of a record type that needs nothing special
    (``declare.model`` routes them)."""
    name = model.__name__
    list_view = type(f"{name}ListView", (list_base or ObjectListView,), {
        "model": model, "filterset_class": filterset_class, "table_class": table_class,
        "select_related": tuple(select_related)})
    detail_view = type(f"{name}DetailView", (ObjectDetailView,), {"model": model, "table_class": table_class})
    edit_view = type(f"{name}EditView", (edit_base or ObjectEditView,), {
        "model": model, "form_class": form_class, **edit_attrs})
    delete_view = type(f"{name}DeleteView", (ObjectDeleteView,), {"model": model})
    return list_view, detail_view, edit_view, delete_view


def apply_validation_error(form, exc: ValidationError) -> None:
    """An action's refusal onto the form: on its field when the page shows it, else at the top of
    the form naming the field (a hidden or absent field's error would otherwise show nowhere)."""
    from .forms import mark_invalid
    from .forms import surface_hidden_errors

    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                if target is None and field != "__all__":
                    label = getattr(form.instance._meta.get_field(field), "verbose_name", field) if hasattr(
                        form, "instance") and _is_field(form.instance, field) else field
                    form.add_error(None, f"{label}：{'；'.join(error.messages)}")
                else:
                    form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
    surface_hidden_errors(form)
    mark_invalid(form)


def _is_field(instance, name: str) -> bool:
    from django.core.exceptions import FieldDoesNotExist

    try:
        instance._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


class ObjectDeleteView(ObjectMixin, TemplateView):
    template_name = "generic/confirm_delete.html"
    permission_action = "delete"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_to_response(self.get_context_data(object=obj, title=gettext("删除：{obj}").format(
            obj=obj),
                                                             cancel_url=obj.get_absolute_url()))

    def delete_object(self, obj):
        delete_object(obj, acting_user=self.request.user)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            self.delete_object(obj)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, gettext("已删除：{obj}").format(obj=obj))
        return HttpResponseRedirect(self.url_for("list"))


class ObjectImportView(ScopedViewMixin, TemplateView):
    """Upload an .xlsx or .csv (``core.imports``): all rows are stored or none, with a row-by-row
    report; a large file goes to the job queue and its page shows the progress; warnings wait for
    the uploader's confirmation. ``?template=1`` downloads the template."""

    template_name = "generic/import.html"
    permission_action = "add"
    import_key = ""  # as registered with core.imports

    @property
    def importer(self):
        from . import imports

        return imports.importer_for(self.import_key)

    def page_context(self, **extra):
        from .models import ImportJob

        importer = self.importer
        recent = ImportJob.objects.visible_to(self.request.user).filter(kind=self.import_key)[:5]
        return self.get_context_data(title=gettext("导入{title}").format(
            title=gettext(importer.title)), importer=importer, recent=recent,
                                     list_url=reverse(importer.list_url), **extra)

    def get(self, request, *args, **kwargs):
        importer = self.importer
        if request.GET.get("template"):
            from django.utils.encoding import escape_uri_path

            response = HttpResponse(importer.template_bytes(),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            name = gettext("{title}导入模板.xlsx").format(title=gettext(importer.title))
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
            return response
        return self.render_to_response(self.page_context())

    def post(self, request, *args, **kwargs):
        from . import imports
        from .importer import ImportFileError
        from .models import ImportJob

        if request.POST.get("job"):  # the uploader confirms the warnings of a checked file
            job = ImportJob.objects.visible_to(request.user).filter(
                pk=request.POST["job"] if str(request.POST["job"]).isdigit() else 0, kind=self.import_key).first()
            if job is None:
                raise Http404(gettext("该导入不存在"))
            try:
                job = imports.confirm(request.user, job)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(job.get_absolute_url())
            return self.answer(job)
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.page_context(file_error=gettext("请选择要导入的 .xlsx 或 .csv 文件")))
        try:
            job = imports.submit(request.user, self.import_key, upload.read(), upload.name)
        except ImportFileError as exc:
            return self.render_to_response(self.page_context(file_error=str(exc)))
        return self.answer(job)

    def answer(self, job):
        """Written: back to the list; still running: to the job's page; else the report here."""
        from .models import ImportJob

        if job.status == ImportJob.Status.DONE:
            messages.success(self.request, gettext("导入成功：{filename} 共 {total} 行，写入 {created} 条").format(
                filename=job.filename, total=job.total, created=job.created)
                             + (gettext("（含已确认的提醒 {warning_count} 条）").format(
                                 warning_count=job.warning_count) if job.warning_count else ""))
            return HttpResponseRedirect(reverse(self.importer.list_url))
        if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
            return HttpResponseRedirect(job.get_absolute_url())
        result = getattr(job, "result", None)
        return self.render_to_response(self.page_context(
            job=job, result=result, filename=job.filename,
            file_error=job.message if job.status in (ImportJob.Status.REFUSED, ImportJob.Status.FAILED) else None))
