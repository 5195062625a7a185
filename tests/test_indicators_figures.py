"""The economic figures agree with each other and with the rules they state: 飞地利益共享 moves a
month's share (not the year's) and every figure over the user's zones is on the same basis; an
enterprise without the month before is left out of 当月; no growth rate against a zero or negative
base; the month shown by default is the latest whose reporting is complete; a month still running
takes no cumulative figure; money in 万元/亿元 with the unit chosen after rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from feidi.core import stats
from feidi.indicators import actions
from feidi.indicators import dashboard
from feidi.indicators import engine
from feidi.indicators import importing
from feidi.indicators.models import IndicatorValue
from feidi.lib import money
from feidi.testing.cast import make_org

from .test_indicators import ind
from .test_indicators import put
from .test_indicators import sheet
from .test_indicators import statistician  # noqa: F401 (a fixture)

D = Decimal
YI = 100_000_000
NOV, OCT = dt.date(2026, 11, 1), dt.date(2026, 10, 1)


def by_rows(monkeypatch, *args, **kwargs):
    with monkeypatch.context() as m:
        m.setattr(engine, "cells_for", lambda *a, **k: None)
        return engine.yoy(*args, **kwargs)


def figures(rows):
    return {r.key: (r.total, r.comparable_before, r.month_value, r.month_before, r.month_left_out, r.month_unpaired)
            for r in rows}


@pytest.fixture
def shared(cast):
    """An enterprise reporting in zone A whose output the enclave shares 30 % of (70 % stays home);
    the enclave is run by the city's 科技局, as the demo's 上饶科创(人才)中心 is, not by zone A."""
    from feidi.accounts.models import Department
    from feidi.indicators.models import BenefitShare
    from feidi.registry.models import Agreement
    from feidi.registry.models import Zone
    from feidi.testing.cast import _dept

    operator = _dept("上饶市科技局", Department.Kind.BUREAU, cast.city)
    Zone.objects.filter(pk=cast.enclave.pk).update(department=operator)

    agreement = Agreement.objects.create(title="沪饶科创飞地合作协议", party_a="上饶市", party_b="松江区",
                                         signed_on=dt.date(2024, 5, 1), output_share_a=D(70), tax_share_a=D(60),
                                         department=cast.dept_a)
    incubated = make_org("飞地共享企业", cast.zone_a)
    BenefitShare.objects.create(agreement=agreement, organization=incubated, home_zone=cast.zone_a,
                                enclave_zone=cast.enclave, output_share_home=D(70), tax_share_home=D(60),
                                since=dt.date(2025, 1, 1), department=cast.dept_a)
    for org, values in ((incubated, ((2025, 10, 8), (2025, 11, 12), (2026, 10, 10), (2026, 11, 15))),
                        (cast.org_a1, ((2025, 10, 4), (2025, 11, 5.6), (2026, 10, 5), (2026, 11, 7)))):
        for year, month, yi in values:
            put(org, "revenue", year, month, D(str(yi)) * YI)
    return incubated


# --- 1. 飞地利益共享: one basis everywhere ------------------------------------------------------------------

def test_sharing_moves_the_months_share_and_every_figure_over_the_zones_agrees(cast, shared, monkeypatch, client_for):
    values = IndicatorValue.objects.visible_to(cast.leader)  # zone A's rows; the enclave has none
    zone = {r.key: r for r in engine.yoy(values, ind("revenue"), NOV, "zone")}[cast.zone_a.pk]
    # 累计 7 + 15×70 % = 17.5亿; 当月 (7 − 5) + (15 − 10)×70 % = 5.5亿, not 17.5 − (5 + 10) = 2.5亿
    assert zone.total == D("17.5") * YI
    assert zone.month_value == D("5.5") * YI
    # a year earlier: (5.6 − 4) + (12 − 8)×70 % = 4.4亿
    assert zone.month_before == D("4.4") * YI
    assert zone.month_growth == pytest.approx(5.5 / 4.4 - 1)
    # the 合计, an industry, the rows' path and the cells' path: the same basis, the same figures
    total = engine.yoy(values, ind("revenue"), NOV, "total")[0]
    assert figures([total])[None] == figures([zone])[cast.zone_a.pk]
    industries = engine.yoy(values, ind("revenue"), NOV, "industry")
    assert sum(r.total for r in industries) == total.total
    assert sum(r.month_value for r in industries) == total.month_value
    for by in ("total", "zone", "industry", "zone_industry"):
        assert figures(engine.yoy(values, ind("revenue"), NOV, by)) == \
            figures(by_rows(monkeypatch, values, ind("revenue"), NOV, by)), by
    # a chain counts the enterprise's share kept in the user's zones, like every grouping
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    segment = Segment.objects.create(chain=Chain.objects.create(name="光伏", department=cast.dept_a), name="组件")
    SegmentMember.objects.create(segment=segment, organization=shared)
    chain = engine.yoy(values, ind("revenue"), NOV, "chain")[0]
    assert (chain.total, chain.month_value) == (D("10.5") * YI, D("3.5") * YI)
    # a month's rows read together (the chart) give each month's own figures
    months = engine.yoy_months(values, ind("revenue"), [OCT, NOV], "zone")
    assert figures(months[NOV]) == figures(engine.yoy(values, ind("revenue"), NOV, "zone"))
    # the overview's card and its chart, and the analysis page's sentence and 合计 row
    data = dashboard.figures(cast.leader, values, NOV, brief=True)
    card = next(c for c in data["cards"] if c["indicator"].code == "revenue")
    assert (card["total"], card["month"]) == (zone.total, zone.month_value)
    assert data["chart"]["this_year"][data["chart"]["months"].index("11月")] == 55000.0  # 万元
    page = client_for("leader").get(reverse("indicators:analysis"), {"indicator": "revenue", "period": "2026-11",
                                                                     "by": "zone"}).content.decode()
    assert page.count("17.50亿元") >= 3  # the sentence, the zone's row and the 合计 row
    assert "5.50亿元" in page and "1750000000.00" not in page and "1,750,000,000.00" not in page


def test_an_enterprise_shared_to_a_zone_outside_the_users_leaves_their_sum_but_not_the_citys(cast, shared):
    # the enclave reports too: someone seeing both zones sees the move inside their sum
    put(make_org("飞地本地企业", cast.enclave), "revenue", 2026, 11, YI)
    both = IndicatorValue.objects.filter(zone__in=[cast.zone_a, cast.enclave])
    zones = {r.key: r for r in engine.yoy(both, ind("revenue"), NOV, "zone")}
    total = engine.yoy(both, ind("revenue"), NOV, "total")[0]
    assert zones[cast.enclave.pk].total == D("1") * YI + D("4.5") * YI
    assert total.total == sum(r.total for r in zones.values()) == D(23) * YI  # 7 + 15 + 1: nothing lost
    assert total.month_value == sum(r.month_value for r in zones.values())


def test_the_enclave_that_only_receives_shares_shows_them_to_its_operator_and_the_city(cast, shared):
    """The enclave holds no rows of its own: its operator's zones are still the ones its scope
    reaches, so the credited 30 % is its zone's row and its 合计; a city-wide view counts the move
    inside its sum (zone A's 70 % and the enclave's 30 %: nothing lost)."""
    from feidi.testing.cast import _user

    operator = _user("enclave_ops", "飞地运营专员", roles=["zone_leader"], department=cast.enclave.__class__.objects.get(
        pk=cast.enclave.pk).department)
    values = IndicatorValue.objects.visible_to(operator)
    assert not values.exists()
    zones = {r.key: r for r in engine.yoy(values, ind("revenue"), NOV, "zone")}
    assert set(zones) == {cast.enclave.pk}
    enclave = zones[cast.enclave.pk]
    assert (enclave.total, enclave.shared, enclave.month_value, enclave.month_before) == (
        D("4.5") * YI, D("4.5") * YI, D("1.5") * YI, D("1.2") * YI)  # 15×30 %; (15 − 10)×30 %; (12 − 8)×30 %
    assert enclave.label == "上饶科创中心" and enclave.growth == pytest.approx(4.5 / 3.6 - 1)
    total = engine.yoy(values, ind("revenue"), NOV, "total")[0]
    assert figures([total])[None] == figures([enclave])[cast.enclave.pk]
    data = dashboard.figures(operator, values, NOV, brief=True)
    card = next(c for c in data["cards"] if c["indicator"].code == "revenue")
    assert (card["total"], card["month"]) == (D("4.5") * YI, D("1.5") * YI)
    # every zone: the city's sum keeps the whole 22亿 and shows each side's part
    city = IndicatorValue.objects.all()
    rows = {r.key: r.total for r in engine.yoy(city, ind("revenue"), NOV, "zone")}
    assert rows == {cast.zone_a.pk: D("17.5") * YI, cast.enclave.pk: D("4.5") * YI}
    assert engine.yoy(city, ind("revenue"), NOV, "total")[0].total == D(22) * YI
    assert engine.yoy(city, ind("revenue"), NOV, "industry")[0].total == D(22) * YI
    from django.test import Client

    client = Client()
    client.force_login(operator)
    page = client.get(reverse("indicators:analysis"), {"indicator": "revenue", "period": "2026-11",
                                                       "by": "zone"}).content.decode()
    assert page.count("4.50亿元") >= 2 and "上饶科创中心" in page  # the enclave's row and the 合计
    # nothing of the shared enterprise reaches another enterprise's user, nor a narrowed view
    put(cast.org_a1, "revenue", 2026, 11, 7 * YI)
    own = IndicatorValue.objects.visible_to(cast.ent_a)
    for by in ("total", "zone", "industry", "chain"):
        rows = engine.yoy(own, ind("revenue"), NOV, by)
        assert sum(r.total for r in rows) == (7 * YI if by != "chain" else 0) and not any(r.shared for r in rows), by
    narrowed = IndicatorValue.objects.visible_to(operator).filter(industry="38")
    assert engine.yoy(narrowed, ind("revenue"), NOV, "zone") == []
    # the shared enterprise's own user sees its figure whole (the split is between zones)
    from feidi.testing.cast import _user as user

    its = user("shared_ent", "共享企业用户", roles=["enterprise"], organization=shared)
    rows = engine.yoy(IndicatorValue.objects.visible_to(its), ind("revenue"), NOV, "total")
    assert rows[0].total == 15 * YI


def test_the_zones_a_filter_reaches(cast):
    """``cells.zone_reach``: a department scope reaches its zones with rows or without; the
    owner's shortcut and an enterprise add no zone beyond their rows; a division or a month holds
    in any zone; a negation is followed only over places."""
    from feidi.indicators.cells import ANY
    from feidi.indicators.cells import zone_reach
    from feidi.indicators.engine import users_zones
    from feidi.registry.models import Zone

    def reached(values):
        q = zone_reach(values)[0]
        return q if q in (None, ANY) else set(Zone.objects.filter(q).values_list("pk", flat=True))

    leader = IndicatorValue.objects.visible_to(cast.leader)
    assert reached(leader) == {cast.zone_a.pk, cast.enclave.pk}  # zone A's department runs both
    assert users_zones(leader) == {cast.zone_a.pk, cast.enclave.pk}
    assert reached(IndicatorValue.objects.all()) is ANY and users_zones(IndicatorValue.objects.all()) is None
    assert reached(IndicatorValue.objects.filter(industry="38", period=NOV)) is ANY
    assert reached(leader.filter(industry="38")) == {cast.zone_a.pk, cast.enclave.pk}
    assert reached(IndicatorValue.objects.filter(zone=cast.zone_b)) == {cast.zone_b.pk}
    assert reached(IndicatorValue.objects.exclude(zone=cast.zone_b)) == {cast.zone_a.pk, cast.enclave.pk}
    assert reached(IndicatorValue.objects.exclude(zone=cast.zone_b, industry="38")) is None  # may be in zone B
    # an enterprise's figures are its own, whole: its user's zones are every zone, and it
    # receives nothing of another's enterprise; a scope of places alone receives
    assert reached(IndicatorValue.objects.visible_to(cast.ent_a)) is ANY
    assert zone_reach(IndicatorValue.objects.visible_to(cast.ent_a))[1] is False
    assert zone_reach(leader)[1] is True and zone_reach(leader.filter(industry="38"))[1] is False
    assert reached(leader.exclude(organization=cast.org_a1)) == {cast.zone_a.pk, cast.enclave.pk}
    # an author's own entries add only the zones of their rows
    put(cast.org_b1, "revenue", 2026, 11, 5)
    IndicatorValue.objects.filter(organization=cast.org_b1).update(entered_by=cast.leader)
    mine = IndicatorValue.objects.visible_to(cast.leader)
    assert reached(mine) == {cast.zone_a.pk, cast.enclave.pk} and cast.zone_b.pk in users_zones(mine)


def test_sharing_in_the_years_first_release_moves_the_1_2_months_share(cast, shared):
    put(shared, "revenue", 2026, 2, 3 * YI)  # 1–2月: its 当月 is its cumulative, nothing subtracted
    values = IndicatorValue.objects.visible_to(cast.leader)
    for by in ("total", "zone"):
        row = next(r for r in engine.yoy(values, ind("revenue"), dt.date(2026, 2, 1), by)
                   if r.key in (None, cast.zone_a.pk))
        assert row.total == row.month_value == D("2.1") * YI, by


def _city_viewer(cast):
    from feidi.testing.cast import _user

    return _user("cityview", "市领导", roles=["city_leader"], department=cast.city)


@pytest.mark.parametrize("since, until", [(dt.date(2026, 7, 1), None), (dt.date(2025, 1, 1), dt.date(2026, 6, 1)),
                                          (dt.date(2026, 7, 1), dt.date(2026, 10, 1)), (dt.date(2026, 11, 1), None)])
def test_an_agreement_running_part_of_the_year_moves_those_months_only(cast, shared, monkeypatch, since, until):
    """A 1–11月 figure is the sum of its months: an agreement moves 30 % of the months it ran, not
    of the year to date — from July, July to November (the whole figure moved 30 % of January
    to June too); ended in June, January to June still; from November, November's own month. The
    year-earlier figure moves the same months of that year (同口径), and 当月 the month's share when
    it ran that month. Built from the rule: each month's own figure below, cumulated."""
    from feidi.indicators.models import BenefitShare

    months = {m: D(m) * YI for m in range(1, 12)}  # 2026: m 亿 in month m; 2025: half of that
    for year, factor in ((2026, 1), (2025, D("0.5"))):
        total = D(0)
        for m in range(1, 12):
            total += months[m] * factor
            put(shared, "revenue", year, m, total)  # an upsert: the fixture's October and November replaced
    BenefitShare.objects.filter(organization=shared).update(since=since, until=until)
    first, last = max(since, dt.date(2026, 1, 1)).month, min(until or NOV, NOV).month
    ran = sum(months[m] for m in range(first, last + 1))
    ran_month = months[11] if first <= 11 <= last else D(0)
    values = IndicatorValue.objects.visible_to(cast.leader)
    for rows in (engine.yoy(values, ind("revenue"), NOV, "zone"), by_rows(monkeypatch, values, ind("revenue"), NOV, "zone")):
        home = next(r for r in rows if r.key == cast.zone_a.pk)  # the leader's zone (the enclave is the 科技局's)
        assert home.shared == -ran * D("0.3"), (since, until)
        assert home.total == sum(months.values()) + 7 * YI - ran * D("0.3")  # a1: 7亿
        # a year earlier the same months move (同口径): a1's 5.6亿 and the enterprise's 33亿, less their part
        assert home.comparable_before == D("5.6") * YI + 33 * YI - ran * D("0.3") / 2
        assert home.month_value == 2 * YI + months[11] - ran_month * D("0.3")  # 当月: a1's 2亿, its 11亿
    tech = _city_viewer(cast)
    zones = {r.key: r for r in engine.yoy(IndicatorValue.objects.visible_to(tech), ind("revenue"), NOV, "zone")}
    assert zones[cast.enclave.pk].total == ran * D("0.3") and zones[cast.enclave.pk].month_value == ran_month * D("0.3")


