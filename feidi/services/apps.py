from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "feidi.services"
    label = "services"
    verbose_name = _("企业服务")

    def ready(self):
        from . import stats as app_stats

        app_stats.register()  # what 统计查询 can ask of this app's records
        from django.utils.translation import gettext_noop

        from feidi.core import workbench
        from feidi.core.navigation import Item, register

        from . import (
            jobs,  # noqa: F401  (the escalation sweep)
            todos,
        )

        workbench.register(todos.todos)

        from feidi.core import declare

        from . import views  # noqa: F401 — the declarations the menu is made from

        register("services", gettext_noop("企业服务"), "🤝", 20, declare.menu_items("services", [
            Item(gettext_noop("企业诉求"), "services:appeal_list", "services.view_appeal", org_users=True),
            Item(gettext_noop("办理指标"), "services:appeal_measures", "services.handle_appeal"),
        ]))
