"""Session rules of the security policy: idle timeout and forced password change."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

SESSION_LAST_SEEN = "feidi_last_seen"
# The last activity is written to the session at most this often: a write (an UPDATE and a commit)
# on every request costs every page; a session may so end up to this much early, never late.
LAST_SEEN_STEP = 60

# Paths a signed-in user may reach while a password change is still due.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from .actions import log_event
            from .models import LoginLog
            from .models import SecurityPolicy

            policy = SecurityPolicy.current()
            request.security_policy = policy
            now = time.time()
            last = request.session.get(SESSION_LAST_SEEN)
            if last is not None and now - last > policy.idle_minutes * 60:
                log_event(request, user.username, LoginLog.Result.TIMEOUT, user=user,
                          reason=f"空闲超过{policy.idle_minutes}分钟")
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                # back to the page as it was asked for, its query string too, encoded as one value
                return redirect(f"{reverse('accounts:login')}?{urlencode({'timeout': 1, 'next': request.get_full_path()})}")
            if last is None or now - last >= LAST_SEEN_STEP:
                request.session[SESSION_LAST_SEEN] = now
            # the API answers such a user with a JSON 401 itself (core.api.refuse_if_barred)
            if not request.path.startswith((*OPEN_PREFIXES, "/api/")):
                if user.must_change_password or user.password_expired(policy):
                    return redirect(f"{reverse('accounts:password_change')}?expired=1")
        return self.get_response(request)
