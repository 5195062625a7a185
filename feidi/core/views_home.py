"""The home dashboard and error pages."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import TemplateView

from . import workbench


class WorkbenchView(LoginRequiredMixin, TemplateView):
    """我的待办: everything waiting for this user, grouped by what to do, the overdue first."""

    template_name = "core/workbench.html"

    def get_context_data(self, **kwargs):
        todos = workbench.for_user(self.request.user, limit=workbench.MORE)
        return super().get_context_data(title=gettext("我的待办"), todos=todos, total=sum(t.count for t in todos),
                                        urgent=sum(t.urgent for t in todos), **kwargs)


class HomeView(LoginRequiredMixin, TemplateView):
    """The overview of what this user may see, counted and charted: each app's section
    (``core.home``); an enterprise or institution user sees its own record."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        from . import home

        user = self.request.user
        kwargs["warnings"] = self.warnings(user)
        kwargs["todos"] = workbench.for_user(user)
        page = home.overview(user)
        return super().get_context_data(title=gettext("首页"), cards=page.cards, chart=page.chart,
                                        recent=page.recent, **kwargs)

    @staticmethod
    def warnings(user) -> list[dict]:
        """What an administrator must do before it bites: next year's holiday schedule from 1 November."""
        from .calendar import missing_next_year

        out = []
        if user.has_perm("core.view_calendaryear") and (year := missing_next_year()) is not None:
            can = user.has_perm("core.add_calendaryear")
            out.append({"text": gettext("{year}年法定节假日安排尚未录入：落在{year}年的办理期限暂按周末和法定节日推算，录入后自动按工作日重算。").format(year=year)
                                + (gettext("请在国务院办公厅发布通知后录入。") if can else gettext("请提醒系统管理员录入。")),
                        "url": reverse("core:calendaryear_enter") + f"?year={year}" if can
                        else reverse("core:calendaryear_list"),
                        "action": gettext("录入") if can else gettext("查看工作日历")})
        return out


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
