"""The demo city loads through the domain actions, twice without adding anything, and its
pipeline pages render for the demo's staff. The one full load also runs the technology market's
and the challenges' own demo checks (loading the whole demo once per module would cost minutes)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from feidi.accounts.models import User
from feidi.chains.models import Chain
from feidi.chains.models import SegmentMember
from feidi.chains.models import Target
from feidi.core.models import AuditRecord
from feidi.projects.models import Alert
from feidi.projects.models import Project
from feidi.projects.models import StageRecord
from feidi.testing import sweeps

pytestmark = pytest.mark.long  # handed out first (conftest.py)


@pytest.mark.django_db
def test_the_demo_loads_once_and_its_pages_render():
    call_command("demo")
    from feidi.indicators.models import IndicatorValue

    counts = {m: m.objects.count() for m in (Chain, SegmentMember, Target, Project, StageRecord, Alert, AuditRecord,
                                             IndicatorValue)}
    assert counts[Chain] >= 7 and counts[Project] >= 30 and counts[Alert] > 0
    assert set(Project.objects.values_list("stage", flat=True)) >= {"lead", "negotiating", "signed", "started",
                                                                     "producing", "full", "terminated"}
    assert not Project.objects.filter(sample=False).exists()
    # the technology market, its challenges (each module's own checks, on this one load)
    from feidi.auctions.models import Auction
    from feidi.auctions.models import Lot
    from feidi.challenges.models import Challenge
    from feidi.challenges.models import JointProject
    from feidi.techmarket.models import Demand
    from feidi.techmarket.models import Push
    from feidi.techmarket.models import Supply
    from tests.test_challenges import check_the_demo_batch
    from tests.test_techmarket import check_the_demo_market

    check_the_demo_market()
    check_the_demo_batch()
    from feidi.intel.models import NewsItem
    from tests.test_intel import check_the_demo_intel

    check_the_demo_intel()
    counts.update({m: m.objects.count() for m in (Demand, Supply, Push, Challenge, JointProject, Auction, Lot,
                                                  NewsItem)})
    call_command("demo")
    assert {m: m.objects.count() for m in counts} == counts
    c = Client()
    c.force_login(User.objects.get(username="leader"))
    chain = Chain.objects.first()
    for url in (reverse("projects:dashboard"), reverse("projects:key_list"), reverse("chains:gap_list"),
                chain.get_absolute_url(), reverse("chains:chain_map_data", args=[chain.pk]),
                Project.objects.filter(is_key=True).first().get_absolute_url()):
        assert c.get(url).status_code == 200, url
    gaps = c.get(reverse("chains:gap_list")).content.decode()
    assert "补链" in gaps and "强链" in gaps
    from feidi.indicators.models import IndicatorValue

    assert IndicatorValue.objects.filter(sample=True).count() > 1000
    economy = c.get(reverse("indicators:dashboard")).content.decode()
    assert "主营业务收入" in economy and "占全市" in economy and "含示例数据" in economy
    assert "全省国家级经开区" in economy
    from feidi.indicators.models import MuResult
    from feidi.indicators.models import RankingRun

    assert MuResult.objects.exists() and RankingRun.objects.count() == 2
    from feidi.indicators.models import Parcel

    assert Parcel.objects.filter(sample=True).count() > 10
    from feidi.indicators.models import BenefitShare

    assert BenefitShare.objects.count() == 3  # 飞地利益共享 has data
    assert "含飞地利益共享" in economy
    assert c.get(reverse("indicators:zone_map")).status_code == 200
    for run in RankingRun.objects.all():
        assert c.get(run.get_absolute_url()).status_code == 200
    check_the_demo_statistics()
    check_every_form_offers_what_its_user_may_name()
    if sweeps.enabled("pages"):  # the crawl runs on one pass of make test (feidi/testing/sweeps.py)
        check_every_link_as_every_demo_user()


def check_the_demo_statistics():
    """Every saved 统计查询 of the demo answers, for its owner, with a sentence of the seeds' shape."""
    from django.http import QueryDict

    from feidi.core import stats
    from feidi.core.models import SavedQuery

    saved = list(SavedQuery.objects.select_related("user"))
    assert len(saved) >= 10 and {s.user.username for s in saved} == {"leader", "tech"}
    for s in saved:
        answer = stats.evaluate(stats.parse(QueryDict(s.params), s.user), s.user)
        assert answer.figures[0].value, (s.name, answer.sentence)  # each says something, not 0
    c = Client()
    c.force_login(User.objects.get(username="leader"))
    page = c.get(reverse("core:stats") + "?" + saved[0].params).content.decode()
    assert "可引用表述" in page and saved[0].name in page


