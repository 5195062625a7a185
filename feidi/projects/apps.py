from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "feidi.projects"
    label = "projects"
    verbose_name = _("招商与重点项目")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core import home as home_page
        from feidi.core import imports
        from feidi.core.navigation import Item
        from feidi.core.seeds import register_seeder

        from . import home
        from .seeds import ensure_stage_gates

        # 统计查询 subjects; pool sweep, alert rules, the biweekly report; the todos
        appstart.start(self.name, stats=True, jobs=True, todos=True)
        home_page.register(40, home.staff_section)
        imports.register("projects", "feidi.projects.importers.ProjectImporter")
        register_seeder(ensure_stage_gates, "projects.StageGate", "accounts.Role")
        from feidi.accounts.actions import roles_changed
        from feidi.accounts.actions import switched_off

        from . import actions

        # a person switched off holds no project, task or 挂点领导 here; one whose roles changed, none
        # his roles no longer let him hold
        switched_off.connect(lambda sender, user, acting_user, **kw: actions.hand_on_work(
            user, acting_user=acting_user), weak=False, dispatch_uid="projects.hand_on_work")
        roles_changed.connect(lambda sender, user, acting_user, **kw: actions.hand_on_work(
            user, acting_user=acting_user, everything=False), weak=False, dispatch_uid="projects.hand_on_work_roles")
        appstart.declared_menu(self.name, "projects", gettext_noop("招商项目"), "🏗️", 14, [
            Item(gettext_noop("项目看板"), "projects:dashboard", "projects.view_project"),
            Item(gettext_noop("公海线索"), "projects:pool", "projects.claim_project"),
            Item(gettext_noop("重点项目"), "projects:key_list", "projects.view_project"),
            Item(gettext_noop("项目预警"), "projects:alert_list", "projects.view_alert"),
            Item(gettext_noop("半月专报"), "projects:report_list", "projects.view_report"),
        ])
