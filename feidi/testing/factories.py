"""One record of each scoped model owned by zone A (or by enterprise A), for the outside-in
scope tests. A model reachable from a URL without a factory here fails those tests: add one."""

from __future__ import annotations

import datetime as dt

from feidi.accounts.models import ApiToken, Department, LoginLog, Role, SecurityPolicy, User
from feidi.core import audit
from feidi.core.models import (
    AuditRecord,
    CalendarDay,
    Delivery,
    DictItem,
    DictType,
    ExportFile,
    Notification,
    WebhookEndpoint,
)
from feidi.registry.models import (
    Agreement,
    Commitment,
    Organization,
    OrganizationLabel,
    Person,
    Residency,
    Zone,
)


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
    from feidi.services.models import Appeal, Assignment, ServiceGroup, ServiceSettings, Visit

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
    ApiToken: lambda c: ApiToken.issue(c.clerk, "甲区令牌")[0],
    DictItem: lambda c: DictItem.objects.create(type=DictType.objects.get(code="industry"), code="T1", label="甲区测试条目"),
    SecurityPolicy: lambda c: SecurityPolicy.current(),
    Notification: lambda c: Notification.objects.create(user=c.clerk, title="甲区消息", body="办理提醒"),
    WebhookEndpoint: lambda c: WebhookEndpoint.objects.create(name="甲区群机器人", kind="wecom", department=c.dept_a,
                                                              url="http://127.0.0.1:9/hook"),
    Delivery: lambda c: Delivery.objects.create(channel="email", recipient="clerk@example.cn", title="甲区投递",
                                                department=c.dept_a),
    CalendarDay: lambda c: CalendarDay.objects.create(date=dt.date(2026, 5, 6), is_workday=False, note="甲区调休"),
}


def make_for(model, cast):
    try:
        factory = {**FACTORIES, **_service_factories()}[model]
    except KeyError:
        raise LookupError(f"no factory for {model.__name__}: add one to feidi/testing/factories.py") from None
    return factory(cast)
