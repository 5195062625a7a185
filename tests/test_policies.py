"""惠企政策: conditions as sets, matching (符合 / 差一项 with the missing condition, the estimated
amount), 免申即享 lists, applications step by step with working-day limits and escalation, payments
once per period, the effect, the enterprise's own page, the API, and the scope from outside."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from feidi.core.models import DictItem
from feidi.core.models import Notification
from feidi.indicators.actions import bulk_upsert
from feidi.indicators.models import Indicator
from feidi.indicators.models import IndicatorValue
from feidi.policies import actions
from feidi.policies import matching
from feidi.policies.models import Application
from feidi.policies.models import Condition
from feidi.policies.models import Match
from feidi.policies.models import Payment
from feidi.policies.models import Policy
from feidi.policies.models import PolicyItem
from feidi.registry.models import OrganizationLabel
from feidi.registry.models import Residency

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def _label(org, code, since=dt.date(2025, 1, 1), until=None):
    return OrganizationLabel.objects.create(organization=org, label=DictItem.objects.get(type__code="org_label", code=code),
                                            since=since, until=until, department=org.department)


def _value(org, code, period, value):
    ind = Indicator.objects.get(code=code)
    bulk_upsert([IndicatorValue(organization=org, indicator=ind, period=period, value=Decimal(value),
                                department_id=org.department_id, zone_id=org.zone_id, industry="38", source="staff")])


@pytest.fixture
def officer(cast):
    from feidi.testing.cast import _user

    return _user("policy", "甲区政策办", roles=["policy_office"], department=cast.dept_a)


@pytest.fixture
def item(cast, officer):
    policy = actions.do_save_policy(Policy(title="研发奖补", issuer="上饶经开区管委会", issued_on=dt.date(2026, 1, 5),
                                           department=cast.dept_a, target_indicator=Indicator.objects.get(code="rd")),
                                    acting_user=officer)
    it = actions.do_save_item(PolicyItem(policy=policy, number="第五条", title="高企研发投入奖补", period="2026",
                                         mode=PolicyItem.Mode.APPLY, amount_kind=PolicyItem.AmountKind.RATE,
                                         amount_rate=Decimal("10"), amount_indicator=Indicator.objects.get(code="rd"),
                                         amount_month=dt.date(2025, 12, 1), amount_cap=Decimal("500000"),
                                         materials="研发费用专项审计报告\n高新技术企业证书", step_days=3),
                              acting_user=officer)
    label = DictItem.objects.get(type__code="org_label", code="high_tech")
    for c in (Condition(item=it, kind="label", label=label, on=TODAY),
              Condition(item=it, kind="indicator_min", indicator=Indicator.objects.get(code="rd"),
                        month=dt.date(2025, 12, 1), min_value=Decimal("1000000")),
              Condition(item=it, kind="industry", industry="C38")):
        actions.do_save_condition(c, acting_user=officer)
    return it


def test_an_item_matches_as_sets_with_the_missing_condition_and_the_capped_amount(cast, item):
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "8000000")  # 10% = 800,000 → capped at 500,000
    _value(cast.org_a2, "rd", dt.date(2025, 12, 1), "2000000")  # not 高企: all conditions but one
    _label(cast.org_b1, "high_tech")
    _value(cast.org_b1, "rd", dt.date(2025, 12, 1), "9000000")  # another zone: never reached
    found = matching.refresh_item(item, today=TODAY)
    assert found == {"qualified": 1, "partial": 1, "new": 1}
    a1 = Match.objects.get(item=item, organization=cast.org_a1)
    assert a1.status == "qualified" and a1.estimated_amount == Decimal("500000")
    a2 = Match.objects.get(item=item, organization=cast.org_a2)
    assert a2.status == "partial" and a2.missing.kind == "label" and a2.estimated_amount == Decimal("200000")
    assert not Match.objects.filter(organization=cast.org_b1).exists()
    # the enterprise is told once (a second run adds nobody new)
    assert Notification.objects.filter(user=cast.ent_a, title__contains="高企研发投入奖补").count() == 1
    assert matching.refresh_item(item, today=TODAY)["new"] == 0


def test_an_enterprise_outside_an_items_gates_is_not_one_condition_short(cast, item, officer):
    """Industry and zone are what an enterprise is: outside them it does not nearly qualify."""
    from feidi.registry.models import Organization

    Organization.objects.filter(pk=cast.org_a2.pk).update(industry_code="I6510")  # software, not C38
    _label(cast.org_a1, "high_tech")  # C38, the label, no value: one short — the value it can reach
    _label(cast.org_a2, "high_tech")
    _value(cast.org_a2, "rd", dt.date(2025, 12, 1), "2000000")  # all but the industry: nothing
    assert matching.refresh_item(item, today=TODAY) == {"qualified": 0, "partial": 1, "new": 0}
    a1 = Match.objects.get(item=item)
    assert a1.organization == cast.org_a1 and a1.missing.kind == "indicator_min"
    # an item of one gate and one attainable condition: one short is the attainable one only
    Condition.objects.filter(item=item).exclude(kind__in=["label", "industry"]).delete()
    Condition.objects.filter(item=item, kind="industry").update(kind="zone", industry="", zone=cast.zone_a)
    Organization.objects.filter(pk=cast.org_a2.pk).update(industry_code="C3825")
    OrganizationLabel.objects.filter(organization=cast.org_a2).delete()
    _label(cast.org_b1, "high_tech")  # the label in another zone: outside the gate
    assert matching.refresh_item(item, today=TODAY, push=False) == {"qualified": 1, "partial": 1, "new": 0}
    a2 = Match.objects.get(item=item, organization=cast.org_a2)
    assert a2.status == "partial" and a2.missing.kind == "label"
    # gates alone: everyone inside qualifies, nobody is one short
    Condition.objects.filter(item=item, kind="label").delete()
    assert matching.refresh_item(item, today=TODAY, push=False)["partial"] == 0


def test_a_label_held_on_the_day_counts_and_an_expired_one_does_not(cast, item):
    _label(cast.org_a1, "high_tech", since=dt.date(2022, 1, 1), until=dt.date(2025, 12, 31))
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "2000000")
    matching.refresh_item(item, today=TODAY)
    assert Match.objects.get(organization=cast.org_a1).status == "partial"


def test_growth_on_a_comparable_basis_and_free_text_needs_a_person(cast, item, officer):
    Condition.objects.filter(item=item).delete()
    revenue = Indicator.objects.get(code="revenue")
    actions.do_save_condition(Condition(item=item, kind="indicator_growth", indicator=revenue,
                                        month=dt.date(2026, 3, 1), min_growth=Decimal("20")), acting_user=officer)
    actions.do_save_condition(Condition(item=item, kind="text", text="近三年无安全生产事故"), acting_user=officer)
    _value(cast.org_a1, "revenue", dt.date(2025, 3, 1), "100")
    _value(cast.org_a1, "revenue", dt.date(2026, 3, 1), "130")  # +30%
    _value(cast.org_a2, "revenue", dt.date(2025, 3, 1), "100")
    _value(cast.org_a2, "revenue", dt.date(2026, 3, 1), "110")  # +10%
    _value(cast.org_b1, "revenue", dt.date(2026, 3, 1), "900")  # no comparable month: not a growth
    matching.refresh_item(item, today=TODAY)
    rows = {m.organization_id: m for m in Match.objects.filter(item=item)}
    assert set(rows) == {cast.org_a1.pk} and rows[cast.org_a1.pk].needs_check


def test_enclave_incubated_and_landed_at_home(cast, item, officer):
    Condition.objects.filter(item=item).delete()
    actions.do_save_condition(Condition(item=item, kind="enclave_landed"), acting_user=officer)
    Residency.objects.filter(pk=cast.residency_a1.pk).update(status=Residency.Status.EXITED)
    matching.refresh_item(item, today=TODAY)
    assert list(Match.objects.filter(item=item).values_list("organization_id", flat=True)) == [cast.org_a1.pk]


def test_a_condition_form_refuses_missing_parameters_in_chinese(cast, item, officer, client):
    client.force_login(officer)
    response = client.post(reverse("policies:condition_add") + f"?item={item.pk}",
                           {"item": item.pk, "kind": "indicator_min", "min_count": 1, "order": 0})
    assert response.status_code == 200
    assert "“指标累计值不低于”条件须填写此项" in response.content.decode()
    response = client.post(reverse("policies:condition_add") + f"?item={item.pk}",
                           {"item": item.pk, "kind": "zone", "zone": cast.zone_a.pk, "min_count": 1, "order": 0})
    assert response.status_code == 302
    assert item.conditions.filter(kind="zone").exists()


def test_exempt_items_make_a_list_confirmed_once_per_period(cast, item, officer):
    PolicyItem.objects.filter(pk=item.pk).update(mode=PolicyItem.Mode.EXEMPT)
    item.refresh_from_db()
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    matching.refresh_item(item, today=TODAY)
    assert actions.do_build_payment_list(item, acting_user=officer) == 1
    assert actions.do_build_payment_list(item, acting_user=officer) == 0  # already listed
    assert actions.do_confirm_payments(Payment.objects.filter(item=item), acting_user=officer) == 1
    payment = Payment.objects.get(item=item)
    assert payment.status == "confirmed" and payment.amount == Decimal("300000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(item=item, organization=cast.org_a1, period="2026", amount=1)
    from feidi.core.models import AuditRecord

    assert AuditRecord.objects.filter(model="policies.payment", object_id=str(payment.pk)).count() == 2


def test_an_application_goes_through_the_steps_and_pays_once(cast, item, officer, client):
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    matching.refresh_item(item, today=TODAY)
    match = Match.objects.get(item=item, organization=cast.org_a1)
    client.force_login(cast.ent_a)
    page = client.get(reverse("policies:match_apply", kwargs={"pk": match.pk}))
    assert page.status_code == 200 and "研发费用专项审计报告" in page.content.decode()
    missing = client.post(reverse("policies:match_apply", kwargs={"pk": match.pk}), {"amount": "300000"})
    assert "请上传“研发费用专项审计报告”或说明材料内容" in missing.content.decode()
    client.post(reverse("policies:match_apply", kwargs={"pk": match.pk}),
                {"amount": "300000", "material_0": "审计报告已上传至企业空间", "material_1": "证书编号GR2025"})
    app = Application.objects.get(item=item, organization=cast.org_a1)
    assert app.status == "submitted" and app.prefilled["uscc"] == cast.org_a1.uscc and app.deadline
    assert "高新技术企业" in app.prefilled["labels"]
    client.force_login(officer)
    for expected in ("accepted", "reviewed", "publicized", "paid"):
        response = client.post(reverse("policies:application_act", kwargs={"pk": app.pk}), {"action": "advance"})
        assert response.status_code == 302
        app.refresh_from_db()
        assert app.status == expected
    payment = Payment.objects.get(item=item, organization=cast.org_a1)
    assert payment.status == "paid" and payment.amount == Decimal("300000") and payment.application_id == app.pk
    # a second application for the same period is refused
    with pytest.raises(ValidationError, match="已兑现"):
        actions.do_apply(Application(item=item, organization=cast.org_a1), acting_user=cast.ent_a)


def test_an_overdue_step_rises_through_the_service_chain(cast, item, officer):
    from feidi.testing.factories import _service_settings

    _service_settings(cast)
    Match.objects.create(item=item, organization=cast.org_a1, status="qualified", computed_at=timezone.now(),
                         department=cast.dept_a, estimated_amount=1)
    app = actions.do_apply(Application(item=item, organization=cast.org_a1), acting_user=cast.ent_a)
    later = app.deadline + dt.timedelta(hours=1)
    assert actions.sweep(now=later) == 1
    app.refresh_from_db()
    assert app.level == 2 and app.deadline > later
    assert actions.sweep(now=later) == 0  # idempotent


def test_an_overdue_application_rises_to_whoever_is_there(cast, item, officer):
    """The appeals' routing (``services.actions.route``): the enterprise's group leader switched off,
    level 2 goes to the next active person in the line — told once — not to an account nobody reads."""
    from feidi.accounts.models import User
    from feidi.core.models import Notification
    from feidi.services.models import Assignment
    from feidi.testing.factories import _assignment
    from feidi.testing.factories import _service_settings

    rules = _service_settings(cast)
    leader = _assignment(cast).group.leader
    User.objects.filter(pk=leader.pk).update(is_active=False)
    Match.objects.create(item=item, organization=cast.org_a1, status="qualified", computed_at=timezone.now(),
                         department=cast.dept_a, estimated_amount=1)
    app = actions.do_apply(Application(item=item, organization=cast.org_a1), acting_user=cast.ent_a)
    assert actions.sweep(now=app.deadline + dt.timedelta(hours=1)) == 1
    told = Notification.objects.filter(title__contains="政策申报逾期升级至第2级")
    assert not told.filter(user=leader).exists()
    # the group leader is also the office head here: both gone, the principal leader is next in line
    assert rules.office_head_id == leader.pk
    assert list(told.values_list("user_id", flat=True)) == [rules.principal_leader_id]
    assert Assignment.objects.filter(organization=cast.org_a1).exists()


def test_the_enterprise_sees_only_its_own_matches(cast, item, client):
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    _value(cast.org_a2, "rd", dt.date(2025, 12, 1), "3000000")
    matching.refresh_item(item, today=TODAY)
    client.force_login(cast.ent_a)
    page = client.get(reverse("policies:mine")).content.decode()
    assert "高企研发投入奖补" in page and "30.00万元" in page
    client.force_login(cast.ent_b)
    page = client.get(reverse("policies:mine")).content.decode()
    assert "尚缺" in page and "30.00万元" in page  # its own partial match only
    other = Match.objects.get(organization=cast.org_a1)
    assert client.get(reverse("policies:match_detail", kwargs={"pk": other.pk})).status_code == 404
    body = client.get("/api/v1/policies/matches").json()
    assert {m["organization_id"] for m in body["items"]} == {cast.org_a2.pk}


def test_the_api_lists_items_with_conditions_and_applies(cast, item, client):
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    matching.refresh_item(item, today=TODAY)
    client.force_login(cast.leader)
    items = client.get("/api/v1/policies/items").json()["items"]
    assert items[0]["conditions"][0]["text"].endswith("持有“高新技术企业”")
    client.force_login(cast.ent_a)
    response = client.post("/api/v1/policies/applications", {"item_id": item.pk, "organization_id": cast.org_a1.pk,
                                                             "materials": {"研发费用专项审计报告": "见附件",
                                                                           "高新技术企业证书": "GR2025"}},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    client.force_login(cast.ent_b)
    response = client.post("/api/v1/policies/applications", {"item_id": item.pk, "organization_id": cast.org_a1.pk,
                                                             "materials": {}}, content_type="application/json")
    assert response.status_code == 422


def test_the_effect_compares_reached_enterprises_with_the_others(cast, item, officer, client):
    for org, before, now in ((cast.org_a1, "100", "150"), (cast.org_a2, "100", "105")):
        _value(org, "rd", dt.date(2025, 6, 1), before)
        _value(org, "rd", dt.date(2026, 6, 1), now)
    Payment.objects.create(item=item, organization=cast.org_a1, period="2026", amount=Decimal("300000"),
                           status="paid", department=cast.dept_a)
    from feidi.policies import effect

    result = effect.compute(item.policy, officer, dt.date(2026, 6, 1))
    assert result.paid == Decimal("300000") and result.reached == 1
    assert round(result.reached_group.growth, 3) == 0.5 and round(result.others_group.growth, 3) == 0.05
    client.force_login(officer)
    page = client.get(reverse("policies:policy_effect", kwargs={"pk": item.policy_id})).content.decode()
    assert "+50.0%" in page and "+5.0%" in page
    heading, blocks = effect.report_section(cast.dept_a, dt.date(2026, 6, 30))
    assert blocks[0]["sentence"] == ("《研发奖补》已确认兑现30.00万元（其中已拨付30.00万元），惠及企业1家；"
                                     "受惠企业研发投入同口径增长+50.0%，其他企业+5.0%")
    summary = client.get(reverse("policies:payment_summary")).content.decode()
    assert "研发奖补" in summary and cast.org_a1.name in summary and "30.00万元" in summary
    # confirmed, not yet paid out: 兑现 says so; waiting for confirmation: not 兑现 at all; confirmed after a
    # report's day: not in that report
    from django.utils import timezone

    Payment.objects.create(item=item, organization=cast.org_a2, period="2026", amount=Decimal("200000"),
                           status="confirmed", department=cast.dept_a,
                           confirmed_at=timezone.make_aware(dt.datetime(2026, 7, 3, 10)))
    Payment.objects.create(item=item, organization=cast.org_a2, period="2025", amount=Decimal("900000"),
                           status="pending", department=cast.dept_a)
    page = client.get(item.policy.get_absolute_url()).content.decode()
    assert "已确认兑现 50.00万元（其中已拨付 30.00万元），惠及 2 家企业" in page
    assert effect.report_section(cast.dept_a, dt.date(2026, 6, 30))[1][0]["sentence"].startswith(
        "《研发奖补》已确认兑现30.00万元（其中已拨付30.00万元），惠及企业1家")
    assert effect.report_section(cast.dept_a, dt.date(2026, 7, 31))[1][0]["sentence"].startswith(
        "《研发奖补》已确认兑现50.00万元（其中已拨付30.00万元），惠及企业2家")
    summary = client.get(reverse("policies:payment_summary")).content.decode()
    assert "50.00万元" in summary and "90.00万元" not in summary


def test_data_changes_ask_for_one_debounced_refresh(cast, item, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from feidi.policies.refresh import PENDING

    cache.delete(PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        _label(cast.org_a1, "high_tech")
        _label(cast.org_a2, "high_tech")
    assert cache.get(PENDING) == 1


def test_todos_list_applications_waiting_for_the_office(cast, item, officer):
    from feidi.core import workbench

    Match.objects.create(item=item, organization=cast.org_a1, status="qualified", computed_at=timezone.now(),
                         department=cast.dept_a, estimated_amount=1)
    actions.do_apply(Application(item=item, organization=cast.org_a1), acting_user=cast.ent_a)
    groups = {t.key: t for t in workbench.for_user(officer)}
    assert groups["policy_application"].count == 1


def test_no_measured_value_gives_no_amount_not_the_cap(cast, item):
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 11, 1), "9000000")  # not the amount's month
    Condition.objects.filter(item=item).exclude(kind="label").delete()
    matching.refresh_item(item, today=TODAY)
    assert Match.objects.get(organization=cast.org_a1).estimated_amount is None


def test_the_enterprise_page_and_the_match_list_cost_the_same_whatever_the_matches(cast, client_for, item, officer,
                                                                                   django_assert_max_num_queries):
    def add_items(k):
        for i in range(k):
            extra = actions.do_save_item(PolicyItem(policy=item.policy, title=f"加测条款{i}", period="2026",
                                                    amount_kind="fixed", amount_fixed=Decimal(1000)),
                                         acting_user=officer)
            Match.objects.create(item=extra, organization=cast.org_a1, status="partial", computed_at=timezone.now(),
                                 department=cast.dept_a, missing=item.conditions.first())

    add_items(1)
    for user, url in (("ent_a", reverse("policies:mine")), ("leader", reverse("policies:match_list"))):
        c = client_for(user)
        c.get(url)
        with django_assert_max_num_queries(30) as few:
            assert c.get(url).status_code == 200
        counts = len(few.captured_queries)
        add_items(5)
        with django_assert_max_num_queries(counts):
            assert c.get(url).status_code == 200


def test_a_refresh_writes_what_changed(cast, item, officer):
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    _value(cast.org_a2, "rd", dt.date(2025, 12, 1), "2000000")
    matching.refresh_item(item, today=TODAY)
    assert Match.objects.get(organization=cast.org_a2).status == "partial"
    _label(cast.org_a2, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "500000")  # below the threshold now: one short
    matching.refresh_item(item, today=TODAY)
    assert Match.objects.get(organization=cast.org_a2).status == "qualified"
    a1 = Match.objects.get(organization=cast.org_a1)
    assert a1.status == "partial" and a1.missing.kind == "indicator_min" and a1.estimated_amount == Decimal("50000")
    OrganizationLabel.objects.filter(organization=cast.org_a1).delete()
    matching.refresh_item(item, today=TODAY)  # two conditions short: gone
    assert not Match.objects.filter(organization=cast.org_a1).exists()
    unchanged = Match.objects.get(organization=cast.org_a2)
    matching.refresh_item(item, today=TODAY)
    assert Match.objects.get(organization=cast.org_a2).status == unchanged.status == "qualified"


def _xlsx(rows):
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("政策条款")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def test_items_import_from_xlsx_all_rows_or_none(cast, item, officer, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    header = ["所属政策", "条款编号", "条款名称", "兑现方式", "兑现期", "金额规则", "定额(元)", "每步办理时限(工作日)"]
    bad = _xlsx([header, ["研发奖补", "第七条", "专精特新奖励", "免申即享", "2026", "定额", "300000", "5"],
                 ["没有这个政策", "第八条", "小巨人奖励", "免申即享", "2026", "定额", "500000", "5"]])
    response = client.post(reverse("policies:policyitem_import"), {"file": SimpleUploadedFile("条款.xlsx", bad)})
    assert response.status_code == 200 and not PolicyItem.objects.filter(title="专精特新奖励").exists()
    good = _xlsx([header, ["研发奖补", "第七条", "专精特新奖励", "免申即享", "2026", "定额", "300000", "5"]])
    response = client.post(reverse("policies:policyitem_import"), {"file": SimpleUploadedFile("条款.xlsx", good)})
    assert response.status_code == 302, response.content.decode()[:2000]
    imported = PolicyItem.objects.get(title="专精特新奖励")
    assert imported.policy == item.policy and imported.mode == "exempt" and imported.amount_fixed == Decimal("300000")
    assert imported.department_id == cast.dept_a.pk
    # 有效 left out of the file is the item's default (有效), not the 否 of an unticked box; blank too;
    # only 否 said makes an item inactive
    assert imported.active
    said = _xlsx([header + ["有效"], ["研发奖补", "第九条", "空白有效", "免申即享", "2026", "定额", "1000", "5", ""],
                  ["研发奖补", "第十条", "说了否", "免申即享", "2026", "定额", "1000", "5", "否"]])
    response = client.post(reverse("policies:policyitem_import"), {"file": SimpleUploadedFile("条款二.xlsx", said)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PolicyItem.objects.get(title="空白有效").active and not PolicyItem.objects.get(title="说了否").active


# --- attachments: the policy's files, the application's materials -----------------------------------
PDF = "%PDF-1.4\n% 政策原文\n".encode()


def _upload(name="原文.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_policys_files_reach_its_enterprises_through_their_matches_and_no_one_else(
        cast, item, officer, client, media, django_capture_on_commit_callbacks):
    from feidi.core.models import AuditRecord
    from feidi.policies.models import PolicyAttachment

    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    matching.refresh_item(item, today=TODAY, push=False)
    policy = item.policy
    client.force_login(officer)
    page = client.post(reverse("policies:policy_attach", kwargs={"pk": policy.pk}), {"file": _upload()}, follow=True)
    assert "已上传 原文.pdf" in page.content.decode()
    # a file whose content is not its extension's is refused in Chinese, nothing stored
    page = client.post(reverse("policies:policy_attach", kwargs={"pk": policy.pk}),
                       {"file": _upload("指南.pdf", b"MZ\x90\x00 not a pdf")}, follow=True)
    assert "文件内容与扩展名.pdf不符" in page.content.decode()
    attachment = PolicyAttachment.objects.get(policy=policy)
    assert attachment.name == "原文.pdf" and attachment.size == len(PDF)
    assert AuditRecord.objects.filter(model="policies.policyattachment", action="create").count() == 1
    detail = client.get(policy.get_absolute_url()).content.decode()
    assert "原文.pdf" in detail and reverse("policies:policy_file_delete", args=[policy.pk, attachment.pk]) in detail
    response = client.get(reverse("policies:policy_file", args=[policy.pk, attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    # the enterprise reads it through its own match; another enterprise does not reach that match
    match = Match.objects.get(item=item, organization=cast.org_a1)
    client.force_login(cast.ent_a)
    assert "原文.pdf" in client.get(match.get_absolute_url()).content.decode()
    assert client.get(reverse("policies:match_policy_file", args=[match.pk, attachment.pk])).status_code == 200
    assert client.get(reverse("policies:policy_file", args=[policy.pk, attachment.pk])).status_code == 403
    client.force_login(cast.ent_b)
    assert client.get(reverse("policies:match_policy_file", args=[match.pk, attachment.pk])).status_code == 404
    # another zone's policy office, holding every permission: 404 on the file and on its removal
    from feidi.testing.cast import _user

    client.force_login(_user("policy_b", "乙区政策办", roles=["policy_office"], department=cast.dept_b))
    assert client.get(reverse("policies:policy_file", args=[policy.pk, attachment.pk])).status_code == 404
    assert client.post(reverse("policies:policy_file_delete", args=[policy.pk, attachment.pk])).status_code == 404
    assert client.post(reverse("policies:policy_attach", args=[policy.pk]), {"file": _upload()}).status_code == 404
    assert PolicyAttachment.objects.filter(pk=attachment.pk).exists()
    # the office removes it: the row, the file and an audit row
    path = media / attachment.file.name
    assert path.exists()
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("policies:policy_file_delete", args=[policy.pk, attachment.pk]))
    assert not PolicyAttachment.objects.filter(pk=attachment.pk).exists() and not path.exists()
    assert AuditRecord.objects.filter(model="policies.policyattachment", action="delete").count() == 1


def test_an_application_hands_in_files_for_its_materials_all_or_nothing(cast, item, officer, client, media):
    from feidi.policies.models import ApplicationFile

    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    matching.refresh_item(item, today=TODAY, push=False)
    match = Match.objects.get(item=item, organization=cast.org_a1)
    url = reverse("policies:match_apply", kwargs={"pk": match.pk})
    client.force_login(cast.ent_a)
    # one bad file: the form says which, in Chinese, and no application is made
    page = client.post(url, {"amount": "300000", "file_0": _upload("审计报告.pdf"),
                             "file_1": _upload("证书.exe", b"MZ")}).content.decode()
    assert "不支持的文件类型“.exe”" in page
    assert not Application.objects.exists() and not ApplicationFile.objects.exists()
    # a file for the first material, a note for the second
    response = client.post(url, {"amount": "300000", "file_0": _upload("审计报告.pdf"), "material_1": "证书编号GR2025"})
    app = Application.objects.get(item=item, organization=cast.org_a1)
    assert response.status_code == 302
    report = ApplicationFile.objects.get(application=app)
    assert report.material == "研发费用专项审计报告" and report.name == "审计报告.pdf"
    page = client.get(app.get_absolute_url()).content.decode()
    assert "审计报告.pdf" in page and "证书编号GR2025" in page
    # a later file for the second material, while the application is open
    client.post(reverse("policies:application_attach", args=[app.pk]),
                {"material": "高新技术企业证书", "file": _upload("证书.pdf")})
    assert ApplicationFile.objects.filter(application=app, material="高新技术企业证书").count() == 1
    client.post(reverse("policies:application_attach", args=[app.pk]), {"material": "营业执照", "file": _upload()})
    assert ApplicationFile.objects.filter(application=app).count() == 2  # not a material of the item
    # the handling office reads it; another enterprise does not reach it
    client.force_login(officer)
    assert client.get(reverse("policies:application_file", args=[app.pk, report.pk])).status_code == 200
    client.force_login(cast.ent_b)
    assert client.get(reverse("policies:application_file", args=[app.pk, report.pk])).status_code == 404
    assert client.post(reverse("policies:application_attach", args=[app.pk]),
                       {"material": "高新技术企业证书", "file": _upload()}).status_code == 404


def test_a_rate_items_month_is_its_first_day_however_written(cast, item, officer, client):
    """依据月份 joins the month's figures: a file's 2025年12月 is read as the month, and a day of it
    (from a file, a form, the API) is stored as the 1st — a 15th stored joined no figure, and
    every estimated amount read 0 while the match count stayed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    rd = Indicator.objects.get(code="rd")
    header = ["所属政策", "条款编号", "条款名称", "兑现方式", "兑现期", "金额规则", "比例(%)", "计算依据指标", "依据月份",
              "每步办理时限(工作日)"]
    months = ("2025年12月", "2025-12", "2025-12-15", "2025/12/31", "2025年12月份")
    rows = [["研发奖补", f"第{20 + n}条", f"研发后补助{n}", "依申请兑现", "2026", "按指标比例（封顶）", "10", rd.name, month, "5"]
            for n, month in enumerate(months)]
    response = client.post(reverse("policies:policyitem_import"), {"file": SimpleUploadedFile("条款.xlsx", _xlsx([header, *rows]))})
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = PolicyItem.objects.filter(title__startswith="研发后补助")
    assert sorted(stored.values_list("amount_month", flat=True)) == [dt.date(2025, 12, 1)] * len(months)
    bad = _xlsx([header, ["研发奖补", "第三十条", "研发后补助X", "依申请兑现", "2026", "按指标比例（封顶）", "10", rd.name, "2025-2-30", "5"]])
    response = client.post(reverse("policies:policyitem_import"), {"file": SimpleUploadedFile("条款.xlsx", bad)})
    assert response.status_code == 200 and "2025-2-30" in response.content.decode()
    assert not PolicyItem.objects.filter(title="研发后补助X").exists()

    item.amount_month = dt.date(2025, 12, 15)  # whatever path: the field stores the month
    actions.do_save_item(item, acting_user=officer)
    item.refresh_from_db()
    assert item.amount_month == dt.date(2025, 12, 1)
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "2000000")
    _label(cast.org_a1, "high_tech")
    matching.refresh_item(item, today=TODAY)
    assert Match.objects.get(item=item, organization=cast.org_a1).estimated_amount == Decimal("200000")


