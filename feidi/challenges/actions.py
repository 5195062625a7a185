"""揭榜挂帅: a published demand becomes a challenge (榜单), institutions apply alone or as a
consortium (创新联合体), invited experts score the applications on the challenge's criteria, the
award creates the joint research project (联合攻关) with its parties, which is tracked through
milestones to acceptance (验收) and, when it was incubated in an enclave, to the industrial
project it becomes at home (研发孵化在长三角、转移转化在上饶).

Every function is one transaction with its audit row. State changes are conditional updates
(``filter(pk=…, status=old).update(…)``): of two simultaneous awards, publications or acceptances
exactly one wins and the other is told why.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.db.models import Avg
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from huey import crontab

from feidi.core import audit
from feidi.core.actions import ConflictError
from feidi.core.actions import check_placement
from feidi.core.actions import create_object
from feidi.core.actions import update_object
from feidi.core.leases import periodic_job
from feidi.core.models import check_dates
from feidi.core.notify import notify
from feidi.lib.cells import plausible_date
from feidi.lib.dates import add_months
from feidi.techmarket.models import Demand

from .models import Application
from .models import Challenge
from .models import JointMilestone
from .models import JointParty
from .models import JointProject
from .models import Review

INSTITUTION_KINDS = ("university", "institute")
CENT = Decimal("0.01")


def _require(user, perm: str, message: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(message)


def _transition(instance, user, before: dict, after: dict) -> None:
    audit.record(audit.AuditRecord.Action.TRANSITION, instance, user=user, before=before, after=after)


def _record_demand_change(demand_id: int) -> None:
    """The demand's status changed: the match index must see it (an IndexChange row, appended by
    the matching engine's ``record_change`` in this transaction)."""
    from feidi.techmarket import matching  # imported late: matching loads its index on first use

    matching.record_change("demand", demand_id)


def org_users(organizations):
    from feidi.accounts.models import User

    return list(User.objects.filter(organization__in=organizations, is_active=True))


# --- challenges --------------------------------------------------------------------------------


def do_save_challenge(challenge: Challenge, *, acting_user, expected_version: int | None = None,
                      experts=None) -> Challenge:
    """Create or edit a challenge from a published demand. Editable while 待发榜 or 揭榜中; the
    criteria (weights summing to 100, checked by the model) no longer change once scoring began."""
    creating = challenge.pk is None
    _require(acting_user, "challenges.add_challenge" if creating else "challenges.change_challenge",
             gettext("您没有编辑榜单的权限"))
    if challenge.demand_id is None:
        raise ValidationError({"demand": gettext("请选择技术需求")})
    demand = challenge.demand
    if creating:
        if demand.status != Demand.Status.PUBLISHED:
            raise ValidationError({"demand": gettext("只有已发布的技术需求才能张榜")})
        if Challenge.objects.filter(demand=demand).exclude(status=Challenge.Status.CLOSED).exists():
            raise ValidationError({"demand": gettext("该需求已有榜单")})
        if challenge.department_id is None:
            challenge.department_id = acting_user.department_id or demand.department_id
    else:
        current = Challenge.objects.get(pk=challenge.pk)
        if current.status not in (Challenge.Status.DRAFT, Challenge.Status.OPEN):
            raise ValidationError(gettext("榜单{status}，不能再修改").format(status=current.get_status_display()))
        if current.demand_id != challenge.demand_id:
            raise ValidationError({"demand": gettext("榜单的技术需求不能更换")})
        if current.criteria != challenge.criteria and Review.objects.filter(application__challenge=challenge).exists():
            raise ValidationError({"criteria": gettext("已有专家评分，评审指标不能再修改")})
        if challenge.status == Challenge.Status.OPEN and challenge.deadline < timezone.localdate():
            raise ValidationError({"deadline": gettext("揭榜截止日期不能早于今天")})
    if not challenge.joint:
        challenge.joint_partner = ""
    if not challenge.criteria:
        raise ValidationError({"criteria": gettext("请至少设置一项评审指标")})
    m2m = {"experts": experts} if experts is not None else None
    if creating:
        return create_object(challenge, acting_user=acting_user, m2m=m2m)
    return update_object(challenge, acting_user=acting_user, expected_version=expected_version, m2m=m2m)


