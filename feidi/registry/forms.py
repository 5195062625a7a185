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
            name = self.taken.get(code)
        else:
            clash = Organization.objects.filter(uscc=code).exclude(pk=self.instance.pk).first()
            name = clash.name if clash is not None else None
        if name is not None:
            # Name the conflict even when the other organization is outside the user's scope:
            # the code is unique nation-wide, so saying it is taken leaks nothing new.
            raise forms.ValidationError(gettext("统一社会信用代码 {code} 已被“{name}”使用").format(code=code, name=name))
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
        fields = ["organization", "enclave", "status", "negotiating_since", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enclave"].queryset = self.fields["enclave"].queryset.filter(kind__extra__enclave=True)
        if self.instance.pk:
            self.fields["status"].disabled = True


class ResidencyTransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("变更为"), choices=Residency.Status.choices)
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date",
                                                                      "class": "form-control"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=300,
                           widget=forms.TextInput(attrs={"class": "form-control"}))


AgreementForm = scoped_form(Agreement,
                            ["title", "party_a", "party_b", "signed_on", "valid_until", "summary", "output_share_a", "tax_share_a"])


CommitmentForm = scoped_form(Commitment, ["agreement", "content", "owner", "due_on", "status"])
