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
        from feidi.core.navigation import Item, register

        imports.register("organizations", "feidi.registry.importers.OrganizationImporter")

        register("registry", gettext_noop("主体库"), "🏢", 10, [
            Item(gettext_noop("园区与飞地"), "registry:zone_list", "registry.view_zone"),
            Item(gettext_noop("单位"), "registry:organization_list", "registry.view_organization", org_users=True),
            Item(gettext_noop("资质标签"), "registry:organizationlabel_list", "registry.view_organizationlabel"),
            Item(gettext_noop("人员"), "registry:person_list", "registry.view_person"),
            Item(gettext_noop("飞地入驻"), "registry:residency_list", "registry.view_residency"),
            Item(gettext_noop("合作协议"), "registry:agreement_list", "registry.view_agreement"),
            Item(gettext_noop("协议承诺"), "registry:commitment_list", "registry.view_commitment"),
        ])
