"""A newcomer's first visit in headless chromium: sign in, open every module page, screenshot each.

Screenshots land in $FEIDI_SCREENSHOT_DIR (default var/screenshots) to be looked at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyotp
import pytest
from django.utils import timezone

from feidi.testing.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.long]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("FEIDI_SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "var" / "screenshots"))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: make test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in
    # other threads, so Django's async guard is lifted for this module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                  args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def world(settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    from feidi.testing.cast import build_cast

    return build_cast()


def _page(browser, live_server, width=1366, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  base_url=live_server.url)
    page = context.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None)
    page.on("pageerror", lambda e: outside.append(f"JavaScript error on {page.url}: {e}\n{e.stack}"))
    return page, outside


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    _submit(page, "button[type=submit]")


def _submit(page, target):
    """Click what loads another page — a form's button, a link — and return once that page has loaded
    and run its scripts. A click returns when the click is done, not when the answer has arrived: reading
    the page straight after it reads the page being left (or a page whose scripts have not run yet), and
    a busy machine makes that race visible."""
    with page.expect_navigation(wait_until="load"):
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def test_a_newcomer_signs_in_and_opens_every_module_page(browser, live_server, world):
    page, outside = _page(browser, live_server)
    page.goto("/")
    assert "/accounts/login/" in page.url
    _shot(page, "01-login")
    _login(page, "leader")
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector("#home-chart-box svg", timeout=10_000)
    page.wait_for_timeout(500)  # the bars grow in 300 ms
    _shot(page, "02-home")
    links = page.eval_on_selector_all("header a.dropdown-item[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    links = [href for href in links if not href.startswith("/api/")]
    assert len(links) >= 4, links
    for i, href in enumerate(dict.fromkeys(links)):
        response = page.goto(href)
        assert response.status == 200, href
        assert page.locator("h2, .page-title").first.is_visible()
        _shot(page, f"03-module-{i:02d}-{href.strip('/').replace('/', '_')}")
    page.goto(f"/registry/organizations/{world.org_a1.pk}/")
    _shot(page, "04-organization-detail")
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui", timeout=10_000)
    _shot(page, "06-api-docs")
    assert not outside, f"pages asked the internet or failed: {outside[:5]}"


def test_a_clerk_gets_chinese_field_errors_and_saves(browser, live_server, world):
    page, outside = _page(browser, live_server)
    _login(page, "clerk")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/registry/organizations/add/")
    page.fill("input[name=name]", "新来的公司")
    page.fill("input[name=uscc]", "91361100MA35X0000A")
    _submit(page, ".page-body form button[type=submit]")
    assert page.locator(".invalid-feedback").filter(has_text="校验位").count() == 1
    _shot(page, "05-form-errors")
    from feidi.lib import uscc

    page.fill("input[name=uscc]", uscc.make("91361100MA35X0000"))
    page.select_option("select[name=zone]", str(world.zone_a.pk))
    _submit(page, ".page-body form button[type=submit]")
    page.wait_for_url(re.compile(r"/registry/organizations/\d+/$"))
    assert page.locator(".alert-success").count() == 1
    _shot(page, "05-organization-saved")
    from tests.test_import import xlsx

    bad = xlsx([["批量公司一", uscc.make("91361100MA35W0001"), "企业", "C3825", "上饶经开区", None, None, None],
                ["批量公司二", "91361100MA35W0002X", "企业", "X99", None, None, None, None]])
    page.goto("/registry/organizations/import/")
    page.set_input_files("input[type=file]", files=[{"name": "单位.xlsx", "mimeType": "application/octet-stream",
                                                     "buffer": bad}])
    _submit(page, ".page-body form button[type=submit]")
    assert page.locator("table tbody tr").count() == 2  # the bad code and the bad industry, both on row 3
    _shot(page, "05-import-report")
    assert not outside


def test_pages_work_on_a_phone(browser, live_server, world):
    page, outside = _page(browser, live_server, width=390, height=844)
    _login(page, "clerk")
    page.wait_for_url(re.compile(r"/$"))
    _shot(page, "07-phone-home")
    page.goto("/registry/organizations/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the list page scrolls sideways on a phone ({width}px)"
    _shot(page, "08-phone-organizations")
    # a form's address opened by its link: the site's page, in Chinese, on a phone too
    response = page.goto("/core/downloads/new/")
    assert response.status == 405 and page.locator("text=该地址只接受表单提交").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    _shot(page, "08b-phone-405")
    assert not outside


def test_a_large_export_is_asked_for_then_built_in_the_download_centre(browser, live_server, world, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    page, outside = _page(browser, live_server, width=390, height=844)
    _login(page, "clerk")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/registry/organizations/?sort=name")
    _submit(page, "text=导出 Excel")
    assert page.locator("h3").filter(has_text="导出").count() == 1 and "共 2 行" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    _shot(page, "08-phone-export-confirm")
    from feidi.core.models import ExportFile

    assert not ExportFile.objects.exists()  # asking is not queuing
    _submit(page, "button:has-text('在后台生成')")
    page.wait_for_url(re.compile(r"/downloads/$"))
    assert page.locator(".alert").filter(has_text="共2行").count() == 1
    assert ExportFile.objects.get().query == "sort=name"
    _shot(page, "08-phone-download-centre")
    assert not outside


def test_an_auditor_enrols_totp_and_reads_the_trail(browser, live_server, world):
    page, _ = _page(browser, live_server)
    _login(page, "auditor")
    page.wait_for_url(re.compile(r"/accounts/login/otp/"))
    _shot(page, "09-totp-enrol")
    secret = page.locator("[data-totp-secret], code").first.inner_text().replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    _submit(page, "button[type=submit]")
    page.goto("/core/audit/")
    assert page.locator("table tbody tr").count() >= 5
    _shot(page, "10-audit-trail")


def test_an_enterprise_files_an_appeal_and_a_cadre_closes_it(browser, live_server, world):
    import datetime as dt

    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.services.models import Appeal
    from feidi.services.models import Assignment
    from feidi.services.models import ServiceGroup
    from feidi.services.models import ServiceSettings

    cadre = User(username="cadre", full_name="挂点干部甲", department=world.dept_a)
    do_create_user(cadre, password=PASSWORD, roles=[Role.objects.get(code="service_cadre")], acting_user=None)
    ServiceSettings.objects.create(department=world.dept_a, office_head=world.leader, principal_leader=world.leader)
    group = ServiceGroup.objects.create(name="第一服务小组", leader=world.leader, department=world.dept_a)
    Assignment.objects.create(organization=world.org_a1, cadre=cadre, group=group, since=dt.date(2025, 1, 1),
                              department=world.dept_a)

    page, outside = _page(browser, live_server, width=390, height=844)  # at the enterprise's door: a phone
    _login(page, "ent_a")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/services/appeals/add/")
    page.select_option("select[name=category]", label="水电气")
    page.fill("input[name=title]", "厂区频繁停电")
    page.fill("textarea[name=content]", "近一周停电三次，影响生产线运行，请协调供电公司。")
    _submit(page, ".page-body form button[type=submit]")
    page.wait_for_url(re.compile(r"/services/appeals/\d+/$"))
    _shot(page, "11-appeal-filed-phone")
    appeal = Appeal.objects.get(title="厂区频繁停电")
    assert appeal.owner == cadre and appeal.status == "submitted"

    page2, outside2 = _page(browser, live_server)
    _login(page2, "cadre")
    page2.wait_for_url(re.compile(r"/$"))
    todo = page2.locator('[data-todo="appeal_accept"]')  # 我的待办 on the cadre's home: one click to act
    assert "厂区频繁停电" in todo.inner_text() and page2.locator(".feidi-todo-count").inner_text() == "1"
    _shot(page2, "12a-home-workbench-cadre")
    _submit(page2, todo.locator("a.list-group-item").first)
    page2.wait_for_url(re.compile(rf"/services/appeals/{appeal.pk}/$"))
    page2.set_viewport_size({"width": 390, "height": 844})  # the cadre at the enterprise's door
    for action, text in (("accept", ""), ("close", "已协调供电公司完成线路检修。")):
        page2.click(f"button[data-bs-target='#act-{action}']")
        page2.wait_for_selector(f"#act-{action}.show")
        page2.wait_for_timeout(400)  # the collapse's transition, then the scroll
        top = page2.evaluate(f"document.querySelector('#act-{action}').getBoundingClientRect().top")
        assert 0 <= top < 844 - 80, f"the {action} form opened out of sight ({top}px)"
        if text:
            # its first field, ready
            assert page2.evaluate(f"!!document.activeElement.closest('#act-{action}')")
            page2.fill(f"#act-{action} textarea[name=text]", text)
        _submit(page2, f"#act-{action} button[type=submit]")
        page2.wait_for_selector(".alert-success")
    _shot(page2, "12-appeal-closed-by-cadre")
    appeal.refresh_from_db()
    assert appeal.status == "closed"
    page.goto("/todo/")  # the enterprise is asked to rate it, on its phone
    assert "待评价的诉求" in page.locator('[data-todo="appeal_rate"]').inner_text()
    _shot(page, "12b-workbench-enterprise-phone")

    page.goto(f"/services/appeals/{appeal.pk}/")
    page.click("button[data-bs-target='#act-rate']")
    page.select_option("#act-rate select[name=rating]", "5")
    _submit(page, "#act-rate button[type=submit]")
    page.wait_for_selector(".alert-success")
    _shot(page, "13-appeal-rated-phone")
    appeal.refresh_from_db()
    assert appeal.status == "rated" and appeal.rating == 5
    page2.goto("/services/appeals/")
    _shot(page2, "14-appeal-list")
    page3, outside3 = _page(browser, live_server)
    _login(page3, "leader")
    page3.wait_for_url(re.compile(r"/$"))
    page3.goto("/services/appeals/measures/?start=2000-01-01")
    page3.wait_for_selector("#measures-chart svg")
    page3.wait_for_timeout(500)
    _shot(page3, "15-appeal-measures")
    assert not outside3
    assert not outside and not outside2


def test_the_leader_opens_the_cockpit_on_a_meeting_room_screen_and_on_a_phone(browser, live_server, world,
                                                                                 live_server_lock):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from feidi.indicators import actions
    from feidi.indicators.models import Indicator
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Project

    today = timezone.localdate()
    with live_server_lock:
        rows = []
        for year in (today.year - 1, today.year):
            for month in range(1, 13 if year < today.year else today.month):
                for code, base in (("revenue", 80_000_000), ("tax", 3_000_000)):
                    value = Decimal(base * month * (1.12 if year == today.year else 1))
                    rows.append(actions._row(world.org_a1, Indicator.objects.get(code=code), dt.date(year, month, 1),
                                             value.quantize(Decimal(1)), acting_user=None, source="import"))
        actions.bulk_upsert(rows)
        for name in ("异质结电池片项目", "储能系统集成项目", "光学镜头模组项目"):
            do_save_project(Project(name=name, zone=world.zone_a, investor="某投资方", owner=world.invest),
                            acting_user=world.invest)
    page, outside = _page(browser, live_server, width=1920, height=1080)
    _login(page, "leader")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/cockpit/")
    page.wait_for_selector("#cockpit-funnel canvas", timeout=10_000)
    page.wait_for_timeout(500)
    text = page.locator("#cockpit").inner_text()
    assert "主营业务收入" in text and "同比 +12.0%" in text and "招商漏斗" in text
    _shot(page, "13-cockpit-screen")
    with page.expect_download() as download:
        page.click("[data-cockpit=image]")
    assert download.value.suggested_filename.endswith(".png")
    phone, outside2 = _page(browser, live_server, width=390, height=844)
    _login(phone, "leader")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto("/cockpit/")
    phone.wait_for_selector("#cockpit-funnel canvas", timeout=10_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392  # no sideways scrolling
    _shot(phone, "13-cockpit-phone")
    assert not outside and not outside2, (outside + outside2)[:5]


def test_the_leader_asks_three_quotable_questions_through_the_statistics_page(browser, live_server, world,
                                                                              live_server_lock):
    """统计查询 as a leader uses it: three different questions put through the form (signings with the
    part of the last three months; a label's change since New Year; appeals closed by outcome), the
    sentence read, the workbook exported and the question kept for the reports — and on a phone."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from feidi.core.models import DictItem
    from feidi.projects.models import Project
    from feidi.projects.models import Stage
    from feidi.registry.models import OrganizationLabel
    from feidi.services.models import Appeal

    today = timezone.localdate()
    with live_server_lock:
        for i, days in enumerate((5, 40, 200)):
            Project.objects.create(name=f"签约项目{i}", zone=world.zone_a, investor="投资方", department=world.dept_a,
                                   stage=Stage.SIGNED, signed_on=max(today - dt.timedelta(days=days), today.replace(
                                       month=1, day=1)), signed_amount=Decimal(300_000_000 * (i + 1)))
        sme = DictItem.objects.get(type__code="org_label", code="tech_sme")
        OrganizationLabel.objects.create(organization=world.org_a1, label=sme, since=today.replace(month=1, day=1)
                                         - dt.timedelta(days=30), department=world.dept_a)
        OrganizationLabel.objects.create(organization=world.org_a2, label=sme, since=today, department=world.dept_a)
        category = DictItem.objects.filter(type__code="appeal_category").first()
        appeal = Appeal.objects.create(organization=world.org_a1, category=category, title="用地指标", content="申请用地",
                                       department=world.dept_a)
        Appeal.objects.filter(pk=appeal.pk).update(
            status=Appeal.Status.CLOSED, closed_at=timezone.now(), deadline=timezone.now() + dt.timedelta(days=3),
            outcome=DictItem.objects.get(type__code="service_outcome", code="land"))
    page, outside = _page(browser, live_server)
    _login(page, "leader")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/core/stats/?subject=projects")
    _shot(page, "14-stats-empty")
    # 1. signings this year, with the last three months
    page.check("input[name=measure][value='sum:signed_amount']")
    page.select_option("#s-date", "signed_on")
    page.select_option("#s-window", "ytd")
    page.select_option("#s-within", "last3")
    _submit(page, "#stats-form button[type=submit]")
    sentence = page.locator("#stats-sentence").inner_text()
    assert "签约项目3个" in sentence and "签约资金18.00亿元" in sentence and "其中近3个月" in sentence, sentence
    _shot(page, "14-stats-signings")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.fill("input[name=name]", "今年签约")
    page.check("input[name=in_reports]")
    _submit(page, "#stats-answer form button[type=submit]")
    assert "已保存“今年签约”" in page.content() and page.locator("text=我保存的查询").is_visible()
    # 2. a label's change since New Year (a new subject reloads its own form)
    with page.expect_navigation(wait_until="load"):
        page.select_option("#s-subject", "organizations")
    page.click("text=筛选条件")
    page.select_option("#s-f-label", "tech_sme")
    page.select_option("#s-window", "ytd")
    page.select_option("#s-compare", "change")
    _submit(page, "#stats-form button[type=submit]")
    sentence = page.locator("#stats-sentence").inner_text()
    assert "科技型中小企业从1家" in sentence and "增至2家，增长100.0%" in sentence, sentence
    # 3. appeals closed this year by the service's outcome, with the chart
    with page.expect_navigation(wait_until="load"):  # a new subject reloads its own form
        page.select_option("#s-subject", "appeals")
    page.check("input[name=measure][value=closed]")
    page.uncheck("input[name=measure][value=count]")
    page.select_option("#s-date", "closed_at")
    page.select_option("#s-by", "outcome")
    _submit(page, "#stats-form button[type=submit]")
    page.wait_for_selector("#stats-chart canvas", timeout=10_000)
    sentence = page.locator("#stats-sentence").inner_text()
    assert "办结企业诉求1件" in sentence and "按服务成效：解决用地1件" in sentence, sentence
    _shot(page, "14-stats-outcomes")
    phone, outside2 = _page(browser, live_server, width=390, height=844)
    _login(phone, "leader")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto(page.url.replace(live_server.url, ""))
    phone.wait_for_selector("#stats-sentence")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392  # no sideways scrolling
    _shot(phone, "14-stats-phone")
    # a fourth: an economic indicator as its pages quote it (the month's cumulative value and 同比)
    from feidi.indicators import actions as indicator_actions
    from feidi.indicators.models import Indicator

    revenue = Indicator.objects.get(code="revenue")
    indicator_actions.bulk_upsert([indicator_actions._row(world.org_a1, revenue, dt.date(year, 10, 1), Decimal(amount),
                                                          acting_user=None, source="import")
                                   for year, amount in ((2025, 80_000_000), (2026, 100_000_000))])
    page.goto("/core/stats/?subject=indicators&compare=yoy&window=ytd&as_of=2026-10-31")
    sentence = page.locator("#stats-sentence").inner_text()
    assert "2026年1–10月" in sentence and "同比增长25.0%" in sentence, sentence
    _shot(page, "14-stats-indicator")
    assert not outside and not outside2, (outside + outside2)[:5]


def test_a_cadre_records_a_visit_and_an_enterprise_reports_its_month_on_a_phone(browser, live_server, world,
                                                                                live_server_lock):
    """At the enterprise's door: the visit and the monthly report on a 390 px phone without sideways
    scrolling, and the lists they land on shown as cards (each cell named by its column)."""
    import datetime as dt

    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.indicators.models import IndicatorValue
    from feidi.services.models import Assignment
    from feidi.services.models import ServiceGroup
    from feidi.services.models import Visit

    with live_server_lock:
        cadre = User(username="cadre", full_name="挂点干部甲", department=world.dept_a)
        do_create_user(cadre, password=PASSWORD, roles=[Role.objects.get(code="service_cadre")], acting_user=None)
        group = ServiceGroup.objects.create(name="第一服务小组", leader=world.leader, department=world.dept_a)
        Assignment.objects.create(organization=world.org_a1, cadre=cadre, group=group, since=dt.date(2025, 1, 1),
                                  department=world.dept_a)

    def no_sideways(page):
        wide = page.evaluate("""Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > 392).slice(0, 5)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 392, (page.url, wide)

    phone, outside = _page(browser, live_server, width=390, height=844)
    _login(phone, "cadre")
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto("/services/visits/add/")
    no_sideways(phone)
    _shot(phone, "16-visit-form-phone")
    phone.select_option("select[name=organization]", str(world.org_a1.pk))
    phone.fill("input[name=visited_on]", timezone.localdate().isoformat())
    phone.fill("textarea[name=notes]", "走访生产车间，了解二期扩产用地需求，企业反映用电负荷紧张。")
    _submit(phone, ".page-body form button[type=submit]")
    phone.wait_for_url(re.compile(r"/services/visits/\d+/$"))
    no_sideways(phone)
    _shot(phone, "16-visit-saved-phone")
    assert Visit.objects.filter(organization=world.org_a1, cadre=cadre).count() == 1
    phone.goto("/services/visits/")
    phone.wait_for_selector("table.feidi-cards")
    _shot(phone, "16-visit-list-cards-phone")
    assert phone.evaluate("getComputedStyle(document.querySelector('table.feidi-cards thead')).display") == "none"
    label = phone.evaluate("document.querySelector('table.feidi-cards tbody td:nth-child(2)').dataset.label")
    assert label, "a card's cells are named by their columns"
    no_sideways(phone)
    _shot(phone, "16-visit-list-cards-phone")

    ent, outside2 = _page(browser, live_server, width=390, height=844)
    _login(ent, "ent_a")
    ent.wait_for_url(re.compile(r"/$"))
    ent.goto("/indicators/report/")
    no_sideways(ent)
    _shot(ent, "17-month-report-phone")
    for i, box in enumerate(ent.locator("form.card input[name^=v_]:not([type=hidden])").all()):  # every indicator of the month
        box.fill(str(1000 * (i + 1)))
    ent.fill("input[name=v_revenue]", "12345678")
    _submit(ent, ".page-body form.card button[type=submit]")
    ent.wait_for_selector(".alert-success")
    no_sideways(ent)
    _shot(ent, "17-month-report-saved-phone")
    assert IndicatorValue.objects.filter(organization=world.org_a1, indicator__code="revenue").exists()
    ent.goto("/indicators/values/")
    ent.wait_for_selector("table.feidi-cards")
    no_sideways(ent)
    _shot(ent, "17-month-values-cards-phone")
    assert not outside and not outside2, (outside + outside2)[:5]
