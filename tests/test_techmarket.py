"""The technology market through HTTP: enterprises post demands, institutions supplies, both see
what is published and only their own drafts, the two-way push is marked by the right side only,
the API does the same round trip, and the lists cost a fixed number of queries."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from feidi.core.models import AuditRecord
from feidi.core.models import DictItem
from feidi.lib import patent
from feidi.techmarket import actions
from feidi.techmarket.models import Demand
from feidi.techmarket.models import IndexChange
from feidi.techmarket.models import Push
from feidi.techmarket.models import Supply
from feidi.techmarket.models import Talent

GOOD = patent.make("202310123456")   # ZL202310123456.<check>
GOOD2 = patent.make("202120654321")


def _field(code="photovoltaic"):
    return DictItem.objects.get(type__code="tech_field", code=code)


@pytest.fixture
def chain(cast):
    from feidi.chains.actions import do_save_chain
    from feidi.chains.actions import do_save_segment
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment

    c = do_save_chain(Chain(name="光伏", department=cast.dept_a, leader=cast.leader), acting_user=None)
    segs = {name: do_save_segment(Segment(chain=c, name=name, order=i), acting_user=None)
            for i, name in enumerate(("硅片", "电池片", "组件"), start=1)}
    other = do_save_chain(Chain(name="锂电新能源", department=cast.dept_a, leader=cast.leader), acting_user=None)
    segs["电芯"] = do_save_segment(Segment(chain=other, name="电芯", order=1), acting_user=None)
    return segs


def demand(cast, title="钙钛矿叠层电池封装技术需求", *, org=None, user=None, publish=False, **kw):
    kw.setdefault("description", "钙钛矿叠层组件封装后湿热老化衰减大，需要低水汽透过率封装胶膜")
    kw.setdefault("keywords", "钙钛矿 叠层 封装 胶膜")
    d = actions.do_save_demand(Demand(organization=org or cast.org_a1, title=title, field=kw.pop("field", _field()),
                                      **kw), acting_user=user or cast.ent_a)
    return actions.do_publish_demand(d, acting_user=user or cast.ent_a) if publish else d


def supply(cast, title="低水汽透过率钙钛矿封装胶膜", *, org=None, user=None, publish=False, **kw):
    kw.setdefault("description", "原子层沉积阻隔层与封装胶膜，钙钛矿叠层组件湿热老化后效率保持率高")
    kw.setdefault("keywords", "钙钛矿 封装 胶膜 阻隔")
    s = actions.do_save_supply(Supply(organization=org or cast.institution_a, title=title,
                                      field=kw.pop("field", _field()), **kw), acting_user=user or cast.inst_a)
    return actions.do_publish_supply(s, acting_user=user or cast.inst_a) if publish else s


def _form(**data):
    base = {"title": "", "description": "", "keywords": "", "field": _field().pk, "kind": "key_core",
            "maturity": "pilot", "transfer_mode": "license", "_form_token": "", "_version": ""}
    base.update(data)
    return base


# --- posting ------------------------------------------------------------------------------------

def test_an_enterprise_posts_and_publishes_a_demand_for_its_own_organization(cast, client_for, chain,
                                                                            django_capture_on_commit_callbacks):
    c = client_for("ent_a")
    page = c.get(reverse("techmarket:demand_add")).content.decode()
    assert 'name="organization"' not in page and "甲光伏科技有限公司" in page and "保存并发布" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("techmarket:demand_add"), _form(
            title="钙钛矿叠层组件封装需求", description="湿热老化后衰减小于5%", organization=cast.org_b1.pk,
            segment=chain["组件"].pk, budget="3000000", _form_token="t1"))
    assert r.status_code == 302, r.content.decode()[:2000]
    d = Demand.objects.get(title="钙钛矿叠层组件封装需求")
    assert (d.organization, d.department, d.status, d.created_by, d.published_at) == (
        cast.org_a1, cast.dept_a, "draft", cast.ent_a, None)
    assert d.budget == Decimal("3000000")
    assert IndexChange.objects.filter(kind="demand", doc_id=d.pk).count() == 1
    assert AuditRecord.objects.filter(model="techmarket.demand", object_id=str(d.pk), action="create").exists()
    s = supply(cast, "叠层组件封装胶膜技术", publish=True, segment=chain["组件"])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("techmarket:demand_publish", args=[d.pk]))
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "published" and d.published_at is not None and d.version == 2
    assert AuditRecord.objects.filter(model="techmarket.demand", object_id=str(d.pk), action="transition").exists()
    # published: pushed to the best supply's institution, shown on the demand's page with the reasons
    assert Push.objects.filter(demand=d, supply=s).exists()
    page = c.get(d.get_absolute_url()).content.decode()
    assert "推荐成果" in page and s.title in page and "<mark>" in page and "已推送" in page
    # publishing twice is refused and said so
    r = c.post(reverse("techmarket:demand_publish", args=[d.pk]), follow=True)
    assert "当前状态为“已发布”" in r.content.decode()


def test_save_and_publish_in_one_step_and_a_lost_race_is_reported(cast, client_for):
    c = client_for("ent_a")
    r = c.post(reverse("techmarket:demand_add"), _form(title="一步发布的需求", description="说明", _publish="1",
                                                       _form_token="t2"))
    assert r.status_code == 302
    d = Demand.objects.get(title="一步发布的需求")
    assert d.status == "published"
    stale = Demand.objects.get(pk=d.pk)
    actions.do_close_demand(d, acting_user=cast.ent_a)
    from feidi.core.actions import ConflictError

    with pytest.raises(ConflictError, match="已关闭"):
        actions.do_close_demand(stale, acting_user=cast.ent_a)


def test_an_institution_gets_each_bad_patent_number_in_chinese_and_nothing_is_saved(cast, client_for):
    c = client_for("inst_a")
    before = Supply.objects.count()
    bad_check = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")
    r = c.post(reverse("techmarket:supply_add"), _form(
        title="柔性封装胶膜", description="低水汽透过率", patents=f"{GOOD}\n{bad_check}\nABC123", asking_price="500000",
        _form_token="t3"))
    assert r.status_code == 200
    page = r.content.decode()
    assert f"“{bad_check}”的校验位应为 {GOOD[-1]}" in page and "“ABC123”不是有效的专利号" in page
    assert f"“{GOOD}”" not in page  # the good number has no error
    assert Supply.objects.count() == before
    # good numbers are stored normalized, the organization is the institution's
    r = c.post(reverse("techmarket:supply_add"), _form(
        title="柔性封装胶膜", description="低水汽透过率", patents=f"zl {GOOD[2:]}，{GOOD2}", organization=cast.org_a1.pk,
        _form_token="t4"))
    assert r.status_code == 302
    s = Supply.objects.get(title="柔性封装胶膜")
    assert s.organization == cast.institution_a and s.patents == f"{GOOD}\n{GOOD2}"
    page = client_for("inst_a").get(s.get_absolute_url()).content.decode()
    assert GOOD in page and "发明" in page and "实用新型" in page


def test_an_enterprise_cannot_post_a_supply_nor_an_institution_a_demand(cast, client_for):
    assert client_for("ent_a").get(reverse("techmarket:supply_add")).status_code == 403
    assert client_for("inst_a").get(reverse("techmarket:demand_add")).status_code == 403


def test_staff_post_for_an_enterprise_of_their_zone(cast, client_for):
    c = client_for("tech")
    page = c.get(reverse("techmarket:demand_add")).content.decode()
    assert 'name="organization"' in page and "甲光伏科技有限公司" in page and "丙汽车零部件有限公司" not in page
    r = c.post(reverse("techmarket:demand_add"), _form(title="科技局代录需求", description="说明",
                                                       organization=cast.org_a2.pk, _form_token="t5"))
    assert r.status_code == 302
    d = Demand.objects.get(title="科技局代录需求")
    assert d.organization == cast.org_a2 and d.department == cast.dept_a
    # an institution outside any zone: the staff user's department
    s = actions.do_save_supply(Supply(organization=cast.institution, title="代录成果", description="说明",
                                      field=_field()), acting_user=cast.tech)
    assert s.department == cast.dept_a


# --- who sees what ------------------------------------------------------------------------------

def test_drafts_are_seen_by_their_organization_and_its_zone_only(cast, client_for):
    draft = demand(cast, "甲企业草稿需求")
    own = supply(cast, "甲研究院草稿成果")
    for name, sees in (("ent_a", True), ("tech", True), ("ent_b", False), ("inst", False), ("inst_a", False),
                       ("other_clerk", False), ("leader", True)):
        c = client_for(name)
        r = c.get(draft.get_absolute_url())
        assert r.status_code in ((200,) if sees else (403, 404)), (name, r.status_code)
        listing = c.get(reverse("techmarket:demand_list"))
        if listing.status_code == 200:
            assert (draft.title in listing.content.decode()) == sees, name
    for name, sees in (("inst_a", True), ("inst", False), ("ent_a", False), ("other_clerk", False)):
        r = client_for(name).get(own.get_absolute_url())
        assert r.status_code in ((200,) if sees else (403, 404)), (name, r.status_code)


def test_published_records_are_seen_by_all_but_changed_only_by_their_side(cast, client_for):
    d = demand(cast, "甲企业已发布需求", publish=True)
    s = supply(cast, "甲研究院已发布成果", publish=True)
    for name in ("ent_b", "inst", "inst_a", "leader", "expert"):
        c = client_for(name)
        assert c.get(d.get_absolute_url()).status_code == 200, name
    for name in ("ent_a", "ent_b", "inst", "leader"):
        assert client_for(name).get(s.get_absolute_url()).status_code == 200, name
    page = client_for("ent_b").get(d.get_absolute_url()).content.decode()
    assert reverse("techmarket:demand_edit", args=[d.pk]) not in page
    assert reverse("techmarket:demand_close", args=[d.pk]) not in page
    ent_b = client_for("ent_b")
    assert ent_b.get(reverse("techmarket:demand_edit", args=[d.pk])).status_code == 404
    assert ent_b.post(reverse("techmarket:demand_close", args=[d.pk])).status_code == 404
    assert client_for("inst").post(reverse("techmarket:supply_close", args=[s.pk])).status_code == 404
    d.refresh_from_db()
    s.refresh_from_db()
    assert d.status == s.status == "published"
    with pytest.raises(Exception, match="不能修改"):
        actions.do_close_demand(d, acting_user=cast.ent_b)
    page = client_for("ent_a").get(d.get_absolute_url()).content.decode()
    assert reverse("techmarket:demand_close", args=[d.pk]) in page


# --- filters ------------------------------------------------------------------------------------

def test_the_lists_filter_by_field_chain_kind_status_mode_maturity_region_and_keyword(cast, client_for, chain):
    demand(cast, "钙钛矿电池需求", publish=True, segment=chain["电池片"], kind="key_core")
    demand(cast, "储能电芯热失控需求", publish=True, segment=chain["电芯"], kind="common", field=_field("battery"),
           description="储能电芯热失控抑制", keywords="热失控 阻燃")
    demand(cast, "组件草稿需求", segment=chain["组件"])
    c = client_for("ent_a")

    def titles(name, **params):
        page = c.get(reverse(f"techmarket:{name}_list"), params).content.decode()
        return {t for t in ("钙钛矿电池需求", "储能电芯热失控需求", "组件草稿需求", "上海胶膜成果", "南京隔膜成果")
                if t in page}

    assert titles("demand") == {"钙钛矿电池需求", "储能电芯热失控需求", "组件草稿需求"}
    assert titles("demand", field=_field("battery").pk) == {"储能电芯热失控需求"}
    assert titles("demand", chain=chain["电池片"].chain_id) == {"钙钛矿电池需求", "组件草稿需求"}
    assert titles("demand", segment=chain["组件"].pk) == {"组件草稿需求"}
    assert titles("demand", kind="common") == {"储能电芯热失控需求"}
    assert titles("demand", status="draft") == {"组件草稿需求"}
    assert titles("demand", q="热失控") == {"储能电芯热失控需求"}
    from feidi.testing.cast import make_org

    nanjing = make_org("南京某研究所", None, kind="institute", region="江苏省南京市")
    supply(cast, "上海胶膜成果", publish=True, transfer_mode="transfer", maturity="industrial")
    supply(cast, "南京隔膜成果", org=nanjing, user=cast.tech, publish=True, transfer_mode="equity", maturity="lab",
           field=_field("battery"), description="隔膜涂覆", keywords="隔膜")
    assert titles("supply") == {"上海胶膜成果", "南京隔膜成果"}
    assert titles("supply", transfer_mode="equity") == {"南京隔膜成果"}
    assert titles("supply", maturity="industrial") == {"上海胶膜成果"}
    assert titles("supply", region="上海") == {"上海胶膜成果"}
    assert titles("supply", q="隔膜") == {"南京隔膜成果"}
    assert titles("supply", field=_field("battery").pk) == {"南京隔膜成果"}
    # the export has the list's columns, money in 万元
    r = c.get(reverse("techmarket:demand_list"), {"export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd")


# --- the push inbox -----------------------------------------------------------------------------

def _push(cast):
    d = demand(cast, "封装需求", publish=True)
    s = supply(cast, "封装成果", publish=True)
    p, _ = Push.objects.get_or_create(demand=d, supply=s, defaults={
        "direction": "to_supplier", "score": 3.2, "rank": 1, "reasons": {"terms": ["封装"], "fields": ["标题"]},
        "department": cast.dept_a})
    return p


def test_a_push_is_marked_by_its_two_sides_only(cast, client_for):
    p = _push(cast)
    url = reverse("techmarket:push_mark", args=[p.pk])
    inbox = client_for("ent_a").get(reverse("techmarket:push_list")).content.decode()
    assert "封装成果" in inbox and "感兴趣" in inbox and url in inbox
    r = client_for("ent_a").post(url, {"interested": "1"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "btn-success" in r.content.decode() and "<html" not in r.content.decode()
    p.refresh_from_db()
    assert (p.demand_feedback, p.supply_feedback) == ("interested", "")
    r = client_for("inst_a").post(url, {"interested": "0", "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == p.get_absolute_url()  # never off-site
    p.refresh_from_db()
    assert (p.demand_feedback, p.supply_feedback) == ("interested", "not_interested")
    # the other side's feedback shows in the inbox
    inbox = client_for("inst_a").get(reverse("techmarket:push_list")).content.decode()
    assert "对方" in inbox and "感兴趣" in inbox
    # another enterprise, another institution: not found; the zone's staff: may not mark
    assert client_for("ent_b").post(url, {"interested": "1"}).status_code == 404
    assert client_for("inst").post(url, {"interested": "1"}).status_code == 404
    assert client_for("tech").post(url, {"interested": "1"}).status_code == 403
    p.refresh_from_db()
    assert (p.demand_feedback, p.supply_feedback) == ("interested", "not_interested")
    assert client_for("tech").get(p.get_absolute_url()).status_code == 200
    page = client_for("ent_a").get(p.get_absolute_url()).content.decode()
    assert "<mark>封装</mark>" in page and "标题" in page


# --- the API ------------------------------------------------------------------------------------

def test_the_api_round_trip(cast, client_for, django_capture_on_commit_callbacks):
    inst = client_for("inst_a")
    r = inst.post("/api/v1/techmarket/supplies", data=json.dumps({
        "title": "API成果", "description": "钙钛矿封装胶膜 湿热稳定", "keywords": "钙钛矿 封装", "field_id": _field().pk,
        "patents": ["ZL2023101234"]}), content_type="application/json")
    assert r.status_code == 422 and "不是有效的专利号" in r.json()["message"]
    r = inst.post("/api/v1/techmarket/supplies", data=json.dumps({  # another organization named: refused, not dropped
        "title": "API成果", "description": "钙钛矿封装胶膜 湿热稳定", "keywords": "钙钛矿 封装",
        "field_id": _field().pk, "patents": [GOOD], "publish": True, "organization_id": cast.org_a1.pk}),
        content_type="application/json")
    assert r.status_code == 422 and "只能以本单位名义发布" in json.dumps(r.json(), ensure_ascii=False)
    with django_capture_on_commit_callbacks(execute=True):
        r = inst.post("/api/v1/techmarket/supplies", data=json.dumps({
            "title": "API成果", "description": "钙钛矿封装胶膜 湿热稳定", "keywords": "钙钛矿 封装",
            "field_id": _field().pk, "patents": [GOOD], "publish": True,
            "organization_id": cast.institution_a.pk}), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["organization_id"] == cast.institution_a.pk and body["status"] == "published"
    assert body["patents"] == [GOOD]
    ent = client_for("ent_a")
    with django_capture_on_commit_callbacks(execute=True):
        r = ent.post("/api/v1/techmarket/demands", data=json.dumps({
            "title": "API需求：钙钛矿封装", "description": "钙钛矿组件封装胶膜", "keywords": "钙钛矿 封装",
            "field_id": _field().pk, "budget": "2000000", "publish": True}), content_type="application/json")
    assert r.status_code == 201, r.content
    did = r.json()["id"]
    assert r.json()["organization_id"] == cast.org_a1.pk
    assert ent.get(f"/api/v1/techmarket/demands/{did}").json()["title"] == "API需求：钙钛矿封装"
    ids = [d["id"] for d in ent.get("/api/v1/techmarket/demands", {"status": "published"}).json()["items"]]
    assert did in ids
    matches = ent.get(f"/api/v1/techmarket/demands/{did}/matches").json()
    assert matches and matches[0]["title"] == "API成果" and matches[0]["terms"]
    pushes = ent.get("/api/v1/techmarket/pushes").json()["items"]
    mine = [p for p in pushes if p["demand_id"] == did]
    assert mine, pushes
    r = ent.post(f"/api/v1/techmarket/pushes/{mine[0]['id']}/mark", data=json.dumps({"interested": True}),
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["demand_feedback"] == "interested"
    r = client_for("ent_b").post(f"/api/v1/techmarket/demands/{did}/close")
    assert r.status_code == 404
    r = ent.post(f"/api/v1/techmarket/demands/{did}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    draft = demand(cast, "API草稿")
    assert client_for("ent_b").get(f"/api/v1/techmarket/demands/{draft.pk}").status_code == 404


# --- talents, overview, query counts --------------------------------------------------------------

def test_talents_and_the_overview(cast, client_for):
    c = client_for("tech")
    r = c.post(reverse("techmarket:talent_add"), {
        "person": cast.person_a1.pk, "field": _field().pk, "title": "教授", "employer": cast.org_a1.pk,
        "enclave": cast.enclave.pk, "how": "enclave", "_form_token": "t6", "_version": ""})
    assert r.status_code == 302, r.content.decode()[:1500]
    t = Talent.objects.get(person=cast.person_a1)
    assert t.department == cast.dept_a
    _push(cast)
    page = c.get(reverse("techmarket:overview")).content.decode()
    assert "科技大市场看板" in page and "market-chart" in page and "封装需求" in page and "封装成果" in page
    assert client_for("ent_a").get(reverse("techmarket:overview")).status_code == 403


@pytest.mark.parametrize("url_name,user,limit", [
    ("techmarket:demand_list", "ent_a", 20),
    ("techmarket:demand_list", "tech", 20),
    ("techmarket:supply_list", "inst_a", 20),
    ("techmarket:push_list", "ent_a", 20),
    ("techmarket:talent_list", "tech", 20),
    ("techmarket:overview", "tech", 22),
])
def test_the_lists_cost_the_same_whatever_the_number_of_rows(cast, client_for, chain, django_assert_max_num_queries,
                                                             url_name, user, limit):
    def add(i):
        d = demand(cast, f"需求{i}", publish=True, segment=chain["组件"], budget=Decimal(1_000_000))
        s = supply(cast, f"成果{i}", publish=True, segment=chain["电池片"])
        Push.objects.create(demand=d, supply=s, direction="to_supplier", score=1.0 + i, rank=1,
                            reasons={"terms": ["封装"]}, department=cast.dept_a)
        actions.do_save_talent(Talent(person=cast.person_a1 if i == 0 else _person(cast, i), field=_field(),
                                      employer=cast.org_a1, enclave=cast.enclave), acting_user=cast.tech)

    add(0)
    c = client_for(user)
    c.get(reverse(url_name))  # warm the per-process caches
    with django_assert_max_num_queries(limit) as few:
        assert c.get(reverse(url_name)).status_code == 200
    for i in range(1, 16):
        add(i)
    base = len(few.captured_queries)
    c.get(reverse(url_name))  # the writes moved the to-do counts' generation on: recounted once, not per row
    with django_assert_max_num_queries(base):
        assert c.get(reverse(url_name)).status_code == 200


def _person(cast, i):
    from feidi.registry.models import Person

    return Person.objects.create(name=f"人才{i}", kind="talent", organization=cast.org_a1, department=cast.dept_a)


def check_the_demo_market():
    """Run by tests/test_demo.py after `feidi demo` (one load of the whole demo for every module)."""
    from feidi.demo import techmarket as demo_market

    assert Demand.objects.filter(sample=True).count() >= 20 and Supply.objects.filter(sample=True).count() >= 25
    assert Talent.objects.filter(sample=True).count() >= 10 and Push.objects.exists()
    assert not Demand.objects.filter(sample=False).exists() and not Supply.objects.filter(sample=False).exists()
    # published, some of them since turned into challenges (已张榜) or solved by a joint project
    assert Demand.objects.filter(status__in=("published", "challenge", "solved"), segment__isnull=False).count() >= 15
    # every row of the demo's data file found its enterprise or institution and became a record
    for model, rows in ((Demand, demo_market.DATA["demands"]), (Supply, demo_market.DATA["supplies"])):
        assert {r["title"] for r in rows} <= set(model.objects.values_list("title", flat=True))
    counts = (Demand.objects.count(), Supply.objects.count(), Talent.objects.count(), Push.objects.count())
    assert demo_market.load() == {}
    assert (Demand.objects.count(), Supply.objects.count(), Talent.objects.count(), Push.objects.count()) == counts
    from django.test import Client

    from feidi.accounts.models import User

    c = Client()
    c.force_login(User.objects.get(username="ent_jinko"))
    jinko = Demand.objects.filter(organization__name="晶科能源股份有限公司", status="published").first()
    page = c.get(jinko.get_absolute_url()).content.decode()
    assert "推荐成果" in page and "上海交通大学" in page
    assert c.get(reverse("techmarket:push_list")).status_code == 200
    c.force_login(User.objects.get(username="tech"))
    page = c.get(reverse("techmarket:overview")).content.decode()
    assert "光伏" in page and "低空物流航线规划与调度平台" in page and "示例" in page


# --- the domain thesaurus ---------------------------------------------------------------------------

def test_the_thesaurus_list_shows_a_long_word_list_in_short_and_exports_it_whole(cast, client_for):
    """An entry's many related terms (with their English names) no longer push its chain, weight
    and state off the page: the list shows the first words and how many there are, the whole list
    in the cell's tooltip and in the export; a short list is shown as it is."""
    from python_calamine import CalamineWorkbook

    from feidi.techmarket.models import ThesaurusEntry

    ThesaurusEntry.objects.all().delete()
    related = ", ".join(f"对策{i}" for i in range(1, 13))
    actions.do_save_thesaurus_entry(ThesaurusEntry(term="发黄", equivalents="泛黄, 黄变", related=related,
                                                   chain="光伏"), acting_user=cast.tech)
    c = client_for("tech")
    url = reverse("techmarket:thesaurusentry_list")
    page = c.get(url).content.decode()
    assert "对策1、对策2、对策3、对策4、对策5" in page and "等 12 个" in page
    assert ">对策1、对策2、对策3、对策4、对策5、对策6" not in page  # the sixth only in the tooltip
    assert 'title="对策1、对策2、对策3、对策4、对策5、对策6、对策7、对策8、对策9、对策10、对策11、对策12"' in page
    assert "泛黄、黄变</div>" in page  # two words: no count
    book = CalamineWorkbook.from_filelike(io.BytesIO(c.get(url, {"export": "xlsx"}).content))
    rows = book.get_sheet_by_index(0).to_python()
    col = rows[0].index("相关词")
    assert rows[1][col] == related


