"""Technology-achievement auctions: every bid rule at its boundary, anti-sniping, the close,
registration numbers, irrevocable bids, the pages and the API; concurrent bids on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils import timezone

from feidi.auctions import actions as rules
from feidi.auctions.models import Auction
from feidi.auctions.models import Bid
from feidi.auctions.models import Lot
from feidi.auctions.models import Registration
from feidi.core.models import DictItem
from feidi.core.models import Notification
from feidi.techmarket.models import Supply

START, RESERVE, STEP = Decimal("1000000"), Decimal("1500000"), Decimal("50000")
FEN = Decimal("0.01")


def make_supply(cast, title="甲研究院钙钛矿叠层封装专利包", org=None, status=Supply.Status.PUBLISHED):
    field = DictItem.objects.get(type__code="tech_field", code="photovoltaic")
    return Supply.objects.create(organization=org or cast.institution_a, title=title, field=field, status=status,
                                 description="低水汽透过率封装胶膜，湿热1000小时效率衰减小于3%",
                                 patents="ZL202310123456.7", department=cast.dept_a, created_by=cast.inst_a)


def make_market(cast, *, opens=-60, closes=60, minutes=5, lots=1, publish=True, register=("ent_a", "ent_b")):
    """A published auction of zone A with ``lots`` lots open from ``opens`` to ``closes`` minutes
    from now, and the given users' organizations registered."""
    now = timezone.now()
    auction = rules.do_save_auction(Auction(title="甲区科技成果拍卖会"), acting_user=cast.tech)
    made = []
    for i in range(lots):
        supply = make_supply(cast, title=f"甲研究院专利包{i + 1}")
        made.append(rules.do_save_lot(Lot(auction=auction, supply=supply, start_price=START, reserve_price=RESERVE,
                                          increment=STEP, opens_at=now + dt.timedelta(minutes=opens),
                                          closes_at=now + dt.timedelta(minutes=closes), anti_snipe_minutes=minutes),
                                      acting_user=cast.tech))
    if publish:
        rules.do_publish_auction(auction, acting_user=cast.tech)
        for name in register:
            rules.do_register_bidder(auction, acting_user=getattr(cast, name))
    return auction, made


def refused(code, fn, *args, **kwargs) -> str:
    with pytest.raises(rules.BidRefused) as info:
        fn(*args, **kwargs)
    assert info.value.reason == code, (info.value.reason, info.value.messages)
    return "；".join(info.value.messages)


@pytest.fixture
def clock(monkeypatch):
    """Set the server clock the auction rules read."""
    state = {}

    def set_to(moment):
        state["now"] = moment
        monkeypatch.setattr(rules, "server_now", lambda: state["now"])

    return set_to


# --- the bid rules at their boundaries ----------------------------------------------------------

def test_the_first_bid_is_at_least_the_start_price(cast):
    _, (lot,) = make_market(cast)
    message = refused("below_start", rules.do_place_bid, lot, START - FEN, acting_user=cast.ent_a)
    assert "起拍价" in message and "1,000,000.00元" in message
    bid = rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    assert (bid.seq, bid.amount, bid.bidder) == (1, START, cast.org_a1)
    lot.refresh_from_db()
    assert (lot.current_price, lot.current_bidder, lot.bid_count, lot.status) == (START, cast.org_a1, 1, "open")


def test_a_later_bid_beats_the_current_price_by_exactly_the_increment_and_one_fen_short_is_refused(cast):
    _, (lot,) = make_market(cast)
    rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    message = refused("below_minimum", rules.do_place_bid, lot, START + STEP - FEN, acting_user=cast.ent_b)
    assert "至少 1,050,000.00元" in message
    bid = rules.do_place_bid(lot, START + STEP, acting_user=cast.ent_b)
    assert bid.seq == 2
    more = rules.do_place_bid(lot, START + 5 * STEP + Decimal("123.45"), acting_user=cast.ent_a)
    assert more.seq == 3  # more than the increment is fine: no multiple rule


