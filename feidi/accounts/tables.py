from django.utils.html import format_html
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import RelatedColumn
from feidi.core.tables import Table

from . import models


def _roles(row):
    return format_html_join(" ", '<span class="badge bg-blue-lt">{}</span>', ((str(r),
                                                                               ) for r in row.roles.all()))


def _lock(row):
    if not row.is_active:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', gettext("停用"))
    if row.is_locked():
        return format_html('<span class="badge bg-red-lt">{}</span>', gettext("锁定"))
    return format_html('<span class="badge bg-green-lt">{}</span>', gettext("正常"))


class UserTable(Table):
    model_class = models.User
    fields = ("username", "full_name", "title", "department", "organization", "roles", "state", "last_login")
    username = Column(link=True)
    department = RelatedColumn(by="path")
    organization = RelatedColumn(_("所属单位"))
    roles = Column(render=_roles, sortable=False,
                   export_value=lambda r: gettext("、").join(str(x) for x in r.roles.all()))
    state = Column(_("状态"), render=_lock, sortable=False,
                   export_value=lambda r: gettext("停用") if not r.is_active else gettext("锁定") if r.is_locked() else gettext("正常"))
    last_login = Column(_("最近登录"))


def _indented(row):
    return format_html('<span style="padding-left:{}rem"></span><a href="{}">{}</a>', max(row.depth, 0) * 1.25,
                       row.get_absolute_url(), row.name)


class DepartmentTable(Table):
    model_class = models.Department
    fields = ("name", "kind", "parent", "order")
    name = Column(render=_indented, order_by="path", export_value=lambda r: r.name)
    kind = ChoiceColumn()
    parent = RelatedColumn()


class RoleTable(Table):
    model_class = models.Role
    default_order = "name"
    fields = ("name", "code", "duty", "data_scope", "can_view_sensitive", "description")
    name = Column(accessor="__str__", order_by="name", link=True)
    duty = ChoiceColumn(_("类别"))
    data_scope = ChoiceColumn()
    can_view_sensitive = Column(_("可看完整号码"))
    description = Column(accessor="description_shown", sortable=False)


class LoginLogTable(Table):
    model_class = models.LoginLog
    fields = ("at", "username", "result", "reason", "address", "user_agent")
    result = ChoiceColumn()
    reason = Column(sortable=False)
    user_agent = Column(sortable=False)


class ApiTokenTable(Table):
    model_class = models.ApiToken
    fields = ("name", "prefix", "created_at", "expires_at", "last_used_at", "revoke")
    prefix = Column(_("前缀"), sortable=False)
    revoke = Column(_("操作"), sortable=False, export=False, render=lambda r: format_html(
        gettext('<button type="button" class="btn btn-sm btn-outline-danger" hx-post="{}" hx-confirm="{}" '
        'hx-target="closest tr" hx-swap="outerHTML">吊销</button>'), r.get_revoke_url(), gettext("确定吊销该令牌？")))
