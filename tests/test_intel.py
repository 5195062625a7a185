"""招商情报: extraction with spans, the evaluation floor, analysis in the job queue, scoring with
reasons, duplicates, one click to a lead or a target, and scope from the outside."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from feidi.intel import dedup
from feidi.intel import extract
from feidi.intel.evaluation import FIELDS
from feidi.intel.evaluation import evaluate
from feidi.intel.evaluation import load
from feidi.intel.evaluation import split

NEWS = ("宁德时代新能源科技股份有限公司12月3日公告，拟在江西省宜春市投资约120亿元建设年产30GWh锂电池生产基地项目，"
        "预计2027年6月投产。此次扩产将加强与比亚迪的合作，另有2000万美元由外资股东出资。")


def test_every_field_carries_the_span_it_came_from():
    ex = extract.analyse(NEWS, dt.date(2026, 12, 4))
    for span in [*ex.orgs, *ex.amounts, *ex.dates, *ex.events, *ex.places, *ex.chain_spans]:
        assert NEWS[span.start:span.end] == span.text, span
    assert extract.distinct_orgs(ex.orgs) == ["宁德时代新能源科技股份有限公司", "比亚迪"]
    amounts = {s.text: (s.value, s.extra["currency"]) for s in ex.amounts}
    assert amounts == {"约120亿元": ("12000000000", "元"), "2000万美元": ("142000000", "美元")}
    assert {s.text: s.value for s in ex.dates} == {"12月3日": "2026-12-03", "2027年6月": "2027-06"}
    assert set(ex.event_types) == {"新建", "扩产"}
    assert ex.chain == "锂电"
    assert [s.text for s in ex.places] == ["江西省", "宜春市"]


def test_amount_rules_read_ranges_qualifiers_and_characters():
    spans = extract.amounts("总投资50-60亿元，逾3,000万元，十亿元，单价0.9元/瓦，1.2亿欧元")
    got = [(s.text, s.value, s.extra["high"], s.extra["qualifier"]) for s in spans]
    assert got[0] == ("50-60亿元", "5000000000", "6000000000", "")
    assert got[1] == ("逾3,000万元", "30000000", "", "逾")
    assert ("十亿元", "1000000000", "", "") in got
    assert all("元/瓦" not in g[0] for g in got)
    assert got[-1][1] == "924000000"  # 1.2亿欧元 at the reference rate 7.7


def test_relative_dates_are_read_against_the_items_date():
    spans = extract.dates("昨日签约，12月28日开工", dt.date(2026, 1, 5))
    assert [(s.text, s.value) for s in spans] == [("昨日", "2026-01-04"), ("12月28日", "2025-12-28")]


@pytest.mark.parametrize(("on", "expected"), [
    (dt.date(2028, 1, 10), ["2028-02-29"]),  # last year had no 29 February: this year's, not a crash
    (dt.date(2028, 3, 5), ["2028-02-29"]),
    (dt.date(2029, 1, 10), []),  # neither 2029 nor its year before has one: no date read
    (dt.date(2027, 2, 1), []),
])
def test_the_29th_of_february_is_read_in_the_year_that_has_one(on, expected):
    spans = extract.dates("2月29日前完成签约", on)
    assert [s.value for s in spans] == expected


def test_a_negated_trigger_is_no_event():
    assert extract.events("公司暂无新的扩产计划") == []


def test_near_duplicates_share_a_band_and_differ_by_few_bits():
    a = dedup.simhash(NEWS)
    b = dedup.simhash(NEWS.replace("，", "。").replace("约120亿元", "约120亿元 ") + "（来源：某报）")
    c = dedup.simhash("中芯国际宣布将在北京亦庄扩建12英寸晶圆代工产线，新增月产能4万片，项目投资约76亿美元。")
    assert dedup.distance(a, b) <= 5
    assert any(x == y for x, y in zip(dedup.bands(a), dedup.bands(b), strict=True))
    assert dedup.distance(a, c) > 10


# The floors sit below what `feidi intel eval` measured (README of the app: dev / held-out) so a
# change that loses ground fails; they are not targets.
FLOORS = {"orgs": (0.80, 0.70), "amounts": (0.90, 0.90), "events": (0.85, 0.75), "chain": (0.82, 0.82)}


@pytest.mark.parametrize("half", ["dev", "heldout"])
def test_the_extraction_keeps_its_precision_and_recall_on_the_labelled_set(half):
    items = split(load())[half]
    assert len(items) >= 40
    result = evaluate(items)
    for f in FIELDS:
        p, r = FLOORS[f]
        assert result[f].precision >= p - (0.05 if half == "heldout" else 0), (f, result[f].precision)
        assert result[f].recall >= r - (0.05 if half == "heldout" else 0), (f, result[f].recall)


# --- the job path, scoring, actions ----------------------------------------------------------------

@pytest.fixture
def zone_chain(cast):
    """Zone A's 锂电新能源 chain: 正极材料 is a gap, org_a1 (甲光伏科技, an enclave resident) the 链主 of 电芯."""
    from feidi.chains import actions as chain_actions
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    chain = chain_actions.do_save_chain(Chain(name="锂电新能源", department=cast.dept_a), acting_user=cast.clerk)
    segs = {name: chain_actions.do_save_segment(Segment(chain=chain, name=name, order=i), acting_user=cast.clerk)
            for i, name in enumerate(["锂矿", "正极材料", "电芯", "储能"], start=1)}
    chain_actions.do_save_member(SegmentMember(segment=segs["电芯"], organization=cast.org_a1,
                                               role=SegmentMember.Role.MASTER), acting_user=cast.clerk)
    for name in ("锂矿", "储能"):
        chain_actions.do_save_member(SegmentMember(segment=segs[name], organization=cast.org_a2), acting_user=cast.clerk)
    return chain, segs


