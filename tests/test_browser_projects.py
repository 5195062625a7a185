"""The chain map and the pipeline in headless chromium, with screenshots of every new page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

# pytest fixtures shared with the other browser tests
from tests.test_browser import _login  # noqa: F401
from tests.test_browser import _page  # noqa: F401
from tests.test_browser import _shot  # noqa: F401
from tests.test_browser import _submit  # noqa: F401
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def build(w):
    from feidi.chains import actions as ca
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember
    from feidi.chains.models import Target
    from feidi.projects import actions as pa
    from feidi.projects.models import AnnualPlan
    from feidi.projects.models import Dispatch
    from feidi.projects.models import Milestone
    from feidi.projects.models import MonthlyInvestment
    from feidi.projects.models import Problem
    from feidi.projects.models import Project
    from feidi.projects.models import Stage
    from feidi.testing.cast import make_org

    chain = ca.do_save_chain(Chain(name="锂电新能源", department=w.dept_a, leader=w.leader,
                                   leader_title="区委书记", weak_output=Decimal("100000000")), acting_user=None)
    segs = {}
    for i, name in enumerate(["原材料", "零配件", "电芯", "应用端", "回收端"], start=1):
        segs[name] = ca.do_save_segment(Segment(chain=chain, name=name, order=i), acting_user=None)
    segs["正极材料"] = ca.do_save_segment(Segment(chain=chain, name="正极材料", order=31, parent=segs["电芯"]),
                                       acting_user=None)
    others = [make_org(f"{n}有限公司", w.zone_a) for n in ("丁电池", "戊隔膜", "己储能")]
    for seg, org, output, role in ((segs["电芯"], w.org_a1, "3200000000", "master"),
                                   (segs["电芯"], others[0], "900000000", "backbone"),
                                   (segs["零配件"], others[1], "150000000", "supporting"),
                                   (segs["应用端"], others[2], "600000000", "backbone"),
                                   (segs["应用端"], w.org_a2, "400000000", "supporting")):
        ca.do_save_member(SegmentMember(segment=seg, organization=org, declared_output=Decimal(output), role=role),
                          acting_user=None)
    for name, region, seg in (("某正极材料股份公司", "江苏省常州市", "正极材料"), ("某锂矿集团", "江西省宜春市", "原材料"),
                              ("某电池回收科技", "湖南省长沙市", "回收端")):
        ca.do_save_target(Target(segment=segs[seg], organization=make_org(name, None, region=region),
                                 reason="补齐本地缺失环节，与链主有配套关系", priority="high"), acting_user=None)
    today = timezone.localdate()
    projects = []
    for i, (name, stage) in enumerate((("年产10万吨正极材料项目", "negotiating"), ("锂电池回收利用项目", "lead"),
                                       ("储能电池PACK项目", "signed"), ("动力电池二期项目", "started"))):
        p = pa.do_save_project(Project(name=name, zone=w.zone_a, investor="某新能源集团", owner=w.invest,
                                       leader=w.leader, segment=segs["正极材料" if i == 0 else "电芯"],
                                       channel="investor", planned_investment=Decimal(1_500_000_000 + i * 10**9),
                                       is_key=i >= 2, key_level="city" if i >= 2 else ""), acting_user=w.invest)
        if stage in ("negotiating", "signed", "started"):
            p = pa.do_transition_project(p, Stage.NEGOTIATING, acting_user=w.invest, on=today - dt.timedelta(60))
        if stage in ("signed", "started"):
            p.signed_amount = p.planned_investment
            p.save()
            pa.do_attach_evidence(p, "投资协议", SimpleUploadedFile("协议.pdf", b"%PDF-1.4 x"), acting_user=w.invest)
            p = pa.do_transition_project(p, Stage.SIGNED, acting_user=w.invest, on=today - dt.timedelta(40))
        if stage == "started":
            p.fixed_asset_investment = Decimal(2_000_000_000)
            p.save()
            pa.do_attach_evidence(p, "施工许可证", SimpleUploadedFile("许可证.pdf", b"%PDF-1.4 x"),
                                  acting_user=w.invest)
            p = pa.do_transition_project(p, Stage.STARTED, acting_user=w.invest, on=today - dt.timedelta(20))
        projects.append(p)
    pa.do_save_project(Project(name="公海中的隔膜线索", zone=w.zone_a, investor="某隔膜企业", owner=None),
                       acting_user=w.invest, pool=True)
    key = projects[3]
    AnnualPlan.objects.create(project=key, department=w.dept_a, year=today.year, planned_investment=Decimal(8e8))
    for m in range(1, today.month):
        MonthlyInvestment.objects.create(project=key, department=w.dept_a, month=dt.date(today.year, m, 1),
                                         amount=Decimal(4e7))
    Milestone.objects.create(project=key, department=w.dept_a, name="主体结构封顶",
                             planned_on=today - dt.timedelta(days=5))
    Problem.objects.create(project=key, department=w.dept_a, description="110千伏专线接入需协调供电公司",
                           owner_department=w.dept_a_bureau, deadline=today + dt.timedelta(days=7),
                           needs_leadership=True, kind="factor")
    pa.evaluate_alerts()
    dispatch = Dispatch.objects.create(department=w.dept_a, week_start=today - dt.timedelta(days=today.weekday()),
                                       title="重点项目本周调度会")
    return chain, segs, projects, dispatch


def test_the_chain_map_and_the_pipeline(browser, live_server, world):  # noqa: F811
    from feidi.projects.models import Problem

    chain, segs, projects, dispatch = build(world)
    page, outside = _page(browser, live_server)
    _login(page, "leader")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/chains/map/{chain.pk}/")
    page.wait_for_selector("#chain-map svg")
    page.wait_for_timeout(400)
    _shot(page, "20-chain-map")
    # click the 电芯 node: its panel lists the enterprises
    box = page.locator("#chain-map").bounding_box()
    x, y = page.evaluate("""(id) => { const c = echarts.getInstanceByDom(document.getElementById('chain-map'));
        const n = c.getOption().series[0].data.find(d => d.id === id);
        return c.convertToPixel({seriesIndex: 0}, n.value); }""", str(segs["电芯"].pk))
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#segment-panel >> text=丁电池有限公司")
    _shot(page, "21-chain-map-segment-panel")
    page.goto("/chains/gaps/")
    assert page.locator("text=补链").count() >= 1 and page.locator("text=某正极材料股份公司").count() >= 1
    _shot(page, "22-chain-gaps")
    page.goto("/projects/")
    page.wait_for_selector("#funnel-chart svg")
    page.wait_for_selector("#plan-chart svg")
    page.wait_for_timeout(400)
    _shot(page, "23-projects-dashboard")
    page.goto("/projects/key/")
    assert page.locator("text=动力电池二期项目").count() == 1
    _shot(page, "24-key-projects")
    page.goto(f"/projects/dispatches/{dispatch.pk}/")
    assert page.locator("text=主体结构封顶").count() >= 1
    _shot(page, "25-weekly-dispatch")
    assert not outside

    officer, outside2 = _page(browser, live_server)
    _login(officer, "invest")
    officer.wait_for_url(re.compile(r"/$"))
    officer.goto("/projects/pipeline/")
    from playwright.sync_api import expect

    officer.select_option("select[name=stage]", "negotiating")  # htmx swaps the table in place
    expect(officer.locator("#result >> text=动力电池二期项目")).to_have_count(0)
    expect(officer.locator("#result >> text=年产10万吨正极材料项目")).to_have_count(1)
    _shot(officer, "26-pipeline-filtered")
    officer.goto(f"/projects/pipeline/{projects[1].pk}/")
    officer.select_option("select[name=to_stage]", "negotiating")
    _submit(officer, "form:has(input[value=transition]) button[type=submit]")
    officer.wait_for_selector(".alert-success")
    _shot(officer, "27-project-moved")
    projects[1].refresh_from_db()
    assert projects[1].stage == "negotiating"
    officer.goto("/projects/pipeline/add/")
    officer.fill("input[name=name]", "")
    _submit(officer, ".page-body form button[type=submit]")
    officer.wait_for_selector(".invalid-feedback, .is-invalid")
    _shot(officer, "31-project-form-errors")
    officer.fill("input[name=name]", "年产2万吨负极材料项目")
    officer.select_option("select[name=zone]", label="上饶经开区")
    officer.fill("input[name=investor]", "某碳材料公司")
    officer.fill("input[name=planned_investment]", "1200000000")
    _submit(officer, ".page-body form button[type=submit]")
    officer.wait_for_url(re.compile(r"/projects/pipeline/\d+/$"))
    assert officer.locator("text=12.00亿元").count() >= 1
    officer.goto("/projects/trips/add/")
    _shot(officer, "32-trip-form")
    target = segs["正极材料"].targets.first()
    officer.goto(f"/chains/targets/{target.pk}/")
    _shot(officer, "33-target-detail")
    officer.goto("/projects/pool/")
    _submit(officer, "text=公海中的隔膜线索")
    _submit(officer, "text=认领该线索")
    officer.wait_for_selector(".alert-success")
    _shot(officer, "28-lead-claimed")
    # 招商局 answers for the key project's power-line problem: its officer reports it solved
    problem = Problem.objects.get(description__startswith="110千伏专线")
    officer.goto(f"/projects/problems/{problem.pk}/")
    officer.wait_for_selector("text=填报解决情况")
    _shot(officer, "36-problem-to-resolve")
    officer.fill("textarea[name=resolution]", "已与供电公司签订接入协议，专线12月底前送电")
    _submit(officer, "text=办结问题")
    officer.wait_for_selector(".alert-success")
    _shot(officer, "37-problem-resolved")
    problem.refresh_from_db()
    assert problem.status == "solved" and problem.resolution.startswith("已与供电公司签订接入协议")
    assert not outside2

    from feidi.accounts.models import Role

    world.leader.roles.add(Role.objects.get(code="project_office"))
    page.goto("/projects/reports/")
    _submit(page, "text=生成本期专报")
    page.wait_for_url(re.compile(r"/projects/reports/\d+/$"))
    assert page.locator("text=纳入调度的重点项目").count() == 1
    _shot(page, "34-biweekly-report")
    page.goto("/projects/gates/")
    _shot(page, "35-stage-gates")

    phone, outside3 = _page(browser, live_server, width=390, height=844)
    _login(phone, "leader")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto(f"/projects/pipeline/{projects[3].pk}/")
    _shot(phone, "29-project-phone")
    phone.goto(f"/chains/map/{chain.pk}/")
    phone.wait_for_selector("#chain-map svg")
    _shot(phone, "30-chain-map-phone")
    assert not outside3
