from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechmarketConfig(AppConfig):
    """The market: demands, supplies, the two-way push, talents, the thesaurus. 揭榜挂帅
    (``feidi.challenges``) and the auctions (``feidi.auctions``) build on it and add their own
    entries to its menu; it imports neither."""

    name = "feidi.techmarket"
    label = "techmarket"
    verbose_name = _("科技大市场")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core import imports
        from feidi.core.navigation import Item
        from feidi.core.seeds import register_seeder

        from .matching.thesaurus import ensure_shipped

        # 统计查询 subjects, pushes of new matches, the todos
        appstart.start(self.name, stats=True, jobs=True, todos=True)
        # the shipped thesaurus, also after a test database's flush (the data migration ran once)
        register_seeder(ensure_shipped, "techmarket.ThesaurusEntry")
        imports.register("thesaurus", "feidi.techmarket.importers.ThesaurusEntryImporter")
        appstart.declared_menu(self.name, "techmarket", gettext_noop("科技大市场"), "🔬", 14, [
            Item(gettext_noop("科技大市场看板"), "techmarket:overview", "techmarket.view_push"),
            Item(gettext_noop("匹配推送"), "techmarket:push_list", "techmarket.view_push", org_users=True),
        ])
