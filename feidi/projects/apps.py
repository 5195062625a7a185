from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "feidi.projects"
    label = "projects"
    verbose_name = _("招商与重点项目")

    def ready(self):
        from . import stats as app_stats

        app_stats.register()  # what 统计查询 can ask of this app's records
        from feidi.core import home as home_page

        from . import home

        home_page.register(40, home.staff_section)
        from django.utils.translation import gettext_noop

        from feidi.core import imports, workbench
        from feidi.core.navigation import Item, register
        from feidi.core.seeds import register_seeder

        from . import todos

        imports.register("projects", "feidi.projects.importers.ProjectImporter")
        workbench.register(todos.todos)

        from . import jobs  # noqa: F401  (pool sweep, alert rules, the biweekly report)
        from .seeds import ensure_stage_gates

        register_seeder(ensure_stage_gates, "projects.StageGate", "accounts.Role")

        from feidi.core import declare

        from . import views  # noqa: F401 — the declarations the menu is made from

        register("projects", gettext_noop("招商项目"), "🏗️", 14, declare.menu_items("projects", [
            Item(gettext_noop("项目看板"), "projects:dashboard", "projects.view_project"),
            Item(gettext_noop("公海线索"), "projects:pool", "projects.claim_project"),
            Item(gettext_noop("重点项目"), "projects:key_list", "projects.view_project"),
            Item(gettext_noop("项目预警"), "projects:alert_list", "projects.view_alert"),
            Item(gettext_noop("半月专报"), "projects:report_list", "projects.view_report"),
        ]))