STORY = ("湖南某正极材料企业丁锂科技股份有限公司12月3日公告，拟投资约50亿元新建年产20万吨磷酸铁锂正极材料项目，"
         "产品将供应甲光伏科技有限公司等电池企业。")


MORE = ("公告显示，项目分两期建设，一期10万吨预计2027年底投产，二期视市场情况启动。公司表示，随着储能市场需求快速增长，"
        "现有产能已无法满足下游客户订单，本次扩产有助于巩固公司在磷酸铁锂正极材料领域的领先地位。")


def _add(cast, text=STORY, **kw):
    from feidi.intel.actions import do_add_item

    return do_add_item(acting_user=cast.invest, title=kw.pop("title", "丁锂科技新建正极材料项目"), text=text,
                       published_on=kw.pop("published_on", dt.date(2026, 12, 3)), source=kw.pop("source", "某财经"), **kw)


def test_an_added_item_is_analysed_in_the_job_queue_and_scored_with_reasons(cast, zone_chain, django_capture_on_commit_callbacks):
    from feidi.intel.models import NewsItem
    from feidi.intel.models import Status

    _chain, segs = zone_chain
    with django_capture_on_commit_callbacks(execute=True):
        item = _add(cast)
    item = NewsItem.objects.get(pk=item.pk)
    assert item.status == Status.NEW and item.analysed_at
    assert item.org_name == "丁锂科技股份有限公司"
    assert item.segment == segs["正极材料"] and item.chain.name == "锂电新能源"
    assert item.amount == 5_000_000_000
    codes = {r["code"] for r in item.reasons}
    assert {"chain", "gap", "supplier", "resident", "amount_big", "event_strong"} <= codes
    assert item.score == sum(r["points"] for r in item.reasons)
    org = next(s for s in item.extraction["orgs"] if s["text"] == "甲光伏科技有限公司")
    assert org["value"] == str(cast.org_a1.pk) and org["by"] in ("名录", "模型", "规则")