def test_the_highest_bidder_cannot_raise_against_itself(cast):
    _, (lot,) = make_market(cast)
    rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    assert "最高出价人" in refused("already_highest", rules.do_place_bid, lot, START + STEP, acting_user=cast.ent_a)


def test_the_seller_may_not_bid_on_its_own_lot_even_registered(cast, client_for):
    _, (lot,) = make_market(cast, register=("ent_a", "inst_a"))  # inst_a's institution sells the lot
    assert "本单位送拍" in refused("own_lot", rules.do_place_bid, lot, START, acting_user=cast.inst_a)
    rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    api = client_for("inst_a").post(f"/api/v1/techmarket/lots/{lot.pk}/bids", data={"amount": str(START + STEP)},
                                    content_type="application/json")
    assert api.status_code == 422 and api.json()["code"] == "own_lot", api.content
    assert list(Bid.objects.values_list("registration__organization_id", flat=True)) == [cast.org_a1.pk]


def test_only_registered_bidders_may_bid(cast):
    auction, (lot,) = make_market(cast, register=("ent_a",))
    assert "竞买登记" in refused("not_registered", rules.do_place_bid, lot, START, acting_user=cast.ent_b)
    refused("not_registered", rules.do_place_bid, lot, START, acting_user=cast.inst)
    Registration.objects.filter(auction=auction, organization=cast.org_a1).update(status="revoked")
    refused("not_registered", rules.do_place_bid, lot, START, acting_user=cast.ent_a)
    assert Bid.objects.count() == 0


def test_a_registration_revoked_after_a_bid_refuses_the_next_and_every_bid_is_in_the_audit_chain(cast):
    from feidi.core import audit

    auction, (lot,) = make_market(cast)
    first = rules.do_place_bid(lot, START, acting_user=cast.ent_a)  # the registration is now cached
    rules.do_place_bid(lot, START + STEP, acting_user=cast.ent_b)
    Registration.objects.filter(auction=auction, organization=cast.org_a1).update(status="revoked")
    refused("not_registered", rules.do_place_bid, lot, START + 2 * STEP, acting_user=cast.ent_a)
    assert Bid.objects.filter(lot=lot).count() == 2
    records = audit.AuditRecord.objects.filter(model="auctions.bid").order_by("seq")
    assert len(records) == 2 and records[0].object_id == str(first.pk)
    assert '"seq":1' in records[0].after and '"amount":"1000000"' in records[0].after
    result = audit.verify()
    assert result.ok, result.problems


def test_bids_count_only_between_opening_and_close_by_the_server_clock(cast, clock):
    _, (lot,) = make_market(cast, opens=10, closes=60)
    clock(lot.opens_at - dt.timedelta(seconds=1))
    assert "尚未开拍" in refused("not_open", rules.do_place_bid, lot, START, acting_user=cast.ent_a)
    clock(lot.opens_at)
    rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    lot.refresh_from_db()
    close = lot.closes_at
    clock(close + dt.timedelta(seconds=1))
    refused("closed", rules.do_place_bid, lot, START + STEP, acting_user=cast.ent_b)
    clock(close)
    assert "竞价已结束" in refused("closed", rules.do_place_bid, lot, START + STEP, acting_user=cast.ent_b)
    clock(close - dt.timedelta(seconds=1))
    bid = rules.do_place_bid(lot, START + STEP, acting_user=cast.ent_b)
    assert bid.placed_at == close - dt.timedelta(seconds=1)