def test_the_operator_imports_thesaurus_entries_from_excel_all_or_none(cast, client_for):
    """领域词表 › 导入: the template (its example is a related-term entry), a good file written whole
    with its related terms, a file with one bad row (an existing chain and term, a weight out of
    range) refused whole with a report by row and column; the market's sides may not import."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from python_calamine import CalamineWorkbook

    from feidi.techmarket.models import ThesaurusEntry

    from .test_import import xlsx

    url = reverse("techmarket:thesaurusentry_import")
    c = client_for("tech")
    assert reverse("techmarket:thesaurusentry_import") in c.get(reverse("techmarket:thesaurusentry_list")).content.decode()
    template = c.get(url, {"template": 1})
    assert template.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(template.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["术语*", "同义词/缩写", "上位词", "相关词"] and rows[1][3] == "耐紫外, 湿热老化, 光稳定剂"
    header = ["术语", "同义词/缩写", "上位词", "相关词", "产业链/领域", "扩展权重", "启用"]
    good = [["甲区掉磁", "退磁", "可靠性", "晶界扩散, 矫顽力", "甲区稀土", 0.5, "是"],
            ["甲区续航", "", "", "能量密度, 比能量", "甲区低空", 0.4, "否"]]
    r = c.post(url, {"file": SimpleUploadedFile("词表.xlsx", xlsx(good, header=header))})
    assert r.status_code == 302, r.content.decode()[:1500]
    made = ThesaurusEntry.objects.get(chain="甲区稀土", term="甲区掉磁")
    assert made.related == "晶界扩散, 矫顽力" and made.department == cast.dept_a and made.active
    assert not ThesaurusEntry.objects.get(chain="甲区低空", term="甲区续航").active
    assert AuditRecord.objects.filter(model="techmarket.thesaurusentry", object_id=str(made.pk), source="import").exists()
    bad = [["甲区氢脆", "", "", "渗氢", "甲区材料", 0.5, "是"],
           ["甲区掉磁", "", "", "晶界扩散", "甲区稀土", 0.5, "是"],  # row 3: already there
           ["甲区热失控", "", "", "隔热", "甲区锂电", 3, "是"]]  # row 4: weight above 0.9
    r = c.post(url, {"file": SimpleUploadedFile("词表.xlsx", xlsx(bad, header=header))})
    assert r.status_code == 200
    errors = r.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "产业链/领域、术语"), (4, "扩展权重")], errors
    assert not ThesaurusEntry.objects.filter(term__in=("甲区氢脆", "甲区热失控")).exists()
    for name in ("ent_a", "inst"):
        assert client_for(name).post(url, {"file": SimpleUploadedFile("词表.xlsx", xlsx(good, header=header))}
                                     ).status_code == 403, name
    # one term however it is cased or written: twice in a file, or beside an entry that exists
    twice = [["甲区PV", "光伏", "", "", "甲区稀土", 0.5, "是"], ["甲区ｐｖ", "", "", "", "甲区稀土", 0.5, "是"],
             ["甲区掉磁 ", "", "", "", "甲区稀土", 0.5, "是"]]
    r = c.post(url, {"file": SimpleUploadedFile("词表2.xlsx", xlsx(twice, header=header))})
    errors = r.context["result"].errors
    assert [(e.row, e.column, e.message) for e in errors][:1] == [(3, "产业链/领域、术语", "与第2行重复")], errors
    assert not ThesaurusEntry.objects.filter(term__icontains="pv").exists()
    page = c.post(reverse("techmarket:thesaurusentry_add"), {
        "term": "甲区掉磁", "chain": "甲区稀土", "weight": "0.5", "active": "on",
        "_form_token": "t"}).content.decode()
    assert "已经存在" in page or "已有术语" in page
    ThesaurusEntry.objects.filter(term="甲区掉磁").update(term="甲区Magnet")
    page = c.post(reverse("techmarket:thesaurusentry_add"), {
        "term": "甲区ＭＡＧＮＥＴ", "chain": "甲区稀土", "weight": "0.5", "active": "on", "_form_token": "t2"}
    ).content.decode()
    assert "本产业链已有术语“甲区Magnet”" in page


def test_the_operator_tries_the_thesaurus_on_a_text_and_sees_what_it_brings(cast, client_for, settings, tmp_path):
    """领域词表 › 试查: the expansion of a text (each term with its source, relation and weight,
    or why it is left out) and the top ten with and without it, the supplies the thesaurus
    brought marked; an unpublished supply is never shown; an edit shows at the next try; bad
    input gets a Chinese error; the market's sides may not use it."""
    from feidi.techmarket import matching
    from feidi.techmarket.models import ThesaurusEntry

    settings.VAR_DIR = tmp_path
    matching.reset_engine()
    ThesaurusEntry.objects.all().delete()
    entry = actions.do_save_thesaurus_entry(ThesaurusEntry(
        term="异质结", equivalents="SHJ", broader="光伏电池", related="低温银浆", chain="光伏"), acting_user=cast.tech)
    exact = supply(cast, "异质结电池降本", description="异质结电池银包铜栅线", keywords="异质结", publish=True)
    shj = supply(cast, "SHJ电池量产工艺", description="非晶硅钝化与低温银浆印刷", keywords="SHJ", publish=True)
    draft = supply(cast, "SHJ电池草稿", description="SHJ整线方案", keywords="SHJ")  # never published
    c = client_for("tech")
    url = reverse("techmarket:thesaurusentry_try")
    assert url in c.get(reverse("techmarket:thesaurusentry_list")).content.decode()
    assert c.get(url).status_code == 200  # the empty form
    # an entry's page offers the try on its term
    assert f"{url}?text=%E5%BC%82%E8%B4%A8%E7%BB%93&amp;kind=supply" in c.get(
        reverse("techmarket:thesaurusentry_detail", args=[entry.pk])).content.decode()
    r = c.get(url, {"text": "异质结", "kind": "supply"})
    assert r.status_code == 200
    rows = {x["shown"]: x for x in r.context["expansions"]}
    assert {k: (x["relation"], x["label"], x["status"]) for k, x in rows.items()} == {
        "SHJ": ("equivalent", "异质结 → SHJ", ""), "低温银浆": ("related", "异质结 → 低温银浆", ""),
        "光伏电池": ("broader", "异质结 → 光伏电池", "absent")}
    assert rows["SHJ"]["factor"] == 0.5 and rows["SHJ"]["weight"] > 0 and rows["SHJ"]["df"] == 2  # the draft too
    # the used terms first, heaviest first; those left out folded away below them
    used = r.context["used"]
    assert {x["shown"] for x in used} == {"SHJ", "低温银浆"} and used[0]["weight"] >= used[1]["weight"]
    assert [x["shown"] for x in r.context["left_out"]] == ["光伏电池"]
    with_rows, without_rows = r.context["with_rows"], r.context["without_rows"]
    assert [m["object"] for m in with_rows] == [exact, shj] and [m["added"] for m in with_rows] == [False, True]
    assert [m["object"] for m in without_rows] == [exact]
    page = r.content.decode()
    assert "词表带来" in page and "异质结 → SHJ" in page and "没有文档含此词" in page and draft.title not in page
    # the operator drops the equivalent: the next try no longer brings the SHJ supply
    entry.equivalents = ""
    actions.do_save_thesaurus_entry(entry, acting_user=cast.tech, expected_version=entry.version)
    r = c.get(url, {"text": "异质结", "kind": "supply"})
    assert "SHJ" not in {x["shown"] for x in r.context["expansions"]}
    assert [m["object"] for m in r.context["with_rows"]] == [exact, shj]  # still brought, by the related term
    assert "异质结 → 低温银浆" in r.context["with_rows"][1]["terms"]
    # bad input: a Chinese error on the field, nothing searched
    r = c.get(url, {"text": "  ", "kind": "supply"})
    assert "请输入要试查的文字" in r.content.decode() and "trial" not in r.context
    r = c.get(url, {"text": "异质结", "kind": "talent"})
    assert "请选择查找科技成果或技术需求" in r.content.decode() and "trial" not in r.context
    for name in ("ent_a", "inst"):
        assert client_for(name).get(url, {"text": "异质结"}).status_code == 403, name
    matching.reset_engine()