def do_publish_challenge(challenge: Challenge, *, acting_user) -> Challenge:
    """待发榜 → 揭榜中; the demand becomes 已张榜 (and is re-indexed for matching)."""
    _require(acting_user, "challenges.publish_challenge", gettext("您没有发榜的权限"))
    if challenge.deadline < timezone.localdate():
        raise ValidationError({"deadline": gettext("揭榜截止日期已过，请先修改截止日期")})
    challenge.full_clean()
    now = timezone.now()
    with transaction.atomic():
        done = Challenge.objects.filter(pk=challenge.pk, status=Challenge.Status.DRAFT).update(
            status=Challenge.Status.OPEN, published_at=now, version=F("version") + 1)
        if not done:
            raise ConflictError(gettext("该榜单已发榜或已撤榜，请刷新页面"))
        moved = Demand.objects.filter(pk=challenge.demand_id, status=Demand.Status.PUBLISHED).update(
            status=Demand.Status.CHALLENGE, version=F("version") + 1)
        if not moved:
            raise ValidationError(gettext("技术需求已不是“已发布”状态（可能已关闭或已在其他榜单中），不能发榜"))
        _record_demand_change(challenge.demand_id)
        challenge.refresh_from_db()
        _transition(challenge, acting_user, {"status": "draft"}, {"status": "open"})
        _transition(challenge.demand, acting_user, {"status": "published"}, {"status": "challenge"})
        notify(list(challenge.experts.all()), f"邀请您评审榜单：{challenge.title}",
               f"揭榜截止 {challenge.deadline:%Y-%m-%d}，截止后即可对揭榜申请打分。", challenge.get_absolute_url(),
               department=challenge.department)
    return challenge


def do_close_challenge(challenge: Challenge, *, acting_user, reason: str = "") -> Challenge:
    """撤榜: a challenge not yet awarded is withdrawn; its demand is 已发布 again."""
    _require(acting_user, "challenges.publish_challenge", gettext("您没有撤榜的权限"))
    old = challenge.status
    with transaction.atomic():
        done = Challenge.objects.filter(pk=challenge.pk, status=old).exclude(
            status__in=[Challenge.Status.AWARDED, Challenge.Status.CLOSED]).update(
            status=Challenge.Status.CLOSED, version=F("version") + 1)
        if not done:
            raise ConflictError(gettext("该榜单已定榜、已撤榜或刚被他人修改，请刷新页面"))
        if Demand.objects.filter(pk=challenge.demand_id, status=Demand.Status.CHALLENGE).update(
                status=Demand.Status.PUBLISHED, version=F("version") + 1):
            _record_demand_change(challenge.demand_id)
        pending = list(challenge.applications.filter(status=Application.Status.SUBMITTED).select_related("applicant"))
        challenge.applications.filter(status=Application.Status.SUBMITTED).update(
            status=Application.Status.REJECTED, version=F("version") + 1)
        challenge.refresh_from_db()
        _transition(challenge, acting_user, {"status": old}, {"status": "closed", "reason": reason})
        if pending:
            notify(org_users([a.applicant_id for a in pending]), f"榜单已撤榜：{challenge.title}", reason,
                   challenge.get_absolute_url(), department=challenge.department)
    return challenge


def do_start_review(challenge: Challenge, *, acting_user=None) -> Challenge:
    """揭榜中 → 评审中: by the sweep once the deadline has passed (``acting_user=None``), or by the
    staff earlier — the call then closes today, and its deadline says so (a page read 揭榜截止 12-28
    beside 评审中 on 12-08, and no one could apply). A challenge nobody applied to stays open (extend
    its deadline or withdraw it)."""
    if acting_user is not None:
        _require(acting_user, "challenges.publish_challenge", gettext("您没有组织评审的权限"))
    elif challenge.deadline >= timezone.localdate():
        raise ValidationError(gettext("揭榜尚未截止"))
    if not challenge.applications.filter(status=Application.Status.SUBMITTED).exists():
        raise ValidationError(gettext("尚无有效的揭榜申请，可延长截止日期或撤榜"))
    today = timezone.localdate()
    with transaction.atomic():
        before = Challenge.objects.filter(pk=challenge.pk).values_list("deadline", flat=True).first()
        closes = {"deadline": today} if before is not None and before > today else {}
        done = Challenge.objects.filter(pk=challenge.pk, status=Challenge.Status.OPEN).update(
            status=Challenge.Status.REVIEW, version=F("version") + 1, **closes)
        if not done:
            raise ConflictError(gettext("该榜单不在揭榜中，不能开始评审"))
        challenge.refresh_from_db()
        _transition(challenge, acting_user, {"status": "open", **({"deadline": before.isoformat()} if closes else {})},
                    {"status": "review", **({"deadline": today.isoformat()} if closes else {})})
        notify(list(challenge.experts.all()), f"榜单进入评审：{challenge.title}", "请对各揭榜申请按评审指标打分。",
               challenge.get_absolute_url(), department=challenge.department)
    return challenge


