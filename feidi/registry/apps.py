from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "feidi.registry"
    label = "registry"
    verbose_name = _("主体库")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core import home as home_page
        from feidi.core import imports
        from feidi.core import scope

        from . import home
        from .models import partner_departments

        scope.PARTNERS.append(partner_departments)  # a two-way enclave's halves place records in each other

        appstart.start(self.name, stats=True)  # what 统计查询 can ask of this app's records
        home_page.register(10, home.staff_section)
        home_page.register(10, home.organization_section, organization=True)
        imports.register("organizations", "feidi.registry.importers.OrganizationImporter")
        appstart.declared_menu(self.name, "registry", gettext_noop("主体库"), "🏢", 10)
