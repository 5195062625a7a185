"""Forms of the auctions: the auction, its lots, and a bid."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ScopedModelForm
from feidi.core.forms import StyledFormMixin
from feidi.core.forms import scoped_form
from feidi.core.forms import style_fields
from feidi.techmarket.models import Supply

from .models import Auction
from .models import Lot

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (phones included), in local time to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


AuctionForm = scoped_form(Auction, ["title", "venue", "description"])


class LotForm(ScopedModelForm):
    """The auction offered: those not finished the user sees; the supply: published ones (an
    institution user: only its own)."""

    class Meta:
        model = Lot
        fields = ["auction", "supply", "title", "start_price", "reserve_price", "increment", "opens_at", "closes_at",
                  "anti_snipe_minutes"]
        widgets = {"opens_at": LocalDateTimeInput(), "closes_at": LocalDateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
            # read in the zone's time whatever the bidder's device says: said beside the picker
            self.fields[name].help_text = " ".join(filter(None, [str(self.fields[name].help_text or ""),
                                                               gettext("北京时间")]))
        self.fields["auction"].queryset = self.fields["auction"].queryset.exclude(status=Auction.Status.FINISHED)
        supplies = self.fields["supply"].queryset.filter(status=Supply.Status.PUBLISHED)
        if self.user is not None and self.user.organization_id:
            supplies = supplies.filter(organization_id=self.user.organization_id)
        self.fields["supply"].queryset = supplies.select_related("organization")
        self.fields["title"].required = False
        self.fields["title"].help_text = gettext("留空则用科技成果名称")


class BidForm(StyledFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("出价（元）"), min_value=Decimal("0.01"), max_digits=18, decimal_places=2,
                                error_messages={"required": _("请输入出价金额"), "invalid": _("请输入有效的金额"),
                                                "max_decimal_places": _("出价金额最多精确到分"),
                                                "min_value": _("出价金额须大于零")})

    def __init__(self, *args, minimum: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        widget = self.fields["amount"].widget
        widget.attrs.update({"inputmode": "decimal", "step": "0.01", "autocomplete": "off"})
        if minimum is not None:
            widget.attrs["min"] = str(minimum)
            self.initial.setdefault("amount", minimum)
