"""Demo 惠企政策 of the 经开区 (all 示例: the documents, numbers and amounts are invented in the
style of Jiangxi zones' support measures): R&D, 规上 entry and growth, 专精特新, enclave
incubation landing at home, talent. Matched against the demo enterprises; one 免申即享 list is
confirmed and one application is under review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from feidi.accounts.models import Department
from feidi.accounts.models import User
from feidi.core.models import DictItem
from feidi.indicators.engine import add_months
from feidi.indicators.models import Indicator
from feidi.policies import actions
from feidi.policies import matching
from feidi.policies.models import Application
from feidi.policies.models import Match
from feidi.policies.models import Payment
from feidi.policies.models import Policy
from feidi.policies.models import PolicyItem

from . import build
from .city import DEPT_ETDZ

WAN = Decimal(10000)


def _policies(today: dt.date) -> list[dict]:
    year = today.year
    december = dt.date(year - 1, 12, 1)  # last year's whole-year cumulative
    last = add_months(today.replace(day=1), -1)
    return [
        {"title": "上饶经开区支持企业研发创新若干措施（示例）", "issuer": "上饶经开区管委会",
         "number": f"饶经开发〔{year}〕3号（示例）", "issued_on": dt.date(year, 2, 18), "indicator": "rd",
         "text": "为深入实施创新驱动发展战略，鼓励企业加大研发投入，结合本区实际，制定如下措施（示例文本）。\n"
                 "第三条 对首次认定或重新认定的高新技术企业，给予一次性奖励20万元，免申即享。\n"
                 "第五条 对规上工业企业上年度研发投入达500万元以上的，按研发投入的10%给予后补助，最高100万元。",
         "items": [
             {"number": "第三条", "title": "高新技术企业认定奖励", "mode": "exempt", "amount_kind": "fixed",
              "amount_fixed": 20 * WAN, "content": "对首次认定或重新认定的高新技术企业，给予一次性奖励20万元。",
              "conditions": [{"kind": "label", "label": "high_tech"}]},
             {"number": "第五条", "title": "研发投入后补助", "mode": "apply", "amount_kind": "rate",
              "amount_rate": Decimal("10"), "amount_indicator": "rd", "amount_month": december,
              "amount_cap": 100 * WAN, "materials": "上年度研发费用专项审计报告\n研发项目立项文件",
              "content": "规上工业企业上年度研发投入达500万元以上的，按研发投入的10%给予后补助，最高100万元。",
              "conditions": [{"kind": "label", "label": "above_scale"},
                             {"kind": "indicator_min", "indicator": "rd", "month": december,
                              "min_value": 500 * WAN}]},
         ]},
        {"title": "上饶经开区促进工业企业上规模提质效奖励办法（示例）", "issuer": "上饶经开区管委会",
         "number": f"饶经开发〔{year}〕7号（示例）", "issued_on": dt.date(year, 3, 6), "indicator": "revenue",
         "text": "为壮大规上工业企业队伍，推动企业专精特新发展（示例文本）。",
         "items": [
             {"number": "第二条", "title": "新升规企业奖励", "mode": "exempt", "amount_kind": "fixed",
              "amount_fixed": 10 * WAN, "content": "对首次纳入规上工业统计的企业，给予奖励10万元。",
              "conditions": [{"kind": "label", "label": "above_scale"},
                             {"kind": "text", "text": "首次纳入规上工业统计（以统计部门名录为准）"}]},
             {"number": "第四条", "title": "专精特新中小企业奖励", "mode": "exempt", "amount_kind": "fixed",
              "amount_fixed": 30 * WAN, "content": "对认定为省级专精特新中小企业的，给予奖励30万元。",
              "conditions": [{"kind": "label", "label": "specialized"}]},
             {"number": "第六条", "title": "营业收入增长奖励", "mode": "apply", "amount_kind": "rate",
              "amount_rate": Decimal("0.2"), "amount_indicator": "revenue", "amount_month": december,
              "amount_cap": 50 * WAN, "materials": "上年度财务报表",
              "content": "规上工业企业营业收入同口径增长15%以上的，按上年营业收入的0.2%给予奖励，最高50万元。",
              "conditions": [{"kind": "label", "label": "above_scale"},
                             {"kind": "indicator_growth", "indicator": "revenue", "month": last,
                              "min_growth": Decimal("15")}]},
         ]},
        {"title": "上饶经开区支持“双向飞地”孵化项目回归落地及引才政策（示例）", "issuer": "上饶经开区管委会",
         "number": f"饶经开发〔{year}〕11号（示例）", "issued_on": dt.date(year, 4, 20), "indicator": "revenue",
         "text": "坚持“研发孵化在长三角、转移转化在上饶”，支持飞地孵化项目回本地产业化（示例文本）。",
         "items": [
             {"number": "第三条", "title": "飞地孵化项目回归落地奖励", "mode": "apply", "amount_kind": "fixed",
              "amount_fixed": 50 * WAN, "materials": "飞地孵化协议\n本地落地项目投资协议",
              "content": "在我区飞地孵化并回本区落户投产的制造业企业，给予落地奖励50万元。",
              "conditions": [{"kind": "industry", "industry": "C"}, {"kind": "enclave_landed"}]},
             {"number": "第五条", "title": "引进高层次人才安家补贴", "mode": "apply", "amount_kind": "fixed",
              "amount_fixed": 5 * WAN, "materials": "人才引进协议\n社保缴纳证明",
              "content": "企业通过飞地引进高层次人才的，每家企业给予安家补贴5万元。",
              "conditions": [{"kind": "talent", "min_count": 1}]},
         ]},
    ]


def _landed(dept) -> None:
    """Two of the zone's manufacturers were incubated in its 科创飞地 and came home (示例), so the
    landing award has enterprises to find."""
    from feidi.core.actions import create_object
    from feidi.registry.models import Organization
    from feidi.registry.models import Residency
    from feidi.registry.models import Zone

    from .city import ENCLAVE_TECH
    from .city import ZONE_ETDZ

    enclave = Zone.objects.filter(name=ENCLAVE_TECH).first()
    if enclave is None:
        return
    orgs = (Organization.objects.filter(zone__name=ZONE_ETDZ, kind=Organization.Kind.ENTERPRISE,
                                        industry_code__startswith="C")
            .exclude(residencies__enclave=enclave).order_by("uscc")[:2])
    for org in orgs:
        create_object(Residency(organization=org, enclave=enclave, status=Residency.Status.EXITED,
                                entered_on=dt.date(2023, 3, 1), exited_on=dt.date(2025, 5, 1),
                                note="在科创飞地孵化后回经开区落地投产（示例）", department=org.department,
                                sample=True), acting_user=None)


def load() -> dict:
    created = {"惠企政策": 0, "政策条款": 0, "政策匹配": 0, "政策兑现": 0, "政策申报": 0}
    dept = Department.objects.filter(name=DEPT_ETDZ).first()
    office = User.objects.filter(username="policy").first()
    if dept is None or office is None or Policy.objects.filter(department=dept).exists():
        return created
    today = timezone.localdate()
    indicators = {i.code: i for i in Indicator.objects.all()}
    labels = {i.code: i for i in DictItem.objects.filter(type__code="org_label")}
    for spec in _policies(today):
        policy = build.policy.make(
            created, acting_user=office, title=spec["title"], issuer=spec["issuer"], number=spec["number"],
            issued_on=spec["issued_on"], effective_from=spec["issued_on"],
            effective_until=dt.date(today.year + 2, 12, 31), text=spec["text"],
            target_indicator=indicators.get(spec["indicator"]), department=dept)
        for it in spec["items"]:
            item = build.policy_item.make(
                created, acting_user=office, policy=policy, number=it["number"], title=it["title"], mode=it["mode"],
                period=str(today.year), amount_kind=it["amount_kind"], amount_fixed=it.get("amount_fixed"),
                amount_rate=it.get("amount_rate"), amount_indicator=indicators.get(it.get("amount_indicator", "")),
                amount_month=it.get("amount_month"), amount_cap=it.get("amount_cap"),
                materials=it.get("materials", ""), content=it["content"])
            for order, c in enumerate(it["conditions"]):
                build.condition.make(
                    created, acting_user=office, item=item, kind=c["kind"], label=labels.get(c.get("label", "")),
                    industry=c.get("industry", ""), indicator=indicators.get(c.get("indicator", "")),
                    month=c.get("month"), min_value=c.get("min_value"), min_growth=c.get("min_growth"),
                    min_count=c.get("min_count", 1), text=c.get("text", ""), order=order)
    _landed(dept)
    # matched now (the jobs the saves asked for would do the same after commit)
    matching.refresh_all(push=False)
    created["政策匹配"] = Match.objects.filter(item__policy__department=dept).count()
    # the 高企 award's 免申即享 list, confirmed by the policy office
    award = PolicyItem.objects.filter(policy__department=dept, title="高新技术企业认定奖励").first()
    if award is not None:
        created["政策兑现"] = actions.do_build_payment_list(award, acting_user=office)
        actions.do_confirm_payments(Payment.objects.filter(item=award), acting_user=office)
    # one application for the R&D subsidy, accepted and waiting for review
    rd_item = PolicyItem.objects.filter(policy__department=dept, title="研发投入后补助").first()
    match = Match.objects.filter(item=rd_item, status=Match.Status.QUALIFIED).order_by("organization__uscc").first()
    if match is not None:
        app = actions.do_apply(Application(item=rd_item, organization=match.organization, sample=True,
                                           materials={m: "已上传（示例）" for m in rd_item.material_list()}),
                               acting_user=office)
        actions.do_advance_application(app, "材料齐全，予以受理（示例）", acting_user=office)
        created["政策申报"] = 1
    return created
