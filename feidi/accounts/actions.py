"""Writes on accounts: sign-in with lockout, users, roles (三员分立), departments, policy."""

from __future__ import annotations

import datetime as dt
import hmac
import re

import django.dispatch
import pyotp
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models import ManyToManyRel
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import audit
from feidi.core.actions import create_object
from feidi.core.actions import delete_object
from feidi.core.actions import update_object
from feidi.core.context import client_address

from .models import Department
from .models import LoginLog
from .models import Role
from .models import SecurityPolicy
from .models import User


def log_event(request, username: str, result: str, *, user=None, reason: str = "") -> LoginLog:
    return LoginLog.objects.create(
        username=username[:150], user=user, result=result, reason=reason[:200],
        address=client_address(request) if request is not None else "",
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:200],
    )


def login_refusal(policy=None) -> str:
    """The one answer every refused sign-in gives (no oracle for which names exist or are locked)."""
    policy = policy or SecurityPolicy.current()
    return gettext("用户名或密码错误，或账号已锁定（连续输错{max_failures}次锁定{lock_minutes}分钟，可联系安全管理员解锁）").format(
        max_failures=policy.max_failures, lock_minutes=policy.lock_minutes)


def do_claim_login_attempt(request, username: str) -> str | None:
    """A password attempt takes its place before the password is checked: counted as a failure
    until it proves right (``do_record_login_success`` clears the count), refused — with the one
    answer every refusal gives — while the account is locked or while the attempts in flight have
    used the policy's allowance. Attempts sent at once were all checked, as each read the count
    before any had failed: 30 guesses in parallel were 30 checks against a limit of 5, and a right
    one sent among them signed in. None when the attempt may be checked."""
    policy = SecurityPolicy.current()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None or not user.is_active:
            return None  # refused after the check, as a wrong password is (no oracle for names)
        if user.is_locked() or user.failed_logins >= policy.max_failures:
            log_event(request, username, LoginLog.Result.LOCKED, user=user, reason="账号已锁定")
            return login_refusal(policy)
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    return None


def do_record_login_failure(request, username: str, *, counted: bool = False) -> str:
    """Count a failed sign-in; lock the account at the policy's limit. The answer is the same for an
    unknown name, a wrong password, a disabled or a locked account, and says that an account locks
    — so the page tells nobody which names exist (the login log records the real reason). While an
    account is locked its password is not even checked: were the right one answered otherwise, the
    lock would stop nobody guessing, who would only wait for it to end with the password found."""
    policy = SecurityPolicy.current()
    generic = login_refusal(policy)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            log_event(request, username, LoginLog.Result.FAILURE, reason="用户不存在")
            return generic
        if user.is_locked():
            log_event(request, username, LoginLog.Result.LOCKED, user=user, reason="账号已锁定")
            return generic
        if not user.is_active:
            log_event(request, username, LoginLog.Result.FAILURE, user=user, reason="账号已停用")
            return generic
        if not counted:  # an attempt claimed beforehand (do_claim_login_attempt) is counted already
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= policy.max_failures:
            until = timezone.now() + dt.timedelta(minutes=policy.lock_minutes)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            log_event(request, username, LoginLog.Result.LOCKED, user=user,
                      reason=f"连续{policy.max_failures}次密码错误，锁定{policy.lock_minutes}分钟")
            return generic
        log_event(request, username, LoginLog.Result.FAILURE, user=user, reason="密码错误")
        return generic


def do_record_login_success(request, user: User) -> bool:
    """The sign-in, unless the account was locked while its password was being checked (by the
    attempts sent beside it): then refused, the lock kept — a right guess among many no longer
    lifts the lock the others set. True when signed in."""
    with transaction.atomic():
        current = User.objects.select_for_update().filter(pk=user.pk).first()
        if current is None or not current.is_active or current.is_locked():
            log_event(request, user.username, LoginLog.Result.LOCKED, user=user, reason="账号已锁定")
            return False
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=timezone.now())
        log_event(request, user.username, LoginLog.Result.SUCCESS, user=user)
    return True


