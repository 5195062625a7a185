"""The registry's part of the home page (``core.home``): organizations by kind and by zone, the
labels held, zones and enclaves, enclave residency; an organization user's own record."""

from __future__ import annotations

from django.db.models import Count
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from feidi.core.models import seeded_label

from .models import Organization
from .models import OrganizationLabel
from .models import Person
from .models import Residency
from .models import Zone


def staff_section(user, out) -> None:
    if user.has_perm("registry.view_organization"):
        orgs = Organization.objects.visible_to(user)
        # one scan of the visible organizations answers the kinds and the chart by zone
        by_kind_zone = list(orgs.values_list("kind", "zone_id").annotate(n=Count("pk")).order_by())
        by_kind, by_zone = {}, {}
        for kind, zone_id, n in by_kind_zone:
            by_kind[kind] = by_kind.get(kind, 0) + n
            if zone_id is not None:
                by_zone[zone_id] = by_zone.get(zone_id, 0) + n
        out.cards.append({"label": gettext("单位总数"), "value": sum(by_kind.values()),
                          "hint": gettext("企业、院所、高校等"), "url": reverse("registry:organization_list")})
        out.cards.append({"label": gettext("企业"), "value": by_kind.get(Organization.Kind.ENTERPRISE, 0),
                          "hint": gettext("在库企业"),
                          "url": reverse("registry:organization_list") + "?kind=enterprise"})
        # the holders of each label valid today, counted among the organizations the user sees
        labels = (OrganizationLabel.objects.valid_on().filter(organization__in=orgs.values("pk"))
                  .values_list("label_id", "label__label").annotate(n=Count("organization", distinct=True))
                  .order_by("-n", "label_id"))
        for label_id, name, n in labels[:2]:
            out.cards.append({"label": seeded_label(name), "value": n, "hint": gettext("有效认定"),
                              "url": reverse("registry:organization_list") + f"?valid_label={label_id}"})
        per_label: dict[str, int] = {}
        for zone in Zone.objects.filter(pk__in=by_zone).only("name", "short_name"):
            label = zone.short_name or zone.name
            per_label[label] = per_label.get(label, 0) + by_zone[zone.pk]
        rows = sorted(per_label.items(), key=lambda r: (-r[1], r[0]))[:12]
        if out.chart is None:
            out.chart = {"title": gettext("各园区单位数"), "categories": [r[0] for r in rows],
                         "series": [{"name": gettext("单位数"), "data": [r[1] for r in rows]}]}
    if user.has_perm("registry.view_zone"):
        zones = Zone.objects.visible_to(user).aggregate(n=Count("pk"), enclaves=Count(
            "pk", filter=Q(kind__extra__enclave=True)))
        out.cards.append({"label": gettext("园区与飞地"), "value": zones["n"],
                          "hint": gettext("其中飞地 {enclaves} 个").format(enclaves=zones["enclaves"]),
                          "url": reverse("registry:zone_list")})
    if user.has_perm("registry.view_residency"):
        res = Residency.objects.visible_to(user)
        by_status = res.aggregate(resident=Count("pk", filter=Q(status=Residency.Status.RESIDENT)),
                                  negotiating=Count("pk", filter=Q(status=Residency.Status.NEGOTIATING)))
        out.cards.append({"label": gettext("飞地已入驻"), "value": by_status["resident"],
                          "hint": gettext("在谈 {count} 家").format(count=by_status["negotiating"]),
                          "url": reverse("registry:residency_list") + f"?status={Residency.Status.RESIDENT}"})
        for r in res.select_related("organization", "enclave").order_by("-updated_at")[:8]:
            out.recent.append({"time": r.updated_at,
                               "text": f"{r.organization} · {r.enclave} · {r.get_status_display()}",
                               "url": r.get_absolute_url()})


def organization_section(user, out) -> None:
    """An enterprise or institution user's home: its own record, labels, enclave residency."""
    org = Organization.objects.visible_to(user).filter(pk=user.organization_id).first()
    if org is None:
        return
    labels = list(OrganizationLabel.objects.visible_to(user).filter(organization=org).valid_on()
                  .select_related("label"))
    residencies = list(Residency.objects.visible_to(user).filter(organization=org).select_related("enclave"))
    mine = f"?organization={org.pk}"
    out.cards.append({"label": gettext("本单位"), "value": org.get_kind_display(), "hint": org.name,
                      "url": org.get_absolute_url()})
    if user.has_perm("registry.view_organizationlabel"):
        out.cards.append({"label": gettext("有效资质"), "value": len(labels),
                          "hint": "、".join(str(lb.label) for lb in labels) or gettext("暂无"),
                          "url": reverse("registry:organizationlabel_list") + f"{mine}&current=true"})
    if user.has_perm("registry.view_residency"):
        out.cards.append({"label": gettext("飞地入驻"), "value": len(residencies),
                          "hint": "、".join(f"{r.enclave.display_name}（{r.get_status_display()}）" for r in residencies)
                          or gettext("暂无"), "url": reverse("registry:residency_list") + mine})
    if user.has_perm("registry.view_person"):
        out.cards.append({"label": gettext("联系人"),
                          "value": Person.objects.visible_to(user).filter(organization=org).count(),
                          "hint": gettext("本单位登记的联系人"), "url": reverse("registry:person_list") + mine})
    out.recent += [{"time": r.updated_at, "text": f"{r.enclave} · {r.get_status_display()}",
                    "url": org.get_absolute_url()} for r in residencies]