# --- 2. 当月 without the month before ---------------------------------------------------------------------

def test_an_enterprise_without_the_month_before_is_left_out_of_the_months_figure(cast, monkeypatch, client_for):
    for org, months in ((cast.org_a1, (9, 10, 11)), (cast.org_a2, (9, 11))):  # a2 skipped October
        for month in months:
            put(org, "revenue", 2026, month, 100 * month)
            put(org, "revenue", 2025, month, 80 * month)
    values = IndicatorValue.objects.visible_to(cast.leader)
    for rows in (engine.yoy(values, ind("revenue"), NOV), by_rows(monkeypatch, values, ind("revenue"), NOV)):
        total = rows[0]
        assert total.total == 2200  # 累计 counts everyone
        assert (total.month_value, total.month_before, total.month_left_out) == (100, 80, 1)  # a1 alone
        assert total.month_growth == pytest.approx(0.25)
    assert "1家企业上月未报送，未计入当月" in engine.sentence(ind("revenue"), NOV, total, engine.Coverage())
    # nobody with the month before: no 当月 at all, not the year's cumulative
    alone = engine.yoy(IndicatorValue.objects.filter(organization=cast.org_a2), ind("revenue"), NOV)[0]
    assert (alone.month_value, alone.month_growth) == (None, None)
    # a year-earlier 当月 that cannot be computed gives no 当月同比
    IndicatorValue.objects.filter(organization=cast.org_a1, period=dt.date(2025, 10, 1)).delete()
    from feidi.indicators import cells

    cells.rebuild()
    total = engine.yoy(values, ind("revenue"), NOV)[0]
    assert (total.month_value, total.month_unpaired, total.month_growth) == (100, 1, None)
    page = client_for("leader").get(reverse("indicators:analysis"), {"period": "2026-11", "by": "zone"}).content.decode()
    assert "1家未计入" in page
    assert "1家上年当月不全" in page  # the "—" of 当月同比 says why


