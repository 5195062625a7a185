"""Demo technology-achievement auctions (科技成果拍卖会). Everything here is invented and marked
sample (示例).

- A finished auction like the one the seed article reports (6 patents sold for about 2,000万元 at
  one G60 corridor auction): six patent packages of partner-region universities and institutes,
  all 成交, about 2,000万元 in all, with their bid records and the enterprises of the demo city as
  bidders (竞买号 0001…).
- An open auction with four lots closing over the next hours, a few bids on three of them, and
  晶科能源 registered, so ``ent_jinko`` can bid on the live page.

The lots' achievements are published through the market's actions; auctions, lots, registrations
and the close go through ``feidi.auctions.actions``. Bids dated in the past cannot be placed
through ``do_place_bid`` (the server clock decides), so their record is written by ``_replay``
under the lot's lock with the same bookkeeping (seq, increasing amounts, current price, the
anti-sniping rule) and one audit record per lot. ``load()`` is idempotent: auctions are looked up
by title, supplies by (organization, title).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from feidi.accounts.models import User
from feidi.core import audit
from feidi.core.actions import create_object
from feidi.core.context import acting
from feidi.core.models import DictItem
from feidi.lib import patent
from feidi.registry.models import Organization

from . import build
from .city import ORG_JINKO

FINISHED_TITLE = "长三角G60科创走廊第六届科技成果拍卖会·上饶专场（示例）"
OPEN_TITLE = "上饶双向飞地科技成果网络拍卖会（示例）"

# institution, field, patents, title, start (万元), hammer price (万元) for the finished auction
FINISHED_LOTS = [
    ("上海交通大学", "photovoltaic", 3, "钙钛矿/晶硅叠层电池界面钝化专利包", 360, 512),
    ("中国科学院上海光学精密机械研究所", "optics", 2, "高功率光纤激光器泵浦合束专利包", 300, 405),
    ("同济大学", "nev", 2, "新能源汽车一体化压铸铝合金专利包", 240, 338),
    ("华东理工大学", "biomedicine", 2, "缓控释微丸制剂工艺专利包", 180, 246),
    ("上海电力大学", "battery", 2, "储能电池簇热失控预警专利包", 200, 287),
    ("东华大学", "electronics", 1, "柔性可穿戴传感纤维专利", 150, 212),
]
# institution, field, patents, title, start (万元), increment (万元), hours to close, bids
OPEN_LOTS = [
    ("复旦大学", "electronics", 2, "宽禁带半导体功率器件封装专利包", 260, 10, 2, 5),
    ("上海大学", "battery", 2, "钠离子电池层状氧化物正极专利包", 220, 10, 4, 3),
    ("上海理工大学", "low_altitude", 1, "无人机集群协同避障专利", 120, 5, 6, 2),
    ("上海工程技术大学", "nev", 1, "轮毂电机热管理专利", 90, 5, 8, 0),
]
BIDDERS = [ORG_JINKO, "江西金丰药业有限公司", "上海亥博粘胶材料有限公司", "苏州弘道新材料有限公司",
           "上海施尔威超级电容有限公司", "成曜移动消防舱有限公司"]
WAN = Decimal(10_000)
# a lot's achievement is not counted among the market's 科技成果 (the summary counts the lots)
LOT_SUPPLY = build.supply.counted(None)


def load() -> dict:
    """Load the two demo auctions (idempotent); needs the demo city (the tech bureau's user)."""
    staff = User.objects.filter(username="tech").select_related("department").first()
    if staff is None or not DictItem.objects.filter(type__code="tech_field").exists():
        return {}
    created = {"成果拍卖会": 0, "拍品": 0, "出价记录": 0}
    rng = random.Random(2024)
    with acting("cli"), transaction.atomic():
        bidders = _bidders()
        if len(bidders) < 2:
            return {}
        if not build.auction.find(title=FINISHED_TITLE):
            _finished(staff, bidders, rng, created)
        if not build.auction.find(title=OPEN_TITLE):
            _open(staff, bidders, rng, created)
    return {k: v for k, v in created.items() if v}


def _bidders() -> list[Organization]:
    found = {o.name: o for o in Organization.objects.filter(name__in=BIDDERS)}
    return [found[n] for n in BIDDERS if n in found]


def _supply(staff, name: str, field: str, n_patents: int, title: str, price_wan: int, rng):
    """The lot's achievement, published."""
    from feidi.techmarket.actions import do_publish_supply
    from feidi.techmarket.models import Supply

    org = Organization.objects.filter(name=name).first()
    if org is None:
        return None
    found = build.supply.find(organization=org, title=title)
    if found is not None:
        return found if found.status == Supply.Status.PUBLISHED else do_publish_supply(found, acting_user=staff)
    numbers = [patent.make(f"{rng.choice((2019, 2020, 2021, 2022, 2023))}1{rng.randrange(10**7):07d}")
               for _ in range(n_patents)]
    supply = LOT_SUPPLY.make(
        {}, acting_user=staff, organization=org, title=title,
        keywords=title.replace("专利包", "").replace("专利", ""),
        description=f"{org.name}拥有的{title.replace('包', '')}（{n_patents}件发明专利），拟通过科技成果拍卖会公开转让。示例数据。",
        field=DictItem.objects.get(type__code="tech_field", code=field), patents="\n".join(numbers),
        maturity="pilot", transfer_mode="transfer", asking_price=Decimal(price_wan) * WAN, created_by=staff,
        department=staff.department)
    return do_publish_supply(supply, acting_user=staff)


def _past_lot(lot, *, acting_user):
    """Record a lot of an auction held before the demo's day (``do_save_lot`` takes lots still to
    come, as an operator does): the fields that action sets, then the generic create."""
    from feidi.auctions.models import Lot

    lot.department_id, lot.scheduled_close, lot.status = lot.auction.department_id, lot.closes_at, Lot.Status.SCHEDULED
    return create_object(lot, acting_user=acting_user)


def _auction(staff, rng, created, title: str, venue: str, description: str, lots) -> tuple:
    """The auction and its lots: ``lots`` holds each lot's (institution, field, patents, title,
    start (万元)), its increment (万元), opening and closing moments, and what the caller replays.
    Lots already over are recorded as history (``_past_lot``)."""
    auction = build.auction.make(created, acting_user=staff, title=title, venue=venue, description=description,
                                 department=staff.department)
    made = []
    for (org, field, n, lot_title, start), increment, opens_at, closes_at, then in lots:
        supply = _supply(staff, org, field, n, lot_title, start, rng)
        if supply is None:
            continue
        start_price = Decimal(start) * WAN
        builder = build.lot if closes_at > timezone.now() else build.lot.saved_by(_past_lot)
        made.append((builder.make(
            created, acting_user=staff, auction=auction, supply=supply, title=supply.title, start_price=start_price,
            reserve_price=(start_price * Decimal("1.1")).quantize(WAN), increment=Decimal(increment) * WAN,
            opens_at=opens_at, closes_at=closes_at, anti_snipe_minutes=5), then))
    return auction, made


def _register(staff, auction, bidders):
    from feidi.auctions import actions as rules

    return {org.pk: rules.do_register_bidder(auction, acting_user=staff, organization=org) for org in bidders}


def _finished(staff, bidders, rng, created) -> None:
    from feidi.auctions import actions as rules

    now = timezone.now()
    day = (now - dt.timedelta(days=45)).replace(hour=1, minute=30, second=0, microsecond=0)  # 09:30 Beijing
    auction, lots = _auction(
        staff, rng, created, FINISHED_TITLE, "上海松江·G60科创云廊（现场+网络同步）",
        "六项专利包全部成交，成交总额约2,000万元（示例，参照公开报道的规模）。",
        [(row[:5], 5, day + dt.timedelta(minutes=20 * i), day + dt.timedelta(minutes=20 * i + 30),
          Decimal(row[5]) * WAN) for i, row in enumerate(FINISHED_LOTS)])
    if not lots:
        return
    _published_then(auction)
    registrations = _register(staff, auction, bidders)
    for lot, hammer in lots:
        created["出价记录"] += _replay(lot, registrations, bidders, rng, until=hammer)
        rules.do_settle_lot(lot, acting_user=staff)


def _open(staff, bidders, rng, created) -> None:
    from feidi.auctions import actions as rules

    now = timezone.now().replace(second=0, microsecond=0)
    auction, lots = _auction(
        staff, rng, created, OPEN_TITLE, "飞地平台网络竞价",
        "网络竞价，结束前5分钟内有人出价则自动延时5分钟。竞买人须先办理竞买登记。",
        [(row[:5], step, now - dt.timedelta(hours=1), now + dt.timedelta(hours=hours), n_bids)
         for *row, step, hours, n_bids in OPEN_LOTS])
    if not lots:
        return
    rules.do_publish_auction(auction, acting_user=staff)
    registrations = _register(staff, auction, bidders[1:])  # 晶科 registers itself below
    for lot, n_bids in lots:
        created["出价记录"] += _replay(lot, registrations, bidders[1:], rng, count=n_bids)
    jinko = User.objects.filter(username="ent_jinko").first()
    if jinko is not None and jinko.organization_id == bidders[0].pk:
        rules.do_register_bidder(auction, acting_user=jinko)
    rules.open_started_lots()


def _published_then(auction) -> None:
    """Record that a past auction was published (its lots are over: ``do_publish_auction`` refuses
    such an auction today), with the same audit as the action."""
    from feidi.auctions.models import Auction

    before = audit.snapshot(auction)
    Auction.objects.filter(pk=auction.pk).update(status=Auction.Status.PUBLISHED, version=F("version") + 1)
    auction.refresh_from_db()
    audit.record(audit.AuditRecord.Action.UPDATE, auction, user=None, before=before,
                 after={**audit.snapshot(auction), "source": "演示数据"})


def _replay(lot, registrations, bidders, rng, *, until: Decimal | None = None, count: int = 0) -> int:
    """Write a past bid record for ``lot``: alternating bidders raising by one to three increments,
    up to ``until`` (the hammer price, reached exactly) or ``count`` bids, spread over the time the
    lot has been open up to 6 minutes before its close; a bid inside the anti-sniping window would
    move the close as ``do_place_bid`` does. Same bookkeeping as ``do_place_bid``."""
    from feidi.auctions.models import Bid
    from feidi.auctions.models import Lot

    with transaction.atomic():
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        amounts = []
        price = lot.start_price
        if until is not None:
            while price + lot.increment <= until:
                amounts.append(price)
                price += lot.increment * rng.choice((1, 1, 2, 3))
            amounts.append(until)
        else:
            for _ in range(count):
                amounts.append(price)
                price += lot.increment * rng.choice((1, 1, 2))
        if not amounts:
            return 0
        end = min(lot.closes_at, timezone.now()) - dt.timedelta(minutes=6)
        start = lot.opens_at
        span = max((end - start).total_seconds(), 60)
        times = sorted(start + dt.timedelta(seconds=rng.uniform(0, span)) for _ in amounts)
        closes_at = lot.closes_at
        window = dt.timedelta(minutes=lot.anti_snipe_minutes)
        rows, previous = [], None
        for seq, (amount, at) in enumerate(zip(amounts, times, strict=True), start=1):
            choices = [o for o in bidders if o.pk != previous]
            org = rng.choice(choices)
            extends = closes_at - window < at < closes_at
            if extends:
                closes_at = at + window
            rows.append(Bid(lot=lot, seq=seq, bidder=org, registration=registrations[org.pk], amount=amount,
                            placed_at=at, extended=extends))
            previous = org.pk
        Bid.objects.bulk_create(rows)
        Lot.objects.filter(pk=lot.pk).update(current_price=amounts[-1], current_bidder_id=previous,
                                             bid_count=len(rows), status=Lot.Status.OPEN, closes_at=closes_at,
                                             version=F("version") + 1)
        audit.record(audit.AuditRecord.Action.UPDATE, lot, user=None,
                     after={"bids": len(rows), "current_price": str(amounts[-1]), "source": "演示数据"})
    return len(rows)
