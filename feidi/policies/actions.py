"""Writes on policies: the library (items and their conditions refresh their matches after
commit), the 免申即享 payment list and its confirmation, applications moved step by step
(受理 → 审核 → 公示 → 拨付) by conditional updates, and the sweep raising overdue steps through the
service office's chain (挂点干部 → 服务小组组长 → 安商办主任 → 区主要领导, services' settings)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from feidi.core import audit
from feidi.core.actions import create_object
from feidi.core.actions import delete_object
from feidi.core.actions import guarded_update
from feidi.core.actions import overdue_batches
from feidi.core.actions import update_object
from feidi.core.attachments import attach
from feidi.core.attachments import detach
from feidi.core.calendar import clock
from feidi.core.leases import heartbeat
from feidi.core.notify import notify
from feidi.core.notify import notify_many

from .models import Application
from .models import ApplicationFile
from .models import Condition
from .models import Match
from .models import Payment
from .models import Policy
from .models import PolicyAttachment
from .models import PolicyItem
from .refresh import refresh_soon

A = Application.Status


def do_save_policy(policy: Policy, *, acting_user, expected_version=None) -> Policy:
    with transaction.atomic():
        if policy.pk is None:
            create_object(policy, acting_user=acting_user)
        else:
            update_object(policy, acting_user=acting_user, expected_version=expected_version)
            refresh_soon()  # switching a policy off or on changes its items' matches
    return policy


def do_save_item(item: PolicyItem, *, acting_user, expected_version=None) -> PolicyItem:
    item.department_id = item.policy.department_id
    with transaction.atomic():
        if item.pk is None:
            create_object(item, acting_user=acting_user)
        else:
            update_object(item, acting_user=acting_user, expected_version=expected_version)
        refresh_soon(item.pk)
    return item


def do_save_condition(condition: Condition, *, acting_user) -> Condition:
    with transaction.atomic():
        if condition.pk is None:
            create_object(condition, acting_user=acting_user)
        else:
            update_object(condition, acting_user=acting_user)
        refresh_soon(condition.item_id)
    return condition


def do_delete_condition(condition: Condition, *, acting_user) -> None:
    with transaction.atomic():
        item_id = condition.item_id
        delete_object(condition, acting_user=acting_user)
        refresh_soon(item_id)


def do_build_payment_list(item: PolicyItem, *, acting_user) -> int:
    """免申即享: every enterprise qualifying now (and not needing a human check) gets a payment
    row 待确认 for the item's period at its estimated amount — no application. Enterprises already
    on the list (or paid) for the period are left as they are."""
    if item.mode != PolicyItem.Mode.EXEMPT:
        raise ValidationError(gettext("只有免申即享条款生成兑现名单，其他条款由企业申报"))
    with transaction.atomic():
        done = set(Payment.objects.filter(item=item, period=item.period).values_list("organization_id", flat=True))
        matches = (Match.objects.filter(item=item, status=Match.Status.QUALIFIED, estimated_amount__isnull=False)
                   .exclude(organization_id__in=done).select_related("organization").order_by("organization_id"))
        rows = [Payment(item=item, organization=m.organization, period=item.period, amount=m.estimated_amount,
                        department_id=item.department_id, created_by=acting_user, sample=item.sample)
                for m in matches]
        Payment.objects.bulk_create(rows, batch_size=2000)
        audit.record_many([{"action": audit.AuditRecord.Action.CREATE, "instance": p, "after": audit.snapshot(p)}
                           for p in rows], user=acting_user)
    return len(rows)


def do_confirm_payments(payments, *, acting_user) -> int:
    """The policy office confirms rows of a list (待确认 → 已确认), each audited."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(payments.select_for_update().filter(status=Payment.Status.PENDING))
        entries = []
        for p in rows:
            before = audit.snapshot(p)
            p.status, p.confirmed_by, p.confirmed_at, p.version = Payment.Status.CONFIRMED, acting_user, now, p.version + 1
            entries.append({"action": audit.AuditRecord.Action.TRANSITION, "instance": p, "before": before,
                            "after": audit.snapshot(p)})
        Payment.objects.bulk_update(rows, ["status", "confirmed_by", "confirmed_at", "version"], batch_size=1000)
        audit.record_many(entries, user=acting_user)
    return len(rows)


def do_pay(payment: Payment, paid_on: dt.date, *, acting_user) -> Payment:
    """已确认 → 已拨付, on a day between its confirmation and today (money is paid once confirmed,
    and what is recorded has happened)."""
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": gettext("拨付日期不能晚于今天")})
    confirmed = timezone.localdate(payment.confirmed_at) if payment.confirmed_at else None
    if confirmed is not None and paid_on < confirmed:
        raise ValidationError({"paid_on": gettext("拨付日期不能早于确认日期{day}").format(day=f"{confirmed:%Y-%m-%d}")})
    return guarded_update(payment, {"status": Payment.Status.PAID, "paid_on": paid_on},
                          where={"status": Payment.Status.CONFIRMED}, acting_user=acting_user,
                          conflict=gettext("该兑现记录不是“已确认”状态，操作未执行，请刷新"))


