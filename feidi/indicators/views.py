"""Economic monitoring pages: monthly reporting, values, import with confirmation, the zone
dashboard and the indicator analysis."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from feidi.core import audit
from feidi.core import declare
from feidi.core.actions import checked_text
from feidi.core.fields import as_id
from feidi.core.models import seeded_label
from feidi.core.scope import landing_departments
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectImportView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import ScopedViewMixin
from feidi.lib.cells import parse_number
from feidi.lib.cells import read_unit
from feidi.lib.files import file_name

from . import actions
from . import engine
from .filtersets import BenefitShareFilterSet
from .filtersets import IndicatorFilterSet
from .filtersets import IndicatorValueFilterSet
from .filtersets import MuResultFilterSet
from .filtersets import MuRuleFilterSet
from .filtersets import RankingRuleFilterSet
from .filtersets import RankingRunFilterSet
from .filtersets import RegionFigureFilterSet
from .filtersets import ZoneFigureFilterSet
from .forms import BenefitShareForm
from .forms import IndicatorForm
from .forms import MonthReportForm
from .forms import MuRuleForm
from .forms import RankingRuleForm
from .forms import RegionFigureForm
from .forms import ZoneFigureForm
from .models import BenefitShare
from .models import Indicator
from .models import IndicatorValue
from .models import MuResult
from .models import MuRule
from .models import RankingRule
from .models import RankingRun
from .models import RegionFigure
from .models import ZoneFigure
from .tables import GRADE_COLORS
from .tables import BenefitShareTable
from .tables import IndicatorTable
from .tables import IndicatorValueTable
from .tables import MuResultTable
from .tables import MuRuleTable
from .tables import RankingRuleTable
from .tables import RankingRunTable
from .tables import RegionFigureTable
from .tables import ZoneFigureTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The reported values: written through 填报 and the import, read here.
declare.model(IndicatorValue, "values", filterset=IndicatorValueFilterSet, table=IndicatorValueTable,
              select_related=("organization", "indicator"), pages=("list",))


# The menu 经济运行 puts each declared entry at its place among the hand-made ones (apps.py).
declare.model(Indicator, "definitions", form=IndicatorForm, filterset=IndicatorFilterSet, table=IndicatorTable,
              menu=declare.Entry("indicators", gettext_noop("指标定义"), position=14))


def last_month() -> dt.date:
    return engine.add_months(timezone.localdate().replace(day=1), -1)


@declare.route("report/", "report")
class MonthReportView(ScopedViewMixin, TemplateView):
    """填报: an enterprise user reports its own month; staff report for an enterprise they see."""

    model = IndicatorValue
    permission_action = "add"
    template_name = "indicators/report.html"
    title = gettext_lazy("指标填报")

    def organization(self):
        from feidi.registry.models import Organization

        user = self.request.user
        visible = Organization.objects.visible_to(user)
        if user.organization_id:
            return visible.filter(pk=user.organization_id).first()
        landing = landing_departments(IndicatorValue, user)  # an enterprise only seen is not reported for
        if landing is not None:
            visible = visible.filter(department_id__in=landing)
        raw = self.request.GET.get("org") or self.request.POST.get("org") or ""
        return visible.filter(pk=as_id(raw)).first() if as_id(raw) else None

    def period(self) -> dt.date:
        return engine.month_param(self.request.GET.get("period") or self.request.POST.get("period")) or last_month()

    @staticmethod
    def stored(org, period) -> dict[str, Decimal]:
        """The enterprise's month as stored: indicator code → value."""
        return dict(IndicatorValue.objects.filter(organization=org, period=period)
                    .values_list("indicator__code", "value")) if org else {}

    def build_form(self, org, period, data=None):
        indicators = list(Indicator.objects.filter(active=True))
        previous = dict(IndicatorValue.objects.filter(organization=org, period=engine.add_months(period, -1))
                        .values_list("indicator_id", "value")) if org else {}
        current = self.stored(org, period)
        initial = {"period": f"{period:%Y-%m}", **{f"v_{c}": f"{v.normalize():f}" for c, v in current.items()}}
        return MonthReportForm(data, initial=initial, indicators=indicators, previous=previous, stored=current)

    def page(self, form, org, period, warnings=None):
        from feidi.registry.models import Organization

        choices = []
        if not self.request.user.organization_id:
            choices = Organization.objects.visible_to(self.request.user).filter(kind="enterprise").order_by("name")[:500]
        return self.render_to_response(self.get_context_data(
            title=self.title, form=form, organization=org, period=period, warnings=warnings or {},
            choices=choices, reported=IndicatorValue.objects.filter(organization=org).values("period").order_by()
            .distinct().count() if org else 0))

    def get(self, request, *args, **kwargs):
        org, period = self.organization(), self.period()
        return self.page(self.build_form(org, period), org, period)

    def post(self, request, *args, **kwargs):
        org = self.organization()
        if org is None:
            raise Http404(gettext("请选择企业"))
        form = self.build_form(org, self.period(), request.POST)
        if not form.is_valid():
            return self.page(form, org, self.period())
        period = form.cleaned_data["period"]
        values = {}
        for i in form.indicators:
            try:
                # a unit typed with the figure must be the indicator's own ("100元" for 元, not "100亩")
                stated = read_unit(i.unit)
                values[i] = parse_number(form.cleaned_data.get(f"v_{i.code}"),
                                         measure=stated[0] if stated and stated[1] == 1 else None)
            except ValueError as exc:
                form.add_error(f"v_{i.code}", str(exc))
        if form.errors:
            return self.page(form, org, period)
        try:
            with transaction.atomic():
                # two people on one enterprise's month (the enterprise and a statistics officer): the
                # month is compared and written under the enterprise's row lock, so a page showing a
                # value someone else has changed since never writes over it (``MonthReportForm.changes``)
                list(type(org)._base_manager.select_for_update().filter(pk=org.pk).values_list("pk", flat=True))
                stored = self.stored(org, period)
                values, conflicts = form.changes(values, stored)
                if conflicts:
                    form.show_conflicts(conflicts, stored)
                    return self.page(form, org, period)
                result = actions.report_month(org, period, values, acting_user=request.user,
                                              confirm=form.cleaned_data.get("confirm", False),
                                              source=IndicatorValue.Source.ENTERPRISE if request.user.organization_id
                                              else IndicatorValue.Source.STAFF)
        except ValidationError as exc:
            for code, errors in exc.message_dict.items():
                form.add_error(f"v_{code}" if f"v_{code}" in form.fields else None, errors)
            return self.page(form, org, period)
        except PermissionDenied:
            raise
        if result.warnings and not result.saved:
            return self.page(form, org, period, warnings=result.warnings)
        messages.success(request, gettext("已保存 {name} {period:%Y年%m月} 的 {saved} 项指标").format(
            name=org.name, period=period, saved=result.saved))
        return self._saved(org, period)

    def _saved(self, org, period):
        url = reverse("indicators:report") + f"?period={period:%Y-%m}"
        return HttpResponseRedirect(url + (f"&org={org.pk}" if not self.request.user.organization_id else ""))


