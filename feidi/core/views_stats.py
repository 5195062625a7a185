"""统计查询 (/stats/): ask for a quotable figure, read it as a sentence with its rule, share it as a
link, export it to .xlsx, keep it as a block of the department's reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from . import audit
from . import declare
from . import stats
from .models import SavedQuery


def _examples(user, today) -> list[dict]:
    """Questions a leader asks often, as links (only of the subjects this user may ask about)."""
    keys = {s.key for s in stats.subjects_for(user)}
    wanted = [
        ("indicators", gettext("主营业务收入累计与同比（同口径），按园区"), "subject=indicators&compare=yoy&by=zone"),
        ("projects", gettext("{year}年以来签约项目与签约资金，其中近3个月").format(year=today.year),
         "subject=projects&measure=count&measure=sum:signed_amount&date=signed_on&window=ytd&within=last3"),
        ("projects", gettext("今年开工项目，按产业链，同比"),
         "subject=projects&measure=count&measure=sum:planned_investment&date=started_on&window=ytd&by=chain&compare=yoy"),
        ("organizations", gettext("科技型中小企业年初以来的变化"),
         "subject=organizations&f.label=tech_sme&window=ytd&compare=change"),
        ("organizations", gettext("各产业链企业数（一家企业在多条链上各计一次，合计只计一次）"),
         "subject=organizations&by=chain&window=all"),
        ("appeals", gettext("累计解决企业诉求（约数）与用时压缩"),
         "subject=appeals&measure=closed&measure=compression&date=submitted_at&window=all&approx=1"),
        ("appeals", gettext("今年办结诉求按服务成效"), "subject=appeals&date=closed_at&window=ytd&by=outcome"),
        ("talents", gettext("累计引进人才，按层次"), "subject=talents&window=all&by=tier&approx=1"),
        ("challenges", gettext("揭榜挂帅榜单按批次"), "subject=challenges&measure=count&measure=sum:bounty&window=all&by=batch"),
        ("lots", gettext("拍卖成交情况"), "subject=lots&measure=count&measure=sold&measure=turnover&window=all&by=auction"),
    ]
    base = reverse("core:stats")
    return [{"label": label, "url": f"{base}?{query}"} for key, label, query in wanted if key in keys]


@declare.route("stats/", "stats")
class StatsView(LoginRequiredMixin, TemplateView):
    template_name = "core/stats.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not stats.subjects_for(request.user):
            raise PermissionDenied(gettext("您没有可统计的数据"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        subject = stats.SUBJECTS.get(request.GET.get("subject", ""))
        if subject is not None and not request.user.has_perm(subject.permission):
            # a subject refused for permission is a refusal (403) — the page and its export alike —
            # not a page answering 200 with an error where a file was asked for
            raise PermissionDenied(gettext("您没有查看“{subject}”的权限").format(subject=subject.label))
        answer, error = None, ""
        if request.GET.get("subject"):
            try:
                answer = stats.evaluate(stats.parse(request.GET, request.user), request.user)
            except stats.QueryError as exc:
                error = str(exc)
        if answer is not None and request.GET.get("format") == "xlsx":
            audit.record(audit.AuditRecord.Action.EXPORT, user=request.user, model_label="core.savedquery",
                         object_repr=gettext("统计查询：{sentence}").format(sentence=answer.sentence[:150]), after={"query": request.GET.urlencode()})
            response = HttpResponse(stats.xlsx_bytes(answer),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            name = gettext("统计查询_{time}.xlsx").format(time=f"{timezone.localtime():%Y%m%d_%H%M%S}")
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
            return response
        # an export that cannot be answered (a wrong parameter) is no file: the page with its error, as 400
        status = 400 if error and request.GET.get("format") == "xlsx" else 200
        return self.render_to_response(self.get_context_data(answer=answer, error=error), status=status)

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        catalogue = stats.catalogue(user)
        chosen = self.request.GET.get("subject") or (catalogue[0]["key"] if catalogue else "")
        answer = kwargs.get("answer")
        chart = None
        if answer is not None and answer.groups:
            first = answer.query.measures[0]
            # money in 元: the chart's axis chooses 万元 or 亿元 as the sentence does (static/feidi/charts.js)
            chart = {"title": gettext("按{by}：{label}").format(by=answer.query.by.label, label=first.label), "categories": [g.label for g in answer.groups],
                     "values": [float(g.figures[0].value or 0) for g in answer.groups], "money": first.money,
                     "unit": "" if first.money else str(stats.UNIT_NAMES.get(
                         first.unit or answer.query.subject.unit, first.unit or answer.query.subject.unit))}
        return super().get_context_data(
            title=gettext("统计查询"), catalogue=catalogue, chosen=chosen, form=_form(catalogue, chosen, self.request.GET), get=self.request.GET, windows=stats.WINDOWS,
            compares=stats.COMPARES, examples=_examples(user, today), chart=chart,
            as_of_value=self.request.GET.get("as_of") or today.isoformat(),
            saved=SavedQuery.objects.visible_to(user).filter(user=user),
            xlsx_url=(self.request.get_full_path() + "&format=xlsx") if answer is not None else "", **kwargs)


def _form(catalogue: list[dict], chosen: str, params) -> dict | None:
    """The chosen subject's part of the form, with what the question selected marked."""
    entry = next((c for c in catalogue if c["key"] == chosen), None)
    if entry is None:
        return None
    picked = set(params.getlist("measure")) or {entry["measures"][0]["key"]}
    return {
        **entry,
        "measures": [{**m, "checked": m["key"] in picked} for m in entry["measures"]],
        "dates": ([{"key": "", "label": gettext("按各统计项的日期"), "selected": not params.get("date")}]
                  if entry["own_dates"] else [])
        + [{**d, "selected": d["key"] == params.get("date")} for d in entry["dates"]]
        + ([{"key": stats.ANY_DATE, "label": gettext("不限日期（全部记录）"), "selected": params.get("date") == stats.ANY_DATE}]
           if entry["dates"] else []),
        "dimensions": [{**d, "name": f"f.{d['key']}", "selected_by": d["key"] == params.get("by"),
                        "choices": [(k, label, k in params.getlist(f"f.{d['key']}")) for k, label in d["choices"]]}
                       for d in entry["dimensions"]],
        "bands": [{**b, "selected": b["field"] == params.get("band")} for b in entry["bands"]],
        "window": params.get("window") or ("all" if entry["state"] else "ytd"),
        "filtered": sum(1 for d in entry["dimensions"] if params.getlist(f"f.{d['key']}")),
    }


