"""惠企政策: policy documents split into items (条款) whose structured conditions are evaluated over
Feidi's own data (labels, industry, zone, indicators, enclave residency, talents); the matches of
every item (qualified / all conditions but one), and the money paid (兑现) — 免申即享 lists the
policy office confirms, or applications reviewed step by step within working-day limits."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import MoneyField
from feidi.core.fields import MonthField
from feidi.core.models import Attachment
from feidi.core.models import DetailUrlMixin
from feidi.core.models import DictField
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.models import WorkdayClock
from feidi.core.scope import Scope
from feidi.core.scope import ScopedManager
from feidi.lib.money import human

User = settings.AUTH_USER_MODEL


def _cadre_organizations(user) -> Q:
    """A cadre (挂点干部) sees the matches, applications and payments of the enterprises he serves."""
    from feidi.services.models import Assignment

    return Q(organization_id__in=Assignment.objects.filter(cadre_id=user.pk, until__isnull=True)
             .values("organization_id"))


class Policy(FeidiModel):
    """A policy document (政策文件) published by a zone or city: its text, issuer and validity."""

    title = models.CharField(_("政策名称"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=100)
    number = models.CharField(_("文号"), max_length=100, blank=True, help_text=_("如：饶经开发〔2026〕12号"))
    issued_on = models.DateField(_("发布日期"))
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    effective_until = models.DateField(_("有效期至"), null=True, blank=True)
    text = models.TextField(_("政策全文"), blank=True)
    target_indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("目标指标"), null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+",
                                         help_text=_("政策效果评估时比较受惠企业与其他企业的该指标同口径增长"))
    active = models.BooleanField(_("有效"), default=True)

    date_order = (("effective_until", "effective_from"), ("effective_until", "issued_on"))
    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("惠企政策")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return self.title

    @staticmethod
    def import_lookup(qs, text: str):
        """A policy named in an import by its title or its 文号 (among those the user sees)."""
        found = list(qs.filter(Q(title=text) | Q(number=text)).values_list("pk", flat=True)[:2])
        return found[0] if len(found) == 1 else None



class PolicyItem(FeidiModel):
    """One item (条款) of a policy: what it gives (the amount rule), to whom (its conditions),
    how (免申即享 without application, or by application with materials) and for which period."""

    class Mode(models.TextChoices):
        EXEMPT = "exempt", _("免申即享")
        APPLY = "apply", _("依申请兑现")

    class AmountKind(models.TextChoices):
        FIXED = "fixed", _("定额")
        RATE = "rate", _("按指标比例（封顶）")
        NONE = "none", _("非资金类")

    policy = models.ForeignKey(Policy, verbose_name=_("所属政策"), on_delete=models.CASCADE, related_name="items")
    number = models.CharField(_("条款编号"), max_length=30, blank=True, help_text=_("如：第五条"))
    title = models.CharField(_("条款名称"), max_length=200)
    content = models.TextField(_("条款内容"), blank=True)
    mode = models.CharField(_("兑现方式"), max_length=16, choices=Mode.choices, default=Mode.APPLY)
    period = models.CharField(_("兑现期"), max_length=10, help_text=_("同一条款同一企业每期只兑现一次，如：2026"))
    amount_kind = models.CharField(_("金额规则"), max_length=16, choices=AmountKind.choices, default=AmountKind.FIXED)
    amount_fixed = MoneyField(_("定额（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    amount_rate = models.DecimalField(_("比例（%）"), max_digits=7, decimal_places=3, null=True, blank=True,
                                      validators=[MinValueValidator(0)])
    amount_indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("计算依据指标"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    amount_month = MonthField(_("依据月份"), null=True, blank=True,
                                    help_text=_("取该月的累计值，如 2025-12 即 2025 年全年"))
    amount_cap = MoneyField(_("封顶（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    materials = models.TextField(_("申报材料"), blank=True, help_text=_("每行一项"))
    review_department = models.ForeignKey("accounts.Department", verbose_name=_("审核部门"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          help_text=_("受理、公示、拨付由政策发布部门办理，审核由该部门办理"))
    step_days = models.PositiveIntegerField(_("每步办理时限（工作日）"), default=5, validators=[MinValueValidator(1)])
    active = models.BooleanField(_("有效"), default=True)
    matched_at = models.DateTimeField(_("最近匹配时间"), null=True, blank=True, editable=False)

    scope = Scope(department="department", owner="created_by")
    audit_exclude = ("updated_at", "created_at", "matched_at")

    class Meta:
        verbose_name = verbose_name_plural = _("政策条款")
        ordering = ["policy", "number", "pk"]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    # the fields each amount rule reads; a value in another's is refused (it would read as paid under it)
    RULE_FIELDS = {AmountKind.FIXED: ("amount_fixed",),
                   AmountKind.RATE: ("amount_rate", "amount_indicator", "amount_month", "amount_cap"),
                   AmountKind.NONE: ()}
    # a period is a year, or a part of one: 2026, 2026年, 2026上半年, 2026Q1, 2026年第一季度, 2026-03
    PERIOD = re.compile(r"^(19|20|21)\d{2}年?[-./]?(上半年|下半年|[Qq][1-4]|第[一二三四1-4]季度|(0?[1-9]|1[0-2])月?)?$")

    def clean(self):
        if self.amount_kind == self.AmountKind.FIXED and self.amount_fixed is None:
            raise ValidationError({"amount_fixed": gettext("定额规则须填写金额")})
        errors = {}
        if self.amount_kind == self.AmountKind.RATE:
            if self.amount_rate is None:
                errors["amount_rate"] = gettext("比例规则须填写比例")
            if self.amount_indicator_id is None:
                errors["amount_indicator"] = gettext("比例规则须选择计算依据指标")
            if self.amount_month is None:
                errors["amount_month"] = gettext("比例规则须填写依据月份")
        if self.amount_rate is not None and self.amount_rate > 100:
            errors["amount_rate"] = gettext("比例不能超过100%（按指标的一定比例兑现）")
        rule = self.get_amount_kind_display()
        for name in {f for fields in self.RULE_FIELDS.values() for f in fields} - set(self.RULE_FIELDS.get(self.amount_kind, ())):
            if getattr(self, self._meta.get_field(name).attname) not in (None, ""):
                errors.setdefault(name, gettext("金额规则为“{rule}”，不填{label}").format(
                    rule=rule, label=self._meta.get_field(name).verbose_name))
        period = (self.period or "").strip()
        if period and not self.PERIOD.match(period):
            errors["period"] = gettext("兑现期应以年份开头，如 2026、2026上半年、2026Q1（“{period}”不是）").format(period=period[:20])
        elif period and self.amount_month and self.amount_month.year > int(period[:4]):
            errors["amount_month"] = gettext("依据月份不能晚于兑现期所在年份（{year}年）").format(year=period[:4])
        if errors:
            raise ValidationError(errors)

    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    def payable_at_most(self) -> Decimal | None:
        """The most one enterprise may be paid under this item for a period: its fixed amount, its
        cap (按指标比例), nothing for a non-monetary item; None when the item sets no bound."""
        if self.amount_kind == self.AmountKind.FIXED:
            return self.amount_fixed
        if self.amount_kind == self.AmountKind.NONE:
            return Decimal(0)
        return self.amount_cap

    def check_amount(self, amount: Decimal | None) -> None:
        """An amount asked or paid under this item: within what the item pays (an enterprise
        asked 999,999,999.99 of an item capped at 500,000 and, once the steps were passed, was
        paid it), else a ValidationError on ``amount`` naming the bound."""
        most = self.payable_at_most()
        if amount is None or most is None or amount <= most:
            return
        if most == 0:
            raise ValidationError({"amount": gettext("该条款为非资金类政策，不兑现金额")})
        raise ValidationError({"amount": gettext("申报金额不能超过该条款的{bound}（{most}元）").format(
            bound=gettext("定额") if self.amount_kind == self.AmountKind.FIXED else gettext("封顶金额"),
            most=format(most.normalize(), ",f"))})


class Condition(DetailUrlMixin, models.Model):
    """One condition of an item, structured over Feidi's data (so it compiles to a set of
    organization ids, see ``conditions.py``) or free text that a person checks (需人工核验)."""

    class Kind(models.TextChoices):
        LABEL = "label", _("持有标签")
        INDUSTRY = "industry", _("所属行业")
        ZONE = "zone", _("所在园区")
        INDICATOR_MIN = "indicator_min", _("指标累计值不低于")
        INDICATOR_GROWTH = "indicator_growth", _("指标同口径同比增长不低于")
        ENCLAVE_LANDED = "enclave_landed", _("飞地孵化并回本地落户")
        TALENT = "talent", _("引进人才")
        TEXT = "text", _("其他条件（需人工核验）")

    item = models.ForeignKey(PolicyItem, verbose_name=_("政策条款"), on_delete=models.CASCADE,
                             related_name="conditions")
    kind = models.CharField(_("条件类型"), max_length=20, choices=Kind.choices)
    label = DictField("org_label", _("标签"), null=True, blank=True)
    on = models.DateField(_("持有日期"), null=True, blank=True, help_text=_("留空为匹配当天"))
    industry = models.CharField(_("行业代码"), max_length=100, blank=True,
                                help_text=_("GB/T 4754 门类或大类，可填多个，以逗号分隔，如：C38,C39"))
    zone = models.ForeignKey("registry.Zone", verbose_name=_("园区/飞地"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey("indicators.Indicator", verbose_name=_("指标"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    month = MonthField(_("月份"), null=True, blank=True, help_text=_("取该月累计值，如 2025-12"))
    min_value = MoneyField(_("不低于（指标单位）"), null=True, blank=True)
    min_growth = models.DecimalField(_("同比增长不低于（%）"), max_digits=7, decimal_places=2, null=True, blank=True)
    talent_tier = DictField("talent_tier", _("人才层次"), null=True, blank=True)
    min_count = models.PositiveIntegerField(_("不少于（人）"), default=1)
    text = models.CharField(_("条件说明"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ScopedManager()
    scope = Scope(department="item__department", owner="item__created_by")
    audit_exclude: tuple[str, ...] = ()

    class Meta:
        verbose_name = verbose_name_plural = _("政策条件")
        ordering = ["item", "order", "pk"]

    str_related = ("label", "zone", "indicator", "talent_tier")  # the relations __str__ reads

    def __str__(self):
        return describe(self)

    def get_absolute_url(self) -> str:
        """A condition is read and edited on its item's page."""
        return f"{self.item.get_absolute_url()}#conditions"

    @property
    def needs_check(self) -> bool:
        return self.kind == self.Kind.TEXT

    def clean(self):
        validate(self)


