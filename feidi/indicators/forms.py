from decimal import Decimal
from decimal import InvalidOperation

from django import forms
from django.utils.html import format_html
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


WAS = "__was"  # the hidden input beside a value's: the value it was rendered with


class RenderedValueInput(forms.TextInput):
    """A value's text input with, beside it, a hidden ``<name>__was`` holding the value the page
    was rendered with (``baseline``): the save can tell a value someone else changed since from
    one this person changed (``MonthReportForm.changes``)."""

    baseline: str | None = None

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if self.baseline is None:
            return html
        return html + format_html('<input type="hidden" name="{}" value="{}">', f"{name}{WAS}", self.baseline)


def _text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _said(value: Decimal | None) -> str:
    return gettext("未填") if value is None else f"{value.normalize():,f}"


class MonthReportForm(StyledFormMixin, forms.Form):
    """One enterprise's month: a field per active indicator (amounts as typed, checked by the
    action), each carrying the value it was rendered with (``RenderedValueInput``): ``stored`` is
    the month's values as stored when the form is built (indicator code → value)."""

    period = forms.CharField(label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}))
    confirm = forms.BooleanField(label=_("已核实，确认保存上述波动较大的数值"), required=False)

    def __init__(self, *args, indicators=(), previous=None, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        previous = previous or {}
        stored = stored or {}
        self.indicators = list(indicators)
        for i in self.indicators:
            last = previous.get(i.pk)
            hint = ((gettext("上月累计：{value:,f}") if i.cumulative else gettext("上月：{value:,f}")).format(
                value=last.normalize()) if last is not None else gettext("上月未报"))
            name = f"v_{i.code}"
            widget = RenderedValueInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
            # a page shown again (an error, a warning to confirm) keeps the value its form was first
            # rendered with: what this person saw before changing anything
            posted = self.data.get(f"{name}{WAS}") if self.is_bound else None
            widget.baseline = posted if posted is not None else _text(stored.get(i.code))
            self.fields[name] = forms.CharField(
                label=str(i), required=False, help_text=gettext("{kind}；{hint}").format(
                    kind=i.get_kind_display(), hint=hint), widget=widget)
        style_fields(self)

    def clean_period(self):

        from .engine import month_param

        month = month_param(self.cleaned_data["period"])
        if month is None:
            raise forms.ValidationError(gettext("月份格式应为 2026-03"))
        return month

    def baseline(self, indicator) -> tuple[bool, Decimal | None]:
        """(whether the post says it, the value) the field of ``indicator`` was rendered with; not
        said by a client posting no ``__was`` (the API's way, an old page), which then has no
        conflict to find."""
        said = self.data.get(f"v_{indicator.code}{WAS}")
        if said is None:
            return False, None
        if not said.strip():
            return True, None
        try:
            return True, Decimal(said.strip())
        except InvalidOperation:
            return False, None

    def changes(self, values: dict, stored: dict) -> tuple[dict, dict[str, str]]:
        """The values to write and the conflicts, given the posted ``values`` (indicator → value)
        and the month as stored now (code → value, read under the enterprise's lock): a value equal
        to the stored one is not written again (a blank is passed on, checked and never written); one stored otherwise since the page was rendered
        (by someone else) and posted otherwise than stored is a conflict (code → why), and then
        nothing is written — the stored value is never replaced by a page that did not show it."""
        changed, conflicts = {}, {}
        for indicator, value in values.items():
            now = stored.get(indicator.code)
            if value is not None and value == now:
                continue  # a blank is never written, and still checked (每月必报)
            said, was = self.baseline(indicator)
            if said and was != now:
                conflicts[indicator.code] = gettext(
                    "该记录已被他人修改：“{name}”您打开页面时为{was}，现为{now}（您提交的是{value}）。未保存任何数值，已显示最新值，请核对后重新填写并保存").format(
                    name=indicator.name, was=_said(was), now=_said(now), value=_said(value))
                continue
            changed[indicator] = value
        return changed, conflicts

    def show_conflicts(self, conflicts: dict[str, str], stored: dict) -> None:
        """Each conflicting field shown again with the value stored now (and rendered with it), its
        conflict said on it; the other fields keep what was posted."""
        data = self.data.copy()
        for code, why in conflicts.items():
            name = f"v_{code}"
            data[name] = data[f"{name}{WAS}"] = _text(stored.get(code))
            self.fields[name].widget.baseline = data[name]
            self.add_error(name, why)
        self.data = data


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