# --- 3. one growth rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("now", "before", "expected"), [
    (D(1_000_000), D(-2_000_000), None), (D(5), D(0), None), (D(0), D(-1), None), (D(3), D(2), D("0.5")),
    (D(1), D(2), D("-0.5")), (D(1), None, None), (None, D(1), None),
])
def test_no_growth_rate_against_a_zero_or_negative_base(now, before, expected):
    assert money.growth(now, before) == expected
    assert stats._growth(now, before) == expected  # 统计查询's 同比 and 环比
    if now is not None and before is not None:
        assert engine.growth_ratio(now, before) == (None if expected is None else float(expected))
        row = engine.Row(key=None, label="", total=now, count=1, comparable_now=now, comparable_before=before,
                         comparable_count=1)
        assert row.growth == row.month_growth == (None if expected is None else float(expected))


def test_a_tax_rising_from_a_negative_base_has_no_growth_on_any_page(cast, client_for):
    put(cast.org_a1, "tax", 2025, 11, -2_000_000)
    put(cast.org_a1, "tax", 2026, 11, 1_000_000)
    row = engine.yoy(IndicatorValue.objects.visible_to(cast.leader), ind("tax"), NOV)[0]
    assert (row.growth, row.month_growth) == (None, None)
    page = client_for("leader").get(reverse("indicators:analysis"), {"indicator": "tax", "period": "2026-11"})
    assert "-150" not in page.content.decode()


