"""The investment pipeline (招商引资) and key-project scheduling (重点项目 一周一调度、半月一专报).

A project moves 线索 → 洽谈 → 签约 → 开工 → 投产 → 达产, or to 终止, one step at a time through
``actions.do_transition_project`` (stage gates, dated stage records, audit). Key projects carry
annual plans, monthly completed investment, milestones and problems; rules raise alerts; weekly
dispatches record decisions as tasks; the biweekly special report is generated from the data.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from feidi.core.fields import MoneyField
from feidi.core.fields import MonthField
from feidi.core.models import Attachment
from feidi.core.models import DetailUrlMixin
from feidi.core.models import EventLog
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.scope import Scope
from feidi.core.scope import ScopedManager
from feidi.core.scope import named_in_zone
from feidi.registry.models import validate_industry

User = settings.AUTH_USER_MODEL


class Stage(models.TextChoices):
    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    STARTED = "started", _("开工")
    PRODUCING = "producing", _("投产")
    FULL = "full", _("达产")
    TERMINATED = "terminated", _("终止")


FLOW = [Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED, Stage.PRODUCING, Stage.FULL]

# The projects every figure counts (签约、重点项目、计划与完成投资, 月调度): a terminated project counts in
# none of them, whenever it was signed — it is counted as 终止 where stages are counted.
# ``via``: the path to the project from a related record (``project__``).
def in_force(via: str = "") -> Q:
    return ~Q(**{f"{via}stage": Stage.TERMINATED})


def in_force_on(day) -> Q:
    """The projects not terminated by ``day`` (by the 终止's business date): a figure of an earlier
    day counts a project terminated since, as it stood then."""
    return in_force() | Q(pk__in=StageRecord.objects.filter(stage=Stage.TERMINATED, entered_on__gt=day)
                          .values("project_id"))


def stage_on(as_of):
    """A project's stage on ``as_of``, from its stage records' business dates (签约、开工… as they
    happened, a back-dated move included): the stage entered last by that day. A project whose
    first record is later (entered into Feidi afterwards) is taken to be in its first recorded stage;
    one with no record at all, in its stage now."""
    records = StageRecord.objects.filter(project=OuterRef("pk"))
    # of the stages dated by the day, the one moved to last: a lead registered today whose earlier
    # steps are entered back-dated is in its last step, not in 线索 because its registration is later
    latest = records.filter(entered_on__lte=as_of).order_by("-entered_at", "-pk").values("stage")[:1]
    first = records.order_by("entered_at", "pk").values("stage")[:1]
    return Coalesce(Subquery(latest), Subquery(first), "stage")


def allowed_next(stage: str) -> list[str]:
    """The stages a project in ``stage`` may move to: the next one, or 终止 before 达产."""
    if stage in (Stage.FULL, Stage.TERMINATED):
        return []
    i = FLOW.index(stage)
    return [FLOW[i + 1], Stage.TERMINATED]


class Channel(models.TextChoices):
    TRIP = "trip", _("外出招商")
    FAIR = "fair", _("展会")
    INVESTOR = "investor", _("以商招商")
    ENCLAVE = "enclave", _("飞地转化")
    REFERRAL = "referral", _("全民招商")
    NEWS = "news", _("新闻信息")
    INTEL = "intel", _("招商情报")  # a lead turned from a news item read by 招商情报 (intel app)
    OTHER = "other", _("其他")


class KeyLevel(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    DISTRICT = "district", _("区重点")


def _project_work(user) -> Q:
    """A linked leader and the task-force members work on their projects whatever their role's
    scope (each action still needs a role granting it)."""
    return Q(leader_id=user.pk) | Q(pk__in=Project.task_force.through.objects.filter(user_id=user.pk)
                                     .values("project_id"))


def _project_seen(user) -> Q:
    """The leaders of a two-way enclave see the home projects incubated in it (``incubated_from``):
    seen, not worked on."""
    from feidi.registry.models import enclave_zones

    own, linked = enclave_zones(user)
    if not linked:
        return Q(pk__in=[])
    return Q(incubated_from__enclave_id__in=[*own, *linked], zone_id__in=[*own, *linked])


def _part_work(user) -> Q:
    """A project's parts follow their project: worked on by its leader and task force."""
    return Q(project__in=Project.objects.filter(_project_work(user)).values("pk"))


def _part_seen(user) -> Q:
    return Q(project__in=Project.objects.filter(_project_seen(user)).values("pk"))


def _problem_work(user) -> Q:
    """A problem is worked on by its project's leader and task force, and by its responsible unit
    (责任单位): the staff on that unit's line (``workbench.on_line``) whatever their role's data
    scope, as a task's owners are — each action still needs a role granting it."""
    from feidi.core.workbench import on_line

    return _part_work(user) | on_line(user, "owner_department_id")


class ProjectSettings(FeidiModel):
    """A zone's pipeline rules and report letterhead."""

    name = models.CharField(_("名称"), max_length=100, default="项目调度设置")
    pool_after_days = models.PositiveIntegerField(_("线索无跟进退回公海（天）"), default=30,
                                                  validators=[MinValueValidator(1)])
    pace_percent = models.PositiveIntegerField(
        _("投资进度预警线（%）"), default=100, validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("年度累计完成投资低于“年度计划×已过月数/12×该比例”时预警"))
    report_title = models.CharField(_("专报标题"), max_length=100, default="重点项目推进情况专报")
    report_issuer = models.CharField(_("专报编发单位"), max_length=100, default="重点项目推进办公室")

    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("项目调度设置")
        constraints = [models.UniqueConstraint(fields=["department"], name="projectsettings_one_per_department")]

    str_related = ("department",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.department}：{self.name}" if self.department_id else self.name

    @classmethod
    def for_department(cls, department_id) -> ProjectSettings:
        """The settings of the nearest department up the tree that has some, else the defaults."""
        from feidi.accounts.models import Department

        if department_id:
            dept = Department.objects.filter(pk=department_id).first()
            chain = [*(dept.ancestors() if dept else []), dept] if dept else []
            ids = [d.pk for d in chain if d is not None]
            found = {s.department_id: s for s in cls.objects.filter(department_id__in=ids)}
            for d in reversed(ids):
                if d in found:
                    return found[d]
        return cls()


class StageGate(FeidiModel):
    """What moving a project into ``stage`` requires: filled fields, evidence files, and (when
    any are set) one of these roles."""

    GATE_FIELDS = {
        "organization": _("项目主体"), "investor": _("投资方"), "segment": _("产业链环节"), "industry_code": _("行业代码"),
        "signed_amount": _("签约金额"), "planned_investment": _("计划总投资"), "fixed_asset_investment": _("固定资产投资"),
        "signed_on": _("签约日期"), "started_on": _("开工日期"), "produced_on": _("投产日期"), "leader": _("挂点领导"),
        "owner": _("负责人"),
    }

    stage = models.CharField(_("进入阶段"), max_length=16,
                             choices=[c for c in Stage.choices if c[0] != Stage.LEAD])
    required_fields = models.JSONField(_("必填字段"), default=list, blank=True)
    required_evidence = models.JSONField(_("必备佐证材料"), default=list, blank=True,
                                         help_text=_("材料类别名称，如：投资协议、施工许可证"))
    roles = models.ManyToManyField("accounts.Role", verbose_name=_("可推进的角色"), blank=True, related_name="+",
                                   help_text=_("留空表示有项目编辑权限者均可"))

    # Gates without a department are the defaults everyone works under: readable by all.
    scope = Scope(department="department", owner="created_by", public=Q(department__isnull=True))

    class Meta:
        verbose_name = verbose_name_plural = _("阶段门槛")
        ordering = ["department", "stage"]
        constraints = [models.UniqueConstraint(fields=["department", "stage"], name="stagegate_unique")]

    def __str__(self):
        return gettext("进入“{stage}”的条件").format(stage=self.get_stage_display())

    @property
    def required_fields_shown(self) -> str:
        """The fields by their names on the page (投资方、签约金额), not their keys."""
        return gettext("、").join(str(self.GATE_FIELDS.get(f, f)) for f in self.required_fields or []) or "—"

    def clean(self):
        unknown = [f for f in self.required_fields or [] if f not in self.GATE_FIELDS]
        if unknown:
            raise ValidationError({"required_fields": gettext("未知字段：{join}").format(join='、'.join(unknown))})


class InvestmentTrip(FeidiModel):
    """An investment trip (外出招商): who went where, whom they met, which leads came of it."""

    set_out_on = models.DateField(_("出发日期"))
    return_on = models.DateField(_("返回日期"), null=True, blank=True)
    destination = models.CharField(_("目的地"), max_length=100)
    leader = models.ForeignKey(User, verbose_name=_("带队领导"), on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(User, verbose_name=_("成员"), blank=True, related_name="+")
    organizations = models.ManyToManyField("registry.Organization", verbose_name=_("拜访企业"), blank=True,
                                           related_name="+")
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    summary = models.TextField(_("成果"), blank=True)

    date_order = (("return_on", "set_out_on"),)
    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("外出招商")
        ordering = ["-set_out_on"]

    def __str__(self):
        return f"{self.set_out_on:%Y-%m-%d} {self.destination}" if self.set_out_on else self.destination



class Project(FeidiModel):
    name = models.CharField(_("项目名称"), max_length=200, db_index=True)
    zone = models.ForeignKey("registry.Zone", verbose_name=_("落地园区"), on_delete=models.PROTECT,
                             related_name="projects")
    investor = models.CharField(_("投资方"), max_length=200, blank=True)
    organization = OrganizationField(_("项目主体"), null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="projects")
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices, default=Stage.LEAD,
                             editable=False)
    stage_since = models.DateTimeField(_("进入本阶段"), null=True, blank=True, editable=False)
    industry_code = models.CharField(_("行业代码（GB/T 4754）"), max_length=5, blank=True,
                                     validators=[validate_industry])
    segment = models.ForeignKey("chains.Segment", verbose_name=_("产业链环节"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="projects")
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices, default=Channel.OTHER)
    introducer_department = models.ForeignKey("accounts.Department", verbose_name=_("引进单位"), null=True,
                                              blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    introducer = models.CharField(_("引进人"), max_length=50, blank=True, help_text=_("谁引进、谁负责"))
    owner = models.ForeignKey(User, verbose_name=_("负责人"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text=_("为空表示在公海中，任何招商干部可认领"))
    leader = models.ForeignKey(User, verbose_name=_("挂点领导"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    task_force = models.ManyToManyField(User, verbose_name=_("专班成员"), blank=True, related_name="+")
    signed_amount = MoneyField(_("签约金额（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    planned_investment = MoneyField(_("计划总投资（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    fixed_asset_investment = MoneyField(_("固定资产投资（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    foreign_investment = MoneyField(_("利用外资（折人民币元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    expected_output = MoneyField(_("预计年产值（元）"), null=True, blank=True, validators=[MinValueValidator(0)],
                                 help_text=_("达产后预计年产值，报告中“建成后年产值”的来源"))
    programmes = models.ManyToManyField(
        "core.DictItem", verbose_name=_("活动/批次"), blank=True, related_name="+",
        limit_choices_to={"type__code": "project_programme", "active": True},
        help_text=_("项目参加的签约活动、联动开工批次等（字典“项目活动/批次”中维护）"))
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    produced_on = models.DateField(_("投产日期"), null=True, blank=True)
    terminated_reason = models.CharField(_("终止原因"), max_length=300, blank=True, editable=False)
    is_key = models.BooleanField(_("重点项目"), default=False)
    key_level = models.CharField(_("重点级别"), max_length=16, choices=KeyLevel.choices, blank=True)
    trip = models.ForeignKey(InvestmentTrip, verbose_name=_("来自外出招商"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="leads")
    incubated_from = models.ForeignKey("registry.Residency", verbose_name=_("飞地孵化来源"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+",
                                       help_text=_("在飞地孵化、回到本地产业化的项目：选择其在飞地的入驻记录"))
    description = models.TextField(_("项目简介"), blank=True)
    last_activity_at = models.DateTimeField(_("最近跟进"), null=True, blank=True, editable=False)
    pooled_at = models.DateTimeField(_("退回公海时间"), null=True, blank=True, editable=False)

    scope = Scope(department="department", owner="owner", works=_project_work, also=_project_seen)
    # 谁引进、谁负责: the owner follows the project up and moves it on; its 挂点领导 sees it
    acted_by = {"owner": "projects.change_project", "leader": "projects.view_project"}
    handed_on_by_app = ("owner", "leader")  # to the pool, or told to name another (``actions.hand_on_work``)
    audit_exclude = ("updated_at", "created_at", "last_activity_at")

    class Meta:
        verbose_name = verbose_name_plural = _("招商项目")
        ordering = ["-created_at"]
        permissions = [("transition_project", _("推进项目阶段")), ("claim_project", _("认领公海线索")),
                       ("reassign_project", _("改派项目负责人")), ("dispatch_project", _("重点项目调度与专报"))]
        indexes = [
            models.Index(fields=["department", "stage"]),
            models.Index(fields=["stage", "last_activity_at"]),
            models.Index(fields=["is_key", "department"]),
            models.Index(fields=["signed_on"]),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.is_key and not self.key_level:
            raise ValidationError({"key_level": gettext("重点项目请选择级别（省/市/区重点）")})
        if not self.is_key:
            self.key_level = ""
        if self.segment_id and self.zone_id and self.segment.department_id and self.department_id \
                and self.segment.department_id != self.department_id:
            from feidi.accounts.models import Department

            up = {d.pk for d in (Department.objects.get(pk=self.department_id).ancestors() or [])}
            if self.segment.department_id not in up:
                raise ValidationError({"segment": gettext("该产业链环节不属于本园区或其上级")})
        for part in ("fixed_asset_investment", "foreign_investment"):  # parts of the total investment
            value = getattr(self, part)
            if value is not None and self.planned_investment is not None and value > self.planned_investment:
                from feidi.lib.money import human

                raise ValidationError({part: gettext("{part}不能超过计划总投资（{total}）").format(
                    part=self._meta.get_field(part).verbose_name.replace("（元）", "").replace("（折人民币元）", ""),
                    total=human(self.planned_investment))})
        if self.incubated_from_id and self.channel != Channel.ENCLAVE:
            raise ValidationError({"channel": gettext("选择了飞地孵化来源的项目，来源渠道应为“飞地转化”")})
        if self.industry_code:
            self.industry_code = self.industry_code.strip().upper()

    def validate_unique(self, exclude=None):
        """Django's checks, then the natural key: one project of a name in its zone, the name
        compared as every entry path compares it (``cells.key_text``: “年产  项目”, “年产　项目”
        and “年产项目” are one) — the page's form, the API and an import alike, since each saves
        through ``full_clean``. Skipped when the name or the zone is excluded (its field failed,
        or an import checks a chunk's keys at once, ``Importer.unique_stored``)."""
        super().validate_unique(exclude=exclude)
        if exclude and ("name" in exclude or "zone" in exclude):
            return
        same = self.namesake()
        if same is not None:
            raise ValidationError({"name": ValidationError(
                gettext("落地园区“{zone}”已有同名项目“{name}”（名称比较时不计空格、全角半角和大小写）：同一项目请在原记录上修改").format(
                    zone=self.zone, name=same.name), code="unique")})

    def namesake(self) -> Project | None:
        """Another project of this one's zone whose name is this one's (``cells.key_text``), if any.
        One query: the zone's projects holding each Chinese character of the name (a character
        NFKC, case and spacing leave as it is), compared whole here."""
        from feidi.lib.cells import key_text

        key = key_text(self.name or "")
        if not key or self.zone_id is None:
            return None
        candidates = Project._base_manager.filter(zone_id=self.zone_id)
        if self.pk is not None:
            # an edit keeping its name and zone is no new claim on them (a namesake stored before
            # this rule must not block a transition or a change of anything else)
            was = candidates.filter(pk=self.pk).values_list("name", flat=True).first()
            if was is not None and key_text(was) == key:
                return None
            candidates = candidates.exclude(pk=self.pk)
        for char in sorted({c for c in key if "\u4e00" <= c <= "\u9fff"})[:8]:
            candidates = candidates.filter(name__contains=char)
        for pk, name in candidates.values_list("pk", "name").iterator():
            if key_text(name) == key:
                return Project(pk=pk, name=name)
        return None

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None and self.stage == Stage.LEAD


class StageRecord(models.Model):
    """One stay in a stage: when it began and ended, who moved the project in. The time spent in
    each stage is read from these."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="stage_records")
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    entered_at = models.DateTimeField(_("进入时间"))
    left_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    entered_on = models.DateField(_("业务日期"), help_text=_("签约、开工、投产等实际发生的日期"))
    by = models.ForeignKey(User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = models.Manager()

    class Meta:
        verbose_name = verbose_name_plural = _("阶段记录")
        ordering = ["project", "entered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["project"], condition=Q(left_at__isnull=True),
                                               name="stagerecord_one_open_per_project",
                                               violation_error_message=_("该项目已有进行中的阶段记录"))]

    def __str__(self):
        return f"{self.project_id} {self.get_stage_display()}"


class ProjectEvent(EventLog):
    """The project's log: transitions, claims, returns to the pool, reassignments, follow-ups."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="events")

    class Meta:
        verbose_name = verbose_name_plural = _("项目动态")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.project_id} {self.kind}"


class ProjectFile(Attachment):
    """Evidence for a stage gate (投资协议, 施工许可证 …), served only through the project's scope."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类别"), max_length=50)
    file = models.FileField(_("文件"), upload_to="projects/%Y/%m/")

    class Meta:
        verbose_name = verbose_name_plural = _("项目材料")
        ordering = ["kind", "uploaded_at"]

    def __str__(self):
        return f"{self.kind}：{self.name}"


class ProjectPartMixin:
    """Key-project details live under a project and follow its scope (department copied)."""

    def __str__(self):
        return f"{self.project}" if self.project_id else self._meta.verbose_name


class AnnualPlan(ProjectPartMixin, FeidiModel):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    planned_investment = MoneyField(_("年度计划投资（元）"), validators=[MinValueValidator(0)])

    scope = Scope(department="department", owner="created_by", works=_part_work,
                  also=_part_seen)

    class Meta:
        verbose_name = verbose_name_plural = _("年度投资计划")
        ordering = ["-year", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="annualplan_unique")]

    str_related = ("project",)  # the relations __str__ reads

    def __str__(self):
        return gettext("{project} {year}年计划").format(
            project=self.project, year=self.year) if self.project_id else gettext("年度计划")


class MonthlyInvestment(ProjectPartMixin, FeidiModel):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="monthly")
    month = MonthField(_("月份"), help_text=_("填该月任意一天，按月保存"))
    amount = MoneyField(_("当月完成投资（元）"), validators=[MinValueValidator(0)])
    note = models.CharField(_("形象进度"), max_length=300, blank=True)

    scope = Scope(department="department", owner="created_by", works=_part_work,
                  also=_part_seen)

    class Meta:
        verbose_name = verbose_name_plural = _("月度完成投资")
        ordering = ["-month", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="monthlyinvestment_unique")]
        indexes = [models.Index(fields=["month"])]

    str_related = ("project",)  # the relations __str__ reads

    def __str__(self):
        if self.project_id and self.month:
            return gettext("{project} {month:%Y年%m月}").format(project=self.project, month=self.month)
        return gettext("月度投资")

    def clean(self):
        super().clean()
        from django.utils import timezone

        # investment completed is of a month begun: this month's so far, never a later one's
        if self.month and self.month > timezone.localdate().replace(day=1):
            raise ValidationError({"month": gettext("月份不能晚于本月：完成投资按已发生的月份填报")})
        # investment is completed by a project signed: not by a lead or one in talks, nor before its signing month
        project = self.project if self.project_id else None
        if project is None:
            return
        if project.stage in (Stage.LEAD, Stage.NEGOTIATING):
            raise ValidationError({"project": gettext("项目尚在{stage}阶段：完成投资自签约后填报").format(
                stage=project.get_stage_display())})
        if self.month and project.signed_on and self.month < project.signed_on.replace(day=1):
            raise ValidationError({"month": gettext("月份不能早于项目签约的月份（{month}）").format(
                month=f"{project.signed_on:%Y-%m}")})


class Milestone(ProjectPartMixin, FeidiModel):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="milestones")
    name = models.CharField(_("节点"), max_length=100)
    planned_on = models.DateField(_("计划完成"))
    actual_on = models.DateField(_("实际完成"), null=True, blank=True)

    scope = Scope(department="department", owner="created_by", works=_part_work,
                  also=_part_seen)

    class Meta:
        verbose_name = verbose_name_plural = _("项目节点")
        ordering = ["project", "planned_on"]

    str_related = ("project",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.project} · {self.name}" if self.project_id else self.name

    def overdue(self, today: dt.date) -> bool:
        return self.actual_on is None and self.planned_on < today


class DeadlineItemMixin:
    """A project's problem or a dispatch's task: open until closed by its deadline. Closing it
    stamps the day it was closed (unless given), reopening clears that day; it is named by its
    project and the first 30 characters of its text. ``closed`` names the closing status and the
    day's field, ``text_field`` the text."""

    closed: tuple[str, str]
    text_field: str
    # the closing's own text (解决情况, 办理结果): a record saved closed says how, on every path, as
    # the closing steps ask (a problem was created 已解决 with no 解决情况)
    closing_text: tuple[str, str]

    def __str__(self):
        text = getattr(self, self.text_field)[:30]
        return f"{self.project}：{text}" if self.project_id else text

    def clean(self):
        status, day_field = self.closed
        text_name, missing = self.closing_text
        if self.status == status and not (getattr(self, text_name) or "").strip():
            raise ValidationError({text_name: gettext(missing)})
        if self.status == status and not getattr(self, day_field):
            setattr(self, day_field, timezone.localdate())
        if self.status == self.Status.OPEN:
            setattr(self, day_field, None)


class Problem(DeadlineItemMixin, ProjectPartMixin, FeidiModel):
    class Kind(models.TextChoices):
        APPROVAL = "approval", _("手续帮办")
        FACTOR = "factor", _("要素保障")
        FUNDING = "funding", _("资金")
        CONSTRUCTION = "construction", _("施工建设")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        SOLVED = "solved", _("已解决")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="problems")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("问题描述"))
    owner_department = models.ForeignKey("accounts.Department", verbose_name=_("责任单位"),
                                         on_delete=models.PROTECT,
                                         related_name="+")
    deadline = models.DateField(_("解决时限"))
    needs_leadership = models.BooleanField(_("需领导决策"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    solved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)
    # a problem needing the leadership's decision gets the leader's 批示 (``actions.do_instruct_problem``)
    instruction = models.TextField(_("领导批示"), blank=True, editable=False)
    instructed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批示人"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+", editable=False)
    instructed_at = models.DateTimeField(_("批示时间"), null=True, blank=True, editable=False)

    scope = Scope(department="department", owner="created_by", works=_problem_work,
                  also=_part_seen)

    closed = (Status.SOLVED, "solved_on")
    text_field = "description"
    closing_text = ("resolution", gettext_noop("请填写解决情况"))
    str_related = ("project",)  # the relations __str__ reads

    class Meta:
        verbose_name = verbose_name_plural = _("问题清单")
        ordering = ["status", "deadline"]
        # the responsible unit reports its problem solved (``actions.do_resolve_problem``) without
        # the 项目办's right to change what the problem is, whose unit and by when
        permissions = [("resolve_problem", _("填报问题解决情况")), ("instruct_problem", _("领导批示"))]


class Alert(DetailUrlMixin, models.Model):
    """A rule that holds for a project now (milestone past due, problem past deadline, investment
    behind the plan's pace, task overdue). Raised once, resolved when the rule stops holding."""

    class Rule(models.TextChoices):
        MILESTONE = "milestone", _("节点逾期")
        PROBLEM = "problem", _("问题逾期")
        PACE = "pace", _("投资进度滞后")
        TASK = "task", _("调度任务逾期")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="alerts")
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("预警类型"), max_length=16, choices=Rule.choices)
    subject = models.CharField(_("对象"), max_length=50, help_text=_("节点、问题或任务的编号；进度预警为年度"))
    message = models.CharField(_("预警内容"), max_length=300)
    raised_at = models.DateTimeField(_("预警时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None, works=_part_work,
                  also=_part_seen)
    audit_exclude: tuple[str, ...] = ()

    class Meta:
        verbose_name = verbose_name_plural = _("项目预警")
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["project", "rule", "subject"], condition=Q(resolved_at__isnull=True),
                                               name="alert_one_open",
                                               violation_error_message=_("该项目的同一预警尚未解除"))]

    def __str__(self):
        return f"{self.get_rule_display()}：{self.message}"


class Dispatch(FeidiModel):
    """A weekly dispatch meeting (一周一调度) for the key projects of a zone."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("已准备")
        HELD = "held", _("已召开")

    week_start = models.DateField(_("周（周一）"))
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    title = models.CharField(_("会议名称"), max_length=100)
    chaired_by = models.CharField(_("主持"), max_length=50, blank=True)
    notes = models.TextField(_("会议纪要"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREPARED)

    date_order = (("tasks__deadline", "week_start"), ("tasks__done_on", "week_start"), ("tasks__deadline", "held_on"))
    scope = Scope(department="department", owner="created_by")
    named_by = named_in_zone()  # a task holder filters the tasks by their meeting (scope.offered)

    class Meta:
        verbose_name = verbose_name_plural = _("调度会")
        ordering = ["-week_start"]
        constraints = [models.UniqueConstraint(fields=["department", "week_start"], name="dispatch_one_per_week")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.week_start:
            self.week_start = self.week_start - dt.timedelta(days=self.week_start.weekday())
            sunday = self.week_start + dt.timedelta(days=6)
            if self.held_on and not self.week_start <= self.held_on <= sunday:  # 一周一调度: the week's meeting
                raise ValidationError({"held_on": gettext("召开日期{day}不在该周（{monday}至{sunday}）内").format(
                    day=self.held_on.isoformat(), monday=self.week_start.isoformat(), sunday=sunday.isoformat())})
        if self.status == self.Status.HELD and self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": gettext("会议已召开，召开日期不能晚于今天")})
        if self.week_start and self.department_id:
            same = Dispatch._base_manager.filter(department_id=self.department_id, week_start=self.week_start)
            other = same.exclude(pk=self.pk).first()
            if other is not None:  # said on the week, not a database error (the department is not on the form)
                raise ValidationError({"week_start": gettext("该周已有调度会：{title}").format(title=other.title)})


class Task(DeadlineItemMixin, FeidiModel):
    """A decision taken at a dispatch about one project, to be done by an owner by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")

    dispatch = models.ForeignKey(Dispatch, verbose_name=_("调度会"), null=True, blank=True,
                                 on_delete=models.CASCADE,
                                 related_name="tasks")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="tasks")
    decision = models.TextField(_("议定事项"))
    owner_department = models.ForeignKey("accounts.Department", verbose_name=_("责任单位"),
                                         on_delete=models.PROTECT,
                                         related_name="+")
    owner = models.ForeignKey(User, verbose_name=_("责任人"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)

    date_order = (("deadline", "dispatch__week_start"), ("done_on", "dispatch__week_start"),
                  ("deadline", "dispatch__held_on"))  # decided at the meeting: not due before it was held
    scope = Scope(department="department", owner="owner", works=_part_work,
                  also=_part_seen)
    acted_by = {"owner": "projects.change_task"}  # its 责任人 reports it done
    handed_on_by_app = ("owner",)  # back to its unit (``actions.hand_on_work``)

    closed = (Status.DONE, "done_on")
    text_field = "decision"
    closing_text = ("result", gettext_noop("请填写办理结果"))
    str_related = ("project",)  # the relations __str__ reads

    class Meta:
        verbose_name = verbose_name_plural = _("调度任务")
        ordering = ["status", "deadline"]


class Report(FeidiModel):
    """A generated special report (半月一专报): the .docx for the leadership and the .xlsx table,
    with the figures it printed kept alongside."""

    class Kind(models.TextChoices):
        BIWEEKLY = "biweekly", _("重点项目半月专报")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.BIWEEKLY)
    year = models.PositiveIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("期号"))
    title = models.CharField(_("标题"), max_length=200)
    as_of = models.DateField(_("数据截止日期"))
    docx = models.FileField(_("专报（Word）"), upload_to="reports/%Y/")
    xlsx = models.FileField(_("附表（Excel）"), upload_to="reports/%Y/")
    figures = models.JSONField(_("主要数据"), default=dict, blank=True)

    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("专报")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["department", "kind", "year", "number"], name="report_unique_number")]

    def __str__(self):
        return gettext("{title}（{year}年第{number}期）").format(
            title=self.title, year=self.year, number=self.number)