# the pre-filled fields as the application page names them (the keys stay stable for the API)
PREFILL_LABELS = {"name": gettext_noop("企业名称"), "uscc": gettext_noop("统一社会信用代码"),
                  "industry_code": gettext_noop("行业代码"), "zone": gettext_noop("所在园区"),
                  "labels": gettext_noop("持有标签"), "estimated_amount": gettext_noop("预计金额（元）")}


def prefill(item: PolicyItem, organization) -> dict:
    """What the platform already knows, put into the application for the enterprise."""
    from feidi.registry.models import OrganizationLabel

    today = timezone.localdate()
    labels = [str(x.label) for x in OrganizationLabel.objects.filter(organization=organization, since__lte=today)
              .select_related("label") if x.until is None or x.until >= today]
    data = {"name": organization.name, "uscc": organization.uscc, "industry_code": organization.industry_code,
            "zone": str(organization.zone) if organization.zone_id else "", "labels": labels}
    match = Match.objects.filter(item=item, organization=organization).first()
    if match is not None and match.estimated_amount is not None:
        data["estimated_amount"] = str(match.estimated_amount)
    return data


def do_attach_policy_file(policy: Policy, upload, *, acting_user) -> PolicyAttachment:
    """A file of the policy document (原文, 申报指南, 表格), checked (type and size) and audited."""
    return attach(PolicyAttachment(policy=policy), upload, acting_user=acting_user, after={"policy": policy.pk})


def do_remove_policy_file(attachment: PolicyAttachment, *, acting_user) -> None:
    detach(attachment, acting_user=acting_user, after={"policy": attachment.policy_id})


def do_attach_application_file(application: Application, material: str, upload, *, acting_user) -> ApplicationFile:
    """A file for one of the item's required materials, handed in while the application is open
    (with the application, or afterwards when the handling department asks for it)."""
    if material not in application.item.material_list():
        raise ValidationError({"material": gettext("该条款没有这项申报材料：{name}").format(name=material)})
    if application.status not in Application.OPEN:
        raise ValidationError(gettext("申报已办结，不能再补充材料"))
    if acting_user.organization_id and acting_user.organization_id != application.organization_id:
        raise PermissionDenied(gettext("只能为本企业申报"))
    return attach(ApplicationFile(application=application, material=material), upload, acting_user=acting_user,
                  after={"application": application.pk, "material": material})


def do_apply(application: Application, *, acting_user, files: dict | None = None) -> Application:
    """An enterprise (or a cadre for it) applies for an item it matches, with a note and/or a file
    (``files``: material → upload) for each required material; the policy office's department
    accepts it within the item's working-day limit. The application and its files are stored
    together or not at all."""
    item, org = application.item, application.organization
    if acting_user.organization_id and acting_user.organization_id != org.pk:
        raise PermissionDenied(gettext("只能为本企业申报"))
    if item.mode != PolicyItem.Mode.APPLY:
        raise ValidationError(gettext("免申即享条款无需申报，由政策办公室直接兑现"))
    if not item.active or not item.policy.active:
        raise ValidationError(gettext("该条款已停止执行"))
    if not Match.objects.filter(item=item, organization=org).exists():
        raise ValidationError(gettext("该企业不在本条款的匹配名单中"))
    if Payment.objects.filter(item=item, organization=org, period=item.period).exists():
        raise ValidationError(gettext("该企业本期已兑现过此条款"))
    now = timezone.now()
    application.period = item.period
    application.department_id = item.department_id
    application.handling_department_id = item.department_id
    application.prefilled = prefill(item, org)
    application.status, application.level = A.SUBMITTED, 1
    for name, value in clock(now, item.step_days).fields.items():
        setattr(application, name, value)
    from feidi.lib.files import check_django_upload

    for upload in (files or {}).values():  # every file checked before any is written to storage
        check_django_upload(upload)
    if application.amount is None:
        application.amount = Match.objects.filter(item=item, organization=org).values_list(
            "estimated_amount", flat=True).first()
    item.check_amount(application.amount)
    try:
        with transaction.atomic():
            create_object(application, acting_user=acting_user)
            for material, upload in (files or {}).items():
                do_attach_application_file(application, material, upload, acting_user=acting_user)
            notify(_handlers(application), gettext("新的政策申报：{item}").format(item=item.title), str(org),
                   application.get_absolute_url(), department=None)
    except IntegrityError:
        raise ValidationError(gettext("该企业本期已申报此条款，请勿重复申报")) from None
    return application


# step: (next status, the department handling the next step, what the enterprise is told)
def _next(application: Application):
    item = application.item
    review = item.review_department_id or item.department_id
    return {
        A.SUBMITTED: (A.ACCEPTED, review),
        A.ACCEPTED: (A.REVIEWED, item.department_id),
        A.REVIEWED: (A.PUBLICIZED, item.department_id),
        A.PUBLICIZED: (A.PAID, None),
    }.get(application.status)


