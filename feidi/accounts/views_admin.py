"""Administration pages, split by duty (三员分立): the 系统管理员 keeps accounts and departments,
the 安全管理员 keeps roles, role assignment, unlocking and the security policy, the 审计管理员
reads the login log (and the audit trail in core). API tokens belong to each business user."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core.actions import ConflictError
from feidi.core.actions import delete_object
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDeleteView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import ScopedViewMixin
from feidi.core.views import apply_validation_error
from feidi.core.views import form_refusal
from feidi.core.views import refusal_text

from . import actions
from .filtersets import DepartmentFilterSet
from .filtersets import LoginLogFilterSet
from .filtersets import RoleFilterSet
from .filtersets import UserFilterSet
from .forms import ApiTokenForm
from .forms import DepartmentForm
from .forms import RoleAssignForm
from .forms import RoleForm
from .forms import SecurityPolicyForm
from .forms import UserForm
from .models import ApiToken
from .models import Department
from .models import LoginLog
from .models import Role
from .models import SecurityPolicy
from .models import User
from .tables import ApiTokenTable
from .tables import DepartmentTable
from .tables import LoginLogTable
from .tables import RoleTable
from .tables import UserTable

# The menu 管理: these three record types, then the security policy and the login log (apps.py).
declare.model(User, "users", form=UserForm, filterset=UserFilterSet, table=UserTable,
              select_related=("department", "organization"), pages=("list", "add", "detail", "edit"),
              list_attrs={"prefetch_related": ("roles",)},
              menu=declare.Entry("admin", gettext_noop("用户"), position=0))
declare.model(Department, "departments", form=DepartmentForm, filterset=DepartmentFilterSet,
              table=DepartmentTable, select_related=("parent",), list_attrs={"paginate_by": 100, "page_sizes": (100, 200, 500)},
              menu=declare.Entry("admin", gettext_noop("部门"), position=1))
declare.model(Role, "roles", form=RoleForm, filterset=RoleFilterSet, table=RoleTable,
              menu=declare.Entry("admin", gettext_noop("角色与授权"), position=2))


# --- users (系统管理员) -----------------------------------------------------------------------
@declare.view(User, "detail")
class UserDetailView(ObjectDetailView):
    template_name = "accounts/user_detail.html"
    detail_fields = ("username", "full_name", "email", "phone", "department", "organization", "is_active",
                     "must_change_password", "date_joined", "last_login", "password_changed_at", "locked_until",
                     "totp_confirmed")

    offer_delete = False  # accounts are disabled, never deleted (the trail keeps their name)

    def get_extra_context(self, account):
        user = self.request.user
        return {
            "roles": account.roles.all(),
            "can_assign": user.has_perm("accounts.assign_roles") and user.pk != account.pk,
            "can_unlock": user.has_perm("accounts.unlock_user") and account.is_locked(),
        }


@declare.view(User, "edit")
class UserEditView(ObjectEditView):
    def new_object(self):
        return User(must_change_password=True)

    def save_object(self, form, obj, *, creating, expected_version):
        if creating:
            return actions.do_create_user(obj, password=form.cleaned_data["password1"], acting_user=self.request.user)
        if obj.pk == self.request.user.pk and not obj.is_active:
            raise ValidationError({"is_active": gettext("不能停用自己的账号")})
        return actions.do_update_user(obj, acting_user=self.request.user, expected_version=expected_version)


@declare.route("users/<int:pk>/roles/", "user_roles")
class UserRolesView(ObjectMixin, TemplateView):
    """Role assignment (安全管理员)."""

    model = User
    template_name = "accounts/user_roles.html"

    def get_permission(self):
        return "accounts.assign_roles"

    def _render(self, form, user):
        groups = {}
        for role in Role.objects.order_by("duty", "name"):
            groups.setdefault(role.get_duty_display(), []).append(role)
        return self.render_to_response(self.get_context_data(form=form, object=user, groups=groups,
                                                             selected={r.pk for r in user.roles.all()},
                                                             title=gettext("分配角色：{user}").format(user=user)))

    def get(self, request, *args, **kwargs):
        user = self.get_object()
        return self._render(RoleAssignForm(initial={"roles": user.roles.all()}), user)

    def post(self, request, *args, **kwargs):
        user = self.get_object()
        form = RoleAssignForm(request.POST)
        if form.is_valid():
            try:
                actions.do_set_user_roles(user, list(form.cleaned_data["roles"]), acting_user=request.user)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, gettext("已更新 {user} 的角色").format(user=user))
                return redirect(user.get_absolute_url())
        return self._render(form, user)


@declare.route("users/<int:pk>/unlock/", "user_unlock")
class UserUnlockView(ObjectActionView):
    model = User
    permission_action = "view"  # the record through the view scope; the permission is unlock_user
    rule = actions.do_unlock_user

    def get_permission(self):
        return "accounts.unlock_user"

    def success_message(self, user, result) -> str:
        return gettext("已解锁 {user}").format(user=user)


# --- departments (系统管理员) -----------------------------------------------------------------
@declare.view(Department, "detail")
class DepartmentDetailView(ObjectDetailView):
    template_name = "accounts/department_detail.html"
    detail_fields = ("name", "kind", "parent", "order")

    def get_extra_context(self, department):
        user = self.request.user
        return {
            "children": Department.objects.visible_to(user).filter(parent=department),
            "members": (User.objects.visible_to(user).filter(department=department)
                        if user.has_perm("accounts.view_user") else User.objects.none()),
        }


@declare.view(Department, "edit")
class DepartmentEditView(ObjectEditView):
    def save_object(self, form, obj, *, creating, expected_version):
        return actions.do_save_department(obj, acting_user=self.request.user, expected_version=expected_version)


@declare.view(Department, "delete")
class DepartmentDeleteView(ObjectDeleteView):
    def delete_object(self, obj):
        if obj.children.exists() or obj.users.exists():
            raise ValidationError(gettext("该部门仍有下级部门或用户，不能删除"))
        delete_object(obj, acting_user=self.request.user)


# --- roles (安全管理员) -----------------------------------------------------------------------
@declare.view(Role, "detail")
class RoleDetailView(ObjectDetailView):
    template_name = "accounts/role_detail.html"
    detail_fields = ("name", "code", "duty", "data_scope", "can_view_sensitive", "description")

    def get_extra_context(self, role):
        form = RoleForm(instance=role, user=self.request.user)
        granted = set(role.permissions.values_list("pk", flat=True))
        matrix = []
        for app, module, objects in form.permission_matrix():
            mine = [(name, cells) for name, cells in objects
                    if any(box is not None and box.data["value"] in granted for _label, box in cells)]
            if mine:
                matrix.append((app, module, mine))
        extra = {"matrix": matrix, "granted": granted, "custom_departments": role.custom_departments.all()}
        if self.request.user.has_perm("accounts.add_role"):
            from django.urls import reverse

            extra["copy_url"] = reverse("accounts:role_copy", kwargs={"pk": role.pk})
        return extra


@declare.view(Role, "edit")
class RoleEditView(ObjectEditView):
    template_name = "accounts/role_form.html"

    def save_object(self, form, obj, *, creating, expected_version):
        return actions.do_save_role(obj, permissions=form.cleaned_data["permissions"],
                                    custom_departments=form.cleaned_data["custom_departments"],
                                    acting_user=self.request.user, expected_version=expected_version)


@declare.route("roles/<int:pk>/copy/", "role_copy")
class RoleCopyView(RoleEditView):
    """A new role starting from an existing one's permissions, scope and departments."""

    def get_permission(self) -> str:
        return "accounts.add_role"

    def source(self) -> Role:
        from django.http import Http404

        found = Role.objects.visible_to(self.request.user).filter(pk=self.source_pk).first()
        if found is None:
            raise Http404(gettext("记录不存在或无权查看"))
        return found

    def new_object(self):
        src = self.source()
        return Role(name=gettext("{name}（副本）").format(
            name=src), code=f"{src.code}_copy", description=src.description, duty=src.duty,
                    data_scope=src.data_scope, can_view_sensitive=src.can_view_sensitive)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.source_pk = self.kwargs.pop("pk")  # the role copied from; the view itself creates

    def get(self, request, *args, **kwargs):
        import secrets

        src = self.source()
        obj = self.new_object()
        form = self.form_class(instance=obj, user=request.user, initial={
            "permissions": list(src.permissions.values_list("pk", flat=True)),
            "custom_departments": list(src.custom_departments.values_list("pk", flat=True))})
        return self.render_form(form, obj, token=secrets.token_urlsafe(16))

    def post(self, request, *args, **kwargs):
        return super().post(request, *args)  # a new role: no pk of its own


