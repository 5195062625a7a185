from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ScopedModelForm
from feidi.core.forms import style_fields
from feidi.core.models import seeded_label
from feidi.lib.security_profile import POLICY_BOUNDS

from .models import ACTION_LABELS
from .models import Department
from .models import Role
from .models import SecurityPolicy
from .models import User
from .models import permission_action


class UserForm(ScopedModelForm):
    """Account data (系统管理员). Roles are granted separately by the 安全管理员."""

    password1 = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, required=False)
    password2 = forms.CharField(label=_("确认初始密码"), widget=forms.PasswordInput, required=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "title", "email", "phone", "department", "organization", "is_active",
                  "must_change_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organization" in self.fields and self.user is not None and not self.user.organization_id:
            # an enterprise's or an institution's account names its organization: the 系统管理员,
            # who keeps every account and sees no enterprise records (三员分立), may name any
            from feidi.registry.models import Organization

            self.fields["organization"].queryset = Organization.objects.order_by("name")
        self.initial["phone"] = ""
        if self.instance.pk:
            del self.fields["password1"], self.fields["password2"]
            self.fields["username"].disabled = True
            if self.instance.phone:
                self.fields["phone"].required = False
                self.fields["phone"].widget.attrs["placeholder"] = gettext("{phone}（留空则不修改）").format(
                    phone=self.instance.phone)
        else:
            self.fields["password1"].required = self.fields["password2"].required = True
            self.fields["password1"].help_text = password_validation.password_validators_help_texts()[0]
            self.initial.setdefault("must_change_password", True)
        style_fields(self)

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value and self.instance.pk:
            return self.instance.phone
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if "password1" in self.fields and p1 and p1 != p2:
            self.add_error("password2", gettext("两次输入的密码不一致"))
        return data


class RoleAssignForm(forms.Form):
    roles = forms.ModelMultipleChoiceField(label=_("角色"), queryset=Role.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)


def editable_permissions():
    """Every permission of Feidi's own apps: what a role can be given (Django's internal models'
    permissions are never a role's business)."""
    from django.apps import apps

    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("feidi.")]
    # …nor the platform's own bookkeeping (the one-time form tokens): no one's work
    return (Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type")
            .exclude(content_type__app_label="core", content_type__model="formsubmission")
            .order_by("content_type__app_label", "content_type__model", "codename"))


class RoleForm(ScopedModelForm):
    permissions = forms.ModelMultipleChoiceField(label=_("权限"), required=False,
                                                 widget=forms.CheckboxSelectMultiple,
                                                 queryset=Permission.objects.none())

    class Meta:
        model = Role
        fields = ["name", "code", "description", "duty", "data_scope", "custom_departments", "can_view_sensitive",
                  "permissions"]
        widgets = {"custom_departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = editable_permissions()
        self.fields["custom_departments"].queryset = Department.objects.order_by("path")
        if self.instance.pk:
            self.fields["code"].disabled = True

    def permission_matrix(self):
        """Modules (the app's Chinese name) → objects → actions, each with its checkbox."""
        from django.apps import apps

        boxes = {str(b.data["value"]): b for b in self["permissions"]}
        modules: dict[str, dict] = {}
        for perm in self.fields["permissions"].queryset:
            app = perm.content_type.app_label
            model = perm.content_type.model_class()
            name = str(model._meta.verbose_name) if model else perm.content_type.model
            label = ACTION_LABELS.get(permission_action(perm)) or seeded_label(perm.name)  # custom ones: the Meta text
            module = modules.setdefault(app, {"label": str(apps.get_app_config(app).verbose_name), "objects": {}})
            module["objects"].setdefault(name, []).append((label, boxes.get(str(perm.pk))))
        return [(app, m["label"], list(m["objects"].items())) for app, m in modules.items()]


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["name", "kind", "parent", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = self.fields["parent"].queryset.order_by("path")


class SecurityPolicyForm(ScopedModelForm):
    class Meta:
        model = SecurityPolicy
        fields = ["max_failures", "lock_minutes", "idle_minutes", "password_min_length", "password_min_classes",
                  "password_max_age_days"]
        help_texts = {field: format_lazy(_("允许范围 {low}–{high}（等保2.0三级）"), low=bounds[0], high=bounds[1])
                      for field, bounds in POLICY_BOUNDS.items()}


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("用途，例如：统计报表同步"))
    expires_on = forms.DateField(label=_("过期日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_expires_on(self):
        """A token expires on a day to come (today included: it runs to the day's end), within the
        dates a record holds — never issued already expired."""
        from django.utils import timezone

        from feidi.lib.cells import plausible_date

        day = self.cleaned_data.get("expires_on")
        if day is None:
            return day
        if day < timezone.localdate():
            raise forms.ValidationError(gettext("过期日期不能早于今天"))
        try:
            return plausible_date(day)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
