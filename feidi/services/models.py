"""Enterprise service (安商): who serves whom (挂点 + 包片) and appeals (企业诉求) that rise
挂点干部 → 服务小组组长 → 安商办主任 → 区主要领导 when not handled in time (working days)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.models import Attachment
from feidi.core.models import DictField
from feidi.core.models import EventLog
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.models import WorkdayClock
from feidi.core.scope import Scope
from feidi.core.scope import named_in_zone

User = settings.AUTH_USER_MODEL


class ServiceSettings(FeidiModel):
    """A zone's escalation chain and rules: level-3 and level-4 owners, the working days each
    higher level gets, the rating that reopens an appeal, and the limits on suspension."""

    name = models.CharField(_("名称"), max_length=100, default="企业服务设置")
    office_head = models.ForeignKey(User, verbose_name=_("安商办主任（第三级）"), on_delete=models.PROTECT,
                                    related_name="+")
    principal_leader = models.ForeignKey(User, verbose_name=_("区主要领导（第四级）"), on_delete=models.PROTECT,
                                         related_name="+")
    level2_days = models.PositiveIntegerField(_("第二级办理时限（工作日）"), default=3, validators=[MinValueValidator(1)])
    level3_days = models.PositiveIntegerField(_("第三级办理时限（工作日）"), default=2, validators=[MinValueValidator(1)])
    level4_days = models.PositiveIntegerField(_("第四级办理时限（工作日）"), default=2, validators=[MinValueValidator(1)])
    reopen_below = models.PositiveIntegerField(_("低于几星重新办理"), default=3,
                                               validators=[MinValueValidator(1), MaxValueValidator(5)])
    max_suspend_days = models.PositiveIntegerField(_("单次挂起上限（工作日）"), default=10)
    max_suspends = models.PositiveIntegerField(_("挂起次数上限"), default=2)

    scope = Scope(department="department", owner="created_by")
    # the levels of the line appeals rise through handle them (``core.actions.check_people``)
    acted_by = {"office_head": "services.handle_appeal", "principal_leader": "services.handle_appeal"}

    class Meta:
        verbose_name = verbose_name_plural = _("服务设置")
        constraints = [models.UniqueConstraint(fields=["department"], name="servicesettings_one_per_department")]

    str_related = ("department",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.department}：{self.name}"

    def days_for_level(self, level: int) -> int:
        return {2: self.level2_days, 3: self.level3_days, 4: self.level4_days}[level]


class ServiceGroup(FeidiModel):
    """A service group covering an area (包片), led by its 服务小组组长."""

    name = models.CharField(_("名称"), max_length=100)
    area = models.CharField(_("包片区域"), max_length=200, blank=True)
    leader = models.ForeignKey(User, verbose_name=_("组长（第二级）"), on_delete=models.PROTECT, related_name="+")

    scope = Scope(department="department", owner="created_by")
    named_by = named_in_zone()  # a cadre filters the links by group (scope.offered)
    acted_by = {"leader": "services.handle_appeal"}  # the second level handles the group's appeals

    class Meta:
        verbose_name = verbose_name_plural = _("服务小组")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Assignment(FeidiModel):
    """A cadre linked to an enterprise (挂点), within a group; history is kept by dates."""

    organization = OrganizationField(related_name="service_assignments")
    cadre = models.ForeignKey(User, verbose_name=_("挂点干部（第一级）"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(ServiceGroup, verbose_name=_("服务小组"), on_delete=models.PROTECT,
                              related_name="assignments")
    since = models.DateField(_("开始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)

    date_order = (("until", "since"),)
    scope = Scope(department="department", owner="cadre", organization="organization")
    acted_by = {"cadre": "services.handle_appeal"}  # the enterprise's appeals go to him first
    handed_on_by_app = ("cadre",)  # the group's leader is told (``actions.hand_on_work``)

    class Meta:
        verbose_name = verbose_name_plural = _("挂点服务")
        ordering = ["organization", "-since"]
        constraints = [models.UniqueConstraint(fields=["organization"], condition=Q(until__isnull=True),
                                               name="assignment_one_current_per_organization",
                                               violation_error_message=_("该企业已有在任的挂点干部，请先结束当前挂点"))]

    str_related = ("organization", "cadre")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} · {self.cadre}"



def closed_on_time() -> Q:
    """按时办结, the one definition every figure counts (办理指标, 月调度排名, 统计查询): closed at its
    first level by that level's deadline. An escalated appeal is escalated because its deadline
    passed, so it is late whatever the next level's deadline (which would otherwise count as on time
    an appeal that missed its own and was settled by the level above) — unless the escalation left
    the first level before its deadline as the calendar entered later counts it (``escalated_early_from``,
    an escalation on a provisional deadline that could not be undone): then, by the first level's."""
    return (Q(level=1, deadline__isnull=False, closed_at__isnull=False, closed_at__lte=F("deadline"))
            | Q(escalated_early_from=1, first_deadline__isnull=False, closed_at__isnull=False,
                closed_at__lte=F("first_deadline")))


