"""工作日历 pages: the years known (chinesecalendar's and those entered here), entering a year's
schedule by form, .xlsx or the notice's text, the confirmation with the whole year's calendar."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature
from django.core.signing import Signer
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from feidi.lib.workdays import KNOWN_YEARS

from . import declare
from . import holidays
from .calendar import current_calendar
from .calendar import missing_next_year
from .forms import StyledFormMixin
from .models import CalendarYear
from .views import ObjectDetailView
from .views import ScopedViewMixin

SIGNER = Signer(salt="feidi.calendar.draft")
ZERO_DAYS = (_("期限为0个工作日的事项：在工作日受理的，当日24时前办结；在休息日或节假日受理的，"
             "顺延至下一个工作日24时前办结。"))


@declare.route("calendar/years/", "calendaryear_list")
class CalendarYearListView(ScopedViewMixin, TemplateView):
    """The years whose schedule is known, where each comes from, and next year's status."""

    model = CalendarYear
    template_name = "core/calendaryear_list.html"
    title = _("年度节假日安排")

    def get(self, request, *args, **kwargs):
        entered = {y.year: y for y in CalendarYear.objects.select_related("entered_by")}
        this_year = timezone.localdate().year
        years = []
        for year in sorted(set(range(max(KNOWN_YEARS[0], this_year - 3), this_year + 2)) | set(entered), reverse=True):
            row = {"year": year, "entered": entered.get(year)}
            row["missing"] = year not in entered and not KNOWN_YEARS[0] <= year <= KNOWN_YEARS[1]
            row["status"] = (gettext("已录入") if year in entered else gettext("内置（chinesecalendar）")
                             if KNOWN_YEARS[0] <= year <= KNOWN_YEARS[1] else gettext("未录入"))
            years.append(row)
        return self.render_to_response(self.get_context_data(
            title=self.title, years=years, missing=missing_next_year(),
            can_enter=request.user.has_perm("core.add_calendaryear"), zero_days=ZERO_DAYS,
            next_year=this_year + 1))


@declare.route("calendar/years/<int:pk>/", "calendaryear_detail")
class CalendarYearDetailView(ObjectDetailView):
    model = CalendarYear
    template_name = "core/calendaryear_detail.html"

    def get_extra_context(self, year):
        return {
            "grids": holidays.month_grids(year.schedule()),
            "zero_days": ZERO_DAYS,
            "enter_url": (reverse("core:calendaryear_enter") + f"?year={year.year}"
                          if self.request.user.has_perm("core.change_calendaryear") else None),
        }