def test_a_lists_keyword_search_finds_the_thesaurus_equivalents_and_nothing_broader(cast, client_for):
    """"SHJ" in the supplies' search box finds the supplies that say 异质结 (and the other way):
    the active entries' equivalents, compared full-width and case folded; not the broader term,
    not an inactive entry's members. The API's list answers the same, and the scope still holds."""
    from feidi.techmarket.models import ThesaurusEntry

    ThesaurusEntry.objects.all().delete()
    actions.do_save_thesaurus_entry(ThesaurusEntry(term="异质结", equivalents="SHJ, HJT", broader="光伏电池",
                                                   chain="光伏"), acting_user=cast.tech)
    actions.do_save_thesaurus_entry(ThesaurusEntry(term="钙钛矿", equivalents="PSC", chain="光伏", active=False),
                                    acting_user=cast.tech)
    exact = supply(cast, "异质结电池降本", description="银包铜栅线", keywords="金属化", publish=True)
    short = supply(cast, "SHJ电池量产工艺", description="非晶硅钝化", keywords="钝化", publish=True)
    other = supply(cast, "TOPCon光伏电池", description="隧穿氧化层", keywords="钝化", publish=True)
    perovskite = supply(cast, "钙钛矿组件", description="封装", keywords="封装", publish=True)
    draft = supply(cast, "HJT整线草稿", description="草稿", keywords="草稿")  # the institution's draft

    def found(user, q):
        page = client_for(user).get(reverse("techmarket:supply_list"), {"q": q})
        assert page.status_code == 200
        return {o.pk for o in page.context["page"].object_list}

    for q in ("SHJ", "shj", "ＨＪＴ", "异质结", " 异质结 ", "異質結"):  # traditional characters read as simplified
        assert found("ent_a", q) == {exact.pk, short.pk}, q  # the institution's draft is not the enterprise's
        assert found("inst_a", q) == {exact.pk, short.pk, draft.pk}, q  # its own draft, said HJT
    assert found("tech", "SHJ电池") == {short.pk}  # a phrase no entry holds: as written
    assert found("tech", "光伏电池") == {other.pk}  # the broader term finds itself only
    assert found("tech", "PSC") == set() and found("tech", "钙钛矿") == {perovskite.pk}  # the entry is off
    r = client_for("ent_a").get("/api/v1/techmarket/supplies", {"q": "shj"})
    assert r.status_code == 200 and {row["id"] for row in r.json()["items"]} == {exact.pk, short.pk}