@declare.view(Role, "delete")
class RoleDeleteView(ObjectDeleteView):
    def delete_object(self, obj):
        actions.do_delete_role(obj, acting_user=self.request.user)


# --- security policy (安全管理员) -------------------------------------------------------------
@declare.route("policy/", "policy")
class SecurityPolicyView(ScopedViewMixin, TemplateView):
    model = SecurityPolicy
    permission_action = "change"
    template_name = "generic/form.html"

    def _render(self, form):
        return self.render_to_response(self.get_context_data(form=form, title=gettext("安全策略"), cancel_url="/",
                                                             creating=False, form_token="",
                                                             version=form.instance.version if form.instance.pk else ""))

    def get(self, request, *args, **kwargs):
        return self._render(SecurityPolicyForm(instance=SecurityPolicy.current(), user=request.user))

    def post(self, request, *args, **kwargs):
        form = SecurityPolicyForm(request.POST, instance=SecurityPolicy.current(), user=request.user)
        if form.is_valid():
            try:
                expected = request.POST.get("_version", "")
                actions.do_save_policy(form.instance, acting_user=request.user,
                                       expected_version=int(expected) if expected.isdigit() else None)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, gettext("安全策略已保存，立即生效"))
                return redirect("accounts:policy")
        return self._render(form)


