from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechmarketConfig(AppConfig):
    name = "feidi.techmarket"
    label = "techmarket"
    verbose_name = _("科技大市场")

    def ready(self):
        from . import stats as app_stats

        app_stats.register()  # what 统计查询 can ask of this app's records
        from feidi.core.seeds import register_seeder

        from .matching.thesaurus import ensure_shipped

        # the shipped thesaurus, also after a test database's flush (the data migration ran once)
        register_seeder(ensure_shipped, "techmarket.ThesaurusEntry")
        from django.utils.translation import gettext_noop

        from feidi.core import workbench
        from feidi.core.navigation import Item, register

        from . import (
            jobs,  # noqa: F401  (pushes of new matches, the auctions' close sweep)
            todos,
        )

        workbench.register(todos.todos)

        register("techmarket", gettext_noop("科技大市场"), "🔬", 14, [
            Item(gettext_noop("科技大市场看板"), "techmarket:overview", "techmarket.view_push"),
            Item(gettext_noop("技术需求"), "techmarket:demand_list", "techmarket.view_demand", org_users=True),
            Item(gettext_noop("科技成果"), "techmarket:supply_list", "techmarket.view_supply", org_users=True),
            Item(gettext_noop("匹配推送"), "techmarket:push_list", "techmarket.view_push", org_users=True),
            Item(gettext_noop("揭榜挂帅"), "techmarket:challenge_list", "techmarket.view_challenge", org_users=True),
            Item(gettext_noop("揭榜申请"), "techmarket:application_list", "techmarket.view_application",
                 org_users=True),
            Item(gettext_noop("联合攻关"), "techmarket:jointproject_list", "techmarket.view_jointproject",
                 org_users=True),
            Item(gettext_noop("成果拍卖"), "techmarket:auction_list", "techmarket.view_auction", org_users=True),
            Item(gettext_noop("拍品"), "techmarket:lot_list", "techmarket.view_lot", org_users=True),
            Item(gettext_noop("竞买登记"), "techmarket:registration_list", "techmarket.view_registration",
                 org_users=True),
            Item(gettext_noop("出价记录"), "techmarket:bid_list", "techmarket.view_bid", org_users=True),
            Item(gettext_noop("引进人才"), "techmarket:talent_list", "techmarket.view_talent"),
            Item(gettext_noop("领域词表"), "techmarket:thesaurusentry_list", "techmarket.view_thesaurusentry"),
        ])
