"""The live lot page in headless chromium: two bidders in two browsers, each sees the other's bid
arrive without reloading; refusals shown in Chinese; the auction page's totals and chart; phone
screenshots."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

# pytest fixtures shared with the other browser tests
from tests.test_browser import _login  # noqa: F401
from tests.test_browser import _page  # noqa: F401
from tests.test_browser import _shot  # noqa: F401
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def build(w):
    from feidi.auctions import actions as rules
    from feidi.auctions.models import Auction
    from feidi.auctions.models import Lot
    from feidi.core.models import DictItem
    from feidi.techmarket.models import Supply

    field = DictItem.objects.get(type__code="tech_field", code="photovoltaic")
    now = timezone.now()
    auction = rules.do_save_auction(Auction(title="甲区科技成果网络拍卖会", venue="飞地平台"), acting_user=w.tech)
    lots = []
    for title, start, closes in (("钙钛矿叠层电池封装专利包", 1_000_000, dt.timedelta(hours=2)),
                                 ("储能电池热失控预警专利", 600_000, dt.timedelta(minutes=3)),
                                 ("柔性传感纤维专利", 300_000, dt.timedelta(hours=3))):
        supply = Supply.objects.create(organization=w.institution_a, title=title, field=field, status="published",
                                       description="湿热1000小时效率衰减小于3%", patents="ZL202310123456.7",
                                       department=w.dept_a, created_by=w.inst_a)
        lots.append(rules.do_save_lot(Lot(auction=auction, supply=supply, start_price=Decimal(start),
                                          reserve_price=Decimal(start) * 2, increment=Decimal(50_000),
                                          opens_at=now - dt.timedelta(minutes=30), closes_at=now + closes),
                                      acting_user=w.tech))
    rules.do_publish_auction(auction, acting_user=w.tech)
    for user in (w.ent_a, w.ent_b):
        rules.do_register_bidder(auction, acting_user=user)
    return auction, lots


def _price(page) -> str:
    return page.inner_text("#lot-price")


def test_two_bidders_see_each_others_bids_arrive_live(browser, live_server, world, monkeypatch,  # noqa: F811
                                                      live_server_lock):
    auction, (lot, closing, _) = build(world)
    a, outside_a = _page(browser, live_server)
    b, outside_b = _page(browser, live_server, width=390, height=844)  # a phone
    _login(a, "ent_a")
    a.wait_for_url(re.compile(r"/$"))
    _login(b, "ent_b")
    b.wait_for_url(re.compile(r"/$"))
    url = f"/techmarket/lots/{lot.pk}/"
    a.goto(url)
    b.goto(url)
    assert a.input_value("#id_amount") == "1000000.00"  # prefilled with the start price
    assert "暂无出价" in b.inner_text("#lot-history")
    _shot(a, "auction-01-lot-before")

    # A bids the start price: B's page shows it within the 2 s polling, without a reload.
    a.click("#bid-submit")
    a.wait_for_selector("#bid-accepted")
    expect(b.locator("#lot-live")).to_have_attribute("data-bid-count", "1", timeout=6_000)
    assert "1,000,000.00" in _price(b)
    assert "0001" in b.inner_text("#lot-leader")
    assert world.org_a1.name not in b.inner_text("#lot-history")  # bidder numbers, not names
    expect(b.locator("#id_amount")).to_have_value("1050000.00", timeout=6_000)
    _shot(b, "auction-02-lot-phone-after-other-bid")

    # A cannot raise against itself, and is told so in Chinese.
    a.fill("#id_amount", "1100000")
    a.click("#bid-submit")
    a.wait_for_selector("#bid-refusal")
    assert "最高出价人" in a.inner_text("#bid-refusal")

    # B bids one fen short, is told the minimum, then bids it; A sees B's bid arrive.
    b.fill("#id_amount", "1049999.99")
    b.click("#bid-submit")
    b.wait_for_selector("#bid-refusal")
    assert "至少 1,050,000.00元" in b.inner_text("#bid-refusal")
    _shot(b, "auction-03-lot-phone-refused")
    b.fill("#id_amount", "1050000")
    b.click("#bid-submit")
    b.wait_for_selector("#bid-accepted")
    expect(a.locator("#lot-live")).to_have_attribute("data-bid-count", "2", timeout=6_000)
    assert "1,050,000.00" in _price(a)
    assert "0002" in a.inner_text("#lot-leader")
    rows = a.locator("#lot-history tbody tr")
    assert rows.count() == 2
    _shot(a, "auction-04-lot-after-two-bids")

    # A bid in the last minutes extends the close: the page says 延时.
    c = f"/techmarket/lots/{closing.pk}/"
    a.goto(c)
    a.click("#bid-submit")
    a.wait_for_selector("#bid-accepted")
    a.wait_for_selector("#lot-live .badge:has-text('延时')", timeout=6_000)
    countdown = a.inner_text("#lot-countdown")
    assert re.fullmatch(r"00:0[45]:\d\d", countdown), countdown
    _shot(a, "auction-05-lot-extended")

    # Staff see the auction's lots, totals and the chart.
    s, outside_s = _page(browser, live_server)
    _login(s, "tech")
    s.wait_for_url(re.compile(r"/$"))
    s.goto(f"/techmarket/auctions/{auction.pk}/")
    s.wait_for_selector("#auction-chart svg", timeout=10_000)
    s.wait_for_timeout(1200)  # the bars grow in
    assert "成交 / 流拍" in s.inner_text("body") and lot.title in s.inner_text("#auction-lots")
    _shot(s, "auction-06-auction-staff")
    s.goto(url)
    assert world.org_a1.name in s.inner_text("#lot-history")  # staff see who bid
    _shot(s, "auction-07-lot-staff")
    # off the live lot page before the settlement: it reloads itself when its lot closes (lot.js),
    # and that reload would abort the navigation below when the two cross
    s.goto(f"/techmarket/auctions/{auction.pk}/")
    b.goto(f"/techmarket/auctions/{auction.pk}/")
    b.wait_for_selector("#auction-chart svg", timeout=10_000)
    b.wait_for_timeout(1200)
    _shot(b, "auction-08-auction-phone")

    # Past every close, the sweep settles: 成交 where the reserve (twice the start) was reached.
    from feidi.auctions import actions as rules
    from feidi.auctions.models import Lot

    a.goto(url)
    a.fill("#id_amount", "2000000")
    a.click("#bid-submit")
    a.wait_for_selector("#bid-accepted")
    with live_server_lock:  # the pages keep polling while the sweep writes
        last = max(Lot.objects.values_list("closes_at", flat=True))
        monkeypatch.setattr(rules, "server_now", lambda: last + dt.timedelta(seconds=1))
        assert rules.settle_due_lots() == 3
    s.goto(f"/techmarket/auctions/{auction.pk}/")
    s.wait_for_selector("#auction-chart svg", timeout=10_000)
    s.wait_for_timeout(1200)
    assert s.inner_text("#total-sold") == "1" and s.inner_text("#total-unsold") == "2"
    assert "200.00万元" in s.inner_text("#total-turnover") and "已结束" in s.inner_text("#auction-status")
    _shot(s, "auction-09-auction-finished")
    b.goto(url)
    assert "成交" in b.inner_text("#lot-phase")
    _shot(b, "auction-10-lot-sold-phone")
    assert outside_a == [] and outside_b == [] and outside_s == []