class PeriodsForm(StyledFormMixin, forms.Form):
    """One row per holiday of the notice (元旦 … 国庆节, with room for a combined or extra one), the
    make-up workdays one per line."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    workdays = forms.CharField(label=_("调休上班日"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("每行一个日期，可在日期后写节日名称，如：2027-02-06 春节"))

    ROWS = 9

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(self.ROWS):
            name = holidays.STANDARD_HOLIDAYS[i] if i < len(holidays.STANDARD_HOLIDAYS) else ""
            self.fields[f"name_{i}"] = forms.CharField(label=gettext("节日"), required=False, initial=name,
                                                       max_length=20)
            self.fields[f"first_{i}"] = forms.DateField(label=gettext("放假开始"), required=False,
                                                        widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"last_{i}"] = forms.DateField(label=gettext("放假结束"), required=False,
                                                       widget=forms.DateInput(attrs={"type": "date"}))
        from .forms import style_fields

        style_fields(self)

    def rows(self):
        return [(self[f"name_{i}"], self[f"first_{i}"], self[f"last_{i}"]) for i in range(self.ROWS)]

    def clean(self):
        data = super().clean()
        for i in range(self.ROWS):
            first, last = data.get(f"first_{i}"), data.get(f"last_{i}")
            if last and not first:
                self.add_error(f"first_{i}", gettext("请填写放假开始日期"))
            # a name refused already (too long) has its own error: not also 请填写
            if first and not (data.get(f"name_{i}") or "").strip() and f"name_{i}" not in self.errors:
                self.add_error(f"name_{i}", gettext("请填写节日名称"))
        found = []
        for n, line in enumerate((data.get("workdays") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            text, _, name = line.partition(" ")
            try:
                found.append((name.strip() or "调休", dt.date.fromisoformat(text.replace("/", "-"))))
            except ValueError:
                self.add_error("workdays", gettext("第{n}行“{value}”不是日期（应为 2027-02-06）").format(
                    n=n, value=line[:50]))
        data["workday_list"] = found
        return data

    def draft(self) -> holidays.Draft:
        data = self.cleaned_data
        rows = [(data[f"name_{i}"].strip(), "放假", data[f"first_{i}"], data[f"last_{i}"])
                for i in range(self.ROWS) if data.get(f"first_{i}")]
        rows += [(name, "上班", d, None) for name, d in data["workday_list"]]
        return holidays.from_rows(rows, data["year"])


class NoticeForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    text = forms.CharField(label=_("通知原文"), widget=forms.Textarea(attrs={"rows": 14}), max_length=20000,
                           help_text=_("粘贴《国务院办公厅关于××××年部分节假日安排的通知》正文（自“一、元旦”起）"))


class XlsxForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_(".xlsx 文件"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise ValidationError(gettext("文件不能超过 2 MB"))
        return upload


MODES = {"form": (_("表单录入"), PeriodsForm), "xlsx": (_("Excel导入"), XlsxForm), "notice": (_("粘贴通知原文"),
                                                                                        NoticeForm)}


@declare.route("calendar/years/enter/", "calendaryear_enter")
class CalendarYearEnterView(ScopedViewMixin, TemplateView):
    """Enter a year: the chosen way in → the whole year shown for confirmation → saved."""

    model = CalendarYear
    permission_action = "add"
    template_name = "core/calendaryear_enter.html"
    title = _("录入年度节假日安排")

    def mode(self) -> str:
        mode = self.request.GET.get("mode") or self.request.POST.get("mode") or "notice"
        return mode if mode in MODES else "notice"

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            text = request.GET.get("year") or str(timezone.localdate().year + 1)
            year = int(text) if text.strip().isdigit() and len(text.strip()) <= 4 else None
            if year is None or not 2000 <= year <= 2100:  # the bounds of the form's 年度
                messages.error(request, gettext("年度“{text}”无效：应为2000–2100之间的年份").format(text=text[:20]))
                return self.render_form(MODES[self.mode()][1](initial={"year": timezone.localdate().year + 1}))
            response = HttpResponse(holidays.template_bytes(year), content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
            response["Content-Disposition"] = f"attachment; filename=holidays-{year}.xlsx"
            return response
        year = request.GET.get("year") or timezone.localdate().year + 1
        return self.render_form(MODES[self.mode()][1](initial={"year": year}))

    def render_form(self, form, draft=None, signed=""):
        mode = self.mode()
        return self.render_to_response(self.get_context_data(
            title=self.title, form=form, mode=mode, modes=MODES, draft=draft, signed=signed,
            grids=holidays.month_grids(draft.schedule()) if draft and not draft.problems else None,
            zero_days=ZERO_DAYS))

    def post(self, request, *args, **kwargs):
        if request.POST.get("confirm"):
            return self.confirm(request)
        mode = self.mode()
        form = MODES[mode][1](request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        year = form.cleaned_data["year"]
        if mode == "form":
            draft = form.draft()
        elif mode == "xlsx":
            draft = holidays.from_xlsx(form.cleaned_data["file"].read(), year)
        else:
            draft = holidays.from_notice(form.cleaned_data["text"], year)
        payload = {"draft": draft.as_data(), "source": mode,
                   "notice": form.cleaned_data.get("text", "") if mode == "notice" else ""}
        signed = SIGNER.sign(json.dumps(payload, ensure_ascii=False)) if not draft.problems else ""
        return self.render_form(form, draft, signed)

    def confirm(self, request):
        try:
            payload = json.loads(SIGNER.unsign(request.POST.get("signed", "")))
        except (BadSignature, ValueError):
            messages.error(request, gettext("确认数据无效或已被修改，请重新录入"))
            return HttpResponseRedirect(reverse("core:calendaryear_enter"))
        try:
            draft = holidays.Draft.from_data(payload["draft"])
            year = holidays.do_save_calendar_year(draft, source=payload["source"], notice=payload["notice"],
                                                  acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return HttpResponseRedirect(reverse("core:calendaryear_enter"))
        known = current_calendar().knows(year.year)
        messages.success(request, gettext("已保存{year}年节假日安排").format(
            year=year.year) + ("" if known else gettext("（缓存刷新中）")))
        return HttpResponseRedirect(year.get_absolute_url())
