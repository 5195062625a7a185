"""揭榜挂帅 (challenges) and the joint research projects they award (联合攻关): a demand of the
technology market published as a challenge with a bounty, the institutions' applications, the
experts' scores, the joint projects with their parties and milestones, tracked to acceptance and
to the industrial project they land as at home.

The models were cut out of ``feidi.techmarket`` and keep its tables (``Meta.db_table``): the
migration moved them in Django's state only, no row was copied."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import MoneyField
from feidi.core.models import DatesInOrder
from feidi.core.models import DictField
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.scope import Scope
from feidi.core.scope import ScopedManager
from feidi.techmarket.models import Demand

User = settings.AUTH_USER_MODEL


class Challenge(FeidiModel):
    """A demand published as a 揭榜挂帅 challenge (榜单): bounty (榜额), deadline, criteria, and
    whether it is published jointly with the partner region's office (协同发榜)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待发榜")
        OPEN = "open", _("揭榜中")
        REVIEW = "review", _("评审中")
        AWARDED = "awarded", _("已定榜")
        CLOSED = "closed", _("已撤榜")

    demand = models.ForeignKey(Demand, verbose_name=_("技术需求"), on_delete=models.PROTECT,
                               related_name="challenges")
    title = models.CharField(_("榜单名称"), max_length=200)
    bounty = MoneyField(_("榜额（元）"), validators=[MinValueValidator(0)])
    deadline = models.DateField(_("揭榜截止日期"))
    criteria = models.JSONField(_("评审指标"), default=list,
                                help_text=_('[{"name": "技术先进性", "weight": 40}, …]，权重合计 100'))
    conditions = models.TextField(_("揭榜条件"), blank=True)
    joint = models.BooleanField(_("协同发榜"), default=False, help_text=_("与合作地区（如长三角G60科创走廊办公室）联合发布"))
    joint_partner = models.CharField(_("协同发榜单位"), max_length=200, blank=True)
    batch = DictField("challenge_batch", _("发榜批次"), null=True, blank=True,
                      help_text=_("如：首批揭榜挂帅（字典“揭榜挂帅批次”中维护）"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("发榜时间"), null=True, blank=True, editable=False)
    experts = models.ManyToManyField(User, verbose_name=_("评审专家"), blank=True, related_name="+")

    scope = Scope(department="department", owner="created_by", organization="demand__organization",
                  public=Q(status__in=["open", "review", "awarded"]))
    # its experts score its applications — while it takes or reviews them (``accounts.handover``)
    acted_by = {"experts": "challenges.add_review"}
    acted_while = Q(status__in=["open", "review"])

    class Meta:
        db_table = "techmarket_challenge"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("揭榜挂帅榜单")
        permissions = [("publish_challenge", _("发榜")), ("award_challenge", _("定榜"))]
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.joint and not self.joint_partner:
            raise ValidationError({"joint_partner": gettext("协同发榜须填写协同发榜单位")})
        criteria = self.criteria or []
        if not isinstance(criteria, list) or not all(
                isinstance(c, dict) and str(c.get("name", "")).strip() and isinstance(c.get("weight"), int | float)
                and c["weight"] > 0 for c in criteria):
            raise ValidationError({"criteria": gettext("评审指标应为若干项，每项有名称和大于 0 的权重")})
        if criteria and round(sum(c["weight"] for c in criteria), 6) != 100:
            raise ValidationError({"criteria": gettext("评审指标权重合计应为 100")})


class Application(FeidiModel):
    """An application to a challenge (揭榜): by one institution alone or as the lead of a
    consortium (创新联合体). Seen by its applicant and the staff, never by other applicants."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        WITHDRAWN = "withdrawn", _("已撤回")
        AWARDED = "awarded", _("揭榜成功")
        REJECTED = "rejected", _("未入选")

    challenge = models.ForeignKey(Challenge, verbose_name=_("榜单"), on_delete=models.PROTECT,
                                  related_name="applications")
    applicant = OrganizationField(_("揭榜单位（牵头）"), related_name="challenge_applications")
    members = models.ManyToManyField("registry.Organization", verbose_name=_("联合体成员"), blank=True,
                                     related_name="+")
    proposal = models.TextField(_("技术方案"))
    budget = MoneyField(_("申请经费（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    period_months = models.PositiveIntegerField(_("攻关周期（月）"), default=12,
                                                validators=[MinValueValidator(1), MaxValueValidator(120)])
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    score = models.DecimalField(_("专家平均分"), max_digits=6, decimal_places=2, null=True, blank=True,
                                editable=False)

    # The challenge's experts see its applications to score them.
    scope = Scope(department="department", owner="created_by", organization="applicant",
                  works=lambda user: Q(challenge__in=Challenge.objects.filter(experts=user).values("pk")))

    class Meta:
        db_table = "techmarket_application"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("揭榜申请")
        ordering = ["challenge", "-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "applicant"], name="application_unique")]

    str_related = ("applicant", "challenge")  # the relations __str__ reads

    def __str__(self):
        return gettext("{applicant} 揭榜 {challenge}").format(applicant=self.applicant,
                                                            challenge=self.challenge) if self.applicant_id and self.challenge_id else gettext("揭榜申请")

    @property
    def is_consortium(self) -> bool:
        return self.pk is not None and self.members.exists()


class Review(FeidiModel):
    """One expert's scores of one application on the challenge's criteria (0–100 each)."""

    application = models.ForeignKey(Application, verbose_name=_("揭榜申请"), on_delete=models.CASCADE,
                                    related_name="reviews")
    expert = models.ForeignKey(User, verbose_name=_("评审专家"), on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("各项得分"), default=dict, help_text=_('{"技术先进性": 85, …}'))
    total = models.DecimalField(_("加权得分"), max_digits=6, decimal_places=2, editable=False)
    comment = models.TextField(_("评审意见"), blank=True)

    scope = Scope(department="department", owner="expert")

    class Meta:
        db_table = "techmarket_review"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("专家评审")
        ordering = ["application", "expert"]
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="review_unique")]

    str_related = ("expert", "application__applicant", "application__challenge")  # the relations __str__ reads

    def __str__(self):
        return gettext("{expert} 评 {application}").format(expert=self.expert,
                                                          application=self.application) if self.expert_id and self.application_id else gettext("专家评审")


class JointProject(FeidiModel):
    """A joint research project (联合攻关) awarded from a challenge, or set up directly, tracked to
    acceptance (验收). An enclave-incubated project can be marked transferred and linked to the
    industrial project it becomes at home (研发孵化在长三角、转移转化在上饶)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("攻关中")
        ACCEPTED = "accepted", _("已验收")
        FAILED = "failed", _("验收未通过")
        TERMINATED = "terminated", _("已终止")

    class Acceptance(models.TextChoices):
        PASSED = "passed", _("通过")
        FAILED = "failed", _("不通过")

    title = models.CharField(_("项目名称"), max_length=200)
    challenge = models.ForeignKey(Challenge, verbose_name=_("来源榜单"), null=True, blank=True,
                                  on_delete=models.PROTECT,
                                  related_name="joint_projects")
    application = models.OneToOneField(Application, verbose_name=_("中榜申请"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="joint_project")
    budget = MoneyField(_("项目经费（元）"), validators=[MinValueValidator(0)])
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("计划完成日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    goals = models.TextField(_("攻关目标与考核指标"), blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True, editable=False)
    acceptance = models.CharField(_("验收结论"), max_length=8, choices=Acceptance.choices, blank=True,
                                  editable=False)
    acceptance_note = models.TextField(_("验收意见"), blank=True, editable=False)
    incubated_in = models.ForeignKey("registry.Zone", verbose_name=_("孵化飞地"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    transferred_on = models.DateField(_("转化落地日期"), null=True, blank=True, editable=False)
    home_project = models.ForeignKey("projects.Project", verbose_name=_("落地产业化项目"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="joint_projects", editable=False)

    # The parties (the demanding enterprise, the lead institution, members) see their project; the
    # leaders of both halves of a two-way enclave see a project incubated in it or landed at home.
    date_order = (("ends_on", "starts_on"), ("accepted_on", "starts_on"), ("milestones__due_on", "starts_on"),
                  ("milestones__done_on", "starts_on"), ("ends_on", "milestones__due_on"),
                  ("transferred_on", "starts_on"), ("transferred_on", "accepted_on"), ("accepted_on", "milestones__done_on"),
                  ("starts_on", "challenge__published_at"))
    scope = Scope(department="department", owner="created_by", organization="parties__organization",
                  also=lambda user: _enclave_joint_projects(user))
    placed_by = ("incubated_in", "home_project")  # they decide which zones see it

    class Meta:
        db_table = "techmarket_jointproject"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("联合攻关项目")
        permissions = [("accept_jointproject", _("验收联合攻关项目")), ("transfer_jointproject", _("标记转化落地"))]
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title



class JointParty(models.Model):
    """A party of a joint project: the demanding enterprise, the lead institution, members."""

    class Role(models.TextChoices):
        DEMANDER = "demander", _("需求方（出题企业）")
        LEAD = "lead", _("牵头单位")
        MEMBER = "member", _("参与单位")

    project = models.ForeignKey(JointProject, verbose_name=_("联合攻关项目"), on_delete=models.CASCADE,
                                related_name="parties")
    organization = OrganizationField(_("单位"), related_name="joint_parties")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    budget_share = MoneyField(_("承担经费（元）"), null=True, blank=True, validators=[MinValueValidator(0)])

    objects = ScopedManager()
    scope = Scope(department="project__department", owner=None, organization="organization")

    class Meta:
        db_table = "techmarket_jointparty"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("攻关参与单位")
        ordering = ["project", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "organization"], name="jointparty_unique")]

    str_related = ("organization",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization}（{self.get_role_display()}）" if self.organization_id else gettext("参与单位")


class JointMilestone(DatesInOrder, models.Model):
    """A milestone of a joint project (节点), done when ``done_on`` is set."""

    project = models.ForeignKey(JointProject, verbose_name=_("联合攻关项目"), on_delete=models.CASCADE,
                                related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due_on = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ScopedManager()
    date_order = (("due_on", "project__starts_on"), ("done_on", "project__starts_on"), ("project__ends_on", "due_on"))
    scope = Scope(department="project__department", owner=None, organization="project__parties__organization")

    class Meta:
        db_table = "techmarket_jointmilestone"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("攻关节点")
        ordering = ["project", "due_on", "pk"]

    def __str__(self):
        return self.title


def _enclave_joint_projects(user) -> Q:
    from feidi.registry.models import enclave_zones

    own, linked = enclave_zones(user)
    if not own:
        return Q(pk__in=[])
    zones = [*own, *linked]
    # incubated in one's enclaves, landing as one's project, or undertaken by one's enterprises
    return Q(pk__in=JointProject.objects.filter(Q(incubated_in_id__in=zones) | Q(home_project__zone_id__in=own)
                                                | Q(parties__organization__zone_id__in=own)).values("pk"))
