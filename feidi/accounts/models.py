"""Users, the department tree, roles with data scopes, security policy, login log, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import EncryptedCharField
from feidi.core.models import DetailUrlMixin
from feidi.core.models import OrganizationField
from feidi.core.models import PersonalModel
from feidi.core.models import seeded_label
from feidi.core.scope import DataScope
from feidi.core.scope import Scope
from feidi.core.scope import ScopedQuerySet
from feidi.core.scope import named_in_zone


class Department(DetailUrlMixin, models.Model):
    """A node of the administrative tree: province → city → zone → bureau → section.

    ``path`` is the materialized path of ids ("/1/4/9/"), so a subtree is one prefix query.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        ZONE = "zone", _("园区/管委会")
        BUREAU = "bureau", _("局/办")
        SECTION = "section", _("科室")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("层级"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级部门"), null=True, blank=True,
                               on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    order = models.PositiveIntegerField(_("排序"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)  # stale edits refused

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="pk", owner=None)
    # the units a staff user may name (a problem's 责任单位, a zone's 服务设置, a policy's 审核部门)
    # whatever their data scope: those of their own zone (``scope.offered``)
    named_by = named_in_zone("pk")
    audit_exclude: tuple[str, ...] = ("path",)

    class Meta:
        verbose_name = verbose_name_plural = _("部门")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name")]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestors(self):
        ids = [int(p) for p in self.path.strip("/").split("/") if p][:-1]
        return Department.objects.filter(pk__in=ids).order_by("path")

    def full_name(self) -> str:
        return " / ".join([*(a.name for a in self.ancestors()), self.name])

    def subtree_ids(self) -> list[int]:
        return list(Department.objects.filter(path__startswith=self.path).values_list("pk", flat=True))

    def zone_subtree_ids(self) -> list[int]:
        """The departments of the zone this department is in: under the nearest administration
        (管委会) above it or itself; a department outside any zone, itself and below."""
        chain = [int(p) for p in self.path.strip("/").split("/") if p]
        zone = Department.objects.filter(pk__in=chain, kind=Department.Kind.ZONE).order_by("-path").first()
        return (zone or self).subtree_ids()


class Role(DetailUrlMixin, models.Model):
    """A named set of permissions with a data scope. ``duty`` marks the three administrator duties
    (三员分立): a user holds at most one, and duty roles carry no business permissions."""

    class Duty(models.TextChoices):
        NONE = "", _("业务角色")
        SYSTEM = "system", _("系统管理员")
        SECURITY = "security", _("安全管理员")
        AUDIT = "audit", _("审计管理员")

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    # an edit made from a form rendered at an older version is refused (two administrators at once:
    # a stale form had switched a deactivated account back on)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    duty = models.CharField(_("管理员职责"), max_length=16, choices=Duty.choices, blank=True, default="")
    data_scope = models.CharField(_("数据范围"), max_length=16, choices=DataScope.choices,
                                  default=DataScope.DEPT_TREE)
    custom_departments = models.ManyToManyField(Department, verbose_name=_("自定义部门"), blank=True,
                                                related_name="+")
    permissions = models.ManyToManyField(Permission, verbose_name=_("权限"), blank=True, related_name="+")
    can_view_sensitive = models.BooleanField(_("可查看完整手机号/身份证号"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department=None, owner=None)
    audit_exclude: tuple[str, ...] = ()

    class Meta:
        verbose_name = verbose_name_plural = _("角色")
        ordering = ["duty", "name"]

    def __str__(self):
        return seeded_label(self.name)

    @staticmethod
    def named_by(user) -> Q | None:
        """The roles a staff user may name (a stage gate's 可推进角色) without seeing the role
        editor: the business roles, not the administrators' duties (``scope.offered``)."""
        return None if user.organization_id else Q(duty="")

    @property
    def name_shown(self) -> str:
        return seeded_label(self.name)

    @property
    def description_shown(self) -> str:
        return seeded_label(self.description)

    def custom_department_ids(self) -> list[int]:
        cached = getattr(self, "_custom_ids", None)
        if cached is None:
            paths = [d.path for d in self.custom_departments.all()]
            q = models.Q(pk__in=[])
            for p in paths:
                q |= models.Q(path__startswith=p)
            cached = list(Department.objects.filter(q).values_list("pk", flat=True)) if paths else []
            self._custom_ids = cached
        return cached


ACTION_LABELS = {"view": _("查看"), "add": _("新增"), "change": _("修改"), "delete": _("删除")}


def permission_action(perm: Permission) -> str:
    """A model's default permission's action (view, add, change, delete), else its codename."""
    model = perm.content_type.model_class()
    if model and perm.codename.endswith(f"_{model._meta.model_name}"):
        return perm.codename.rsplit("_", 1)[0]
    return perm.codename


def permission_label(perm: str) -> str:
    """What a permission ("app_label.codename") lets one do, as the role editor says it: 修改招商项目,
    办理诉求（受理、转办、挂起、办结）."""
    app_label, __, codename = perm.partition(".")
    found = Permission.objects.select_related("content_type").filter(
        content_type__app_label=app_label, codename=codename).first()
    if found is None:
        return perm
    action = ACTION_LABELS.get(permission_action(found))
    model = found.content_type.model_class()
    if action and model is not None:
        return f"{action}{model._meta.verbose_name}"
    return seeded_label(found.name)


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username):
        return self.get(username=username)


class UserQuerySet(ScopedQuerySet):
    def colleagues_of(self, user):
        """Active staff of the user's own zone (管委会 and below): whom work can be assigned to.
        A directory rule beside the data scope: names only, for choice lists."""
        if user is None or not user.is_authenticated or user.organization_id or not user.department_id:
            return self.none()
        return self.filter(is_active=True, organization__isnull=True,
                           department_id__in=user.zone_subtree_ids()).order_by("full_name")

    def holding(self, perm: str):
        """The accounts one of whose roles grants ``perm`` ("app_label.codename"): who may do a kind of
        work (handle appeals, score applications) — whom it can be given to or waits on."""
        app_label, _, codename = perm.partition(".")
        return self.filter(pk__in=self.model.objects.filter(
            roles__permissions__codename=codename, roles__permissions__content_type__app_label=app_label).values("pk"))

    def staff_of(self, department):
        """Active staff of the zone ``department`` is in: whom a record of that zone can be given
        to — the record's zone, not the assigning user's (a leader moved to another zone handed a
        project of his old zone to the new zone's clerk)."""
        if department is None:
            return self.none()
        return self.filter(is_active=True, organization__isnull=True,
                           department_id__in=department.zone_subtree_ids()).order_by("full_name")


class User(DetailUrlMixin, AbstractBaseUser):
    """A person signing in: staff of a department, or a user of one enterprise or institution.

    There is no superuser: everything is reached through roles and data scopes.
    """

    username = models.CharField(_("用户名"), max_length=150, unique=True)
    full_name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(_("职务"), max_length=50, blank=True, help_text=_("如：招商局局长、挂点干部；与姓名一起显示"))
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = EncryptedCharField(_("手机号"), max_length=32, blank=True, kind="phone")
    department = models.ForeignKey(Department, verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="users")
    organization = OrganizationField(_("所属单位（企业/机构用户）"), null=True, blank=True, related_name="users")
    roles = models.ManyToManyField(Role, verbose_name=_("角色"), blank=True, related_name="users")
    # an edit made from a form rendered at an older version is refused (two administrators at once:
    # a stale form had switched a deactivated account back on)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    date_joined = models.DateTimeField(_("创建时间"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    failed_logins = models.PositiveIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    totp_secret = EncryptedCharField(_("TOTP 密钥"), max_length=64, blank=True, kind="secret")
    totp_confirmed = models.BooleanField(_("已绑定动态口令"), default=False)
    totp_last_step = models.BigIntegerField(_("最近使用的口令时间片"), default=0, editable=False)
    created_by = models.ForeignKey("self", verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")

    objects = UserManager.from_queryset(UserQuerySet)()
    scope = Scope(department="department", owner=None)
    audit_exclude: tuple[str, ...] = ("password", "last_login", "failed_logins", "locked_until", "totp_last_step")

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = verbose_name_plural = _("用户")
        ordering = ["username"]
        permissions = [("unlock_user", _("解锁账号")), ("assign_roles", _("分配角色"))]

    def __str__(self):
        # people are shown by name and title, never by their login name (that is on the user list only)
        if not self.full_name:
            return self.username
        return gettext("{name}（{title}）").format(
            name=self.full_name, title=self.title) if self.title else self.full_name

    # --- permissions through roles (cached per instance, i.e. per request) ---------------------
    def _role_cache(self) -> list[Role]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = list(self.roles.all()) if self.pk else []
            self._roles_cache = cached
        return cached

    def _perm_map(self) -> dict[str, list[Role]]:
        """``"app.codename"`` → the user's roles granting it, in the roles' order. Read as names in one
        query (a role holds hundreds of permissions: building them as model instances cost about a
        tenth of every page)."""
        cached = getattr(self, "_perm_map_cache", None)
        if cached is None:
            roles = self._role_cache()
            granted: dict[int, list[str]] = {role.pk: [] for role in roles}
            if roles:
                for role_id, app_label, codename in Role.permissions.through.objects.filter(
                        role_id__in=granted).values_list("role_id", "permission__content_type__app_label",
                                                         "permission__codename"):
                    granted[role_id].append(f"{app_label}.{codename}")
            cached = {}
            for role in roles:
                for perm in granted[role.pk]:
                    cached.setdefault(perm, []).append(role)
            self._perm_map_cache = cached
        return cached

    def roles_granting(self, perm: str) -> list[Role]:
        if not self.is_active:
            return []
        return self._perm_map().get(perm, [])

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.is_active and perm in self._perm_map()

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(p) for p in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and any(p.startswith(app_label + ".") for p in self._perm_map())

    def get_all_permissions(self, obj=None) -> set[str]:
        return set(self._perm_map()) if self.is_active else set()

    @property
    def duty(self) -> str:
        for role in self._role_cache():
            if role.duty:
                return role.duty
        return ""

    @property
    def is_admin_duty(self) -> bool:
        return bool(self.duty)

    @property
    def can_view_sensitive(self) -> bool:
        return self.is_active and any(r.can_view_sensitive for r in self._role_cache())

    def department_subtree_ids(self) -> list[int]:
        cached = getattr(self, "_subtree_cache", None)
        if cached is None:
            cached = self.department.subtree_ids() if self.department_id else []
            self._subtree_cache = cached
        return cached

    def zone_subtree_ids(self) -> list[int]:
        """Departments under the administration (管委会) the user works in: a bureau's staff see
        their whole zone. A user outside any zone gets their own department and below."""
        cached = getattr(self, "_zone_subtree_cache", None)
        if cached is None:
            cached = self.department.zone_subtree_ids() if self.department_id else []
            self._zone_subtree_cache = cached
        return cached

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))

    def password_expired(self, policy=None, now=None) -> bool:
        policy = policy or SecurityPolicy.current()
        if not policy.password_max_age_days:
            return False
        if self.password_changed_at is None:
            return True
        age = (now or timezone.now()) - self.password_changed_at
        return age.days >= policy.password_max_age_days

    @property
    def is_org_user(self) -> bool:
        return bool(self.organization_id)

    # Django's admin and auth tooling expect these.
    is_staff = False
    is_superuser = False

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name or self.username