def test_a_bid_in_the_last_minutes_extends_the_close_to_bid_time_plus_the_window(cast, clock):
    _, (lot,) = make_market(cast, closes=60, minutes=5)
    close = lot.closes_at
    clock(close - dt.timedelta(minutes=10))
    assert rules.do_place_bid(lot, START, acting_user=cast.ent_a).extended is False
    clock(close - dt.timedelta(minutes=5))  # exactly N minutes left: no extension
    assert rules.do_place_bid(lot, START + STEP, acting_user=cast.ent_b).extended is False
    lot.refresh_from_db()
    assert lot.closes_at == close and not rules.extended(lot)
    t = close - dt.timedelta(minutes=5) + dt.timedelta(seconds=1)
    clock(t)
    bid = rules.do_place_bid(lot, START + 2 * STEP, acting_user=cast.ent_a)
    lot.refresh_from_db()
    assert bid.extended and lot.closes_at == t + dt.timedelta(minutes=5) and rules.extended(lot)
    assert lot.scheduled_close == close
    # a bid in the extended window extends again, from its own time
    t2 = lot.closes_at - dt.timedelta(seconds=30)
    clock(t2)
    rules.do_place_bid(lot, START + 3 * STEP, acting_user=cast.ent_b)
    lot.refresh_from_db()
    assert lot.closes_at == t2 + dt.timedelta(minutes=5)
    clock(lot.closes_at)
    refused("closed", rules.do_place_bid, lot, START + 4 * STEP, acting_user=cast.ent_a)


def test_amounts_must_be_positive_and_to_the_fen(cast):
    _, (lot,) = make_market(cast)
    refused("invalid_amount", rules.do_place_bid, lot, Decimal("1000000.001"), acting_user=cast.ent_a)
    refused("invalid_amount", rules.do_place_bid, lot, Decimal("-1"), acting_user=cast.ent_a)


def test_no_bids_before_the_auction_is_published(cast):
    auction, (lot,) = make_market(cast, publish=False)
    Registration.objects.create(auction=auction, organization=cast.org_a1, number="0001", department=cast.dept_a)
    assert "未发布" in refused("not_open", rules.do_place_bid, lot, START, acting_user=cast.ent_a)


# --- the close ----------------------------------------------------------------------------------

def test_reserve_not_met_is_unsold_and_met_is_sold_and_the_auction_finishes_with_its_last_lot(cast, clock):
    auction, (short, exact, empty) = make_market(cast, lots=3)
    rules.do_place_bid(short, RESERVE - FEN - STEP, acting_user=cast.ent_a)
    rules.do_place_bid(short, RESERVE - FEN, acting_user=cast.ent_b)
    rules.do_place_bid(exact, RESERVE, acting_user=cast.ent_b)
    with pytest.raises(Exception, match="尚未到结束时间"):
        rules.do_settle_lot(exact)
    clock(exact.closes_at)
    assert rules.settle_due_lots() == 3
    assert rules.settle_due_lots() == 0  # idempotent
    short.refresh_from_db()
    exact.refresh_from_db()
    empty.refresh_from_db()
    assert (short.status, exact.status, empty.status) == ("unsold", "sold", "unsold")
    assert exact.current_price == RESERVE and exact.current_bidder == cast.org_a2
    auction.refresh_from_db()
    assert auction.status == "finished"
    totals = rules.auction_totals(auction)
    assert (totals.lots, totals.sold, totals.unsold, totals.turnover) == (3, 1, 2, RESERVE)
    assert totals.premium_rate == Decimal("0.5")
    titles = set(Notification.objects.values_list("user__username", "title"))
    assert ("ent_b", f"竞得拍品：{exact.title}") in titles
    assert ("inst_a", f"拍品成交：{exact.title}") in titles and ("inst_a", f"拍品流拍：{short.title}") in titles
    assert not any(u == "ent_a" and t.startswith("竞得") for u, t in titles)
    refused("closed", rules.do_place_bid, exact, RESERVE * 2, acting_user=cast.ent_a)


def test_an_extended_lot_is_not_settled_at_its_original_close(cast, clock):
    _, (lot,) = make_market(cast)
    clock(lot.closes_at - dt.timedelta(minutes=1))
    rules.do_place_bid(lot, RESERVE, acting_user=cast.ent_a)
    lot.refresh_from_db()
    clock(lot.scheduled_close)
    assert rules.settle_due_lots() == 0
    clock(lot.closes_at)
    assert rules.settle_due_lots() == 1
    lot.refresh_from_db()
    assert lot.status == "sold"


