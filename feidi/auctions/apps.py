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

        appstart.start(self.name, stats=True, jobs=True)  # 统计查询 subjects, the auctions' close sweep
        appstart.declared_menu(self.name, "techmarket", gettext_noop("科技大市场"), "🔬", 14)