def start_due_reviews(today: dt.date | None = None) -> int:
    """The sweep: every open challenge past its deadline with applications goes to review."""
    today = today or timezone.localdate()
    started = 0
    due = Challenge.objects.filter(status=Challenge.Status.OPEN, deadline__lt=today,
                                   applications__status=Application.Status.SUBMITTED).distinct()
    for challenge in due:
        try:
            do_start_review(challenge)
        except (ValidationError, ConflictError):
            continue
        started += 1
    return started


@periodic_job(crontab(minute="20"), "techmarket-challenge-reviews")
def review_sweep() -> None:
    """Hourly: challenges whose call has closed move to expert review."""
    start_due_reviews()


# --- applications ------------------------------------------------------------------------------


def do_apply(application: Application, *, acting_user, members=()) -> Application:
    """揭榜: the acting user's institution applies, alone or as the lead of a consortium whose
    member organisations are ``members``. Only while the challenge is open and before its deadline,
    one application per institution (one withdrawn may be submitted again)."""
    org = acting_user.organization
    if org is None or org.kind not in INSTITUTION_KINDS:
        raise PermissionDenied(gettext("只有高校、科研院所可以揭榜（企业可作为联合体成员参与）"))
    _require(acting_user, "challenges.add_application", gettext("您没有揭榜的权限"))
    members = [m for m in dict.fromkeys(members) if m.pk != org.pk]
    with transaction.atomic():
        # The challenge's row lock orders the applications against a close or the start of review.
        challenge = Challenge.objects.select_for_update().get(pk=application.challenge_id)
        if challenge.status != Challenge.Status.OPEN:
            raise ValidationError(gettext("榜单{status}，不接受揭榜").format(status=challenge.get_status_display()))
        if challenge.deadline < timezone.localdate():
            raise ValidationError(gettext("已过揭榜截止日期（{deadline:%Y-%m-%d}），不再接受揭榜").format(
                deadline=challenge.deadline))
        application.applicant = org
        application.status = Application.Status.SUBMITTED
        application.department_id = challenge.department_id
        application.created_by = acting_user
        application.score = None
        existing = Application.objects.filter(challenge=challenge, applicant=org).first()
        if existing is not None:
            if existing.status != Application.Status.WITHDRAWN:
                raise ValidationError(gettext("贵单位已揭榜该榜单，每个单位只能提交一份申请"))
            existing.proposal, existing.budget = application.proposal, application.budget
            existing.period_months, existing.status, existing.score = application.period_months, application.status, None
            return update_object(existing, acting_user=acting_user, m2m={"members": members})
        try:
            with transaction.atomic():
                return create_object(application, acting_user=acting_user, m2m={"members": members})
        except IntegrityError:
            raise ValidationError(gettext("贵单位已揭榜该榜单，每个单位只能提交一份申请")) from None


def do_withdraw_application(application: Application, *, acting_user) -> Application:
    """The applicant withdraws its application while the challenge is still open."""
    if acting_user.organization_id != application.applicant_id:
        raise PermissionDenied(gettext("只有揭榜单位可以撤回申请"))
    with transaction.atomic():
        done = Application.objects.filter(pk=application.pk, status=Application.Status.SUBMITTED,
                                          challenge__status=Challenge.Status.OPEN).update(
            status=Application.Status.WITHDRAWN, version=F("version") + 1)
        if not done:
            raise ConflictError(gettext("只能在揭榜期间撤回已提交的申请"))
        application.refresh_from_db()
        _transition(application, acting_user, {"status": "submitted"}, {"status": "withdrawn"})
    return application


# --- expert review -----------------------------------------------------------------------------


