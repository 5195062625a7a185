"""The two-way enclave technology market (双向飞地科技大市场): enterprises' technology demands,
institutions' achievements and capabilities, introduced talents, the two-way push of matches and
the domain thesaurus. 揭榜挂帅 (``feidi.challenges``) builds on the demands, the auctions
(``feidi.auctions``) on the supplies; this app imports neither.

Matching reads ``Demand`` and ``Supply`` through ``feidi.techmarket.matching``; every write of
either appends an ``IndexChange`` in the same transaction so each process's in-memory index can
catch up from the database (the source of truth), and ``feidi match rebuild`` rebuilds it."""

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
from feidi.core.models import DetailUrlMixin
from feidi.core.models import DictField
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.scope import Scope
from feidi.core.scope import ScopedManager
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


class TechDocument(FeidiModel):
    """What a demand and a supply share: of the text the matching reads, the keywords and the
    technology field (the title, description and chain segment each names its own way), the
    publication time, the market's ordering and indexes, the title as the record's name."""

    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以逗号或空格分隔"))
    field = DictField("tech_field", _("技术领域"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"]), models.Index(fields=["organization", "status"])]

    def __str__(self):
        return self.title

    @property
    def chain(self):
        return self.segment.chain if self.segment_id else None


class Demand(TechDocument):
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

    organization = OrganizationField(_("需求企业"), related_name="tech_demands")
    title = models.CharField(_("需求名称"), max_length=200, db_index=True)
    description = models.TextField(_("需求描述"), help_text=_("背景、技术指标、预期目标"))
    segment = models.ForeignKey("chains.Segment", verbose_name=_("产业链环节"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tech_demands")
    kind = models.CharField(_("需求类型"), max_length=16, choices=Kind.choices, default=Kind.KEY_CORE)
    budget = MoneyField(_("预算（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)

    scope = Scope(department="department", owner="created_by", organization="organization", public=_published())

    class Meta(TechDocument.Meta):
        verbose_name = verbose_name_plural = _("技术需求")


class Supply(TechDocument):
    """A research institution's achievement or capability (科技成果/能力): patents, prototypes,
    know-how, with its maturity, transfer mode and asking price. Published supplies are seen by
    every signed-in user."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CLOSED = "closed", _("已下架")

    organization = OrganizationField(_("成果单位"), related_name="tech_supplies")
    title = models.CharField(_("成果名称"), max_length=200, db_index=True)
    description = models.TextField(_("成果简介"), help_text=_("技术原理、主要指标、应用场景"))
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

    scope = Scope(department="department", owner="created_by", organization="organization",
                  public=Q(status="published"))

    class Meta(TechDocument.Meta):
        verbose_name = verbose_name_plural = _("科技成果")

    def patent_numbers(self) -> list[str]:
        """The patent numbers, normalized; one stored before the check held (an earlier release, a
        direct write) as written."""
        return [number for number, _ in self.patents_shown()]

    def patents_shown(self) -> list[tuple[str, str]]:
        """Each patent number with its kind (发明、实用新型、外观设计); one stored before the check held
        as written, its kind saying it is not read — the page shows it and never fails on it."""
        out = []
        for number in patent.split_numbers(self.patents):
            try:
                out.append((patent.normalize(number), patent.kind_of(number)))
            except patent.PatentNumberError:
                out.append((number.strip(), gettext("号码格式无法识别")))
        return out


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
    score = models.FloatField(_("匹配得分"), help_text=_("排序用的相关性得分（BM25 乘以覆盖比例），不同推送之间不可比"))
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

    str_related = ("demand", "supply")  # the relations __str__ reads

    def __str__(self):
        return f"{self.demand} ⇄ {self.supply}" if self.demand_id and self.supply_id else gettext("匹配推送")

    @property
    def share(self) -> float | None:
        """匹配度: the share (0–1) of the matched document's weighted terms the other one holds, as
        the engine's reasons gave it at push time; None for a push made before it was recorded."""
        share = (self.reasons or {}).get("share")
        return float(share) if isinstance(share, int | float) else None


def _linked_talents(user) -> Q:
    """A two-way enclave's talents are its home zone's too (飞地引才, 服务在本地): the leaders of either
    half see the talents introduced through their enclaves and those working for their enterprises."""
    from feidi.registry.models import enclave_zones

    own, linked = enclave_zones(user)
    if not own:
        return Q(pk__in=[])
    return Q(enclave_id__in=[*own, *linked]) | Q(employer__zone_id__in=own)


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
    employer = OrganizationField(_("工作单位"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="talents")
    enclave = models.ForeignKey("registry.Zone", verbose_name=_("引进飞地"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="talents")
    how = models.CharField(_("引进方式"), max_length=16, choices=How.choices, default=How.ENCLAVE)
    title = models.CharField(_("职称/头衔"), max_length=100, blank=True, help_text=_("如：教授、国家级领军人才"))
    tier = DictField("talent_tier", _("人才层次"), null=True, blank=True,
                     help_text=_("院士、国家级、省部级、市级高层次、急需紧缺（字典“人才层次”中维护）"))
    degree = models.CharField(_("学历学位"), max_length=30, blank=True)
    introduced_on = models.DateField(_("引进日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    scope = Scope(department="department", owner="created_by", organization="employer",
                  also=lambda user: _linked_talents(user))
    placed_by = ("enclave",)  # the enclave that introduced him places him (his employer may be any zone's)

    class Meta:
        verbose_name = verbose_name_plural = _("引进人才")
        ordering = ["-introduced_on", "-pk"]

    str_related = ("person",)  # the relations __str__ reads

    def __str__(self):
        return str(self.person) if self.person_id else gettext("引进人才")


def _shipped_entries(user) -> Q:
    # the entries shipped with the thesaurus file belong to no department: every staff role that
    # holds the action's permission reaches them (the thesaurus is the installation's)
    return Q(department__isnull=True)


class ThesaurusEntry(FeidiModel):
    """A term of the domain thesaurus (领域词表) the matching engine expands queries with: the term,
    its equivalents (abbreviations, English names, other Chinese names — each expands to the
    others), a broader term (expanded to, not from, at half the weight) and related terms (a
    problem's mechanisms and remedies, or a technique's effects: expanded both ways at the entry's
    weight), for a chain or field. The expansion is query-side: an edit takes effect at the next
    query without rebuilding the document index (``matching/thesaurus.py``). All active entries apply to every
    query, whoever wrote them; who may edit an entry follows its department."""

    term = models.CharField(_("术语"), max_length=100, help_text=_("如：异质结"))
    equivalents = models.CharField(_("同义词/缩写"), max_length=500, blank=True,
                                   help_text=_("以逗号分隔，与术语互相扩展，如：SHJ, HJT, heterojunction"))
    broader = models.CharField(_("上位词"), max_length=100, blank=True, help_text=_("如：光伏电池（只由本条扩展到它）"))
    related = models.CharField(_("相关词"), max_length=500, blank=True,
                               help_text=_("以逗号分隔：与术语相关而不同义的词，如问题的机理、解决它的技术、材料或检测手段；"
                                           "与术语双向扩展，权重同同义词，如：发黄 ↔ 耐紫外, 湿热老化"))
    chain = models.CharField(_("产业链/领域"), max_length=50, blank=True, db_index=True, help_text=_("如：光伏、锂电、生物医药"))
    weight = models.FloatField(_("扩展权重"), default=0.5, validators=[MinValueValidator(0.05), MaxValueValidator(0.9)],
                               help_text=_("扩展词相对原词的权重（原词为 1）；上位词再减半"))
    active = models.BooleanField(_("启用"), default=True)

    scope = Scope(department="department", owner="created_by", public=Q(pk__isnull=False), works=_shipped_entries)

    class Meta:
        verbose_name = verbose_name_plural = _("领域词表")
        ordering = ["chain", "term"]
        constraints = [models.UniqueConstraint(fields=["chain", "term"], name="thesaurus_entry_unique_term")]

    def __str__(self):
        return self.term