# --- conditions: what each kind needs, its sentence, its checks --------------------------------------
K = Condition.Kind

# the fields each kind must have (the form shows them all; the office fills what the kind needs)
REQUIRED: dict[str, tuple[str, ...]] = {
    K.LABEL: ("label",),
    K.INDUSTRY: ("industry",),
    K.ZONE: ("zone",),
    K.INDICATOR_MIN: ("indicator", "month", "min_value"),
    K.INDICATOR_GROWTH: ("indicator", "month", "min_growth"),
    K.ENCLAVE_LANDED: (),
    K.TALENT: (),
    K.TEXT: ("text",),
}


# What an enterprise is, not what it does: its industry and its zone. An item's gates must hold for
# the enterprise to be even 差一项 — one of another industry or zone does not nearly qualify, it
# cannot work towards the item; the other kinds (a label, a value, its growth, a talent, landing
# at home) are what an enterprise can still reach, and what a cadre helps it reach.
GATES = frozenset({K.INDUSTRY, K.ZONE})


def industries(text: str) -> list[str]:
    return [c.strip().upper() for c in text.replace("，", ",").replace("、", ",").split(",") if c.strip()]


def validate(c: Condition) -> None:
    errors = {}
    for name in REQUIRED.get(c.kind, ()):
        if getattr(c, f"{name}_id" if name in ("label", "zone", "indicator") else name) in (None, ""):
            errors[name] = gettext("“{kind}”条件须填写此项").format(kind=c.get_kind_display())
    if c.kind == K.INDUSTRY and c.industry:
        bad = [code for code in industries(c.industry)
               if not (code[:1].isalpha() and (code[1:].isdigit() or not code[1:]) and len(code) <= 5)]
        if bad:
            errors["industry"] = gettext("行业代码应为 GB/T 4754 门类字母加数字，如 C38：{codes}").format(
                codes="、".join(bad))
    if c.month and c.month.day != 1:
        c.month = c.month.replace(day=1)
    if errors:
        raise ValidationError(errors)