def weighted_total(criteria: list[dict], scores: dict) -> Decimal:
    """Σ score × weight / 100, to the cent (weights sum to 100)."""
    total = sum(Decimal(str(scores[c["name"]])) * Decimal(str(c["weight"])) for c in criteria) / Decimal(100)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def clean_scores(criteria: list[dict], raw: dict) -> dict:
    names = [c["name"] for c in criteria]
    errors, scores = {}, {}
    for name in names:
        value = raw.get(name)
        try:
            number = Decimal(str(value))
        except Exception:  # noqa: BLE001 (anything not a number)
            errors[name] = gettext("请为“{name}”打分").format(name=name)
            continue
        if not number.is_finite() or number < 0 or number > 100:
            errors[name] = gettext("“{name}”的得分应在 0–100 之间").format(name=name)
            continue
        if number != number.quantize(Decimal("0.1")):  # as the score sheet takes it (1e-300 was stored)
            errors[name] = gettext("“{name}”的得分最多保留一位小数").format(name=name)
            continue
        scores[name] = int(number) if number == number.to_integral_value() else float(number)
    unknown = set(raw) - set(names)
    if unknown:
        errors["scores"] = gettext("不是本榜单的评审指标：{names}").format(names=gettext("、").join(sorted(unknown)))
    if errors:
        raise ValidationError({"scores": list(errors.values())})
    return scores


def do_review(application: Application, scores: dict, *, acting_user, comment: str = "") -> Review:
    """An expert invited on the challenge scores each criterion 0–100; scoring again updates his
    review. The application's score is the mean of its reviews' weighted totals."""
    _require(acting_user, "challenges.add_review", gettext("您没有评审权限"))
    challenge = Challenge.objects.get(pk=application.challenge_id)
    if not challenge.experts.filter(pk=acting_user.pk).exists():
        raise PermissionDenied(gettext("您不是该榜单的评审专家"))
    if challenge.status != Challenge.Status.REVIEW:
        raise ValidationError(gettext("榜单{status}，不在评审阶段").format(status=challenge.get_status_display()))
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(gettext("该申请{status}，不能评分").format(status=application.get_status_display()))
    scores = clean_scores(challenge.criteria, scores)
    total = weighted_total(challenge.criteria, scores)
    with transaction.atomic():
        # The application's row lock orders the experts' writes, so the mean counts every review.
        Application.objects.select_for_update().get(pk=application.pk)
        review = Review.objects.filter(application=application, expert=acting_user).first()
        if review is None:
            review = create_object(Review(application=application, expert=acting_user, scores=scores, total=total,
                                          comment=comment, department_id=application.department_id),
                                   acting_user=acting_user)
        else:
            review.scores, review.total, review.comment = scores, total, comment
            review = update_object(review, acting_user=acting_user)
        mean = Review.objects.filter(application=application).aggregate(m=Avg("total"))["m"]
        application.score = Decimal(str(mean)).quantize(CENT, rounding=ROUND_HALF_UP)
        Application.objects.filter(pk=application.pk).update(score=application.score)
    return review


# --- award and the joint project ---------------------------------------------------------------


