"""Industrial chains (产业链长制): chains of ordered segments from upstream to downstream, the
enterprises on each segment, the chain's 链长 and 链主 enterprises, and the target list (招商目标库)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import MoneyField
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.scope import Scope

User = settings.AUTH_USER_MODEL


class Chain(FeidiModel):
    """A priority chain (光伏, 锂电新能源 …); its 链主企业 are the members marked 链主. A segment is *weak* when it has fewer enterprises than
    ``weak_enterprises`` or less output than ``weak_output``; *empty* segments are gaps."""

    name = models.CharField(_("产业链"), max_length=50)
    order = models.PositiveIntegerField(_("排序"), default=0)
    leader = models.ForeignKey(User, verbose_name=_("链长"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    leader_title = models.CharField(_("链长职务"), max_length=100, blank=True, help_text=_("如：市委常委、常务副市长"))
    weak_enterprises = models.PositiveIntegerField(_("薄弱阈值·企业数少于"), default=2,
                                                   help_text=_("环节内企业数少于该值视为薄弱（强链）"))
    weak_output = MoneyField(_("薄弱阈值·年产值低于（元）"), default=0, validators=[MinValueValidator(0)],
                             help_text=_("环节年产值低于该值视为薄弱；0 表示不按产值判断"))
    description = models.TextField(_("简介"), blank=True)

    scope = Scope(department="department", owner="created_by")
    acted_by = {"leader": "chains.view_chain"}  # the 链长 follows the chain's map

    class Meta:
        verbose_name = verbose_name_plural = _("产业链")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="chain_unique_name")]

    def __str__(self):
        return self.name


class Segment(FeidiModel):
    """A link of a chain. Top-level segments are ordered upstream → downstream by ``order``;
    a segment may be refined by child segments (e.g. 电芯 → 正极材料, 负极材料)."""

    chain = models.ForeignKey(Chain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="segments")
    parent = models.ForeignKey("self", verbose_name=_("上级环节"), null=True, blank=True,
                               on_delete=models.CASCADE,
                               related_name="children")
    name = models.CharField(_("环节"), max_length=50)
    order = models.PositiveIntegerField(_("上下游次序"), default=0, help_text=_("从上游到下游递增"))
    description = models.CharField(_("说明"), max_length=300, blank=True)

    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("产业链环节")
        ordering = ["chain", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["chain", "name"], name="segment_unique_name")]

    str_related = ("chain",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.chain.name}·{self.name}" if self.chain_id else self.name

    @classmethod
    def import_lookup(cls, qs, text: str):
        """A segment named in a spreadsheet as "产业链·环节" (names repeat across chains)."""
        for sep in ("·", "-", "/", "／", "—"):
            if sep in text:
                chain, name = (part.strip() for part in text.split(sep, 1))
                found = list(qs.filter(chain__name=chain, name=name).values_list("pk", flat=True)[:2])
                return found[0] if len(found) == 1 else None
        return None

    def clean(self):
        if self.parent_id and self.chain_id and self.parent.chain_id != self.chain_id:
            raise ValidationError({"parent": gettext("上级环节必须属于同一条产业链")})
        node, seen = self.parent, set()
        while node is not None and self.pk:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": gettext("上级环节不能是自己或自己的下级")})
            seen.add(node.pk)
            node = node.parent


class SegmentMember(FeidiModel):
    """An organization sitting on a segment, with its declared yearly output (used when no
    indicator values exist for it)."""

    class Role(models.TextChoices):
        MASTER = "master", _("链主")
        BACKBONE = "backbone", _("骨干")
        SUPPORTING = "supporting", _("配套")

    segment = models.ForeignKey(Segment, verbose_name=_("环节"), on_delete=models.CASCADE,
                                related_name="members")
    organization = OrganizationField(on_delete=models.CASCADE, related_name="chain_memberships")
    role = models.CharField(_("地位"), max_length=16, choices=Role.choices, default=Role.SUPPORTING)
    declared_output = MoneyField(_("申报年产值（元）"), null=True, blank=True, validators=[MinValueValidator(0)])
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope = Scope(department="department", owner="created_by", organization="organization")

    class Meta:
        verbose_name = verbose_name_plural = _("环节企业")
        ordering = ["segment", "organization__name"]
        constraints = [models.UniqueConstraint(fields=["segment", "organization"], name="segmentmember_unique")]
        indexes = [models.Index(fields=["organization"])]

    str_related = ("segment__chain", "organization")  # the relations __str__ reads

    def __str__(self):
        return f"{self.segment} · {self.organization}" if self.segment_id and self.organization_id else gettext("环节企业")


class Target(FeidiModel):
    """An organization outside the zone worth attracting to a segment (招商目标库), and why."""

    class Priority(models.TextChoices):
        HIGH = "high", _("高")
        MEDIUM = "medium", _("中")
        LOW = "low", _("低")

    class Status(models.TextChoices):
        NEW = "new", _("待对接")
        CONTACTED = "contacted", _("已对接")
        LEAD = "lead", _("已转线索")
        DROPPED = "dropped", _("放弃")

    segment = models.ForeignKey(Segment, verbose_name=_("目标环节"), on_delete=models.CASCADE,
                                related_name="targets")
    organization = OrganizationField(_("目标企业"), related_name="+")
    reason = models.TextField(_("列为目标的理由"))
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEW)

    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("招商目标")
        ordering = ["segment", "priority", "organization__name"]
        constraints = [models.UniqueConstraint(fields=["segment", "organization"], name="target_unique")]

    str_related = ("organization", "segment__chain")  # the relations __str__ reads

    def __str__(self):
        return f"{self.organization} → {self.segment}" if self.segment_id and self.organization_id else gettext("招商目标")
