"""The economic dashboard, the analysis and the enterprise's monthly report in headless chromium."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

# pytest fixtures shared with the other browser tests
from tests.test_browser import _login  # noqa: F401
from tests.test_browser import _page  # noqa: F401
from tests.test_browser import _shot  # noqa: F401
from tests.test_browser import _submit  # noqa: F401
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(w):
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember
    from feidi.core.models import DictItem
    from feidi.indicators.actions import _row
    from feidi.indicators.actions import bulk_upsert
    from feidi.indicators.engine import add_months
    from feidi.indicators.models import Indicator
    from feidi.registry.models import OrganizationLabel
    from feidi.testing.cast import make_org

    chain = Chain.objects.create(name="光伏", department=w.dept_a)
    seg = Segment.objects.create(chain=chain, name="组件", department=w.dept_a)
    orgs = [w.org_a1, w.org_a2, *[make_org(f"示例企业{i}", w.zone_a) for i in range(4)]]
    for org in orgs[:3]:
        SegmentMember.objects.create(segment=seg, organization=org, department=w.dept_a)
    above = DictItem.objects.get(type__code="org_label", code="above_scale")
    for org in orgs[:4]:
        OrganizationLabel.objects.create(organization=org, label=above, since=dt.date(2020, 1, 1), department=w.dept_a)
    ind = {i.code: i for i in Indicator.objects.all()}
    last = add_months(timezone.localdate().replace(day=1), -1)
    rows = []
    for n, org in enumerate(orgs, start=1):
        cum = {}
        month = dt.date(last.year - 1, 1, 1)
        while month <= last:
            if month.month == 1:
                cum = {}
            grow = Decimal("1.12") if month.year == last.year else Decimal(1)
            for code, base in (("revenue", 8_000_000), ("tax", 300_000), ("rd", 200_000), ("value_added", 2_000_000)):
                cum[code] = cum.get(code, Decimal(0)) + Decimal(base * n) * grow
                rows.append(_row(org, ind[code], month, cum[code], acting_user=None, source="import"))
            rows.append(_row(org, ind["employees"], month, Decimal(100 * n), acting_user=None, source="import"))
            month = add_months(month, 1)
    bulk_upsert(rows)


def test_the_economic_dashboard_and_a_monthly_report(browser, live_server, world):  # noqa: F811
    fill(world)
    page, outside = _page(browser, live_server)
    _login(page, "leader")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/indicators/")
    page.wait_for_selector("#trend-chart svg")
    page.wait_for_selector("#chain-chart svg")
    page.wait_for_timeout(400)
    assert page.locator("text=+12.0%").count() >= 1
    _shot(page, "40-economy-dashboard")
    page.goto("/indicators/analysis/?indicator=revenue&by=chain")
    page.wait_for_selector("#analysis-chart svg")
    _shot(page, "41-economy-analysis")
    from feidi.accounts.models import Role
    from feidi.indicators import mu
    from feidi.indicators import ranking
    from feidi.indicators.models import MuRule
    from feidi.indicators.models import RankingRule

    for org in (world.org_a1, world.org_a2):
        org.land_area_mu = 30
        org.save()
    rule = MuRule.objects.create(department=world.dept_a, year=timezone.localdate().year - 1, land_threshold=10)
    mu.evaluate(rule)
    page.goto(f"/indicators/mu/{rule.pk}/")
    page.wait_for_selector("#mu-zone svg")
    _shot(page, "43-mu-evaluation")
    page.goto("/indicators/mu/results/")
    _shot(page, "44-mu-results")
    world.leader.roles.add(Role.objects.get(code="project_office"))
    run = ranking.run(RankingRule.objects.create(department=world.dept_a, name="月度调度排名", bottom_count=1),
                      timezone.localdate().replace(day=1))
    page.goto(f"/indicators/ranking/{run.pk}/")
    page.wait_for_selector("#ranking-chart svg")
    _shot(page, "45-monthly-ranking")
    from feidi.indicators.models import Parcel

    world.zone_a.region_code = "361100"
    world.zone_a.save()
    world.zone_b.region_code = "361102"
    world.zone_b.save()
    page.goto("/indicators/maps/city/")
    page.wait_for_selector("#city-map svg path")
    page.wait_for_timeout(500)
    _shot(page, "46-city-map")
    for n, org in enumerate((world.org_a1, world.org_a2)):
        lon = 117.96 + n * 0.004
        Parcel.objects.create(zone=world.zone_a, organization=org, code=f"A-{n}", department=world.dept_a, geometry={
            "type": "Polygon", "coordinates": [[[lon, 28.43], [lon + 0.003, 28.43], [lon + 0.003, 28.433],
                                                [lon, 28.433], [lon, 28.43]]]})
    page.goto("/indicators/maps/zone/")
    page.wait_for_selector("#zone-map canvas")
    page.wait_for_timeout(300)
    _shot(page, "47-zone-parcel-map")
    assert not outside

    phone, outside2 = _page(browser, live_server, width=390, height=844)
    _login(phone, "ent_a")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto("/indicators/report/")
    phone.fill("input[name=v_revenue]", "abc")
    _submit(phone, ".page-body form button[type=submit]")
    phone.wait_for_selector("text=不是数字")
    _shot(phone, "42-economy-report-error-phone")
    assert not outside2
