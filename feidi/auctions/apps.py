from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuctionsConfig(AppConfig):
    """成果拍卖, built on the market's supplies: its entries join the 科技大市场 menu, its statistics
    and close sweep register here."""

    name = "feidi.auctions"
    label = "auctions"
    verbose_name = _("成果拍卖")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core.navigation import Item, register

        appstart.start(self.name, stats=True, jobs=True)  # 统计查询 subjects, the auctions' close sweep
        register("techmarket", gettext_noop("科技大市场"), "🔬", 14, [
            Item(gettext_noop("成果拍卖"), "auctions:auction_list", "auctions.view_auction", org_users=True),
            Item(gettext_noop("拍品"), "auctions:lot_list", "auctions.view_lot", org_users=True),
            Item(gettext_noop("竞买登记"), "auctions:registration_list", "auctions.view_registration",
                 org_users=True),
            Item(gettext_noop("出价记录"), "auctions:bid_list", "auctions.view_bid", org_users=True),
        ])