# --- 4. the month shown by default, and a month still running ---------------------------------------------

def test_the_default_month_is_the_latest_whose_reporting_is_complete(cast, client_for):
    from django.core.cache import cache

    orgs = [cast.org_a1, cast.org_a2] + [make_org(f"报送企业{i}", cast.zone_a) for i in range(8)]
    for org in orgs:
        for month in (10, 11):
            put(org, "revenue", 2026, month, 100 * month)
    put(orgs[0], "revenue", 2026, 12, 5000)  # one enterprise early
    values = IndicatorValue.objects.visible_to(cast.leader)
    found = engine.reporting_month(values, ind("revenue"))
    assert (found.period, found.reported, found.expected, found.newest) == (NOV, 10, 10, dt.date(2026, 12, 1))
    assert str(found).startswith("10家企业已报送；2026年12月仅1家报送")
    for org in orgs[1:9]:  # 9 of 10: complete by the rule (COMPLETE_SHARE)
        put(org, "revenue", 2026, 12, 5000)
    found = engine.reporting_month(values, ind("revenue"))
    assert (found.period, found.reported, found.expected) == (dt.date(2026, 12, 1), 9, 10)
    assert str(found) == "10家企业中9家已报送"
    IndicatorValue.objects.filter(period=dt.date(2026, 12, 1)).exclude(organization=orgs[0]).delete()
    from feidi.indicators import cells

    cells.rebuild()
    cache.clear()
    c = client_for("leader")
    cockpit = c.get(reverse("cockpit:overview")).content.decode()
    assert "2026年11月（经济运行）" in cockpit and "2026年11月报送情况：10家企业已报送" in cockpit
    board = c.get(reverse("indicators:dashboard")).content.decode()
    assert "数据截至 2026年11月" in board and "10家企业已报送" in board


