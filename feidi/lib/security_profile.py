"""The security policy's allowed ranges (等保 2.0 三级 profile), one table for the model, the form,
the API and the start-up settings: a value that would lock everyone out or switch a control off
(an idle timeout or a lock of 0) is refused with the range it must lie in."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# field: (lowest, highest, label, environment variable)
POLICY_BOUNDS: dict[str, tuple[int, int, str, str]] = {
    "max_failures": (3, 10, _("连续失败锁定次数"), "FEIDI_LOGIN_MAX_FAILURES"),
    "lock_minutes": (10, 1440, _("锁定时长（分钟）"), "FEIDI_LOGIN_LOCK_MINUTES"),
    "idle_minutes": (1, 30, _("空闲超时（分钟）"), "FEIDI_SESSION_IDLE_MINUTES"),
    "password_min_length": (8, 64, _("密码最小长度"), "FEIDI_PASSWORD_MIN_LENGTH"),
    "password_min_classes": (3, 4, _("密码字符类别数"), "FEIDI_PASSWORD_MIN_CLASSES"),
    "password_max_age_days": (1, 180, _("密码有效期（天）"), "FEIDI_PASSWORD_MAX_AGE_DAYS"),
}


def range_text(field: str):
    low, high, label, _env = POLICY_BOUNDS[field]
    return format_lazy(_("{label}应在{low}–{high}之间（等保2.0三级）"), label=label, low=low, high=high)