def verify_totp(user: User, code: str) -> bool:
    """A current code (±1 time step for clock drift), each code usable once: the step it belongs
    to must be later than the last one used, claimed with a conditional update so two requests
    replaying the same code cannot both pass."""
    secret = user.totp_secret.reveal() if user.totp_secret else ""
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    current_step = totp.timecode(now)
    for offset in (0, -1, 1):
        step = current_step + offset
        if hmac.compare_digest(totp.generate_otp(step), code):
            return bool(User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step))
    return False


def do_start_totp_enrolment(user: User) -> str:
    secret = pyotp.random_base32()
    User.objects.filter(pk=user.pk).update(totp_confirmed=False)
    user.totp_secret = secret
    user.save(update_fields=["totp_secret"])
    return secret


def do_confirm_totp(user: User, code: str, *, acting_user) -> bool:
    if not verify_totp(user, code):
        return False
    with transaction.atomic():
        before = audit.snapshot(user)
        user.totp_confirmed = True
        user.save(update_fields=["totp_confirmed"])
        audit.record(audit.AuditRecord.Action.UPDATE, user, user=acting_user, before=before, after=audit.snapshot(user))
    return True


def do_change_password(user: User, new_password: str, *, acting_user) -> int:
    """A new password ends every other way in that the old one opened: the other sessions (their
    hash no longer matches) and the API tokens issued under it, each revoked and audited — whoever
    learned the old password and issued a token keeps nothing. Returns how many tokens went."""
    from .models import ApiToken

    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        audit.record(audit.AuditRecord.Action.UPDATE, user, user=acting_user,
                     before={"password": "******"}, after={"password": "****** (已修改)"})
        tokens = list(ApiToken.objects.filter(user=user))
        for token in tokens:
            do_revoke_token(token, acting_user=acting_user)
    return len(tokens)


def _check_roles(roles: list[Role]) -> None:
    """三员分立 for one account's roles (``duties.check_account``)."""
    from .duties import check_account
    from .duties import role_permissions

    check_account([(r, role_permissions(r)) for r in roles])


def _check_binding(user: User, roles: list[Role]) -> None:
    if user.organization_id and any(r.duty for r in roles):
        raise ValidationError({"roles": gettext("企业/机构用户不能担任管理员")})
    if user.organization_id and user.department_id:
        raise ValidationError({"organization": gettext("企业/机构用户不属于政府部门，请只选择所属单位")})
    if not user.organization_id and not user.department_id:
        raise ValidationError({"department": gettext("请选择所属部门（企业/机构用户请选择所属单位）")})
    _check_role_kinds(user, roles)


def _check_role_kinds(user: User, roles: list[Role]) -> None:
    """An enterprise's or institution's account holds only what the standard enterprise and
    institution roles may grant (a government role gave an enterprise user unmasked phone numbers
    of every person); a government account holds none of those two roles (its lists' 本单位 filter
    then meant nothing)."""
    from .duties import role_permissions
    from .roles import ORGANIZATION_ROLES
    from .roles import STANDARD_ROLES

    if user.organization_id:
        allowed = {n for code in ORGANIZATION_ROLES for n in STANDARD_ROLES[code][3]}
        for role in roles:
            beyond = sorted(role_permissions(role) - allowed)
            if beyond:
                raise ValidationError({"roles": gettext("企业/机构用户不能担任“{role}”：该角色含有政府部门的权限（{names}）").format(
                    role=role.name, names=gettext("、").join(beyond[:5]))})
    else:
        for role in roles:
            if role.code in ORGANIZATION_ROLES:
                raise ValidationError({"roles": gettext("政府部门人员不能担任企业/机构用户角色“{role}”").format(role=role.name)})


# A user name (登录账号) as one types it at the sign-in page: ASCII letters, digits and . _ - @ +.
# A letter of another script may look exactly like a Latin one (Cyrillic е in lеader), and its
# case folds differently in each database; a person's name goes in 姓名.
USERNAME = re.compile(r"[A-Za-z0-9.@+_-]+")


# Look-alike names (Unicode TR39's "skeleton", for the ASCII a user name may hold): two names whose
# skeletons are equal read as one name at a glance — ``Ieader`` (capital I) or ``1eader`` beside
# ``leader``, ``secadmln`` beside ``secadmin``. The skeleton folds case, then maps each group of
# characters that look alike in common sans-serif fonts to one: the strokes 1 i l (and I, folded),
# the rounds 0 o (and O), and the pairs rn → m and vv → w. The map is conservative: 5 / s, 2 / z,
# 8 / B, cl / d are told apart in the sign-in page's font and are not mapped.
CONFUSABLE_PAIRS = (("rn", "m"), ("vv", "w"))
CONFUSABLE_CHARS = str.maketrans({"1": "l", "i": "l", "|": "l", "0": "o"})