def do_award(challenge: Challenge, application: Application, *, acting_user, budget: Decimal | None = None,
             starts_on: dt.date | None = None, title: str = "") -> JointProject:
    """定榜: the winning application becomes 揭榜成功, the others 未入选, the challenge 已定榜, and
    the joint research project is created with its parties (需求方, 牵头单位, 参与单位), the bounty
    as budget unless given and the application's period as its dates. Exactly one award wins."""
    _require(acting_user, "challenges.award_challenge", gettext("您没有定榜的权限"))
    if application.challenge_id != challenge.pk:
        raise ValidationError(gettext("该申请不属于本榜单"))
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(gettext("该申请{status}，不能中榜").format(status=application.get_status_display()))
    starts_on = starts_on or timezone.localdate()
    try:  # the end is counted from it in months: a start of 9999 would leave the calendar
        plausible_date(starts_on)
    except ValueError as exc:
        raise ValidationError({"starts_on": str(exc)}) from None
    with transaction.atomic():
        done = Challenge.objects.filter(pk=challenge.pk, status=Challenge.Status.REVIEW).update(
            status=Challenge.Status.AWARDED, version=F("version") + 1)
        if not done:
            current = Challenge.objects.get(pk=challenge.pk)
            if current.status == Challenge.Status.AWARDED:
                raise ConflictError(gettext("该榜单已定榜（可能刚被他人定榜），请刷新页面"))
            raise ValidationError(gettext("榜单{status}，须在评审中定榜").format(status=current.get_status_display()))
        won = Application.objects.filter(pk=application.pk, status=Application.Status.SUBMITTED).update(
            status=Application.Status.AWARDED, version=F("version") + 1)
        if not won:
            raise ConflictError(gettext("该申请刚被撤回或修改，请刷新页面"))
        losers = list(challenge.applications.filter(status=Application.Status.SUBMITTED).exclude(pk=application.pk)
                      .values_list("applicant_id", flat=True))
        challenge.applications.filter(status=Application.Status.SUBMITTED).exclude(pk=application.pk).update(
            status=Application.Status.REJECTED, version=F("version") + 1)
        challenge.refresh_from_db()
        application.refresh_from_db()
        _transition(challenge, acting_user, {"status": "review"},
                    {"status": "awarded", "application": application.pk})
        project = create_object(JointProject(
            title=title or gettext("{title}联合攻关").format(
                title=challenge.title), challenge=challenge, application=application,
            budget=challenge.bounty if budget is None else budget, starts_on=starts_on,
            ends_on=add_months(starts_on, application.period_months), goals=challenge.demand.description,
            department_id=challenge.department_id, sample=challenge.sample), acting_user=acting_user)
        parties = [(challenge.demand.organization_id, JointParty.Role.DEMANDER),
                   (application.applicant_id, JointParty.Role.LEAD),
                   *[(m.pk, JointParty.Role.MEMBER) for m in application.members.all()]]
        seen = set()
        rows = []
        for org_id, role in parties:
            if org_id not in seen:
                seen.add(org_id)
                rows.append(JointParty(project=project, organization_id=org_id, role=role))
        JointParty.objects.bulk_create(rows)
        audit.record(audit.AuditRecord.Action.UPDATE, project, user=acting_user,
                     after={"parties": [[r.organization_id, r.role] for r in rows]})
        notify(org_users(seen), f"揭榜挂帅定榜：{challenge.title}",
               f"“{application.applicant}”揭榜成功，联合攻关项目“{project.title}”已立项。", project.get_absolute_url(),
               department=challenge.department)
        if losers:
            notify(org_users(losers), f"揭榜结果：{challenge.title}", "感谢揭榜，本次未入选。",
                   challenge.get_absolute_url())
    return project


def do_save_joint_project(project: JointProject, *, acting_user, expected_version: int | None = None) -> JointProject:
    _require(acting_user, "challenges.change_jointproject", gettext("您没有编辑联合攻关项目的权限"))
    stored = JointProject._base_manager.filter(pk=project.pk).values_list("status", flat=True).first()
    if stored is not None and stored != JointProject.Status.ACTIVE:  # its acceptance was of what it was
        raise ValidationError(gettext("项目{status}，不能再修改").format(status=JointProject.Status(stored).label))
    return update_object(project, acting_user=acting_user, expected_version=expected_version)


def _require_active(project: JointProject) -> None:
    if project.status != JointProject.Status.ACTIVE:
        raise ValidationError(gettext("项目{status}，不能再调整节点").format(status=project.get_status_display()))


def do_add_milestone(project: JointProject, *, title: str, due_on: dt.date, note: str = "",
                     acting_user) -> JointMilestone:
    _require(acting_user, "challenges.change_jointproject", gettext("您没有维护攻关节点的权限"))
    _require_active(project)
    milestone = JointMilestone(project=project, title=title, due_on=due_on, note=note)
    return create_object(milestone, acting_user=acting_user)


def do_complete_milestone(milestone: JointMilestone, *, acting_user, done_on: dt.date | None = None,
                          note: str = "") -> JointMilestone:
    _require(acting_user, "challenges.change_jointproject", gettext("您没有维护攻关节点的权限"))
    _require_active(milestone.project)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": gettext("完成日期不能晚于今天")})
    changes = {"done_on": done_on, **({"note": note} if note else {})}
    check_dates(milestone, changes)  # not before the project began
    with transaction.atomic():
        if not JointMilestone.objects.filter(pk=milestone.pk, done_on__isnull=True).update(**changes):
            raise ConflictError(gettext("该节点已完成"))
        milestone.refresh_from_db()
        audit.record(audit.AuditRecord.Action.UPDATE, milestone, user=acting_user, before={"done_on": None},
                     after={"done_on": done_on.isoformat(), "note": milestone.note})
    return milestone


