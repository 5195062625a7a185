from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "feidi.registry"
    label = "registry"
    verbose_name = _("主体库")

    def ready(self):
        from . import stats as app_stats

        app_stats.register()  # what 统计查询 can ask of this app's records
        from feidi.core import home as home_page

        from . import home

        home_page.register(10, home.staff_section)
        home_page.register(10, home.organization_section, organization=True)
        from django.utils.translation import gettext_noop

        from feidi.core import imports
        from feidi.core.navigation import register

        imports.register("organizations", "feidi.registry.importers.OrganizationImporter")

        from feidi.core import declare

        from . import views  # noqa: F401 — the declarations the menu is made from

        register("registry", gettext_noop("主体库"), "🏢", 10, declare.menu_items("registry"))
