"""Writes on appeals. Every state change is a conditional update on the state it starts from, so
a sweep racing a close, or two officers acting at once, can never both win; the loser is told."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import audit
from feidi.core import workbench
from feidi.core.actions import ConflictError
from feidi.core.actions import checked_text
from feidi.core.actions import create_object
from feidi.core.actions import overdue_batches
from feidi.core.actions import update_object
from feidi.core.calendar import Clock
from feidi.core.calendar import clock
from feidi.core.calendar import credited
from feidi.core.calendar import current_calendar
from feidi.core.leases import heartbeat
from feidi.core.notify import notify
from feidi.core.notify import notify_many

from . import todos
from .models import Appeal
from .models import AppealEvent
from .models import Assignment
from .models import ServiceSettings

S = Appeal.Status
log = logging.getLogger(__name__)


def _guessed(counted: Clock) -> str:
    """What a transition says when its deadline was counted on the weekday rule."""
    if not counted.guessed:
        return ""
    return gettext("（期限落在{years}年，其节假日安排尚未录入，暂按周末和法定节日推算；录入后自动重算）").format(
        years="、".join(str(y) for y in sorted(counted.guessed)))


def limit_days(appeal: Appeal) -> int:
    return int(appeal.category.extra.get("limit_days", 5))


def settings_for(appeal: Appeal) -> ServiceSettings:
    found = ServiceSettings.objects.filter(department_id=appeal.department_id).first()
    if found is None:
        raise ValidationError(gettext("{department}尚未配置企业服务设置（安商办主任与区主要领导）").format(
            department=appeal.department or gettext("该园区")))
    return found


def owner_for_level(appeal: Appeal, level: int):
    """挂点干部 → 服务小组组长 → 安商办主任 → 区主要领导. An enterprise with no current 挂点干部 (or
    whose linked people have left) is served by the next one up who is there: its appeal always
    waits on somebody — the 安商办主任 when nobody serves the enterprise."""
    chain = []
    if level in (1, 2):
        current = (Assignment.objects.filter(organization_id=appeal.organization_id, until__isnull=True)
                   .select_related("group__leader", "cadre").first())
        if current is not None:
            chain += [current.cadre, current.group.leader] if level == 1 else [current.group.leader]
    rules = ServiceSettings.objects.filter(department_id=appeal.department_id).select_related(
        "office_head", "principal_leader").first()
    if rules is None and level > 2:
        settings_for(appeal)  # says what is missing
    if rules is not None:
        chain += [rules.principal_leader] if level == 4 else [rules.office_head]
    return next((user for user in chain if user.is_active), chain[0] if chain else None)


def assign_waiting(appeals, *, acting_user=None, batch: int = 500) -> int:
    """The open appeals of ``appeals`` that wait on nobody — filed before their zone's 服务设置 or
    their enterprise's 挂点干部 were entered — get the handler their level has now
    (``owner_for_level``): each row locked (one another transaction holds is left for the next
    call) and re-checked, its version moved on, with an internal event, an audit row and a note
    to the new handler. An appeal that still has nobody stays as it was. At most ``batch`` a call
    (the sweep takes the rest five minutes later). Returns how many got one."""
    done = 0
    with transaction.atomic():
        rows = list(Appeal.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(pk__in=appeals.values("pk"), owner__isnull=True, status__in=Appeal.OPEN)
                    .select_related("organization", "department").order_by("pk")[:batch])
        messages = []
        for appeal in rows:
            owner = owner_for_level(appeal, appeal.level)
            if owner is None or not owner.is_active:
                continue
            before = audit.snapshot(appeal)
            appeal.owner, appeal.version = owner, appeal.version + 1
            appeal.save(update_fields=["owner", "version"])
            _event(appeal, acting_user if getattr(acting_user, "pk", None) else None, "assign",
                   gettext("办理人：{owner}（诉求提交时尚无人可办理，服务设置或挂点干部录入后指定）").format(owner=owner.full_name))
            audit.record(audit.AuditRecord.Action.UPDATE, appeal, user=acting_user, before=before,
                         after=audit.snapshot(appeal))
            messages.append(([owner], gettext("待办理的企业诉求：{title}").format(title=appeal.title),
                             f"{appeal.organization} · {Appeal.LEVELS[appeal.level]}",
                             appeal.get_absolute_url(), appeal.department))
            done += 1
        notify_many(messages)
    return done


def do_save_service_settings(settings_obj: ServiceSettings, *, acting_user, expected_version=None) -> ServiceSettings:
    """A zone's 服务设置 saved; the zone's open appeals that waited on nobody get their handler."""
    with transaction.atomic():
        if settings_obj.pk is None:
            saved = create_object(settings_obj, acting_user=acting_user)
        else:
            saved = update_object(settings_obj, acting_user=acting_user, expected_version=expected_version)
        assign_waiting(Appeal.objects.filter(department_id=saved.department_id), acting_user=acting_user)
    return saved


def _event(appeal, user, kind, text="", public=False):
    AppealEvent.objects.create(appeal=appeal, user=user, kind=kind, text=text, public=public)


def _transition(appeal: Appeal, allowed_from, *, acting_user, kind: str, text: str = "", public: bool = False,
                **changes) -> Appeal:
    text = checked_text(text, "text")  # a reply, a reason, a result: refused as the appeal's own text would be
    with transaction.atomic():
        before = audit.snapshot(appeal)
        changes["version"] = appeal.version + 1
        done = Appeal.objects.filter(pk=appeal.pk, status__in=list(allowed_from), version=appeal.version).update(
            **changes)
        if not done:
            current = Appeal.objects.filter(pk=appeal.pk).values_list("status", flat=True).first()
            raise ConflictError(gettext("该诉求当前状态为“{status}”，操作未执行，请刷新").format(
                status=S(current).label if current else gettext("已删除")))
        appeal.refresh_from_db()
        _event(appeal, acting_user, kind, text, public)
        audit.record(audit.AuditRecord.Action.TRANSITION, appeal, user=acting_user, before=before,
                     after=audit.snapshot(appeal))
    return appeal


def do_assign_cadre(assignment: Assignment, *, acting_user) -> Assignment:
    """Link an enterprise to a cadre. A new current link ends the previous one the day before it
    starts, so the history shows who served when (挂点调整留痕)."""
    if assignment.organization_id and assignment.organization.department_id:
        assignment.department_id = assignment.organization.department_id
    with transaction.atomic():
        if assignment.pk is None and assignment.until is None:
            for old in Assignment.objects.select_for_update().filter(organization_id=assignment.organization_id,
                                                                      until__isnull=True):
                if old.since >= assignment.since:
                    raise ValidationError({"since": gettext("开始日期须晚于现任挂点干部{cadre}的开始日期{since}").format(
                        cadre=old.cadre, since=old.since)})
                old.until = assignment.since - dt.timedelta(days=1)
                update_object(old, acting_user=acting_user)
            saved = create_object(assignment, acting_user=acting_user)
        elif assignment.pk:
            saved = update_object(assignment, acting_user=acting_user)
        else:
            saved = create_object(assignment, acting_user=acting_user)
        if saved.until is None:  # the enterprise's appeals that waited on nobody wait on its cadre now
            assign_waiting(Appeal.objects.filter(organization_id=saved.organization_id), acting_user=acting_user)
    return saved


def scope_action(action: str, user) -> str:
    """The scope through which ``user`` reaches an appeal to take ``action`` on it: an enterprise
    rates (``rate``) or writes to (``view``: its own appeal) what it filed; staff handle
    (``handle``) only the appeals their handling roles cover, whatever else they may see."""
    if action == "rate":
        return "rate"
    if user.organization_id:
        return "view"
    return "handle"


def do_file_appeal(appeal: Appeal, *, acting_user) -> Appeal:
    """Filed by the enterprise user, by a cadre on its behalf, or through the API."""
    org = appeal.organization
    if acting_user.organization_id and acting_user.organization_id != org.pk:
        raise PermissionDenied(gettext("只能为本企业提交诉求"))
    appeal.department_id = org.department_id
    with transaction.atomic():
        appeal.owner = owner_for_level(appeal, 1)
        appeal.status, appeal.level = S.SUBMITTED, 1
        create_object(appeal, acting_user=acting_user)
        _event(appeal, acting_user, "submit", appeal.content, public=True)
        notify(waiting_on(appeal, todos.appeals_to_accept), f"新的企业诉求：{appeal.title}", f"{org} · {appeal.category}",
               appeal.get_absolute_url(), department=appeal.department)
    return appeal


def waiting_on(appeal: Appeal, waiting) -> list:
    """Whom ``appeal`` waits on by ``waiting`` (a condition of ``todos``): its handler, or — when it
    has none (a zone without its 服务设置) — whoever may handle it, as 我的待办 lists it."""
    if appeal.owner_id:
        return [appeal.owner]
    return workbench.recipients(waiting, appeal, "services.handle_appeal")


def _enterprise_answered(appeal: Appeal, text: str, acting_user) -> None:
    """The enterprise wrote to an appeal suspended for its material: the handler is told, and the
    appeal waits on him to resume it (``todos.appeals_to_handle``)."""
    if not acting_user.organization_id or appeal.status != S.SUSPENDED:
        return
    notify(waiting_on(appeal, todos.appeals_to_handle), gettext("企业已补充材料：{title}").format(title=appeal.title),
           gettext("{organization}在诉求挂起后回复：{text}。请核实后恢复办理。").format(
               organization=appeal.organization, text=text[:200]),
           appeal.get_absolute_url(), department=appeal.department)


def do_accept_appeal(appeal: Appeal, *, acting_user) -> Appeal:
    now = timezone.now()
    counted = clock(now, limit_days(appeal))
    return _transition(appeal, [S.SUBMITTED], acting_user=acting_user, kind="accept", text="已受理" + _guessed(counted),
                       public=True, status=S.ACCEPTED, accepted_at=now, **counted.fields)


def do_return_appeal(appeal: Appeal, reason: str, *, acting_user) -> Appeal:
    if not reason.strip():
        raise ValidationError({"reason": gettext("退回须说明理由")})
    return _transition(appeal, [S.SUBMITTED], acting_user=acting_user, kind="return", text=reason, public=True,
                       status=S.RETURNED, deadline=None, deadline_from=None, deadline_days=None)


def do_start_appeal(appeal: Appeal, *, acting_user) -> Appeal:
    return _transition(appeal, [S.ACCEPTED], acting_user=acting_user, kind="start", text="开始办理", status=S.HANDLING)


def do_reply_appeal(appeal: Appeal, text: str, *, public: bool, acting_user) -> Appeal:
    """A reply the enterprise sees, or an internal note it does not."""
    if not text.strip():
        raise ValidationError({"text": gettext("请填写内容")})
    if acting_user.organization_id and not public:
        raise PermissionDenied(gettext("企业用户只能回复"))
    text = checked_text(text, "text")
    _event(appeal, acting_user, "reply" if public else "note", text, public)
    _enterprise_answered(appeal, text, acting_user)
    return appeal


def do_attach_file(appeal: Appeal, upload, *, acting_user):
    """Attach an uploaded file after checking its type (extension and content) and size."""
    from feidi.core.attachments import attach

    from .models import AppealAttachment

    with transaction.atomic():
        attachment = attach(AppealAttachment(appeal=appeal), upload, acting_user=acting_user,
                            after={"appeal": appeal.pk})
        _event(appeal, acting_user, "attach", f"上传附件：{attachment.name}", public=True)
        _enterprise_answered(appeal, gettext("上传附件：{name}").format(name=attachment.name), acting_user)
    return attachment


def do_transfer_appeal(appeal: Appeal, department, *, acting_user, co=False) -> Appeal:
    """转办 (another department handles) or 会办 (joins in); the clock keeps running."""
    with transaction.atomic():
        if co:
            appeal.co_departments.add(department)
            _event(appeal, acting_user, "cohandle", f"会办：{department}")
        else:
            _transition(appeal, Appeal.OPEN, acting_user=acting_user, kind="transfer", text=f"转办：{department}",
                        handling_department=department)
    return appeal


def do_suspend_appeal(appeal: Appeal, reason: str, *, acting_user) -> Appeal:
    """Waiting on the enterprise for material: the clock stops, within the zone's limits."""
    rules = settings_for(appeal)
    if not reason.strip():
        raise ValidationError({"reason": gettext("挂起须说明等待企业补充的材料")})
    if appeal.suspend_count >= rules.max_suspends:
        raise ValidationError(gettext("该诉求已挂起{suspend_count}次，达到上限{max_suspends}次").format(
            suspend_count=appeal.suspend_count, max_suspends=rules.max_suspends))
    return _transition(appeal, [S.ACCEPTED, S.HANDLING], acting_user=acting_user, kind="suspend", text=reason,
                       public=True, status=S.SUSPENDED, suspended_at=timezone.now(),
                       suspend_count=appeal.suspend_count + 1)


