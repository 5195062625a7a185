"""Writes on the pipeline and on key projects.

A stage change is a conditional update on the stage and version it starts from: two officers
moving the same project at once cannot both win, and the loser is told. Every change writes its
event and audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models import Q
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import audit
from feidi.core import workbench
from feidi.core.actions import ConflictError
from feidi.core.actions import checked_date
from feidi.core.actions import checked_text
from feidi.core.actions import create_object
from feidi.core.actions import unfit_for
from feidi.core.actions import update_object
from feidi.core.models import seeded_label
from feidi.core.notify import notify
from feidi.core.notify import notify_many
from feidi.lib.money import human
from feidi.lib.money import human_together

from .models import FLOW
from .models import Alert
from .models import AnnualPlan
from .models import Milestone
from .models import MonthlyInvestment
from .models import Problem
from .models import Project
from .models import ProjectEvent
from .models import ProjectFile
from .models import ProjectSettings
from .models import Stage
from .models import StageGate
from .models import StageRecord
from .models import Task
from .models import allowed_next
from .models import in_force

# The business date a transition stamps on the project.
STAGE_DATE_FIELD = {Stage.SIGNED: "signed_on", Stage.STARTED: "started_on", Stage.PRODUCING: "produced_on"}


def _event(project, user, kind: str, text: str = "") -> None:
    ProjectEvent.objects.create(project=project, user=user if getattr(user, "pk", None) else None, kind=kind, text=text)


def _touch(project_id) -> None:
    """A part of the project was written: activity on it, and its alerts settled once committed —
    a problem solved, a task done or a month's investment entered ends its alert at once, not at
    the next hourly run (which a server without the worker never has)."""
    Project.objects.filter(pk=project_id).update(last_activity_at=timezone.now())
    transaction.on_commit(lambda: settle_alerts(project_id))


def settle_alerts(project_id) -> None:
    evaluate_alerts(projects=Project.objects.filter(pk=project_id))


# --- projects -----------------------------------------------------------------------------------

def may_own(user) -> bool:
    """A staff user who follows projects up may be a project's 负责人."""
    return bool(getattr(user, "pk", None)) and not user.organization_id and user.has_perm("projects.change_project")


def do_save_project(project: Project, *, acting_user, expected_version=None, m2m=None, pool: bool = False) -> Project:
    """Create a lead (stage 线索, its first stage record opened) or save an edit. The stage is
    never changed here: only ``do_transition_project`` moves it.

    A new lead without an owner is owned by the officer who enters it (谁引进、谁负责), unless it is
    deliberately put in the pool (``pool``: a tip passed on for any officer to claim)."""
    if project.zone_id and project.zone.department_id:
        # A project belongs to the zone it lands in (the introducing unit is kept apart).
        project.department_id = project.zone.department_id
    if project.pk is None:
        if project.owner_id is None and not pool and may_own(acting_user):
            project.owner = acting_user  # 谁引进、谁负责: the officer who enters a lead owns it
        now = timezone.now()
        with transaction.atomic():
            project.stage, project.stage_since, project.last_activity_at = Stage.LEAD, now, now
            create_object(project, acting_user=acting_user, m2m=m2m)
            StageRecord.objects.create(project=project, stage=Stage.LEAD, entered_at=now, entered_on=timezone.localdate(),
                                       by=acting_user if getattr(acting_user, "pk", None) else None, note="登记线索")
            _event(project, acting_user, "create", "登记线索" + (f"，负责人：{project.owner}" if project.owner_id else "（公海）"))
        return project
    _not_terminated(project.pk, gettext("项目已终止，不能再修改"))
    with transaction.atomic():
        saved = update_object(project, acting_user=acting_user, expected_version=expected_version, m2m=m2m)
        # Moved to another zone: its parts and alerts follow, so they stay in the same scope.
        for part in (AnnualPlan, MonthlyInvestment, Milestone, Problem, Task, Alert):
            part.objects.filter(project=saved).exclude(department_id=saved.department_id).update(
                department_id=saved.department_id)
        _touch(project.pk)
    return saved


def gate_for(project: Project, stage: str) -> StageGate | None:
    """The gate of the nearest department up the project's tree that defines one for ``stage``."""
    from feidi.accounts.models import Department

    dept = Department.objects.filter(pk=project.department_id).first()
    ids = [d.pk for d in [*(dept.ancestors() if dept else []), dept] if d is not None]
    found = {g.department_id: g for g in StageGate.objects.filter(stage=stage, department_id__in=ids)
             .prefetch_related("roles")}
    for d in reversed(ids):
        if d in found:
            return found[d]
    return StageGate.objects.filter(stage=stage, department__isnull=True).prefetch_related("roles").first()


def gate_problems(project: Project, stage: str, user, *, on: dt.date | None = None) -> list[str]:
    """What keeps ``project`` from entering ``stage`` now (empty when it may)."""
    problems = []
    gate = gate_for(project, stage)
    if gate is None:
        return problems
    roles = list(gate.roles.all())
    if roles and not {r.pk for r in roles} & set(user.roles.values_list("pk", flat=True)):
        problems.append(gettext("只有{roles}可以将项目推进到“{stage}”").format(
            roles=gettext("、").join(str(r) for r in roles), stage=Stage(stage).label))
    date_field = STAGE_DATE_FIELD.get(stage)
    for name in gate.required_fields or []:
        if name == date_field and on is not None:
            continue  # the transition stamps it
        value = getattr(project, f"{name}_id" if name in ("organization", "segment", "leader", "owner") else name)
        if value in (None, ""):
            problems.append(gettext("请先填写“{get}”").format(get=StageGate.GATE_FIELDS.get(name, name)))
    have = set(project.files.values_list("kind", flat=True))
    for kind in gate.required_evidence or []:
        if kind not in have:
            problems.append(gettext("请先上传佐证材料“{kind}”").format(kind=seeded_label(kind)))
    return problems


