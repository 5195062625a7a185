from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ColleagueChoicesMixin
from feidi.core.forms import ScopedModelForm
from feidi.core.forms import StyledFormMixin
from feidi.core.forms import scoped_form
from feidi.core.forms import style_fields

from .models import Indicator

IndicatorForm = scoped_form(Indicator,
                            ["code", "name", "unit", "kind", "aggregation", "above_scale_only", "required", "warn_ratio", "order", "active", "description"])


class MonthReportForm(StyledFormMixin, forms.Form):
    """One enterprise's month: a field per active indicator (amounts as typed, checked by the action)."""

    period = forms.CharField(label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}))
    confirm = forms.BooleanField(label=_("已核实，确认保存上述波动较大的数值"), required=False)

    def __init__(self, *args, indicators=(), previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        previous = previous or {}
        self.indicators = list(indicators)
        for i in self.indicators:
            last = previous.get(i.pk)
            hint = ((gettext("上月累计：{value:,f}") if i.cumulative else gettext("上月：{value:,f}")).format(
                value=last.normalize()) if last is not None else gettext("上月未报"))
            self.fields[f"v_{i.code}"] = forms.CharField(
                label=str(i), required=False, help_text=gettext("{kind}；{hint}").format(
                    kind=i.get_kind_display(), hint=hint),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        style_fields(self)

    def clean_period(self):

        from .engine import month_param

        month = month_param(self.cleaned_data["period"])
        if month is None:
            raise forms.ValidationError(gettext("月份格式应为 2026-03"))
        return month


class MuRuleForm(ColleagueChoicesMixin, ScopedModelForm):
    zone_department_fields = ("department",)

    class Meta:
        from .models import MuRule

        model = MuRule
        fields = ["department", "year", "land_threshold", "w_tax", "w_output", "w_energy", "w_rd", "w_labour",
                  "b_tax", "b_output", "b_energy", "b_rd", "b_labour", "cap", "a_min", "b_min", "c_min"]


class RankingRuleForm(ColleagueChoicesMixin, ScopedModelForm):
    zone_department_fields = ("department",)

    class Meta:
        from .models import RankingRule

        model = RankingRule
        fields = ["department", "name", "subject", "w_signings", "w_amount", "w_starts", "w_completion", "w_overdue",
                  "w_on_time", "w_satisfaction", "bottom_count"]


class ZoneFigureForm(ScopedModelForm):
    class Meta:
        from .models import ZoneFigure

        model = ZoneFigure
        fields = ["zone", "indicator", "period", "value", "growth", "real_growth", "deflator", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from feidi.registry.models import Zone

        # other provinces' and cities' zones are compared too: any registered zone may be chosen
        self.fields["zone"].queryset = Zone.objects.filter(home_zone__isnull=True).order_by("name")
        self.fields["period"].help_text = gettext("填该月任意一天")


class RegionFigureForm(ScopedModelForm):
    class Meta:
        from .models import RegionFigure

        model = RegionFigure
        fields = ["level", "name", "region_code", "indicator", "period", "value", "growth", "real_growth", "deflator",
                  "source"]
        widgets = {"period": forms.DateInput(attrs={"type": "date"})}


class BenefitShareForm(ColleagueChoicesMixin, ScopedModelForm):
    zone_department_fields = ("department",)

    class Meta:
        from .models import BenefitShare

        model = BenefitShare
        fields = ["agreement", "organization", "home_zone", "enclave_zone", "output_share_home", "tax_share_home",
                  "since", "until", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["output_share_home"].help_text = gettext("留空时按协议约定（甲方比例）")
        self.fields["output_share_home"].required = self.fields["tax_share_home"].required = False

    def clean(self):
        data = super().clean()
        agreement = data.get("agreement")
        for name, source in (("output_share_home", "output_share_a"), ("tax_share_home", "tax_share_a")):
            if data.get(name) is None:
                if agreement is None or getattr(agreement, source) is None:
                    self.add_error(name, gettext("协议未约定比例，请填写"))
                else:
                    data[name] = getattr(agreement, source)
                    setattr(self.instance, name, data[name])
        return data