def test_a_record_written_in_traditional_characters_is_found_by_the_simplified_word(cast, client_for):
    """An institution in Hong Kong or Taiwan posts in traditional characters: the market's lists
    find its record by the simplified word, by the other region's characters (裏 / 裡) and by
    Taiwan's own word (軟體 for 软件); not a draft of another organization's, nor what does not say it."""
    from feidi.techmarket.models import ThesaurusEntry

    ThesaurusEntry.objects.all().delete()
    hk = supply(cast, "鈣鈦礦疊層電池封裝", description="電池裏的水汽阻隔", keywords="鈣鈦礦", publish=True)
    tw = supply(cast, "工業視覺檢測軟體", description="產線瑕疵辨識", keywords="機器視覺", publish=True)
    plain = supply(cast, "钙钛矿中试线", description="涂布设备", keywords="钙钛矿", publish=True)
    supply(cast, "鈣鈦礦草稿", description="草稿", keywords="草稿")  # the institution's draft

    def found(user, q):
        page = client_for(user).get(reverse("techmarket:supply_list"), {"q": q})
        assert page.status_code == 200
        return {o.pk for o in page.context["page"].object_list}

    for q in ("钙钛矿", "鈣鈦礦", " 钙钛矿 "):
        assert found("ent_a", q) == {hk.pk, plain.pk}, q
    assert found("ent_a", "电池里") == {hk.pk} == found("ent_a", "電池裡")  # Hong Kong's 裏 by Taiwan's 裡
    assert found("ent_a", "视觉检测软件") == {tw.pk}  # 軟體, Taiwan's word for 软件
    assert found("ent_a", "光伏") == set()
    r = client_for("ent_a").get("/api/v1/techmarket/supplies", {"q": "钙钛矿叠层"})
    assert r.status_code == 200 and [row["id"] for row in r.json()["items"]] == [hk.pk]


