"""Writes on the registry. Views, API, importers and commands call these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import audit
from feidi.core.actions import checked_date
from feidi.core.actions import create_object
from feidi.core.actions import guarded_update
from feidi.core.actions import update_object

from .models import Organization
from .models import OrganizationLabel
from .models import Person
from .models import Residency
from .models import Zone


def _department_from_zone(obj, zone: Zone | None) -> None:
    # A record belongs to the administration of its zone, so that zone's staff see it.
    if zone is not None and zone.department_id:
        obj.department_id = zone.department_id


def _cycle(zone: Zone, field: str) -> bool:
    """Whether following ``field`` (上级园区, 派出园区) up from ``zone`` comes back to it."""
    seen, current = {zone.pk}, getattr(zone, f"{field}_id")
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = Zone.objects.filter(pk=current).values_list(f"{field}_id", flat=True).first()
    return False


def do_save_zone(zone: Zone, *, acting_user, expected_version=None) -> Zone:
    # a park under its own sub-park, or an enclave sent out by itself, counted its parks twice or never
    for field, message in (("parent", gettext("上级园区不能是自身或其下级园区")),
                           ("home_zone", gettext("派出园区不能是自身，也不能形成互为派出的循环"))):
        if zone.pk and getattr(zone, f"{field}_id") and _cycle(zone, field):
            raise ValidationError({field: message})
    if zone.pk:
        return update_object(zone, acting_user=acting_user, expected_version=expected_version)
    return create_object(zone, acting_user=acting_user)


def do_save_organization(org: Organization, *, acting_user, expected_version=None) -> Organization:
    _department_from_zone(org, org.zone)
    if org.pk:
        return update_object(org, acting_user=acting_user, expected_version=expected_version)
    return create_object(org, acting_user=acting_user)


def do_save_label(label: OrganizationLabel, *, acting_user, expected_version=None) -> OrganizationLabel:
    # A label belongs where its organization belongs.
    if label.organization_id and label.organization.department_id:
        label.department_id = label.organization.department_id
    if label.pk:
        return update_object(label, acting_user=acting_user, expected_version=expected_version)
    return create_object(label, acting_user=acting_user)


def do_save_person(person: Person, *, acting_user, expected_version=None) -> Person:
    # a person belongs where the unit belongs, moved with it (an edit moving him under another
    # zone's enterprise kept the old department and so passed the scope check)
    if person.organization_id and person.organization.department_id:
        person.department_id = person.organization.department_id
    if person.pk:
        return update_object(person, acting_user=acting_user, expected_version=expected_version)
    return create_object(person, acting_user=acting_user)


def do_reveal_person_field(person: Person, field: str, *, acting_user) -> str:
    """The full phone or ID-card number, for roles allowed to see it; each view is audited."""
    if field not in {"phone", "id_card"}:
        raise ValidationError(gettext("未知字段"))
    if not (acting_user.has_perm("registry.reveal_person") or acting_user.can_view_sensitive):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(gettext("您的角色不能查看完整号码"))
    value = getattr(person, field)
    audit.record(audit.AuditRecord.Action.REVEAL, person, user=acting_user,
                 after={"field": field, "shown": str(value)})
    return value.reveal() if value else ""


STATUS_DATE = {
    Residency.Status.NEGOTIATING: "negotiating_since",
    Residency.Status.CONFIRMED: "confirmed_on",
    Residency.Status.RESIDENT: "entered_on",
    Residency.Status.EXITED: "exited_on",
}


def do_save_residency(res: Residency, *, acting_user, expected_version=None) -> Residency:
    if not res.enclave_id:
        raise ValidationError({"enclave": gettext("请选择飞地")})
    if res.enclave.department_id:
        res.department_id = res.enclave.department_id
    if res.pk:
        current = Residency.objects.get(pk=res.pk)
        if current.status != res.status:
            raise ValidationError({"status": gettext("状态请通过“变更状态”操作修改")})
        return update_object(res, acting_user=acting_user, expected_version=expected_version)
    # a record entered at a later step says when it was reached (it was stamped today, a day no one
    # could correct); talks begun are dated today unless said
    status = Residency.Status(res.status)
    field = STATUS_DATE[status]
    if getattr(res, field) is None:
        if status != Residency.Status.NEGOTIATING:
            raise ValidationError({field: gettext("登记为“{status}”的记录须填写{label}").format(
                status=status.label, label=Residency._meta.get_field(field).verbose_name)})
        setattr(res, field, timezone.localdate())
    return create_object(res, acting_user=acting_user)


def do_save_commitment(commitment, *, acting_user, expected_version=None, m2m=None):
    """An agreement's commitment is the agreement's: its department follows the agreement's, so one
    filed under an agreement its user only sees lands outside the user's scope and is refused (it
    was filed under the user's own department, shown on the other zone's agreement)."""
    if commitment.agreement_id:
        commitment.department_id = commitment.agreement.department_id
    if commitment.pk is None:
        return create_object(commitment, acting_user=acting_user, m2m=m2m)
    return update_object(commitment, acting_user=acting_user, expected_version=expected_version, m2m=m2m)


def do_transition_residency(res: Residency, new_status: str, *, on: dt.date | None = None, note: str = "",
                            acting_user) -> Residency:
    """在谈 → 确定入驻 → 已入驻, or 退出 from any open state; each step dated and audited.
    A concurrent transition of the same record is refused (conditional update)."""
    new_status = Residency.Status(new_status)
    old_status = Residency.Status(res.status)
    if new_status not in Residency.TRANSITIONS[old_status]:
        raise ValidationError({"status": gettext("不能从“{label}”变更为“{label2}”").format(
            label=old_status.label, label2=new_status.label)})
    on = on or timezone.localdate()
    field = STATUS_DATE[new_status]
    try:
        checked_date(on, field)  # what has happened: not in the future
    except ValueError as exc:
        raise ValidationError({"on": str(exc)}) from None
    # a step is dated on or after the steps before it (确定入驻 not before 开始洽谈)
    for name in STATUS_DATE.values():
        day = getattr(res, name)
        if name not in (field, "exited_on") and day is not None and on < day:
            raise ValidationError({"on": gettext("日期不能早于{label}（{day}）").format(
                label=Residency._meta.get_field(name).verbose_name, day=day.isoformat())})
    changes = {"status": new_status, field: on}
    if note:
        changes["note"] = note[:300]
    return guarded_update(res, changes, where={"status": old_status}, acting_user=acting_user,
                          conflict=gettext("该入驻记录已被他人变更，请刷新后重试"))
