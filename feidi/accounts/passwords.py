"""Password policy (等保 2.0 profile by default): length, character classes, no reuse of the username."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
    ("符号", set(string.punctuation + " ")),
)


def character_classes(password: str) -> int:
    chars = set(password)
    return sum(1 for _, members in CLASSES if chars & members)


class PolicyPasswordValidator:
    """Reads the current SecurityPolicy so the 安全管理员 can tighten it without a restart."""

    def _policy(self):
        from .models import SecurityPolicy

        return SecurityPolicy.current()

    def validate(self, password, user=None):
        policy = self._policy()
        errors = []
        if len(password) < policy.password_min_length:
            errors.append(ValidationError(gettext("密码长度至少为{password_min_length}位").format(
                password_min_length=policy.password_min_length), code="password_too_short"))
        if character_classes(password) < policy.password_min_classes:
            errors.append(ValidationError(
                gettext("密码须包含大写字母、小写字母、数字、符号中的至少{password_min_classes}类").format(
                    password_min_classes=policy.password_min_classes),
                code="password_classes"))
        if user is not None and getattr(user, "username", "") and user.username.lower() in password.lower():
            errors.append(ValidationError(gettext("密码不能包含用户名"), code="password_has_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        policy = self._policy()
        return (gettext("至少{password_min_length}位，包含大写字母、小写字母、数字、符号中的至少{password_min_classes}类，且不含用户名").format(password_min_length=policy.password_min_length, password_min_classes=policy.password_min_classes))