@pytest.mark.usefixtures("statistician")
def test_a_month_still_running_takes_no_cumulative_figure(cast):
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(ValidationError) as refused:
        actions.report_month(cast.org_a1, this_month, {ind("revenue"): D(100)}, acting_user=cast.clerk)
    assert "revenue" in refused.value.message_dict and "尚未结束" in refused.value.message_dict["revenue"][0]
    # a level (从业人员) is the month's own and may be given; the month before is over
    actions.report_month(cast.org_a1, this_month, {ind("employees"): D(10)}, acting_user=cast.clerk)
    last = engine.add_months(this_month, -1)
    assert actions.report_month(cast.org_a1, last, {ind("revenue"): D(100)}, acting_user=cast.clerk).saved == 1
    outcome = importing.run(sheet([[cast.org_a2.uscc, "", f"{this_month:%Y-%m}", 100, 10, 5]]), "指标.xlsx", cast.clerk)
    assert {e.message.split("（")[0] for e in outcome.errors} == {
        f"{this_month.year}年{this_month.month}月尚未结束，累计值须在月末之后报送"}
    assert not IndicatorValue.objects.filter(organization=cast.org_a2).exists()


# --- 5. money shown in 万元/亿元 -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "shown"), [
    (D("99999999.995"), "1.00亿元"), (D("99999999.994"), "1.00亿元"), (D("99999949.99"), "9,999.99万元"),
    (D("-99999999.995"), "-1.00亿元"), (D("132254391624.20"), "1,322.54亿元"), (D(0), "0.00万元"),
])
def test_the_unit_is_chosen_after_rounding(value, shown):
    assert money.human(value) == shown


