"""The home dashboard and error pages."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import TemplateView

from . import workbench
from .models import AuditRecord, seeded_label


class WorkbenchView(LoginRequiredMixin, TemplateView):
    """我的待办: everything waiting for this user, grouped by what to do, the overdue first."""

    template_name = "core/workbench.html"

    def get_context_data(self, **kwargs):
        todos = workbench.for_user(self.request.user, limit=workbench.MORE)
        return super().get_context_data(title=gettext("我的待办"), todos=todos, total=sum(t.count for t in todos),
                                        urgent=sum(t.urgent for t in todos), **kwargs)


class HomeView(LoginRequiredMixin, TemplateView):
    """The zone overview: what this user may see, counted; organizations by zone, charted."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        from feidi.registry.models import Organization, OrganizationLabel, Residency, Zone

        user = self.request.user
        kwargs["warnings"] = self.warnings(user)
        kwargs["todos"] = workbench.for_user(user)
        if user.organization_id:
            return super().get_context_data(title=gettext("首页"), **self.organization_overview(user), **kwargs)
        cards, chart, recent = [], None, []
        if user.has_perm("registry.view_organization"):
            orgs = Organization.objects.visible_to(user)
            # one scan of the visible organizations answers the kinds and the chart by zone
            by_kind_zone = list(orgs.values_list("kind", "zone_id").annotate(n=Count("pk")).order_by())
            by_kind, by_zone = {}, {}
            for kind, zone_id, n in by_kind_zone:
                by_kind[kind] = by_kind.get(kind, 0) + n
                if zone_id is not None:
                    by_zone[zone_id] = by_zone.get(zone_id, 0) + n
            cards.append({"label": gettext("单位总数"), "value": sum(by_kind.values()),
                          "hint": gettext("企业、院所、高校等"),
                          "url": reverse("registry:organization_list")})
            cards.append({"label": gettext("企业"), "value": by_kind.get(Organization.Kind.ENTERPRISE, 0),
                          "hint": gettext("在库企业"),
                          "url": reverse("registry:organization_list") + "?kind=enterprise"})
            labels = (OrganizationLabel.objects.visible_to(user).filter(until__isnull=True)
                      .values_list("label__label").annotate(n=Count("organization", distinct=True)).order_by("-n"))
            for name, n in labels[:2]:
                cards.append({"label": seeded_label(name), "value": n, "hint": gettext("有效认定"),
                              "url": reverse("registry:organization_list")})
            per_label: dict[str, int] = {}
            for zone in Zone.objects.filter(pk__in=by_zone).only("name", "short_name"):
                label = zone.short_name or zone.name
                per_label[label] = per_label.get(label, 0) + by_zone[zone.pk]
            rows = sorted(per_label.items(), key=lambda r: (-r[1], r[0]))[:12]
            chart = {"title": gettext("各园区单位数"), "categories": [r[0] for r in rows],
                     "series": [{"name": gettext("单位数"), "data": [r[1] for r in rows]}]}
        if user.has_perm("registry.view_zone"):
            zones = Zone.objects.visible_to(user).aggregate(n=Count("pk"), enclaves=Count(
                "pk", filter=Q(kind__extra__enclave=True)))
            enclaves = zones["enclaves"]
            cards.append({"label": gettext("园区与飞地"), "value": zones["n"],
                          "hint": gettext("其中飞地 {enclaves} 个").format(enclaves=enclaves),
                          "url": reverse("registry:zone_list")})
        if user.has_perm("registry.view_residency"):
            res = Residency.objects.visible_to(user)
            by_status = res.aggregate(resident=Count("pk", filter=Q(status=Residency.Status.RESIDENT)),
                                      negotiating=Count("pk", filter=Q(status=Residency.Status.NEGOTIATING)))
            cards.append({"label": gettext("飞地已入驻"), "value": by_status["resident"],
                          "hint": gettext("在谈 {count} 家").format(count=by_status["negotiating"]),
                          "url": reverse("registry:residency_list")})
            for r in res.select_related("organization", "enclave").order_by("-updated_at")[:8]:
                recent.append({"time": r.updated_at, "text": f"{r.organization} · {r.enclave} · {r.get_status_display()}",
                               "url": r.get_absolute_url()})
        if user.has_perm("projects.view_project"):
            self.pipeline_cards(user, cards, recent)
        if user.has_perm("core.view_auditrecord"):
            last = AuditRecord.objects.visible_to(user).order_by("-seq")[:8]
            for a in last:
                recent.append({"time": a.at, "text": f"{a.username} {a.get_action_display()} {a.object_repr}",
                               "url": a.get_absolute_url()})
            cards.append({"label": gettext("审计记录"), "value": AuditRecord.objects.count(),
                          "hint": gettext("哈希链保护"),
                          "url": reverse("core:auditrecord_list")})
        return super().get_context_data(title=gettext("首页"), cards=cards, chart=chart, recent=recent,
                                        **kwargs)


    @staticmethod
    def warnings(user) -> list[dict]:
        """What an administrator must do before it bites: next year's holiday schedule from 1 November."""
        from .calendar import missing_next_year

        out = []
        if user.has_perm("core.view_calendaryear") and (year := missing_next_year()) is not None:
            can = user.has_perm("core.add_calendaryear")
            out.append({"text": gettext("{year}年法定节假日安排尚未录入：落在{year}年的办理期限将无法按工作日计算。").format(year=year)
                                + (gettext("请在国务院办公厅发布通知后录入。") if can else gettext("请提醒系统管理员录入。")),
                        "url": reverse("core:calendaryear_enter") + f"?year={year}" if can
                        else reverse("core:calendaryear_list"),
                        "action": gettext("录入") if can else gettext("查看工作日历")})
        return out

    @staticmethod
    def pipeline_cards(user, cards, recent) -> None:
        """This year's signings and the key-project alerts (which also lead the recent list)."""
        import datetime as dt

        from django.db.models import Sum
        from django.utils import timezone

        from feidi.lib.money import human
        from feidi.projects.models import Alert, Project

        today = timezone.localdate()
        signed = (Project.objects.visible_to(user).filter(signed_on__gte=dt.date(today.year, 1, 1), signed_on__lte=today)
                  .aggregate(n=Count("pk"), amount=Sum("signed_amount")))
        cards.append({"label": gettext("{year}年签约项目").format(year=today.year), "value": signed["n"],
                      "hint": gettext("签约金额 {human}").format(
                          human=human(signed['amount'] or 0)), "url": reverse("projects:dashboard")})
        if user.has_perm("projects.view_alert"):
            alerts = list(Alert.objects.visible_to(user).filter(resolved_at__isnull=True).select_related("project")
                          .order_by("-raised_at")[:6])
            count = Alert.objects.visible_to(user).filter(resolved_at__isnull=True).count() if len(alerts) == 6 \
                else len(alerts)
            cards.append({"label": gettext("项目预警"), "value": count, "hint": gettext("节点、问题、投资进度逾期"),
                          "url": reverse("projects:alert_list") + "?open=true"})
            recent[:0] = [{"time": a.raised_at, "text": f"⚠ {a.project.name}：{a.get_rule_display()}",
                           "url": a.project.get_absolute_url()} for a in alerts]

    def organization_overview(self, user) -> dict:
        """An enterprise or institution user's home: its own record, labels, enclave residency."""
        from feidi.registry.models import Organization, OrganizationLabel, Person, Residency

        org = Organization.objects.visible_to(user).filter(pk=user.organization_id).first()
        if org is None:
            return {"cards": [], "chart": None, "recent": []}
        labels = list(OrganizationLabel.objects.visible_to(user).filter(organization=org, until__isnull=True)
                      .select_related("label"))
        residencies = list(Residency.objects.visible_to(user).filter(organization=org).select_related("enclave"))
        cards = [
            {"label": gettext("本单位"), "value": org.get_kind_display(), "hint": org.name,
             "url": org.get_absolute_url()},
            {"label": gettext("有效资质"), "value": len(labels),
             "hint": "、".join(str(lb.label) for lb in labels) or gettext("暂无"),
             "url": org.get_absolute_url()},
            {"label": gettext("飞地入驻"), "value": len(residencies),
             "hint": "、".join(f"{r.enclave.display_name}（{r.get_status_display()}）" for r in residencies) or gettext("暂无"),
             "url": org.get_absolute_url()},
            {"label": gettext("联系人"),
             "value": Person.objects.visible_to(user).filter(organization=org).count(),
             "hint": gettext("本单位登记的联系人"), "url": org.get_absolute_url()},
        ]
        recent = [{"time": r.updated_at, "text": f"{r.enclave} · {r.get_status_display()}", "url": org.get_absolute_url()}
                  for r in residencies]
        return {"cards": cards, "chart": None, "recent": recent}


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
