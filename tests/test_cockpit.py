"""领导驾驶舱: the leader's one-screen overview, from the data and through the scope layer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from feidi.testing.factories import make_for


def test_the_cockpit_shows_the_zones_own_figures_and_not_another_zones(cast, client_for):
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator
    from feidi.projects.models import Project
    from feidi.services.models import Appeal

    period = dt.date(timezone.localdate().year, 1, 1) if timezone.localdate().month > 1 else dt.date(
        timezone.localdate().year - 1, 12, 1)
    revenue = Indicator.objects.get(code="revenue")
    actions.bulk_upsert([actions._row(org, revenue, period, Decimal(value), acting_user=None, source="import")
                         for org, value in ((cast.org_a1, 123_000_000), (cast.org_b1, 999_000_000))])
    make_for(Project, cast)
    make_for(Appeal, cast)
    page = client_for("leader").get(reverse("cockpit:overview"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "领导驾驶舱" in html and "主营业务收入" in html
    assert "1.23亿元" in html and "9.99亿元" not in html  # the zone's revenue, not the other zone's
    assert f"指标卡为{cast.zone_a.name}的数据" in html  # whose the cards are, beside a count of every zone's
    assert "招商漏斗" in html and "企业诉求 · 在办 1 件" in html and "双向飞地" in html
    assert 'id="cockpit-data"' in html and "<script>" not in html.split('id="cockpit-data"')[0][-200:]
    other = client_for("other_pmo").get(reverse("cockpit:overview")).content.decode()  # another zone's 项目办
    assert "9.99亿元" in other and "1.23亿元" not in other and "企业诉求 · 在办 1 件" not in other
    assert "招商漏斗 · " in other and '"funnel": [["\\u7ebf\\u7d22", 0]' in other  # zone A's lead is not counted


def test_enterprises_and_roles_without_the_figures_get_no_cockpit(cast, client_for):
    for name in ("ent_a", "inst", "auditor", "expert"):
        assert client_for(name).get(reverse("cockpit:overview")).status_code == 403, name


def test_a_cockpit_without_data_still_renders_for_a_new_zone(cast, client_for):
    html = client_for("leader").get(reverse("cockpit:overview")).content.decode()
    assert "领导驾驶舱" in html and "招商漏斗" in html


def test_the_cached_economy_is_dropped_when_its_data_or_the_viewer_changes(cast, django_capture_on_commit_callbacks):
    """The cockpit keeps its economy figures between requests, but a written value, a published
    figure or a change of the viewer's roles makes the next request compute them afresh."""
    from django.core.cache import cache

    from feidi.accounts.models import Role
    from feidi.cockpit import figures
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator

    cache.clear()
    period = dt.date(timezone.localdate().year, 1, 1) if timezone.localdate().month > 1 else dt.date(
        timezone.localdate().year - 1, 12, 1)
    revenue = Indicator.objects.get(code="revenue")

    def write(value):
        with django_capture_on_commit_callbacks(execute=True):
            actions.bulk_upsert([actions._row(cast.org_a1, revenue, period, Decimal(value), acting_user=None,
                                              source="import")])

    def shown():
        card = next(c for c in figures.economy(cast.leader)["cards"] if c["indicator"].code == "revenue")
        return card["total"]

    write(123_000_000)
    first = shown()
    write(456_000_000)
    assert shown() != first  # the value written is shown at once, not after the cache expires
    again = shown()
    assert shown() == again
    with django_capture_on_commit_callbacks(execute=True):
        cast.leader.roles.add(Role.objects.get(code="zone_clerk"))
    version = figures.core_cache.version("indicators")
    assert version >= 3  # two writes and a role change each dropped the cached figures



def test_a_leaders_zone_is_the_whole_zone_not_a_part_sharing_its_department(cast):
    """A park's parts (产业园 A区) belong to the zone's own department: the leader's zone is the
    whole one whatever order the rows were written in (the database's row order decides nothing)."""
    from feidi.indicators.dashboard import home_zone
    from feidi.registry.models import Zone

    zone = cast.zone_a
    # a part written before the whole (a lower id), attached to it afterwards
    part = Zone.objects.create(name="先建分区", kind=zone.kind, host_region=zone.host_region,
                               department=zone.department)
    whole = Zone.objects.create(name="整园区", kind=zone.kind, host_region=zone.host_region,
                                department=zone.department)
    Zone.objects.filter(pk=part.pk).update(parent=whole)
    Zone.objects.filter(pk=zone.pk).update(parent=whole)
    assert part.pk < whole.pk
    assert home_zone(cast.leader) == whole


def test_the_cockpit_says_the_years_on_time_rate_by_the_one_rule(cast, client_for):
    """按时办结率 on the cockpit is 办理指标's: of the year's closed appeals, those closed at their
    first level by its deadline (one escalated and settled above counts late)."""
    from feidi.services import measures
    from feidi.services.models import Appeal

    now = timezone.now()
    for title, level, due in (("准时", 1, now + dt.timedelta(days=1)), ("超期", 1, now - dt.timedelta(days=1)),
                              ("升级后办结", 2, now + dt.timedelta(days=3))):
        appeal = make_for(Appeal, cast)
        Appeal.objects.filter(pk=appeal.pk).update(title=title, status=Appeal.Status.CLOSED, level=level,
                                                   deadline=due, closed_at=now, accepted_at=now)
    make_for(Appeal, cast)  # still waiting to be accepted: not 受理, not in the rate
    rows = measures.compute(Appeal.objects.filter(status=Appeal.Status.CLOSED), by="department")
    assert sum(r["on_time"] for r in rows) == 1 and sum(r["closed"] for r in rows) == 3
    html = client_for("leader").get(reverse("cockpit:overview")).content.decode()
    assert f"{now.year}年受理 3 件，已办结 3 件，按时办结率 33.3%" in html


def test_a_suspended_appeal_is_still_in_hand_on_the_cockpit_but_never_overdue(cast, client_for):
    """在办 is every appeal not closed nor returned: one suspended waits on the enterprise (its clock
    stopped, so it is not overdue) and is said apart."""
    from feidi.services.models import Appeal

    now = timezone.now()
    for status in (Appeal.Status.HANDLING, Appeal.Status.SUSPENDED, Appeal.Status.CLOSED):
        appeal = make_for(Appeal, cast)
        Appeal.objects.filter(pk=appeal.pk).update(status=status, level=1, deadline=now - dt.timedelta(days=2))
    html = client_for("leader").get(reverse("cockpit:overview")).content.decode()
    assert "在办 2 件" in html and "其中挂起 1 件" in html and "逾期 1 件" in html


def test_a_project_is_counted_landed_at_home_once_it_is_signed(cast):
    """回本地落地: an incubated project signed at home or further; one in talks is said apart, a terminated
    one not at all (the probe counted a 洽谈 project as landed)."""
    from feidi.cockpit.figures import enclave_loop
    from feidi.projects.models import Project

    base = make_for(Project, cast)
    for name, stage in (("在谈转化", "negotiating"), ("已签约转化", "signed"), ("已开工转化", "started"),
                        ("已终止转化", "terminated")):
        Project.objects.create(name=name, stage=stage, zone=base.zone, department=base.department,
                               incubated_from=cast.residency_a1, channel="enclave")
    loop = enclave_loop(cast.leader)
    assert loop["landed"]["count"] == 2 and loop["landed"]["pending"] == 1
    assert {p.name for p in loop["landed"]["projects"]} == {"已签约转化", "已开工转化"}
