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
        from . import actions

        actions.connect()  # escalations made on a provisional deadline are checked when the calendar changes
        from feidi.accounts.actions import switched_off

        # a handler switched off: his open appeals go on to whoever is next in line
        switched_off.connect(lambda sender, user, acting_user, **kw: actions.reroute_open_appeals(
            user, acting_user=acting_user), weak=False, dispatch_uid="services.reroute_open_appeals")
        appstart.declared_menu(self.name, "services", gettext_noop("企业服务"), "🤝", 20, [
            Item(gettext_noop("办理指标"), "services:appeal_measures", "services.handle_appeal"),
        ])