@declare.route("import/", "import")
class ImportView(ObjectImportView):
    """The monthly values import: the generic import page, with the warnings its uploader confirms."""

    model = IndicatorValue
    import_key = "indicators"


@declare.route("", "dashboard")
class DashboardView(ScopedViewMixin, TemplateView):
    """The zone overview a leader quotes: revenue year-to-date and its 同比, value added, R&D, tax,
    labelled counts, share of the city, trends by month, breakdown by chain and by zone."""

    model = IndicatorValue
    template_name = "indicators/dashboard.html"
    title = gettext_lazy("经济运行看板")

    def get(self, request, *args, **kwargs):
        from . import dashboard

        values = self.base_queryset(request.user)
        # the month asked for, else the latest whose reporting is complete — with its coverage
        reporting = dashboard.reporting(values, period=self.period())
        period = reporting.period if reporting else None
        data = dashboard.figures(request.user, values, period)
        if request.GET.get("export") == "xlsx":
            response = HttpResponse(dashboard.xlsx(data), content_type=XLSX)
            response["Content-Disposition"] = f"attachment; filename=economy-{period:%Y-%m}.xlsx" if period else \
                "attachment; filename=economy.xlsx"
            return response
        return self.render_to_response(self.get_context_data(title=self.title, d=data, period=period,
                                                             chart=data.get("chart"), reporting=reporting,
                                                             sample=values.filter(sample=True).exists()))

    def period(self) -> dt.date | None:
        """The month asked for (None: the default month)."""
        month = engine.month_param(self.request.GET.get("period"))
        if month is None and self.request.GET.get("period"):
            messages.error(self.request, gettext("月份“{text}”无效或超出范围（应为1900-01至2100-12），已显示最近月份").format(
                text=self.request.GET["period"][:20]))
        return month