def test_an_application_asks_at_most_what_the_item_pays_on_every_path(cast, item, officer, client):
    """The item caps its amount at 500,000: an application asking more is refused with the bound
    named — on the page and through the API, before anything is written — and so is a payment of an
    amount stored beyond it; an API body naming a material the item does not ask is refused, not
    dropped."""
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    matching.refresh_item(item, today=TODAY)
    match = Match.objects.get(item=item, organization=cast.org_a1)
    materials = {"material_0": "审计报告已上传", "material_1": "证书编号GR2025"}
    client.force_login(cast.ent_a)
    page = client.post(reverse("policies:match_apply", kwargs={"pk": match.pk}), {"amount": "999999999.99", **materials})
    assert "申报金额不能超过该条款的封顶金额（500,000元）" in page.content.decode()
    body = {"item_id": item.pk, "organization_id": cast.org_a1.pk, "amount": "999999999.99",
            "materials": {"研发费用专项审计报告": "ok", "高新技术企业证书": "ok"}}
    response = client.post("/api/v1/policies/applications", body, content_type="application/json")
    assert response.status_code == 422 and "封顶金额" in json.dumps(response.json(), ensure_ascii=False)
    response = client.post("/api/v1/policies/applications", {**body, "amount": "500000", "materials": {
        **body["materials"], "其他": "zz"}}, content_type="application/json")
    assert response.status_code == 422 and "该条款没有这些申报材料：其他" in json.dumps(response.json(), ensure_ascii=False)
    assert not Application.objects.filter(item=item).exists()
    response = client.post("/api/v1/policies/applications", {**body, "amount": "500000"}, content_type="application/json")
    assert response.status_code == 201, response.content
    app = Application.objects.get(item=item, organization=cast.org_a1)
    Application.objects.filter(pk=app.pk).update(amount=Decimal("600000"))  # as an earlier release could store
    app.refresh_from_db()
    for _ in range(3):
        app = actions.do_advance_application(app, acting_user=officer)
        app.refresh_from_db()
    with pytest.raises(ValidationError, match="封顶金额"):
        actions.do_advance_application(app, acting_user=officer)
    app.refresh_from_db()
    assert app.status == "publicized" and not Payment.objects.filter(item=item).exists()
    fixed = PolicyItem(amount_kind=PolicyItem.AmountKind.FIXED, amount_fixed=Decimal(200000))
    none = PolicyItem(amount_kind=PolicyItem.AmountKind.NONE)
    fixed.check_amount(Decimal(200000))
    none.check_amount(None)
    for it, amount in ((fixed, Decimal("200000.01")), (none, Decimal(1))):
        with pytest.raises(ValidationError):
            it.check_amount(amount)


