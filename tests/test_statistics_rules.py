"""The statistics bureau's rules, tested on a worked example built from the rules themselves (not
from the demo's numbers), on the maintained cells and on the rows alike.

Enterprises of one zone, revenue reported cumulative-to-date:
- A: 规上 all along; 2025: Jan 10, Feb 25, Mar 40; 2026: no January row (1–2月 release) Feb 30, Mar 50
- B: new entrant, 规上 from 2026; 2026: Feb 8, Mar 20 (nothing in 2025)
- C: leaver, 规上 until 2025-12-31; 2025: Feb 12, Mar 18; 2026: Feb 5, Mar 9 (still reporting)
- D: crosses the 规上 threshold in 2026; 2025: Feb 6, Mar 9; 2026: Feb 10, Mar 30 (a spike month)

规上 March 2026, S = {A, B, D}: 累计 100 against Σ_S a year earlier 40 + 0 + 9 = 49;
当月 (50−30) + (20−8) + (30−10) = 52 against (40−25) + 0 + (9−6) = 18.
1–2月 2026: 累计 = 当月 = 48 against 25 + 0 + 6 = 31 (no January subtracted on either side).
全部 March 2026, S = {A, B, C, D}: 109 against 40 + 0 + 18 + 9 = 67.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from feidi.indicators import engine
from feidi.indicators import reads
from feidi.indicators.engine import Coverage
from feidi.indicators.models import IndicatorValue
from feidi.testing.cast import make_org

from .test_indicators import above_scale
from .test_indicators import ind
from .test_indicators import put

D = Decimal
MARCH, FEB = dt.date(2026, 3, 1), dt.date(2026, 2, 1)


@pytest.fixture
def example(cast):
    a, b = cast.org_a1, make_org("乙新投产企业", cast.zone_a)
    c, d = make_org("丙退规企业", cast.zone_a), make_org("丁升规企业", cast.zone_a)
    above_scale(a, dt.date(2020, 1, 1))
    above_scale(b, dt.date(2026, 1, 1))
    above_scale(c, dt.date(2020, 1, 1), until=dt.date(2025, 12, 31))
    above_scale(d, dt.date(2026, 1, 1))
    for org, series in ((a, {(2025, 1): 10, (2025, 2): 25, (2025, 3): 40, (2026, 2): 30, (2026, 3): 50}),
                        (b, {(2026, 2): 8, (2026, 3): 20}),
                        (c, {(2025, 2): 12, (2025, 3): 18, (2026, 2): 5, (2026, 3): 9}),
                        (d, {(2025, 2): 6, (2025, 3): 9, (2026, 2): 10, (2026, 3): 30})):
        for (year, month), value in series.items():
            put(org, "revenue", year, month, value)
    return {"a": a, "b": b, "c": c, "d": d}


def both_ways(monkeypatch, *args, **kwargs):
    """The answer from the cells, and the same question answered from the rows."""
    fast = engine.yoy(*args, **kwargs)
    with monkeypatch.context() as m:
        m.setattr(engine, "cells_for", lambda *a, **k: None)
        slow = engine.yoy(*args, **kwargs)
    return fast, slow


@pytest.mark.parametrize("by", ["total", "zone"])
def test_growth_counts_new_entrants_at_zero_and_leaves_leavers_out(example, monkeypatch, by):
    values = IndicatorValue.objects.all()
    for rows in both_ways(monkeypatch, values, ind("revenue"), MARCH, by, coverage=Coverage("above_scale")):
        (row,) = rows
        assert (row.total, row.count, row.comparable_before, row.comparable_count) == (100, 3, 49, 2)
        assert row.growth == pytest.approx(100 / 49 - 1)
        assert (row.month_value, row.month_before) == (52, 18)
        assert row.month_growth == pytest.approx(52 / 18 - 1)


def test_every_enterprise_for_the_all_coverage(example, monkeypatch):
    for rows in both_ways(monkeypatch, IndicatorValue.objects.all(), ind("revenue"), MARCH, "total",
                          coverage=Coverage("all")):
        (row,) = rows
        assert (row.total, row.comparable_before, row.comparable_count) == (109, 67, 3)
        assert row.month_value == 109 - (30 + 8 + 5 + 10)
        assert row.month_before == 67 - (25 + 0 + 12 + 6)


def test_the_first_release_is_1_2_months_and_nothing_is_subtracted(example, monkeypatch):
    for rows in both_ways(monkeypatch, IndicatorValue.objects.all(), ind("revenue"), FEB, "total",
                          coverage=Coverage("above_scale")):
        (row,) = rows
        assert (row.total, row.comparable_before) == (48, 31)
        assert (row.month_value, row.month_before) == (48, 31)  # not 31 − 10: January is not subtracted
    assert engine.month_label(FEB) == "2026年1–2月" and engine.release_label(MARCH) == "2026年1–3月"
    # January: its own cumulative, never minus December
    put(example["a"], "revenue", 2025, 12, 500)
    put(example["a"], "revenue", 2026, 1, 14)
    for rows in both_ways(monkeypatch, IndicatorValue.objects.all(), ind("revenue"), dt.date(2026, 1, 1), "total"):
        assert rows[0].month_value == 14 and rows[0].month_before == 10


def test_a_label_and_a_chain_are_coverages_too(example, monkeypatch, cast):
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember
    from feidi.core.models import DictItem
    from feidi.registry.models import OrganizationLabel

    srdi = DictItem.objects.get(type__code="org_label", code="specialized")
    OrganizationLabel.objects.create(organization=example["d"], label=srdi, since=dt.date(2025, 6, 1),
                                     department=cast.dept_a)
    (row,) = engine.yoy(IndicatorValue.objects.all(), ind("revenue"), MARCH, "total", coverage=Coverage("label", "specialized"))
    assert (row.total, row.comparable_before, row.count) == (30, 9, 1)
    chain = Chain.objects.create(name="锂电", department=cast.dept_a)
    seg = Segment.objects.create(chain=chain, name="电芯", department=cast.dept_a)
    for org in (example["a"], example["c"]):
        SegmentMember.objects.create(segment=seg, organization=org, department=cast.dept_a)
    (row,) = engine.yoy(IndicatorValue.objects.all(), ind("revenue"), MARCH, "total",
                        coverage=Coverage("chain", str(chain.pk)))
    assert (row.total, row.comparable_before) == (59, 58)
    assert Coverage.parse(f"chain:{chain.pk}").label == "锂电企业"
    assert Coverage.parse(f"chain:{chain.pk}", user=cast.leader).label == "锂电企业"
    for text in ("bogus", "chain:99999999999999999999999", "chain:１２", "label:bogus", f"chain:{chain.pk + 1000}"):
        with pytest.raises(ValueError):  # a coverage names what exists, in ids a key holds
            Coverage.parse(text)
    # another zone's chain is no coverage of its users, as one that does not exist (its name in the
    # label told what it was): the same refusal on the API and the page
    from django.test import Client

    from feidi.testing.cast import _user

    b_stats = _user("bstats", "乙区统计", roles=["statistics"], department=cast.dept_b)
    other = Client()
    other.force_login(b_stats)
    message = None
    for text in (f"chain:{chain.pk}", f"chain:{chain.pk + 1000}"):
        with pytest.raises(ValueError) as refused:
            Coverage.parse(text, user=b_stats)
        assert message is None or str(refused.value).replace(text, "") == message
        message = str(refused.value).replace(text, "")
        answer = other.get("/api/v1/indicators/yoy", {"coverage": text})
        assert answer.status_code == 422 and "锂电" not in answer.content.decode("unicode_escape")
    assert Coverage.parse("label:specialized").value == "specialized"


def test_a_chain_counts_an_enterprise_on_two_segments_once(example, cast):
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    chain = Chain.objects.create(name="光伏", department=cast.dept_a)
    cells, modules = (Segment.objects.create(chain=chain, name=n, department=cast.dept_a) for n in ("电池片", "组件"))
    other = Chain.objects.create(name="储能", department=cast.dept_a)
    storage = Segment.objects.create(chain=other, name="系统集成", department=cast.dept_a)
    for segment, org in ((cells, "a"), (modules, "a"), (modules, "b"), (storage, "a")):
        SegmentMember.objects.create(segment=segment, organization=example[org], department=cast.dept_a)
    values = IndicatorValue.objects.all()
    by_chain = {r.label: r for r in engine.yoy(values, ind("revenue"), MARCH, "chain", coverage=Coverage("all"))}
    assert by_chain["光伏"].total == 70 and by_chain["光伏"].count == 2  # A once, B
    assert by_chain["储能"].total == 50  # A belongs to another chain too: counted there as well
    by_segment = {r.key: r for r in engine.yoy(values, ind("revenue"), MARCH, "segment", coverage=Coverage("all"))}
    # A's 50 is split between its two segments of the chain; the segments add up to the chain
    assert by_segment[cells.pk].total == 25 and by_segment[cells.pk].split == 1
    assert by_segment[modules.pk].total == 45 and by_segment[modules.pk].split == 1
    assert by_segment[storage.pk].total == 50 and by_segment[storage.pk].split == 0
    assert by_segment[cells.pk].total + by_segment[modules.pk].total == by_chain["光伏"].total


# --- shares, ranks, real growth --------------------------------------------------------------------

def _zone(name, kind="national_etdz", region="江西省上饶市"):
    from feidi.core.models import DictItem
    from feidi.registry.models import Zone

    return Zone.objects.create(name=name, kind=DictItem.objects.get(type__code="zone_kind", code=kind),
                               host_region=region)


def test_a_share_of_the_city_needs_the_city_total_or_several_zones(cast):
    from feidi.indicators import zones
    from feidi.indicators.models import RegionFigure

    revenue = ind("revenue")
    put(cast.org_a1, "revenue", 2026, 3, 400)
    # zone A alone has reported, no city total entered: no share (never 占全市100%)
    share = zones.city_share(cast.zone_a, revenue, MARCH)
    assert share.ratio is None and "不计算占全市比重" in share.note and share.zones_reported == 1
    # a second zone reports: the share is over the zones that reported, and says so
    put(cast.org_b1, "revenue", 2026, 3, 600)
    share = zones.city_share(cast.zone_a, revenue, MARCH)
    assert share.ratio == pytest.approx(0.4) and share.basis == "reported"
    assert "已报送的2个园区" in share.note and share.zones_total == 2
    # the city's published total prevails
    RegionFigure.objects.create(name="上饶市", indicator=revenue, period=MARCH, value=D(2000), source="市统计月报")
    share = zones.city_share(cast.zone_a, revenue, MARCH)
    assert share.ratio == pytest.approx(0.2) and share.basis == "published" and "市统计月报" in share.note


def test_equal_figures_share_a_rank_and_the_next_one_skips(cast):
    from feidi.indicators import zones
    from feidi.indicators.models import ZoneFigure

    revenue = ind("revenue")
    c, d = _zone("丙园区"), _zone("丁园区")
    put(cast.org_a1, "revenue", 2026, 3, 800)
    for zone, value in ((cast.zone_b, 800), (c, 900), (d, 100)):
        ZoneFigure.objects.create(zone=zone, indicator=revenue, period=MARCH, value=D(value))
    items = zones.standings(revenue, MARCH, zones.peers(cast.zone_a, "city"))
    a, b, last = (zones.rank_of(z, items) for z in (cast.zone_a, cast.zone_b, d))
    assert (a["rank"], a["tied"]) == (2, True) and (b["rank"], b["tied"]) == (2, True)
    assert last["rank"] == 4  # 900, 800, 800, 100: no third place
    assert "全市并列第二（共4个）" in zones.sentence(cast.zone_a, revenue, MARCH)


def test_real_growth_is_the_published_rate_or_the_nominal_deflated(cast):
    from feidi.indicators import zones
    from feidi.indicators.models import RegionFigure
    from feidi.indicators.models import ZoneFigure

    va = ind("value_added")
    assert zones.real_growth(va, MARCH, cast.zone_a, 0.10) == (None, "")
    RegionFigure.objects.create(name="上饶市", indicator=va, period=MARCH, deflator=D("102.000"), source="市统计局")
    real, note = zones.real_growth(va, MARCH, cast.zone_a, 0.10)
    assert real == pytest.approx(1.10 / 1.02 - 1) and "价格指数102" in note
    ZoneFigure.objects.create(zone=cast.zone_a, indicator=va, period=MARCH, value=D(1), real_growth=D("0.072"))
    assert zones.real_growth(va, MARCH, cast.zone_a, 0.10)[0] == pytest.approx(0.072)


def test_the_card_set_read_once_quotes_what_each_figure_alone_quotes(cast, django_assert_max_num_queries):
    """The dashboard and the cockpit read a card set's standings, published figures and zones once
    (``reads.reading``): each card's share, real growth and the standing sentence are those the
    functions give alone; nothing read is kept after the computation."""
    from feidi.indicators import dashboard
    from feidi.indicators import zones
    from feidi.indicators.models import RegionFigure
    from feidi.indicators.models import ZoneFigure

    c = _zone("丙园区")
    above_scale(cast.org_a1, dt.date(2020, 1, 1))
    above_scale(cast.org_b1, dt.date(2020, 1, 1))
    for code, a, b in (("revenue", 800, 600), ("value_added", 300, 200), ("tax", 50, 80), ("rd", 10, 20)):
        put(cast.org_a1, code, 2025, 3, a // 2)
        put(cast.org_a1, code, 2026, 3, a)
        put(cast.org_b1, code, 2026, 3, b)
    ZoneFigure.objects.create(zone=c, indicator=ind("revenue"), period=MARCH, value=D(900), growth=D("0.05"))
    ZoneFigure.objects.create(zone=cast.zone_a, indicator=ind("value_added"), period=MARCH, value=D(300),
                              real_growth=D("0.072"))
    RegionFigure.objects.create(name="上饶市", indicator=ind("tax"), period=MARCH, value=D(1000), deflator=D("101"),
                                source="市统计月报")
    values = IndicatorValue.objects.visible_to(cast.leader)
    data = dashboard.figures(cast.leader, values, MARCH, brief=True)
    assert [c["indicator"].code for c in data["cards"]] == ["revenue", "value_added", "rd", "tax"]
    for card in data["cards"]:
        i = card["indicator"]
        assert card["count"], i.code
        share = zones.city_share(cast.zone_a, i, MARCH, cast.leader)
        assert (card["share"], card["share_note"]) == (share.ratio, share.note), i.code
        assert (card["real_growth"], card["real_note"]) == zones.real_growth(i, MARCH, cast.zone_a, card["growth"])
    assert data["standing"] == zones.sentence(cast.zone_a, ind("revenue"), MARCH) and "全市第二" in data["standing"]
    assert next(c for c in data["cards"] if c["indicator"].code == "tax")["share"] == pytest.approx(0.05)
    assert reads.kept() is None  # the reads are not kept beyond the computation
    with django_assert_max_num_queries(18):  # the set's reads (and the zones the user sees, once), not each card's
        dashboard.figures(cast.leader, IndicatorValue.objects.visible_to(cast.leader), MARCH, brief=True)


def test_the_rankings_api_gives_ranks_and_hides_other_zones_computed_totals(cast, client_for):
    put(cast.org_a1, "revenue", 2026, 3, 800)
    put(cast.org_b1, "revenue", 2026, 3, 900)
    c = client_for("leader")
    body = c.get(f"/api/v1/indicators/zones/{cast.zone_a.pk}/rankings",
                 {"indicator": "revenue", "period": "2026-03", "peers": "city"}).json()
    assert (body["rank"], body["of"]) == (2, 2)
    other = next(s for s in body["standings"] if s["zone_id"] == cast.zone_b.pk)
    assert other["rank"] == 1 and other["value"] is None  # zone B's own data: its rank, not its total
    mine = next(s for s in body["standings"] if s["zone_id"] == cast.zone_a.pk)
    assert D(mine["value"]) == 800
    # nor its total through the share: 800 ÷ share − 800 would be zone B's 900 exactly
    assert body["share"] is None and body["share_basis"] == "" and "待录入全市公布总量" in body["share_note"]
    page = c.get("/indicators/", {"period": "2026-03"}).content.decode()
    assert "47.1%" not in page and "47.06" not in page
    from django.test import Client

    from feidi.testing.cast import _user

    city = Client()
    city.force_login(_user("cityview", "市领导", roles=["city_leader"], department=cast.city))
    body = city.get(f"/api/v1/indicators/zones/{cast.zone_a.pk}/rankings",  # a city-wide viewer sees both totals
                    {"indicator": "revenue", "period": "2026-03", "peers": "city"}).json()
    assert body["share_basis"] == "reported" and body["share"] == pytest.approx(800 / 1700)
    from feidi.indicators import zones

    assert zones.city_share(cast.zone_a, ind("revenue"), MARCH).ratio == pytest.approx(800 / 1700)  # unrestricted
    assert c.get(f"/api/v1/indicators/zones/{cast.zone_a.pk}/rankings", {"peers": "world"}).status_code == 422


def test_the_analysis_page_offers_coverages_and_month_figures(example, client_for):
    page = client_for("leader").get("/indicators/analysis/", {"indicator": "revenue", "by": "zone",
                                                               "period": "2026-03", "coverage": "above_scale"})
    text = page.content.decode()
    assert "规上企业主营业务收入" in text and "3月当月" in text and "同比增长" in text
    assert "上年同期无数据按0计" in text


def test_the_cards_say_how_many_enterprises_count_0_a_year_earlier(example, client_for, cast):
    """A card's 同比 counts a new entrant at 0 a year earlier (issue 13's 同口径 rule), as the
    statistics sentence does: the dashboard's and the cockpit's cards now say how many, beside
    the growth they quote."""
    from feidi.indicators import dashboard
    from feidi.indicators.models import IndicatorValue

    data = dashboard.figures(cast.leader, IndicatorValue.objects.visible_to(cast.leader), MARCH)
    revenue = next(c for c in data["cards"] if c["indicator"].code == "revenue")
    assert revenue["unpaired"] >= 1 and revenue["growth"] is not None
    for url in ("/indicators/", "/cockpit/"):
        page = client_for("leader").get(url, {"period": "2026-03"}).content.decode()
        assert f"{revenue['unpaired']}家上年同期无数据按0计" in page, url