def do_transition_project(project: Project, to_stage: str, *, acting_user, on: dt.date | None = None,
                          note: str = "") -> Project:
    """Move ``project`` one step along 线索→洽谈→签约→开工→投产→达产, or to 终止 (with a reason)."""
    if not acting_user.has_perm("projects.transition_project"):
        raise PermissionDenied(gettext("您没有推进项目阶段的权限"))
    note = checked_text(note, "note")
    from_stage = project.stage
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": gettext("“{value}”不是项目阶段：应为{names}").format(
            value=str(to_stage)[:20], names=gettext("、").join(f"{s.value}（{s.label}）" for s in Stage))})
    if to_stage not in allowed_next(from_stage):
        names = gettext("、").join(str(Stage(s).label) for s in allowed_next(from_stage)) or gettext("无（已是最终阶段）")
        raise ValidationError(gettext("不能从“{label}”直接进入“{label2}”；可进入：{names}").format(
            label=Stage(from_stage).label, label2=Stage(to_stage).label, names=names))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": gettext("日期不能晚于今天")})
    try:
        checked_date(on, "on")  # 0001-01-01 stored made the project's page count 739,957 days
    except ValueError as exc:
        raise ValidationError({"on": str(exc)}) from None
    # a stage is reached on or after the dated stages before it (开工 not before 签约); a lead's record
    # is dated when it was entered into Feidi, which may be after the business moved on
    # (终止 too: a project signed in 2026 was terminated on 1999-01-01 through the API)
    for stage, name in STAGE_DATE_FIELD.items():
        day = getattr(project, name)
        if stage != to_stage and day is not None and on < day:
            raise ValidationError({"on": gettext("日期不能早于{label}（{day}）").format(
                label=Project._meta.get_field(name).verbose_name, day=day.isoformat())})
    last = (StageRecord.objects.filter(project=project).exclude(stage=Stage.LEAD)
            .order_by("-entered_on").values_list("stage", "entered_on").first())
    if last is not None and on < last[1]:  # nor before the step it leaves was reached (洽谈 dated before itself)
        raise ValidationError({"on": gettext("日期不能早于进入“{label}”的日期（{day}）").format(
            label=Stage(last[0]).label, day=last[1].isoformat())})
    if to_stage == Stage.TERMINATED and not note.strip():
        raise ValidationError({"note": gettext("终止项目须说明原因")})
    if to_stage != Stage.TERMINATED and project.owner_id is None:
        raise ValidationError(gettext("该项目尚无负责人（谁引进、谁负责）：请先从公海认领或指定负责人，再推进阶段"))
    problems = gate_problems(project, to_stage, acting_user, on=on)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    changes = {"stage": to_stage, "stage_since": now, "last_activity_at": now, "version": F("version") + 1}
    if to_stage in STAGE_DATE_FIELD:
        changes[STAGE_DATE_FIELD[to_stage]] = on
    if to_stage == Stage.TERMINATED:
        changes["terminated_reason"] = note.strip()[:300]
    with transaction.atomic():
        before = audit.snapshot(project)
        done = Project.objects.filter(pk=project.pk, stage=from_stage, version=project.version).update(**changes)
        if not done:
            raise ConflictError(gettext("该项目已被他人推进或修改，请刷新后重试"))
        StageRecord.objects.filter(project=project, left_at__isnull=True).update(left_at=now)
        StageRecord.objects.create(project=project, stage=to_stage, entered_at=now, entered_on=on,
                                   by=acting_user, note=note[:300])
        transaction.on_commit(lambda: settle_alerts(project.pk))  # a terminated project has none
        project.refresh_from_db()
        _event(project, acting_user, "transition",
               f"{Stage(from_stage).label} → {Stage(to_stage).label}（{on:%Y-%m-%d}）" + (f"：{note}" if note else ""))
        audit.record(audit.AuditRecord.Action.TRANSITION, project, user=acting_user, before=before,
                     after=audit.snapshot(project))
    return project


def stage_durations(project: Project, now=None) -> list[dict]:
    """Days spent in each stage by the business dates (签约 on the day signed, not the day it was
    entered): from a stage's date to the next stage's, the current stay to today. A stage whose
    next one is dated earlier (a project entered into Feidi after it moved on) has no count."""
    today = timezone.localdate(now or timezone.now())
    records = list(project.stage_records.order_by("entered_at", "pk"))
    rows = []
    for i, record in enumerate(records):
        end = records[i + 1].entered_on if i + 1 < len(records) else today
        days = (end - record.entered_on).days
        rows.append({"stage": record.get_stage_display(), "entered_on": record.entered_on, "entered_at": record.entered_at,
                     "left_at": record.left_at, "days": days if days >= 0 else None,
                     "current": record.left_at is None, "by": record.by, "note": record.note})
    return rows


