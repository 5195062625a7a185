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
        from feidi.core.navigation import Item, register

        # 统计查询 subjects, the challenges' review sweep, the todos
        appstart.start(self.name, stats=True, jobs=True, todos=True)
        register("techmarket", gettext_noop("科技大市场"), "🔬", 14, [
            Item(gettext_noop("揭榜挂帅"), "challenges:challenge_list", "challenges.view_challenge", org_users=True),
            Item(gettext_noop("揭榜申请"), "challenges:application_list", "challenges.view_application",
                 org_users=True),
            Item(gettext_noop("联合攻关"), "challenges:jointproject_list", "challenges.view_jointproject",
                 org_users=True),
        ])
