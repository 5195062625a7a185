from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission

from feidi.core.forms import ScopedModelForm, style_fields

from .models import Department, Role, SecurityPolicy, User


class UserForm(ScopedModelForm):
    """Account data (系统管理员). Roles are granted separately by the 安全管理员."""

    password1 = forms.CharField(label="初始密码", widget=forms.PasswordInput, required=False)
    password2 = forms.CharField(label="确认初始密码", widget=forms.PasswordInput, required=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "department", "organization", "is_active",
                  "must_change_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["phone"] = ""
        if self.instance.pk:
            del self.fields["password1"], self.fields["password2"]
            self.fields["username"].disabled = True
            if self.instance.phone:
                self.fields["phone"].required = False
                self.fields["phone"].widget.attrs["placeholder"] = f"{self.instance.phone}（留空则不修改）"
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
            self.add_error("password2", "两次输入的密码不一致")
        return data


class RoleAssignForm(forms.Form):
    roles = forms.ModelMultipleChoiceField(label="角色", queryset=Role.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)


class RoleForm(ScopedModelForm):
    permissions = forms.ModelMultipleChoiceField(
        label="权限", required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Permission.objects.filter(content_type__app_label__in=["accounts", "core", "registry"])
        .select_related("content_type").order_by("content_type__app_label", "content_type__model", "codename"))

    class Meta:
        model = Role
        fields = ["name", "code", "description", "duty", "data_scope", "custom_departments", "can_view_sensitive",
                  "permissions"]
        widgets = {"custom_departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custom_departments"].queryset = Department.objects.order_by("path")
        if self.instance.pk:
            self.fields["code"].disabled = True

    def permission_matrix(self):
        """Rows of (model name, [(action, checkbox)…]) for a readable grid."""
        boxes = {str(b.data["value"]): b for b in self["permissions"]}
        rows = {}
        for perm in self.fields["permissions"].queryset:
            model = perm.content_type.model_class()
            name = model._meta.verbose_name if model else perm.content_type.model
            action = perm.codename.split("_", 1)[0]
            label = {"view": "查看", "add": "新增", "change": "修改", "delete": "删除"}.get(action, perm.name)
            rows.setdefault((perm.content_type.app_label, str(name)), []).append((label, boxes.get(str(perm.pk))))
        return [(app, name, cells) for (app, name), cells in rows.items()]


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
        help_texts = {
            "max_failures": "等保三级建议：连续失败5次锁定",
            "lock_minutes": "建议不少于30分钟",
            "idle_minutes": "建议不超过30分钟",
            "password_min_length": "不少于8位，默认10位",
            "password_min_classes": "大写、小写、数字、符号中至少3类",
            "password_max_age_days": "建议90天",
        }


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, help_text="用途，例如：统计报表同步")
    expires_on = forms.DateField(label="过期日期", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
