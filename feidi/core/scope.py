"""The one data-scope layer.

Every queryset that reaches a user goes through ``Model.objects.visible_to(user)``. A model says
how its rows relate to departments, owners and organizations with a ``Scope``; a user's roles say
how far they see (全部 / 本园区 / 本部门及以下 / 本部门 / 本人 / 自定义部门). Only roles granting the
model's view permission count, so a role's data scope applies to the permissions it grants.
An enterprise or institution user sees only rows of its own organization (and what is published).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    """How a model's rows are reached: lookups to its owning department, owner and organization.

    ``public`` is a Q of rows every signed-in user may see (published challenges, dictionaries) —
    see, never change: writes reach only the rows the user's own scope covers. A page still needs the
    model's view permission, so lists of public rows are shown only where the user may open them.
    ``org_self`` marks the Organization model itself: an enterprise user sees its own row.
    """

    department: str | None = "department"
    owner: str | None = "created_by"
    # One lookup to the row's organization, or several (a match belongs to both its sides).
    organization: str | tuple[str, ...] | None = None
    public: Q | None = None
    org_self: bool = False
    owner_only: bool = False  # personal records (downloads, inbox): only their owner, whatever the role
    # Rows a staff user sees by a relation rather than by department or ownership (the other half
    # of a two-way enclave, the enterprises a cadre serves): a function of the user returning a Q.
    # Seen only: a write reaches them only through ``works``.
    also: Callable[[object], Q] | None = None
    # Rows a staff user works on by a relation (the appeals of a cadre's enterprises, a project's
    # task force, a challenge's experts): reached for every action the user's roles grant.
    works: Callable[[object], Q] | None = None


class DataScope(models.TextChoices):
    ALL = "all", _("全部数据")
    ZONE_TREE = "zone_tree", _("本园区（所在管委会及以下）")
    DEPT_TREE = "dept_tree", _("本部门及以下")
    DEPT = "dept", _("本部门")
    SELF = "self", _("本人数据")
    CUSTOM = "custom", _("自定义部门")


def _role_filter(scope: Scope, role, user, owned: bool = True) -> Q | None:
    """The rows one role lets a staff user see; None means all rows. ``owned=False`` leaves out
    the owner's shortcut of a department scope (where a record lands: see ``lands_within``)."""
    kind = role.data_scope
    if kind == DataScope.ALL:
        return None
    dept = scope.department
    owner = scope.owner
    nothing = Q(pk__in=[])
    if kind == DataScope.SELF:
        return Q(**{owner: user.pk}) if owner else nothing
    ids = _role_departments(role, user)
    q = Q(**{f"{dept}__in": ids}) if dept else Q(**{f"{owner}__department_id__in": ids}) if owner else nothing
    if owner and owned:
        # One's own records stay visible whatever the department scope.
        q |= Q(**{owner: user.pk})
    return q


def _role_departments(role, user) -> list[int]:
    """The departments a role's department scope (本部门, 本部门及下级, 本园区, 自定义) reaches."""
    kind = role.data_scope
    if kind == DataScope.DEPT:
        return [user.department_id] if user.department_id else []
    if kind == DataScope.DEPT_TREE:
        return user.department_subtree_ids()
    if kind == DataScope.ZONE_TREE:
        return user.zone_subtree_ids()
    if kind == DataScope.CUSTOM:  # the chosen departments and everything under them
        return role.custom_department_ids()
    return []  # 本人: no department


def landing_departments(model, user, action: str = "add") -> set[int] | None:
    """The departments a record of ``model`` written by staff ``user`` for ``action`` may land in
    (None: any) — what ``lands_within`` asks of a record once written, asked of a place before
    writing there: the enterprise a month is reported for, the zone a map's parcels go into, the
    rule a ranking is computed for. A parent the user only sees is no place to write under."""
    if user is None or not user.is_authenticated or not user.is_active or user.organization_id:
        return set()
    perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    out: set[int] = set()
    for role in user.roles_granting(perm):
        if role.data_scope == DataScope.ALL:
            return None
        out.update(_role_departments(role, user))
    return out


