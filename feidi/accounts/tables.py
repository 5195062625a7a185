from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn, Column, RelatedColumn, Table


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
    default_order = "username"
    username = Column(_("用户名"), link=True)
    full_name = Column(_("姓名"))
    title = Column(_("职务"))
    department = RelatedColumn(_("所属部门"), by="path")
    organization = RelatedColumn(_("所属单位"))
    roles = Column(_("角色"), render=_roles, sortable=False,
                   export_value=lambda r: gettext("、").join(str(x) for x in r.roles.all()))
    state = Column(_("状态"), render=_lock, sortable=False,
                   export_value=lambda r: gettext("停用") if not r.is_active else gettext("锁定") if r.is_locked() else gettext("正常"))
    last_login = Column(_("最近登录"))


def _indented(row):
    return format_html('<span style="padding-left:{}rem"></span><a href="{}">{}</a>', max(row.depth, 0) * 1.25,
                       row.get_absolute_url(), row.name)


class DepartmentTable(Table):
    default_order = "path"
    name = Column(_("名称"), render=_indented, order_by="path", export_value=lambda r: r.name)
    kind = ChoiceColumn(_("层级"))
    parent = RelatedColumn(_("上级部门"))
    order = Column(_("排序"))


class RoleTable(Table):
    default_order = "name"
    name = Column(_("名称"), accessor="__str__", order_by="name", link=True)
    code = Column(_("编码"))
    duty = ChoiceColumn(_("类别"))
    data_scope = ChoiceColumn(_("数据范围"))
    can_view_sensitive = Column(_("可看完整号码"))
    description = Column(_("说明"), accessor="description_shown", sortable=False)


class LoginLogTable(Table):
    default_order = "-at"
    at = Column(_("时间"))
    username = Column(_("用户名"))
    result = ChoiceColumn(_("结果"))
    reason = Column(_("说明"), sortable=False)
    address = Column(_("来源地址"))
    user_agent = Column(_("客户端"), sortable=False)


class ApiTokenTable(Table):
    default_order = "-created_at"
    name = Column(_("名称"))
    prefix = Column(_("前缀"), sortable=False)
    created_at = Column(_("创建时间"))
    expires_at = Column(_("过期时间"))
    last_used_at = Column(_("最近使用"))
    revoke = Column(_("操作"), sortable=False, export=False, render=lambda r: format_html(
        gettext('<button type="button" class="btn btn-sm btn-outline-danger" hx-post="{}" hx-confirm="{}" '
        'hx-target="closest tr" hx-swap="outerHTML">吊销</button>'), r.get_revoke_url(), gettext("确定吊销该令牌？")))