def promised_deadline():
    """The limit an appeal's time is measured against (用时压缩): its first level's deadline, which
    an escalation keeps — not the next level's, which would count the time the appeal overran as
    time allowed."""
    from django.db.models.functions import Coalesce

    return Coalesce("first_deadline", "deadline")


def was_on_time(level: int, deadline, closed_at, *, early_from=None, first_deadline=None) -> bool:
    """``closed_on_time`` for one appeal's values (read row by row)."""
    if closed_at is None:
        return False
    if early_from == 1 and first_deadline is not None:
        return closed_at <= first_deadline
    return level == 1 and deadline is not None and closed_at <= deadline


class Appeal(WorkdayClock, FeidiModel):
    """An enterprise's appeal (诉求). The clock runs in working days from acceptance; transfer and
    co-handling keep it running; suspension (挂起, waiting on the enterprise) pauses it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("已受理")
        HANDLING = "handling", _("办理中")
        SUSPENDED = "suspended", _("挂起")
        CLOSED = "closed", _("已办结")
        RATED = "rated", _("已评价")
        RETURNED = "returned", _("退回")

    OPEN = (Status.SUBMITTED, Status.ACCEPTED, Status.HANDLING)  # the clock runs: overdue, escalated
    UNRESOLVED = (*OPEN, Status.SUSPENDED)  # 在办: not closed nor returned (a suspended one waits on the enterprise)
    LEVELS = {1: _("挂点干部"), 2: _("服务小组组长"), 3: _("安商办主任"), 4: _("区主要领导")}

    organization = OrganizationField(related_name="appeals")
    category = DictField("appeal_category", _("类别"))
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    level = models.PositiveSmallIntegerField(_("协调层级"), default=1)
    owner = models.ForeignKey(User, verbose_name=_("当前办理人"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    co_departments = models.ManyToManyField("accounts.Department", verbose_name=_("会办部门"), blank=True,
                                            related_name="+")
    handling_department = models.ForeignKey("accounts.Department", verbose_name=_("承办部门"), null=True,
                                            blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    deadline = models.DateTimeField(_("本级办理期限"), null=True, blank=True, db_index=True)
    # The first level's deadline, kept when the appeal escalates (``deadline`` then holds the next
    # level's): the time the enterprise was promised, which 用时压缩 measures against.
    first_deadline = models.DateTimeField(_("首级办理期限"), null=True, blank=True, editable=False)
    # …and its clock (``WorkdayClock``'s, as it was at level 1), to count it again when the calendar changes
    first_deadline_from = models.DateField(_("首级期限起算日"), null=True, blank=True, editable=False)
    first_deadline_days = models.PositiveSmallIntegerField(_("首级期限工作日数"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)
    suspend_count = models.PositiveIntegerField(_("挂起次数"), default=0)
    rating = models.PositiveSmallIntegerField(_("满意度（1–5星）"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("评价"), max_length=300, blank=True)
    outcome = DictField("service_outcome", _("服务成效"), null=True, blank=True,
                        help_text=_("办结时选择：解决用地、融资、用工，留住订单……（字典“服务成效”中维护）"))
    # An escalation made when the deadline it passed was provisional (a year whose holidays were
    # not entered): the level, handler and clock it left and when, checked once the year is entered
    # (``actions.reconcile_provisional_escalations``): undone if it came before the true deadline.
    provisional_escalation = models.JSONField(_("暂按期限所作升级"), null=True, blank=True, editable=False)
    # …the level such an escalation left before its true deadline, when it could no longer be undone
    # (the appeal closed, or escalated again): not counted as 逾期 (``closed_on_time``, 办理指标)
    escalated_early_from = models.PositiveSmallIntegerField(_("提前升级的层级"), null=True, blank=True,
                                                            editable=False)

    scope = Scope(department="department", owner="owner", organization="organization",
                  works=lambda user: Q(organization_id__in=Assignment.objects.filter(
                      cadre_id=user.pk, until__isnull=True).values("organization_id")))

    class Meta:
        verbose_name = verbose_name_plural = _("企业诉求")
        ordering = ["-submitted_at"]
        permissions = [("handle_appeal", _("办理诉求（受理、转办、挂起、办结）")), ("rate_appeal", _("评价诉求"))]
        # 我的待办 reads one owner's appeals in a state, earliest deadline first
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["owner", "status", "deadline"])]

    def __str__(self):
        return self.title

    @property
    def level_label(self) -> str:
        return gettext("{level}级·{get}").format(level=self.level, get=self.LEVELS.get(self.level, ''))


# The steps that set an appeal's status (its log's ``kind``) and the status each leaves it in: its
# status on a day is the one its last such step by then left (``status_on``).
_S = Appeal.Status
STATUS_OF_STEP = {
    "submit": _S.SUBMITTED, "accept": _S.ACCEPTED, "return": _S.RETURNED, "start": _S.HANDLING,
    "suspend": _S.SUSPENDED, "resume": _S.HANDLING, "close": _S.CLOSED, "reopen": _S.HANDLING, "rate": _S.RATED,
}
DONE = (_S.CLOSED, _S.RATED)


def status_on(day):
    """An appeal's status as it stood at the end of ``day``, from its log: an appeal closed in
    September and reopened in November was 已办结 on 30 September. One whose log holds no step by
    then (written before the log was kept) is as it stands."""
    from django.db.models import Case
    from django.db.models import CharField
    from django.db.models import OuterRef
    from django.db.models import Subquery
    from django.db.models import Value
    from django.db.models import When
    from django.db.models.functions import Coalesce

    from feidi.core.calendar import end_of

    last = (AppealEvent.objects.filter(appeal=OuterRef("pk"), kind__in=STATUS_OF_STEP, at__lt=end_of(day))
            .order_by("-at", "-pk")
            .annotate(left=Case(*(When(kind=k, then=Value(v)) for k, v in STATUS_OF_STEP.items()),
                                output_field=CharField()))
            .values("left")[:1])
    return Coalesce(Subquery(last), "status")


def closed_on(day) -> Q:
    """The appeals 办结 (closed, rated since or not) at the end of ``day``, as they stood then."""
    return Q(pk__in=Appeal.objects.annotate(on_day=status_on(day)).filter(on_day__in=DONE).values("pk"))


class AppealEvent(EventLog):
    """What happened to an appeal. ``public`` events (replies) are shown to the enterprise;
    internal notes are not."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events")
    public = models.BooleanField(_("企业可见"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.appeal} · {self.kind}"


class Visit(FeidiModel):
    """A cadre's visit to an enterprise (走访), with the appeals it raised."""

    organization = OrganizationField(related_name="service_visits")
    cadre = models.ForeignKey(User, verbose_name=_("走访干部"), on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("走访日期"))
    notes = models.TextField(_("走访情况"))
    appeals = models.ManyToManyField(Appeal, verbose_name=_("收集的诉求"), blank=True, related_name="visits")

    scope = Scope(department="department", owner="cadre", organization="organization")

    class Meta:
        verbose_name = verbose_name_plural = _("走访记录")
        ordering = ["-visited_on"]

    str_related = ("organization",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.organization}"


class AppealAttachment(Attachment):
    """A file attached to an appeal; served only through the appeal's scope, never as a public URL."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE,
                               related_name="attachments")
    file = models.FileField(_("文件"), upload_to="appeals/%Y/%m/")

    class Meta:
        verbose_name = verbose_name_plural = _("诉求附件")
        ordering = ["uploaded_at"]
