from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "feidi.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.utils.translation import gettext_noop

        from .trigram import planner_costs

        connection_created.connect(planner_costs, dispatch_uid="feidi.core.trigram.planner_costs")
        from django.db.models.signals import pre_save

        from .models import tidy_stored_text

        pre_save.connect(tidy_stored_text, dispatch_uid="feidi.core.models.tidy_stored_text")

        # signal receivers; jobs registered with Huey
        from . import calendar
        from . import dictionaries  # noqa: F401
        from . import imports  # noqa: F401
        from . import jobs  # noqa: F401
        from . import workbench  # noqa: F401
        from .navigation import Item
        from .navigation import register

        calendar.connect()
        from . import deadlines

        deadlines.connect()
        workbench.register(imports.todos)
        from . import home

        home.register(90, home.audit_section)

        from . import stats

        register("cockpit", gettext_noop("驾驶舱"), "📊", 5, [
            Item(gettext_noop("统计查询"), "core:stats", visible=lambda user: bool(stats.subjects_for(user))),
        ])

        register("system", gettext_noop("系统"), "⚙", 90, [
            Item(gettext_noop("数据字典"), "core:dictitem_list", "core.change_dictitem"),
            Item(gettext_noop("工作日历"), "core:calendaryear_list", "core.view_calendaryear"),
            Item(gettext_noop("机器人通知"), "core:webhookendpoint_list", "core.view_webhookendpoint"),
            Item(gettext_noop("通知投递记录"), "core:delivery_list", "core.view_delivery"),
            Item(gettext_noop("审计日志"), "core:auditrecord_list", "core.view_auditrecord"),
        ])
