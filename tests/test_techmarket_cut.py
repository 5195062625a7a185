"""Upgrades of the market. 揭榜挂帅 and the auctions left ``techmarket`` for apps of their own
without copying a row: an installation upgraded from before the cut keeps its challenges, auctions
and bids, and the roles granted their permissions keep them under the new labels. The thesaurus's
related terms reach an upgraded installation's entries. Runs in both the SQLite and the PostgreSQL
pass (it reaches the database)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from feidi.testing.factories import make_for

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("techmarket", "0005_seed_thesaurus"), ("challenges", None), ("auctions", None)]


def _migrate(targets=None):
    """Migrate to ``targets`` (default: the latest) and return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(targets or leaves)
    if not targets:
        return None
    cut = {app for app, _ in targets}
    return executor.loader.project_state([n for n in leaves if n[0] not in cut] + [t for t in targets if t[1]]).apps


def test_an_upgraded_database_keeps_its_challenges_auctions_and_the_grants_of_their_permissions(cast):
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.auctions.models import Auction
    from feidi.auctions.models import Bid
    from feidi.challenges.models import Challenge

    make_for(Challenge, cast)
    make_for(Bid, cast)
    try:
        old = _migrate(BEFORE)
        # before the cut: the models, their content types and permissions were the market's
        permission = old.get_model("auth", "Permission")
        assert not permission.objects.filter(content_type__app_label__in=("challenges", "auctions")).exists()
        old_challenge, old_auction = old.get_model("techmarket", "Challenge"), old.get_model("techmarket", "Auction")
        assert old_challenge.objects.count() == 1
        old_auction.objects.create(title="升级前的拍卖会", status="draft", department_id=cast.dept_a.pk, version=1)
        role = old.get_model("accounts", "Role").objects.create(code="cut_test", name="拆分前授权", data_scope="self")
        role.permissions.add(*permission.objects.filter(content_type__app_label="techmarket", codename__in=(
            "view_challenge", "award_challenge", "view_auction", "add_bid", "view_demand")))
        # a data migration's create_permissions, run between the new apps' 0001 and techmarket 0006,
        # would have made the new label's content type and permission already: the grant moves onto it
        twin = old.get_model("contenttypes", "ContentType").objects.create(app_label="challenges", model="challenge")
        permission.objects.create(content_type=twin, codename="view_challenge", name="Can view 揭榜挂帅榜单")
        counts = {name: old.get_model("techmarket", name).objects.count()
                  for name in ("Challenge", "Auction", "Lot", "Registration", "Bid")}
    finally:
        _migrate()

    assert Challenge.objects.count() == counts["Challenge"] == 1
    assert Auction.objects.count() == counts["Auction"] == 2 and Bid.objects.count() == counts["Bid"] == 1
    assert Auction.objects.filter(title="升级前的拍卖会").exists()
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in Role.objects.get(code="cut_test").permissions.all()}
    assert granted == {"challenges.view_challenge", "challenges.award_challenge", "auctions.view_auction",
                       "auctions.add_bid", "techmarket.view_demand"}
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    assert not ContentType.objects.filter(app_label="techmarket", model__in=("challenge", "auction", "bid")).exists()
    assert not Permission.objects.filter(content_type__app_label="techmarket", codename="view_challenge").exists()
    user = User.objects.create(username="cut_test", full_name="拆分前用户")
    user.roles.add(Role.objects.get(code="cut_test"))
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("challenges.view_challenge") and user.has_perm("auctions.add_bid")
    assert not user.has_perm("techmarket.view_challenge")


