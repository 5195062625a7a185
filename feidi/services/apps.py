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
        from feidi.accounts.actions import roles_changed
        from feidi.accounts.actions import switched_off

        # a handler switched off, or whose roles no longer handle appeals: his open appeals go on to
        # whoever is next in line, his 挂点 end
        switched_off.connect(lambda sender, user, acting_user, **kw: actions.hand_on_work(
            user, acting_user=acting_user), weak=False, dispatch_uid="services.hand_on_work")
        roles_changed.connect(lambda sender, user, acting_user, **kw: actions.hand_on_work(
            user, acting_user=acting_user, everything=False), weak=False, dispatch_uid="services.hand_on_work_roles")
        appstart.declared_menu(self.name, "services", gettext_noop("企业服务"), "🤝", 20, [
            Item(gettext_noop("办理指标"), "services:appeal_measures", "services.handle_appeal"),
        ])
