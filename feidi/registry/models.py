"""The registry: zones and enclaves, organizations, people, enclave residency, agreements."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import EncryptedCharField
from feidi.core.fields import MoneyField
from feidi.core.models import DictField
from feidi.core.models import FeidiModel
from feidi.core.scope import Scope
from feidi.core.scope import ScopedQuerySet
from feidi.core.scope import named_in_zone
from feidi.lib import gbt4754
from feidi.lib import uscc


def validate_uscc(value: str) -> None:
    try:
        uscc.validate(value)
    except uscc.InvalidCode as exc:
        raise ValidationError(str(exc), code="uscc") from None


def validate_industry(value: str) -> None:
    if not value:
        return
    try:
        gbt4754.validate(value)
    except gbt4754.InvalidIndustry as exc:
        raise ValidationError(str(exc), code="industry") from None


def enclave_zones(user) -> tuple[list[int], list[int]]:
    """A two-way enclave's halves are one undertaking (研发孵化在飞地、转移转化在本地): the zones the
    user's administration runs (its own zone, or the enclaves its bureau operates) and the zones
    linked to them as enclave ↔ home zone. The leaders of either half see both halves and what
    passes between them (residencies, the incubated project and the home project it became, the
    shared benefits). Cached on the user for the request."""
    cached = getattr(user, "_enclave_zones", None)
    if cached is None:
        own: list[int] = []
        linked: list[int] = []
        if getattr(user, "department_id", None) and not user.organization_id:
            ids = user.zone_subtree_ids()
            rows = list(Zone.objects.filter(Q(department_id__in=ids) | Q(home_zone__department_id__in=ids)
                                            | Q(enclaves__department_id__in=ids))
                        .values_list("pk", "department_id").distinct().order_by())
            mine = set(ids)
            own = sorted(pk for pk, dept in rows if dept in mine)
            linked = sorted({pk for pk, dept in rows if dept not in mine})
        cached = user._enclave_zones = (own, linked)
    return cached


def park_enterprises(via: str = "") -> Q:
    """The enterprises of a park — what a zone's figures count (企业数, 亩均 evaluation): a target or a
    partner firm elsewhere (no park) is a record of ours, not an enterprise of the zone."""
    return Q(**{f"{via}kind": "enterprise", f"{via}zone__isnull": False})


def partner_departments(user) -> list[int]:
    """The departments of the zones linked to the user's as the other half of a two-way enclave, and
    those under them (``core.scope.PARTNERS``)."""
    own, linked = enclave_zones(user)
    if not linked:
        return []
    from feidi.accounts.models import Department

    tops = Department.objects.filter(pk__in=Zone.objects.filter(pk__in=linked).values("department_id"))
    q = Q(pk__in=[])
    for path in tops.values_list("path", flat=True):
        q |= Q(path__startswith=path)
    return list(Department.objects.filter(q).values_list("pk", flat=True))


def _linked_zones(user) -> Q:
    own, linked = enclave_zones(user)
    return Q(pk__in=linked) if linked else Q(pk__in=[])


def _linked_residencies(user) -> Q:
    """Residencies in an enclave of the user's zone (or in the enclave the user's bureau runs)."""
    own, linked = enclave_zones(user)
    enclaves = [*own, *linked]
    return Q(enclave_id__in=enclaves) if linked else Q(pk__in=[])


def _assigned_organizations(user):
    """The enterprises a cadre is currently linked to (挂点): he sees them whatever his scope."""
    from feidi.services.models import Assignment

    return Assignment.objects.filter(cadre_id=user.pk, until__isnull=True).values("organization_id")


class Zone(FeidiModel):
    """A development zone or an enclave (飞地). Kinds come from the ``zone_kind`` dictionary;
    an enclave's item has ``extra.enclave = true``. ``department`` is its administration."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = DictField("zone_kind", _("类型"))
    host_region = models.CharField(_("所在地区"), max_length=100, help_text=_("如：江西省上饶市、上海市松江区"))
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("上级园区"), null=True, blank=True,
                               on_delete=models.PROTECT,
                               related_name="children")
    home_zone = models.ForeignKey("self", verbose_name=_("派出园区（飞地所属）"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="enclaves")
    area_km2 = models.DecimalField(_("面积（平方公里）"), max_digits=10, decimal_places=2, null=True, blank=True,
                                   validators=[MinValueValidator(0)])
    operator = models.ForeignKey("Organization", verbose_name=_("运营主体"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="operated_zones")
    established_on = models.DateField(_("设立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)

    scope = Scope(department="department", owner="created_by", also=_linked_zones)
    placed_by = ("home_zone", "parent", "operator")  # whose enclave it is, under which park, run by whom
    named_by = named_in_zone()  # one's own zone and the enclaves it runs, named in forms and filters (scope.offered)

    class Meta:
        verbose_name = verbose_name_plural = _("园区与飞地")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_enclave(self) -> bool:
        return bool(self.kind.extra.get("enclave")) if self.kind_id else False


# One enterprise's staff at most: the country's largest employer has about 1.5 million; 20,000,000,000
# was imported as 从业人员 and summed into a zone's figures.
MAX_STAFF = 2_000_000


def staff_refusal(value) -> str:
    return gettext("从业人员{value}人超过一家单位可能的人数（{limit}人）：请核对单位（人，不是万人或元）").format(
        value=f"{value:,}", limit=f"{MAX_STAFF:,}")


class Organization(FeidiModel):
    """An enterprise, institute, university, government unit, association or investor."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INSTITUTE = "institute", _("科研院所")
        UNIVERSITY = "university", _("高校")
        GOVERNMENT = "government", _("政府部门")
        ASSOCIATION = "association", _("社会团体")
        INVESTOR = "investor", _("投资机构")

    name = models.CharField(_("名称"), max_length=200, db_index=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc],
                            error_messages={"unique": _("该统一社会信用代码已被其他单位使用")})
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ENTERPRISE,
                            db_index=True)
    industry_code = models.CharField(_("行业代码（GB/T 4754）"), max_length=5, blank=True,
                                     validators=[validate_industry],
                                     db_index=True)
    zone = models.ForeignKey(Zone, verbose_name=_("所在园区"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="organizations")
    region = models.CharField(_("所在地区"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    registered_capital = MoneyField(_("注册资本（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    land_area_mu = models.DecimalField(_("用地面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(0)])
    employees = models.PositiveIntegerField(_("从业人员"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)

    date_order = (("labels__since", "established_on"),)  # founded before it was labelled
    scope = Scope(department="department", owner="created_by", org_self=True,
                  also=lambda user: Q(pk__in=_assigned_organizations(user)))

    class Meta:
        verbose_name = verbose_name_plural = _("单位")
        ordering = ["name"]
        indexes = [models.Index(fields=["department", "name"]), models.Index(fields=["zone", "kind"])]

    def __str__(self):
        return self.name

    def clean(self):
        if self.uscc:
            self.uscc = uscc.normalize(self.uscc)
        if self.industry_code:
            self.industry_code = self.industry_code.strip().upper()
        if self.employees is not None and self.employees > MAX_STAFF:
            raise ValidationError({"employees": staff_refusal(self.employees)})

    @property
    def industry_label(self) -> str:
        """The division's name from the editable ``industry`` list (GB/T 4754 as fallback)."""
        if not self.industry_code:
            return ""
        from feidi.core.dictionaries import label

        return label("industry", gbt4754.division_code(self.industry_code)) or gbt4754.label(self.industry_code)


def label_valid_on(day, prefix: str = "") -> Q:
    """A label valid on ``day`` (有效认定): with no end date, or an end date (有效期至) that day or later
    — the one definition, also for the lookups through an organization (``prefix="labels__"``)."""
    return Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": day})


class LabelQuerySet(ScopedQuerySet):
    def valid_on(self, day=None):
        """The labels valid on ``day`` (today by default)."""
        from django.utils import timezone

        return self.filter(label_valid_on(day or timezone.localdate()))


class OrganizationLabel(FeidiModel):
    """A dated label: 规上 / 高新技术企业 / 专精特新 / 小巨人 / 上市 (dictionary ``org_label``)."""

    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE,
                                     related_name="labels")
    label = DictField("org_label", _("标签"))
    since = models.DateField(_("认定日期"))
    until = models.DateField(_("有效期至"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = models.Manager.from_queryset(LabelQuerySet)()
    date_order = (("until", "since"), ("since", "organization__established_on"))
    scope = Scope(department="department", owner="created_by", organization="organization")

    class Meta:
        verbose_name = verbose_name_plural = _("单位标签")
        ordering = ["organization", "since"]

    str_related = ("organization", "label")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} · {self.label}"



class Person(FeidiModel):
    """An official, a contact or a talent. Phone and ID-card numbers are stored encrypted and
    shown masked; the full value only to roles allowed, each view audited."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("干部")
        CONTACT = "contact", _("联系人")
        TALENT = "talent", _("人才")

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.CONTACT)
    organization = models.ForeignKey(Organization, verbose_name=_("所在单位"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="people")
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True, kind="phone")
    id_card = EncryptedCharField(_("身份证号"), max_length=18, blank=True, kind="id_card")
    email = models.EmailField(_("电子邮箱"), blank=True)
    field = models.CharField(_("专业领域"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)

    scope = Scope(department="department", owner="created_by", organization="organization")
    placed_by = ("organization",)  # the unit he is of (his department follows it)

    class Meta:
        verbose_name = verbose_name_plural = _("人员")
        ordering = ["name"]
        permissions = [("reveal_person", _("查看完整手机号与身份证号"))]

    def __str__(self):
        return self.name


class Residency(FeidiModel):
    """An organization in an enclave: 在谈 → 确定入驻 → 已入驻, or 退出; each step dated."""

    class Status(models.TextChoices):
        NEGOTIATING = "negotiating", _("在谈")
        CONFIRMED = "confirmed", _("确定入驻")
        RESIDENT = "resident", _("已入驻")
        EXITED = "exited", _("退出")

    TRANSITIONS = {
        Status.NEGOTIATING: {Status.CONFIRMED, Status.EXITED},
        Status.CONFIRMED: {Status.RESIDENT, Status.EXITED},
        Status.RESIDENT: {Status.EXITED},
        Status.EXITED: set(),
    }

    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.PROTECT,
                                     related_name="residencies")
    enclave = models.ForeignKey(Zone, verbose_name=_("飞地/园区"), on_delete=models.PROTECT,
                                related_name="residencies")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEGOTIATING)
    negotiating_since = models.DateField(_("开始洽谈"), null=True, blank=True)
    confirmed_on = models.DateField(_("确定入驻日期"), null=True, blank=True)
    entered_on = models.DateField(_("入驻日期"), null=True, blank=True)
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    date_order = (("confirmed_on", "negotiating_since"), ("entered_on", "confirmed_on"), ("entered_on", "negotiating_since"),
                  ("exited_on", "entered_on"))
    scope = Scope(department="department", owner="created_by", organization="organization",
                  also=_linked_residencies)

    class Meta:
        verbose_name = verbose_name_plural = _("飞地入驻")
        ordering = ["enclave", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "enclave"], name="residency_unique_pair"),
        ]

    str_related = ("organization", "enclave")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} @ {self.enclave}（{self.get_status_display()}）"

    # a step's day belongs to a record that has reached it: an 在谈 record with an 入驻日期 read as
    # both, and its next step was refused on a date its caller never sent
    LATER_DAYS = {Status.NEGOTIATING: ("confirmed_on", "entered_on", "exited_on"),
                  Status.CONFIRMED: ("entered_on", "exited_on"), Status.RESIDENT: ("exited_on",)}

    def clean(self):
        ahead = {name: [gettext("“{status}”的记录不能有{label}").format(
                     status=self.get_status_display(), label=self._meta.get_field(name).verbose_name)]
                 for name in self.LATER_DAYS.get(self.status, ()) if getattr(self, name)}
        if ahead:
            raise ValidationError(ahead)


class Agreement(FeidiModel):
    """A cooperation agreement (战略合作协议) between regions, with its commitments."""

    title = models.CharField(_("协议名称"), max_length=200)
    party_a = models.CharField(_("甲方"), max_length=100)
    party_b = models.CharField(_("乙方"), max_length=100)
    signed_on = models.DateField(_("签署日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    summary = models.TextField(_("主要内容"), blank=True)
    output_share_a = models.DecimalField(_("统计分算·甲方比例(%)"), max_digits=5, decimal_places=2, null=True,
                                         blank=True,
                                         validators=[MinValueValidator(0)])
    tax_share_a = models.DecimalField(_("税收分成·甲方比例(%)"), max_digits=5, decimal_places=2, null=True,
                                      blank=True,
                                      validators=[MinValueValidator(0)])

    date_order = (("valid_until", "signed_on"), ("commitments__due_on", "signed_on"), ("valid_until", "commitments__due_on"))
    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("合作协议")
        ordering = ["-signed_on"]

    def __str__(self):
        return self.title

    def clean(self):
        for name in ("output_share_a", "tax_share_a"):
            value = getattr(self, name)
            if value is not None and value > 100:
                raise ValidationError({name: gettext("比例不能超过100%")})
        self._clean_against_benefit_shares()

    def _clean_against_benefit_shares(self):
        """Its 飞地利益共享 run within the months it does (a share's own rule, seen from this end): the
        agreement is not moved to be signed after a month shared under it, nor to end before one."""
        if self.pk is None:
            return
        shares = self.benefit_shares.all()
        if self.signed_on:
            first = shares.filter(since__lt=self.signed_on.replace(day=1)).order_by("since").first()
            if first is not None:
                raise ValidationError({"signed_on": gettext(
                    "该协议下的利益共享自{month}起执行，签署日期不能晚于该月").format(month=f"{first.since:%Y-%m}")})
        if self.valid_until:
            end = self.valid_until.replace(day=1)
            last = shares.filter(models.Q(until__isnull=True) | models.Q(until__gt=end)).order_by(
                models.F("until").desc(nulls_first=True)).first()
            if last is not None and last.until is None:
                raise ValidationError({"valid_until": gettext(
                    "该协议下有未填截止月份的利益共享（{organization}），请先为其填写不晚于有效期的截止月份").format(
                        organization=last.organization)})
            if last is not None:
                raise ValidationError({"valid_until": gettext(
                    "该协议下的利益共享执行至{month}，有效期不能早于该月").format(month=f"{last.until:%Y-%m}")})


class Commitment(FeidiModel):
    """One commitment of an agreement, with its owner and deadline."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未启动")
        ONGOING = "ongoing", _("推进中")
        DONE = "done", _("已完成")

    agreement = models.ForeignKey(Agreement, verbose_name=_("协议"), on_delete=models.CASCADE,
                                  related_name="commitments")
    content = models.CharField(_("承诺事项"), max_length=300)
    owner = models.CharField(_("责任方"), max_length=100)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED)

    date_order = (("due_on", "agreement__signed_on"), ("agreement__valid_until", "due_on"))
    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("协议承诺")
        ordering = ["agreement", "due_on"]

    def __str__(self):
        return self.content