def _handlers(application: Application):
    """Whoever may handle the application now: the users whose 我的待办 lists it (the step's
    permission and scope, ``todos.applications_to_handle``), not only the staff of its handling
    department, which may hold nobody who may handle it."""
    from feidi.core.workbench import recipients

    from .todos import applications_to_handle

    return recipients(applications_to_handle, application, "policies.handle_application")


def _note(note: str) -> str:
    """The handler's note as written: one longer than its column is refused on ``note`` (it was cut
    to 300 characters without a word), as the page's form refuses it."""
    try:
        Application._meta.get_field("note").run_validators(note)
    except ValidationError as exc:
        raise ValidationError({"note": exc.messages}) from None
    return note


def do_advance_application(application: Application, note: str = "", *, acting_user) -> Application:
    """One step forward: 受理 → 审核 → 公示 → 拨付; the last step writes the payment (once per
    item, enterprise and period: the database refuses a second)."""
    step = _next(application)
    if step is None:
        raise ValidationError(gettext("该申报当前不能办理"))
    status, department = step
    now = timezone.now()
    with transaction.atomic():
        changes = {"status": status, "handling_department_id": department, "note": _note(note), "level": 1,
                   **(clock(now, application.item.step_days).fields if status != A.PAID else
                      {"deadline": None, "deadline_from": None, "deadline_days": None})}
        guarded_update(application, changes, where={"status": application.status}, acting_user=acting_user,
                       conflict=gettext("该申报已被他人办理，操作未执行，请刷新"))
        if status == A.PAID:
            if application.amount is None:
                raise ValidationError(gettext("拨付前须确定金额"))
            application.item.check_amount(application.amount)  # an amount stored before the bound held
            try:
                with transaction.atomic():
                    create_object(Payment(item=application.item, organization=application.organization,
                                          period=application.period, amount=application.amount,
                                          status=Payment.Status.PAID, application=application, paid_on=timezone.localdate(now),
                                          confirmed_by=acting_user, confirmed_at=now,
                                          department_id=application.department_id), acting_user=acting_user)
            except (IntegrityError, ValidationError):
                raise ValidationError(gettext("该企业本期已兑现过此条款")) from None
        users = list(application.organization.users.filter(is_active=True))
        notify([*users, *_handlers(application)],
               gettext("政策申报进度：{status}").format(status=application.get_status_display()),
               str(application.item), application.get_absolute_url())
    return application


def do_return_application(application: Application, note: str, *, acting_user) -> Application:
    if not note.strip():
        raise ValidationError({"note": gettext("退回须说明理由")})
    return guarded_update(application, {"status": A.RETURNED, "note": _note(note), "deadline": None},
                          where={"status__in": Application.OPEN}, acting_user=acting_user,
                          conflict=gettext("该申报已被他人办理，操作未执行，请刷新"))


def sweep(now=None, batch: int = 500) -> int:
    """Raise each open application past its step's deadline one level, as appeals rise: the
    service office's settings of its zone name the level-3 and level-4 owners and their days; the
    enterprise's group leader is level 2. Rows are locked and re-checked: none rises twice."""
    from feidi.services.actions import route
    from feidi.services.actions import zone_of
    from feidi.services.models import Assignment
    from feidi.services.models import ServiceSettings

    now = now or timezone.now()
    done = 0
    for ids in overdue_batches(Application, now, batch):
        with transaction.atomic():
            rows = list(Application.objects.select_for_update(skip_locked=True, of=("self",))
                        .filter(pk__in=ids, status__in=Application.OPEN, deadline__lt=now, level__lt=4)
                        .select_related("item", "organization"))
            rules = {r.department_id: r for r in ServiceSettings.objects.filter(
                department_id__in={a.department_id for a in rows}).select_related("office_head", "principal_leader")}
            assignments = {a.organization_id: a for a in Assignment.objects.filter(
                organization_id__in={a.organization_id for a in rows}, until__isnull=True).select_related(
                "group__leader", "cadre")}
            messages, entries, changed = [], [], []
            for app in rows:
                rule = rules.get(app.department_id)
                if rule is None:
                    continue  # no chain configured for this zone: it stays listed as overdue
                before = audit.snapshot(app)
                level = app.level + 1
                # the appeals' one rule: the first active person in the level's line (a group leader
                # switched off was told of applications no one else heard of)
                owner = route(level, assignments.get(app.organization_id) if level == 2 else None, rule,
                              within=zone_of(rule))  # …of the application's zone: one moved away serves it no more
                app.level, app.version = level, app.version + 1
                for name, value in clock(now, rule.days_for_level(level)).fields.items():
                    setattr(app, name, value)
                changed.append(app)
                entries.append({"action": audit.AuditRecord.Action.TRANSITION, "instance": app, "before": before,
                                "after": audit.snapshot(app)})
                if owner is not None:
                    messages.append(([owner], gettext("政策申报逾期升级至第{level}级：{item}").format(
                        level=level, item=app.item.title), str(app.organization), app.get_absolute_url(), None))
            Application.objects.bulk_update(changed, ["level", "deadline", "deadline_from", "deadline_days", "version"],
                                            batch_size=500)
            audit.record_many(entries)
            notify_many(messages)
            done += len(changed)
        heartbeat()
    return done