def test_one_item_failing_to_refresh_stops_no_other(cast, item, officer, monkeypatch, caplog):
    """The nightly refresh goes on past an item whose refresh fails (logged): the other items
    are refreshed and the failed one keeps the matches it had."""
    _label(cast.org_a1, "high_tech")
    _value(cast.org_a1, "rd", dt.date(2025, 12, 1), "3000000")
    other = actions.do_save_item(PolicyItem(policy=item.policy, number="第六条", title="研发奖补二", period="2026",
                                            mode=PolicyItem.Mode.EXEMPT, amount_kind=PolicyItem.AmountKind.FIXED,
                                            amount_fixed=Decimal("1000")), acting_user=officer)
    matching.refresh_item(item, today=TODAY)
    kept = set(Match.objects.filter(item=item).values_list("organization_id", flat=True))
    assert kept and not Match.objects.filter(item=other).exists()
    real = matching.refresh_item

    def failing(it, **kwargs):
        if it.pk == item.pk:
            raise RuntimeError("numeric field overflow")
        return real(it, **kwargs)

    monkeypatch.setattr(matching, "refresh_item", failing)
    done = matching.refresh_all(today=TODAY, push=False)
    assert done[item.pk] is None and done[other.pk] is not None
    assert set(Match.objects.filter(item=item).values_list("organization_id", flat=True)) == kept
    assert isinstance(done[other.pk], dict) and other.pk in done  # refreshed after the failure
    assert "refresh failed" in caplog.text