def _bounded(field: str) -> list:
    """The field's range from the security profile, each side with the message naming the range."""
    from django.core.validators import MaxValueValidator
    from django.core.validators import MinValueValidator

    from feidi.lib.security_profile import POLICY_BOUNDS
    from feidi.lib.security_profile import range_text

    low, high, _label, _env = POLICY_BOUNDS[field]
    return [MinValueValidator(low, message=range_text(field)), MaxValueValidator(high, message=range_text(field))]


class SecurityPolicy(models.Model):
    """The security policy (安全策略), one row, edited only by the 安全管理员."""

    max_failures = models.PositiveIntegerField(_("连续失败锁定次数"), default=5, validators=_bounded("max_failures"))
    lock_minutes = models.PositiveIntegerField(_("锁定时长（分钟）"), default=30, validators=_bounded("lock_minutes"))
    idle_minutes = models.PositiveIntegerField(_("空闲超时（分钟）"), default=30, validators=_bounded("idle_minutes"))
    password_min_length = models.PositiveIntegerField(_("密码最小长度"), default=10,
                                                      validators=_bounded("password_min_length"))
    password_min_classes = models.PositiveIntegerField(_("密码字符类别数（大写/小写/数字/符号）"), default=3,
                                                       validators=_bounded("password_min_classes"))
    password_max_age_days = models.PositiveIntegerField(_("密码有效期（天）"), default=90,
                                                        validators=_bounded("password_max_age_days"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # an edit made from a form rendered at an older version is refused (two administrators at once:
    # a stale form had switched a deactivated account back on)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department=None, owner=None)
    audit_exclude: tuple[str, ...] = ("updated_at",)

    class Meta:
        verbose_name = verbose_name_plural = _("安全策略")

    def __str__(self):
        return gettext("安全策略")

    @classmethod
    def current(cls) -> SecurityPolicy:
        from django.conf import settings

        policy = cls.objects.filter(pk=1).first()
        if policy is None:
            policy = cls(pk=1, **settings.SECURITY_DEFAULTS)
        return policy


class LoginLog(models.Model):
    """Every sign-in attempt: success, failure and its reason, source address (登录日志)."""

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")
        LOCKED = "locked", _("账号锁定")
        LOGOUT = "logout", _("退出")
        TIMEOUT = "timeout", _("超时退出")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    user = models.ForeignKey(User, verbose_name=_("用户"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    address = models.CharField(_("来源地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department=None, owner=None)

    class Meta:
        verbose_name = verbose_name_plural = _("登录日志")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.username} {self.get_result_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:loginlog_list") + f"?q={self.username}"


class ApiToken(PersonalModel):
    """A personal API token. Only its SHA-256 is stored; the value is shown once at creation."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    audit_exclude: tuple[str, ...] = ("digest", "last_used_at")

    class Meta:
        verbose_name = verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:apitoken_list")

    def get_revoke_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:apitoken_revoke", kwargs={"pk": self.pk})

    @staticmethod
    def hash(value: str) -> str:
        return hashlib.sha256(value.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str, expires_at=None) -> tuple[ApiToken, str]:
        value = "fd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=value[:8], digest=cls.hash(value),
                                   expires_at=expires_at)
        return token, value