def do_urge_project(project: Project, text: str, *, acting_user) -> None:
    """督办: a leader presses the project's owner on what is late, in the project's log (督办：…) and
    in the owner's inbox. Only a leader (who may give 批示) urges, and only a project with an owner."""
    if acting_user is None or acting_user.organization_id or not acting_user.has_perm("projects.instruct_problem"):
        raise PermissionDenied(gettext("只有园区领导可以督办项目"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": gettext("请填写督办要求")})
    if project.owner_id is None:
        raise ValidationError(gettext("该项目尚无负责人：请先指定负责人，再督办"))
    with transaction.atomic():
        _event(project, acting_user, "urge", gettext("督办：{text}").format(text=text[:480]))
        if project.owner_id != acting_user.pk:
            notify([project.owner], gettext("领导督办：{project}").format(project=project), text[:200],
                   project.get_absolute_url(), department=project.department)


def do_follow_up(project: Project, text: str, *, acting_user) -> None:
    if not text.strip():
        raise ValidationError({"text": gettext("请填写跟进情况")})
    text = checked_text(text.strip(), "text")
    with transaction.atomic():
        _event(project, acting_user, "followup", text)
        _touch(project.pk)


def do_claim_project(project: Project, *, acting_user) -> Project:
    """Take a lead from the shared pool (公海). Exactly one of two simultaneous claims wins."""
    if not acting_user.has_perm("projects.claim_project"):
        raise PermissionDenied(gettext("您没有认领线索的权限"))
    now = timezone.now()
    with transaction.atomic():
        done = Project.objects.filter(pk=project.pk, owner__isnull=True, stage=Stage.LEAD).update(
            owner=acting_user, pooled_at=None, last_activity_at=now, version=F("version") + 1)
        if not done:
            raise ConflictError(gettext("该线索已被他人认领或已不在公海"))
        project.refresh_from_db()
        _event(project, acting_user, "claim", f"{acting_user.full_name} 从公海认领")
        audit.record(audit.AuditRecord.Action.UPDATE, project, user=acting_user, before={"owner": None},
                     after={"owner": acting_user.pk})
    return project


def do_reassign_project(project: Project, new_owner, *, acting_user, reason: str = "") -> Project:
    if not acting_user.has_perm("projects.reassign_project"):
        raise PermissionDenied(gettext("您没有改派项目的权限"))
    why = unfit_for(new_owner, Project.acted_by["owner"], Project._meta.get_field("owner").verbose_name)
    if why:
        raise ValidationError({"owner": why})
    old = project.owner
    if new_owner is not None and old is not None and new_owner.pk == old.pk:
        raise ValidationError({"owner": gettext("新负责人与原负责人相同")})
    with transaction.atomic():
        done = Project.objects.filter(pk=project.pk, version=project.version).update(
            owner=new_owner, pooled_at=None, last_activity_at=timezone.now(), version=F("version") + 1)
        if not done:
            raise ConflictError(gettext("该项目已被他人修改，请刷新后重试"))
        project.refresh_from_db()
        _event(project, acting_user, "reassign", f"负责人：{old or '公海'} → {new_owner or '公海'}" + (f"；{reason}" if reason else ""))
        audit.record(audit.AuditRecord.Action.UPDATE, project, user=acting_user,
                     before={"owner": getattr(old, "pk", None)}, after={"owner": getattr(new_owner, "pk", None),
                                                                        "reason": reason})
        if new_owner is not None:
            notify([new_owner], f"项目改派给您：{project.name}", reason, project.get_absolute_url())
        if old is not None and old.is_active and old.pk != getattr(acting_user, "pk", None):  # his work changed under him
            notify([old], gettext("您负责的项目已改派：{project}").format(project=project.name),
                   gettext("新负责人：{owner}").format(owner=new_owner or gettext("公海")) + (f"；{reason}" if reason else ""),
                   project.get_absolute_url())
    return project


def hand_on_work(user, *, acting_user, everything: bool = True) -> int:
    """The work ``user`` held here handed on — all of it when he is switched off or moved to another
    zone (``everything``), else what his roles no longer let him do (``accounts.actions.roles_changed``):
    the projects he was responsible for (谁引进、谁负责) go back to the pool (公海) for his zone to
    claim or reassign; the open dispatch tasks named to him go back to their unit, whose people are
    told; a project he was 挂点领导 of is left without one, and its owner told to name another. Each
    with its event or audit row, inside the caller's transaction. Returns how many records moved."""
    from feidi.accounts.models import User

    fresh = User.objects.filter(pk=user.pk).first()
    gone = everything or fresh is None or not fresh.is_active

    def lost(model, name):
        return gone or not fresh.has_perm(model.acted_by[name])

    why = gettext("已停用或调离本园区") if gone else gettext("的角色已不能办理")
    now, moved = timezone.now(), 0
    unowned = defaultdict(list)  # zone department → projects past the lead stage left without an owner
    if lost(Project, "owner"):
        for project in Project.objects.filter(owner_id=user.pk).exclude(stage=Stage.TERMINATED):
            Project.objects.filter(pk=project.pk).update(owner=None, pooled_at=now, version=F("version") + 1)
            _event(project, acting_user, "pool", gettext("原负责人{user}{why}，退回公海").format(user=user, why=why))
            audit.record(audit.AuditRecord.Action.UPDATE, project, user=acting_user,
                         before={"owner": user.pk}, after={"owner": None, "pooled_at": now.isoformat()})
            if project.stage != Stage.LEAD:  # the pool lists leads to claim; a signed project needs reassigning
                unowned[project.department_id].append(project)
            moved += 1
    if lost(Task, "owner"):
        for task in Task.objects.filter(owner_id=user.pk, status=Task.Status.OPEN).select_related("project"):
            Task.objects.filter(pk=task.pk).update(owner=None, version=F("version") + 1)
            audit.record(audit.AuditRecord.Action.UPDATE, task, user=acting_user, before={"owner": user.pk},
                         after={"owner": None})
            task.owner = None
            _tell_holders(task, acting_user, gettext("原责任人{user}{why}，由责任单位办理").format(user=user, why=why))
            moved += 1
    if lost(Project, "leader"):
        for project in Project.objects.filter(leader_id=user.pk).exclude(stage=Stage.TERMINATED).select_related("owner"):
            Project.objects.filter(pk=project.pk).update(leader=None, version=F("version") + 1)
            text = gettext("原挂点领导{user}{why}，请重新指定").format(user=user, why=why)
            _event(project, acting_user, "edit", text)
            audit.record(audit.AuditRecord.Action.UPDATE, project, user=acting_user, before={"leader": user.pk},
                         after={"leader": None})
            if project.owner_id and project.owner.is_active and project.owner_id != user.pk:
                notify([project.owner], gettext("项目挂点领导需重新指定：{project}").format(project=project.name), text,
                       project.get_absolute_url())
            else:
                unowned[project.department_id].append(project)
            moved += 1
    _tell_reassigners(unowned, user, why)
    return moved


def _tell_reassigners(unowned: dict, user, why: str) -> None:
    """The people who may reassign projects in each zone are told which of its projects were left
    without someone to follow them (their owner or 挂点领导 gone, nobody else to tell)."""
    from feidi.accounts.models import Department
    from feidi.accounts.models import User

    for department_id, projects in unowned.items():
        department = Department.objects.filter(pk=department_id).first()
        people = list(User.objects.staff_of(department).holding("projects.reassign_project").exclude(pk=user.pk))
        names = gettext("、").join(dict.fromkeys(p.name for p in projects))
        notify(people, gettext("{user}{why}，{count}个项目待重新指定负责人或挂点领导").format(
            user=user, why=why, count=len({p.pk for p in projects})), names, department=department)


def _tell_holders(part, acting_user, why: str = "") -> None:
    """Whoever an open task or problem now waits on is told: a task's 责任人, else the people of its
    责任单位 whose 我的待办 lists it (``tasks_due``); a problem's 责任单位 who may report it solved
    (``resolvable``). Not the person who made the change."""
    if part.status != part.Status.OPEN:
        return
    if isinstance(part, Task):
        people = [part.owner] if part.owner_id else workbench.recipients(tasks_due, part, "projects.change_task")
        title = gettext("调度任务：{project}").format(project=part.project.name)
        body = gettext("{decision}（时限 {deadline}）").format(decision=part.decision[:200],
                                                          deadline=f"{part.deadline:%Y-%m-%d}")
    else:
        people = workbench.recipients(lambda qs, user, today: resolvable(qs, user), part, "projects.resolve_problem")
        title = gettext("项目问题（责任单位：{unit}）：{project}").format(unit=part.owner_department,
                                                                  project=part.project.name)
        body = gettext("{description}（解决时限 {deadline}）").format(description=part.description[:200],
                                                                deadline=f"{part.deadline:%Y-%m-%d}")
    notify([p for p in people if p.pk != getattr(acting_user, "pk", None)], title,
           f"{why}。{body}" if why else body, part.get_absolute_url(), department=part.owner_department)


def release_stale_leads(now=None) -> int:
    """Leads nobody followed up for their zone's ``pool_after_days`` go back to the pool. Each
    release is conditional on the lead still being stale, so a follow-up racing it wins."""
    now = now or timezone.now()
    released = 0
    depts = (Project.objects.filter(stage=Stage.LEAD, owner__isnull=False).values_list("department_id", flat=True)
             .order_by().distinct())
    by_days: dict[int, list] = defaultdict(list)
    for dept in depts:
        by_days[ProjectSettings.for_department(dept).pool_after_days].append(dept)
    messages = []
    for days, dept_ids in by_days.items():
        cutoff = now - dt.timedelta(days=days)
        stale = Project.objects.filter(stage=Stage.LEAD, owner__isnull=False, last_activity_at__lt=cutoff,
                                       department_id__in=dept_ids).select_related("owner")
        for project in stale.iterator(chunk_size=500):
            with transaction.atomic():
                done = Project.objects.filter(pk=project.pk, owner_id=project.owner_id, last_activity_at__lt=cutoff,
                                              stage=Stage.LEAD).update(owner=None, pooled_at=now,
                                                                       version=F("version") + 1)
                if not done:
                    continue
                _event(project, None, "pool", f"{days}天未跟进，自动退回公海（原负责人：{project.owner}）")
                audit.record(audit.AuditRecord.Action.UPDATE, project, user=None,
                             before={"owner": project.owner_id}, after={"owner": None, "pooled_at": now.isoformat()})
            released += 1
            messages.append(([project.owner], f"线索已退回公海：{project.name}", f"{days}天未跟进",
                             project.get_absolute_url(), None))
    if messages:
        notify_many(messages)
    return released


def do_attach_evidence(project: Project, kind: str, upload, *, acting_user) -> ProjectFile:
    from feidi.core.attachments import attach

    kind = (kind or "").strip()
    if not kind:
        raise ValidationError({"kind": gettext("请选择材料类别")})
    with transaction.atomic():
        item = attach(ProjectFile(project=project, kind=kind[:50]), upload, acting_user=acting_user,
                      after={"project": project.pk, "kind": kind})
        _event(project, acting_user, "evidence", f"上传{kind}：{item.name}")
        _touch(project.pk)
    return item


def _not_terminated(project_id, message: str) -> None:
    """Refuse ``message`` when the stored project is terminated (终止 is final: it is not edited,
    nor given plans, investment, milestones, problems or tasks; what it holds stays as it was)."""
    if project_id and Project._base_manager.filter(pk=project_id, stage=Stage.TERMINATED).exists():
        raise ValidationError(message)


def do_save_part(obj, *, acting_user, expected_version=None, m2m=None):
    """Plans, monthly investment, milestones, problems and tasks: the department follows the
    project's; saving counts as activity on the project. A terminated project takes none."""
    _not_terminated(obj.project_id, gettext("项目已终止，不能再登记或修改{part}").format(part=obj._meta.verbose_name))
    if obj.project_id:
        obj.department_id = obj.project.department_id
    held = ("owner_id", "owner_department_id") if isinstance(obj, Task) else ("owner_department_id",)
    with transaction.atomic():
        if obj.pk is None:
            before = None
            saved = create_object(obj, acting_user=acting_user, m2m=m2m)
        else:
            before = type(obj)._base_manager.filter(pk=obj.pk).values_list(*held).first() if isinstance(
                obj, (Task, Problem)) else None
            saved = update_object(obj, acting_user=acting_user, expected_version=expected_version, m2m=m2m)
        _touch(obj.project_id)
        # a task or a problem given to someone new (made, or its 责任人/责任单位 changed): they are told
        if isinstance(saved, (Task, Problem)) and before != tuple(getattr(saved, f) for f in held):
            _tell_holders(saved, acting_user)
    return saved


def tasks_due(queryset, user, today=None):
    """Open tasks named to ``user``, or to a unit on his line with nobody named."""
    if user.organization_id or not user.has_perm("projects.change_task"):
        return queryset.none()
    mine = Q(owner_id=user.pk) | (Q(owner__isnull=True) & workbench.on_line(user, "owner_department_id"))
    return queryset.visible_to(user, "change").filter(mine, status=Task.Status.OPEN)


def resolvable(queryset, user):
    """The problems of ``queryset`` that ``user`` may report solved: within the scope of the roles
    granting ``projects.resolve_problem``, and — unless the user may also change problems (the
    项目办, who follows every unit's problems up) — only those whose responsible unit is on the
    user's line (``workbench.on_line``): a bureau answers for its own problems, not its
    neighbours'."""
    from feidi.core.workbench import on_line

    if user is None or user.organization_id or not user.has_perm("projects.resolve_problem"):
        return queryset.none()
    queryset = queryset.filter(pk__in=Problem.objects.visible_to(user, "resolve").values("pk"))
    if user.has_perm("projects.change_problem"):
        return queryset
    return queryset.filter(on_line(user, "owner_department_id"))


def _closing(text: str, day: dt.date | None, text_field: str, day_field: str, missing: str, future: str):
    """A part reported done (a problem solved, a task finished): its text stripped, its day (today
    when not given) and the errors of either — no text, a day after today."""
    today = timezone.localdate()
    day, text = day or today, (text or "").strip()
    errors = {}
    if not text:
        errors[text_field] = missing
    if day > today:
        errors[day_field] = future
    return text, day, errors


def _closed(current, errors: dict, changes: dict, *, acting_user, title: str, text: str):
    """The part reported done (within the caller's transaction, ``current`` locked): refused with
    ``errors`` if any, else written with its audit row and the project's activity, and whoever
    recorded it told (``title`` names the project)."""
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(current, name, value)
    saved = update_object(current, acting_user=acting_user)
    _touch(saved.project_id)
    if current.created_by_id and current.created_by_id != getattr(acting_user, "pk", None):
        notify([current.created_by], title.format(project=saved.project), text, saved.get_absolute_url(),
               department=saved.department)
    return saved


def do_resolve_problem(problem, *, acting_user, resolution: str, solved_on: dt.date | None = None):
    """The responsible unit reports ``problem`` solved (解决情况, the day it was solved; today when not
    given): the problem's status, day and resolution change and nothing else, with the audit row
    and the project's activity; whoever recorded the problem is told. A problem solved already, a
    day in the future or before the problem was recorded, or an empty resolution is refused, and
    nothing changes."""
    resolution, solved_on, errors = _closing(resolution, solved_on, "resolution", "solved_on",
                                             gettext("请填写解决情况"), gettext("解决日期不能晚于今天"))
    with transaction.atomic():
        current = Problem._base_manager.select_for_update().get(pk=problem.pk)
        if not resolvable(Problem.objects.filter(pk=current.pk), acting_user).exists():
            raise PermissionDenied(gettext("只有责任单位（{unit}）或项目办可以填报该问题的解决情况").format(
                unit=current.owner_department))
        if current.status == Problem.Status.SOLVED:
            raise ConflictError(gettext("该问题已于{day:%Y-%m-%d}解决，无需重复填报").format(day=current.solved_on)
                                if current.solved_on else gettext("该问题已解决，无需重复填报"))
        recorded = timezone.localdate(current.created_at) if current.created_at else None
        if recorded and solved_on < recorded and "solved_on" not in errors:
            errors["solved_on"] = gettext("解决日期不能早于问题登记日期（{day:%Y-%m-%d}）").format(day=recorded)
        return _closed(current, errors, {"status": Problem.Status.SOLVED, "solved_on": solved_on,
                                         "resolution": resolution}, acting_user=acting_user,
                       title=gettext("问题已解决：{project}"),
                       text=gettext("{unit}：{resolution}").format(unit=current.owner_department,
                                                                   resolution=resolution[:200]))


def instructable(queryset, user):
    """The open problems needing the leadership's decision (需领导决策) that ``user`` may instruct:
    within the scope of the roles granting ``projects.instruct_problem``."""
    if user is None or user.organization_id or not user.has_perm("projects.instruct_problem"):
        return queryset.none()
    return queryset.filter(pk__in=Problem.objects.visible_to(user, "instruct").values("pk"),
                           needs_leadership=True, status=Problem.Status.OPEN)


def do_instruct_problem(problem, *, acting_user, instruction: str):
    """The leader's 批示 on a problem needing the leadership's decision: kept on the problem with who
    gave it and when (a later one replaces it, the audit keeps both), and sent to the responsible
    unit's people and whoever recorded the problem. A problem solved, not needing the leadership,
    or out of the leader's reach, or an empty text, is refused and nothing changes."""
    instruction = (instruction or "").strip()
    if not instruction:
        raise ValidationError({"instruction": gettext("请填写批示内容")})
    with transaction.atomic():
        current = Problem._base_manager.select_for_update().get(pk=problem.pk)
        if not instructable(Problem.objects.filter(pk=current.pk), acting_user).exists():
            raise PermissionDenied(gettext("该问题已解决、不需领导决策，或不在您的批示范围内"))
        current.instruction, current.instructed_by, current.instructed_at = instruction, acting_user, timezone.now()
        saved = update_object(current, acting_user=acting_user)
        _touch(saved.project_id)
        from feidi.accounts.models import User

        told = {u.pk: u for u in User.objects.filter(is_active=True, department=saved.owner_department)}
        if current.created_by_id:
            told.setdefault(current.created_by_id, current.created_by)
        told.pop(getattr(acting_user, "pk", None), None)
        notify(list(told.values()), gettext("领导批示：{project}").format(project=saved.project),
               gettext("{problem}——{instruction}").format(problem=saved.description[:60], instruction=instruction[:200]),
               saved.get_absolute_url(), department=saved.department)
    return saved


# --- alerts -------------------------------------------------------------------------------------

def completed_in_year(project_ids, year: int, through_month: int) -> dict[int, Decimal]:
    """Completed investment per project in ``year`` for months 1..through_month."""
    if through_month < 1:
        return {}
    rows = (MonthlyInvestment.objects.filter(project_id__in=project_ids, month__gte=dt.date(year, 1, 1),
                                             month__lte=dt.date(year, through_month, 1))
            .values("project_id").annotate(total=Sum("amount")))
    return {r["project_id"]: r["total"] or Decimal(0) for r in rows}


def months_done(as_of: dt.date) -> int:
    """How many months of ``as_of``'s year a report dated ``as_of`` covers: the months completed by
    then, i.e. before ``as_of``'s month (a month's investment is reported after it ends; the pace
    check, ``actions.pace_shortfalls``, counts the same months). 0 in January."""
    return as_of.month - 1


def pace_text(as_of: dt.date, completed, expected) -> str:
    """"2026年1–10月完成投资…，低于进度要求…" over the months completed by ``as_of`` — in February
    "2026年1月…" (one month is not a range)."""
    through = months_done(as_of)
    completed, expected = human_together(completed, expected)  # compared: in one unit
    if through == 1:
        return gettext("{year}年1月完成投资{completed}，低于进度要求{expected}").format(
            year=as_of.year, completed=completed, expected=expected)
    return gettext("{year}年1–{month}月完成投资{completed}，低于进度要求{expected}").format(
        year=as_of.year, month=through, completed=completed, expected=expected)




def pace_shortfalls(today: dt.date, projects=None) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Key projects whose completed investment over the year's elapsed months is below the plan's
    pace: ``{project_id: (plan, expected, completed)}``. In January no month has elapsed. A project
    still in talks has no pace to keep (its plan is for when it is signed)."""
    elapsed = today.month - 1
    if elapsed == 0:
        return {}
    plans = AnnualPlan.objects.filter(year=today.year, planned_investment__gt=0, project__is_key=True)
    if projects is not None:
        plans = plans.filter(project__in=projects)
    plans = list(plans.filter(in_force("project__"), project__stage__in=FLOW[FLOW.index(Stage.SIGNED):])
                 .values_list("project_id", "planned_investment",
                                                                              "project__department_id"))
    done = completed_in_year([p[0] for p in plans], today.year, elapsed)
    percent = {}
    result = {}
    for pid, plan, dept in plans:
        if dept not in percent:
            percent[dept] = ProjectSettings.for_department(dept).pace_percent
        expected = (plan * elapsed / 12 * percent[dept] / 100).quantize(Decimal("0.01"))
        completed = done.get(pid, Decimal(0))
        if completed < expected:
            result[pid] = (plan, expected, completed)
    return result


def alert_text(rule: str, row: dict, today: dt.date) -> str:
    """What an alert of ``rule`` says of its milestone, problem or task (``row``: its name or text
    and its date) on ``today``: the days overdue are counted to that day (a 专报 of an earlier day
    counts to its own, not to the day the alert was last said)."""
    if rule == Alert.Rule.MILESTONE:
        return gettext("节点“{name}”计划{day}完成，已逾期{days}天").format(
            name=row["name"], day=row["planned_on"].isoformat(), days=(today - row["planned_on"]).days)
    if rule == Alert.Rule.PROBLEM:
        return gettext("问题“{text}”应于{day}前解决，已逾期{days}天").format(
            text=row["description"][:40], day=row["deadline"].isoformat(), days=(today - row["deadline"]).days)
    return gettext("调度事项“{text}”应于{day}前完成，已逾期").format(text=row["decision"][:40], day=row["deadline"].isoformat())


ALERT_SUBJECTS = {Alert.Rule.MILESTONE: (Milestone, ("name", "planned_on")),
                  Alert.Rule.PROBLEM: (Problem, ("description", "deadline")),
                  Alert.Rule.TASK: (Task, ("decision", "deadline"))}


def current_alerts(today: dt.date, projects=None) -> dict[tuple[int, str, str], str]:
    """Every rule that holds today: ``{(project_id, rule, subject): message}``."""

    found = {}
    base = Project.objects.filter(in_force())
    if projects is not None:
        base = base.filter(pk__in=projects.values("pk"))
    for m in Milestone.objects.filter(project__in=base, actual_on__isnull=True, planned_on__lt=today).values(
            "pk", "project_id", "name", "planned_on"):
        found[(m["project_id"], Alert.Rule.MILESTONE, str(m["pk"]))] = alert_text(Alert.Rule.MILESTONE, m, today)
    for p in Problem.objects.filter(project__in=base, status=Problem.Status.OPEN, deadline__lt=today).values(
            "pk", "project_id", "description", "deadline"):
        found[(p["project_id"], Alert.Rule.PROBLEM, str(p["pk"]))] = alert_text(Alert.Rule.PROBLEM, p, today)
    for t in Task.objects.filter(project__in=base, status=Task.Status.OPEN, deadline__lt=today).values(
            "pk", "project_id", "decision", "deadline"):
        found[(t["project_id"], Alert.Rule.TASK, str(t["pk"]))] = alert_text(Alert.Rule.TASK, t, today)
    for pid, (plan, expected, completed) in pace_shortfalls(today, base).items():
        found[(pid, Alert.Rule.PACE, str(today.year))] = (
            f"{pace_text(today, completed, expected)}（年度计划{human(plan)}）")
    return found


def evaluate_alerts(today: dt.date | None = None, projects=None) -> tuple[int, int]:
    """Raise alerts for rules that newly hold (notifying the linked leader and the owner), resolve
    those that no longer hold and say the open ones as of today (已逾期N天 counts on) — over every
    project, or over ``projects`` (a queryset: the project whose problem, task, milestone or
    investment was just written, ``settle_alerts``). Idempotent: an open alert is never raised twice."""
    today = today or timezone.localdate()
    now = timezone.now()
    holding = current_alerts(today, projects)
    open_qs = Alert.objects.filter(resolved_at__isnull=True)
    if projects is not None:
        open_qs = open_qs.filter(project__in=projects.values("pk"))
    open_alerts = {(a.project_id, a.rule, a.subject): a for a in open_qs}
    gone = [a.pk for key, a in open_alerts.items() if key not in holding]
    resolved = Alert.objects.filter(pk__in=gone, resolved_at__isnull=True).update(resolved_at=now) if gone else 0
    for key, alert in open_alerts.items():
        if key in holding and alert.message != holding[key][:300]:
            Alert.objects.filter(pk=alert.pk).update(message=holding[key][:300])
    new_keys = [key for key in holding if key not in open_alerts]
    raised = 0
    if new_keys:
        projects = Project.objects.in_bulk({k[0] for k in new_keys})
        leaders = {}
        from feidi.accounts.models import User

        ids = {p.leader_id for p in projects.values() if p.leader_id} | {p.owner_id for p in projects.values() if p.owner_id}
        leaders = User.objects.in_bulk(ids)
        created = Alert.objects.bulk_create(
            [Alert(project_id=k[0], rule=k[1], subject=k[2], message=holding[k][:300],
                   department_id=projects[k[0]].department_id) for k in new_keys],
            ignore_conflicts=True)
        raised = len(created)
        messages = []
        for k in new_keys:
            project = projects[k[0]]
            who = [leaders.get(project.leader_id), leaders.get(project.owner_id)]
            messages.append((list({u.pk: u for u in who if u is not None}.values()),
                             f"项目预警：{project.name}（{Alert.Rule(k[1]).label}）", holding[k],
                             project.get_absolute_url(), project.department))
        notify_many(messages)
    return raised, resolved


# --- weekly dispatch -----------------------------------------------------------------------------

def dispatch_agenda(dispatch, projects, today: dt.date | None = None) -> dict:
    """What the meeting needs, for every key project in ``projects`` (already scoped): progress
    since the previous dispatch, what is late, open problems, and decisions taken so far.

    A week's plan and completion figures are of the month its first day belongs to (一周一调度 is
    held at the start of the week on the year in progress): the annual plan of ``week_start``'s year
    and the investment completed in that year through ``week_start``'s month. The week of
    2026-12-28…2027-01-03 is December 2026's (the 2026 plans, January–December 2026); the week of
    2027-01-04 is January 2027's."""
    from .models import Dispatch

    today = today or timezone.localdate()
    week_end = dispatch.week_start + dt.timedelta(days=6)
    plan_year, through_month = dispatch.week_start.year, dispatch.week_start.month
    previous = (Dispatch.objects.filter(department_id=dispatch.department_id, week_start__lt=dispatch.week_start)
                .order_by("-week_start").first())
    since = previous.week_start + dt.timedelta(days=7) if previous else dispatch.week_start - dt.timedelta(days=7)
    since_dt = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    until_dt = timezone.make_aware(dt.datetime.combine(week_end + dt.timedelta(days=1), dt.time.min))
    key = list(projects.filter(in_force(), is_key=True)
               .select_related("leader", "owner", "segment__chain").order_by("key_level", "name"))
    ids = [p.pk for p in key]
    plan = dict(AnnualPlan.objects.filter(project_id__in=ids, year=plan_year)
                .values_list("project_id", "planned_investment"))
    done = completed_in_year(ids, plan_year, through_month)
    reached = defaultdict(list)
    for m in Milestone.objects.filter(project_id__in=ids, actual_on__gte=since, actual_on__lte=week_end):
        reached[m.project_id].append(m)
    late_m = defaultdict(list)
    for m in Milestone.objects.filter(project_id__in=ids, actual_on__isnull=True, planned_on__lt=today):
        late_m[m.project_id].append(m)
    problems = defaultdict(list)
    for p in Problem.objects.filter(project_id__in=ids, status=Problem.Status.OPEN).select_related("owner_department"):
        problems[p.project_id].append(p)
    moves = defaultdict(list)
    for r in StageRecord.objects.filter(project_id__in=ids, entered_on__gte=since, entered_on__lte=week_end):
        moves[r.project_id].append(r)
    entries = defaultdict(list)  # investment reported since the last dispatch
    for e in MonthlyInvestment.objects.filter(project_id__in=ids, updated_at__gte=since_dt,
                                              updated_at__lt=until_dt).order_by("month"):
        entries[e.project_id].append(e)
    tasks = defaultdict(list)
    for t in Task.objects.filter(project_id__in=ids, status=Task.Status.OPEN).select_related("owner_department", "owner"):
        tasks[t.project_id].append(t)
    decided = defaultdict(list)
    for t in dispatch.tasks.all().select_related("owner_department", "owner") if dispatch.pk else []:
        decided[t.project_id].append(t)
    rows = []
    for p in key:
        planned = plan.get(p.pk) or Decimal(0)
        completed = done.get(p.pk, Decimal(0))
        late_tasks = [t for t in tasks[p.pk] if t.deadline < today]
        overdue_problems = [x for x in problems[p.pk] if x.deadline < today]
        rows.append({
            "project": p, "plan": planned, "completed": completed,
            "rate": (completed / planned) if planned else None,
            "reached": reached[p.pk], "moves": moves[p.pk], "entries": entries[p.pk],
            "entries_total": sum((e.amount for e in entries[p.pk]), Decimal(0)),
            "entries_months": gettext("、").join(gettext("{month}月").format(
                month=e.month.month) for e in entries[p.pk]),
            "late_milestones": late_m[p.pk], "problems": problems[p.pk], "overdue_problems": overdue_problems,
            "open_tasks": tasks[p.pk], "late_tasks": late_tasks, "decisions": decided[p.pk],
            "late": bool(late_m[p.pk] or overdue_problems or late_tasks),
        })
    rows.sort(key=lambda r: (not r["late"], r["project"].key_level, r["project"].name))
    return {"since": since, "week_end": week_end, "previous": previous, "rows": rows,
            "plan_year": plan_year, "through_month": through_month,
            "late_count": sum(1 for r in rows if r["late"]),
            "problem_count": sum(len(r["problems"]) for r in rows)}


def do_record_decision(task: Task, *, acting_user) -> Task:
    """A decision taken at the meeting becomes a task for its owner, or its unit (told: ``_tell_holders``)."""
    if task.dispatch_id and task.dispatch.department_id and task.project.department_id != task.dispatch.department_id:
        from feidi.accounts.models import Department

        if task.dispatch.department_id not in {d.pk for d in Department.objects.get(
                pk=task.project.department_id).ancestors()}:
            raise ValidationError({"project": gettext("该项目不属于本次调度会的园区")})
    return do_save_part(task, acting_user=acting_user)  # its 责任人, or its unit, told there


def do_complete_task(task: Task, *, acting_user, result: str, done_on: dt.date | None = None) -> Task:
    """A dispatch task reported done by whoever may change it (its owner, its unit, the 项目办): the
    result and the day (today when not given; never later, nor before the meeting that set it);
    whoever recorded it is told. A task done already, an empty result or a day out of range is
    refused and nothing changes."""
    result, done_on, errors = _closing(result, done_on, "result", "done_on",
                                       gettext("请填写办理结果"), gettext("完成日期不能晚于今天"))
    with transaction.atomic():
        current = Task._base_manager.select_for_update().get(pk=task.pk)
        if not Task.objects.visible_to(acting_user, "change").filter(pk=current.pk).exists():
            raise PermissionDenied(gettext("您不能办理该调度任务"))
        if current.status == Task.Status.DONE:
            raise ConflictError(gettext("该任务已完成，无需重复填报"))
        set_on = current.dispatch.week_start if current.dispatch_id else timezone.localdate(current.created_at)
        if done_on < set_on and "done_on" not in errors:
            errors["done_on"] = gettext("完成日期不能早于任务议定的日期（{day:%Y-%m-%d}）").format(day=set_on)
        return _closed(current, errors, {"status": Task.Status.DONE, "done_on": done_on, "result": result},
                       acting_user=acting_user, title=gettext("调度任务已完成：{project}"), text=result[:200])


def do_hold_dispatch(dispatch, *, acting_user, held_on: dt.date | None = None, notes: str | None = None):
    from .models import Dispatch

    dispatch.status = Dispatch.Status.HELD
    # the day given, else the one entered when it was prepared if it has come, else today (a day outside
    # the meeting's week is refused: the meeting of an earlier week is held on the day entered on its page)
    today = timezone.localdate()
    monday = dispatch.week_start
    if held_on is None and not dispatch.held_on and monday and not monday <= today <= monday + dt.timedelta(days=6):
        raise ValidationError({"held_on": gettext(  # today is not a day of its week: the day it was held is asked
            "该会议属于{monday}至{sunday}这一周：请先在编辑页填写实际召开日期，再标记已召开").format(
            monday=monday.isoformat(), sunday=(monday + dt.timedelta(days=6)).isoformat())})
    dispatch.held_on = held_on or (dispatch.held_on if dispatch.held_on and dispatch.held_on <= today else today)
    if notes is not None:
        dispatch.notes = notes
    return update_object(dispatch, acting_user=acting_user)


__all__ = ["FLOW", "do_save_project", "do_transition_project", "do_claim_project", "do_reassign_project",
           "do_follow_up", "release_stale_leads", "hand_on_work", "do_attach_evidence", "do_save_part", "evaluate_alerts",
           "current_alerts", "dispatch_agenda", "do_record_decision", "do_hold_dispatch", "stage_durations",
           "gate_problems"]