def test_money_is_paid_between_its_confirmation_and_today(cast):
    from feidi.testing.factories import make_for

    policy_actions = actions
    payment = make_for(Payment, cast)
    confirmed = timezone.now() - dt.timedelta(days=3)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CONFIRMED, confirmed_at=confirmed)
    payment.refresh_from_db()
    today = timezone.localdate()
    for day, said in ((today + dt.timedelta(days=1), "不能晚于今天"), (today - dt.timedelta(days=10), "不能早于确认日期")):
        with pytest.raises(ValidationError) as refused:
            policy_actions.do_pay(payment, day, acting_user=cast.leader)
        assert said in str(refused.value)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CONFIRMED
    paid = policy_actions.do_pay(payment, timezone.localdate(confirmed), acting_user=cast.leader)
    assert paid.status == Payment.Status.PAID


def test_an_items_amount_rule_holds_only_its_own_values_within_bounds(cast):
    """比例 5000%, a 定额 left on a 比例 item (it would read as paid under it), a 兑现期 of “明年” and a
    依据月份 years after the period were imported as written; each is refused on its field."""
    from feidi.indicators.models import Indicator
    from feidi.policies.models import PolicyItem
    from feidi.testing.factories import make_for

    item = make_for(PolicyItem, cast)
    indicator = Indicator.objects.get(code="revenue")
    item.amount_kind, item.amount_fixed = PolicyItem.AmountKind.RATE, Decimal("200000")
    item.amount_rate, item.amount_indicator, item.amount_month = Decimal("5000"), indicator, dt.date(2030, 1, 1)
    item.period = "明年"
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    errors = refused.value.message_dict
    assert "比例不能超过100%" in errors["amount_rate"][0] and "不填定额" in errors["amount_fixed"][0]
    assert "应以年份开头" in errors["period"][0]
    item.amount_fixed, item.amount_rate, item.period = None, Decimal("5"), "2026"
    with pytest.raises(ValidationError, match="依据月份不能晚于兑现期所在年份"):
        item.full_clean()
    item.amount_month = dt.date(2025, 12, 1)
    item.full_clean()
    for period in ("2026上半年", "2026Q1", "2026年第一季度", "2026-03", "2026年"):
        item.period = period
        item.full_clean()