def test_the_periodic_sweep_settles_due_lots(cast, clock):
    _, (lot,) = make_market(cast)
    clock(lot.closes_at + dt.timedelta(seconds=5))
    rules.sweep_auctions.call_local()
    lot.refresh_from_db()
    assert lot.status == "unsold" and lot.settled_at is not None


# --- registration and lots ----------------------------------------------------------------------

def test_bidder_numbers_are_serial_and_registering_twice_returns_the_first(cast):
    auction, _ = make_market(cast, register=())
    first = rules.do_register_bidder(auction, acting_user=cast.ent_a)
    second = rules.do_register_bidder(auction, acting_user=cast.inst)
    again = rules.do_register_bidder(auction, acting_user=cast.ent_a)
    staff = rules.do_register_bidder(auction, acting_user=cast.tech, organization=cast.org_a2)
    assert (first.number, second.number, again.pk, staff.number) == ("0001", "0002", first.pk, "0003")
    with pytest.raises(Exception, match="只能为本单位"):
        rules.do_register_bidder(auction, acting_user=cast.ent_a, organization=cast.org_a2)


def test_registration_needs_a_published_auction(cast):
    auction, _ = make_market(cast, publish=False)
    with pytest.raises(Exception, match="未发布"):
        rules.do_register_bidder(auction, acting_user=cast.ent_a)


def test_lot_rules_reserve_supply_and_owner(cast):
    auction, _ = make_market(cast, publish=False, lots=0)
    now = timezone.now()
    base = {"auction": auction, "start_price": START, "increment": STEP, "opens_at": now + dt.timedelta(hours=1),
            "closes_at": now + dt.timedelta(hours=2)}
    with pytest.raises(Exception) as info:
        rules.do_save_lot(Lot(supply=make_supply(cast, "某成果甲"), reserve_price=START - FEN, **base),
                          acting_user=cast.tech)
    assert "保留价不能低于起拍价" in str(info.value)
    draft = make_supply(cast, "草稿成果", status=Supply.Status.DRAFT)
    with pytest.raises(Exception, match="已发布的科技成果"):
        rules.do_save_lot(Lot(supply=draft, reserve_price=START, **base), acting_user=cast.tech)
    theirs = make_supply(cast, "某大学成果", org=cast.institution)
    with pytest.raises(Exception, match="本单位的科技成果"):
        rules.do_save_lot(Lot(supply=theirs, reserve_price=START, **base), acting_user=cast.inst_a)
    own = rules.do_save_lot(Lot(supply=make_supply(cast, "甲研究院自有成果"), reserve_price=START, **base),
                            acting_user=cast.inst_a)
    assert (own.title, own.anti_snipe_minutes, own.department, own.scheduled_close) == (
        "甲研究院自有成果", 5, cast.dept_a, own.closes_at)


def test_a_lot_with_bids_can_no_longer_be_edited(cast, client_for):
    _, (lot,) = make_market(cast)
    rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    lot.refresh_from_db()
    lot.start_price = Decimal(1)
    with pytest.raises(Exception, match="不能再修改"):
        rules.do_save_lot(lot, acting_user=cast.tech)
    assert client_for("tech").get(reverse("auctions:lot_edit", kwargs={"pk": lot.pk})).status_code == 403


def test_the_lot_page_offers_编辑_only_while_the_lot_may_be_edited(cast, client_for):
    _, (lot,) = make_market(cast, opens=30, closes=90)
    edit = reverse("auctions:lot_edit", kwargs={"pk": lot.pk})
    assert edit in client_for("tech").get(lot.get_absolute_url()).content.decode()
    assert edit not in client_for("ent_a").get(lot.get_absolute_url()).content.decode()  # no right to change it
    Lot.objects.filter(pk=lot.pk).update(opens_at=timezone.now() - dt.timedelta(minutes=1))
    rules.do_place_bid(Lot.objects.get(pk=lot.pk), START, acting_user=cast.ent_a)
    assert edit not in client_for("tech").get(lot.get_absolute_url()).content.decode()


