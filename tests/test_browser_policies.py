"""惠企政策 in headless chromium: the policy office edits an item and adds a condition on a desktop;
the enterprise reads its matches on a 390 px phone (cards, no sideways scrolling) and opens one."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

# pytest fixtures shared with the other browser tests
from tests.test_browser import PASSWORD  # noqa: F401
from tests.test_browser import _login  # noqa: F401
from tests.test_browser import _page  # noqa: F401
from tests.test_browser import _shot  # noqa: F401
from tests.test_browser import _submit  # noqa: F401
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways(page):
    wide = page.evaluate("""Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > 392).slice(0, 5)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392, (page.url, wide)


def test_the_office_edits_an_item_and_the_enterprise_reads_its_matches_on_a_phone(browser, live_server, world,  # noqa: F811
                                                                                   live_server_lock):
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.core.models import DictItem
    from feidi.indicators.models import Indicator
    from feidi.policies import actions
    from feidi.policies import matching
    from feidi.policies.models import Condition
    from feidi.policies.models import Match
    from feidi.policies.models import Policy
    from feidi.policies.models import PolicyItem
    from feidi.registry.models import OrganizationLabel

    with live_server_lock:
        office = User(username="policy", full_name="甲区政策办", department=world.dept_a)
        do_create_user(office, password=PASSWORD, roles=[Role.objects.get(code="policy_office")], acting_user=None)
        policy = actions.do_save_policy(Policy(title="上饶经开区支持企业研发创新若干措施（示例）", issuer="上饶经开区管委会",
                                               number="饶经开发〔2026〕3号", issued_on=dt.date(2026, 2, 18),
                                               department=world.dept_a, sample=True), acting_user=office)
        item = actions.do_save_item(PolicyItem(policy=policy, number="第三条", title="高新技术企业认定奖励",
                                               period="2026", mode="exempt", amount_kind="fixed",
                                               amount_fixed=Decimal("200000"), sample=True), acting_user=office)
        high_tech = DictItem.objects.get(type__code="org_label", code="high_tech")
        actions.do_save_condition(Condition(item=item, kind="label", label=high_tech), acting_user=office)
        second = actions.do_save_item(PolicyItem(policy=policy, number="第五条", title="研发投入后补助", period="2026",
                                                 mode="apply", amount_kind="fixed", amount_fixed=Decimal("500000"),
                                                 materials="研发费用专项审计报告", sample=True), acting_user=office)
        for c in (Condition(item=second, kind="label", label=high_tech),
                  Condition(item=second, kind="indicator_min", indicator=Indicator.objects.get(code="rd"),
                            month=dt.date(2025, 12, 1), min_value=Decimal("5000000"))):
            actions.do_save_condition(c, acting_user=office)
        OrganizationLabel.objects.create(organization=world.org_a1, label=high_tech, since=dt.date(2025, 1, 1),
                                         department=world.dept_a)
        for it in (item, second):
            matching.refresh_item(it)

    desk, outside = _page(browser, live_server)
    _login(desk, "policy")
    desk.wait_for_url(re.compile(r"/$"))
    desk.goto(f"/policies/items/{item.pk}/edit/")
    _shot(desk, "17-policy-item-edit")
    desk.select_option("select[name=amount_kind]", "rate")  # a share without its rate, indicator, month
    _submit(desk, ".page-body form button[type=submit]")
    desk.wait_for_selector(".invalid-feedback")
    assert "比例规则须填写比例" in desk.content() and "比例规则须选择计算依据指标" in desk.content()
    _shot(desk, "17-policy-item-errors")
    desk.select_option("select[name=amount_kind]", "fixed")
    desk.fill("input[name=amount_fixed]", "300000")
    _submit(desk, ".page-body form button[type=submit]")
    desk.wait_for_url(re.compile(rf"/policies/items/{item.pk}/$"))
    desk.goto(f"/policies/conditions/add/?item={item.pk}")
    desk.select_option("select[name=kind]", "industry")
    _submit(desk, ".page-body form button[type=submit]")
    desk.wait_for_selector(".invalid-feedback")
    assert "“所属行业”条件须填写此项" in desk.content()
    _shot(desk, "17-policy-condition-error")
    desk.fill("input[name=industry]", "C38")
    _submit(desk, ".page-body form button[type=submit]")
    desk.wait_for_url(re.compile(r"/policies/items/\d+/"))
    desk.goto(f"/policies/items/{item.pk}/")
    _submit(desk, "button:has-text('重新匹配')")
    desk.wait_for_selector(".alert-success")
    _shot(desk, "17-policy-item-detail")
    assert Match.objects.get(item=item, organization=world.org_a1).estimated_amount == Decimal("300000")
    # the policy's original text as a file: a wrong one is refused in Chinese, the right one listed
    desk.goto(f"/policies/library/{policy.pk}/")
    desk.set_input_files("input[type=file]", {"name": "饶经开发〔2026〕3号.pdf", "mimeType": "application/pdf",
                                              "buffer": b"<html>not a pdf</html>"})
    _submit(desk, "button:has-text('上传附件')")
    desk.wait_for_selector(".alert-danger")
    assert "文件内容与扩展名.pdf不符" in desk.content()
    desk.set_input_files("input[type=file]", {"name": "饶经开发〔2026〕3号.pdf", "mimeType": "application/pdf",
                                              "buffer": b"%PDF-1.4\n%%EOF\n"})
    _submit(desk, "button:has-text('上传附件')")
    desk.wait_for_selector(".alert-success")
    assert "饶经开发〔2026〕3号.pdf" in desk.content()
    _shot(desk, "17-policy-detail-files")

    phone, outside2 = _page(browser, live_server, width=390, height=844)
    _login(phone, "ent_a")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto("/policies/mine/")
    _no_sideways(phone)
    _shot(phone, "17-policy-mine-phone")
    text = phone.content()
    assert "高新技术企业认定奖励" in text and "30.00万元" in text and "研发投入后补助" in text
    _submit(phone, "a.card-link:has-text('研发投入后补助')")
    phone.wait_for_url(re.compile(r"/policies/matches/\d+/$"))
    _no_sideways(phone)
    _shot(phone, "17-policy-match-phone")
    assert "尚未满足" in phone.content() and "饶经开发〔2026〕3号.pdf" in phone.content()
    # applies from the phone with the audit report as a file
    _submit(phone, "a:has-text('在线申报')")
    phone.set_input_files("input[name=file_0]", {"name": "审计报告.pdf", "mimeType": "application/pdf",
                                                 "buffer": b"%PDF-1.4\n%%EOF\n"})
    _no_sideways(phone)
    _submit(phone, ".page-body form button[type=submit]")
    phone.wait_for_url(re.compile(r"/policies/applications/\d+/$"))
    _no_sideways(phone)
    assert "审计报告.pdf" in phone.content()
    _shot(phone, "17-policy-application-phone")
    phone.goto("/policies/matches/")
    _no_sideways(phone)
    _shot(phone, "17-policy-match-list-phone")
    assert not outside and not outside2, (outside + outside2)[:5]
