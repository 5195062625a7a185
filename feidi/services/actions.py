"""Writes on appeals. Every state change is a conditional update on the state it starts from, so
a sweep racing a close, or two officers acting at once, can never both win; the loser is told."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from feidi.core.calendar import day_ended
from feidi.core.calendar import deadline_text
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

# The steps of an appeal as people name them (the detail page's buttons, the notes a step sends).
STEPS = {
    "accept": _("受理"), "return": _("退回"), "start": _("开始办理"), "reply": _("回复企业"), "note": _("内部备注"),
    "transfer": _("转办"), "cohandle": _("会办"), "suspend": _("挂起（等待企业补充材料）"), "resume": _("恢复办理"),
    "close": _("办结"), "rate": _("评价"),
}


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


HANDLE = "services.handle_appeal"


def route(level: int, current: Assignment | None, rules: ServiceSettings | None, *, leaving=(), within=None):
    """The one rule every hand-over of an appeal follows — filing, escalation, a handler who left:
    the first active person in the level's line, 挂点干部 → 服务小组组长 → 安商办主任 → 区主要领导
    from the level up (the 安商办主任 stands in for an absent 区主要领导 at the top); ``leaving``: people
    not to hand it to (an account being switched off). None when nobody in the line is active: the
    appeal then waits on whoever may handle appeals in its zone (``waiting_on``), never on someone
    who cannot sign in."""
    line = []
    if current is not None and level in (1, 2):
        line += [current.cadre, current.group.leader] if level == 1 else [current.group.leader]
    if rules is not None:
        line += ([rules.principal_leader, rules.office_head] if level == 4
                 else [rules.office_head, rules.principal_leader])
    # ``within``: the departments of the appeal's zone — a person moved to another zone serves it no more
    # …and one whose roles no longer handle appeals serves none
    return next((user for user in line if user is not None and user.is_active and user.pk not in leaving
                 and (within is None or user.department_id in within) and user.has_perm(HANDLE)), None)


def zone_of(rules: ServiceSettings) -> set[int]:
    """The departments of the zone a 服务设置 serves: whom its line may route to (``route``'s
    ``within``), read once per settings row and kept on it."""
    if not hasattr(rules, "_zone_ids"):
        rules._zone_ids = set(rules.department.zone_subtree_ids())
    return rules._zone_ids


def owner_for_level(appeal: Appeal, level: int, *, leaving=()):
    """Who handles ``appeal`` at ``level`` now (``route``): an enterprise with no current 挂点干部
    (or whose linked people have left) is served by the next one up who is there."""
    current = None
    if level in (1, 2):
        current = (Assignment.objects.filter(organization_id=appeal.organization_id, until__isnull=True)
                   .select_related("group__leader", "cadre").first())
    rules = ServiceSettings.objects.filter(department_id=appeal.department_id).select_related(
        "office_head", "principal_leader").first()
    if rules is None and level > 2:
        settings_for(appeal)  # says what is missing
    within = set(appeal.department.zone_subtree_ids()) if appeal.department_id else None
    return route(level, current, rules, leaving=leaving, within=within)


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
            if owner is None:
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


def hand_on_work(user, *, acting_user, everything: bool = True) -> int:
    """What ``user`` served here handed on — when he is switched off or moved to another zone
    (``everything``), or his roles no longer handle appeals (``accounts.actions.roles_changed``): his
    open appeals go to whoever is next in line (``reroute_open_appeals``), and the leaders of his
    groups are told which enterprises need a new 挂点干部 (their links are kept, so that meanwhile
    ``route`` passes their appeals to the group's leader, until a new link ends them). Returns how
    many appeals moved."""
    from feidi.accounts.models import User

    fresh = User.objects.filter(pk=user.pk).first()
    if not everything and fresh is not None and fresh.is_active and fresh.has_perm(HANDLE):
        return 0
    served = defaultdict(list)
    for link in (Assignment.objects.filter(cadre_id=user.pk, until__isnull=True)
                 .select_related("organization", "group__leader", "group__department")):
        served[link.group].append(link.organization)
    for group, organizations in served.items():
        notify([group.leader], gettext("挂点干部{user}已不再服务，请重新指定挂点干部").format(user=user),
               gettext("{group}：{organizations}").format(group=group, organizations="、".join(map(str, organizations))),
               department=group.department)
    return reroute_open_appeals(user, acting_user=acting_user)


def reroute_open_appeals(user, *, acting_user) -> int:
    """The unfinished appeals ``user`` handles go to whoever ``route`` gives their level without him
    — called when his account is switched off or moved to another zone
    (``accounts.actions.switched_off``), inside its transaction. Returns how many moved."""
    return _reroute(Appeal.objects.filter(owner_id=user.pk), acting_user=acting_user, leaving={user.pk},
                    skip_locked=False)


def reroute_orphaned(*, acting_user=None, batch: int = 500) -> int:
    """The sweep's net: unfinished appeals whose handler's account is off (switched off by a path
    that did not re-route them) are re-routed as ``reroute_open_appeals`` does."""
    return _reroute(Appeal.objects.filter(owner__is_active=False), acting_user=acting_user, batch=batch)


def _reroute(appeals, *, acting_user, leaving=(), skip_locked=True, batch: int | None = None) -> int:
    """Each unfinished appeal of ``appeals`` handed to the active person ``route`` gives its level
    (its present handler left out), locked and re-checked, version moved on, with an internal
    event, an audit row and a note to the new handler — or, when nobody in the line is active, to
    whoever may handle it in its zone (the appeal then waits on them, ``waiting_on``)."""
    done = 0
    with transaction.atomic():
        rows = (Appeal.objects.select_for_update(skip_locked=skip_locked, of=("self",))
                .filter(pk__in=appeals.values("pk"), status__in=Appeal.UNRESOLVED)
                .select_related("owner", "organization", "department").order_by("pk"))
        for appeal in (rows[:batch] if batch else rows):
            previous = appeal.owner
            owner = owner_for_level(appeal, appeal.level, leaving={*leaving, appeal.owner_id})
            if owner is not None and owner.pk == appeal.owner_id:
                continue
            before = audit.snapshot(appeal)
            appeal.owner, appeal.version = owner, appeal.version + 1
            appeal.save(update_fields=["owner", "version"])
            name = previous.full_name if previous is not None else "—"
            if owner is not None:
                text = gettext("原办理人{previous}已停用、调离或不再办理诉求，改由{owner}办理（{level}）").format(
                    previous=name, owner=owner.full_name, level=appeal.level_label)
            else:
                text = gettext("原办理人{previous}已停用、调离或不再办理诉求，{level}暂无可办理人员，由园区诉求办理人员办理").format(
                    previous=name, level=appeal.level_label)
            _event(appeal, acting_user if getattr(acting_user, "pk", None) else None, "reassign", text)
            audit.record(audit.AuditRecord.Action.UPDATE, appeal, user=acting_user, before=before,
                         after=audit.snapshot(appeal))
            waiting = todos.appeals_to_accept if appeal.status == S.SUBMITTED else todos.appeals_to_handle
            notify(waiting_on(appeal, waiting), gettext("转交您办理的企业诉求：{title}").format(title=appeal.title),
                   f"{appeal.organization} · {text}", appeal.get_absolute_url(), department=appeal.department)
            done += 1
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
    """The step ``kind``: a conditional update from ``allowed_from``, its event and audit row; the
    appeal's handler is told when somebody else of the staff took it (``_handler_told``)."""
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
        _handler_told(appeal, acting_user, kind, text)
    return appeal


def _handler_told(appeal: Appeal, acting_user, kind: str, text: str = "") -> None:
    """A step taken on an appeal by someone of the staff other than its handler (a leader accepts,
    transfers or closes what the cadre holds) changes his work under him: he is told. The
    enterprise's own steps tell him by their own messages (``_enterprise_answered``, the reopening)."""
    if (not appeal.owner_id or acting_user is None or getattr(acting_user, "organization_id", None)
            or acting_user.pk == appeal.owner_id or kind not in STEPS):
        return
    who = acting_user.full_name or acting_user.username
    body = (gettext("{user}{step}：{text}").format(user=who, step=STEPS[kind], text=text[:200]) if text.strip()
            else gettext("{user}{step}").format(user=who, step=STEPS[kind]))
    notify([appeal.owner], gettext("您办理的诉求已{step}：{title}").format(step=STEPS[kind], title=appeal.title), body,
           appeal.get_absolute_url(), department=appeal.department, webhooks=False)


def enterprise_users(appeal: Appeal) -> list:
    """The enterprise's people who follow its appeals: its active users who may see them."""
    from feidi.accounts.models import User

    return list(User.objects.holding("services.view_appeal").filter(
        is_active=True, organization_id=appeal.organization_id).order_by("pk"))


def _enterprise_told(appeal: Appeal, acting_user, title: str, body: str) -> None:
    """A step that leaves the appeal waiting on the enterprise (material to supply, a result to
    rate, a return to read): its people are told what is asked."""
    notify([u for u in enterprise_users(appeal) if u.pk != getattr(acting_user, "pk", None)], title, body,
           appeal.get_absolute_url(), department=appeal.department, webhooks=False)


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
    """Returned to the enterprise with the reason, which its people are told."""
    if not reason.strip():
        raise ValidationError({"reason": gettext("退回须说明理由")})
    with transaction.atomic():
        appeal = _transition(appeal, [S.SUBMITTED], acting_user=acting_user, kind="return", text=reason, public=True,
                             status=S.RETURNED, deadline=None, deadline_from=None, deadline_days=None)
        _enterprise_told(appeal, acting_user, gettext("诉求被退回：{title}").format(title=appeal.title),
                         gettext("退回理由：{reason}").format(reason=reason[:500]))
    return appeal


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
            _handler_told(appeal, acting_user, "cohandle", f"会办：{department}")
        else:
            _transition(appeal, Appeal.OPEN, acting_user=acting_user, kind="transfer", text=f"转办：{department}",
                        handling_department=department)
    return appeal


def do_suspend_appeal(appeal: Appeal, reason: str, *, acting_user) -> Appeal:
    """Waiting on the enterprise for material: the clock stops, within the zone's limits; the
    enterprise's people are told what is asked (the appeal waits on them)."""
    rules = settings_for(appeal)
    if not reason.strip():
        raise ValidationError({"reason": gettext("挂起须说明等待企业补充的材料")})
    if appeal.suspend_count >= rules.max_suspends:
        raise ValidationError(gettext("该诉求已挂起{suspend_count}次，达到上限{max_suspends}次").format(
            suspend_count=appeal.suspend_count, max_suspends=rules.max_suspends))
    with transaction.atomic():
        appeal = _transition(appeal, [S.ACCEPTED, S.HANDLING], acting_user=acting_user, kind="suspend", text=reason,
                             public=True, status=S.SUSPENDED, suspended_at=timezone.now(),
                             suspend_count=appeal.suspend_count + 1)
        _enterprise_told(appeal, acting_user, gettext("诉求需补充材料：{title}").format(title=appeal.title),
                         gettext("请补充：{reason}。请在诉求页面回复或上传材料；等待期间办理期限暂停计算，"
                                 "最长{days}个工作日。").format(reason=reason[:500], days=rules.max_suspend_days))
    return appeal


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
    with transaction.atomic():
        appeal = _transition(appeal, [S.ACCEPTED, S.HANDLING], acting_user=acting_user, kind="close", text=result,
                             public=True, status=S.CLOSED, closed_at=timezone.now(), outcome=outcome)
        _enterprise_told(appeal, acting_user, gettext("诉求已办结，请评价：{title}").format(title=appeal.title),
                         gettext("办理结果：{result}").format(result=result[:500]))
    return appeal


def do_rate_appeal(appeal: Appeal, rating: int, comment: str = "", *, acting_user) -> Appeal:
    """The enterprise rates the result; below the zone's threshold the appeal reopens."""
    if acting_user.organization_id != appeal.organization_id:
        raise PermissionDenied(gettext("只有提出诉求的企业可以评价"))
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": gettext("评价为1–5星")})
    rules = settings_for(appeal)
    if rating < rules.reopen_below:
        counted = clock(timezone.now(), limit_days(appeal))
        with transaction.atomic():
            # the handler it goes back to must be there: one who left since is replaced as at filing
            owner = appeal.owner if appeal.owner is not None and appeal.owner.is_active else owner_for_level(
                appeal, appeal.level, leaving={appeal.owner_id})
            appeal = _transition(appeal, [S.CLOSED], acting_user=acting_user, kind="reopen", public=True,
                                 text=f"评价{rating}星，重新办理。{comment}" + _guessed(counted), status=S.HANDLING,
                                 rating=rating, rating_comment=comment, closed_at=None, owner=owner,
                                 **counted.fields)
            notify(waiting_on(appeal, todos.appeals_to_handle),
                   gettext("企业评价不满意，诉求重新办理：{title}").format(title=appeal.title),
                   gettext("{organization}评价{rating}星：{comment}。新的办理期限：{deadline}").format(
                       organization=appeal.organization, rating=rating, comment=comment[:200] or "—",
                       deadline=deadline_text(appeal.deadline)),
                   appeal.get_absolute_url(), department=appeal.department)
        return appeal
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
        currents = {a.organization_id: a for a in Assignment.objects.filter(
            organization_id__in={a.organization_id for a in rows}, until__isnull=True).select_related(
            "group__leader", "cadre")}
        cal = current_calendar(guess=True)
        counted: dict[int, Clock] = {}
        entries, events, messages, changed, nobody = [], [], [], [], []
        for appeal in rows:
            rule = rules.get(appeal.department_id)
            if rule is None:
                continue  # no escalation chain configured for this zone: the appeal stays visible as overdue
            level = appeal.level + 1
            try:
                if level not in (2, 3, 4):
                    raise ValueError(f"level {appeal.level} has no next level")
                owner = route(level, currents.get(appeal.organization_id), rule, within=zone_of(rule))
                days = rule.days_for_level(level)
                if days not in counted:
                    counted[days] = clock(now, days)
            except Exception:  # noqa: BLE001 — one odd row must not hold up the others
                log.exception("appeal %s (level %s) cannot be escalated: skipped", appeal.pk, appeal.level)
                bad.append(appeal.pk)
                continue
            before = audit.snapshot(appeal)
            previous_owner = appeal.owner
            left = _provisional_years(appeal, cal)
            if left and appeal.provisional_escalation is None:
                # the deadline passed was counted on the weekday rule: what the escalation left is kept
                # to be checked once the year is entered (``reconcile_provisional_escalations``)
                appeal.provisional_escalation = {
                    "at": now.isoformat(), "level": appeal.level, "owner": appeal.owner_id,
                    "deadline": appeal.deadline.isoformat(), "from": appeal.deadline_from.isoformat(),
                    "days": appeal.deadline_days, "pauses": list(appeal.deadline_pauses or []), "years": left}
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
            if owner is None:
                nobody.append((len(messages) - 1, appeal))
        if changed:
            Appeal.objects.bulk_update(changed, ["level", "owner", "deadline", "first_deadline", "first_deadline_from",
                                                "first_deadline_days", "deadline_from", "deadline_days",
                                                "deadline_pauses", "provisional_escalation", "version"],
                                       batch_size=500)
            AppealEvent.objects.bulk_create(events, batch_size=1000)
            audit.record_many(entries)
            for i, appeal in nobody:  # nobody in the line is active: whoever may handle it there is told
                users, *rest = messages[i]
                messages[i] = ([*users, *waiting_on(appeal, todos.appeals_to_handle)], *rest)
            notify_many(messages)
    if skipped is not None:
        for year, count in guessed.items():
            skipped[year] = skipped.get(year, 0) + count
    if failed is not None:
        failed += bad
    return len(changed)


def _provisional_years(appeal: Appeal, cal) -> list[int]:
    """The years ``appeal``'s running clock crossed that the calendar does not hold (its deadline
    was counted on the weekday rule); none for a clock kept from before its start was stored."""
    if appeal.deadline is None or appeal.deadline_from is None or appeal.deadline_days is None:
        return []
    return [y for y in range(appeal.deadline_from.year, day_ended(appeal.deadline).year + 1) if not cal.knows(y)]


def escalate_one(appeal_id: int, now=None) -> bool:
    """Raise one overdue appeal one level (idempotent; see ``_escalate_batch``)."""
    return bool(_escalate_batch([appeal_id], now or timezone.now()))


def reconcile_provisional_escalations(now=None) -> int:
    """An escalation made when the deadline it passed was provisional (``Appeal.provisional_escalation``)
    is checked once every year that deadline crossed is entered: counted again on the calendar as
    entered, the deadline it passed was the true one, or a later one.

    - It came at or after the true deadline: it stands.
    - It came before, and the appeal is still unfinished at the level it raised it to while the
      true deadline is still ahead: it is undone — the level, its handler (``route``, when he has left
      since) and its clock back, the first level's kept deadline with it, an event saying why, the
      person it had gone to and the one it comes back to told. Nothing the level above did is lost
      (its replies and notes stay in the record); it is the escalation that should not have been.
    - It came before, but the true deadline has passed meanwhile: the appeal was overdue there all
      the same; it stands, and the event says so.
    - It came before, and the appeal has since closed or risen again: undoing it would rewrite what
      was done on it since, so it stands, flagged in the event log and kept out of 逾期
      (``escalated_early_from``: 按时办结 and the escalation counts of 办理指标 read it).

    Called after every calendar change and by the sweep (idempotent). Returns how many it settled."""
    now = now or timezone.now()
    cal = current_calendar(guess=True)
    settled = 0
    with transaction.atomic():
        rows = list(Appeal.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(provisional_escalation__isnull=False)
                    .select_related("owner", "organization", "department").order_by("pk")[:500])
        for appeal in rows:
            basis = appeal.provisional_escalation
            if any(not cal.knows(year) for year in basis.get("years", [])):
                continue  # still a guess: checked when its year is entered
            settled += 1
            _reconcile(appeal, basis, cal, now)
    return settled


def _reconcile(appeal: Appeal, basis: dict, cal, now) -> None:
    level, at = basis["level"], dt.datetime.fromisoformat(basis["at"])
    start, days, pauses = dt.date.fromisoformat(basis["from"]), basis["days"], basis.get("pauses") or []
    true = clock(start, days + credited(pauses, cal), cal).deadline
    before = audit.snapshot(appeal)
    appeal.provisional_escalation, appeal.version = None, appeal.version + 1
    fields = ["provisional_escalation", "version"]
    said = gettext("升级时{years}年节假日安排尚未录入，{level}的办理期限暂按推算为{guess}；按录入的日历，"
                   "该期限为{true}，").format(years="、".join(map(str, basis["years"])), level=Appeal.LEVELS[level],
                                             guess=deadline_text(dt.datetime.fromisoformat(basis["deadline"]), cal),
                                             true=deadline_text(true, cal))
    undone, escalated_to, text = False, appeal.owner, ""
    if true <= at:
        pass  # escalated at or after the true deadline: nothing to say
    elif appeal.status in Appeal.UNRESOLVED and appeal.level == level + 1 and true > now:
        undone, previous = True, None
        if basis.get("owner"):
            from feidi.accounts.models import User

            previous = User.objects.filter(pk=basis["owner"], is_active=True).first()
        owner = previous or owner_for_level(appeal, level)
        # the spells suspended since the escalation stopped the restored clock as well
        kept = [*pauses, *(appeal.deadline_pauses or [])]
        appeal.level, appeal.owner = level, owner
        appeal.deadline_from, appeal.deadline_days, appeal.deadline_pauses = start, days, kept
        appeal.deadline = clock(start, days + credited(kept, cal), cal).deadline
        fields += ["level", "owner", "deadline", "deadline_from", "deadline_days", "deadline_pauses"]
        if level == 1:
            appeal.first_deadline = appeal.first_deadline_from = appeal.first_deadline_days = None
            fields += ["first_deadline", "first_deadline_from", "first_deadline_days"]
        text = said + gettext("升级（{at}）早于期限，予以撤销：退回{level}，由{owner}继续办理，办理期限{deadline}").format(
            at=f"{timezone.localtime(at):%Y-%m-%d %H:%M}", level=Appeal.LEVELS[level],
            owner=owner.full_name if owner else gettext("园区诉求办理人员"), deadline=deadline_text(appeal.deadline, cal))
    elif appeal.status in Appeal.UNRESOLVED and appeal.level == level + 1:
        text = said + gettext("升级（{at}）早于期限，但该期限现已届满，升级保留").format(
            at=f"{timezone.localtime(at):%Y-%m-%d %H:%M}")
    else:
        appeal.escalated_early_from = level
        fields.append("escalated_early_from")
        text = said + gettext("由{level}所作的升级（{at}）早于期限；诉求此后已办结或再次升级，升级不予撤销，"
                              "不计为逾期").format(level=Appeal.LEVELS[level], at=f"{timezone.localtime(at):%Y-%m-%d %H:%M}")
    appeal.save(update_fields=fields)
    if text:
        _event(appeal, None, "unescalate" if undone else "recount", text)
    audit.record(audit.AuditRecord.Action.TRANSITION if undone else audit.AuditRecord.Action.UPDATE, appeal,
                 before=before, after=audit.snapshot(appeal))
    if undone:  # the person it had gone to, and the one it comes back to (or, nobody there, who may handle it)
        notify([escalated_to, *waiting_on(appeal, todos.appeals_to_handle)], gettext("诉求撤销升级，退回{level}：{title}").format(level=Appeal.LEVELS[level], title=appeal.title),
               f"{appeal.organization} · {text}", appeal.get_absolute_url(), department=appeal.department)


def _calendar_changed(sender, **kwargs) -> None:
    """``core.calendar.calendar_changed`` (after the entry's commit): the escalations made on the
    guess are checked."""
    try:
        reconcile_provisional_escalations()
    except Exception:  # noqa: BLE001 — the calendar is saved; the sweep checks them again in five minutes
        log.exception("checking the escalations made on provisional deadlines failed")


def connect() -> None:
    from feidi.core.calendar import calendar_changed

    calendar_changed.connect(_calendar_changed, dispatch_uid="feidi.services.actions.reconcile_escalations")


def sweep(now=None, batch: int = 500, skipped: dict[int, int] | None = None,
          failed: list[int] | None = None) -> int:
    """Escalate every open appeal past its deadline by one level, in batches. An appeal whose next
    deadline falls in a year whose holiday schedule is not entered is escalated all the same, its
    deadline counted on the weekday rule (counted again once the year is entered), and counted in
    ``skipped`` by year for the administrators' notice. An appeal that cannot be escalated is
    skipped, logged and listed in ``failed``: a batch that fails as a whole is taken again one
    appeal at a time, so one odd row stops neither its batch nor the later ones. First, appeals
    whose handler's account is off are re-routed (``reroute_orphaned``) and escalations made on a
    provisional deadline whose year is now entered are checked (``reconcile_provisional_escalations``)."""
    now = now or timezone.now()
    failed = [] if failed is None else failed
    done = 0
    for step, name in ((reroute_orphaned, "re-routing appeals whose handler's account is off"),
                       (lambda: reconcile_provisional_escalations(now),
                        "checking escalations made on provisional deadlines")):
        try:  # before escalating: an appeal waiting on nobody who can act, or raised too early, is put right first
            step()
        except Exception:  # noqa: BLE001 — the escalations below go on
            log.exception("escalation sweep: %s failed", name)
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