def skeleton(username: str) -> str:
    """The name as it looks: equal skeletons are names a reader may take for each other."""
    folded = username.casefold()
    for pair, single in CONFUSABLE_PAIRS:
        folded = folded.replace(pair, single)
    return folded.translate(CONFUSABLE_CHARS)


def check_username(username: str, *, exclude_pk=None) -> None:
    """The rule of every new account's name, whichever way it is created (page, API, command): a
    name that can be typed at the sign-in page and read for what it is, unique without regard to
    case (``LEADER`` beside ``leader`` is somebody else to the database, the same person to a reader)
    nor to look-alike characters (``skeleton``: ``Ieader``, ``1eader`` beside ``leader``)."""
    from django.db.models.functions import Length

    if not USERNAME.fullmatch(username or ""):
        raise ValidationError({"username": gettext(
            "用户名只能由英文字母、数字和 . _ - @ + 组成，不能含空格、汉字或其他符号（姓名请填在“姓名”中）")})
    others = User.objects.exclude(pk=exclude_pk)
    if others.filter(username__iexact=username).exists():
        raise ValidationError({"username": gettext("用户名已存在（不区分大小写）")})
    shape = skeleton(username)
    # a name of the same skeleton is at least as long as the skeleton and at most twice as long (each
    # character of it from one or two of the name's)
    candidates = others.alias(n=Length("username")).filter(n__gte=len(shape), n__lte=2 * len(shape))
    for existing in candidates.values_list("username", flat=True).iterator():
        if skeleton(existing) == shape:
            raise ValidationError({"username": gettext(
                "用户名与已有账号“{existing}”外观相近，容易混淆，请另取一个").format(existing=existing)})


def end_access(user: User, *, acting_user) -> None:
    """A disabled account's way back in is closed for good: its sessions are ended and its API
    tokens revoked, so enabling it again later does not bring a leaked session or token back."""
    from django.contrib.sessions.models import Session

    from .models import ApiToken

    key = str(user.pk)
    ended = [s.pk for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
             if s.get_decoded().get("_auth_user_id") == key]
    Session.objects.filter(pk__in=ended).delete()
    for token in ApiToken.objects.filter(user=user):
        audit.record(audit.AuditRecord.Action.DELETE, token, user=acting_user, before=audit.snapshot(token))
    ApiToken.objects.filter(user=user).delete()


def do_create_user(user: User, *, password: str | None, roles: list[Role] | None = None, acting_user) -> User:
    """Create an account. The 系统管理员 creates accounts; roles are granted by the 安全管理员
    (``do_set_user_roles``) except at bootstrap (command line, demo)."""
    check_username(user.username)
    roles = roles or []
    _check_roles(roles)
    _check_binding(user, roles)
    with transaction.atomic():
        if password:
            password_validation.validate_password(password, user)
            user.set_password(password)
            user.password_changed_at = timezone.now()
        else:
            user.set_unusable_password()
        create_object(user, acting_user=acting_user, m2m={"roles": roles} if roles else None)
    return user


# Sent inside the transaction that switches an account off, or moves it to another zone
# (``do_update_user``): the apps hand on the work it held (its open appeals, its projects), so
# nothing waits on a person who is gone — nor on one who now works for another zone (a cadre moved
# to 高铁 kept his appeals and was routed new ones).
switched_off = django.dispatch.Signal()
# Sent inside the transaction that changes an account's roles, or a role's permissions (for each
# account holding it): the apps hand on what the account's roles no longer let it do (a cadre whose
# role no longer handles appeals kept his and was routed new ones).
roles_changed = django.dispatch.Signal()


