"""Demo enterprise service: the 经开区's escalation chain, three service groups, every enterprise
of the zone linked to a cadre, and appeals in each state. All sample (示例)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from feidi.accounts.models import Department
from feidi.accounts.models import User
from feidi.core.models import DictItem
from feidi.registry.models import Organization
from feidi.registry.models import Zone
from feidi.services import actions
from feidi.services.models import Appeal

from . import build
from .city import DEPT_ETDZ
from .city import ZONE_ETDZ

APPEALS = [
    ("land", "二期厂房扩建用地指标", "二期扩产项目需新增工业用地约60亩，请协调用地指标与供地时序。"),
    ("labor", "春节后一线工人招工缺口", "节后返岗不足，缺少操作工约200人，请协助对接人社部门与职业院校。"),
    ("finance", "技改项目贷款贴息申请", "设备更新技改贷款3000万元，申请技改贴息政策，请告知办理流程。"),
    ("approval", "新建车间消防验收", "新建车间已完工，申请加快消防验收，以免影响投产。"),
    ("utilities", "双回路供电改造", "生产线对供电稳定性要求高，申请双回路供电改造。"),
    ("policy", "高新技术企业奖励兑现", "去年认定高新技术企业的奖励资金尚未到账。"),
    ("logistics", "园区道路货车限行", "园区东路限行影响原材料进厂，请协调通行时段。"),
]


def load() -> dict:
    created = {"服务小组": 0, "挂点": 0, "诉求": 0}
    dept = Department.objects.filter(name=DEPT_ETDZ).first()
    zone = Zone.objects.filter(name=ZONE_ETDZ).first()
    service, leader, cadre = (User.objects.filter(username=u).first() for u in ("service", "leader", "cadre"))
    if None in (dept, zone, service, leader, cadre):
        return created
    build.service_settings.ensure(created, name="上饶经开区企业服务", department=dept, office_head=service,
                                  principal_leader=leader)
    groups = [build.service_group.ensure(created, name=area, area=area[6:-1], leader=service, department=dept)
              for area in ("第一服务小组（光伏片区）", "第二服务小组（锂电与汽车片区）", "第三服务小组（光电片区）")]
    orgs = list(Organization.objects.filter(zone=zone, kind=Organization.Kind.ENTERPRISE).order_by("uscc"))
    assigned = build.assignment.existing(until__isnull=True)
    for i, org in enumerate(orgs):
        build.assignment.ensure(created, have=assigned, organization=org, cadre=cadre, group=groups[i % 3],
                                since=dt.date(2025, 1, 2), department=org.department)
    if Appeal.objects.filter(organization__zone=zone).exists():
        return created
    rng = random.Random(2025)
    categories = {i.code: i for i in DictItem.objects.filter(type__code="appeal_category")}
    steps = ["submitted", "accepted", "handling", "closed", "rated", "overdue", "handling"]
    for (code, title, content), step, org in zip(APPEALS, steps, rng.sample(orgs, len(APPEALS)), strict=False):
        appeal = build.appeal.make(created, acting_user=cadre, organization=org, category=categories[code],
                                   title=title, content=content)
        if step == "submitted":
            continue
        appeal = actions.do_accept_appeal(appeal, acting_user=cadre)
        if step == "overdue":
            # Accepted long ago and never handled: the sweep has raised it.
            Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.now() - dt.timedelta(days=1))
            actions.escalate_one(appeal.pk)
            continue
        if step in ("handling", "closed", "rated"):
            appeal = actions.do_start_appeal(appeal, acting_user=cadre)
            actions.do_reply_appeal(appeal, "已与相关部门对接，正在协调。", public=True, acting_user=cadre)
        if step in ("closed", "rated"):
            appeal = actions.do_close_appeal(appeal, "已协调相关部门办结。", acting_user=cadre)
    return created