def coverage_choices() -> list[tuple[str, str]]:
    """The coverages (统计口径) a page offers: 全部, 规上, each enterprise label, each chain."""
    from feidi.chains.models import Chain
    from feidi.core.models import DictItem

    choices = [("all", gettext("全部企业")), ("above_scale", gettext("规上企业"))]
    choices += [(f"label:{code}", engine.enterprises_named(seeded_label(label))) for code, label in
                DictItem.objects.filter(type__code="org_label", active=True).exclude(code="above_scale")
                .values_list("code", "label")]
    choices += [(f"chain:{pk}", engine.enterprises_named(name)) for pk, name in Chain.objects.values_list("pk", "name")]
    return choices


@declare.route("analysis/", "analysis")
class AnalysisView(ScopedViewMixin, TemplateView):
    """One indicator for one month by zone, industry, chain or segment, for a coverage (全部, 规上, a
    label, a chain): 累计, share, 累计同比, 当月 and 当月同比 (同口径), the zones' ranks, and the
    sentence a report quotes."""

    model = IndicatorValue
    template_name = "indicators/analysis.html"
    title = gettext_lazy("指标分析")

    def get(self, request, *args, **kwargs):
        indicators = list(Indicator.objects.filter(active=True))
        code = request.GET.get("indicator") or "revenue"
        indicator = next((i for i in indicators if i.code == code), indicators[0] if indicators else None)
        by = request.GET.get("by") if request.GET.get("by") in engine.GROUPS else "zone"
        values = self.base_queryset(request.user)
        try:
            coverage = engine.Coverage.parse(request.GET.get("coverage"), indicator, request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            coverage = engine.Coverage.parse(None, indicator)
        period = engine.month_param(request.GET.get("period"))
        if period is None and request.GET.get("period"):
            messages.error(request, gettext("月份“{text}”无效或超出范围（应为1900-01至2100-12），已显示最近月份").format(
                text=request.GET["period"][:20]))
        if period is None and indicator:  # the latest month whose reporting is complete
            found = engine.reporting_month(values, indicator)
            period = found.period if found else None
        rows, total, unplaced = [], None, None
        if indicator and period:
            rows = engine.yoy(values, indicator, period, by, coverage=coverage)
            total = next(iter(engine.yoy(values, indicator, period, "total", coverage=coverage)), None)
            if by in ("chain", "segment") and total is not None:
                # the enterprises on no chain: what the chains leave of the 合计, named
                from feidi.chains.models import SegmentMember

                outside = values.exclude(organization_id__in=SegmentMember.objects.values("organization_id"))
                unplaced = next(iter(engine.yoy(outside, indicator, period, "total", coverage=coverage)), None)
                if unplaced is not None and unplaced.count:
                    unplaced.key, unplaced.label = None, gettext("未归链企业")
                else:
                    unplaced = None
        whole = total.total if total else Decimal(0)
        ranks = {}
        if by == "zone" and rows:
            ordered = sorted((r.total for r in rows), reverse=True)
            ranks = {r.key: 1 + sum(1 for v in ordered if v > r.total) for r in rows}
        areas = engine.zone_areas(r.key for r in rows) if by == "zone" else {}
        def shown(value) -> str:  # money in 万元/亿元 (lib.money.human), other units as stored
            return "—" if value is None else engine.quantity(value, indicator)

        listed = rows + ([unplaced] if unplaced is not None else [])
        table = [{"row": r, "share": engine.share(r.total, whole) if len(listed) > 1 else None,
                  "rank": ranks.get(r.key), "density": engine.density_text(indicator, r.total, areas.get(r.key)),
                  "total": shown(r.total), "month": shown(r.month_value), "unplaced": r is unplaced}
                 for r in listed]
        total_shown = {"total": shown(total.total), "month": shown(total.month_value)} if total else {}
        return self.render_to_response(self.get_context_data(
            title=self.title, indicators=indicators, indicator=indicator, by=by, groups=engine.GROUPS,
            dense=any(t["density"] for t in table),
            by_label=engine.GROUPS[by][1], coverage=coverage, coverages=coverage_choices(),
            period=period, table=table, total=total, total_shown=total_shown,
            release_short=engine.release_label(period, indicator.cumulative, year=False) if period and indicator else "",
            month_short=engine.month_label(period, year=False) if period else "",
            sentence=engine.sentence(indicator, period, total, coverage) if total else "",
            chart={"labels": [r.label for r in rows[:20]], "totals": [float(r.total) for r in rows[:20]],
                   "growth": [round(r.growth * 100, 1) if r.growth is not None else None for r in rows[:20]]}))


# --- 亩均效益 ---------------------------------------------------------------------------------------

@declare.view(MuRule, "detail")
class MuRuleDetailView(ObjectDetailView):
    """A year's rule with its results: counts by class, distribution by zone and by chain, and the
    button that (re)runs the evaluation."""

    template_name = "indicators/murule_detail.html"

    def get_extra_context(self, rule):
        from django.db.models import Count

        results = MuResult.objects.visible_to(self.request.user).filter(rule=rule)
        grades = dict(results.values_list("grade").annotate(n=Count("pk")).order_by())
        by_zone = list(results.values("zone__name", "grade").annotate(n=Count("pk")).order_by("zone__name"))
        by_chain = list(results.filter(organization__chain_memberships__isnull=False)
                        .values("organization__chain_memberships__segment__chain__name", "grade")
                        .annotate(n=Count("organization", distinct=True)).order_by())
        classes = [g for g, _ in MuResult.Grade.choices]

        def table(rows, key):
            names = sorted({r[key] or gettext("未分类") for r in rows})
            data = {g: [0] * len(names) for g in classes}
            for r in rows:
                data[r["grade"]][names.index(r[key] or gettext("未分类"))] += r["n"]
            return {"names": names, "series": [{"name": gettext("{g}类").format(
                g=g), "data": data[g]} for g in classes]}

        from feidi.registry.models import Organization

        from .mu import not_evaluated

        left_out = not_evaluated(rule, Organization.objects.visible_to(self.request.user)) if rule.evaluated_at else []
        return dict(grades=[(g, label, grades.get(g, 0)) for g, label in MuResult.Grade.choices],
                    total=sum(grades.values()), left_out=left_out, left_out_total=sum(n for _, n, _names in left_out),
                    top=results.select_related("organization").order_by("-score")[:10],
                    chart={"zone": table(by_zone, "zone__name"),
                           "chain": table(by_chain, "organization__chain_memberships__segment__chain__name")},
                    can_evaluate=self.request.user.has_perm("indicators.change_murule"))


@declare.route("mu/<int:pk>/evaluate/", "murule_evaluate")
class MuEvaluateView(ObjectActionView):
    model = MuRule

    def act(self, rule):
        from . import mu

        return mu.evaluate(rule, acting_user=self.request.user)

    def success_message(self, rule, results) -> str:
        return gettext("已完成{year}年亩均效益评价：{len}家企业参评").format(year=rule.year, len=len(results))


declare.model(MuRule, "mu", form=MuRuleForm, filterset=MuRuleFilterSet, table=MuRuleTable,
              select_related=("department",), menu=declare.Entry("indicators", gettext_noop("亩均效益评价"), position=8))


declare.model(MuResult, "mu/results", filterset=MuResultFilterSet, table=MuResultTable,
              select_related=("organization", "rule"), pages=("list", "detail"),
              list_attrs={"empty_hint": gettext_lazy("在“亩均效益评价”中选择年度规则并点“评价”后生成。")})


@declare.view(MuResult, "detail")
class MuResultDetailView(ObjectDetailView):
    detail_fields = ("organization", "rule", "grade", "score", "land", "tax", "revenue", "value_added", "energy", "rd",
                     "employees", "m_tax", "m_output", "m_energy", "m_rd", "m_labour")


# --- 月调度 ----------------------------------------------------------------------------------------------

declare.model(RankingRule, "ranking/rules", form=RankingRuleForm, filterset=RankingRuleFilterSet,
              table=RankingRuleTable, select_related=("department",), menu=declare.Entry("indicators", gettext_noop("排名规则"), position=7))


# 月调度 rankings: computed from a rule (计算排名), never written by hand — a list and each month's page.
declare.model(RankingRun, "ranking", filterset=RankingRunFilterSet, table=RankingRunTable, select_related=("rule",),
              pages=("list", "detail"))


@declare.view(RankingRun, "list")
class RankingRunListView(ObjectListView):
    empty_hint = gettext_lazy("点“计算排名”按排名规则生成本月的月调度排名。")
    template_name = "indicators/rankingrun_list.html"

    def get_extra_context(self, rows):
        return {"rules": RankingRule.objects.visible_to(self.request.user) if self.can("add") else [],
                "last_month": last_month()}


@declare.route("ranking/compute/", "rankingrun_compute")
class RankingRunCreateView(ScopedViewMixin, View):
    """POST rule + month: compute (or recompute) that month's ranking."""

    model = RankingRun
    permission_action = "add"

    def post(self, request, *args, **kwargs):
        from . import ranking

        rule = RankingRule.objects.visible_to(request.user).filter(pk=as_id(request.POST.get("rule")) or 0).first()
        if rule is None:
            raise Http404(gettext("排名规则不存在"))
        landing = landing_departments(RankingRun, request.user)  # a run lands in its rule's department
        if landing is not None and rule.department_id not in landing:
            raise PermissionDenied(gettext("该排名规则不在您可计算的数据范围内"))
        day = engine.month_param(request.POST.get("month"))
        if day is None:
            messages.error(request, gettext("月份格式应为 2026-10"))
            return HttpResponseRedirect(reverse("indicators:rankingrun_list"))
        this_month = timezone.localdate().replace(day=1)
        if day >= this_month:  # a month is ranked once it is over: its 末位 are named on whole figures
            last = (this_month - dt.timedelta(days=1)).replace(day=1)
            messages.error(request, gettext("{month}尚未结束，不能计算排名（最近可计算{last}）").format(
                month=f"{day:%Y-%m}", last=f"{last:%Y-%m}"))
            return HttpResponseRedirect(reverse("indicators:rankingrun_list"))
        run = ranking.run(rule, day, acting_user=request.user)
        messages.success(request, gettext("已计算：{run}").format(run=run))
        return HttpResponseRedirect(run.get_absolute_url())


@declare.view(RankingRun, "detail")
class RankingRunDetailView(ObjectDetailView):
    template_name = "indicators/rankingrun_detail.html"

    def get_extra_context(self, run):
        from . import ranking

        entries = list(run.entries.select_related("statement").order_by("rank", "label"))
        previous = ranking.previous_run(run)
        history = {}
        for past in RankingRun.objects.filter(rule=run.rule, month__lte=run.month).order_by("-month")[:6]:
            for e in past.entries.all():
                history.setdefault(e.label, {})[past.month] = e.rank
        months = sorted({m for h in history.values() for m in h})
        return dict(entries=[(e, [ranking.cell(m, e.metrics.get(m)) for m in ranking.LABELS])
                             for e in entries],
                    labels=list(ranking.LABELS.values()), previous=previous,
                    follow=[e for e in previous.entries.filter(bottom=True).select_related("statement")]
                    if previous else [],
                    history=[(label, [history[label].get(m) for m in months]) for label in sorted(history)],
                    months=months, any_bottom=any(e.bottom for e in entries),
                    can_record=self.request.user.has_perm("indicators.change_rankingrun"),
                    # a unit without the month's data has no score (the report says 不参与排名): not drawn as 0
                    chart={"labels": [e.label for e in entries if e.rank],
                           "scores": [float(e.score) for e in entries if e.rank]})


@declare.route("ranking/<int:pk>/statement/", "rankingrun_statement")
class RankingStatementView(ObjectMixin, View):
    """POST a bottom unit's statement (entry) or its follow-up next month."""

    model = RankingRun
    permission_action = "change"

    def post(self, request, *args, **kwargs):
        from .models import RankingEntry
        from .models import Statement

        run = self.get_object()
        entry = RankingEntry.objects.filter(run__rule=run.rule, pk=as_id(request.POST.get("entry")) or 0).first()
        if entry is None or not entry.bottom:
            raise Http404(gettext("该单位不是末位单位"))
        text = (request.POST.get("text") or "").strip()
        try:  # refused as any record's text is, said on the page
            text = checked_text(text, "text")
            measures = checked_text(request.POST.get("measures", ""), "measures")
        except ValidationError as exc:
            for problems in exc.message_dict.values():
                for problem in problems:
                    messages.error(request, problem)
            return HttpResponseRedirect(run.get_absolute_url())
        with transaction.atomic():
            statement = Statement.objects.filter(entry=entry).first()
            before = {"text": statement.text, "follow_up": statement.follow_up} if statement else {}
            if request.POST.get("kind") == "follow_up":
                if statement is None:
                    raise Http404(gettext("该单位上月未记录表态"))
                statement.follow_up, statement.followed_up_at = text, timezone.now()
                statement.save()
            else:
                if not text:
                    messages.error(request, gettext("请填写表态内容"))
                    return HttpResponseRedirect(run.get_absolute_url())
                statement = statement or Statement(entry=entry, recorded_by=request.user)
                statement.text, statement.measures = text, measures
                statement.save()
            audit.record(audit.AuditRecord.Action.UPDATE, entry.run, user=request.user, before=before,
                         after={"unit": entry.label, "text": statement.text, "follow_up": statement.follow_up})
        messages.success(request, gettext("已记录：{label}").format(label=entry.label))
        return HttpResponseRedirect(run.get_absolute_url())


@declare.route("ranking/<int:pk>/docx/", "rankingrun_docx")
class RankingDocxView(ObjectMixin, View):
    model = RankingRun

    def get(self, request, *args, **kwargs):
        from django.http import FileResponse

        from . import ranking

        run = self.get_object()
        body = ranking.render_docx(run)  # current statements included
        return FileResponse(io.BytesIO(body), as_attachment=True, filename=file_name(str(run), ".docx"))


class _ZoneFigureEdit(ObjectEditView):
    def save_object(self, form, obj, *, creating, expected_version):
        obj.entered_by = self.request.user
        return super().save_object(form, obj, creating=creating, expected_version=expected_version)


declare.model(ZoneFigure, "zone-figures", form=ZoneFigureForm, filterset=ZoneFigureFilterSet, table=ZoneFigureTable,
              select_related=("zone", "indicator"), edit_base=_ZoneFigureEdit, menu=declare.Entry("indicators", gettext_noop("园区公布数据"), position=12))
declare.model(RegionFigure, "region-figures", form=RegionFigureForm, filterset=RegionFigureFilterSet,
              table=RegionFigureTable, select_related=("indicator",), edit_base=_ZoneFigureEdit,
              menu=declare.Entry("indicators", gettext_noop("地区公布数据"), position=13))
declare.model(BenefitShare, "sharing", form=BenefitShareForm, filterset=BenefitShareFilterSet, table=BenefitShareTable,
              select_related=("organization", "agreement", "home_zone", "enclave_zone"), menu=declare.Entry("indicators", gettext_noop("飞地利益共享"), position=11))


# --- maps ------------------------------------------------------------------------------------------------


@declare.route("maps/geo/<str:code>.json", "geo_city")
class GeoCityView(ScopedViewMixin, View):
    """A city's district boundaries (GeoJSON) from the package on disk; cached by the browser."""

    model = IndicatorValue

    def get(self, request, code, *args, **kwargs):
        from . import geo

        data = geo.city_geojson(code)
        if data is None:
            raise Http404(gettext("没有该城市的边界数据"))
        response = HttpResponse(data, content_type="application/geo+json")
        response["Cache-Control"] = "private, max-age=86400"
        return response


@declare.route("maps/city/", "city_map")
class CityMapView(ScopedViewMixin, TemplateView):
    """The city's zones on its district map, sized and coloured by an indicator's total."""

    model = IndicatorValue
    template_name = "indicators/city_map.html"
    title = gettext_lazy("城市园区分布图")

    def get(self, request, *args, **kwargs):
        from feidi.registry.models import Zone

        from . import geo
        from . import zones
        from .dashboard import home_zone

        indicators = list(Indicator.objects.filter(active=True))
        indicator = next((i for i in indicators if i.code == request.GET.get("indicator")), None) or next(
            (i for i in indicators if i.code == "revenue"), indicators[0] if indicators else None)
        zone = home_zone(request.user) or (Zone.objects.visible_to(request.user)  # a city bureau: the zones it sees
                                           .filter(home_zone__isnull=True).exclude(region_code="").order_by("pk").first())
        city = (request.GET.get("city") or (zone.region_code[:4] if zone and zone.region_code else "")).strip()[:4]
        period = None
        points = []
        if indicator and city:
            members = [z for z in Zone.objects.filter(region_code__startswith=city, home_zone__isnull=True,
                                                      parent__isnull=True).select_related("kind") if not z.is_enclave]
            latest = engine.reporting_month(IndicatorValue.objects.filter(zone__in=members), indicator)
            period = latest.period if latest else None
            if period is None:
                from .models import ZoneFigure

                period = (ZoneFigure.objects.filter(zone__in=members, indicator=indicator).order_by("-period")
                          .values_list("period", flat=True).first())
            items = zones.standings(indicator, period, members) if period else []
            standing = {s.zone.pk: s for s in items}
            # a zone's computed total is its enterprises' data: shown to whoever sees them all
            shown = zones.readable(request.user, indicator, period, items) if items else set()
            for z in members:
                point = geo.zone_point(z)
                s = standing.get(z.pk)
                withheld = s is not None and z.pk not in shown
                if point is not None:
                    points.append({"name": z.short_name or z.name,
                                   "value": [*point, float(s.value) if s and not withheld else 0],
                                   "growth": s.growth if s and not withheld else None,
                                   "published": s.published if s else False, "withheld": withheld})
        return self.render_to_response(self.get_context_data(
            title=self.title, indicators=indicators, indicator=indicator, city=city, period=period,
            has_geo=bool(city and city in geo.city_index()),
            map={"points": points, "unit": indicator.unit if indicator else "",
                 "name": indicator.name_shown if indicator
                 else "", "geo_url": reverse("indicators:geo_city", args=[city]) if city else ""}))


@declare.route("maps/zone/", "zone_map")
class ZoneMapView(ScopedViewMixin, TemplateView):
    """亩产地图: a zone's parcels coloured by their enterprise's latest 亩均 class; GeoJSON upload."""

    model = IndicatorValue
    template_name = "indicators/zone_map.html"
    title = gettext_lazy("亩产地图")

    def zone(self):
        from feidi.registry.models import Zone

        from .dashboard import home_zone

        visible = Zone.objects.visible_to(self.request.user)
        raw = self.request.GET.get("zone") or self.request.POST.get("zone") or ""
        if as_id(raw):
            return visible.filter(pk=as_id(raw)).first()
        home = home_zone(self.request.user)
        return visible.filter(pk=home.pk).first() if home else visible.filter(parcels__isnull=False).first()

    def page(self, zone, **extra):
        from .geo import parcels_geojson
        from .models import Parcel

        parcels = list(Parcel.objects.visible_to(self.request.user).filter(zone=zone).select_related("organization")) \
            if zone else []
        latest = (MuResult.objects.visible_to(self.request.user).filter(organization__in=[p.organization_id for p in
                                                                                           parcels if p.organization_id])
                  .order_by("organization_id", "-rule__year").values_list("organization_id", "grade"))
        grades = {}
        for org, grade in latest:
            grades.setdefault(org, grade)
        counts = [(g, sum(1 for p in parcels if grades.get(p.organization_id) == g), color) for g, color in GRADE_COLORS.items()]
        return self.render_to_response(self.get_context_data(
            title=self.title, zone=zone, parcels=parcels, counts=counts, sample=any(p.sample for p in parcels),
            ungraded=sum(1 for p in parcels if p.organization_id not in grades),
            can_upload=self.request.user.has_perm("indicators.add_parcel") and zone is not None,
            geojson=parcels_geojson(parcels, grades), **extra))

    def get(self, request, *args, **kwargs):
        return self.page(self.zone())

    def post(self, request, *args, **kwargs):
        from . import geo
        from .models import Parcel

        if not request.user.has_perm("indicators.add_parcel"):
            raise PermissionDenied(gettext("您没有导入地块的权限"))
        zone = self.zone()
        landing = landing_departments(Parcel, request.user)  # a zone only seen takes no parcels
        if zone is not None and landing is not None and zone.department_id not in landing:
            raise PermissionDenied(gettext("该园区不在您可导入地块的数据范围内"))
        upload = request.FILES.get("file")
        if zone is None or upload is None:
            return self.page(zone, errors=[(0, gettext("请选择园区和 GeoJSON 文件"))])
        if upload.size > 20 * 1024 * 1024:
            return self.page(zone, errors=[(0, gettext("文件超过20MB"))])
        count, errors = geo.import_parcels(zone, upload.read(), acting_user=request.user)
        if errors:
            return self.page(zone, errors=errors)
        messages.success(request, gettext("已导入 {count} 个地块").format(count=count))
        return HttpResponseRedirect(reverse("indicators:zone_map") + f"?zone={zone.pk}")