def do_update_user(user: User, *, acting_user, expected_version=None) -> User:
    _check_binding(user, list(user.roles.all()))
    from .duties import check_duties_kept
    from .duties import duties_held

    was_active, was_in = User.objects.filter(pk=user.pk).values_list("is_active", "department_id").first() or (None, None)
    with transaction.atomic():
        held = duties_held() if was_active and not user.is_active else set()
        saved = update_object(user, acting_user=acting_user, expected_version=(
            expected_version if expected_version is not None else _version_now(User, user.pk)))
        if was_active and not saved.is_active:
            check_duties_kept(held)
            end_access(saved, acting_user=acting_user)
            switched_off.send(sender=User, user=saved, acting_user=acting_user)
        elif saved.is_active and was_in and saved.department_id != was_in and \
                saved.department_id not in Department.objects.get(pk=was_in).zone_subtree_ids():
            switched_off.send(sender=User, user=saved, acting_user=acting_user)  # moved to another zone
    return saved


def _version_now(model, pk) -> int | None:
    """A record's version as stored: what a write that no form rendered (the API, a test, a repeated
    call after a refusal) is checked against."""
    return model.objects.filter(pk=pk).values_list("version", flat=True).first()


def _lock_roles(pks) -> list[Role]:
    """The roles, locked and read again: an assignment and an edit of a role it assigns are taken one
    after the other (each checks 三员分立 on what the other left), never both on what each saw before."""
    return list(Role.objects.select_for_update().filter(pk__in=sorted(pks)).order_by("pk"))


def do_set_user_roles(user: User, roles: list[Role], *, acting_user) -> User:
    """The account's roles, 三员分立 checked on the roles as they are once locked; an account that
    gains an administrator duty signs in again (its sessions are ended, its tokens revoked), since
    a duty is exercised only from a session that passed the second factor."""
    if acting_user is not None and acting_user.pk == user.pk:
        raise PermissionDenied(gettext("不能给自己分配角色"))
    from .duties import check_duties_kept
    from .duties import duties_held

    _check_binding(user, roles)
    with transaction.atomic():
        roles = _lock_roles(r.pk for r in roles)
        _check_roles(roles)
        _check_binding(user, roles)
        had_duty = User.objects.get(pk=user.pk).roles.exclude(duty="").exists()
        held = duties_held()
        # the roles are replaced whole, under the lock above: the version is the record's as it is now
        saved = update_object(user, acting_user=acting_user, m2m={"roles": roles},
                              expected_version=_version_now(User, user.pk))
        check_duties_kept(held)
        if any(r.duty for r in roles) and not had_duty:
            end_access(saved, acting_user=acting_user)
        roles_changed.send(sender=User, user=saved, acting_user=acting_user)
    return saved


def do_unlock_user(user: User, *, acting_user) -> None:
    if acting_user is not None and acting_user.pk == user.pk:  # a lock is for someone else to lift
        raise PermissionDenied(gettext("不能为自己的账号解锁，请联系其他安全管理员"))
    with transaction.atomic():
        before = audit.snapshot(user)
        User.objects.filter(pk=user.pk).update(locked_until=None, failed_logins=0)
        user.refresh_from_db()
        audit.record(audit.AuditRecord.Action.UPDATE, user, user=acting_user, before=before | {"locked": True},
                     after=audit.snapshot(user) | {"locked": False})


def do_save_role(role: Role, *, permissions=None, custom_departments=None, acting_user,
                 expected_version=None) -> Role:
    """Create or change a role. 三员分立 holds for the role itself and for every account holding it;
    no administrator changes a role it holds."""
    from .duties import check_account
    from .duties import check_duties_kept
    from .duties import check_role
    from .duties import duties_held
    from .duties import names_of
    from .duties import role_permissions

    if role.pk and acting_user is not None and acting_user.roles.filter(pk=role.pk).exists():
        raise PermissionDenied(gettext("不能修改自己所持有的角色"))
    m2m = {}
    perms = list(permissions) if permissions is not None else (
        list(role.permissions.select_related("content_type")) if role.pk else [])
    check_role(role, perms)
    if permissions is not None:
        m2m["permissions"] = perms
    if custom_departments is not None:
        m2m["custom_departments"] = list(custom_departments)
    with transaction.atomic():
        if role.pk:
            _lock_roles([role.pk])  # its holders are read after any assignment of it in flight
        held = duties_held()
        saved = update_object(role, acting_user=acting_user, m2m=m2m, expected_version=(
            expected_version if expected_version is not None else _version_now(Role, role.pk))) if role.pk else \
            create_object(role, acting_user=acting_user, m2m=m2m)
        check_duties_kept(held)
        new = names_of(perms)
        holders = list(User.objects.filter(roles=saved).prefetch_related("roles__permissions__content_type"))
        for holder in holders:
            check_account([(saved, new) if r.pk == saved.pk else (r, role_permissions(r)) for r in holder.roles.all()])
        if permissions is not None:
            for holder in holders:
                roles_changed.send(sender=User, user=holder, acting_user=acting_user)
    return saved


