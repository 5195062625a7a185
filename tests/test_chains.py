"""Chains: gap analysis per segment, proposals, the chain map's data, targets to leads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from feidi.chains import actions
from feidi.chains import gaps
from feidi.chains.models import Chain
from feidi.chains.models import Segment
from feidi.chains.models import SegmentMember
from feidi.chains.models import Target
from feidi.projects.actions import do_save_project
from feidi.projects.models import Project
from feidi.projects.models import Stage
from feidi.testing.cast import make_org


@pytest.fixture
def lithium(cast):
    chain = actions.do_save_chain(Chain(name="锂电新能源", department=cast.dept_a, leader=cast.leader, weak_enterprises=2,
                                        weak_output=Decimal("100000000")), acting_user=cast.clerk)
    segs = {}
    for i, name in enumerate(["原材料", "零配件", "电芯", "应用端", "回收端"], start=1):
        segs[name] = actions.do_save_segment(Segment(chain=chain, name=name, order=i), acting_user=cast.clerk)
    segs["正极材料"] = actions.do_save_segment(Segment(chain=chain, name="正极材料", order=31, parent=segs["电芯"]),
                                            acting_user=cast.clerk)
    return chain, segs


def member(seg, org, output, role=SegmentMember.Role.SUPPORTING):
    return actions.do_save_member(SegmentMember(segment=seg, organization=org, declared_output=Decimal(output),
                                                role=role), acting_user=None)


def test_segments_are_gaps_weak_or_sound_by_the_chains_thresholds(cast, lithium):
    chain, segs = lithium
    big = make_org("丁电芯有限公司", cast.zone_a)
    member(segs["电芯"], cast.org_a1, "300000000", SegmentMember.Role.MASTER)
    member(segs["电芯"], big, "200000000")
    member(segs["零配件"], cast.org_a2, "500000000")  # one enterprise < 2: weak
    member(segs["应用端"], cast.org_a1, "60000000")
    member(segs["应用端"], big, "30000000")  # two enterprises but 9000万 < 1亿: weak
    rows = {r["segment"].name: r for r in gaps.analyse(chain, cast.leader)}
    assert [r["segment"].name for r in gaps.analyse(chain, cast.leader)] == [
        "原材料", "零配件", "电芯", "正极材料", "应用端", "回收端"]
    assert (rows["电芯"]["state"], rows["电芯"]["count"], rows["电芯"]["output"]) == ("ok", 2, Decimal("500000000"))
    assert [o.name for o in rows["电芯"]["masters"]] == ["甲光伏科技有限公司"]
    assert (rows["零配件"]["state"], rows["零配件"]["action"]) == ("weak", "强链")
    assert (rows["应用端"]["state"], rows["应用端"]["action"]) == ("weak", "强链")
    # empty: inside the chain a gap to fill, at either end a chain to extend
    assert (rows["正极材料"]["state"], rows["正极材料"]["action"]) == ("gap", "补链")
    assert (rows["原材料"]["action"], rows["回收端"]["action"]) == ("延链", "延链")


def test_output_comes_from_indicators_when_a_provider_knows_the_enterprise(cast, lithium, monkeypatch):
    chain, segs = lithium
    member(segs["电芯"], cast.org_a1, "1")
    member(segs["电芯"], cast.org_a2, "2")
    monkeypatch.setattr(gaps, "OUTPUT_PROVIDERS", [lambda ids: {cast.org_a1.pk: Decimal("900000000")}])
    row = next(r for r in gaps.analyse(chain, cast.leader) if r["segment"].name == "电芯")
    assert row["output"] == Decimal("900000002") and row["sources"] == ["指标", "申报"]


def test_proposals_list_targets_and_the_open_pipeline_for_each_gap(cast, lithium, client_for):
    chain, segs = lithium
    ningde = make_org("某时代新能源", None, region="福建省宁德市")
    changzhou = make_org("某正极材料公司", None, region="江苏省常州市")
    actions.do_save_target(Target(segment=segs["正极材料"], organization=ningde, reason="头部企业，有扩产计划",
                                  priority=Target.Priority.LOW), acting_user=cast.clerk)
    actions.do_save_target(Target(segment=segs["正极材料"], organization=changzhou, reason="与链主有配套关系",
                                  priority=Target.Priority.HIGH), acting_user=cast.clerk)
    actions.do_save_target(Target(segment=segs["正极材料"], organization=cast.institution, reason="已放弃",
                                  status=Target.Status.DROPPED), acting_user=cast.clerk)
    p = do_save_project(Project(name="正极材料项目", zone=cast.zone_a, segment=segs["正极材料"],
                                planned_investment=Decimal("2000000000"), owner=cast.invest), acting_user=cast.invest)
    items = {i["segment"].name: i for i in gaps.proposals(gaps.analyse(chain, cast.leader), cast.leader)}
    assert [t.organization.name for t in items["正极材料"]["targets"]] == ["某正极材料公司", "某时代新能源"]
    assert items["正极材料"]["projects"] == [p] and items["正极材料"]["pipeline_count"] == 1
    page = client_for("leader").get(reverse("chains:gap_list"), {"chain": chain.pk}).content.decode()
    assert page.index("某正极材料公司") < page.index("某时代新能源") and "正极材料项目" in page


def test_the_map_data_runs_upstream_to_downstream(cast, lithium, client_for):
    chain, segs = lithium
    member(segs["电芯"], cast.org_a1, "300000000")
    r = client_for("leader").get(reverse("chains:chain_map_data", args=[chain.pk]))
    assert r.status_code == 200
    data = r.json()
    names = {n["id"]: n for n in data["nodes"]}
    assert [names[n["id"]]["name"] for n in data["nodes"] if n["value"][1] == 0] == ["原材料", "零配件", "电芯", "应用端", "回收端"]
    top = [(names[link["source"]]["name"], names[link["target"]]["name"]) for link in data["links"]]
    assert ("原材料", "零配件") in top and ("应用端", "回收端") in top and ("电芯", "正极材料") in top
    cell = names[str(segs["电芯"].pk)]
    assert cell["state"] == "薄弱" and cell["symbolSize"] > names[str(segs["原材料"].pk)]["symbolSize"]
    assert client_for("other_pmo").get(reverse("chains:chain_map_data", args=[chain.pk])).status_code == 404
    page = client_for("leader").get(chain.get_absolute_url()).content.decode()
    assert "chain-map-data" in page and "回收端" in page


def test_another_zones_members_do_not_count(cast, lithium):
    chain, segs = lithium
    member(segs["电芯"], cast.org_b1, "900000000")  # an enterprise of zone B on zone A's chain
    SegmentMember.objects.filter(organization=cast.org_b1).update(department=cast.dept_b)
    row = next(r for r in gaps.analyse(chain, cast.leader) if r["segment"].name == "电芯")
    assert row["count"] == 0 and row["state"] == "gap"


def test_a_target_becomes_a_lead_once(cast, lithium, client_for):
    chain, segs = lithium
    target = actions.do_save_target(Target(segment=segs["回收端"], organization=make_org("某回收公司", None),
                                           reason="回收端空白"), acting_user=cast.clerk)
    c = client_for("invest")
    r = c.post(reverse("chains:target_lead", args=[target.pk]), {"zone": cast.zone_a.pk})
    assert r.status_code == 302
    project = Project.objects.get()
    assert (project.segment, project.owner, project.stage) == (segs["回收端"], cast.invest, Stage.LEAD)
    target.refresh_from_db()
    assert target.status == Target.Status.LEAD
    c.post(reverse("chains:target_lead", args=[target.pk]), {"zone": cast.zone_a.pk})
    assert Project.objects.count() == 1


def test_a_segment_cannot_hang_under_another_chain_or_itself(cast, lithium):
    from django.core.exceptions import ValidationError

    chain, segs = lithium
    pv = actions.do_save_chain(Chain(name="光伏", department=cast.dept_a), acting_user=cast.clerk)
    with pytest.raises(ValidationError):
        actions.do_save_segment(Segment(chain=pv, name="硅片", parent=segs["电芯"]), acting_user=cast.clerk)
    seg = segs["电芯"]
    seg.parent = segs["正极材料"]
    with pytest.raises(ValidationError):
        actions.do_save_segment(seg, acting_user=cast.clerk)


def test_the_gap_list_and_api(cast, lithium, client_for):
    chain, segs = lithium
    page = client_for("leader").get(reverse("chains:gap_list")).content.decode()
    assert "补链" in page and "延链" in page and "正极材料" in page
    body = client_for("leader").get("/api/v1/chains/gaps").json()
    assert {(g["segment"], g["action"]) for g in body} >= {("正极材料", "补链"), ("原材料", "延链")}
    assert client_for("other_pmo").get("/api/v1/chains/gaps").json() == []