def test_traditional_forms_are_each_way_a_region_writes_the_text():
    from feidi.lib.script import traditional_forms

    assert traditional_forms("钙钛矿") == ["鈣鈦礦"]
    assert traditional_forms("软件") == ["軟件", "軟體"]
    assert traditional_forms("電池裏") == ["電池裏", "電池裡"]  # read as simplified first
    assert traditional_forms("ABC 光伏") == []


def test_a_searched_list_shows_the_rows_named_so_first_unless_a_column_is_sorted(cast, client_for):
    """A keyword search ranks the title equal to the word first, then a title holding it, then the
    keywords, then the description (newest first within each), in the page, its export and the
    API; a column the reader sorts by takes over."""
    from feidi.techmarket.models import ThesaurusEntry

    ThesaurusEntry.objects.all().delete()
    named = supply(cast, "异质结", description="整线", keywords="光伏", publish=True)
    titled = supply(cast, "异质结电池降本", description="银包铜", keywords="金属化", publish=True)
    keyworded = supply(cast, "低温银浆", description="浆料配方", keywords="异质结 金属化", publish=True)
    described = supply(cast, "整线设备", description="适用于异质结与TOPCon", keywords="设备", publish=True)
    supply(cast, "TOPCon设备", description="隧穿氧化层", keywords="设备", publish=True)  # not found
    expected = [named.pk, titled.pk, keyworded.pk, described.pk]
    c = client_for("ent_a")
    url = reverse("techmarket:supply_list")
    plain = c.get(url)
    assert [o.pk for o in plain.context["page"].object_list][:4] != expected  # newest first otherwise
    assert "按相关度排列" not in plain.content.decode()
    page = c.get(url, {"q": "异质结"})
    assert [o.pk for o in page.context["page"].object_list] == expected
    assert "按相关度排列" in page.content.decode()
    by_title = c.get(url, {"q": "异质结", "sort": "title"})
    titles = [o.title for o in by_title.context["page"].object_list]
    assert titles == sorted(titles) and len(titles) == 4 and "按相关度排列" not in by_title.content.decode()
    for one_or_none in ("TOPCon设备", "钙钛矿"):  # one row, or none: no order to speak of
        assert "按相关度排列" not in c.get(url, {"q": one_or_none}).content.decode()
    r = c.get("/api/v1/techmarket/supplies", {"q": "异质结"})
    assert r.status_code == 200 and [row["id"] for row in r.json()["items"]] == expected
    book = CalamineWorkbook.from_filelike(io.BytesIO(c.get(url, {"q": "异质结", "export": "xlsx"}).content))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert [row[0] for row in rows[1:]] == [named.title, titled.title, keyworded.title, described.title]
    assert [row["id"] for row in c.get("/api/v1/techmarket/supplies").json()["items"]][:4] != expected


