"""Forms of demands, supplies and talents. An enterprise or institution user's organization is
not asked for (the action sets it); staff choose among the organizations they see. Money is
entered in 元 (shown in 万元 elsewhere); patent numbers are checked by the model's validator, each
bad number with its own Chinese error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.chains.models import Chain
from feidi.chains.models import Segment
from feidi.core.forms import ScopedModelForm
from feidi.core.forms import StyledFormMixin
from feidi.core.forms import scoped_form
from feidi.core.forms import style_fields
from feidi.registry.models import Organization

from .actions import SUPPLY_KINDS
from .models import Demand
from .models import Supply
from .models import Talent
from .models import ThesaurusEntry


def _org_chain_filter(user) -> dict:
    """The chains an enterprise or institution user may pick from: an enterprise those of its
    zone's administration, an institution (in the partner region) every chain of the city."""
    org = getattr(user, "organization", None)
    if org is not None and org.zone_id and org.zone.department_id:
        return {"department_id": org.zone.department_id}
    return {}


def chain_choices(user):
    """Chains are staff records; an organization's user picks among them without seeing their rows."""
    if user is not None and user.organization_id:
        return Chain.objects.filter(**_org_chain_filter(user)).order_by("order", "name")
    return Chain.objects.visible_to(user).order_by("order", "name")


def segment_choices(user):
    if user is not None and user.organization_id:
        qs = Segment.objects.filter(**{f"chain__{k}": v for k, v in _org_chain_filter(user).items()})
    else:
        qs = Segment.objects.visible_to(user)
    return qs.select_related("chain").order_by("chain__order", "chain__name", "order", "pk")


class SegmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.chain.name} · {obj.name}"


def money_widget():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal",
                                    "placeholder": gettext("单位：元")})


class MarketForm(ScopedModelForm):
    """Shared by demands and supplies: organization only for staff, the segment labelled with its chain."""

    money_fields: tuple[str, ...] = ()
    organization_kinds: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        if user is not None and user.organization_id:
            self.fields.pop("organization", None)
        elif "organization" in self.fields:
            self.fields["organization"].queryset = (Organization.objects.visible_to(user)
                                                    .filter(kind__in=self.organization_kinds).order_by("name"))
            self.fields["organization"].empty_label = gettext("请选择")
        if "segment" in self.fields:
            old = self.fields["segment"]
            self.fields["segment"] = SegmentChoiceField(
                queryset=segment_choices(user), required=False, label=old.label,
                help_text=gettext("用于按产业链匹配与统计"),
                widget=forms.Select(attrs={"class": "form-select"}), empty_label=gettext("（不限）"))
        if "field" in self.fields:
            self.fields["field"].empty_label = gettext("请选择")
        self.fields["keywords"].widget.attrs.setdefault("placeholder", gettext("如：钙钛矿 叠层 封装"))
        for name in self.money_fields:
            field = self.fields[name]
            field.widget = money_widget()
            field.widget.attrs["class"] = "form-control"
            field.label = str(field.label).replace("（元）", "").replace(gettext("（元）"), "")
            field.help_text = gettext("单位：元（列表与统计中以万元显示）")


DemandForm = scoped_form(Demand,
                         ["organization", "title", "description", "keywords", "field", "segment", "kind", "budget", "deadline"],
                         base=MarketForm, money_fields=("budget",),
                         organization_kinds=(Organization.Kind.ENTERPRISE,))


class SupplyForm(MarketForm):
    money_fields = ("asking_price",)
    organization_kinds = SUPPLY_KINDS

    class Meta:
        model = Supply
        fields = ["organization", "title", "description", "keywords", "field", "segment", "patents", "maturity",
                  "transfer_mode", "asking_price"]
        widgets = {"patents": forms.Textarea(attrs={"placeholder": _("每行一个，如 ZL202310123456.7")})}

    def clean_patents(self):
        # A browser sends CRLF: one number per line, without the CR in the error messages.
        return "\n".join(line.strip() for line in self.cleaned_data["patents"].splitlines() if line.strip())


class TalentForm(ScopedModelForm):
    class Meta:
        model = Talent
        fields = ["person", "field", "tier", "title", "degree", "employer", "enclave", "how", "introduced_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = self.fields["person"].queryset.order_by("name")
        self.fields["enclave"].queryset = self.fields["enclave"].queryset.filter(
            kind__extra__enclave=True).order_by("name")
        self.fields["employer"].queryset = self.fields["employer"].queryset.order_by("name")


class ThesaurusEntryForm(ScopedModelForm):
    class Meta:
        model = ThesaurusEntry
        fields = ["term", "equivalents", "broader", "related", "chain", "weight", "active"]
        widgets = {"equivalents": forms.Textarea(attrs={"rows": 2}), "related": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        """A term is one entry per chain however it is cased or written (PV, pv, ｐｖ): the engine
        reads them alike, so a second entry would only split the term's equivalents."""
        from feidi.lib.cells import fold

        data = super().clean()
        term = data.get("term")
        if term:
            key = fold(term).strip().casefold()
            others = ThesaurusEntry.objects.filter(chain=data.get("chain")).exclude(pk=self.instance.pk)
            clash = next((t for t in others.filter(term__iexact=term.strip()).values_list("term", flat=True)
                          if fold(t).strip().casefold() == key), None)
            if clash is None and key != term.strip().casefold():  # a full-width spelling: compare folded
                clash = next((t for t in others.values_list("term", flat=True) if fold(t).strip().casefold() == key),
                             None)
            if clash is not None and clash != term:
                self.add_error("term", gettext("本产业链已有术语“{clash}”（大小写或全半角不同视为同一术语），请编辑该条目").format(
                    clash=clash))
        return data


class ThesaurusTryForm(StyledFormMixin, forms.Form):
    """领域词表 › 试查: a text to expand, and which side it is searched against."""

    text = forms.CharField(label=_("试查文字"), max_length=500, strip=True,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("如一条需求的标题或关键词：背板发黄开裂、SHJ 电池"),
                           error_messages={"required": _("请输入要试查的文字"),
                                           "max_length": _("试查文字不超过 %(limit_value)d 字")})
    kind = forms.ChoiceField(label=_("查找"), choices=[("supply", _("科技成果")), ("demand", _("技术需求"))],
                             initial="supply", error_messages={"invalid_choice": _("请选择查找科技成果或技术需求")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
