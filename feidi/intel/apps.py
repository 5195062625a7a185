from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    name = "feidi.intel"
    label = "intel"
    verbose_name = _("招商情报")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core.navigation import Item

        appstart.start(self.name, jobs=True)  # analysis batches, the daily digest
        appstart.declared_menu(self.name, "intel", gettext_noop("招商情报"), "📰", 13, [
            Item(gettext_noop("每日情报"), "intel:daily", "intel.view_newsitem"),
            Item(gettext_noop("录入情报"), "intel:newsitem_add", "intel.add_newsitem"),
        ])
