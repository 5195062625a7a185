from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "feidi.cockpit"
    label = "cockpit"
    verbose_name = _("领导驾驶舱")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core.navigation import Item
        from feidi.core.navigation import register

        register("cockpit", gettext_noop("驾驶舱"), "📊", 5, [
            Item(gettext_noop("领导驾驶舱"), "cockpit:overview", "indicators.view_indicatorvalue"),
        ])