def test_an_upgrade_brings_the_shipped_related_terms_and_leaves_the_operators_entries_alone(cast):
    """Migration 0008 (the thesaurus's 相关词): a shipped entry of the same chain and term gains the
    shipped related terms, an entry the installation lacks is added, an operator's own is untouched."""
    from feidi.techmarket.matching.thesaurus import load_file
    from feidi.techmarket.models import ThesaurusEntry

    first, second, third = [e for e in load_file() if e.related][:3]
    try:
        old = _migrate([("techmarket", "0007_push_score_label")])
        entry = old.get_model("techmarket", "ThesaurusEntry")
        entry.objects.filter(term__in=(first.term, second.term, third.term)).delete()
        entry.objects.create(term=first.term, chain=first.chain, equivalents="车间说法", weight=0.5, version=1)
        entry.objects.create(term=third.term, chain=third.chain, weight=0.5, version=1,
                             department_id=cast.dept_a.pk, created_by_id=cast.tech.pk)
    finally:
        _migrate()

    shipped = ThesaurusEntry.objects.get(chain=first.chain, term=first.term)
    english = {(c, t): e for c, t, e, _ in importlib.import_module(
        "feidi.techmarket.migrations.0010_thesaurus_english").extended()}  # a later release's names, after
    assert shipped.related == ", ".join(first.related)
    assert shipped.equivalents == ", ".join(["车间说法", *english.get((first.chain, first.term), ())])
    added = ThesaurusEntry.objects.get(chain=second.chain, term=second.term)
    assert added.related == ", ".join(second.related) and added.department_id is None
    assert ThesaurusEntry.objects.get(chain=third.chain, term=third.term).related == ""



def test_an_upgrade_brings_the_words_shipped_since_and_keeps_what_the_operators_made(cast):
    """Migration 0009: the entry 湿热老化 is added where the installation has none; the shipped 离焦
    gains 虚焦 after the words an operator gave it; an operator's own 热漂移 stays as it was; the way
    back takes only the release's words away."""
    from feidi.techmarket.models import ThesaurusEntry

    try:
        old = _migrate([("techmarket", "0008_thesaurus_related")])
        entry = old.get_model("techmarket", "ThesaurusEntry")
        assert not entry.objects.filter(chain="光伏", term="湿热老化").exists()  # the way back removed it
        defocus = entry.objects.get(chain="光学", term="离焦", department__isnull=True)
        assert "虚焦" not in defocus.equivalents  # and the words it brought
        entry.objects.filter(pk=defocus.pk).update(equivalents="跑焦, 车间说法")
        entry.objects.filter(chain="光学", term="热漂移").update(
            equivalents="温漂, 我们自己的词", department_id=cast.dept_a.pk, created_by_id=cast.tech.pk)
    finally:
        _migrate()

    damp = ThesaurusEntry.objects.get(chain="光伏", term="湿热老化")
    assert "双85" in damp.equivalents and "薄膜封装" in damp.related and damp.department_id is None
    assert ThesaurusEntry.objects.get(chain="光学", term="离焦").equivalents == "跑焦, 车间说法, 虚焦, 焦点偏移, defocus"
    drift = ThesaurusEntry.objects.get(chain="光学", term="热漂移")
    assert drift.equivalents == "温漂, 我们自己的词" and "后焦漂移" not in drift.related


def test_an_upgrade_brings_the_english_names_after_the_operators_words(cast):
    """Migration 0010: a shipped entry gains the English names of its term and related terms
    (the release's frozen data) after the words an operator gave it; an operator's own entry stays
    as it was; the way back takes only the release's words away."""
    from feidi.techmarket.matching.thesaurus import split_equivalents
    from feidi.techmarket.models import ThesaurusEntry

    rows = importlib.import_module("feidi.techmarket.migrations.0010_thesaurus_english").extended()
    first, second = [r for r in rows if r[2] and r[3]][:2]
    try:
        old = _migrate([("techmarket", "0009_thesaurus_defocus_damp_heat")])
        entry = old.get_model("techmarket", "ThesaurusEntry")
        shipped = entry.objects.get(chain=first[0], term=first[1], department__isnull=True)
        assert first[2][0] not in split_equivalents(shipped.equivalents)  # the way back took them
        assert first[3][0] not in split_equivalents(shipped.related)
        before = shipped.equivalents
        entry.objects.filter(pk=shipped.pk).update(equivalents=", ".join(filter(None, [before, "车间说法"])))
        entry.objects.filter(chain=second[0], term=second[1]).update(
            equivalents="我们自己的词", related="我们的对策", department_id=cast.dept_a.pk, created_by_id=cast.tech.pk)
    finally:
        _migrate()

    upgraded = ThesaurusEntry.objects.get(chain=first[0], term=first[1])
    assert upgraded.equivalents == ", ".join(filter(None, [before, "车间说法", *first[2]]))
    assert all(name in upgraded.related for name in first[3])
    own = ThesaurusEntry.objects.get(chain=second[0], term=second[1])
    assert (own.equivalents, own.related) == ("我们自己的词", "我们的对策")
