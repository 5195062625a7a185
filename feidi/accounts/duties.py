"""三员分立: the three administrator duties, defined by the permissions only each may hold, and the
one check every path (role editor, role assignment, user creation, API, command line, demo) runs.

- 系统管理员 (system): accounts and departments, dictionaries, the working calendar, robots;
- 安全管理员 (security): role definitions, role assignment, unlocking, the security policy;
- 审计管理员 (audit): the audit trail and the login log.

No account may hold, through any combination of its roles, the permissions of two duties; a
business role carries none of them; a duty role carries only its own duty's (and views shared
with the others), no business permission; no administrator changes a role it holds or its own roles.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DUTY_LABELS = {"system": _("系统管理员"), "security": _("安全管理员"), "audit": _("审计管理员")}


def _duties(duties) -> str:
    return gettext("、").join(str(DUTY_LABELS[d]) for d in sorted(duties))

# The permissions that make a duty: holding one of them is exercising that duty.
DUTY_PERMISSIONS = {
    "system": {
        "accounts.add_user", "accounts.change_user", "accounts.delete_user",
        "accounts.add_department", "accounts.change_department", "accounts.delete_department",
        "core.add_dictitem", "core.change_dictitem", "core.delete_dictitem",
        "core.add_calendarday", "core.change_calendarday", "core.delete_calendarday",
        "core.add_calendaryear", "core.change_calendaryear", "core.delete_calendaryear",
        "core.add_webhookendpoint", "core.change_webhookendpoint", "core.delete_webhookendpoint",
    },
    "security": {
        "accounts.add_role", "accounts.change_role", "accounts.delete_role", "accounts.assign_roles",
        "accounts.unlock_user", "accounts.change_securitypolicy",
    },
    "audit": {"core.view_auditrecord", "core.verify_auditrecord", "accounts.view_loginlog"},
}
# Administrative reading any duty may need (whom roles are assigned to, which roles exist …).
ADMIN_VIEWS = {"accounts.view_user", "accounts.view_role", "accounts.view_department", "accounts.view_securitypolicy",
               "core.view_dicttype", "core.view_dictitem", "core.view_calendarday", "core.view_calendaryear",
               "core.view_webhookendpoint", "core.view_delivery"}
ADMIN_APPS = {"accounts", "core", "auth", "contenttypes", "sessions"}
# Administrative reading no business role carries: accounts with their personal fields, role
# definitions, the security policy, robots' webhook addresses (their keys are in them).
ADMIN_ONLY_VIEWS = {"accounts.view_user", "accounts.view_role", "accounts.view_securitypolicy",
                    "core.view_webhookendpoint"}
# What no role carries at all: the trail and the login log are written by the platform alone and
# never edited or deleted (the chain of hashes proves it; no page uses these permissions).
NEVER_GRANTED = {"core.add_auditrecord", "core.change_auditrecord", "core.delete_auditrecord",
                 "core.add_audithead", "core.change_audithead", "core.delete_audithead",
                 "accounts.add_loginlog", "accounts.change_loginlog", "accounts.delete_loginlog"}


def duties_of(names) -> set[str]:
    names = set(names)
    return {duty for duty, perms in DUTY_PERMISSIONS.items() if names & perms}


def names_of(permissions) -> set[str]:
    out = set()
    for p in permissions:
        out.add(p if isinstance(p, str) else f"{p.content_type.app_label}.{p.codename}")
    return out


def _check_views(permissions, names: set[str]) -> None:
    """A business role that may act on a kind of record (add, change, handle, resolve …) may see it:
    every page and list its work goes through reads the record through its view permission. Without
    it the work stranded: a 挂点干部 role stripped of 查看企业诉求 kept its appeals, and could open none."""
    from django.contrib.auth.models import Permission

    from .models import permission_label

    missing = {}
    for perm in permissions:
        if isinstance(perm, str):
            app_label, __, codename = perm.partition(".")
            perm = Permission.objects.select_related("content_type").filter(
                content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                continue
        model = perm.content_type.model_class()
        if model is None:
            continue
        view = f"{perm.content_type.app_label}.view_{model._meta.model_name}"
        if perm.codename != f"view_{model._meta.model_name}" and view not in names:
            missing.setdefault(view, []).append(f"{perm.content_type.app_label}.{perm.codename}")
    if missing:
        raise ValidationError({"permissions": gettext("有办理权限须同时有查看权限：{pairs}").format(
            pairs=gettext("；").join(gettext("{acts}须有“{view}”").format(
                acts=gettext("、").join(permission_label(a) for a in sorted(acts)), view=permission_label(view))
                for view, acts in sorted(missing.items())))})


def check_role(role, permissions) -> None:
    """A role's own permissions: one duty at most, matching the role's declared duty; a duty role
    sees all (数据范围 全部): narrowed, the auditor's trail and login log, the system
    administrator's accounts would show nothing — another way for one administrator to switch
    off another."""
    from feidi.core.scope import DataScope

    if role.duty and role.data_scope != DataScope.ALL:
        raise ValidationError({"data_scope": gettext("{duty}角色的数据范围须为“全部”：缩小后该职责将看不到应管理或审计的记录").format(
            duty=DUTY_LABELS[role.duty])})
    names = names_of(permissions)
    never = sorted(names & NEVER_GRANTED)
    if never:
        raise ValidationError({"permissions": gettext("审计记录与登录日志只由平台写入，任何角色都不能有这些权限：{names}").format(
            names=gettext("、").join(never))})
    if not role.duty and names & ADMIN_ONLY_VIEWS:
        raise ValidationError({"permissions": gettext("业务角色不能查看管理员的数据：{names}").format(
            names=gettext("、").join(sorted(names & ADMIN_ONLY_VIEWS)))})
    duties = duties_of(names)
    if len(duties) > 1:
        raise ValidationError({"permissions": gettext("三员分立：一个角色不能同时包含{duties}的权限").format(
            duties=_duties(duties))})
    if not role.duty and duties:
        duty = next(iter(duties))
        raise ValidationError({"permissions": gettext("业务角色不能包含{duty}职责的权限：{names}").format(
            duty=DUTY_LABELS[duty], names=gettext("、").join(sorted(names & DUTY_PERMISSIONS[duty])))})
    if not role.duty:
        _check_views(permissions, names)
    if role.duty:
        other = duties - {role.duty}
        if other:
            raise ValidationError({"permissions": gettext("{duty}角色不能包含{other}职责的权限").format(
                duty=DUTY_LABELS[role.duty], other=DUTY_LABELS[next(iter(other))])})
        business = sorted(n for n in names if n.split(".")[0] not in ADMIN_APPS)
        if business:
            raise ValidationError({"permissions": gettext("管理员职责角色不能包含业务数据权限：{names}").format(
                names=gettext("、").join(business[:5]))})


def check_account(roles_and_permissions: list[tuple[object, set[str]]]) -> None:
    """An account's roles together: declared duties and the duties their permissions exercise."""
    declared = {r.duty for r, _ in roles_and_permissions if r.duty}
    exercised = duties_of(set().union(*[p for _, p in roles_and_permissions]) if roles_and_permissions else set())
    duties = declared | exercised
    if len(duties) > 1:
        raise ValidationError({"roles": gettext(
            "三员分立：系统管理员、安全管理员、审计管理员的职责不能由同一账号兼任（{duties}）").format(duties=_duties(duties))})
    if declared and any(not r.duty for r, _ in roles_and_permissions):
        raise ValidationError({"roles": gettext("管理员账号不能同时拥有业务角色")})


