from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "feidi.services"
    label = "services"
    verbose_name = _("企业服务")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core.navigation import Item

        # 统计查询 subjects, the escalation sweep, the todos
        appstart.start(self.name, stats=True, jobs=True, todos=True)
        appstart.declared_menu(self.name, "services", gettext_noop("企业服务"), "🤝", 20, [
            Item(gettext_noop("办理指标"), "services:appeal_measures", "services.handle_appeal"),
        ])