# --- login log (审计管理员) -------------------------------------------------------------------
declare.model(LoginLog, "login-log", filterset=LoginLogFilterSet, table=LoginLogTable, pages=("list",),
              list_attrs={"title": _("登录日志"), "empty_hint": gettext_lazy("用户登录、退出和失败的尝试会记录在此。")})


# --- API tokens (each business user, own tokens) ---------------------------------------------
class OwnTokensMixin:
    """One's own API tokens: any signed-in user but an administrator (who signs in by TOTP only)."""

    model = ApiToken

    def get_permission(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        if request.user.is_admin_duty:
            raise PermissionDenied(gettext("管理员账号只能通过动态口令登录使用，不能签发 API 令牌"))
        return View.dispatch(self, request, *args, **kwargs)


@declare.route("tokens/", "apitoken_list")
class ApiTokenListView(OwnTokensMixin, ObjectListView):
    title = _("API 令牌")
    table_class = ApiTokenTable
    template_name = "accounts/apitoken_list.html"
    offer_add = False  # a token is issued by the form on this page

    def get_extra_context(self, rows):
        return {"form": ApiTokenForm()}

    def post(self, request, *args, **kwargs):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():  # what is wrong, by field: a name too long, a day not in the calendar or past
            messages.error(request, refusal_text(form_refusal(form)))
            return redirect("accounts:apitoken_list")
        expires = form.cleaned_data["expires_on"]
        expires_at = (timezone.make_aware(dt.datetime.combine(expires, dt.time.max)) if expires else None)
        token, value = actions.do_issue_token(request.user, form.cleaned_data["name"], expires_at=expires_at)
        return render(request, "accounts/apitoken_created.html", {"token": token, "value": value,
                                                                  "title": gettext("令牌已创建")})


@declare.route("tokens/<int:pk>/revoke/", "apitoken_revoke")
class ApiTokenRevokeView(OwnTokensMixin, ObjectMixin, View):
    def post(self, request, *args, **kwargs):
        token = self.get_object()
        actions.do_revoke_token(token, acting_user=request.user)
        if getattr(request, "htmx", False):
            return HttpResponse("")
        messages.success(request, gettext("已吊销令牌 {name}").format(name=token.name))
        return redirect("accounts:apitoken_list")
