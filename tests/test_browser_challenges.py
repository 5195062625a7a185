"""揭榜挂帅 in headless chromium: the bureau publishes a challenge, an institution applies, the
expert scores, the bureau awards; screenshots of every page, on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

# pytest fixtures shared with the other browser tests
from tests.test_browser import _login  # noqa: F401
from tests.test_browser import _page  # noqa: F401
from tests.test_browser import _shot  # noqa: F401
from tests.test_browser import _submit  # noqa: F401
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demand(w):
    from feidi.core.models import DictItem
    from feidi.techmarket.models import Demand

    return Demand.objects.create(
        organization=w.org_a1, title="钙钛矿/晶硅叠层组件封装可靠性攻关", kind=Demand.Kind.KEY_CORE,
        description="叠层组件湿热老化（DH1000）后效率衰减不超过5%，满足IEC 61215；需封装材料与工艺的整体方案。",
        field=DictItem.objects.get(type__code="tech_field", code="photovoltaic"), budget=Decimal("8000000"),
        deadline=timezone.localdate() + dt.timedelta(days=40), status=Demand.Status.PUBLISHED,
        published_at=timezone.now(), department=w.dept_a, created_by=w.ent_a)


def test_publish_apply_score_award(browser, live_server, world):  # noqa: F811
    from feidi.challenges import actions as challenges
    from feidi.challenges.models import Application
    from feidi.challenges.models import Challenge
    from feidi.challenges.models import JointProject

    w = world
    demand = _demand(w)

    # The science bureau turns the published demand into a challenge and publishes it.
    staff, outside = _page(browser, live_server)
    _login(staff, "tech")
    staff.goto(f"/techmarket/challenges/add/?demand={demand.pk}")
    assert staff.input_value("input[name=title]") == demand.title
    staff.fill("input[name=bounty]", "5000000")
    staff.fill("textarea[name=criteria]", "技术先进性 40\n团队实力 30\n实施方案可行性 20")
    staff.check("input[name=joint]")
    staff.fill("input[name=joint_partner]", "长三角G60科创走廊联席会议办公室")
    staff.select_option("select[name=experts]", str(w.expert.pk))
    _submit(staff, ".page-body form button[type=submit]")
    staff.wait_for_selector(".invalid-feedback")
    assert "评审指标权重合计应为 100" in staff.content()
    _shot(staff, "ch-01-challenge-form-errors")
    staff.fill("textarea[name=criteria]", "技术先进性 40\n团队实力 30\n实施方案可行性 30")
    _submit(staff, ".page-body form button[type=submit]")
    staff.wait_for_url(re.compile(r"/techmarket/challenges/\d+/$"))
    challenge = Challenge.objects.get(demand=demand)
    _submit(staff, "button:has-text('发榜')")
    staff.wait_for_selector("text=已发榜，榜单进入揭榜期")
    _shot(staff, "ch-02-challenge-published")
    challenge.refresh_from_db()
    assert challenge.status == "open"

    # 甲研究院 applies through the action; 某大学 applies on the page as a consortium lead.
    challenges.do_apply(Application(challenge=challenge, proposal="原子层沉积阻隔层+边缘密封方案", period_months=18,
                                    budget=Decimal("4000000")), acting_user=w.inst_a)
    inst, outside_inst = _page(browser, live_server)
    _login(inst, "inst")
    inst.goto("/techmarket/challenges/")
    inst.wait_for_selector(f".d-md-block a:has-text('{challenge.title}')")
    _shot(inst, "ch-03-challenge-list")
    inst.goto(challenge.get_absolute_url())
    assert "剩" in inst.content() and "协同发榜" in inst.content()
    _submit(inst, "text=我要揭榜")
    inst.wait_for_url(re.compile(r"/techmarket/applications/add/"))
    inst.fill("textarea[name=proposal]", "界面钝化与柔性封装联合方案：某大学牵头，甲研究院负责阻隔膜，乙锂电负责中试。")
    inst.fill("input[name=budget]", "4500000")
    inst.fill("input[name=period_months]", "24")
    inst.select_option("select[name=member_institutions]", str(w.institution_a.pk))
    inst.fill("textarea[name=member_codes]", w.org_a2.uscc)
    _shot(inst, "ch-04-application-form")
    _submit(inst, ".page-body form button[type=submit]")
    inst.wait_for_url(re.compile(r"/techmarket/applications/\d+/$"))
    _shot(inst, "ch-05-application-detail")
    mine = Application.objects.get(challenge=challenge, applicant=w.institution)
    assert set(mine.members.all()) == {w.institution_a, w.org_a2}
    inst.goto(challenge.get_absolute_url())
    assert "本单位的揭榜申请" in inst.content() and "原子层沉积" not in inst.content()

    # The bureau closes the call; the expert scores both applications.
    staff.goto(challenge.get_absolute_url())
    _submit(staff, "button:has-text('提前结束揭榜并评审')")
    staff.wait_for_selector("text=揭榜结束，进入专家评审")
    expert, outside_expert = _page(browser, live_server)
    _login(expert, "expert")
    for application, scores in ((mine, ("80", "90", "85")), (Application.objects.exclude(pk=mine.pk).get(), ("90", "80", "70"))):
        expert.goto(f"/techmarket/applications/{application.pk}/review/")
        for i, value in enumerate(scores):
            expert.fill(f"input[name=c{i}]", value)
        expert.fill("textarea[name=comment]", "方案可行，团队基础扎实")
        assert "加权得分：" in expert.inner_text("#weighted")
        if application == mine:
            _shot(expert, "ch-06-review-form")
        _submit(expert, ".page-body form button[type=submit]")
        expert.wait_for_selector("text=已保存评分")
    mine.refresh_from_db()
    assert mine.score == Decimal("84.50")  # 80×0.4 + 90×0.3 + 85×0.3
    _shot(expert, "ch-07-challenge-ranked")

    # The bureau awards the consortium: the joint project is set up with its parties.
    staff.goto(challenge.get_absolute_url())
    _shot(staff, "ch-08-challenge-award-form")
    staff.select_option("select[name=application]", str(mine.pk))
    staff.once("dialog", lambda d: d.accept())
    _submit(staff, "button:has-text('定榜并立项联合攻关')")
    staff.wait_for_url(re.compile(r"/techmarket/jointprojects/\d+/$"))
    project = JointProject.objects.get(challenge=challenge)
    assert project.parties.count() == 4
    staff.fill("input[name=title]", "中试线样品")
    staff.fill("input[name=due_on]", (timezone.localdate() - dt.timedelta(days=400)).isoformat())
    staff.fill("input[name=note]", "甲研究院负责阻隔膜")
    _submit(staff, "button:has-text('新增节点')")
    staff.wait_for_selector(".alert-danger")
    # refused: what was typed is back in the form (opened, marked), to be corrected, not typed again
    assert "计划完成" in staff.inner_text(".alert-danger")
    assert staff.input_value("input[name=title]") == "中试线样品"
    assert staff.input_value("input[name=note]") == "甲研究院负责阻隔膜"
    assert staff.locator("form.feidi-refused input[name=title]").count() == 1
    _shot(staff, "ch-09a-jointproject-milestone-refused")
    staff.fill("input[name=due_on]", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    _submit(staff, "button:has-text('新增节点')")
    staff.wait_for_selector("text=已新增节点")
    _shot(staff, "ch-09-jointproject-detail")
    staff.goto("/techmarket/jointprojects/")
    _shot(staff, "ch-10-jointproject-list")
    staff.goto("/techmarket/applications/")
    _shot(staff, "ch-11-application-list")
    staff.goto("/techmarket/challenges/")
    _shot(staff, "ch-12-challenge-list-staff")

    # On a phone: the 榜单 as cards, the challenge, the joint project, the score sheet.
    phone, outside_phone = _page(browser, live_server, width=390, height=844)
    _login(phone, "inst")
    phone.goto("/techmarket/challenges/")
    phone.wait_for_selector(".d-md-none .card-link")
    _shot(phone, "ch-13-phone-challenge-list")
    phone.goto(challenge.get_absolute_url())
    _shot(phone, "ch-14-phone-challenge-detail")
    phone.goto(project.get_absolute_url())
    _shot(phone, "ch-15-phone-jointproject")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert outside + outside_inst + outside_expert + outside_phone == []
