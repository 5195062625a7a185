from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "feidi.chains"
    label = "chains"
    verbose_name = _("产业链")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core.navigation import Item

        appstart.declared_menu(self.name, "chains", gettext_noop("产业链"), "🔗", 12, [
            Item(gettext_noop("缺链补链"), "chains:gap_list", "chains.view_chain"),
        ])
