from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "feidi.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core.navigation import Item

        from .roles import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="feidi_standard_roles")
        from . import handover
        from .actions import roles_changed
        from .actions import switched_off

        # whatever else names a person who left, or whose roles no longer do the work: its editors told
        switched_off.connect(lambda sender, user, acting_user, **kw: handover.left_in_place(
            user, acting_user=acting_user), weak=False, dispatch_uid="accounts.left_in_place")
        roles_changed.connect(lambda sender, user, acting_user, **kw: handover.left_in_place(
            user, acting_user=acting_user, everything=False), weak=False, dispatch_uid="accounts.left_in_place_roles")
        appstart.declared_menu(self.name, "admin", gettext_noop("管理"), "🔐", 80, [
            Item(gettext_noop("安全策略"), "accounts:policy", "accounts.change_securitypolicy"),
            Item(gettext_noop("登录日志"), "accounts:loginlog_list", "accounts.view_loginlog"),
        ], views="views_admin")
