"""One record of each scoped model owned by zone A (or by enterprise A), for the outside-in
scope tests. A model reachable from a URL without a factory here fails those tests: add one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from feidi.accounts.models import ApiToken
from feidi.accounts.models import Department
from feidi.accounts.models import LoginLog
from feidi.accounts.models import Role
from feidi.accounts.models import SecurityPolicy
from feidi.accounts.models import User
from feidi.core import audit
from feidi.core.models import AuditRecord
from feidi.core.models import CalendarDay
from feidi.core.models import CalendarYear
from feidi.core.models import Delivery
from feidi.core.models import DictItem
from feidi.core.models import DictType
from feidi.core.models import ExportFile
from feidi.core.models import ImportJob
from feidi.core.models import Notification
from feidi.core.models import WebhookEndpoint
from feidi.registry.models import Agreement
from feidi.registry.models import Commitment
from feidi.registry.models import Organization
from feidi.registry.models import OrganizationLabel
from feidi.registry.models import Person
from feidi.registry.models import Residency
from feidi.registry.models import Zone


def _label(cast):
    item = DictItem.objects.get(type__code="org_label", code="high_tech")
    return OrganizationLabel.objects.create(organization=cast.org_a1, label=item, since=dt.date(2024, 1, 1),
                                            department=cast.dept_a)


def _agreement(cast):
    return Agreement.objects.create(title="甲区合作协议", party_a="上饶市", party_b="松江区", signed_on=dt.date(2024, 5, 1),
                                    department=cast.dept_a)


def _commitment(cast):
    return Commitment.objects.create(agreement=_agreement(cast), content="甲区共建孵化器", owner="上饶市",
                                     department=cast.dept_a)


def _audit(cast):
    return audit.record(AuditRecord.Action.UPDATE, cast.org_a1, user=cast.clerk, before={}, after={})


def _service_settings(cast):
    from feidi.services.models import ServiceSettings

    found = ServiceSettings.objects.filter(department=cast.dept_a).first()
    return found or ServiceSettings.objects.create(name="甲区服务设置", department=cast.dept_a, office_head=cast.clerk,
                                                   principal_leader=cast.leader)


def _service_group(cast):
    from feidi.services.models import ServiceGroup

    return ServiceGroup.objects.get_or_create(name="甲区第一服务组", department=cast.dept_a,
                                              defaults={"leader": cast.clerk})[0]


def _assignment(cast):
    from feidi.services.models import Assignment

    return Assignment.objects.get_or_create(organization=cast.org_a1, until=None, defaults={
        "cadre": cast.clerk, "group": _service_group(cast), "since": dt.date(2025, 1, 1),
        "department": cast.dept_a})[0]


def _appeal(cast):
    from feidi.services.actions import do_file_appeal
    from feidi.services.models import Appeal

    _service_settings(cast)
    _assignment(cast)
    category = DictItem.objects.get(type__code="appeal_category", code="land")
    return do_file_appeal(Appeal(organization=cast.org_a1, category=category, title="甲区用地诉求",
                                 content="厂房扩建用地指标"), acting_user=cast.ent_a)


def _visit(cast):
    from feidi.services.models import Visit

    return Visit.objects.create(organization=cast.org_a1, cadre=cast.clerk, visited_on=dt.date(2025, 4, 1),
                                notes="甲区走访：了解扩产计划", department=cast.dept_a)


def _service_factories():
    from feidi.services.models import Appeal
    from feidi.services.models import Assignment
    from feidi.services.models import ServiceGroup
    from feidi.services.models import ServiceSettings
    from feidi.services.models import Visit

    return {Appeal: _appeal, Assignment: _assignment, ServiceGroup: _service_group, ServiceSettings: _service_settings,
            Visit: _visit}


FACTORIES = {
    Zone: lambda c: c.zone_a,
    Organization: lambda c: c.org_a1,
    Person: lambda c: c.person_a1,
    Residency: lambda c: c.residency_a1,
    OrganizationLabel: _label,
    Agreement: _agreement,
    Commitment: _commitment,
    Department: lambda c: c.dept_a_bureau,
    User: lambda c: c.clerk,
    Role: lambda c: Role.objects.get(code="zone_clerk"),
    AuditRecord: _audit,
    LoginLog: lambda c: LoginLog.objects.create(username="clerk", user=c.clerk, result="success", address="10.0.0.1"),
    ExportFile: lambda c: ExportFile.objects.create(user=c.clerk, title="甲区导出", view_name="registry:organization_list"),
    ImportJob: lambda c: ImportJob.objects.create(user=c.clerk, kind="organizations", title="单位", filename="甲区单位.xlsx",
                                                  sha256="0" * 64, size=1, status="awaiting"),
    ApiToken: lambda c: ApiToken.issue(c.clerk, "甲区令牌")[0],
    DictItem: lambda c: DictItem.objects.create(type=DictType.objects.get(code="industry"), code="T1", label="甲区测试条目"),
    SecurityPolicy: lambda c: SecurityPolicy.current(),
    Notification: lambda c: Notification.objects.create(user=c.clerk, title="甲区消息", body="办理提醒"),
    WebhookEndpoint: lambda c: WebhookEndpoint.objects.create(name="甲区群机器人", kind="wecom", department=c.dept_a,
                                                              url="http://127.0.0.1:9/hook"),
    Delivery: lambda c: Delivery.objects.create(channel="email", recipient="clerk@example.cn", title="甲区投递",
                                                department=c.dept_a),
    CalendarDay: lambda c: CalendarDay.objects.create(date=dt.date(2026, 5, 6), is_workday=False, note="甲区调休"),
    CalendarYear: lambda c: CalendarYear.objects.create(year=2027, periods=[
        {"name": "元旦", "first": "2027-01-01", "last": "2027-01-01"}], workdays=[]),
}


def _policy_factories():
    from feidi.policies import models as pm

    def policy(cast):
        return pm.Policy.objects.get_or_create(title="甲区研发投入奖补政策", defaults={
            "issuer": "上饶经开区管委会", "issued_on": dt.date(2026, 1, 10), "department": cast.dept_a,
            "created_by": cast.clerk, "text": "甲区政策全文"})[0]

    def item(cast):
        return pm.PolicyItem.objects.get_or_create(title="甲区高企认定奖励", defaults={
            "policy": policy(cast), "number": "第三条", "mode": "apply", "period": "2026", "amount_kind": "fixed",
            "amount_fixed": 200000, "materials": "高新技术企业证书", "department": cast.dept_a,
            "created_by": cast.clerk})[0]

    def condition(cast):
        label = DictItem.objects.get(type__code="org_label", code="high_tech")
        return pm.Condition.objects.get_or_create(item=item(cast), kind="label", defaults={"label": label})[0]

    def match(cast):
        from django.utils import timezone

        return pm.Match.objects.get_or_create(item=item(cast), organization=cast.org_a1, defaults={
            "status": "qualified", "estimated_amount": 200000, "computed_at": timezone.now(),
            "department": cast.dept_a})[0]

    def application(cast):
        return pm.Application.objects.get_or_create(item=item(cast), organization=cast.org_a1, period="2026", defaults={
            "amount": 200000, "department": cast.dept_a, "handling_department": cast.dept_a, "created_by": cast.ent_a,
            "note": "甲区申报"})[0]

    def payment(cast):
        return pm.Payment.objects.get_or_create(item=item(cast), organization=cast.org_a1, period="2025", defaults={
            "amount": 200000, "department": cast.dept_a, "created_by": cast.clerk})[0]

    return {pm.Policy: policy, pm.PolicyItem: item, pm.Condition: condition, pm.Match: match,
            pm.Application: application, pm.Payment: payment}


def all_factories() -> dict:
    """Every model with a factory: ``{model: factory(cast) → a row of zone A}``."""
    return {**FACTORIES, **_service_factories(), **_project_factories(), **_indicator_factories(),
            **_techmarket_factories(), **_policy_factories(), **_intel_factories()}


def make_for(model, cast):
    try:
        factory = all_factories()[model]
    except KeyError:
        raise LookupError(f"no factory for {model.__name__}: add one to feidi/testing/factories.py") from None
    return factory(cast)


# --- chains and projects ----------------------------------------------------------------------------

def _chain(cast):
    from feidi.chains.models import Chain

    return Chain.objects.get_or_create(name="甲区锂电", department=cast.dept_a, defaults={"leader": cast.leader})[0]


def _segment(cast):
    from feidi.chains.models import Segment

    return Segment.objects.get_or_create(chain=_chain(cast), name="甲区电芯", defaults={"department": cast.dept_a,
                                                                                    "order": 3})[0]


def _segment_member(cast):
    from feidi.chains.models import SegmentMember

    return SegmentMember.objects.get_or_create(segment=_segment(cast), organization=cast.org_a1,
                                               defaults={"department": cast.dept_a, "note": "甲区配套"})[0]


def _target(cast):
    from feidi.chains.models import Target

    return Target.objects.get_or_create(segment=_segment(cast), organization=cast.institution, defaults={
        "department": cast.dept_a, "reason": "甲区补链目标：正极材料龙头"})[0]


def _project(cast):
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Project

    found = Project.objects.filter(name="甲区动力电池项目").first()
    return found or do_save_project(Project(name="甲区动力电池项目", zone=cast.zone_a, investor="甲区投资方",
                                            owner=cast.invest, leader=cast.leader, is_key=True, key_level="city",
                                            planned_investment=500_000_000), acting_user=cast.invest)


def _signed_project(cast):
    """The factory project, signed (investment is completed by a signed project)."""
    from feidi.projects.models import Project
    from feidi.projects.models import Stage

    project = _project(cast)
    if project.stage != Stage.SIGNED:
        Project.objects.filter(pk=project.pk).update(stage=Stage.SIGNED, signed_on=dt.date(2026, 1, 15))
        project.refresh_from_db()
    return project


def _part(model, project=_project, **fields):
    def make(cast):
        return model.objects.create(project=project(cast), department=cast.dept_a, **fields)

    return make


def _project_factories():
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember
    from feidi.chains.models import Target
    from feidi.projects import models as pm

    return {
        Chain: _chain, Segment: _segment, SegmentMember: _segment_member, Target: _target, pm.Project: _project,
        pm.InvestmentTrip: lambda c: pm.InvestmentTrip.objects.create(
            set_out_on=dt.date(2025, 3, 1), destination="甲区深圳", leader=c.leader, department=c.dept_a),
        pm.AnnualPlan: _part(pm.AnnualPlan, year=2026, planned_investment=100_000_000),
        pm.MonthlyInvestment: _part(pm.MonthlyInvestment, project=_signed_project, month=dt.date(2026, 3, 1),
                                    amount=5_000_000,
                                    note="甲区主体封顶"),
        pm.Milestone: _part(pm.Milestone, name="甲区主体封顶", planned_on=dt.date(2026, 6, 30)),
        pm.Problem: lambda c: _part(pm.Problem, description="甲区用电增容", owner_department=c.dept_a_bureau,
                                    deadline=dt.date(2026, 7, 1))(c),
        pm.Dispatch: lambda c: pm.Dispatch.objects.get_or_create(
            department=c.dept_a, week_start=dt.date(2026, 11, 23), defaults={"title": "甲区第48周调度会"})[0],
        pm.Task: lambda c: _part(pm.Task, decision="甲区协调电力公司增容", owner_department=c.dept_a_bureau,
                                 deadline=dt.date(2026, 12, 1))(c),
        pm.Alert: lambda c: pm.Alert.objects.create(project=_project(c), department=c.dept_a, rule="milestone",
                                                    subject="1", message="甲区节点逾期"),
        pm.Report: _report,
        pm.StageGate: lambda c: pm.StageGate.objects.get_or_create(department=c.dept_a, stage="signed", defaults={
            "required_evidence": ["甲区投资协议"]})[0],
        pm.ProjectSettings: lambda c: pm.ProjectSettings.objects.get_or_create(
            department=c.dept_a, defaults={"name": "甲区调度设置"})[0],
    }


def _report(cast):
    from django.core.files.base import ContentFile

    from feidi.projects.models import Report

    report = Report(year=2026, number=1, title="甲区重点项目专报", as_of=dt.date(2026, 11, 15), department=cast.dept_a)
    report.docx.save("a.docx", ContentFile(b"PK\x03\x04"), save=False)
    report.xlsx.save("a.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    report.save()
    return report


def _indicator_factories():
    import datetime as dt
    from decimal import Decimal

    from feidi.indicators.actions import _row
    from feidi.indicators.actions import bulk_upsert
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue

    def value(cast):  # written as every path writes a value: the month's cells follow
        revenue = Indicator.objects.get(code="revenue")
        bulk_upsert([_row(cast.org_a1, revenue, dt.date(2026, 3, 1), Decimal("123456789"), acting_user=cast.ent_a,
                          source="enterprise")])
        return IndicatorValue.objects.get(organization=cast.org_a1, indicator=revenue, period=dt.date(2026, 3, 1))

    def rule(cast):
        from feidi.indicators.models import MuRule

        return MuRule.objects.get_or_create(department=cast.dept_a, year=2025)[0]

    def result(cast):
        from feidi.indicators.models import MuResult

        return MuResult.objects.create(rule=rule(cast), organization=cast.org_a1, department=cast.dept_a,
                                       zone=cast.zone_a, land=10, tax=1, revenue=1, rd=0, m_tax=1, m_output=1, m_rd=0,
                                       score=50, grade="D")

    def ranking_rule(cast):
        from feidi.indicators.models import RankingRule

        return RankingRule.objects.get_or_create(department=cast.dept_a, name="甲区月调度排名")[0]

    def ranking_run(cast):
        from feidi.indicators.models import RankingRun

        return RankingRun.objects.get_or_create(rule=ranking_rule(cast), month=dt.date(2026, 10, 1),
                                                defaults={"department": cast.dept_a})[0]

    from feidi.indicators.models import BenefitShare
    from feidi.indicators.models import MuResult
    from feidi.indicators.models import MuRule
    from feidi.indicators.models import RankingRule
    from feidi.indicators.models import RankingRun
    from feidi.indicators.models import RegionFigure
    from feidi.indicators.models import ZoneFigure

    def benefit_share(cast):
        return BenefitShare.objects.create(agreement=_agreement(cast), organization=cast.org_a1, home_zone=cast.zone_a,
                                           enclave_zone=cast.enclave, output_share_home=60, tax_share_home=50,
                                           since=dt.date(2026, 1, 1), department=cast.dept_a)

    def zone_figure(cast):
        return ZoneFigure.objects.create(zone=cast.zone_a, indicator=Indicator.objects.get(code="revenue"),
                                         period=dt.date(2026, 3, 1), value=1, source="甲区公报")

    def region_figure(cast):
        return RegionFigure.objects.create(name="上饶市", region_code="361100", indicator=Indicator.objects.get(code="revenue"),
                                           period=dt.date(2026, 3, 1), value=10, source="甲市统计月报")

    return {Indicator: lambda c: Indicator.objects.get(code="revenue"), IndicatorValue: value, MuRule: rule,
            MuResult: result, RankingRule: ranking_rule, RankingRun: ranking_run, ZoneFigure: zone_figure,
            RegionFigure: region_figure, BenefitShare: benefit_share}


# --- technology market ------------------------------------------------------------------------------
# Zone A's records in states nobody else may see (drafts, an unpublished auction), of enterprise A
# and of the institution 甲研究院, so another zone, another enterprise and another institution
# (the cast's ``inst``) are the outsiders.

def _techmarket_factories():
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from feidi.auctions import models as au
    from feidi.challenges import models as ch
    from feidi.techmarket import models as tm

    def field():
        return DictItem.objects.get(type__code="tech_field", code="photovoltaic")

    def demand(cast):
        return tm.Demand.objects.get_or_create(title="甲区钙钛矿叠层电池封装需求", defaults={
            "organization": cast.org_a1, "description": "甲区需求：叠层组件湿热老化后效率衰减小于5%", "field": field(),
            "department": cast.dept_a, "created_by": cast.ent_a})[0]

    def supply(cast):
        return tm.Supply.objects.get_or_create(title="甲研究院柔性封装胶膜技术", defaults={
            "organization": cast.institution_a, "description": "甲研究院成果：低水汽透过率封装胶膜", "field": field(),
            "department": cast.dept_a, "created_by": cast.inst_a})[0]

    def push(cast):
        return tm.Push.objects.get_or_create(demand=demand(cast), supply=supply(cast), defaults={
            "direction": "to_supplier", "score": 1.0, "rank": 1, "reasons": {"terms": ["封装"]},
            "department": cast.dept_a})[0]

    def talent(cast):
        return tm.Talent.objects.get_or_create(person=cast.person_a1, defaults={
            "field": field(), "employer": cast.org_a1, "enclave": cast.enclave, "department": cast.dept_a,
            "note": "甲区引进人才"})[0]

    def challenge(cast):
        return ch.Challenge.objects.get_or_create(title="甲区叠层封装揭榜", defaults={
            "demand": demand(cast), "bounty": Decimal("5000000"), "deadline": dt.date(2026, 12, 31),
            "criteria": [{"name": "技术先进性", "weight": 60}, {"name": "团队实力", "weight": 40}],
            "department": cast.dept_a, "created_by": cast.tech})[0]

    def application(cast):
        return ch.Application.objects.get_or_create(challenge=challenge(cast), applicant=cast.institution_a, defaults={
            "proposal": "甲研究院揭榜方案：原子层沉积阻隔层", "department": cast.dept_a, "created_by": cast.inst_a})[0]

    def review(cast):
        return ch.Review.objects.get_or_create(application=application(cast), expert=cast.expert, defaults={
            "scores": {"技术先进性": 80, "团队实力": 70}, "total": Decimal("76"), "comment": "甲区评审意见",
            "department": cast.dept_a})[0]

    def joint_project(cast):
        project, created = ch.JointProject.objects.get_or_create(title="甲区叠层封装联合攻关", defaults={
            "budget": Decimal("5000000"), "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2027, 12, 31),
            "department": cast.dept_a, "created_by": cast.tech})
        if created:
            ch.JointParty.objects.create(project=project, organization=cast.org_a1, role="demander")
            ch.JointParty.objects.create(project=project, organization=cast.institution_a, role="lead")
        return project

    def auction(cast):
        return au.Auction.objects.get_or_create(title="甲区成果拍卖会", defaults={
            "department": cast.dept_a, "created_by": cast.tech})[0]

    def lot(cast):
        now = timezone.now()
        return au.Lot.objects.get_or_create(title="甲研究院封装专利包", defaults={
            "auction": auction(cast), "supply": supply(cast), "start_price": Decimal("1000000"),
            "reserve_price": Decimal("1500000"), "increment": Decimal("50000"), "opens_at": now,
            "closes_at": now + dt.timedelta(hours=2), "scheduled_close": now + dt.timedelta(hours=2),
            "department": cast.dept_a, "created_by": cast.tech})[0]

    def registration(cast):
        return au.Registration.objects.get_or_create(auction=auction(cast), organization=cast.org_a1, defaults={
            "number": "A001", "department": cast.dept_a})[0]

    def bid(cast):
        found = au.Bid.objects.filter(lot=lot(cast)).first()
        return found or au.Bid.objects.create(lot=lot(cast), seq=1, bidder=cast.org_a1, registration=registration(cast),
                                              user=cast.ent_a, amount=Decimal("1000000"), placed_at=timezone.now())

    return {
        tm.Demand: demand, tm.Supply: supply, tm.Push: push, tm.Talent: talent, ch.Challenge: challenge,
        ch.Application: application, ch.Review: review, ch.JointProject: joint_project,
        ch.JointParty: lambda c: joint_project(c).parties.get(role="lead"),
        ch.JointMilestone: lambda c: ch.JointMilestone.objects.get_or_create(
            project=joint_project(c), title="甲区中试线验证", defaults={"due_on": dt.date(2026, 9, 30)})[0],
        au.Auction: auction, au.Lot: lot, au.Registration: registration, au.Bid: bid,
        tm.ThesaurusEntry: lambda c: tm.ThesaurusEntry.objects.get_or_create(chain="甲区光伏", term="甲区叠层封装", defaults={
            "equivalents": "甲区封装胶膜", "department": c.dept_a, "created_by": c.tech})[0],
    }


def _intel_factories():
    from feidi.intel.models import NewsItem
    from feidi.intel.models import Source
    from feidi.intel.models import Status

    def news_item(cast):
        from feidi.intel import dedup

        text = "甲区锂电企业拟投资12亿元扩产电芯"
        return NewsItem.objects.get_or_create(title="甲区情报：扩产电芯", defaults={
            "text": text, "published_on": timezone.localdate(), "source": "甲区日报", "department": cast.dept_a_bureau,
            "created_by": cast.invest, "content_hash": dedup.content_hash(text), "status": Status.NEW, "score": 45,
            "org_name": "甲区锂电企业", "event_type": "扩产", "chain_name": "锂电", "amount": Decimal("1200000000"),
            "extraction": {"orgs": [{"kind": "org", "text": "甲区锂电企业", "start": 0, "end": 6, "value": "", "by": "模型"}],
                           "amounts": [{"kind": "amount", "text": "12亿元", "start": 9, "end": 13, "value": "1200000000",
                                        "by": "规则", "extra": {"currency": "元"}}], "offset": 0},
            "reasons": [{"code": "amount_big", "points": 20, "text": "金额大：{amount}亿元", "args": {"amount": "12"}}]})[0]

    def source(cast):
        return Source.objects.get_or_create(name="甲区内网新闻", defaults={
            "kind": Source.Kind.FEED, "location": "http://news.zone-a.local/feed.xml", "department": cast.dept_a_bureau,
            "created_by": cast.invest})[0]

    return {NewsItem: news_item, Source: source}