def test_the_same_story_from_another_outlet_joins_the_first_ones_group(cast, zone_chain, django_capture_on_commit_callbacks):
    from feidi.intel.models import NewsItem

    with django_capture_on_commit_callbacks(execute=True):
        first = _add(cast, text=STORY + MORE)
        copy = _add(cast, text="【某网讯】" + STORY.replace("，", "。", 1) + MORE + "（记者 王某）", source="某网")
        other = _add(cast, text="中芯国际宣布将在北京亦庄扩建12英寸晶圆代工产线，新增月产能4万片。", title="中芯国际扩产")
    assert NewsItem.objects.get(pk=copy.pk).duplicate_of_id == first.pk
    assert NewsItem.objects.get(pk=other.pk).duplicate_of_id is None
    assert _add(cast, text=STORY + MORE).pk == first.pk  # the very same text is stored once


def test_one_click_makes_a_lead_traced_back_to_the_item(cast, zone_chain, client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from feidi.intel.models import NewsItem
    from feidi.intel.models import Status
    from feidi.projects.models import Channel
    from feidi.projects.models import Project
    from feidi.projects.models import Stage

    with django_capture_on_commit_callbacks(execute=True):
        item = _add(cast)
    client.force_login(cast.invest)
    page = client.get(reverse("intel:newsitem_detail", args=[item.pk]))
    assert page.status_code == 200 and 'data-kind="org"' in page.content.decode()
    response = client.post(reverse("intel:newsitem_lead", args=[item.pk]), {"zone": cast.zone_a.pk})
    item = NewsItem.objects.get(pk=item.pk)
    project = Project.objects.get(pk=item.project_id)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert item.status == Status.LEAD
    assert (project.channel, project.stage, project.owner, project.introducer) == (
        Channel.INTEL, Stage.LEAD, cast.invest, cast.invest.full_name)
    assert project.investor == "丁锂科技股份有限公司" and project.planned_investment == 5_000_000_000
    assert "丁锂科技新建正极材料项目" in project.description
    again = client.post(reverse("intel:newsitem_lead", args=[item.pk]), {"zone": cast.zone_a.pk})
    assert again.status_code == 302 and Project.objects.filter(channel=Channel.INTEL).count() == 1
    assert project.name in client.get(reverse("intel:newsitem_detail", args=[item.pk])).content.decode()


def test_an_item_naming_a_registry_firm_becomes_a_target(cast, zone_chain, django_capture_on_commit_callbacks):
    from feidi.chains.models import Target
    from feidi.intel.actions import do_item_to_target
    from feidi.testing.cast import make_org

    _chain, segs = zone_chain
    make_org("丁锂科技股份有限公司", cast.zone_a)
    with django_capture_on_commit_callbacks(execute=True):
        item = _add(cast)
    item.refresh_from_db()
    target = do_item_to_target(item, segs["正极材料"], acting_user=cast.invest)
    assert isinstance(target, Target) and target.organization.name == "丁锂科技股份有限公司"
    assert "丁锂科技新建正极材料项目" in target.reason and "缺失环节" in target.reason
    item.refresh_from_db()
    assert item.target_id == target.pk and item.status == "target"


def test_paste_and_upload_on_the_intake_page(cast, zone_chain, client, django_capture_on_commit_callbacks):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from docx import Document

    from feidi.intel.models import NewsItem

    client.force_login(cast.invest)
    doc = Document()
    doc.add_paragraph("中芯国际宣布将在北京亦庄扩建12英寸晶圆代工产线，项目投资约76亿美元。")
    buf = io.BytesIO()
    doc.save(buf)
    html = "<html><head><title>网页标题</title></head><body><p>比亚迪在匈牙利新建整车工厂</p><script>x</script></body></html>"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intel:newsitem_add"), {
            "text": STORY, "title": "", "doc_kind": "news", "files": [
                SimpleUploadedFile("公告.docx", buf.getvalue()), SimpleUploadedFile("news.html", html.encode()),
                SimpleUploadedFile("bad.exe", b"MZ")]})
    assert response.status_code == 302
    titles = set(NewsItem.objects.values_list("title", flat=True))
    assert titles == {STORY[:60].splitlines()[0], "公告", "网页标题"}
    assert NewsItem.objects.get(title="网页标题").text == "比亚迪在匈牙利新建整车工厂"
    assert NewsItem.objects.get(title="公告").amount == 76 * 710_000_000
    daily = client.get(reverse("intel:daily") + "?day=" + timezone.localdate().isoformat())
    assert daily.status_code == 200
    # a story dated tomorrow is refused on its date, the text kept in the box
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("intel:newsitem_add"), {"text": "宁德时代宣布在江西新建电池回收基地。", "title": "明日新闻",
                                                           "doc_kind": "news", "published_on": tomorrow.isoformat()})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "不能晚于今天" in " ".join(errors.get("published_on", [])) and "__all__" not in errors
    assert "宁德时代宣布在江西新建电池回收基地" in response.content.decode()
    assert not NewsItem.objects.filter(title="明日新闻").exists()