def role_permissions(role) -> set[str]:
    return names_of(role.permissions.select_related("content_type"))


def _views_needed(perms: set[str]) -> set[str]:
    """The views a duty's permissions are exercised through: a record's list and form for each
    model it adds, changes or deletes; the accounts for assigning roles and unlocking."""
    out = set()
    for name in perms:
        app, codename = name.split(".", 1)
        verb, _, model = codename.partition("_")
        if verb in ("add", "change", "delete"):
            out.add(f"{app}.view_{model}")
    if perms & {"accounts.assign_roles", "accounts.unlock_user"}:
        out.add("accounts.view_user")
    if "accounts.assign_roles" in perms:
        out.add("accounts.view_role")
    if "core.change_webhookendpoint" in perms:  # a robot's deliveries are how its administrator sees it works
        out.add("core.view_delivery")
    return out


# The views each duty works through: taken from a duty's own role, its permissions would reach nothing
# (the system administrator holding 新增账号 without 查看账号 opens no account) — as good as taken.
DUTY_VIEWS = {duty: _views_needed(perms) for duty, perms in DUTY_PERMISSIONS.items()}


def duties_held() -> set[str]:
    """The duties' permissions some active account holds now (through its roles), and — as
    ``duty:permission`` — the views each duty works through that an active account of that duty
    holds through the duty's roles."""
    from django.contrib.auth.models import Permission

    from .models import Role

    roles = Role.objects.filter(users__is_active=True).distinct()
    perms = Permission.objects.filter(pk__in=Role.permissions.through.objects.filter(role__in=roles).values("permission"))
    held = names_of(perms.select_related("content_type")) & set().union(*DUTY_PERMISSIONS.values())
    links = Role.permissions.through.objects.filter(role__in=roles.exclude(duty="")).select_related(
        "role", "permission__content_type")
    for link in links:
        name = f"{link.permission.content_type.app_label}.{link.permission.codename}"
        if name in DUTY_VIEWS.get(link.role.duty, ()):
            held.add(f"{link.role.duty}:{name}")
    return held


def check_duties_kept(before: set[str]) -> None:
    """三员分立 needs all three, whole: a change (disabling an account, taking its roles, editing a
    duty's role) that would leave a duty's permission held before by no active account is refused —
    else one administrator could switch off another (the auditor above all, who alone reads the
    trail) by taking the one permission that matters and leaving the rest. Run inside the change's
    transaction, after it, with ``duties_held()`` from before it."""
    lost = before - duties_held()
    views = sorted(name for name in lost if ":" in name)
    lost = {name for name in lost if ":" not in name}
    if views:
        duty, _, _ = views[0].partition(":")
        raise ValidationError(gettext(
            "三员分立：{duty}履职所需的查看权限（{names}）须至少由一个有效的{duty}账号持有，此操作会使该职责无法履行").format(
                duty=DUTY_LABELS[duty], names=gettext("、").join(v.partition(":")[2] for v in views
                                                             if v.startswith(duty + ":"))))
    if lost:
        raise ValidationError(gettext(
            "三员分立：{duties}的职责权限（{names}）须至少由一个有效账号持有，此操作会使其无人持有。请先为其他账号分配该职责").format(
            duties=_duties(duties_of(lost)), names=gettext("、").join(sorted(lost))))
