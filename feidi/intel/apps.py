from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    name = "feidi.intel"
    label = "intel"
    verbose_name = _("招商情报")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import declare
        from feidi.core.navigation import Item, register

        from . import (
            jobs,  # noqa: F401 (analysis batches, the daily digest)
            views,  # noqa: F401 — the declarations the menu is made from
        )

        register("intel", gettext_noop("招商情报"), "📰", 13, declare.menu_items("intel", [
            Item(gettext_noop("每日情报"), "intel:daily", "intel.view_newsitem"),
            Item(gettext_noop("录入情报"), "intel:newsitem_add", "intel.add_newsitem"),
        ]))