def do_accept_joint_project(project: JointProject, *, passed: bool, acting_user, on: dt.date | None = None,
                            note: str = "") -> JointProject:
    """验收: 通过 → 已验收 (and the demand 已解决), 不通过 → 验收未通过. Only when every milestone is
    done, or with a note saying why the open ones do not stop the acceptance."""
    _require(acting_user, "challenges.accept_jointproject", gettext("您没有验收联合攻关项目的权限"))
    on = on or timezone.localdate()
    note = (note or "").strip()
    if on > timezone.localdate():
        raise ValidationError({"accepted_on": gettext("验收日期不能晚于今天")})
    if on < project.starts_on:
        raise ValidationError({"accepted_on": gettext("验收日期不能早于项目开始日期")})
    check_dates(project, {"accepted_on": on})  # nor before a milestone it accepts was done
    open_ones = project.milestones.filter(done_on__isnull=True).count()
    if open_ones and not note:
        raise ValidationError({"acceptance_note": gettext("尚有 {open_ones} 个节点未完成，须在验收意见中说明").format(
            open_ones=open_ones)})
    status = JointProject.Status.ACCEPTED if passed else JointProject.Status.FAILED
    acceptance = JointProject.Acceptance.PASSED if passed else JointProject.Acceptance.FAILED
    with transaction.atomic():
        done = JointProject.objects.filter(pk=project.pk, status=JointProject.Status.ACTIVE).update(
            status=status, acceptance=acceptance, accepted_on=on, acceptance_note=note, version=F("version") + 1)
        if not done:
            raise ConflictError(gettext("该项目已验收或已终止，请刷新页面"))
        project.refresh_from_db()
        _transition(project, acting_user, {"status": "active"},
                    {"status": status, "acceptance": acceptance, "accepted_on": on.isoformat(), "note": note})
        if passed and project.challenge_id:
            demand_id = project.challenge.demand_id
            if Demand.objects.filter(pk=demand_id, status=Demand.Status.CHALLENGE).update(
                    status=Demand.Status.SOLVED, version=F("version") + 1):
                _record_demand_change(demand_id)
        parties = project.parties.values_list("organization_id", flat=True)
        notify(org_users(list(parties)), f"联合攻关项目验收{'通过' if passed else '未通过'}：{project.title}", note,
               project.get_absolute_url(), department=project.department)
    return project


def do_mark_transferred(joint_project: JointProject, home_project, *, acting_user,
                        on: dt.date | None = None) -> JointProject:
    """转化落地: the enclave-incubated project is linked to the industrial project (projects.Project)
    it becomes at home. The home project must be one the acting user can see."""
    from feidi.projects.models import Project

    _require(acting_user, "challenges.transfer_jointproject", gettext("您没有标记转化落地的权限"))
    if home_project is None or not Project.objects.visible_to(acting_user).filter(pk=home_project.pk).exists():
        raise PermissionDenied(gettext("落地项目不存在或您无权查看"))
    current = JointProject.objects.get(pk=joint_project.pk)
    landed = JointProject.objects.get(pk=joint_project.pk)
    landed.home_project = home_project
    check_placement(landed, current, acting_user)  # the home project decides which zone sees it: one's own or its partner's
    if joint_project.status in (JointProject.Status.FAILED, JointProject.Status.TERMINATED):
        raise ValidationError(gettext("项目{status}，不能标记转化落地").format(
            status=joint_project.get_status_display()))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"transferred_on": gettext("转化落地日期不能晚于今天")})
    check_dates(joint_project, {"transferred_on": on})  # not before it began, nor before its acceptance
    with transaction.atomic():
        done = JointProject.objects.filter(pk=joint_project.pk, home_project__isnull=True).exclude(
            status__in=[JointProject.Status.FAILED, JointProject.Status.TERMINATED]).update(
            home_project=home_project, transferred_on=on, version=F("version") + 1)
        if not done:
            raise ConflictError(gettext("该项目已标记转化落地"))
        joint_project.refresh_from_db()
        audit.record(audit.AuditRecord.Action.UPDATE, joint_project, user=acting_user,
                     before={"home_project": None, "transferred_on": None},
                     after={"home_project": home_project.pk, "transferred_on": on.isoformat()})
    return joint_project


def joint_projects_for(home_project, user):
    """The joint projects this user may see that were transferred into ``home_project`` (for the
    home project's page: 研发孵化在飞地 → 转化落地在本地)."""
    if not user.has_perm("challenges.view_jointproject"):
        return JointProject.objects.none()
    return JointProject.objects.visible_to(user).filter(home_project=home_project).select_related("incubated_in")
