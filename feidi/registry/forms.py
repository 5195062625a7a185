from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ScopedModelForm
from feidi.core.forms import scoped_form

from .models import Agreement
from .models import Commitment
from .models import Organization
from .models import OrganizationLabel
from .models import Person
from .models import Residency
from .models import Zone

ZoneForm = scoped_form(Zone,
                       ["name", "short_name", "kind", "host_region", "region_code", "parent", "home_zone", "area_km2", "operator", "established_on", "department", "description"])


def holder_shown(code: str, user, *, exclude_pk=None) -> str | None:
    """Who holds the credit code ``code`` as ``user`` may be told: the holder's name when the user
    sees it, "" when the holder is outside the user's scope, None when nobody holds it."""
    clash = Organization.objects.filter(uscc=code).exclude(pk=exclude_pk).first()
    if clash is None:
        return None
    return clash.name if Organization.objects.visible_to(user).filter(pk=clash.pk).exists() else ""


def uscc_taken(code: str, name: str) -> forms.ValidationError:
    """The refusal of a credit code held already. The code is unique platform-wide, so that it is
    taken cannot be hidden; a holder outside the user's scope (another zone's registry) is not named."""
    if name:
        return forms.ValidationError(gettext("统一社会信用代码 {code} 已被“{name}”使用").format(code=code, name=name))
    return forms.ValidationError(gettext(
        "统一社会信用代码 {code} 已有单位在平台登记，但不在您的管理范围内：如需迁入本园区，请联系该单位所在园区或系统管理员").format(
        code=code))


def _normalized(to_python):
    from feidi.lib import uscc

    def clean(value):
        value = to_python(value)
        return uscc.normalize(value) if value else value
    return clean


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = ["name", "uscc", "kind", "industry_code", "zone", "region", "address", "legal_representative",
                  "registered_capital", "established_on", "land_area_mu", "employees", "description"]
        help_texts = {"industry_code": _("如 C3825（光伏设备及元器件制造）"), "registered_capital": _("单位：元")}

    def __init__(self, *args, taken: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = taken  # an import's codes already registered (code → name), looked up at once
        if "uscc" in self.fields:  # spaces, line breaks and invisible characters go before the length is judged
            self.fields["uscc"].to_python = _normalized(self.fields["uscc"].to_python)

    def clean_uscc(self):
        from feidi.lib import uscc

        code = uscc.normalize(self.cleaned_data.get("uscc", ""))
        if self.taken is not None and not self.instance.pk:
            name = self.taken.get(code)  # "" for a holder outside the user's scope
        else:
            name = holder_shown(code, self.user, exclude_pk=self.instance.pk)
        if name is not None:
            raise uscc_taken(code, name)
        return code


OrganizationLabelForm = scoped_form(OrganizationLabel, ["organization", "label", "since", "until", "note"])


class PersonForm(ScopedModelForm):
    """Phone and ID-card numbers are never sent back to the browser: left empty keeps them."""

    class Meta:
        model = Person
        fields = ["name", "kind", "organization", "title", "phone", "id_card", "email", "field", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("phone", "id_card"):
            current = getattr(self.instance, name, None)
            self.initial[name] = ""
            if self.instance.pk and current:
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = gettext("{current}（留空则不修改）").format(
                    current=current)

    def _clean_secret(self, name, validator):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return getattr(self.instance, name, "") if self.instance.pk else ""
        return validator(value)

    def clean_phone(self):
        import re

        def check(v):
            if not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", v):
                raise forms.ValidationError(gettext("手机号应为11位手机号码或带区号的固定电话"))
            return v
        return self._clean_secret("phone", check)

    def clean_id_card(self):
        from feidi.lib.idcard import InvalidIdCard
        from feidi.lib.idcard import validate

        def check(v):
            try:
                return validate(v)
            except InvalidIdCard as exc:
                raise forms.ValidationError(str(exc)) from None
        return self._clean_secret("id_card", check)


class ResidencyForm(ScopedModelForm):
    class Meta:
        model = Residency
        fields = ["organization", "enclave", "status", "negotiating_since", "confirmed_on", "entered_on", "exited_on",
                  "note"]
        widgets = {name: forms.DateInput(attrs={"type": "date"})
                   for name in ("negotiating_since", "confirmed_on", "entered_on", "exited_on")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enclave"].queryset = self.fields["enclave"].queryset.filter(kind__extra__enclave=True)
        if self.instance.pk:
            self.fields["status"].disabled = True
            # a step's day is written by the step (变更状态); a record entered at a later step gives them here
            for name in ("confirmed_on", "entered_on", "exited_on"):
                del self.fields[name]
        else:
            for name in ("confirmed_on", "entered_on", "exited_on"):
                self.fields[name].help_text = _("登记已确定入驻、已入驻或已退出的记录时填写对应日期")


class ResidencyTransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("变更为"), choices=Residency.Status.choices)
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date",
                                                                      "class": "form-control"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=300,
                           widget=forms.TextInput(attrs={"class": "form-control"}))


AgreementForm = scoped_form(Agreement,
                            ["title", "party_a", "party_b", "signed_on", "valid_until", "summary", "output_share_a", "tax_share_a"])


CommitmentForm = scoped_form(Commitment, ["agreement", "content", "owner", "due_on", "status"])