# --- bids are irrevocable -----------------------------------------------------------------------

def test_bids_have_no_route_to_change_or_delete_them(cast, client_for):
    _, (lot,) = make_market(cast)
    rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    for name in ("bid_delete", "bid_edit", "bid_detail", "lot_delete", "auction_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"auctions:{name}", kwargs={"pk": 1})
    c = client_for("tech")
    assert c.delete(f"/api/v1/techmarket/lots/{lot.pk}/bids").status_code == 405
    assert c.put(f"/api/v1/techmarket/lots/{lot.pk}/bids", data="{}", content_type="application/json").status_code == 405
    assert Bid.objects.filter(lot=lot).count() == 1


# --- pages --------------------------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_bidding_through_the_page_says_why_a_bid_is_refused(cast, client_for):
    _, (lot,) = make_market(cast)
    a, b = client_for("ent_a"), client_for("ent_b")
    url = reverse("auctions:lot_bid", kwargs={"pk": lot.pk})
    page = a.get(lot.get_absolute_url()).content.decode()
    assert 'value="1000000' in page and "我的竞买号" in page  # prefilled with the start price
    r = a.post(url, {"amount": "999999.99"}, **HTMX)
    assert "出价未被接受" in r.content.decode() and "起拍价" in r.content.decode()
    r = a.post(url, {"amount": "1000000"}, **HTMX)
    assert "出价成功" in r.content.decode() and r["HX-Trigger"] == "bid-placed"
    r = b.post(url, {"amount": "1049999.99"}, follow=True)
    assert "至少 1,050,000.00元" in r.content.decode()
    r = a.post(url, {"amount": "2000000"}, follow=True)
    assert "最高出价人" in r.content.decode()
    live = b.get(reverse("auctions:lot_live", kwargs={"pk": lot.pk})).content.decode()
    assert "1,000,000.00" in live and "0001" in live and cast.org_a1.name not in live  # numbers, not names
    assert 'value="1050000' in b.get(lot.get_absolute_url()).content.decode()
    staff = client_for("tech").get(reverse("auctions:lot_live", kwargs={"pk": lot.pk})).content.decode()
    assert cast.org_a1.name in staff and "1,500,000.00" in staff  # staff see names and the reserve
    assert "有保留价（不公开）" in live


def test_unregistered_users_are_offered_registration_on_the_lot_page(cast, client_for):
    auction, (lot,) = make_market(cast, register=())
    c = client_for("inst")
    assert "办理竞买登记" in c.get(lot.get_absolute_url()).content.decode()
    r = c.post(reverse("auctions:lot_bid", kwargs={"pk": lot.pk}), {"amount": "1000000"}, **HTMX)
    assert "尚未办理本场拍卖会的竞买登记" in r.content.decode()
    r = c.post(reverse("auctions:auction_register", kwargs={"pk": auction.pk}),
               {"next": lot.get_absolute_url()}, follow=True)
    assert "竞买号为 0001" in r.content.decode()
    assert r.redirect_chain[-1][0] == lot.get_absolute_url()  # back to the lot it was asked from
    assert Registration.objects.get(auction=auction).organization == cast.institution
    again = c.post(reverse("auctions:auction_register", kwargs={"pk": auction.pk}),
                   {"next": "https://elsewhere.example/"})
    assert again.url == auction.get_absolute_url()  # never off the site; a second registration is refused
    assert Registration.objects.filter(auction=auction).count() == 1


def test_staff_create_publish_and_see_the_totals(cast, client_for):
    c = client_for("tech")
    r = c.post(reverse("auctions:auction_add"), {"title": "第七届科技成果拍卖会", "venue": "上饶", "description": ""})
    auction = Auction.objects.get(title="第七届科技成果拍卖会")
    assert r.status_code == 302 and auction.department == cast.dept_a and auction.status == "draft"
    r = c.post(reverse("auctions:auction_publish", kwargs={"pk": auction.pk}), follow=True)
    assert "还没有拍品" in r.content.decode()
    supply = make_supply(cast)
    now = timezone.localtime()
    form = {"auction": auction.pk, "supply": supply.pk, "title": "", "start_price": "1000000", "reserve_price": "900000",
            "increment": "50000", "opens_at": f"{now - dt.timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "closes_at": f"{now + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}", "anti_snipe_minutes": "5"}
    r = c.post(reverse("auctions:lot_add"), form)
    assert "保留价不能低于起拍价" in r.content.decode()
    r = c.post(reverse("auctions:lot_add"), {**form, "reserve_price": "1500000"})
    lot = Lot.objects.get(auction=auction)
    assert r.status_code == 302 and lot.title == supply.title
    c.post(reverse("auctions:auction_publish", kwargs={"pk": auction.pk}))
    auction.refresh_from_db()
    assert auction.status == "published"
    page = c.get(auction.get_absolute_url()).content.decode()
    assert lot.title in page and "成交 / 流拍" in page and "auction-chart" in page


def test_an_institution_lists_its_supply_as_a_lot_of_a_published_auction(cast, client_for):
    auction, _ = make_market(cast, register=())
    own, other = make_supply(cast, "甲研究院新成果"), make_supply(cast, "某大学新成果", org=cast.institution)
    c = client_for("inst_a")
    page = c.get(reverse("auctions:lot_add") + f"?auction={auction.pk}").content.decode()
    assert own.title in page and other.title not in page
    later = timezone.localtime() + dt.timedelta(days=1)
    r = c.post(reverse("auctions:lot_add"), {
        "auction": auction.pk, "supply": own.pk, "title": "", "start_price": "500000", "reserve_price": "600000",
        "increment": "10000", "opens_at": f"{later:%Y-%m-%dT%H:%M}",
        "closes_at": f"{later + dt.timedelta(hours=2):%Y-%m-%dT%H:%M}", "anti_snipe_minutes": "5"})
    assert r.status_code == 302
    assert Lot.objects.get(auction=auction, supply=own).created_by == cast.inst_a


def test_lists_show_lots_registrations_and_bids(cast, client_for):
    auction, (lot,) = make_market(cast)
    rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    for name in ("auction_list", "lot_list", "registration_list", "bid_list"):
        assert client_for("tech").get(reverse(f"auctions:{name}")).status_code == 200
    mine = client_for("ent_a").get(reverse("auctions:bid_list")).content.decode()
    assert f"{lot.title} #1" in mine
    assert f"{lot.title} #1" not in client_for("ent_b").get(reverse("auctions:bid_list")).content.decode()
    assert "0001" in client_for("ent_a").get(reverse("auctions:registration_list")).content.decode()


def test_a_due_lot_is_settled_when_its_page_is_opened(cast, client_for, clock):
    _, (lot,) = make_market(cast)
    rules.do_place_bid(lot, RESERVE, acting_user=cast.ent_a)
    clock(lot.closes_at + dt.timedelta(seconds=1))
    page = client_for("ent_b").get(lot.get_absolute_url()).content.decode()
    lot.refresh_from_db()
    assert lot.status == "sold" and "成交" in page


def test_the_live_partial_costs_the_same_whatever_the_number_of_bids(cast, client_for, django_assert_max_num_queries):
    _, (lot,) = make_market(cast)
    users = [cast.ent_a, cast.ent_b]
    c = client_for("tech")
    url = reverse("auctions:lot_live", kwargs={"pk": lot.pk})
    rules.do_place_bid(lot, START, acting_user=users[0])
    c.get(url)
    with django_assert_max_num_queries(20) as few:
        assert c.get(url).status_code == 200
    for i in range(1, 40):
        rules.do_place_bid(lot, START + i * STEP, acting_user=users[i % 2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200
    with django_assert_max_num_queries(30):
        assert c.get(lot.get_absolute_url()).status_code == 200


# --- API ----------------------------------------------------------------------------------------

def test_the_api_places_bids_and_answers_refusals_with_a_code_and_a_reason(cast, client_for):
    auction, (lot,) = make_market(cast)
    a, b = client_for("ent_a"), client_for("ent_b")
    url = f"/api/v1/techmarket/lots/{lot.pk}/bids"
    r = a.post(url, data={"amount": "1000000"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["seq"] == 1 and body["number"] == "0001" and Decimal(body["lot"]["current_price"]) == START
    r = b.post(url, data={"amount": "1049999.99"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "below_minimum" and "至少" in r.json()["message"]
    r = a.post(url, data={"amount": "1100000"}, content_type="application/json")
    assert r.json()["code"] == "already_highest"
    bids = b.get(url).json()
    assert bids["count"] == 1 and bids["items"][0]["number"] == "0001" and bids["items"][0]["bidder"] is None
    assert client_for("tech").get(url).json()["items"][0]["bidder"] == cast.org_a1.name
    got = b.get(f"/api/v1/techmarket/lots/{lot.pk}").json()
    assert got["status"] == "open" and Decimal(got["minimum_bid"]) == START + STEP and got["leader_number"] == "0001"
    lots = b.get(f"/api/v1/techmarket/lots?auction={auction.pk}").json()
    assert [x["id"] for x in lots["items"]] == [lot.pk]
    detail = b.get(f"/api/v1/techmarket/auctions/{auction.pk}").json()
    assert detail["totals"]["lots"] == 1 and detail["totals"]["bids"] == 1
    r = client_for("inst").post(f"/api/v1/techmarket/auctions/{auction.pk}/registrations")
    assert r.status_code == 201 and r.json()["number"] == "0003"


# --- concurrency on PostgreSQL --------------------------------------------------------------------

postgres_only = pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                                   reason="PostgreSQL only: row locks")


def _bidders(cast, auction, n):
    """``n`` registered enterprise users, each of its own organization."""
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.testing.cast import make_org

    role = Role.objects.get(code="enterprise")
    users = []
    for i in range(n):
        org = make_org(f"竞买企业{i:02d}", cast.zone_a)
        user = User.objects.create(username=f"bidder{i:02d}", full_name=f"竞买人{i:02d}", organization=org)
        user.roles.add(role)
        rules.do_register_bidder(auction, acting_user=user)
        users.append(User.objects.get(pk=user.pk))
    return users


def _run_threads(users, work):
    errors = []

    def run(user):
        try:
            work(user)
        except Exception as exc:  # reported after the join
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_bids_are_strictly_increasing_and_none_is_lost(cast):
    auction, (lot,) = make_market(cast, register=())
    users = _bidders(cast, auction, 16)
    accepted, refusals = [], []
    lock = threading.Lock()

    def work(user):
        for _ in range(50):
            current = Lot.objects.get(pk=lot.pk)
            try:
                bid = rules.do_place_bid(current, rules.minimum_bid(current), acting_user=user)
            except rules.BidRefused as exc:
                with lock:
                    refusals.append((exc.reason, exc.messages[0]))
            else:
                with lock:
                    accepted.append((bid.seq, bid.amount))

    assert _run_threads(users, work) == []
    lot.refresh_from_db()
    rows = list(Bid.objects.filter(lot=lot).order_by("seq").values_list("seq", "amount", "bidder_id"))
    assert len(accepted) + len(refusals) == 16 * 50
    assert len(rows) == len(accepted) == lot.bid_count > 16
    assert sorted(accepted) == [(s, a) for s, a, _ in rows]
    assert [s for s, _, _ in rows] == list(range(1, len(rows) + 1))
    assert all(rows[i][1] >= rows[i - 1][1] + STEP for i in range(1, len(rows)))
    assert all(rows[i][2] != rows[i - 1][2] for i in range(1, len(rows)))  # nobody outbid itself
    assert lot.current_price == rows[-1][1]
    assert {code for code, _ in refusals} <= {"below_minimum", "already_highest"}
    assert all(msg for _, msg in refusals)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_bids_in_the_last_minutes_extend_the_close_from_the_last_bid(cast):
    auction, (lot,) = make_market(cast, register=(), closes=1, minutes=2)
    users = _bidders(cast, auction, 8)
    scheduled = Lot.objects.get(pk=lot.pk).closes_at

    def work(user):
        for _ in range(20):
            current = Lot.objects.get(pk=lot.pk)
            try:
                rules.do_place_bid(current, rules.minimum_bid(current), acting_user=user)
            except rules.BidRefused:
                pass

    assert _run_threads(users, work) == []
    lot.refresh_from_db()
    bids = list(Bid.objects.filter(lot=lot).order_by("seq"))
    assert bids and all(b.extended for b in bids)  # every bid came with less than 2 minutes left
    assert lot.closes_at == bids[-1].placed_at + dt.timedelta(minutes=2) > scheduled
    assert all(bids[i].placed_at >= bids[i - 1].placed_at for i in range(1, len(bids)))
    assert lot.bid_count == len(bids)


# --- the demo -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_demo_has_a_finished_auction_of_about_20_million_and_an_open_one():
    from feidi.demo import city
    from feidi.demo import techmarket_auction

    city.load()
    created = techmarket_auction.load()
    assert created["成果拍卖会"] == 2 and created["拍品"] == 10
    assert techmarket_auction.load() == {}  # idempotent
    finished = Auction.objects.get(title=techmarket_auction.FINISHED_TITLE)
    totals = rules.auction_totals(finished)
    assert finished.status == "finished" and finished.sample
    assert (totals.lots, totals.sold, totals.turnover) == (6, 6, Decimal("20000000"))
    open_auction = Auction.objects.get(title=techmarket_auction.OPEN_TITLE)
    lots = list(open_auction.lots.all())
    assert open_auction.status == "published" and all(rules.lot_phase(lot) == "open" for lot in lots)
    for lot in Lot.objects.filter(bid_count__gt=0):
        amounts = list(lot.bids.order_by("seq").values_list("amount", flat=True))
        assert len(amounts) == lot.bid_count and amounts[-1] == lot.current_price
        assert all(b >= a + lot.increment for a, b in zip(amounts, amounts[1:], strict=False))
    from feidi.accounts.models import User

    jinko = User.objects.get(username="ent_jinko")
    lot = min(lots, key=lambda x: x.closes_at)
    before = lot.bid_count
    bid = rules.do_place_bid(lot, rules.minimum_bid(lot), acting_user=jinko)
    assert bid.seq == before + 1 and bid.bidder == jinko.organization


def test_the_lot_api_list_costs_the_same_whatever_the_number_of_lots(cast, client_for, django_assert_max_num_queries):
    auction, lots = make_market(cast, lots=2)
    for lot in lots:
        rules.do_place_bid(lot, START, acting_user=cast.ent_a)
    c = client_for("ent_b")
    c.get("/api/v1/techmarket/lots")
    with django_assert_max_num_queries(20) as few:
        assert c.get("/api/v1/techmarket/lots").json()["items"][0]["leader_number"] == "0001"
    more = make_market(cast, lots=4)[1]
    for lot in more:
        rules.do_place_bid(lot, START, acting_user=cast.ent_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get("/api/v1/techmarket/lots").json()["count"] == 6


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_serial_bidder_numbers(cast):
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.testing.cast import make_org

    auction, _ = make_market(cast, register=())
    role = Role.objects.get(code="enterprise")
    users = []
    for i in range(12):
        user = User.objects.create(username=f"reg{i:02d}", full_name=f"登记人{i:02d}",
                                   organization=make_org(f"登记企业{i:02d}", cast.zone_a))
        user.roles.add(role)
        users.append(User.objects.get(pk=user.pk))
    assert _run_threads(users, lambda u: rules.do_register_bidder(auction, acting_user=u)) == []
    numbers = sorted(Registration.objects.filter(auction=auction).values_list("number", flat=True))
    assert numbers == [f"{i:04d}" for i in range(1, 13)]