def do_resume_appeal(appeal: Appeal, *, acting_user, now=None) -> Appeal:
    """The deadline moves by the working days the appeal waited (at most the zone's limit)."""
    now = now or timezone.now()
    cal = current_calendar(guess=True)
    first, resumed = timezone.localtime(appeal.suspended_at).date(), timezone.localtime(now).date()
    cap = settings_for(appeal).max_suspend_days
    waited = min(cal.workdays_between(first, resumed), cap)
    if appeal.deadline_from is not None and appeal.deadline_days is not None:
        # the spell is kept, not its count: a calendar changed later counts its working days again
        pauses = [*(appeal.deadline_pauses or []), [first.isoformat(), resumed.isoformat(), cap]]
        counted = clock(appeal.deadline_from, appeal.deadline_days + credited(pauses, cal), cal)
        moved = {**counted.fields, "deadline_days": appeal.deadline_days, "deadline_pauses": pauses}
    else:  # a clock from before the start was kept: the deadline moves by the days waited
        deadline_day = timezone.localtime(appeal.deadline).date() - dt.timedelta(days=1)
        counted = clock(deadline_day, waited, cal)
        moved = {"deadline": counted.deadline}
    return _transition(appeal, [S.SUSPENDED], acting_user=acting_user, kind="resume",
                       text=f"恢复办理，顺延{waited}个工作日" + _guessed(counted), public=True, status=S.HANDLING,
                       suspended_at=None, **moved)


