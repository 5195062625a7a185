"""Sign in (password, then TOTP for the administrator duties), sign out, change password."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login
from django.contrib.auth import logout
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from feidi.core import declare
from feidi.core.forms import style_fields

from . import actions
from .models import LoginLog
from .models import SecurityPolicy
from .models import User

SESSION_OTP_USER = "feidi_otp_user"
SESSION_OTP_NEXT = "feidi_otp_next"


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return "/"


@declare.route("login/", "login")
@method_decorator([sensitive_post_parameters("password"), csrf_protect, never_cache], name="dispatch")
class LoginView(View):
    template_name = "registration/login.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect(_safe_next(request, request.GET.get("next")))
        return render(request, self.template_name, {
            "form": LoginForm(), "next": request.GET.get("next", ""), "timeout": request.GET.get("timeout") == "1"})

    def post(self, request):
        form = LoginForm(request.POST)
        next_url = _safe_next(request, request.POST.get("next"))
        error = None
        if form.is_valid():
            username = form.cleaned_data["username"].strip()
            refused = actions.do_claim_login_attempt(request, username)
            # the password is checked even when refused: a locked account answers no faster
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if refused is not None:
                error = refused
            elif user is None:
                error = actions.do_record_login_failure(request, username, counted=True)
            elif user.is_admin_duty:
                # 三员 sign in with a second factor: the session is not authenticated until TOTP passes.
                request.session.cycle_key()
                request.session[SESSION_OTP_USER] = user.pk
                request.session[SESSION_OTP_NEXT] = next_url
                return redirect("accounts:otp")
            elif actions.do_record_login_success(request, user):
                login(request, user)
                return redirect(next_url)
            else:  # locked while the password was checked: refused, the lock kept
                error = actions.login_refusal()
        else:
            error = gettext("请输入用户名和密码")
        return render(request, self.template_name, {"form": form, "error": error, "next": next_url}, status=200)


@declare.route("login/otp/", "otp")
@method_decorator([csrf_protect, never_cache], name="dispatch")
class OtpView(View):
    """Second step for administrator duties: enrol (QR code drawn locally) or verify a TOTP code."""

    template_name = "accounts/otp.html"

    def _pending(self, request) -> User | None:
        pk = request.session.get(SESSION_OTP_USER)
        return User.objects.filter(pk=pk, is_active=True).first() if pk else None

    def _context(self, user, error=None):
        ctx = {"error": error, "enrol": not user.totp_confirmed, "qr_svg": "", "secret": ""}
        if not user.totp_confirmed:
            secret = user.totp_secret.reveal() if user.totp_secret else actions.do_start_totp_enrolment(user)
            import pyotp

            uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Feidi")
            ctx["qr_svg"] = segno.make(uri, error="m").svg_inline(scale=4)
            ctx["secret"] = secret
        return ctx

    def get(self, request):
        user = self._pending(request)
        if user is None:
            return redirect("accounts:login")
        return render(request, self.template_name, self._context(user))

    def post(self, request):
        user = self._pending(request)
        if user is None:
            return redirect("accounts:login")
        code = request.POST.get("code", "")
        if user.is_locked():
            return redirect("accounts:login")
        ok = (actions.do_confirm_totp(user, code, acting_user=user) if not user.totp_confirmed
              else actions.verify_totp(user, code))
        if not ok:
            message = actions.do_record_login_failure(request, user.username)
            return render(request, self.template_name, self._context(user, gettext("动态口令错误。{message}").format(
                message=message)))
        next_url = request.session.get(SESSION_OTP_NEXT, "/")
        if not actions.do_record_login_success(request, user):
            return redirect("accounts:login")
        user.backend = "feidi.accounts.backends.RoleBackend"
        login(request, user)
        return redirect(next_url)


@declare.route("logout/", "logout")
class LogoutView(View):
    def post(self, request):
        if request.user.is_authenticated:
            actions.log_event(request, request.user.username, LoginLog.Result.LOGOUT, user=request.user)
        logout(request)
        return redirect("accounts:login")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput)
    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["new_password1"].help_text = password_validation.password_validators_help_texts()[0]

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise ValidationError(gettext("当前密码不正确"))
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", gettext("两次输入的新密码不一致"))
        if p1 and data.get("old_password") and p1 == data.get("old_password"):
            self.add_error("new_password1", gettext("新密码不能与当前密码相同"))
        if p1 and not self.errors:
            try:
                password_validation.validate_password(p1, self.user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


@declare.route("password/", "password_change")
@method_decorator([login_required, sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class PasswordChangeView(View):
    template_name = "accounts/password_change.html"

    def _render(self, request, form):
        policy = SecurityPolicy.current()
        expired = request.user.must_change_password or request.user.password_expired(policy)
        return render(request, self.template_name, {
            "form": form, "expired": expired, "title": gettext("修改密码"),
            "policy_text": password_validation.password_validators_help_texts()[0]})

    def get(self, request):
        return self._render(request, PasswordChangeForm(request.user))

    def post(self, request):
        from django.contrib.auth import update_session_auth_hash

        form = PasswordChangeForm(request.user, request.POST)
        valid = form.is_valid()
        if "old_password" in form.errors and request.POST.get("old_password"):
            # a wrong current password counts toward the lock as at the sign-in page: a session left
            # open must not let anyone guess the password without limit
            actions.do_record_login_failure(request, request.user.username)
            request.user.refresh_from_db(fields=["locked_until", "failed_logins"])
            if request.user.is_locked():
                logout(request)
                return redirect("accounts:login")
        if valid:
            revoked = actions.do_change_password(request.user, form.cleaned_data["new_password1"], acting_user=request.user)
            update_session_auth_hash(request, request.user)
            messages.success(request, gettext("密码已修改") if not revoked else gettext(
                "密码已修改；原有的{n}个 API 令牌已吊销，需要时请重新签发").format(n=revoked))
            return redirect("home")
        return self._render(request, form)