def describe(c: Condition) -> str:
    kind = c.get_kind_display()
    if c.kind == K.LABEL:
        on = f"{c.on:%Y-%m-%d}" if c.on else gettext("匹配当天")
        return gettext("{on}持有“{label}”").format(on=on, label=c.label if c.label_id else "—")
    if c.kind == K.INDUSTRY:
        return gettext("行业属于 {codes}").format(codes="、".join(industries(c.industry)))
    if c.kind == K.ZONE:
        return gettext("位于{zone}").format(zone=c.zone if c.zone_id else "—")
    if c.kind in (K.INDICATOR_MIN, K.INDICATOR_GROWTH):
        name = c.indicator.name_shown if c.indicator_id else "—"
        month = f"{c.month:%Y-%m}" if c.month else "—"
        if c.kind == K.INDICATOR_MIN:
            value = human(c.min_value) if c.indicator_id and c.indicator.unit == "元" and c.min_value is not None \
                else f"{c.min_value}"
            return gettext("{month}累计{name}不低于{value}").format(month=month, name=name, value=value)
        return gettext("{month}累计{name}同口径同比增长不低于{growth}%").format(month=month, name=name,
                                                                     growth=c.min_growth)
    if c.kind == K.ENCLAVE_LANDED:
        where = str(c.zone) if c.zone_id else gettext("飞地")
        return gettext("在{where}孵化并回本地园区落户").format(where=where)
    if c.kind == K.TALENT:
        tier = str(c.talent_tier) if c.talent_tier_id else gettext("各层次")
        return gettext("引进{tier}人才不少于{count}人").format(tier=tier, count=c.min_count)
    return gettext("{text}（需人工核验）").format(text=c.text) if c.text else kind


