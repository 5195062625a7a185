"""The two-way enclave technology market (双向飞地科技大市场): enterprises' technology demands,
institutions' achievements and capabilities, introduced talents, the two-way push of matches,
揭榜挂帅 challenges with applications, expert scores and the joint research projects they award,
and technology-achievement auctions (科技成果拍卖会) with lots, registered bidders and bids.

Matching reads ``Demand`` and ``Supply`` through ``feidi.techmarket.matching``; every write of
either appends an ``IndexChange`` in the same transaction so each process's in-memory index can
catch up from the database (the source of truth), and ``feidi match rebuild`` rebuilds it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import MoneyField
from feidi.core.models import DetailUrlMixin, DictField, FeidiModel
from feidi.core.scope import Scope, ScopedManager
from feidi.lib import patent

User = settings.AUTH_USER_MODEL


def validate_patents(value: str) -> None:
    errors = []
    for number in patent.split_numbers(value):
        try:
            patent.normalize(number)
        except patent.PatentNumberError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationError(errors, code="patent")


class Maturity(models.TextChoices):
    """成果成熟度, coarsely after GB/T 22900-2022 (技术就绪水平 TRL 1–9)."""

    LAB = "lab", _("实验室阶段（TRL 1–3）")
    PILOT_SMALL = "pilot_small", _("小试（TRL 4–5）")
    PILOT = "pilot", _("中试（TRL 6–7）")
    INDUSTRIAL = "industrial", _("产业化（TRL 8–9）")


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")
    JOINT = "joint", _("合作开发")


def _published(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": ["published", "challenge", "solved"]})


class Demand(FeidiModel):
    """An enterprise's technology demand (技术需求): a key core technology (关键核心技术) it cannot
    solve alone or a demand shared by several enterprises (共性需求). Published demands are seen by
    every signed-in user (institutions must find them); drafts only by the enterprise and staff."""

    class Kind(models.TextChoices):
        KEY_CORE = "key_core", _("关键核心技术")
        COMMON = "common", _("共性需求")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CHALLENGE = "challenge", _("已张榜")
        SOLVED = "solved", _("已解决")
        CLOSED = "closed", _("已关闭")

    organization = models.ForeignKey("registry.Organization", verbose_name=_("需求企业"),
                                     on_delete=models.PROTECT,
                                     related_name="tech_demands")
    title = models.CharField(_("需求名称"), max_length=200, db_index=True)
    description = models.TextField(_("需求描述"), help_text=_("背景、技术指标、预期目标"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以逗号或空格分隔"))
    field = DictField("tech_field", _("技术领域"))
    segment = models.ForeignKey("chains.Segment", verbose_name=_("产业链环节"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tech_demands")
    kind = models.CharField(_("需求类型"), max_length=16, choices=Kind.choices, default=Kind.KEY_CORE)
    budget = MoneyField(_("预算（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)

    scope = Scope(department="department", owner="created_by", organization="organization", public=_published())

    class Meta:
        verbose_name = verbose_name_plural = _("技术需求")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"]), models.Index(fields=["organization", "status"])]

    def __str__(self):
        return self.title

    @property
    def chain(self):
        return self.segment.chain if self.segment_id else None


class Supply(FeidiModel):
    """A research institution's achievement or capability (科技成果/能力): patents, prototypes,
    know-how, with its maturity, transfer mode and asking price. Published supplies are seen by
    every signed-in user."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已下架")

    organization = models.ForeignKey("registry.Organization", verbose_name=_("成果单位"),
                                     on_delete=models.PROTECT,
                                     related_name="tech_supplies")
    title = models.CharField(_("成果名称"), max_length=200, db_index=True)
    description = models.TextField(_("成果简介"), help_text=_("技术原理、主要指标、应用场景"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以逗号或空格分隔"))
    field = DictField("tech_field", _("技术领域"))
    segment = models.ForeignKey("chains.Segment", verbose_name=_("适用产业链环节"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tech_supplies")
    patents = models.TextField(_("专利号"), blank=True, validators=[validate_patents],
                               help_text=_("每行一个，如 ZL202310123456.7"))
    maturity = models.CharField(_("成熟度"), max_length=16, choices=Maturity.choices,
                                default=Maturity.PILOT_SMALL)
    transfer_mode = models.CharField(_("转化方式"), max_length=16, choices=TransferMode.choices,
                                     default=TransferMode.LICENSE)
    asking_price = MoneyField(_("意向价格（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)

    scope = Scope(department="department", owner="created_by", organization="organization",
                  public=Q(status="published"))

    class Meta:
        verbose_name = verbose_name_plural = _("科技成果")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"]), models.Index(fields=["organization", "status"])]

    def __str__(self):
        return self.title

    @property
    def chain(self):
        return self.segment.chain if self.segment_id else None

    def patent_numbers(self) -> list[str]:
        return [patent.normalize(n) for n in patent.split_numbers(self.patents)]


class IndexChange(models.Model):
    """A demand or supply written (or deleted) since the match index was last built: appended in
    the writer's transaction; every process's index applies the changes after its watermark."""

    class Kind(models.TextChoices):
        DEMAND = "demand", _("技术需求")
        SUPPLY = "supply", _("科技成果")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    doc_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = models.Manager()

    class Meta:
        verbose_name = verbose_name_plural = _("匹配索引变更")
        indexes = [models.Index(fields=["kind", "id"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.doc_id}"


class Push(DetailUrlMixin, models.Model):
    """A match pushed to one side (双向推送): a new demand to a supply's institution or a new
    supply to a demand's enterprise, with the score and the reasons. One row per pair, ever: a pair
    is never pushed twice. Each side marks interested or not; the marks change later rankings."""

    class Direction(models.TextChoices):
        TO_SUPPLIER = "to_supplier", _("需求推送给成果方")
        TO_DEMANDER = "to_demander", _("成果推送给需求方")

    class Feedback(models.TextChoices):
        INTERESTED = "interested", _("感兴趣")
        NOT_INTERESTED = "not_interested", _("不感兴趣")

    demand = models.ForeignKey(Demand, verbose_name=_("技术需求"), on_delete=models.CASCADE,
                               related_name="pushes")
    supply = models.ForeignKey(Supply, verbose_name=_("科技成果"), on_delete=models.CASCADE,
                               related_name="pushes")
    direction = models.CharField(_("推送方向"), max_length=16, choices=Direction.choices)
    score = models.FloatField(_("匹配度"))
    rank = models.PositiveIntegerField(_("名次"))
    reasons = models.JSONField(_("匹配理由"), default=dict, help_text=_("命中的词与字段"))
    created_at = models.DateTimeField(_("推送时间"), auto_now_add=True)
    demand_feedback = models.CharField(_("需求方反馈"), max_length=16, choices=Feedback.choices, blank=True)
    supply_feedback = models.CharField(_("成果方反馈"), max_length=16, choices=Feedback.choices, blank=True)
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    objects = ScopedManager()
    scope = Scope(department="department", owner=None,
                  organization=("demand__organization", "supply__organization"))
    audit_exclude: tuple[str, ...] = ()

    class Meta:
        verbose_name = verbose_name_plural = _("匹配推送")
        permissions = [("feedback_push", _("反馈匹配推送"))]
        ordering = ["-created_at", "rank"]
        constraints = [models.UniqueConstraint(fields=["demand", "supply"], name="push_unique_pair")]
        indexes = [models.Index(fields=["supply", "-created_at"]), models.Index(fields=["demand", "-created_at"])]

    def __str__(self):
        return f"{self.demand} ⇄ {self.supply}" if self.demand_id and self.supply_id else gettext("匹配推送")


class Talent(FeidiModel):
    """A talent introduced through the enclaves (飞地引才), by field and employer."""

    class How(models.TextChoices):
        FULL_TIME = "full_time", _("全职引进")
        FLEXIBLE = "flexible", _("柔性引进")
        ENCLAVE = "enclave", _("飞地引才（工作在飞地、服务在本地）")
        PROJECT = "project", _("项目合作")
        STATION = "station", _("人才工作联络站推荐")

    person = models.ForeignKey("registry.Person", verbose_name=_("人员"), on_delete=models.PROTECT,
                               related_name="talent_records")
    field = DictField("tech_field", _("专业领域"))
    employer = models.ForeignKey("registry.Organization", verbose_name=_("工作单位"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="talents")
    enclave = models.ForeignKey("registry.Zone", verbose_name=_("引进飞地"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="talents")
    how = models.CharField(_("引进方式"), max_length=16, choices=How.choices, default=How.ENCLAVE)
    title = models.CharField(_("职称/头衔"), max_length=100, blank=True, help_text=_("如：教授、国家级领军人才"))
    tier = DictField("talent_tier", _("人才层次"), null=True, blank=True,
                     help_text=_("院士、国家级、省部级、市级高层次、急需紧缺（字典“人才层次”中维护）"))
    degree = models.CharField(_("学历学位"), max_length=30, blank=True)
    introduced_on = models.DateField(_("引进日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    scope = Scope(department="department", owner="created_by", organization="employer")

    class Meta:
        verbose_name = verbose_name_plural = _("引进人才")
        ordering = ["-introduced_on", "-pk"]

    def __str__(self):
        return str(self.person) if self.person_id else gettext("引进人才")


def _shipped_entries(user) -> Q:
    # the entries shipped with the thesaurus file belong to no department: every staff role that
    # holds the action's permission reaches them (the thesaurus is the installation's)
    return Q(department__isnull=True)


class ThesaurusEntry(FeidiModel):
    """A term of the domain thesaurus (领域词表) the matching engine expands queries with: the term,
    its equivalents (abbreviations, English names, other Chinese names — each expands to the
    others) and a broader term (expanded to, not from, at half the weight), for a chain or
    field. The expansion is query-side: an edit takes effect at the next query without
    rebuilding the document index (``matching/thesaurus.py``). All active entries apply to every
    query, whoever wrote them; who may edit an entry follows its department."""

    term = models.CharField(_("术语"), max_length=100, help_text=_("如：异质结"))
    equivalents = models.CharField(_("同义词/缩写"), max_length=500, blank=True,
                                   help_text=_("以逗号分隔，与术语互相扩展，如：SHJ, HJT, heterojunction"))
    broader = models.CharField(_("上位词"), max_length=100, blank=True, help_text=_("如：光伏电池（只由本条扩展到它）"))
    chain = models.CharField(_("产业链/领域"), max_length=50, blank=True, db_index=True, help_text=_("如：光伏、锂电、生物医药"))
    weight = models.FloatField(_("扩展权重"), default=0.5, validators=[MinValueValidator(0.05), MaxValueValidator(0.9)],
                               help_text=_("扩展词相对原词的权重（原词为 1）；上位词再减半"))
    active = models.BooleanField(_("启用"), default=True)

    scope = Scope(department="department", owner="created_by", public=Q(pk__isnull=False), also=_shipped_entries)

    class Meta:
        verbose_name = verbose_name_plural = _("领域词表")
        ordering = ["chain", "term"]
        constraints = [models.UniqueConstraint(fields=["chain", "term"], name="thesaurus_entry_unique_term")]

    def __str__(self):
        return self.term


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

    class Meta:
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
    applicant = models.ForeignKey("registry.Organization", verbose_name=_("揭榜单位（牵头）"),
                                  on_delete=models.PROTECT,
                                  related_name="challenge_applications")
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
                  also=lambda user: Q(challenge__in=Challenge.objects.filter(experts=user).values("pk")))

    class Meta:
        verbose_name = verbose_name_plural = _("揭榜申请")
        ordering = ["challenge", "-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "applicant"], name="application_unique")]

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
        verbose_name = verbose_name_plural = _("专家评审")
        ordering = ["application", "expert"]
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="review_unique")]

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
    scope = Scope(department="department", owner="created_by", organization="parties__organization",
                  also=lambda user: _enclave_joint_projects(user))

    class Meta:
        verbose_name = verbose_name_plural = _("联合攻关项目")
        permissions = [("accept_jointproject", _("验收联合攻关项目")), ("transfer_jointproject", _("标记转化落地"))]
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": gettext("计划完成日期不能早于开始日期")})


class JointParty(models.Model):
    """A party of a joint project: the demanding enterprise, the lead institution, members."""

    class Role(models.TextChoices):
        DEMANDER = "demander", _("需求方（出题企业）")
        LEAD = "lead", _("牵头单位")
        MEMBER = "member", _("参与单位")

    project = models.ForeignKey(JointProject, verbose_name=_("联合攻关项目"), on_delete=models.CASCADE,
                                related_name="parties")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("单位"), on_delete=models.PROTECT,
                                     related_name="joint_parties")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    budget_share = MoneyField(_("承担经费（元）"), null=True, blank=True, validators=[MinValueValidator(0)])

    objects = ScopedManager()
    scope = Scope(department="project__department", owner=None, organization="organization")

    class Meta:
        verbose_name = verbose_name_plural = _("攻关参与单位")
        ordering = ["project", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "organization"], name="jointparty_unique")]

    def __str__(self):
        return f"{self.organization}（{self.get_role_display()}）" if self.organization_id else gettext("参与单位")


class JointMilestone(models.Model):
    """A milestone of a joint project (节点), done when ``done_on`` is set."""

    project = models.ForeignKey(JointProject, verbose_name=_("联合攻关项目"), on_delete=models.CASCADE,
                                related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due_on = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ScopedManager()
    scope = Scope(department="project__department", owner=None, organization="project__parties__organization")

    class Meta:
        verbose_name = verbose_name_plural = _("攻关节点")
        ordering = ["project", "due_on", "pk"]

    def __str__(self):
        return self.title


class Auction(FeidiModel):
    """A technology-achievement auction (科技成果拍卖会): its lots open and close on their own
    times; bidders register for the auction. Published auctions are seen by every signed-in user."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        PUBLISHED = "published", _("已发布")
        FINISHED = "finished", _("已结束")

    title = models.CharField(_("拍卖会"), max_length=200)
    venue = models.CharField(_("地点/平台"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)

    scope = Scope(department="department", owner="created_by", public=Q(status__in=["published", "finished"]))

    class Meta:
        verbose_name = verbose_name_plural = _("成果拍卖会")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Lot(FeidiModel):
    """A lot (拍品) from a supply, usually its patents. A bid is accepted only if it beats the
    current price by at least the increment (the first bid: at least the start price), before the
    close, from a registered bidder who is not already the highest; a bid in the last
    ``anti_snipe_minutes`` extends the close by that many minutes (延时). Never sold below the
    reserve: at the close the lot is 成交 at the highest bid if it reaches the reserve, else 流拍."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待拍")
        OPEN = "open", _("竞价中")
        SOLD = "sold", _("成交")
        UNSOLD = "unsold", _("流拍")
        WITHDRAWN = "withdrawn", _("撤拍")

    auction = models.ForeignKey(Auction, verbose_name=_("拍卖会"), on_delete=models.CASCADE, related_name="lots")
    supply = models.ForeignKey(Supply, verbose_name=_("科技成果"), on_delete=models.PROTECT, related_name="lots")
    title = models.CharField(_("拍品名称"), max_length=200)
    start_price = MoneyField(_("起拍价（元）"), validators=[MinValueValidator(0)])
    reserve_price = MoneyField(_("保留价（元）"), validators=[MinValueValidator(0)],
                               help_text=_("低于保留价不成交；不公开"))
    increment = MoneyField(_("加价幅度（元）"), validators=[MinValueValidator(1)])
    opens_at = models.DateTimeField(_("开拍时间"))
    closes_at = models.DateTimeField(_("结束时间"), help_text=_("有延时出价时自动顺延"))
    scheduled_close = models.DateTimeField(_("原定结束时间"), editable=False, null=True)
    anti_snipe_minutes = models.PositiveIntegerField(_("延时周期（分钟）"), default=5,
                                                     validators=[MinValueValidator(1), MaxValueValidator(60)],
                                                     help_text=_("结束前该时间内有人出价，结束时间顺延同样时长"))
    current_price = MoneyField(_("当前价（元）"), null=True, blank=True, editable=False)
    current_bidder = models.ForeignKey("registry.Organization", verbose_name=_("当前领先"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+", editable=False)
    bid_count = models.PositiveIntegerField(_("出价次数"), default=0, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SCHEDULED,
                              db_index=True, editable=False)
    settled_at = models.DateTimeField(_("结拍时间"), null=True, blank=True, editable=False)

    scope = Scope(department="department", owner="created_by", organization="supply__organization",
                  public=Q(auction__status__in=["published", "finished"]))

    class Meta:
        verbose_name = verbose_name_plural = _("拍品")
        permissions = [("settle_lot", _("结拍"))]
        ordering = ["auction", "opens_at", "pk"]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.start_price is not None and self.reserve_price is not None and self.reserve_price < self.start_price:
            errors["reserve_price"] = gettext("保留价不能低于起拍价")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = gettext("结束时间必须晚于开拍时间")
        if errors:
            raise ValidationError(errors)


class Registration(FeidiModel):
    """A bidder registered for an auction (竞买登记), with its bidder number (竞买号) shown on the
    bid record instead of its name."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("已登记")
        REVOKED = "revoked", _("已取消")

    auction = models.ForeignKey(Auction, verbose_name=_("拍卖会"), on_delete=models.CASCADE,
                                related_name="registrations")
    organization = models.ForeignKey("registry.Organization", verbose_name=_("竞买人"), on_delete=models.PROTECT,
                                     related_name="auction_registrations")
    number = models.CharField(_("竞买号"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.APPROVED)

    scope = Scope(department="department", owner="created_by", organization="organization")

    class Meta:
        verbose_name = verbose_name_plural = _("竞买登记")
        ordering = ["auction", "number"]
        constraints = [models.UniqueConstraint(fields=["auction", "organization"], name="registration_unique"),
                       models.UniqueConstraint(fields=["auction", "number"], name="registration_unique_number")]

    def __str__(self):
        return f"{self.number} {self.organization}" if self.organization_id else self.number


class Bid(models.Model):
    """An accepted bid: irrevocable; ``seq`` numbers a lot's bids in the order the database
    accepted them (under the lot's row lock), so amounts strictly increase with ``seq``."""

    lot = models.ForeignKey(Lot, verbose_name=_("拍品"), on_delete=models.CASCADE, related_name="bids")
    seq = models.PositiveIntegerField(_("序号"))
    bidder = models.ForeignKey("registry.Organization", verbose_name=_("竞买人"), on_delete=models.PROTECT,
                               related_name="auction_bids")
    registration = models.ForeignKey(Registration, verbose_name=_("竞买号"), on_delete=models.PROTECT,
                                     related_name="bids")
    user = models.ForeignKey(User, verbose_name=_("出价人"), null=True, on_delete=models.SET_NULL,
                             related_name="+")
    amount = MoneyField(_("出价（元）"))
    placed_at = models.DateTimeField(_("出价时间（服务器）"))
    extended = models.BooleanField(_("触发延时"), default=False)

    objects = ScopedManager()
    scope = Scope(department="lot__department", owner="user", organization="bidder")

    class Meta:
        verbose_name = verbose_name_plural = _("出价记录")
        ordering = ["lot", "-seq"]
        constraints = [models.UniqueConstraint(fields=["lot", "seq"], name="bid_unique_seq"),
                       models.UniqueConstraint(fields=["lot", "amount"], name="bid_unique_amount")]

    def __str__(self):
        return f"{self.lot} #{self.seq} {self.amount}"


def _enclave_joint_projects(user) -> Q:
    from feidi.registry.models import enclave_zones

    own, linked = enclave_zones(user)
    if not own:
        return Q(pk__in=[])
    zones = [*own, *linked]
    return Q(pk__in=JointProject.objects.filter(Q(incubated_in_id__in=zones) | Q(home_project__zone_id__in=own))
             .values("pk"))