def do_close_appeal(appeal: Appeal, result: str, *, acting_user, outcome=None) -> Appeal:
    """办结 with the result told to the enterprise and, optionally, the service's outcome (解决用地,
    留住订单 …: an item of the 服务成效 list) that the statistics count."""
    if not result.strip():
        raise ValidationError({"result": gettext("请填写办理结果")})
    if outcome is not None and getattr(outcome.type, "code", "") != "service_outcome":
        raise ValidationError({"outcome": gettext("服务成效应选自“服务成效”字典")})
    return _transition(appeal, [S.ACCEPTED, S.HANDLING], acting_user=acting_user, kind="close", text=result,
                       public=True, status=S.CLOSED, closed_at=timezone.now(), outcome=outcome)


def do_rate_appeal(appeal: Appeal, rating: int, comment: str = "", *, acting_user) -> Appeal:
    """The enterprise rates the result; below the zone's threshold the appeal reopens."""
    if acting_user.organization_id != appeal.organization_id:
        raise PermissionDenied(gettext("只有提出诉求的企业可以评价"))
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": gettext("评价为1–5星")})
    rules = settings_for(appeal)
    if rating < rules.reopen_below:
        counted = clock(timezone.now(), limit_days(appeal))
        return _transition(appeal, [S.CLOSED], acting_user=acting_user, kind="reopen", public=True,
                           text=f"评价{rating}星，重新办理。{comment}" + _guessed(counted), status=S.HANDLING,
                           rating=rating, rating_comment=comment, closed_at=None, **counted.fields)
    return _transition(appeal, [S.CLOSED], acting_user=acting_user, kind="rate", public=True,
                       text=f"评价{rating}星。{comment}", status=S.RATED, rating=rating, rating_comment=comment)


