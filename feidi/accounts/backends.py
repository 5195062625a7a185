"""Authentication against the user table with lockout; permissions come from roles only."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from .models import User


class RoleBackend(BaseBackend):
    """Checks the password. Lockout and logging live in ``accounts.actions.do_login``; here a
    locked or disabled account never authenticates."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        # the password is checked whatever the account's state: a disabled or locked account must
        # not answer faster than a wrong password (a timing oracle for which names exist)
        correct = user.check_password(password)
        if not user.is_active or user.is_locked():
            return None
        return user if correct else None

    def get_user(self, user_id):
        user = User.objects.filter(pk=user_id).select_related("department", "organization").first()
        return user if user and user.is_active else None

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.has_perm(perm, obj)