def check_every_form_offers_what_its_user_may_name():
    """Every add form a demo user may open offers, for each relation it asks for, the rows of that
    kind where the user works; so does every list's filter for the staff (an enterprise's user sees
    one enterprise, whose zone it need not filter by). A list empty only because the user's roles
    see no such records (the 安商办 offered no department for its zone's 服务设置, the 系统管理员 no
    enterprise for an enterprise's account, a 挂点干部 no 调度会 to filter his tasks by) is a form
    nobody can fill in. Empty is right only where the user's zone has none (a park with no enclave
    agreement)."""
    from unittest import mock

    from django import forms

    import feidi.urls  # noqa: F401 — every app's declarations
    from feidi.core import declare

    def choice_lists(declaration, user):
        """(what, form fields) of the add form and, for staff, the list's filters — built twice:
        as the user gets them, and with the form's own narrowing (an enclave, an active item) but
        not the scope's."""
        model = declaration.model
        views = declaration.views()
        perm = f"{model._meta.app_label}.%s_{model._meta.model_name}"
        made = []
        if "add" in declaration.pages and user.has_perm(perm % "add"):
            form_class = getattr(views["edit"], "form_class", None) or declaration.form
            made.append(("form", lambda: form_class(user=user, instance=model()).fields))
        filterset_class = getattr(views["list"], "filterset_class", None) or declaration.filterset
        if (not user.organization_id and "list" in declaration.pages and filterset_class is not None
                and user.has_perm(perm % "view")):
            made.append(("filter", lambda: filterset_class(data={}, queryset=model.objects.none(), user=user).form.fields))
        for what, make in made:
            with mock.patch("feidi.core.forms.offered", lambda q, u: q), \
                    mock.patch("feidi.core.filters.offered", lambda q, u: q):
                unscoped = make()
            yield what, make(), unscoped

    empty = []
    for user in User.objects.filter(is_active=True).order_by("username"):
        zone = user.zone_subtree_ids()
        for label, declaration in sorted(declare.REGISTRY.items()):
            if not declaration.prefix:
                continue
            for what, fields, unscoped in choice_lists(declaration, user):
                for name, field in fields.items():
                    if (not isinstance(field, forms.ModelChoiceField) or field.widget.is_hidden
                            or field.queryset.exists()):
                        continue
                    target, where = field.queryset.model, unscoped[name].queryset
                    if any(f.name == "department" for f in target._meta.concrete_fields) and user.department_id:
                        where = where.filter(department_id__in=zone)
                    if where.exists():
                        empty.append(f"{user.username}: {label}'s {what} {name} offers no {target._meta.verbose_name}")
    assert not empty, "\n".join(empty)


def check_every_link_as_every_demo_user():
    """Every demo user crawls the pages reachable from its home page and menus: a user never sees a
    link he cannot follow (no 4xx, no 5xx, no bounce to the login page), nor a button that posts to a
    step he may not take (``can_open`` of each POST form's action: nothing is posted)."""
    from urllib.parse import urljoin
    from urllib.parse import urlsplit

    import lxml.html

    from feidi.core.views import can_open
    from feidi.testing.crawl import crawl

    broken = {}
    for user in User.objects.filter(is_active=True).order_by("username"):
        c = Client()
        c.force_login(user)
        steps: dict[str, str] = {}

        def posts(url, response, steps=steps):
            for form in lxml.html.fromstring(response.content.decode()).iter("form"):
                if (form.get("method") or "get").lower() == "post":
                    steps.setdefault(urlsplit(urljoin(url, form.get("action") or url)).path, url)

        result = crawl(c, "/", per_route=1, limit=500, on_page=posts)  # each route once per user: 15 reach them all
        assert result.pages > 3, f"{user.username} reached almost nothing"
        found = [(b.status, b.url, b.found_on) for b in result.broken]
        found += [("POST refused", step, page) for step, page in steps.items()
                  if not step.startswith(("/accounts/logout", "/i18n/")) and not can_open(user, step)]
        if found:
            broken[user.username] = found
    assert not broken, "\n".join(f"{u}: {b}" for u, links in broken.items() for b in links)
