"""Password policy (等保 2.0 profile by default): length, character classes, no reuse of the username."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError

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
            errors.append(ValidationError(f"密码长度至少为{policy.password_min_length}位", code="password_too_short"))
        if character_classes(password) < policy.password_min_classes:
            errors.append(ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少{policy.password_min_classes}类",
                code="password_classes"))
        if user is not None and getattr(user, "username", "") and user.username.lower() in password.lower():
            errors.append(ValidationError("密码不能包含用户名", code="password_has_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        policy = self._policy()
        return (f"至少{policy.password_min_length}位，包含大写字母、小写字母、数字、符号中的至少"
                f"{policy.password_min_classes}类，且不含用户名")
