"""Query counts are pinned on lists and dashboards, so an N+1 fails the build."""

import pytest
from django.urls import reverse

from feidi.testing.cast import make_org
from feidi.testing.factories import all_factories


@pytest.mark.parametrize("url_name,user,limit", [
    ("registry:organization_list", "clerk", 18),
    ("registry:person_list", "clerk", 18),
    ("registry:residency_list", "clerk", 18),
    ("registry:zone_list", "clerk", 18),
    ("accounts:user_list", "sysadmin", 18),
    ("core:auditrecord_list", "auditor", 18),
    ("home", "leader", 30),  # with 我的待办: a count per kind of waiting work, the items of those not empty
    ("workbench", "leader", 20),
    ("workbench", "clerk", 20),
])
def test_the_page_costs_the_same_whatever_the_number_of_rows(cast, client_for, django_assert_max_num_queries,
                                                             url_name, user, limit):
    c = client_for(user)
    c.get(reverse(url_name))  # warm the per-process caches (content types, policy)
    with django_assert_max_num_queries(limit) as few:
        assert c.get(reverse(url_name)).status_code == 200
    for i in range(20):
        make_org(f"加测公司{i}", cast.zone_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(reverse(url_name)).status_code == 200


def _grow(cast, n: int, start: int) -> None:
    """``n`` more of what the cockpit and 我的待办 count, in both zones: enterprises with this
    month's and last year's headline values (through the actions, so the cells follow), projects
    (key, signed this year, led by the zone leader, owned by the investment officer), appeals (some
    overdue, some waiting for the leader), dispatch tasks and problems past their deadline."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from feidi.core.models import DictItem
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator
    from feidi.projects.models import Dispatch
    from feidi.projects.models import Problem
    from feidi.projects.models import Project
    from feidi.projects.models import Stage
    from feidi.projects.models import Task
    from feidi.services.models import Appeal

    today, now = timezone.localdate(), timezone.now()
    period = dt.date(today.year, 1, 1) if today.month > 1 else dt.date(today.year - 1, 12, 1)
    headline = list(Indicator.objects.filter(code__in=("revenue", "value_added", "rd", "tax")))
    category = DictItem.objects.filter(type__code="appeal_category").first()
    rows, appeals, projects = [], [], []
    for i in range(start, start + n):
        zone = cast.zone_a if i % 2 else cast.zone_b
        org = make_org(f"加测企业{i}", zone)
        for indicator in headline:
            for month, value in ((period, 200 + i), (period.replace(year=period.year - 1), 100 + i)):
                rows.append(actions._row(org, indicator, month, Decimal(value), acting_user=None, source="import"))
        appeals.append(Appeal(organization=org, category=category, title=f"加测诉求{i}", content="加测",
                              status=Appeal.Status.HANDLING, level=4 if i % 3 == 0 else 1,
                              owner=cast.leader if i % 3 == 0 else None, department_id=zone.department_id,
                              accepted_at=now, deadline=now - dt.timedelta(hours=1) if i % 2 else now + dt.timedelta(days=3)))
        projects.append(Project(name=f"加测项目{i}", zone=zone, investor="加测投资方", department_id=zone.department_id,
                                stage=Stage.SIGNED if i % 2 else Stage.LEAD, is_key=i % 2 == 1,
                                leader=cast.leader if zone == cast.zone_a else None,
                                owner=cast.invest if zone == cast.zone_a else None,
                                signed_on=today if i % 2 else None, signed_amount=10_000_000 * (1 + i)))
    actions.bulk_upsert(rows)
    Appeal.objects.bulk_create(appeals)
    Project.objects.bulk_create(projects)
    dispatch, _ = Dispatch.objects.get_or_create(department=cast.dept_a, week_start=today,
                                                 defaults={"title": "加测调度会"})
    for p in Project.objects.filter(name__startswith="加测项目", zone=cast.zone_a, tasks__isnull=True):
        Task.objects.create(dispatch=dispatch, project=p, decision=f"{p.name}议定事项", owner_department=cast.dept_a_bureau,
                            department=cast.dept_a, deadline=today - dt.timedelta(days=1))
        Problem.objects.create(project=p, kind="land", description=f"{p.name}用地", owner_department=cast.dept_a_bureau,
                               department=cast.dept_a, deadline=today - dt.timedelta(days=1), needs_leadership=True)


@pytest.mark.parametrize("url_name,user", [
    ("cockpit:overview", "leader"),  # the zone's cards, standing, pipeline, appeals, loop
    ("cockpit:overview", "other_pmo"),  # another zone's
    ("workbench", "leader"),
    ("workbench", "invest"),  # tasks, problems, leads of the investment office
    ("home", "leader"),
])
def test_the_cockpit_and_the_workbench_cost_the_same_at_any_scale(cast, client_for, url_name, user, monkeypatch):
    """As served (warm) and recomputed after a write (cold: the cache dropped), the cockpit and
    我的待办 ask the same number of queries with 4 or 40 enterprises, projects and appeals."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # the session's last-seen stamp is written once a minute: on a loaded machine a minute can pass
    # between two of these requests, and its writes are not the page's cost
    monkeypatch.setattr("feidi.accounts.middleware.LAST_SEEN_STEP", 10**9)
    # …and the deadlines' calendar is read once a ten-second tick: a tick between two requests is a
    # read neither page asks for
    from feidi.core import calendar

    shown = []
    monkeypatch.setattr(calendar, "_display_calendar",
                        lambda: shown[0] if shown else shown.append(calendar.current_calendar()) or shown[0])

    c = client_for(user)

    def counts() -> tuple[int, int]:
        found = []
        for cold in (False, True):
            c.get(reverse(url_name))
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as q:
                assert c.get(reverse(url_name)).status_code == 200
            found.append(len(q.captured_queries))
        return tuple(found)

    _grow(cast, 4, 0)  # every kind of figure and of waiting work present
    # once unmeasured, cold path included: what a process loads once (the content types, after a
    # test flushed the database earlier in this process) is not the page's cost at either scale
    counts()
    small = counts()
    if url_name == "cockpit:overview":
        html = c.get(reverse(url_name)).content.decode()
        assert "feidi-cockpit-figure" in html and "招商漏斗" in html  # the economy's cards, the pipeline
        assert small[1] > small[0]  # cold: the economy recomputed
    _grow(cast, 36, 4)
    assert counts() == small, small


@pytest.mark.parametrize("model", sorted(all_factories(), key=lambda m: m._meta.label), ids=lambda m: m._meta.label)
def test_a_row_fetched_with_its_str_related_names_itself_without_a_query(model, cast, django_assert_num_queries):
    """A row's name (``__str__``) is what a form's or a filter's choices show, one per option: the
    relations it reads are declared (``str_related``) and fetched with the rows wherever they are
    offered (``scope.offered``), so a choice list costs one query, not one per option."""
    from feidi.testing.factories import make_for

    obj = make_for(model, cast)
    if obj._state.adding:
        pytest.skip("the factory gives an unsaved default (a policy read before anyone saved one)")
    related = getattr(model, "str_related", ())
    rows = model._base_manager.select_related(*related) if related else model._base_manager.all()
    fetched = rows.get(pk=obj.pk)  # select_related() with no names would follow every relation
    with django_assert_num_queries(0):
        str(fetched)
