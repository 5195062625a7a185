"""Writes of the market's demands, supplies and talents: each in one transaction with its audit
row, an ``IndexChange`` for the match index (``matching.record_change``) and, when the record is
(or stays) published, the two-way push of its new matches (``push.schedule_push``, run on commit
in the job queue).

An enterprise user's demand is always its own organization's, an institution user's supply
always its own. A record belongs to the department of its organization's zone when the
organization has one (as appeals do), else to the department of the staff user entering it.
Status changes (publish, close) are conditional updates: a lost race is reported, never silent.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy

from feidi.core import audit
from feidi.core.actions import ConflictError
from feidi.core.actions import create_object
from feidi.core.actions import delete_object
from feidi.core.actions import update_object

from .models import Demand
from .models import Supply
from .models import Talent
from .models import ThesaurusEntry

SUPPLY_KINDS = ("institute", "university", "enterprise")


# --- who may write which rows ---------------------------------------------------------------------

def writable(model, user):
    """The rows of ``model`` ``user`` may change: published records are seen by everyone, but
    only their own organization (an enterprise or institution user) or the staff whose data
    scope covers them may edit, publish or close them (the scope layer's ``change`` action)."""
    return model.objects.visible_to(user, "change")


def _check_writer(obj, acting_user) -> None:
    if acting_user is None:  # the demo loader and commands
        return
    if not writable(type(obj), acting_user).filter(pk=obj.pk).exists():
        raise PermissionDenied(gettext("您不能修改该{verbose_name}").format(
            verbose_name=type(obj)._meta.verbose_name))


def _department_id(obj, org, acting_user):
    if org is not None and org.zone_id and org.zone.department_id:
        return org.zone.department_id
    if obj.department_id:  # an edit keeps the department the record was entered in
        return obj.department_id
    if acting_user is not None and not acting_user.organization_id and acting_user.department_id:
        return acting_user.department_id
    return org.department_id if org is not None else None


def _index(kind: str, pk: int) -> None:
    from . import matching

    matching.record_change(kind, pk)


def _push(kind: str, pk: int) -> None:
    from . import push

    push.schedule_push(kind, pk)


def _own_organization(obj, acting_user, label: str) -> None:
    """An organization's user always writes for its own organization."""
    if acting_user is not None and acting_user.organization_id:
        if obj.pk is not None and obj.organization_id not in (None, acting_user.organization_id):
            raise PermissionDenied(gettext("只能修改本单位的{label}").format(label=label))
        obj.organization_id = acting_user.organization_id
        obj.organization = acting_user.organization


def _save(obj, kind: str, *, acting_user, expected_version, published: set[str]):
    creating = obj.pk is None
    with transaction.atomic():
        if creating:
            create_object(obj, acting_user=acting_user)
        else:
            _check_writer(obj, acting_user)
            update_object(obj, acting_user=acting_user, expected_version=expected_version)
        _index(kind, obj.pk)
        if obj.status in published:
            _push(kind, obj.pk)
    return obj


# --- demands --------------------------------------------------------------------------------------

def do_save_demand(demand: Demand, *, acting_user, expected_version: int | None = None) -> Demand:
    """Create a demand (a draft) or save an edit; the status is changed only by publish/close."""
    _own_organization(demand, acting_user, gettext("技术需求"))
    org = demand.organization if demand.organization_id else None
    if org is not None and org.kind != org.Kind.ENTERPRISE:
        raise ValidationError({"organization": gettext("技术需求只能由企业发布")})
    if demand.pk is None:
        demand.status, demand.published_at = Demand.Status.DRAFT, None
    elif demand.status != Demand.Status.DRAFT and demand.deadline and demand.deadline < timezone.localdate() \
            and demand.deadline != Demand._base_manager.filter(pk=demand.pk).values_list("deadline", flat=True).first():
        raise ValidationError({"deadline": _PASSED})  # a deadline that passed on its own may stay
    demand.department_id = _department_id(demand, org, acting_user)
    return _save(demand, "demand", acting_user=acting_user, expected_version=expected_version,
                 published={Demand.Status.PUBLISHED, Demand.Status.CHALLENGE})


def _transition(obj, *, allowed_from, to: str, acting_user, kind: str, push: bool, verb: str, **extra):
    model = type(obj)
    with transaction.atomic():
        _check_writer(obj, acting_user)
        before = audit.snapshot(model._base_manager.get(pk=obj.pk))
        now = timezone.now()
        done = model._base_manager.filter(pk=obj.pk, status__in=list(allowed_from)).update(
            status=to, version=F("version") + 1, updated_at=now, **extra)
        if not done:
            current = model._base_manager.filter(pk=obj.pk).values_list("status", flat=True).first()
            label = model.Status(current).label if current else gettext("已删除")
            raise ConflictError(gettext("该{verbose_name}当前状态为“{label}”，不能{verb}，请刷新").format(
                verbose_name=model._meta.verbose_name, label=label, verb=verb))
        obj.refresh_from_db()
        audit.record(audit.AuditRecord.Action.TRANSITION, obj, user=acting_user, before=before,
                     after=audit.snapshot(obj))
        _index(kind, obj.pk)
        if push:
            _push(kind, obj.pk)
    return obj


def _publish(obj, acting_user):
    """草稿 (or closed) → 已发布: seen by every signed-in user, and pushed to its top counterparts."""
    status = type(obj).Status
    return _transition(obj, allowed_from=[status.DRAFT, status.CLOSED], to=status.PUBLISHED, acting_user=acting_user,
                       kind=obj._meta.model_name, push=True, verb=gettext("发布"), published_at=timezone.now())


def _close(obj, acting_user, verb: str):
    status = type(obj).Status
    return _transition(obj, allowed_from=[status.DRAFT, status.PUBLISHED], to=status.CLOSED, acting_user=acting_user,
                       kind=obj._meta.model_name, push=False, verb=verb)


def _delete(obj, acting_user) -> None:
    with transaction.atomic():
        _check_writer(obj, acting_user)
        pk = obj.pk
        delete_object(obj, acting_user=acting_user)
        _index(obj._meta.model_name, pk)


_PASSED = gettext_lazy("截止日期已过：发布中的需求，截止日期不能早于今天")


def do_publish_demand(demand: Demand, *, acting_user) -> Demand:
    """草稿 (or a closed demand) → 已发布: institutions see it, and it is pushed to its top supplies.
    A demand whose deadline has passed is not published (its page asks for a new deadline)."""
    deadline = Demand._base_manager.filter(pk=demand.pk).values_list("deadline", flat=True).first()
    if deadline and deadline < timezone.localdate():
        raise ValidationError({"deadline": gettext("截止日期（{day}）已过，请先修改截止日期再发布").format(
            day=deadline.isoformat())})
    return _publish(demand, acting_user)


def do_close_demand(demand: Demand, *, acting_user) -> Demand:
    return _close(demand, acting_user, gettext("关闭"))


def do_delete_demand(demand: Demand, *, acting_user) -> None:
    _delete(demand, acting_user)


# --- supplies -------------------------------------------------------------------------------------

def do_save_supply(supply: Supply, *, acting_user, expected_version: int | None = None) -> Supply:
    """Create a supply (a draft) or save an edit; patent numbers are stored normalized."""
    from feidi.lib import patent

    _own_organization(supply, acting_user, gettext("科技成果"))
    org = supply.organization if supply.organization_id else None
    if org is not None and org.kind not in SUPPLY_KINDS:
        raise ValidationError({"organization": gettext("科技成果须由高校、科研院所或企业发布")})
    if supply.pk is None:
        supply.status, supply.published_at = Supply.Status.DRAFT, None
    supply.full_clean()  # the patent numbers' errors before they are normalized
    supply.patents = "\n".join(patent.normalize(n) for n in patent.split_numbers(supply.patents))
    supply.department_id = _department_id(supply, org, acting_user)
    return _save(supply, "supply", acting_user=acting_user, expected_version=expected_version,
                 published={Supply.Status.PUBLISHED})


def do_publish_supply(supply: Supply, *, acting_user) -> Supply:
    return _publish(supply, acting_user)


def do_close_supply(supply: Supply, *, acting_user) -> Supply:
    return _close(supply, acting_user, gettext("下架"))


def do_delete_supply(supply: Supply, *, acting_user) -> None:
    _delete(supply, acting_user)


# --- talents --------------------------------------------------------------------------------------

def do_save_talent(talent: Talent, *, acting_user, expected_version: int | None = None) -> Talent:
    """A talent belongs to the department of the enclave that introduced him, else of his employer's
    zone, else of the staff user entering him."""
    if talent.enclave_id and talent.enclave.department_id:
        talent.department_id = talent.enclave.department_id
    else:
        org = talent.employer if talent.employer_id else None
        talent.department_id = _department_id(talent, org, acting_user)
    if talent.pk is None:
        return create_object(talent, acting_user=acting_user)
    return update_object(talent, acting_user=acting_user, expected_version=expected_version)


# --- the domain thesaurus -------------------------------------------------------------------------

def do_save_thesaurus_entry(entry: ThesaurusEntry, *, acting_user,
                            expected_version: int | None = None) -> ThesaurusEntry:
    """Create or edit a thesaurus entry. The matching engine reads the entries at its next query
    (query-side expansion: no index rebuild). A new entry belongs to the department of the staff
    user entering it; an edit keeps the entry's department."""
    entry.term = " ".join(entry.term.split())
    entry.broader = " ".join(entry.broader.split())
    if entry.pk is None and acting_user is not None and not entry.department_id:
        entry.department_id = acting_user.department_id
    entry.full_clean()
    if entry.pk is None:
        return create_object(entry, acting_user=acting_user)
    return update_object(entry, acting_user=acting_user, expected_version=expected_version)
