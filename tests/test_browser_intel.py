"""招商情报 in headless chromium at a phone's width: paste a story, see its fields marked in the
text with the score's reasons, turn it into a lead in one click."""

from __future__ import annotations

import re

import pytest

# pytest fixtures shared with the other browser tests
from tests.test_browser import _login  # noqa: F401
from tests.test_browser import _page  # noqa: F401
from tests.test_browser import _shot  # noqa: F401
from tests.test_browser import _submit  # noqa: F401
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORY = ("湖南某正极材料企业丁锂科技股份有限公司12月3日公告，拟投资约50亿元新建年产20万吨磷酸铁锂正极材料项目，"
         "项目分两期建设，一期预计2027年底投产。产品将供应甲光伏科技有限公司等电池企业。公司表示，"
         "储能电池需求快速增长，现有产能已满负荷运转，此次新建项目有助于巩固公司的行业地位。")


def test_paste_a_story_see_its_fields_and_make_it_a_lead(browser, live_server, world):  # noqa: F811
    from feidi.chains import actions as ca
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    chain = ca.do_save_chain(Chain(name="锂电新能源", department=world.dept_a), acting_user=None)
    segs = {name: ca.do_save_segment(Segment(chain=chain, name=name, order=i), acting_user=None)
            for i, name in enumerate(["锂矿", "正极材料", "电芯", "储能"], start=1)}
    ca.do_save_member(SegmentMember(segment=segs["电芯"], organization=world.org_a1, role="master"), acting_user=None)
    page, outside = _page(browser, live_server, width=390, height=844)
    _login(page, "invest")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/intel/items/add/")
    page.fill("textarea[name=text]", STORY)
    page.fill("input[name=title]", "丁锂科技拟投资50亿元新建正极材料项目")
    page.fill("input[name=source]", "某财经")
    _shot(page, "60-intel-paste")
    _submit(page, "text=录入并分析")
    page.wait_for_url(re.compile(r"/intel/items/\d+/$"))
    page.reload()  # the analysis ran after the commit (jobs run in-process under the tests)
    org = page.locator("mark[data-kind=org]").first
    assert org.inner_text() == "丁锂科技股份有限公司"
    assert page.locator("mark[data-kind=amount]").first.inner_text() == "约50亿元"
    assert page.locator("text=是本区缺失环节").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # nothing wider than the phone
    _shot(page, "61-intel-item-marked")
    page.goto("/intel/")
    assert page.locator("text=丁锂科技拟投资50亿元新建正极材料项目").count() == 1
    _shot(page, "62-intel-daily")
    _submit(page, "text=丁锂科技拟投资50亿元新建正极材料项目")
    _submit(page, "#to-lead")
    page.wait_for_url(re.compile(r"/projects/pipeline/\d+/$"))
    assert page.locator("text=丁锂科技股份有限公司").count() >= 1
    _shot(page, "63-intel-lead")
    assert not outside, outside


def test_the_bureau_configures_a_folder_source_and_reads_it(browser, live_server, world, settings, tmp_path):  # noqa: F811
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "丁锂科技公告.txt").write_text(STORY, encoding="utf-8")
    settings.INTEL_FOLDERS = [str(reports)]
    page, outside = _page(browser, live_server)
    _login(page, "invest")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/intel/sources/add/")
    page.fill("input[name=name]", "研究报告目录")
    page.select_option("select[name=kind]", "folder")
    page.fill("input[name=location]", "/etc")
    _submit(page, ".page-body form button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    assert "该目录不在运维允许的范围内" in page.content()
    _shot(page, "64-intel-source-error")
    page.fill("input[name=location]", str(reports))
    _submit(page, ".page-body form button[type=submit]")
    page.wait_for_url(re.compile(r"/intel/sources/\d+/$"))
    _submit(page, "button:has-text('立即读取')")
    page.wait_for_selector(".alert-success")
    page.reload()
    assert "新增 1 条" in page.content()
    _shot(page, "65-intel-source-detail")
    page.goto("/intel/sources/")
    _shot(page, "66-intel-source-list")
    assert not outside, outside