def test_the_operator_edits_the_thesaurus_and_outsiders_cannot(cast, client_for):
    from feidi.accounts.models import Role
    from feidi.techmarket.models import ThesaurusEntry
    from feidi.testing.cast import _user

    c = client_for("tech")
    assert c.get(reverse("techmarket:thesaurusentry_list")).status_code == 200
    r = c.post(reverse("techmarket:thesaurusentry_add"), {
        "term": "钙钛矿", "equivalents": "perovskite, PSC", "broader": "光伏电池", "chain": "甲区光伏", "weight": "0.5",
        "related": "离子迁移，封装", "active": "on", "_form_token": "th1", "_version": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    mine = ThesaurusEntry.objects.get(chain="甲区光伏", term="钙钛矿")
    assert mine.related == "离子迁移，封装"
    page = c.get(reverse("techmarket:thesaurusentry_detail", args=[mine.pk])).content.decode()
    assert "相关词" in page and "离子迁移，封装" in page
    assert (mine.department, mine.created_by) == (cast.dept_a, cast.tech)
    assert AuditRecord.objects.filter(model="techmarket.thesaurusentry", object_id=str(mine.pk),
                                      action="create").exists()
    shipped = ThesaurusEntry.objects.get(term="异质结")  # the seeded entries: every operator edits them
    edit = {"term": "异质结", "equivalents": shipped.equivalents + ", 异质结太阳电池", "broader": shipped.broader,
            "chain": shipped.chain, "weight": "0.6", "active": "on", "_form_token": "th2",
            "_version": str(shipped.version)}
    r = c.post(reverse("techmarket:thesaurusentry_edit", args=[shipped.pk]), edit)
    assert r.status_code == 302, r.content.decode()[:2000]
    shipped.refresh_from_db()
    assert shipped.weight == 0.6 and "异质结太阳电池" in shipped.equivalents
    # another zone's operator sees the entry but cannot change or delete it; users of the
    # market's sides see no thesaurus at all
    other = _user("other_tech", "乙区科技局干部", roles=["tech_bureau"], department=cast.dept_b)
    from django.test import Client

    o = Client()
    o.force_login(other)
    assert o.get(reverse("techmarket:thesaurusentry_detail", args=[mine.pk])).status_code == 200
    r = o.post(reverse("techmarket:thesaurusentry_edit", args=[mine.pk]), {
        "term": "钙钛矿", "equivalents": "x", "chain": "甲区光伏", "weight": "0.5", "_form_token": "th3",
        "_version": str(mine.version)})
    assert r.status_code == 404
    assert o.post(reverse("techmarket:thesaurusentry_delete", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.equivalents == "perovskite, PSC"
    for name in ("ent_a", "inst", "clerk"):
        assert client_for(name).get(reverse("techmarket:thesaurusentry_list")).status_code == 403, name
        assert client_for(name).post(reverse("techmarket:thesaurusentry_edit", args=[shipped.pk]),
                                     edit).status_code in (403, 404), name
    assert Role.objects.get(code="tech_bureau").permissions.filter(codename="change_thesaurusentry").exists()


def test_a_supply_with_a_patent_text_its_form_would_refuse_still_shows(cast, client_for):
    """A number stored before the check held (an earlier release, a direct write) is shown as
    written and said to be unread, never a failed page."""
    from feidi.techmarket.models import Supply as SupplyModel

    s = supply(cast, publish=True, patents="ZL201710601862.3")
    SupplyModel.objects.filter(pk=s.pk).update(patents="ZL201710601862.3\n不是专利号<b>")
    page = client_for("inst").get(reverse("techmarket:supply_detail", args=[s.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "ZL201710601862.3" in text and "号码格式无法识别" in text
    assert "不是专利号&lt;b&gt;" in text