def _escalate_batch(ids: list[int], now, skipped: dict[int, int] | None = None,
                    failed: list[int] | None = None) -> int:
    """Raise a batch of overdue appeals one level each, in one transaction: rows are locked (a
    row another transaction holds is skipped and taken by the next sweep) and re-checked, so an
    appeal closed meanwhile is left alone and none rises twice. A row that cannot rise (a level
    outside 1–3, a next level with no time limit) is left as it is, logged and listed in
    ``failed``; the others rise. ``skipped`` and ``failed`` grow only once the batch is written."""
    guessed: dict[int, int] = {}
    bad: list[int] = []
    with transaction.atomic():
        rows = list(Appeal.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(pk__in=ids, status__in=Appeal.OPEN, deadline__lt=now, level__lt=4)
                    .select_related("owner", "organization", "department", "category").order_by("pk"))
        rules = {r.department_id: r for r in ServiceSettings.objects.filter(
            department_id__in={a.department_id for a in rows}).select_related("office_head", "principal_leader")}
        leaders = {a.organization_id: a.group.leader for a in Assignment.objects.filter(
            organization_id__in={a.organization_id for a in rows}, until__isnull=True).select_related("group__leader")}
        counted: dict[int, Clock] = {}
        entries, events, messages, changed = [], [], [], []
        for appeal in rows:
            rule = rules.get(appeal.department_id)
            if rule is None:
                continue  # no escalation chain configured for this zone: the appeal stays visible as overdue
            level = appeal.level + 1
            try:
                if level not in (2, 3, 4):
                    raise ValueError(f"level {appeal.level} has no next level")
                owner = {2: leaders.get(appeal.organization_id, rule.office_head), 3: rule.office_head,
                         4: rule.principal_leader}[level]
                days = rule.days_for_level(level)
                if days not in counted:
                    counted[days] = clock(now, days)
            except Exception:  # noqa: BLE001 — one odd row must not hold up the others
                log.exception("appeal %s (level %s) cannot be escalated: skipped", appeal.pk, appeal.level)
                bad.append(appeal.pk)
                continue
            before = audit.snapshot(appeal)
            previous_owner = appeal.owner
            for year in counted[days].guessed:
                # the next level's deadline falls in a year whose schedule is not entered: counted on
                # the weekday rule (shown so, counted again once entered) and reported
                guessed[year] = guessed.get(year, 0) + 1
            if appeal.level == 1:  # the promise missed: 用时压缩 measures against it
                appeal.first_deadline = appeal.deadline
                appeal.first_deadline_from = appeal.deadline_from
                # its suspensions as they were counted: the first level's clock ends here
                appeal.first_deadline_days = None if appeal.deadline_days is None else (
                    appeal.deadline_days + credited(appeal.deadline_pauses))
            appeal.level, appeal.owner, appeal.version = level, owner, appeal.version + 1
            for name, value in counted[days].fields.items():
                setattr(appeal, name, value)
            changed.append(appeal)
            entries.append({"action": audit.AuditRecord.Action.TRANSITION, "instance": appeal, "before": before,
                            "after": audit.snapshot(appeal)})
            events.append(AppealEvent(appeal=appeal, kind="escalate",
                                      text=f"逾期未办结，由{Appeal.LEVELS[level - 1]}升级至{Appeal.LEVELS[level]}"))
            messages.append(([owner, previous_owner], f"诉求升级至第{level}级：{appeal.title}",
                             f"{appeal.organization} · 原办理人 {previous_owner or '—'}，新办理人 {owner or '—'}",
                             appeal.get_absolute_url(), appeal.department))
        if changed:
            Appeal.objects.bulk_update(changed, ["level", "owner", "deadline", "first_deadline", "first_deadline_from",
                                                "first_deadline_days", "deadline_from", "deadline_days",
                                                "deadline_pauses", "version"],
                                       batch_size=500)
            AppealEvent.objects.bulk_create(events, batch_size=1000)
            audit.record_many(entries)
            notify_many(messages)
    if skipped is not None:
        for year, count in guessed.items():
            skipped[year] = skipped.get(year, 0) + count
    if failed is not None:
        failed += bad
    return len(changed)