def test_the_folder_command_reads_files_and_refuses_none_silently(cast, tmp_path, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from feidi.intel.models import NewsItem
    from feidi.intel.models import SourceKind

    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("晶科能源在上饶追加投资30亿元扩建电池产能".encode("gb18030"))
    (tmp_path / "skip.xlsx").write_bytes(b"x")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("intel", "import-folder", str(tmp_path), "--user", "invest")
    assert NewsItem.objects.filter(source_kind=SourceKind.FOLDER).count() == 2
    assert NewsItem.objects.get(title="b").status == "new"


def test_another_zone_sees_none_of_the_items(cast, zone_chain, client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from feidi.intel.models import NewsItem

    with django_capture_on_commit_callbacks(execute=True):
        item = _add(cast)
    assert not NewsItem.objects.visible_to(cast.other_pmo).exists()
    client.force_login(cast.other_pmo)
    assert client.get(reverse("intel:newsitem_detail", args=[item.pk])).status_code == 404
    assert client.post(reverse("intel:newsitem_lead", args=[item.pk]), {"zone": cast.zone_b.pk}).status_code == 404
    assert STORY[:10] not in client.get(reverse("intel:daily")).content.decode()
    assert client.get(f"/api/v1/intel/items/{item.pk}").status_code == 404
    assert client.get("/api/v1/intel/items").json()["count"] == 0


def test_the_digest_reaches_the_investment_bureau_once(cast, zone_chain, django_capture_on_commit_callbacks):
    from feidi.core.models import Notification
    from feidi.intel.actions import send_digest

    with django_capture_on_commit_callbacks(execute=True):
        _add(cast)
    assert send_digest(dt.date(2026, 12, 3)) == 1
    assert send_digest(dt.date(2026, 12, 3)) == 0
    note = Notification.objects.get(user=cast.invest)
    assert "丁锂科技新建正极材料项目" in note.body
    assert not Notification.objects.filter(user=cast.other_pmo).exists()


def check_the_demo_intel():
    """Called by tests/test_demo.py on its one demo load: the sample items are analysed, the
    reposted one is grouped under the first, and the investment bureau's daily list shows them."""
    from django.test import Client
    from django.urls import reverse

    from feidi.accounts.models import User
    from feidi.intel.models import NewsItem

    items = NewsItem.objects.filter(sample=True)
    assert items.count() >= 5 and not items.filter(analysed_at__isnull=True).exists()
    assert items.filter(duplicate_of__isnull=False).count() == 1
    assert items.filter(score__gt=0).count() >= 4
    c = Client()
    c.force_login(User.objects.get(username="invest"))
    page = c.get(reverse("intel:daily")).content.decode()
    assert "示例" in page and "磷酸锰铁锂" in page


def test_a_feed_is_read_only_when_given_and_its_entries_become_items(cast, tmp_path, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from feidi.intel.models import NewsItem
    from feidi.intel.models import SourceKind

    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>内网</title>'
        "<item><title>晶科能源扩产</title><link>http://intranet/a</link><pubDate>Thu, 03 Dec 2026 08:00:00 +0800</pubDate>"
        "<description>&lt;p&gt;晶科能源在上饶追加投资30亿元扩建N型电池产能。&lt;/p&gt;</description></item>"
        "</channel></rss>", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("intel", "fetch-feed", feed.as_uri(), "--user", "invest")
    item = NewsItem.objects.get(source_kind=SourceKind.FEED)
    assert (item.title, item.url, item.published_on) == ("晶科能源扩产", "http://intranet/a", dt.date(2026, 12, 3))
    assert item.text == "晶科能源在上饶追加投资30亿元扩建N型电池产能。" and item.status == "new"


def _docx_bomb(lie: bool) -> bytes:
    """A Word file whose document part inflates to 100 MB of one repeated paragraph; with ``lie``,
    its zip headers declare a thousandth of that."""
    import zipfile

    from docx import Document

    from .hostile import _shrink_declared

    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    paragraph = "<w:p><w:r><w:t>扩产</w:t></w:r></w:p>".encode()
    body = paragraph * (100 * 1024 * 1024 // len(paragraph))
    parts["word/document.xml"] = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                                  b"<w:body>" + body + b"</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    data = bytearray(out.getvalue())
    if lie:
        _shrink_declared(data, "word/document.xml", len(parts["word/document.xml"]) // 1000)
    return bytes(data)


@pytest.mark.parametrize("lie", [False, True], ids=["honest-size", "lying-size"])
def test_a_word_bomb_is_refused_without_inflating_it(lie):
    import resource

    from django.core.exceptions import ValidationError

    from feidi.intel.intake import text_of

    data = _docx_bomb(lie)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValidationError):
        text_of("扩产公告.docx", data)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 150 * 1024  # KB: never the 100 MB


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    b'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    b"<!doctype rss>"])
def test_a_feed_declaring_a_document_type_or_entities_is_refused_before_parsing(declaration):
    from django.core.exceptions import ValidationError

    from feidi.intel.intake import feed_entries

    feed = (b'<?xml version="1.0"?>' + declaration + b'<rss version="2.0"><channel><item><title>&lol2;</title>'
            b"</item></channel></rss>")
    with pytest.raises(ValidationError, match="实体声明"):
        feed_entries(feed)


# --- 情报来源: feeds and folders read on a schedule, within what the operator allows ---------------
FEED = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>内网</title>'
        "<item><title>晶科能源扩产</title><link>http://intranet/a</link><pubDate>Thu, 03 Dec 2026 08:00:00 +0800</pubDate>"
        "<description>晶科能源在上饶追加投资30亿元扩建N型电池产能。</description></item></channel></rss>").encode()


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1: /feed.xml is the feed, /away redirects to another host."""
    import threading
    from http.server import BaseHTTPRequestHandler
    from http.server import ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path == "/away":
                self.send_response(302)
                self.send_header("Location", "http://localhost:9/feed.xml")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _source(cast, **kw):
    from feidi.core.actions import create_object
    from feidi.intel.models import Source

    source = Source(name=kw.pop("name", "内网新闻"), department=cast.dept_a, created_by=cast.invest, **kw)
    source.full_clean()
    return create_object(source, acting_user=cast.invest)


def test_a_source_must_lie_within_what_the_operator_allows(cast, client, settings, tmp_path, feed_server):
    settings.INTEL_FEED_HOSTS, settings.INTEL_FOLDERS = [feed_server], [str(tmp_path / "reports")]
    (tmp_path / "reports").mkdir()
    client.force_login(cast.invest)
    url = reverse("intel:source_add")
    cases = [({"kind": "feed", "location": "http://10.0.0.1/feed.xml"}, "不在运维允许的订阅源主机内"),
             ({"kind": "feed", "location": "file:///etc/passwd"}, "应以 http:// 或 https:// 开头"),
             ({"kind": "feed", "location": f"http://u:p@{feed_server}/feed.xml"}, "不能包含用户名或密码"),
             ({"kind": "folder", "location": "/etc"}, "不在运维允许的范围内"),
             ({"kind": "folder", "location": str(tmp_path / "reports" / ".." / "..")}, "不在运维允许的范围内"),
             ({"kind": "folder", "location": "reports"}, "请填写服务器上的绝对路径")]
    for data, message in cases:
        page = client.post(url, {"name": "来源", "every_hours": 6, "active": "on", **data}).content.decode()
        assert message in page, (data, message)
    from feidi.intel.models import Source

    assert not Source.objects.exists()
    response = client.post(url, {"name": "内网新闻", "kind": "feed", "location": f"http://{feed_server}/feed.xml",
                                 "every_hours": 6, "active": "on"})
    assert response.status_code == 302 and Source.objects.get().department == cast.invest.department


def test_sources_are_read_on_their_schedule_and_keep_the_outcome(cast, settings, tmp_path, feed_server,
                                                                 django_capture_on_commit_callbacks):
    import os

    from django.utils import timezone

    from feidi.intel import jobs
    from feidi.intel import sources
    from feidi.intel.models import NewsItem
    from feidi.intel.models import Source
    from feidi.intel.models import SourceKind

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text(STORY, encoding="utf-8")
    (reports / "notes.xlsx").write_bytes(b"x")  # not a document: skipped
    (tmp_path / "secret.txt").write_text("不应读取的文件内容：服务器上的其他文件", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", reports / "link.txt")  # leads out of the folder: skipped
    settings.INTEL_FEED_HOSTS, settings.INTEL_FOLDERS = [feed_server], [str(reports)]
    folder = _source(cast, name="研究报告目录", kind="folder", location=str(reports))
    feed = _source(cast, kind="feed", location=f"http://{feed_server}/feed.xml")
    away = _source(cast, name="跳转源", kind="feed", location=f"http://{feed_server}/away", every_hours=24)
    _source(cast, name="停用", kind="feed", location=f"http://{feed_server}/feed.xml", active=False)
    assert {s.pk for s in sources.due()} == {folder.pk, feed.pk, away.pk}
    with django_capture_on_commit_callbacks(execute=True):
        jobs.read_sources.call_local()
    assert NewsItem.objects.filter(source_kind=SourceKind.FOLDER).get().url == str(reports / "a.txt")
    item = NewsItem.objects.get(source_kind=SourceKind.FEED)
    assert item.source == "内网新闻" and item.department == cast.dept_a and item.status == "new"  # analysed
    assert not NewsItem.objects.filter(text__contains="不应读取").exists()
    folder.refresh_from_db()
    away.refresh_from_db()
    assert folder.read_ok and folder.read_added == 1 and folder.read_result == "新增 1 条"
    assert away.read_ok is False and "跳转到了未允许的主机" in away.read_result
    # nothing is due again before its interval; read again, the same texts are not stored twice
    assert sources.due() == []
    assert [s.pk for s in sources.due(timezone.now() + dt.timedelta(hours=7))] == [folder.pk, feed.pk]
    Source.objects.filter(pk=feed.pk).update(read_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.read_sources.call_local()
    feed.refresh_from_db()
    assert feed.read_added == 0 and NewsItem.objects.filter(source_kind=SourceKind.FEED).count() == 1


def test_another_zone_cannot_see_or_read_a_source(cast, client, settings, tmp_path, feed_server):
    settings.INTEL_FEED_HOSTS = [feed_server]
    source = _source(cast, kind="feed", location=f"http://{feed_server}/feed.xml")
    client.force_login(cast.invest)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "立即读取" in page
    response = client.post(reverse("intel:source_read", args=[source.pk]), follow=True)
    assert "已开始读取" in response.content.decode()
    source.refresh_from_db()
    assert source.read_ok and source.read_added == 1  # the job ran (immediate in tests)
    from feidi.testing.cast import _user

    other = _user("invest_b", "乙区招商局", roles=["investment"], department=cast.dept_b)
    client.force_login(other)
    assert client.get(source.get_absolute_url()).status_code == 404
    assert client.post(reverse("intel:source_read", args=[source.pk])).status_code == 404
    assert source.name not in client.get(reverse("intel:source_list")).content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_daily_list_of_a_day_off_the_calendar_shows_today_with_a_message(day, cast, client_for):
    from django.urls import reverse

    response = client_for("leader").get(reverse("intel:daily"), {"day": day})
    assert response.status_code == 200 and "已显示今天" in response.content.decode()