def scope_q(model, user, action: str = "view", owned: bool = True, works: bool = True) -> Q | None:
    """The filter for ``user`` on ``model``: None = unrestricted, Q(pk__in=[]) = nothing."""
    nothing = Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    scope: Scope | None = getattr(model, "scope", None)
    if scope is None:
        raise TypeError(f"{model.__name__} has no Scope: it cannot be shown to users")
    public = scope.public if action == "view" else None
    if scope.owner_only:
        return Q(**{scope.owner: user.pk})
    if user.organization_id:
        if scope.org_self:
            q = Q(pk=user.organization_id)
        elif scope.organization:
            lookups = scope.organization if isinstance(scope.organization, tuple) else (scope.organization,)
            q = nothing
            for lookup in lookups:
                q |= Q(**{lookup: user.organization_id})
        else:
            q = nothing
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not user.has_perm(perm):
            q = nothing
        return q | public if public is not None else q
    perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    roles = user.roles_granting(perm)
    if not roles:
        return public if public is not None else nothing
    parts = []  # a role reaching nothing adds nothing: an empty scope stays exactly ``nothing``
    for role in roles:
        q = _role_filter(scope, role, user, owned)
        if q is None:
            return None
        if q != nothing:
            parts.append(q)
    if scope.works is not None and works:
        parts.append(scope.works(user))
    if scope.also is not None and action == "view":
        parts.append(scope.also(user))
    if public is not None:
        parts.append(public)
    combined = nothing
    for q in parts:
        combined = q if combined == nothing else combined | q
    return combined


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """The rows ``user`` may reach to perform ``action``.

        ``view`` is what the user sees. Any other action (``change``, ``delete``, ``award``,
        ``transition`` …) reaches only rows the user sees *and* the roles granting that action
        cover: a city-wide viewer who edits only in its own bureau changes nothing elsewhere, and
        published rows are only seen. Pages and the API reach the object of a write through this
        (``ObjectMixin.get_object``, ``core.api.scoped_get``), never through ``view`` alone.
        """
        qs = self._within(scope_q(self.model, user, "view"))
        return qs if action == "view" else self._within_action(qs, user, action)

    def lands_within(self, user, action: str, *, strict: bool = False) -> models.QuerySet:
        """The rows a record written by ``user`` may land on for ``action`` (``add``, ``change``):
        the action's scope without the owner's shortcut of a department scope — a record one has
        just created or edited is always one's own, so ownership proves nothing about where it
        went. A new project filed into a zone its author only sees, or a record moved into another
        zone's department, is outside; a personal (``self``) scope is still its owner's. ``strict``:
        nor the relations one works on a record by (挂点领导, 专班, 责任单位) — a writer can name
        itself in them, so they prove nothing about where a new or moved record went."""
        return self._within_action(self.visible_to(user, "view"), user, action, owned=False, works=not strict)

    def _within(self, q):
        if q is None:
            return self
        if q == Q(pk__in=[]):
            return self.none()
        return self.filter(q)

    def _within_action(self, qs, user, action: str, owned: bool = True, works: bool = True):
        q = scope_q(self.model, user, action, owned, works)
        if q is None:
            return qs
        if q == Q(pk__in=[]):
            return qs.none()
        # a subquery, not a second filter(): a scope through a multi-valued relation (a
        # challenge's experts) would otherwise join twice and repeat rows
        return qs.filter(pk__in=self.model._base_manager.filter(q).values("pk"))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def named_in_zone(lookup: str = "department"):
    """A model's ``named_by`` (``offered``) for rows any staff user may name in a form or a filter:
    those of the user's own zone (``lookup`` leads to the row's department) — its units, its
    weekly dispatch meetings, its service groups — as the directory of colleagues is."""

    def named_by(user) -> Q | None:
        if user.organization_id or not user.department_id:
            return None
        return Q(**{f"{lookup}__in": user.zone_subtree_ids()})

    return staticmethod(named_by)


# The departments a staff user works with beyond its own zone — the other half of a two-way enclave
# (研发孵化在飞地、转移转化在本地: one undertaking) — as functions of the user, registered by the app
# that knows the relation (registry: the enclaves and their home zones).
PARTNERS: list[Callable[[object], list[int]]] = []


def partner_departments(user) -> set[int]:
    return {pk for partners in PARTNERS for pk in partners(user)}


def placeable(model, user) -> models.QuerySet:
    """The rows of ``model`` a staff ``user``'s record may point to where the pointer places it (a
    model's ``placed_by``: an enclave's 派出园区, a person's unit, a talent's employer): those the user
    may change, and those of the user's own zone (its administration and units). A row the user only
    sees — another zone's park or enterprise, shown by a city-wide view — is no place to put a record
    under: pointing there moved twenty residencies into another zone's view. The other half of a
    two-way enclave is one's own (``PARTNERS``): an enclave's talent works for a home-zone enterprise."""
    within = model.objects.lands_within(user, "change")
    lookup = getattr(getattr(model, "scope", None), "department", None)
    if lookup and user.department_id:
        ours = set(user.zone_subtree_ids()) | partner_departments(user)
        return model._base_manager.filter(Q(pk__in=within.values("pk")) | Q(**{f"{lookup}__in": sorted(ours)}))
    return within


def offered(queryset, user):
    """The rows of ``queryset`` a form's or a filter's choices may offer ``user``: of a scoped model,
    those the user sees, and those the model's directory lets any such user name (``named_by``:
    the units of one's own zone, the business roles — what a form must offer to be filled in by
    someone whose roles see no departments, as a problem's 责任单位 or a zone's 服务设置; naming a
    row shows no more of it than its name); fetched with the relations their names read (the
    model's ``str_related``), since every option shows its row's ``__str__`` — one query for the
    list, not one per option."""
    model = queryset.model
    if hasattr(model, "scope") and hasattr(model.objects, "visible_to"):
        seen = model.objects.visible_to(user)
        named_by = getattr(model, "named_by", None)
        named = named_by(user) if named_by is not None and user is not None and user.is_authenticated else None
        if named is not None:
            seen = model._base_manager.filter(Q(pk__in=seen.values("pk")) | named)
        queryset = queryset & seen
    related = getattr(model, "str_related", ())
    return queryset.select_related(*related) if related else queryset


def with_current(queryset, current):
    """``queryset``'s rows and the rows ``current`` names (pks, or a queryset of them), in
    ``queryset``'s order: the choices of a field that already holds ``current``. A record's
    existing links stay choosable whoever edits it — an editor whose scope does not reach them would
    otherwise find the value blank or refused, and an unchanged save would drop or replace it."""
    model = queryset.model
    pks = queryset.values("pk")
    within = Q(pk__in=list(pks.values_list("pk", flat=True)) if queryset.query.is_sliced else pks)
    widened = model._base_manager.filter(within | Q(pk__in=current))
    annotated = queryset.query.annotations  # an order by an annotation the widened query lacks is dropped
    order = [o for o in (queryset.query.order_by or model._meta.ordering)
             if not (isinstance(o, str) and o.lstrip("-") in annotated)]
    related = getattr(model, "str_related", ())
    widened = widened.order_by(*order) if order else widened
    return widened.select_related(*related) if related else widened