def escalate_one(appeal_id: int, now=None) -> bool:
    """Raise one overdue appeal one level (idempotent; see ``_escalate_batch``)."""
    return bool(_escalate_batch([appeal_id], now or timezone.now()))


def sweep(now=None, batch: int = 500, skipped: dict[int, int] | None = None,
          failed: list[int] | None = None) -> int:
    """Escalate every open appeal past its deadline by one level, in batches. An appeal whose next
    deadline falls in a year whose holiday schedule is not entered is escalated all the same, its
    deadline counted on the weekday rule (counted again once the year is entered), and counted in
    ``skipped`` by year for the administrators' notice. An appeal that cannot be escalated is
    skipped, logged and listed in ``failed``: a batch that fails as a whole is taken again one
    appeal at a time, so one odd row stops neither its batch nor the later ones."""
    now = now or timezone.now()
    failed = [] if failed is None else failed
    done = 0
    for ids in overdue_batches(Appeal, now, batch):
        try:
            done += _escalate_batch(ids, now, skipped, failed)
        except Exception:  # noqa: BLE001
            log.exception("escalating appeals %s–%s failed: taking them one at a time", ids[0], ids[-1])
            for pk in ids:
                try:
                    done += _escalate_batch([pk], now, skipped, failed)
                except Exception:  # noqa: BLE001
                    log.exception("appeal %s cannot be escalated: skipped", pk)
                    failed.append(pk)
        heartbeat()  # the periodic job's lease lives on while batches commit
    if failed:
        log.error("escalation sweep: %d appeal(s) could not be escalated and were skipped: %s", len(failed),
                  ", ".join(map(str, failed[:50])))
    try:  # appeals filed before this installation routed them (or their zone's settings) waited on nobody
        assign_waiting(Appeal.objects.filter(owner__isnull=True, status__in=Appeal.OPEN,
                                             department_id__in=ServiceSettings.objects.values("department_id")))
    except Exception:  # noqa: BLE001 — the escalations above are done and stay done
        log.exception("escalation sweep: assigning handlers to appeals that had none failed")
    return done


def report_missing_calendar(skipped: dict[int, int], *, source: str) -> None:
    """Tell the system administrators, once a day per missing year, what could not be computed."""
    from feidi.accounts.models import User
    from feidi.core.models import Notification

    today = timezone.localdate()
    for year, count in sorted(skipped.items()):
        title = f"{year}年节假日安排未录入：{source}的部分期限暂按周末和法定节日推算"
        admins = list(User.objects.filter(is_active=True, roles__duty="system").distinct())
        already = set(Notification.objects.filter(title=title, created_at__date=today)
                      .values_list("user_id", flat=True))
        todo = [u for u in admins if u.pk not in already]
        if todo:
            from django.urls import reverse

            notify(todo, title, f"本次有{count}件诉求已升级，其下一级办理期限落在{year}年，因{year}年节假日安排尚未录入，"
                               f"暂按周末和法定节日推算。录入{year}年国务院办公厅节假日安排后，这些期限将自动按工作日重算。",
                   reverse("core:calendaryear_list"))
