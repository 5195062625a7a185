"""The technology market in headless chromium: an enterprise posts a demand (on a phone, too) and
sees the supplies pushed to it, marks one; an institution gets its bad patent number in Chinese;
the staff's overview. Screenshots of every page in var/screenshots/."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

# pytest fixtures shared with the other browser tests
from tests.test_browser import _login  # noqa: F401
from tests.test_browser import _page  # noqa: F401
from tests.test_browser import _shot  # noqa: F401
from tests.test_browser import _submit  # noqa: F401
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUPPLIES = [
    ("大面积钙钛矿薄膜狭缝涂布与界面钝化技术", "钙钛矿 狭缝涂布 界面钝化 叠层电池",
     "狭缝涂布制备大面积钙钛矿薄膜，界面钝化后叠层电池效率30%以上，已完成M10样片验证。", "pilot", "license", 5_000_000),
    ("钙钛矿叠层组件封装与湿热稳定性提升", "钙钛矿 叠层电池 封装 湿热 稳定性",
     "原子层沉积阻隔层与边缘封装，叠层组件湿热1000小时后效率保持率95%以上。", "pilot_small", "joint", None),
    ("储能电池热失控早期预警与阻燃电解液", "热失控 阻燃 电解液 储能",
     "磷系阻燃电解液与特征气体预警，储能电芯针刺不起火。", "pilot_small", "license", 4_000_000),
]


def build(w):
    from feidi.chains.actions import do_save_chain
    from feidi.chains.actions import do_save_segment
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.core.models import DictItem
    from feidi.lib import patent
    from feidi.techmarket import actions
    from feidi.techmarket.models import Supply
    from feidi.techmarket.models import Talent

    chain = do_save_chain(Chain(name="光伏", department=w.dept_a, leader=w.leader), acting_user=None)
    seg = do_save_segment(Segment(chain=chain, name="电池片", order=1), acting_user=None)
    field = DictItem.objects.get(type__code="tech_field", code="photovoltaic")
    for i, (title, keywords, text, maturity, mode, price) in enumerate(SUPPLIES):
        org = w.institution_a if i != 1 else w.institution
        user = w.inst_a if i != 1 else w.inst
        s = actions.do_save_supply(Supply(
            organization=org, title=title, keywords=keywords, description=text, field=field, segment=seg,
            maturity=maturity, transfer_mode=mode, asking_price=Decimal(price) if price else None,
            patents=patent.make(f"20231{i:07d}")), acting_user=user)
        actions.do_publish_supply(s, acting_user=user)
    actions.do_save_talent(Talent(person=w.person_a1, field=field, employer=w.org_a1, enclave=w.enclave,
                                  title="研究员"), acting_user=w.tech)
    return seg


def test_an_enterprise_posts_a_demand_and_sees_the_pushed_supplies(browser, live_server, world):  # noqa: F811
    seg = build(world)
    # on a phone: the form stacks, the buttons fill the width
    phone, outside_phone = _page(browser, live_server, width=390, height=844)
    _login(phone, "ent_a")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto("/techmarket/demands/add/")
    assert phone.locator("select[name=organization]").count() == 0
    _shot(phone, "60-techmarket-demand-form-phone")
    _submit(phone, "button[name=_publish]")
    assert phone.locator(".invalid-feedback").filter(has_text="这个字段是必填项").count() == 3  # 名称、描述、领域
    _shot(phone, "61-techmarket-demand-form-phone-errors")

    page, outside = _page(browser, live_server)
    _login(page, "ent_a")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/techmarket/demands/add/")
    page.fill("input[name=title]", "钙钛矿/晶硅叠层电池大面积制备与稳定性提升")
    page.fill("textarea[name=description]", "基于TOPCon底电池开展钙钛矿叠层电池研发，需解决大面积钙钛矿薄膜均匀沉积、界面钝化与湿热稳定性。")
    page.fill("input[name=keywords]", "钙钛矿 叠层电池 稳定性 大面积")
    page.select_option("select[name=field]", label="光伏新能源")
    page.select_option("select[name=segment]", str(seg.pk))
    page.fill("input[name=budget]", "3000000")
    _shot(page, "62-techmarket-demand-form")
    _submit(page, "button[name=_publish]")
    page.wait_for_url(re.compile(r"/techmarket/demands/\d+/$"))
    assert page.locator(".alert-success").count() == 1
    matches = page.locator(".feidi-match")
    assert matches.count() >= 2
    assert "钙钛矿" in matches.first.inner_text() and matches.first.locator("mark").count() >= 1
    # the push ran in the job queue after the commit: the pushed supplies are listed
    page.reload()
    pushed = page.locator("text=大面积钙钛矿薄膜狭缝涂布与界面钝化技术")
    assert pushed.count() >= 2  # in the recommendations and among the pushes
    _shot(page, "63-techmarket-demand-detail")

    page.goto("/techmarket/pushes/")
    assert page.locator("text=钙钛矿叠层组件封装与湿热稳定性提升").count() >= 1
    _shot(page, "64-techmarket-push-inbox")
    page.locator("button:has-text('感兴趣')").first.click()
    page.wait_for_selector(".feidi-push-feedback .btn-success")
    _shot(page, "65-techmarket-push-inbox-marked")
    page.goto("/techmarket/demands/")
    _shot(page, "66-techmarket-demand-list")
    page.goto("/techmarket/supplies/")
    _shot(page, "67-techmarket-supply-list")
    _submit(page, page.locator("a:has-text('大面积钙钛矿薄膜狭缝涂布')").first)
    page.wait_for_url(re.compile(r"/techmarket/supplies/\d+/$"))
    assert page.locator("text=匹配需求").count() >= 1
    _shot(page, "68-techmarket-supply-detail")

    from feidi.techmarket.models import Push

    push = Push.objects.filter(demand__organization=world.org_a1).order_by("rank").first()
    page.goto(f"/techmarket/pushes/{push.pk}/")
    _shot(page, "69-techmarket-push-detail")
    assert not outside and not outside_phone, f"pages asked the internet or failed: {(outside + outside_phone)[:5]}"


def test_an_institution_is_told_which_patent_number_is_wrong(browser, live_server, world):  # noqa: F811
    page, outside = _page(browser, live_server)
    _login(page, "inst_a")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/techmarket/supplies/add/")
    page.fill("input[name=title]", "柔性封装胶膜技术")
    page.fill("textarea[name=description]", "低水汽透过率封装胶膜")
    page.fill("textarea[name=patents]", "ZL202310123456.1\nZL2023")
    page.select_option("select[name=field]", label="光伏新能源")
    page.fill("input[name=asking_price]", "800000")
    _submit(page, "button[name=_publish]")
    errors = page.locator(".invalid-feedback")
    assert errors.filter(has_text="校验位应为").count() == 1 and errors.filter(has_text="不是有效的专利号").count() == 1
    _shot(page, "70-techmarket-supply-form-patent-errors")
    assert not outside


def test_the_staff_overview_and_lists(browser, live_server, world):  # noqa: F811
    seg = build(world)
    from feidi.core.models import DictItem
    from feidi.techmarket import actions
    from feidi.techmarket.models import Demand

    for org, user, title, text in ((world.org_a1, world.ent_a, "钙钛矿叠层电池湿热稳定性提升", None),
                                   (world.org_a2, world.ent_b, "储能电芯热失控抑制技术", None),
                                   (world.org_a2, world.ent_b, "光伏背板耐候性提升", "背板在湿热老化后开裂、发黄")):
        d = actions.do_save_demand(Demand(organization=org, title=title, description=text or title, keywords=title,
                                          segment=seg, field=DictItem.objects.get(type__code="tech_field",
                                                                                  code="photovoltaic")),
                                   acting_user=user)
        actions.do_publish_demand(d, acting_user=user)
    page, outside = _page(browser, live_server)
    _login(page, "tech")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/techmarket/")
    page.wait_for_selector("#market-chart svg")
    page.wait_for_timeout(400)
    assert page.locator("text=最新发布的科技成果").count() == 1
    _shot(page, "71-techmarket-overview")
    page.goto("/techmarket/talents/")
    assert page.locator("text=张联络").count() >= 1
    _shot(page, "72-techmarket-talent-list")
    page.goto("/techmarket/demands/add/")
    assert page.locator("select[name=organization]").count() == 1
    _shot(page, "73-techmarket-demand-form-staff")
    # a keyword search ranks the rows that name it first and says so under the table
    page.goto("/techmarket/demands/?q=湿热")
    rows = page.locator("table tbody tr")
    assert rows.count() == 2 and rows.first.locator("text=钙钛矿叠层电池湿热稳定性提升").count() == 1  # the title
    assert rows.nth(1).locator("text=光伏背板耐候性提升").count() == 1  # the description only, though newer
    assert page.locator("text=按相关度排列").count() == 1
    _shot(page, "78-techmarket-demand-search")
    # the thesaurus: its related terms in the list, and the Excel import beside the form
    page.goto("/techmarket/thesaurus/?q=发黄")
    assert page.locator("th", has_text="相关词").count() == 1 and page.locator("text=耐紫外").count() >= 1
    assert page.locator("text=按相关度排列").count() == 1
    # a long list of related terms is shown short: the chain and the state stay on the page
    assert page.locator("td >> text=/等 \\d+ 个/").count() >= 1
    for header in ("产业链/领域", "启用"):
        box = page.locator("th", has_text=header).bounding_box()
        assert box["x"] + box["width"] <= page.viewport_size["width"], header
    _shot(page, "74-techmarket-thesaurus")
    page.goto("/techmarket/thesaurus/import/")
    assert page.locator("input[type=file]").count() == 1 and page.locator("a[href='?template=1']").count() == 1
    _shot(page, "75-techmarket-thesaurus-import")
    # 试查: the operator types a demand's words; the expansion and the two top tens
    page.goto("/techmarket/thesaurus/")
    _submit(page, "a:has-text('试查')")
    page.fill("textarea[name=text]", "perovskite 组件寿命")
    page.select_option("select[name=kind]", "demand")
    _submit(page, "form button[type=submit]:has-text('试查')")
    assert page.locator("td", has_text="perovskite → 钙钛矿").count() >= 1
    assert page.locator(".badge", has_text="词表带来").count() == 1
    _shot(page, "76-techmarket-thesaurus-try")
    # on a phone: the expansion table scrolls inside its card, the page does not
    phone, outside_phone = _page(browser, live_server, width=390, height=844)
    _login(phone, "tech")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    _shot(phone, "77-techmarket-thesaurus-try-phone")
    assert not outside and not outside_phone