class Match(DetailUrlMixin, models.Model):
    """An enterprise against an item, as last computed: qualified, or qualifying but for one
    condition it can still meet (``missing``; never a gate: ``GATES``); with the estimated amount
    (政策计算器)."""

    class Status(models.TextChoices):
        QUALIFIED = "qualified", _("符合")
        PARTIAL = "partial", _("差一项")

    # Derived rows, rewritten by the hundred thousand: no database constraint is checked per row
    # (Django's on_delete still cascades; the refresh writes only ids it has just read).
    item = models.ForeignKey(PolicyItem, verbose_name=_("政策条款"), on_delete=models.CASCADE, related_name="matches",
                             db_constraint=False)
    organization = OrganizationField(on_delete=models.CASCADE, related_name="policy_matches",
                                     db_constraint=False)
    status = models.CharField(_("匹配结果"), max_length=16, choices=Status.choices)
    missing = models.ForeignKey(Condition, verbose_name=_("尚缺条件"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", db_constraint=False)
    needs_check = models.BooleanField(_("需人工核验"), default=False)
    estimated_amount = MoneyField(_("预计金额（元）"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+", db_constraint=False)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None, organization="organization", also=_cadre_organizations)
    audit_exclude: tuple[str, ...] = ()

    class Meta:
        verbose_name = verbose_name_plural = _("政策匹配")
        ordering = ["item", "status", "organization"]
        constraints = [models.UniqueConstraint(fields=["item", "organization"], name="policymatch_unique_pair")]
        # an enterprise's own page reads its matches (an item's are found by the unique pair's index)
        indexes = [models.Index(fields=["organization", "status"])]

    str_related = ("organization", "item")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} · {self.item}"


class Application(WorkdayClock, FeidiModel):
    """An enterprise's application (申报) for an item: 受理 → 审核 → 公示 → 拨付, each step within the
    item's working-day limit; an overdue step rises through the service office's chain."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        ACCEPTED = "accepted", _("待审核")
        REVIEWED = "reviewed", _("公示中")
        PUBLICIZED = "publicized", _("待拨付")
        PAID = "paid", _("已拨付")
        RETURNED = "returned", _("退回")

    OPEN = (Status.SUBMITTED, Status.ACCEPTED, Status.REVIEWED, Status.PUBLICIZED)

    item = models.ForeignKey(PolicyItem, verbose_name=_("政策条款"), on_delete=models.PROTECT,
                             related_name="applications")
    organization = OrganizationField(related_name="policy_applications")
    period = models.CharField(_("兑现期"), max_length=10)
    amount = MoneyField(_("申请金额（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    prefilled = models.JSONField(_("平台预填信息"), default=dict, blank=True)
    materials = models.JSONField(_("申报材料说明"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    handling_department = models.ForeignKey("accounts.Department", verbose_name=_("当前办理部门"), null=True,
                                            blank=True, on_delete=models.SET_NULL, related_name="+")
    level = models.PositiveSmallIntegerField(_("协调层级"), default=1)
    deadline = models.DateTimeField(_("本步办理期限"), null=True, blank=True, db_index=True)
    note = models.CharField(_("办理意见"), max_length=300, blank=True)

    scope = Scope(department="department", owner="created_by", organization="organization",
                  also=_cadre_organizations)

    class Meta:
        verbose_name = verbose_name_plural = _("政策申报")
        ordering = ["-created_at", "-pk"]
        permissions = [("handle_application", _("办理政策申报（受理、审核、公示、拨付）"))]
        constraints = [models.UniqueConstraint(fields=["item", "organization", "period"],
                                               condition=~Q(status="returned"),
                                               name="policyapplication_one_open_per_period",
                                               violation_error_message=_("该企业本期已申报此条款，请勿重复申报"))]

    str_related = ("organization", "item")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} · {self.item}"


class Payment(FeidiModel):
    """Money paid (兑现) to an enterprise under an item for a period — from a 免申即享 list the
    policy office confirms, or from an application's last step. Never twice per item and period."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        PAID = "paid", _("已拨付")

    item = models.ForeignKey(PolicyItem, verbose_name=_("政策条款"), on_delete=models.PROTECT,
                             related_name="payments")
    organization = OrganizationField(related_name="policy_payments")
    period = models.CharField(_("兑现期"), max_length=10)
    amount = MoneyField(_("金额（元）"), validators=[MinValueValidator(0)])
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    application = models.ForeignKey(Application, verbose_name=_("申报"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="payments")
    confirmed_by = models.ForeignKey(User, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)

    scope = Scope(department="department", owner="created_by", organization="organization",
                  also=_cadre_organizations)

    class Meta:
        verbose_name = verbose_name_plural = _("政策兑现")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["item", "organization", "period"],
                                               name="policypayment_once_per_period")]

    str_related = ("organization", "item")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} · {self.item} · {self.period}"


class PolicyAttachment(Attachment):
    """A file of the policy document (原文, 申报指南, 表格): the office uploads it on the policy's
    page; staff read it through the policy's scope, an enterprise through its own match of one of
    the policy's items."""

    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="policies/%Y/%m/")

    class Meta:
        verbose_name = verbose_name_plural = _("政策附件")
        ordering = ["uploaded_at"]


class ApplicationFile(Attachment):
    """A file an enterprise hands in for one of the item's required materials (``material``), read
    through the application's scope: the enterprise itself and the departments handling it."""

    application = models.ForeignKey(Application, verbose_name=_("申报"), on_delete=models.CASCADE,
                                    related_name="attachments")
    material = models.CharField(_("申报材料"), max_length=200)
    file = models.FileField(_("文件"), upload_to="policy-applications/%Y/%m/")

    class Meta:
        verbose_name = verbose_name_plural = _("申报材料附件")
        ordering = ["material", "uploaded_at"]
