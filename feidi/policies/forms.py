from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ScopedModelForm
from feidi.core.forms import scoped_form

from .models import Application
from .models import Condition
from .models import Policy
from .models import PolicyItem

PolicyForm = scoped_form(Policy,
                         ["title", "issuer", "number", "issued_on", "effective_from", "effective_until", "target_indicator", "active", "text"])


class PolicyItemForm(ScopedModelForm):
    class Meta:
        model = PolicyItem
        fields = ["policy", "number", "title", "mode", "period", "amount_kind", "amount_fixed", "amount_rate",
                  "amount_indicator", "amount_month", "amount_cap", "review_department", "step_days", "active",
                  "content", "materials"]
        widgets = {"materials": forms.Textarea(attrs={"rows": 4}), "content": forms.Textarea(attrs={"rows": 4})}


class ConditionForm(ScopedModelForm):
    """Kind and parameters: the office fills what the kind needs (the others are ignored)."""

    class Meta:
        model = Condition
        fields = ["item", "kind", "label", "on", "industry", "zone", "indicator", "month", "min_value", "min_growth",
                  "talent_tier", "min_count", "text", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].help_text = gettext("“其他条件”不能由平台判断，匹配结果标记为需人工核验")
        for name in ("label", "on", "industry", "zone", "indicator", "month", "min_value", "min_growth",
                     "talent_tier", "min_count", "text"):
            self.fields[name].widget.attrs["data-condition-field"] = name


class ApplicationForm(ScopedModelForm):
    """The enterprise's application: the platform's figures are filled in; it adds the amount it
    asks (by default the estimate) and, for each required material, a file, a note, or both."""

    class Meta:
        model = Application
        fields = ["amount"]

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        from feidi.lib.files import SIGNATURES
        from feidi.lib.files import validate_upload

        accept = ",".join(sorted(SIGNATURES))
        for i, name in enumerate(item.material_list() if item else []):
            self.fields[f"material_{i}"] = forms.CharField(label=name, required=False, max_length=500,
                                                           widget=forms.Textarea(attrs={"rows": 2}),
                                                           help_text=_("说明材料内容或存放位置"))
            self.fields[f"file_{i}"] = forms.FileField(
                label=gettext("{name}（文件）").format(name=name), required=False, validators=[validate_upload],
                widget=forms.ClearableFileInput(attrs={"accept": accept}),
                help_text=_("可上传 PDF、图片、Word、Excel、OFD 等文件"))
        from feidi.core.forms import style_fields

        style_fields(self)

    def clean(self):
        data = super().clean()
        for i, name in enumerate(self.item.material_list() if self.item else []):
            if not (data.get(f"material_{i}") or "").strip() and not data.get(f"file_{i}") \
                    and f"file_{i}" not in self.errors:
                self.add_error(f"material_{i}", gettext("请上传“{name}”或说明材料内容").format(name=name))
        return data

    def materials(self) -> dict:
        """Material → the note (empty where only a file is handed in)."""
        return {name: self.cleaned_data.get(f"material_{i}", "").strip()
                for i, name in enumerate(self.item.material_list())}

    def uploads(self) -> dict:
        """Material → its uploaded file."""
        return {name: self.cleaned_data[f"file_{i}"] for i, name in enumerate(self.item.material_list())
                if self.cleaned_data.get(f"file_{i}")}


class ApplicationActionForm(forms.Form):
    ACTIONS = {"advance": _("办理通过"), "return": _("退回")}
    action = forms.ChoiceField(label=_("操作"), choices=list(ACTIONS.items()))
    note = forms.CharField(label=_("办理意见"), required=False, max_length=300)
