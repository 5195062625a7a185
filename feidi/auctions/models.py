"""Technology-achievement auctions (科技成果拍卖会): auctions, their lots from the market's
supplies, registered bidders and the bids.

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
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.scope import Scope
from feidi.core.scope import ScopedManager
from feidi.techmarket.models import Supply

User = settings.AUTH_USER_MODEL


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
        db_table = "techmarket_auction"  # its table from before the cut, kept
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
    current_bidder = OrganizationField(_("当前领先"), null=True, blank=True, related_name="+", editable=False)
    bid_count = models.PositiveIntegerField(_("出价次数"), default=0, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SCHEDULED,
                              db_index=True, editable=False)
    settled_at = models.DateTimeField(_("结拍时间"), null=True, blank=True, editable=False)

    scope = Scope(department="department", owner="created_by", organization="supply__organization",
                  public=Q(auction__status__in=["published", "finished"]))

    class Meta:
        db_table = "techmarket_lot"  # its table from before the cut, kept
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
    organization = OrganizationField(_("竞买人"), related_name="auction_registrations")
    number = models.CharField(_("竞买号"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.APPROVED)

    scope = Scope(department="department", owner="created_by", organization="organization")

    class Meta:
        db_table = "techmarket_registration"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("竞买登记")
        ordering = ["auction", "number"]
        constraints = [models.UniqueConstraint(fields=["auction", "organization"], name="registration_unique"),
                       models.UniqueConstraint(fields=["auction", "number"], name="registration_unique_number")]

    str_related = ("organization",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.number} {self.organization}" if self.organization_id else self.number


class Bid(models.Model):
    """An accepted bid: irrevocable; ``seq`` numbers a lot's bids in the order the database
    accepted them (under the lot's row lock), so amounts strictly increase with ``seq``."""

    lot = models.ForeignKey(Lot, verbose_name=_("拍品"), on_delete=models.CASCADE, related_name="bids")
    seq = models.PositiveIntegerField(_("序号"))
    bidder = OrganizationField(_("竞买人"), related_name="auction_bids")
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
        db_table = "techmarket_bid"  # its table from before the cut, kept
        verbose_name = verbose_name_plural = _("出价记录")
        ordering = ["lot", "-seq"]
        constraints = [models.UniqueConstraint(fields=["lot", "seq"], name="bid_unique_seq"),
                       models.UniqueConstraint(fields=["lot", "amount"], name="bid_unique_amount")]

    str_related = ("lot",)  # the relations __str__ reads

    def __str__(self):
        return f"{self.lot} #{self.seq} {self.amount}"