@declare.route("stats/saved/", "savedquery_add")
class SavedQueryCreateView(LoginRequiredMixin, View):
    """Keep the question on the page (its parameters, not its figures) under a name."""

    def post(self, request):
        query_text = request.POST.get("params", "")[:2000]
        name = request.POST.get("name", "").strip()[:100]
        from django.http import QueryDict

        try:
            answer = stats.evaluate(stats.parse(QueryDict(query_text), request.user), request.user)
        except stats.QueryError as exc:
            messages.error(request, gettext("未保存：{error}").format(error=exc))
            return HttpResponseRedirect(reverse("core:stats"))
        if not name:
            messages.error(request, gettext("请填写名称"))
            return HttpResponseRedirect(answer.link)
        saved = SavedQuery.objects.create(user=request.user, department=request.user.department, name=name,
                                          params=stats.querystring(answer.query.params),
                                          in_reports=request.POST.get("in_reports") == "on")
        audit.record(audit.AuditRecord.Action.CREATE, saved, user=request.user, after={"params": saved.params})
        messages.success(request, gettext("已保存“{name}”，将写入本部门的专报").format(name=name) if saved.in_reports
                         else gettext("已保存“{name}”").format(name=name))
        return HttpResponseRedirect(answer.link)


@declare.route("stats/saved/<int:pk>/delete/", "savedquery_delete")
class SavedQueryDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        saved = get_object_or_404(SavedQuery.objects.visible_to(request.user).filter(user=request.user), pk=pk)
        audit.record(audit.AuditRecord.Action.DELETE, saved, user=request.user, before={"params": saved.params})
        saved.delete()
        messages.success(request, gettext("已删除“{name}”").format(name=saved.name))
        return HttpResponseRedirect(reverse("core:stats"))