def test_the_cockpits_chain_list_is_in_the_human_scale(cast, client_for):
    from django.core.cache import cache

    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    chain = Chain.objects.create(name="光伏", department=cast.dept_a)
    segment = Segment.objects.create(chain=chain, name="组件", order=1)
    SegmentMember.objects.create(segment=segment, organization=cast.org_a1)
    put(cast.org_a1, "revenue", 2026, 11, D("52560208800"))
    cache.clear()
    page = client_for("leader").get(reverse("cockpit:overview")).content.decode()
    assert "525.60亿元" in page and "5,256,020.88" not in page


def test_the_analysis_by_chain_names_what_the_chains_leave_out(cast, shared, client_for):
    """By chain, the enterprises on no chain are a row of their own (未归链企业): the chains' rows
    and it account for the 合计 (each enterprise on one chain here); a shared enterprise on a chain
    moves nothing out of the enterprises on none."""
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    IndicatorValue.objects.all().delete()
    segment = Segment.objects.create(chain=Chain.objects.create(name="光伏", department=cast.dept_a), name="组件")
    SegmentMember.objects.create(segment=segment, organization=cast.org_a1)
    SegmentMember.objects.create(segment=segment, organization=shared)
    put(shared, "revenue", 2026, 11, 10 * YI)  # 70 % stays in zone A
    put(cast.org_a1, "revenue", 2026, 11, 3 * YI)
    put(cast.org_a2, "revenue", 2026, 11, 2 * YI)
    page = client_for("leader").get(reverse("indicators:analysis"), {"indicator": "revenue", "period": "2026-11",
                                                                     "by": "chain"}).content.decode()
    row = page.split("data-unplaced")[1].split("</tr>")[0]
    assert "未归链企业" in row and "2.00亿元" in row and "16.7%" in row  # 2 of 12
    assert "10.00亿元" in page and "12.00亿元" in page  # the chain (3 + 10×70 %) and the 合计
    segments = client_for("leader").get(reverse("indicators:analysis"), {
        "indicator": "revenue", "period": "2026-11", "by": "segment"}).content.decode()
    assert "未归链企业" in segments
    SegmentMember.objects.create(segment=segment, organization=cast.org_a2)  # everyone placed: no such row
    page = client_for("leader").get(reverse("indicators:analysis"), {"indicator": "revenue", "period": "2026-11",
                                                                     "by": "chain"}).content.decode()
    assert "data-unplaced" not in page
