from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    """揭榜挂帅 and the joint projects it awards, built on the market's demands: its entries join
    the 科技大市场 menu, its statistics, to-dos and review sweep register here."""

    name = "feidi.challenges"
    label = "challenges"
    verbose_name = _("揭榜挂帅")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart

        # 统计查询 subjects, the challenges' review sweep, the todos
        appstart.start(self.name, stats=True, jobs=True, todos=True)
        appstart.declared_menu(self.name, "techmarket", gettext_noop("科技大市场"), "🔬", 14)