def do_delete_role(role: Role, *, acting_user) -> None:
    """A role still held, or still named where it restricts something (a stage gate's 审核角色: an
    empty list there lets everyone pass), is not deleted: the records naming it are listed, to be
    changed first. Deleting it would open what it closed."""
    if role.users.exists():
        raise ValidationError(gettext("仍有用户拥有该角色，不能删除"))
    named = []
    for relation in Role._meta.get_fields(include_hidden=True):  # related_name="+" relations included
        if isinstance(relation, ManyToManyRel) and relation.related_model is not User:
            rows = relation.related_model._base_manager.filter(**{relation.field.name: role})
            named += [f"{relation.related_model._meta.verbose_name}“{row}”" for row in rows[:5]]
    if named:
        raise ValidationError(gettext("该角色仍被{names}使用，请先修改这些设置再删除").format(names=gettext("、").join(named)))
    delete_object(role, acting_user=acting_user)


def _set_path(dept: Department) -> None:
    parent_path = dept.parent.path if dept.parent_id else "/"
    dept.path = f"{parent_path}{dept.pk}/"


def do_save_department(dept: Department, *, acting_user, expected_version=None) -> Department:
    """Create or move a department, keeping the materialized paths of its subtree right. A unit moved
    into another zone takes its people there: each hands on the work he held in the old zone, as a
    person moved does (``switched_off``)."""
    with transaction.atomic():
        if dept.parent_id and dept.pk and dept.parent.path.startswith(dept.path or "\x00"):
            raise ValidationError({"parent": gettext("上级部门不能是本部门或其下级部门")})
        if dept.pk is None:
            create_object(dept, acting_user=acting_user)
            _set_path(dept)
            Department.objects.filter(pk=dept.pk).update(path=dept.path)
            return dept
        old = Department.objects.get(pk=dept.pk)
        old_path, old_zone = old.path, set(old.zone_subtree_ids())
        _set_path(dept)
        update_object(dept, acting_user=acting_user, expected_version=expected_version)
        if old_path != dept.path:
            for child in Department.objects.filter(path__startswith=old_path).exclude(pk=dept.pk):
                Department.objects.filter(pk=child.pk).update(path=dept.path + child.path[len(old_path):])
            dept.refresh_from_db()
            if set(dept.zone_subtree_ids()) != old_zone:  # now of another zone (or of none)
                for person in User.objects.filter(department__path__startswith=dept.path, is_active=True):
                    switched_off.send(sender=User, user=person, acting_user=acting_user)
    return dept


def do_save_policy(policy: SecurityPolicy, *, acting_user, expected_version=None) -> SecurityPolicy:
    """Each value within the profile's range (``lib.security_profile``; the model's validators run
    in ``full_clean`` on save)."""
    with transaction.atomic():
        existing = SecurityPolicy.objects.filter(pk=1).first()
        policy.pk = 1
        if existing is None:
            return create_object(policy, acting_user=acting_user)
        return update_object(policy, acting_user=acting_user, expected_version=expected_version)


def do_issue_token(user: User, name: str, *, expires_at=None):
    """A personal API token; the value is returned once and only its hash is kept."""
    from .models import ApiToken

    if user.is_admin_duty:
        raise PermissionDenied(gettext("管理员账号不能签发 API 令牌"))
    with transaction.atomic():
        token, value = ApiToken.issue(user, name, expires_at=expires_at)
        audit.record(audit.AuditRecord.Action.CREATE, token, user=user, after=audit.snapshot(token))
    return token, value


def do_revoke_token(token, *, acting_user) -> None:
    from feidi.core.actions import delete_object

    delete_object(token, acting_user=acting_user)
