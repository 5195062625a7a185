"""统计查询: any quotable figure in one call — built from the rules (windows, 同比, two days' change,
其中, distinct counting over multi-valued classifications, bands, round figures), not from the demo's
numbers; the same answer on the page, the API, the .xlsx and the report block; nobody counts another
zone's or another enterprise's records."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from feidi.core import stats

D = dt.date
TODAY = D(2026, 10, 31)


def ask(user, query: str, today: dt.date = TODAY) -> stats.Answer:
    return stats.evaluate(stats.parse(QueryDict(query), user, today=today), user)


def project(cast, name, *, signed_on=None, started_on=None, amount=0, zone=None, segment=None, **extra):
    from feidi.projects.models import Project
    from feidi.projects.models import Stage

    zone = zone or cast.zone_a
    return Project.objects.create(
        name=name, zone=zone, investor="投资方", department=zone.department, stage=extra.pop("stage", Stage.SIGNED),
        signed_on=signed_on, started_on=started_on, signed_amount=Decimal(amount) if amount else None,
        segment=segment, **extra)


@pytest.fixture
def signings(cast):
    """Zone A: four signings this year (two in the last three months), two last year in the same
    months; zone B: one signing this year that zone A's people must never count."""
    yi = 100_000_000
    project(cast, "甲一", signed_on=D(2026, 2, 10), amount=20 * yi)
    project(cast, "甲二", signed_on=D(2026, 5, 3), amount=5 * yi)
    project(cast, "甲三", signed_on=D(2026, 8, 1), amount=8 * yi)  # 近3个月 to 10-31 starts 08-01
    project(cast, "甲四", signed_on=D(2026, 10, 31), amount=12 * yi)
    project(cast, "甲去年一", signed_on=D(2025, 3, 1), amount=10 * yi)
    project(cast, "甲去年二", signed_on=D(2025, 11, 1), amount=10 * yi)  # after the window a year earlier
    project(cast, "甲去年三", signed_on=D(2025, 10, 31), amount=5 * yi)
    project(cast, "乙一", signed_on=D(2026, 6, 1), amount=99 * yi, zone=cast.zone_b)


# --- windows and their labels ---------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "as_of", "start", "end", "label"), [
    ("ytd", D(2026, 10, 31), D(2026, 1, 1), D(2026, 10, 31), "2026年1–10月"),
    ("ytd", D(2026, 1, 31), D(2026, 1, 1), D(2026, 1, 31), "2026年1月"),
    ("ytd", D(2026, 12, 4), D(2026, 1, 1), D(2026, 12, 4), "2026年1月1日至12月4日"),
    ("month", D(2026, 2, 28), D(2026, 2, 1), D(2026, 2, 28), "2026年2月"),
    ("last3", D(2026, 10, 31), D(2026, 8, 1), D(2026, 10, 31), "近3个月"),
    ("last3", D(2026, 5, 31), D(2026, 3, 1), D(2026, 5, 31), "近3个月"),  # 31 May − 3 months = 29 Feb? no: 28 Feb + 1
    ("last12", D(2028, 2, 29), D(2027, 3, 1), D(2028, 2, 29), "近12个月"),
    ("year", D(2026, 6, 5), D(2026, 1, 1), D(2026, 12, 31), "2026年"),
    ("day", D(2026, 2, 18), D(2026, 2, 18), D(2026, 2, 18), "2026年2月18日"),
])
def test_named_windows_cover_whole_days_and_say_themselves_as_reports_do(kind, as_of, start, end, label):
    w = stats.window_of(kind, as_of)
    assert (w.start, w.end, w.label) == (start, end, label)


def test_a_window_a_year_earlier_and_the_window_before_keep_whole_months_and_leap_days():
    w = stats.window_of("range", D(2026, 1, 1), D(2026, 1, 1), D(2026, 10, 31))
    assert (w.shifted_year().start, w.shifted_year().end) == (D(2025, 1, 1), D(2025, 10, 31))
    before = stats.window_of("range", D(2026, 1, 1), D(2026, 3, 1), D(2026, 5, 31)).before()
    assert (before.start, before.end, before.label) == (D(2025, 12, 1), D(2026, 2, 28), "2025年12月至2026年2月")
    leap = stats.window_of("day", D(2028, 2, 29)).shifted_year()
    assert leap.end == D(2027, 2, 28)
    odd = stats.window_of("range", D(2026, 1, 1), D(2026, 3, 5), D(2026, 3, 14)).before()
    assert (odd.start, odd.end) == (D(2026, 2, 23), D(2026, 3, 4))  # ten days before ten days
    with pytest.raises(stats.QueryError, match="起始日期晚于截止日期"):
        stats.window_of("range", D(2026, 1, 1), D(2026, 5, 1), D(2026, 4, 1))


@pytest.mark.parametrize(("n", "said"), [(7, "7"), (10, "10"), (23, "20余"), (100, "100"), (183, "180余"),
                                         (999, "990余"), (1036, "1000余"), (2412, "2000余"), (3000, "3000")])
def test_round_figures_follow_the_house_style(n, said):
    assert stats._approx(n) == said


# --- the figures ----------------------------------------------------------------------------------

def test_signings_in_a_window_with_growth_and_the_part_within_the_last_three_months(cast, signings):
    a = ask(cast.leader, "subject=projects&measure=count&measure=sum:signed_amount&date=signed_on&window=ytd"
                         "&as_of=2026-10-31&within=last3&compare=yoy")
    assert [f.value for f in a.figures] == [4, Decimal(45 * 100_000_000)]
    assert [f.value for f in a.previous] == [2, Decimal(15 * 100_000_000)]  # 2025-03-01 and 2025-10-31
    assert [f.value for f in a.within] == [2, Decimal(20 * 100_000_000)]
    assert a.growth == Decimal("1.0000")
    # each measure's change after its own figure: the money rose 200%, not the count's 100%
    assert a.sentence == ("2026年1–10月，签约项目4个，同比增长100.0%，签约资金45.00亿元，同比增长200.0%"
                          "（上年同期2个、15.00亿元）；其中近3个月2个、20.00亿元")
    assert "签约日期在2026年1月1日至2026年10月31日之间" in a.rule and "同比" in a.rule


def test_the_sentence_and_the_rule_read_in_english(cast, signings):
    from django.utils import translation

    with translation.override("en"):
        a = ask(cast.leader, "subject=projects&measure=count&measure=sum:signed_amount&date=signed_on&window=ytd"
                             "&as_of=2026-10-31&within=last3&compare=yoy")
        b = ask(cast.leader, "subject=projects&date=signed_on&window=range&start=2026-03-01&end=2026-05-20")
    assert a.sentence == ("January–October 2026: 4 projects signed, up 100.0% year on year, Signed amount 45.00 × "
                          "100M yuan, up 200.0% year on year (same period last year: 2, 15.00 × 100M yuan); of which "
                          "in the last 3 months: 2, 20.00 × 100M yuan")
    assert "Signing date between 1 January 2026 and 31 October 2026" in a.rule
    assert b.sentence.startswith("1 March – 20 May 2026: ")


def test_the_window_before_gives_the_sequential_change(cast, signings):
    a = ask(cast.leader, "subject=projects&date=signed_on&window=range&start=2026-08-01&end=2026-10-31&compare=prev")
    assert a.figures[0].value == 2 and a.previous[0].value == 1  # 2026-05-03 is in May–July
    assert "环比增长100.0%（上期1个）" in a.sentence


def test_another_zone_and_an_enterprise_count_only_their_own(cast, signings):
    assert ask(cast.other_pmo, "subject=projects&date=signed_on&window=ytd").figures[0].value == 1
    assert ask(cast.leader, "subject=projects&date=signed_on&window=ytd").figures[0].value == 4
    if "projects" in {s.key for s in stats.subjects_for(cast.ent_a)}:  # an enterprise counts none of these
        assert ask(cast.ent_a, "subject=projects&date=signed_on&window=ytd").figures[0].value == 0
    else:
        with pytest.raises(stats.QueryError, match="没有查看"):
            ask(cast.ent_a, "subject=projects")


def test_a_band_bounds_the_records_and_reads_amounts_as_people_write_them(cast, signings):
    a = ask(cast.leader, "subject=projects&date=signed_on&window=ytd&band=signed_amount&min=10亿")
    assert a.figures[0].value == 2
    assert a.sentence.startswith("2026年1–10月，签约资金10.00亿元及以上的签约项目2个")
    b = ask(cast.leader, "subject=projects&date=signed_on&window=ytd&band=signed_amount&min=5亿&max=80000万")
    assert b.figures[0].value == 2  # 5亿 and 8亿
    with pytest.raises(stats.QueryError, match="下限或上限"):
        ask(cast.leader, "subject=projects&band=signed_amount")


def test_an_enterprise_on_two_chains_counts_once_in_the_total_and_once_in_each_chain(cast):
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    chains = [Chain.objects.create(name=n, department=cast.dept_a) for n in ("光伏", "锂电")]
    segments = [Segment.objects.create(chain=c, name=f"{c.name}环节", department=cast.dept_a) for c in chains]
    extra = Segment.objects.create(chain=chains[0], name="光伏第二环节", department=cast.dept_a)
    for seg in segments + [extra]:
        SegmentMember.objects.create(segment=seg, organization=cast.org_a1, department=cast.dept_a)
    SegmentMember.objects.create(segment=segments[1], organization=cast.org_a2, department=cast.dept_a)
    a = ask(cast.leader, f"subject=organizations&window=all&f.chain={chains[0].pk}&f.chain={chains[1].pk}&by=chain")
    assert a.figures[0].value == 2
    assert {g.label: g.figures[0].value for g in a.groups} == {"光伏": 1, "锂电": 2}  # 光伏 twice in one chain: once
    assert "各组分别计入" not in a.rule and "合计中只计一次" in a.rule


def test_labels_are_counted_as_held_on_the_day_and_the_change_between_two_days(cast):
    from feidi.core.models import DictItem
    from feidi.registry.models import OrganizationLabel
    from feidi.testing.cast import make_org

    sme = DictItem.objects.get(type__code="org_label", code="tech_sme")
    third = make_org("甲三新材料有限公司", cast.zone_a)
    OrganizationLabel.objects.create(organization=cast.org_a1, label=sme, since=D(2025, 5, 1), department=cast.dept_a)
    OrganizationLabel.objects.create(organization=cast.org_a2, label=sme, since=D(2026, 3, 1), department=cast.dept_a)
    OrganizationLabel.objects.create(organization=third, label=sme, since=D(2025, 1, 1),
                                     until=D(2026, 6, 30), department=cast.dept_a)
    OrganizationLabel.objects.create(organization=cast.org_b1, label=sme, since=D(2025, 1, 1),
                                     department=cast.dept_b)  # another zone's: never counted here
    a = ask(cast.leader, "subject=organizations&f.label=tech_sme&window=ytd&as_of=2026-10-31&compare=change")
    assert (a.previous[0].value, a.figures[0].value) == (2, 2)  # +1 entered, −1 expired
    # unchanged is said so, not 从2家增至2家，持平
    assert a.sentence == "截至2026年10月31日，科技型中小企业保持2家（2026年1月1日亦为2家）"
    a = ask(cast.leader, "subject=organizations&f.label=科技型中小企业&window=range&start=2026-01-01&end=2026-05-01"
                         "&compare=change")
    assert (a.previous[0].value, a.figures[0].value) == (2, 3)
    assert a.sentence == "截至2026年5月1日，科技型中小企业从2家（2026年1月1日）增至3家，增长50.0%"
    with pytest.raises(stats.QueryError, match="没有“不存在的标签”"):
        ask(cast.leader, "subject=organizations&f.label=不存在的标签")


def test_time_taken_against_the_limit_and_the_outcomes_of_services(cast):
    from feidi.core.models import DictItem
    from feidi.services.models import Appeal

    land = DictItem.objects.get(type__code="service_outcome", code="land")
    category = DictItem.objects.filter(type__code="appeal_category").first()
    base = dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)

    def appeal(title, hours, limit_hours, outcome=None):
        made = Appeal.objects.create(organization=cast.org_a1, category=category, title=title, content="内容",
                                     department=cast.dept_a)
        Appeal.objects.filter(pk=made.pk).update(  # submitted_at is stamped on creation
            status=Appeal.Status.CLOSED, submitted_at=base, closed_at=base + dt.timedelta(hours=hours),
            deadline=base + dt.timedelta(hours=limit_hours), outcome=outcome)

    appeal("一", 30, 100, land)
    appeal("二", 50, 100, land)
    appeal("三", 120, 100)  # late
    a = ask(cast.leader, "subject=appeals&measure=closed&measure=compression&date=submitted_at&window=ytd")
    assert a.figures[0].value == 3
    assert a.figures[1].value == 1 - Decimal(200) / Decimal(300)  # exact: rounded once, where it is shown
    assert "按期2件" in a.rule
    assert a.sentence == "2026年1–10月，办结企业诉求3件，办理用时较时限压缩33.3%"
    by = ask(cast.leader, "subject=appeals&measure=closed&date=closed_at&window=ytd&by=outcome")
    assert [(g.label, g.figures[0].value) for g in by.groups] == [("解决用地", 2), ("（未填）", 1)]
    # another enterprise of the same zone counts none of them, the enterprise itself all three
    assert ask(cast.ent_b, "subject=appeals&date=submitted_at&window=ytd").figures[0].value == 0
    own = ask(cast.ent_a, "subject=appeals&date=submitted_at&window=ytd")
    assert own.figures[0].value == 3
    assert f"数据范围：{cast.org_a1.name}的数据" in own.rule and "公开发布" not in own.rule


def test_an_enterprises_rule_says_it_counts_what_everyone_published_too(cast):
    # the market's demands are published to all: an enterprise counts its own and every published one
    from django.utils import timezone

    from feidi.core.models import DictItem
    from feidi.techmarket.models import Demand

    field = DictItem.objects.filter(type__code="tech_field").first()
    for org, title, status in ((cast.org_a2, "乙企业公开需求", "published"), (cast.org_a2, "乙企业草稿", "draft"),
                               (cast.org_a1, "甲企业需求", "published")):
        Demand.objects.create(organization=org, title=title, description="需求", status=status, field=field,
                              department=cast.dept_a, published_at=timezone.now() if status == "published" else None)
    answer = ask(cast.ent_a, "subject=demands&window=all", today=timezone.localdate())
    assert answer.figures[0].value == 2  # its own and the other's published demand, not the other's draft
    assert f"数据范围：{cast.org_a1.name}的数据及公开发布的技术需求" in answer.rule


# --- parameters refused with a reason ------------------------------------------------------------------

@pytest.mark.parametrize(("query", "message"), [
    ("subject=nothing", "请选择统计对象"),
    ("subject=projects&measure=sum:name", "没有统计项"),
    ("subject=projects&by=colour", "不能按此筛选或分组：“colour”"),
    ("subject=projects&window=fortnight", "未知的时段"),
    ("subject=projects&window=range&start=2026-01-01", "起始日期和截止日期"),
    ("subject=projects&as_of=明天", "不是日期"),
    ("subject=projects&compare=change", "同比（yoy）或环比"),
    ("subject=projects&within=year", "“其中”只能是"),
    ("subject=organizations&window=all&compare=change", "需要起始日期"),
])
def test_a_question_that_cannot_be_asked_says_why(cast, query, message):
    with pytest.raises(stats.QueryError, match=message):
        ask(cast.leader, query)


# --- the page, the API, the workbook and the report -------------------------------------------------

def test_the_page_answers_exports_saves_and_the_report_writes_the_saved_sentence(cast, signings, client):
    from docx import Document

    from feidi.core.models import SavedQuery
    from feidi.projects.reports import generate_biweekly

    client.force_login(cast.leader)
    query = "subject=projects&measure=count&measure=sum:signed_amount&date=signed_on&window=ytd&as_of=2026-10-31"
    page = client.get(f"{reverse('core:stats')}?{query}", secure=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026年1–10月，签约项目4个，签约资金45.00亿元" in html and "口径" in html
    workbook = client.get(f"{reverse('core:stats')}?{query}&format=xlsx", secure=True)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0].startswith("2026年1–10月，签约项目4个") and rows[4][1] == 4
    saved = client.post(reverse("core:savedquery_add"), {"params": query.replace("&as_of=2026-10-31", ""),
                                                          "name": "今年签约", "in_reports": "on"}, secure=True)
    assert saved.status_code == 302
    block = SavedQuery.objects.get(name="今年签约")
    assert block.user == cast.leader and block.in_reports and block.department == cast.leader.department
    report = generate_biweekly(cast.leader.department, D(2026, 10, 31), acting_user=cast.leader)
    text = "\n".join(p.text for p in Document(report.docx.open("rb")).paragraphs)
    assert "六、统计数据" in text and "2026年1–10月，签约项目4个，签约资金45.00亿元" in text
    client.force_login(cast.other_clerk)  # another zone's user neither sees nor deletes it
    assert client.post(reverse("core:savedquery_delete", args=[block.pk]), secure=True).status_code == 404
    assert "今年签约" not in client.get(reverse("core:stats"), secure=True).content.decode()


def test_the_api_gives_the_same_answer_and_refuses_a_bad_question_in_chinese(cast, signings, client):
    client.force_login(cast.leader)
    subjects = client.get("/api/v1/core/stats/subjects", secure=True).json()
    assert {"projects", "organizations", "appeals", "talents"} <= {s["key"] for s in subjects}
    answer = client.get("/api/v1/core/stats/query?subject=projects&measure=count&measure=sum:signed_amount"
                        "&date=signed_on&window=ytd&as_of=2026-10-31&within=last3", secure=True).json()
    assert answer["sentence"] == "2026年1–10月，签约项目4个，签约资金45.00亿元；其中近3个月2个、20.00亿元"
    assert answer["figures"][1]["value"] == 4_500_000_000 and answer["link"].startswith("/core/stats/?")
    bad = client.get("/api/v1/core/stats/query?subject=projects&window=fortnight", secure=True)
    assert bad.status_code == 422 and "未知的时段" in str(bad.json())
    client.force_login(cast.other_pmo)
    theirs = client.get("/api/v1/core/stats/query?subject=projects&date=signed_on&window=ytd&as_of=2026-10-31",
                        secure=True).json()
    assert theirs["figures"][0]["value"] == 1


def test_a_user_without_any_subject_has_no_page_and_no_menu_entry(cast, client):
    from feidi.core.navigation import for_user

    client.force_login(cast.auditor)
    if not stats.subjects_for(cast.auditor):
        assert client.get(reverse("core:stats"), secure=True).status_code == 403
        assert all(i["url_name"] != "core:stats" for m in for_user(cast.auditor) for i in m["items"])
    assert any(i["url_name"] == "core:stats" for m in for_user(cast.leader) for i in m["items"])


OUTSIDERS = ("other_clerk", "other_pmo", "ent_b", "inst")


@pytest.mark.parametrize("key", sorted(stats.SUBJECTS))
def test_from_the_outside_no_subject_counts_another_zones_or_enterprises_record(key, cast):
    """For every subject: a zone-A record (made as the factories make it) changes no outsider's
    answer — another zone's staff, another enterprise, an institution — by the page's parameters."""
    from feidi.testing.factories import make_for

    subject = stats.SUBJECTS[key]
    query = f"subject={key}&window=all" + ("" if subject.as_of else "&date=any")
    users = [getattr(cast, name) for name in OUTSIDERS]
    users = [u for u in users if u.has_perm(subject.permission)]

    def counts():  # asked today: the records made now exist (a question of an earlier day would not count them)
        return [ask(u, query, timezone.localdate()).figures[0].value for u in users]

    before = counts()
    obj = make_for(subject.model, cast)
    if key == "policy_payments":  # the factory's payment waits for confirmation: not yet 兑现, counted once confirmed
        from feidi.core.calendar import end_of

        # …by the question's day (confirmed after it, it was not yet 兑现 then)
        type(obj).objects.filter(pk=obj.pk).update(status="confirmed", confirmed_at=end_of(TODAY) - dt.timedelta(hours=1))
    assert counts() == before, f"an outsider counts {obj!r} through 统计查询 {key}"
    if subject.model.objects.visible_to(cast.leader).filter(pk=obj.pk).exists():
        assert ask(cast.leader, query, timezone.localdate()).figures[0].value >= 1


def test_output_per_area_is_said_per_km2_and_per_hundredth_of_a_km2():
    from feidi.indicators import engine
    from feidi.indicators.models import Indicator

    revenue = Indicator(code="gdp", name="地区生产总值", unit="元")
    assert engine.per_area(Decimal(4_606 * 100_000_000), Decimal("12400")) == Decimal("37145161.29")
    assert engine.density_text(revenue, Decimal(4_606 * 100_000_000), Decimal("12400")) == \
        "每平方公里3,714.52万元（每0.01平方公里约37.15万元）"
    assert engine.density_text(revenue, Decimal(1), None) == "" and engine.per_area(Decimal(5), Decimal(0)) is None


def test_a_verb_and_a_noun_that_overlap_are_said_once(cast, client_for):
    from feidi.core.stats import _verb_noun

    assert _verb_noun("入驻", "入驻企业") == ("", "入驻企业")
    assert _verb_noun("科技型中小企业", "企业") == ("科技型中小企业", "")
    assert _verb_noun("签约", "项目") == ("签约", "项目")
    response = client_for("leader").get("/api/v1/core/stats/query", {"subject": "residencies", "window": "all"})
    assert response.status_code == 200 and "入驻入驻" not in response.json()["sentence"], response.content


def test_a_closing_at_24_00_is_counted_in_the_day_it_ended(cast):
    """Closed at a deadline's 24:00 (stored as the next day's 00:00) is the month's last day's: the
    November window counts it, December's does not, as the ranking does."""
    from feidi.core.calendar import end_of
    from feidi.core.models import DictItem
    from feidi.services.models import Appeal

    category = DictItem.objects.filter(type__code="appeal_category").first()
    made = Appeal.objects.create(organization=cast.org_a1, category=category, title="月末办结", content="内容",
                                 department=cast.dept_a)
    Appeal.objects.filter(pk=made.pk).update(status=Appeal.Status.CLOSED, closed_at=end_of(dt.date(2026, 11, 30)))
    november = ask(cast.leader, "subject=appeals&date=closed_at&window=range&start=2026-11-01&end=2026-11-30")
    december = ask(cast.leader, "subject=appeals&date=closed_at&window=range&start=2026-12-01&end=2026-12-06")
    assert (november.figures[0].value, december.figures[0].value) == (1, 0)


def test_a_status_is_counted_as_it_stood_on_the_day_asked(cast):
    """A stage or status asked of an earlier day is the one its dated steps had reached by then, not
    today's: a project signed in August and started in October is 签约 in August's breakdown; an appeal
    closed in September and reopened in October was 办结 on 30 September; a payment confirmed in
    September and paid in October was not yet 拨付 then; a lot settled in October was still bidding."""
    from feidi.core.calendar import end_of
    from feidi.core.models import DictItem
    from feidi.projects.models import Stage
    from feidi.projects.models import StageRecord
    from feidi.services.models import Appeal
    from feidi.services.models import AppealEvent
    from feidi.testing.factories import make_for

    today = D(2026, 11, 30)
    aug, sep, octo = D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31)

    def at(day):
        return end_of(day) - dt.timedelta(hours=10)

    p = project(cast, "八月签约十月开工", signed_on=D(2026, 8, 10), started_on=D(2026, 10, 5), stage=Stage.STARTED)
    steps = ((Stage.LEAD, D(2026, 7, 1)), (Stage.SIGNED, D(2026, 8, 10)), (Stage.STARTED, D(2026, 10, 5)), (None, None))
    for (stage, day), (__, left) in zip(steps, steps[1:], strict=False):
        StageRecord.objects.create(project=p, stage=stage, entered_on=day, entered_at=at(day),
                                   left_at=at(left) if left else None)

    def stages(day):
        a = ask(cast.leader, f"subject=projects&by=stage&date=signed_on&window=all&as_of={day}", today)
        return [(g.label, g.figures[0].value) for g in a.groups]

    assert stages(aug) == [("签约", 1)]
    assert stages(octo) == [("开工", 1)]
    assert ask(cast.leader, f"subject=projects&f.stage=签约&date=signed_on&window=all&as_of={aug}", today).figures[0].value == 1
    assert ask(cast.leader, f"subject=projects&f.stage=签约&date=signed_on&window=all&as_of={octo}", today).figures[0].value == 0

    category = DictItem.objects.filter(type__code="appeal_category").first()
    appeal = Appeal.objects.create(organization=cast.org_a1, category=category, title="九月办结十月重办", content="内容",
                                   department=cast.dept_a, status=Appeal.Status.HANDLING)
    Appeal.objects.filter(pk=appeal.pk).update(submitted_at=at(D(2026, 9, 1)))
    for kind, day in (("submit", D(2026, 9, 1)), ("accept", D(2026, 9, 2)), ("close", D(2026, 9, 10)),
                      ("reply", D(2026, 9, 11)), ("reopen", D(2026, 10, 20))):
        event = AppealEvent.objects.create(appeal=appeal, kind=kind)
        AppealEvent.objects.filter(pk=event.pk).update(at=at(day))

    def appeals(day):
        a = ask(cast.leader, f"subject=appeals&measure=closed&date=submitted_at&window=ytd&as_of={day}&by=status", today)
        return a.figures[0].value, [g.label for g in a.groups]

    assert appeals(D(2026, 9, 5)) == (0, [])  # accepted: counted 0 closed, and no group shows a 0
    assert appeals(sep) == (1, ["已办结"])
    assert appeals(octo) == (0, [])
    statuses = ask(cast.leader, f"subject=appeals&date=submitted_at&window=ytd&as_of={D(2026, 9, 5)}&by=status", today)
    assert [(g.label, g.figures[0].value) for g in statuses.groups] == [("已受理", 1)]

    payment = make_for(__import__("feidi.policies.models", fromlist=["Payment"]).Payment, cast)
    type(payment).objects.filter(pk=payment.pk).update(status="paid", confirmed_at=at(D(2026, 9, 15)),
                                                       paid_on=D(2026, 10, 10))

    def payments(day):
        a = ask(cast.leader, f"subject=policy_payments&measure=count&measure=paid&date=any&window=all&as_of={day}"
                             "&by=status", today)
        return [f.value for f in a.figures], [g.label for g in a.groups]

    assert payments(aug) == ([0, 0], [])
    assert payments(sep) == ([1, 0], ["已确认"])
    assert payments(octo) == ([1, 200000], ["已拨付"])

    lot = make_for(__import__("feidi.auctions.models", fromlist=["Lot"]).Lot, cast)
    type(lot).objects.filter(pk=lot.pk).update(status="sold", current_price=Decimal(1_600_000),
                                               opens_at=at(D(2026, 9, 20)), closes_at=at(D(2026, 10, 5)),
                                               settled_at=at(D(2026, 10, 5)))

    def lots(day):
        a = ask(cast.leader, f"subject=lots&measure=count&measure=sold&date=any&window=all&as_of={day}&by=status", today)
        return [f.value for f in a.figures], [(g.label, g.figures[0].value) for g in a.groups]

    assert lots(aug) == ([1, 0], [("待拍", 1)])
    assert lots(sep) == ([1, 0], [("竞价中", 1)])
    assert lots(octo) == ([1, 1], [("成交", 1)])


def test_zones_and_agreements_are_counted_as_reports_quote_them(cast):
    """“人才飞地15个”, “签署合作协议3份”: the zones of each kind existing on a day (established by
    it), the agreements signed in a window, each as the user sees them."""
    from feidi.core.models import DictItem
    from feidi.registry.models import Agreement
    from feidi.registry.models import Zone

    kind = DictItem.objects.get(type__code="zone_kind", code=Zone.objects.get(pk=cast.enclave.pk).kind.code)
    Zone.objects.filter(pk=cast.enclave.pk).update(established_on=dt.date(2026, 3, 1), department=cast.dept_a)
    Zone.objects.create(name="未来飞地", kind=kind, host_region="上海市", established_on=dt.date(2027, 1, 1),
                        department=cast.dept_a)
    answer = ask(cast.leader, "subject=zones&by=kind&window=all&date=any&as_of=2026-10-31")
    assert f"{kind.label}1个" in answer.sentence and "未来飞地" not in answer.sentence
    for day in (dt.date(2026, 2, 1), dt.date(2026, 6, 30), dt.date(2026, 9, 15)):
        Agreement.objects.create(title="合作协议", party_a="上饶市", party_b="松江区", signed_on=day, department=cast.dept_a)
    Agreement.objects.create(title="乙区协议", party_a="上饶市", party_b="松江区", signed_on=dt.date(2026, 5, 1),
                             department=cast.dept_b)
    assert ask(cast.leader, "subject=agreements&window=ytd&as_of=2026-10-31").sentence == "2026年1–10月，签署合作协议3份"
    assert "合作协议2份" in ask(cast.leader, "subject=agreements&window=last6&as_of=2026-10-31").sentence


def test_a_terminated_project_counts_in_no_figure_of_signings(cast, signings, client_for):
    """Terminated after signing: out of the year's signings wherever they are quoted (统计查询, the
    home card and its list, the dashboard) — as the funnel, the key projects and the 专报 leave it out."""
    from feidi.projects.dashboard import figures
    from feidi.projects.models import Project
    from feidi.projects.models import Stage

    query = "subject=projects&measure=count&measure=sum:signed_amount&date=signed_on&window=ytd"
    before = ask(cast.leader, query)
    assert [f.value for f in before.figures] == [4, Decimal(45 * 100_000_000)]
    Project.objects.filter(name="甲二").update(stage=Stage.TERMINATED)
    after = ask(cast.leader, query)
    assert [f.value for f in after.figures] == [3, Decimal(40 * 100_000_000)]
    assert "已终止的项目不计入" in str(stats.SUBJECTS["projects"].help)
    assert Stage.TERMINATED not in dict(stats.SUBJECTS["projects"].dimension("stage").choices(cast.leader))
    dash = figures(Project.objects.visible_to(cast.leader), TODAY, cast.leader)
    assert (dash["signed_count"], dash["signed_amount"]) == (3, Decimal(40 * 100_000_000))
    # the chart: the last 12 months (甲去年二 of 2025-11 in them), 甲二 not
    assert sum(sum(s["data"]) for s in dash["signed_series"]) == 50 * 10_000  # 万元
    # The list a count links to shows as many rows: 已终止=否 leaves it out, =是 shows it alone.
    client = client_for("leader")
    rows = client.get(reverse("projects:project_list"), {"signed_after": "2026-01-01", "signed_before": "2026-10-31",
                                                         "terminated": "false"}).content.decode()
    assert "甲一" in rows and "甲二" not in rows
    alone = client.get(reverse("projects:project_list"), {"terminated": "true"}).content.decode()
    assert "甲二" in alone and "甲一" not in alone


def test_residencies_say_which_state_they_count_and_a_park_counts_its_sub_parks(cast):
    """对接企业 is every residency (在谈 … 退出); 已入驻, 已确定入驻 (含已入驻) and 在谈 are measures of
    their own, each said with its own words; a park asked for counts the residencies of its 分区."""
    from feidi.registry.models import Residency
    from feidi.registry.models import Zone
    from feidi.testing.cast import make_org

    part = Zone.objects.create(name="上饶科创中心二分区", kind=cast.enclave.kind, host_region="上海市",
                               parent=cast.enclave, department=cast.dept_a)
    S = Residency.Status
    Residency.objects.filter(enclave=cast.enclave).update(status=S.RESIDENT)
    for i, status in enumerate((S.CONFIRMED, S.CONFIRMED, S.NEGOTIATING, S.EXITED)):
        org = make_org(f"对接企业{i}", cast.zone_a)
        Residency.objects.create(organization=org, enclave=part, status=status, department=cast.dept_a)
    answer = ask(cast.leader, f"subject=residencies&date=any&measure=confirmed&measure=negotiating&f.enclave={cast.enclave.pk}")
    assert [f.value for f in answer.figures] == [3, 1]  # the park's resident one + its part's two confirmed
    assert "已确定入驻企业3家" in answer.sentence and "在谈企业1家" in answer.sentence
    every = ask(cast.leader, f"subject=residencies&date=any&f.enclave={cast.enclave.pk}")
    assert every.figures[0].value == 5 and "对接企业5家" in every.sentence
    # the part alone is only its own
    assert ask(cast.leader, f"subject=residencies&date=any&f.enclave={part.pk}").figures[0].value == 4


def test_zones_count_a_park_once_and_not_another_citys_reference_zones(cast):
    """A 分区 (under a parent of its own kind) is its park's, not another of its kind; a zone nobody
    here administers (another city's, kept for its published figures) is not one of ours; a kind
    asked for names the zones itself (人才飞地2个, not 人才飞地园区与飞地2个)."""
    from feidi.registry.models import Zone

    kind = cast.enclave.kind
    for name in ("分区甲", "分区乙"):
        Zone.objects.create(name=name, kind=kind, host_region="上海市", parent=cast.enclave, department=cast.dept_a)
    Zone.objects.create(name="外地对比园区", kind=kind, host_region="江西省南昌市")
    answer = ask(cast.leader, f"subject=zones&date=any&f.kind={kind.code}")
    assert answer.figures[0].value == 1 and answer.sentence.endswith(f"{kind.label}1个"), answer.sentence
    assert "园区与飞地" not in answer.sentence


def test_a_sum_over_no_record_is_zero_and_a_verb_inside_the_noun_is_said_once(cast):
    from feidi.core.stats import _verb_noun

    assert _verb_noun("兑现", "惠企政策兑现") == ("", "惠企政策兑现")
    answer = ask(cast.leader, "subject=projects&measure=sum:signed_amount&date=signed_on&window=ytd")
    assert answer.figures[0].value == 0 and "—" not in answer.sentence
    # a sum over records that all leave the field empty stays unknown
    project(cast, "金额未填", signed_on=D(2026, 3, 1))
    assert ask(cast.leader, "subject=projects&measure=sum:signed_amount&date=signed_on&window=ytd").figures[0].value is None


def test_an_economic_indicator_is_quoted_as_its_pages_quote_it_with_its_comparable_growth(cast, client_for):
    """“1–10月规上工业增加值同比增长8.5%”: 统计查询 asks the indicator engine — the month's cumulative
    value (never a sum of the window's months), the 同口径 同比, the latest month whose reporting
    is complete up to the window's end — and says what the indicator pages say; by park; another
    zone's user and an enterprise count only their own."""
    from feidi.indicators import actions as indicator_actions
    from feidi.indicators import engine
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import IndicatorValue

    revenue = Indicator.objects.get(code="revenue")
    rows = []
    for org, before, now in ((cast.org_a1, 1000, 1200), (cast.org_a2, 500, 550), (cast.org_b1, 700, 900)):
        for year, value in ((2025, before), (2026, now)):
            for month in (9, 10):  # cumulative: October's is the 1–10月 figure, September's is not added
                rows.append(indicator_actions._row(org, revenue, D(year, month, 1), Decimal(value * month // 10),
                                                   acting_user=None, source="import"))
    indicator_actions.bulk_upsert(rows)
    answer = ask(cast.leader, f"subject=indicators&f.indicator={revenue.pk}&compare=yoy&window=ytd&as_of=2026-10-31")
    values = IndicatorValue.objects.visible_to(cast.leader)
    coverage = engine.Coverage.parse("", revenue, cast.leader)
    total = engine.yoy(values, revenue, D(2026, 10, 1), "total", coverage=coverage)[0]
    assert answer.figures[0].value == total.total == 1750
    assert answer.sentence == engine.sentence(revenue, D(2026, 10, 1), total, coverage)
    assert answer.sentence.startswith("2026年1–10月") and "同比增长16.7%" in answer.sentence  # 1750 / 1500
    assert answer.as_dict()["growth"] == pytest.approx(0.1667, abs=1e-4)
    # the window ending in November quotes October, the latest month reported — and its total says so
    # (the table's 合计 was labelled with the window: 2026年1月1日至11月20日, or 12月1日至8日 for 当月)
    november = ask(cast.leader, "subject=indicators&window=ytd&as_of=2026-11-20")
    assert november.sentence.startswith("2026年1–10月") and november.period == "2026年1–10月"
    # 当月 is October's own figure (1750 − 1575), not the 1–10月 cumulative
    month = ask(cast.leader, "subject=indicators&window=month&as_of=2026-11-20")
    assert (month.period, month.figures[0].value) == ("2026年10月", 175)
    # a month's figures entered, it is still quoted only once it is over (a 专报 of 16 November said 1–11月)
    indicator_actions.bulk_upsert([indicator_actions._row(org, revenue, D(2026, 11, 1), Decimal(value), acting_user=None,
                                                          source="import")
                                   for org, value in ((cast.org_a1, 1300), (cast.org_a2, 600), (cast.org_b1, 950))])
    assert ask(cast.leader, "subject=indicators&window=ytd&as_of=2026-11-16").period == "2026年1–10月"
    assert ask(cast.leader, "subject=indicators&window=ytd&as_of=2026-11-30").period == "2026年1–11月"
    # by name as a person types it, by park
    by_zone = ask(cast.leader, "subject=indicators&f.indicator=主营业务收入&by=zone&as_of=2026-10-31")
    assert [(g.label, g.figures[0].value) for g in by_zone.groups] == [(cast.zone_a.short_name or cast.zone_a.name, 1750)]
    assert ask(cast.ent_a, "subject=indicators&as_of=2026-10-31").figures[0].value == 1200  # its own only
    with pytest.raises(stats.QueryError):
        ask(cast.leader, "subject=indicators&compare=prev")
    response = client_for("leader").get("/api/v1/core/stats/query", {"subject": "indicators", "compare": "yoy",
                                                                       "as_of": "2026-10-31"})
    assert response.status_code == 200 and response.json()["sentence"] == answer.sentence
    page = client_for("leader").get(f"{reverse('core:stats')}?subject=indicators&window=month&as_of=2026-11-20")
    assert "合计（2026年10月）" in page.content.decode()
    workbook = client_for("leader").get(f"{reverse('core:stats')}?subject=indicators&as_of=2026-11-20&format=xlsx")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content)).get_sheet_by_index(0).to_python()
    assert rows[3][:2] == ["项目", "主营业务收入（元）"] and rows[4][0] == "合计（2026年1–10月）"
    # a count not bounded by any date is 截至目前, in the sentence and on its total alike
    from django.utils import timezone

    states = ask(cast.leader, "subject=residencies&date=any&by=status", today=timezone.localdate())
    assert states.period == "截至目前" and states.sentence.startswith("截至目前")


def test_each_residency_state_is_counted_from_the_day_it_was_reached(cast, client):
    """已确定入驻 and 在谈 are not bounded by the 入驻日期 they do not have yet: unless the question
    names a date, each measure is bounded by the day its state was reached (在谈 since 开始洽谈, 已确定入驻
    on 确定入驻日期 or, where that was never recorded, the day it entered); a named date bounds all."""
    from feidi.registry.models import Residency
    from feidi.testing.cast import make_org

    S = Residency.Status
    Residency.objects.filter(enclave=cast.enclave).delete()
    last_year, this_year = dt.date(TODAY.year - 1, 6, 1), dt.date(TODAY.year, 3, 1)
    rows = [  # status, negotiating since, confirmed on, entered on
        (S.NEGOTIATING, last_year, None, None), (S.NEGOTIATING, this_year, None, None),
        (S.CONFIRMED, last_year, this_year, None), (S.RESIDENT, None, None, this_year),  # entered, never "confirmed"
        (S.RESIDENT, last_year, last_year, last_year)]
    for i, (status, since, confirmed, entered) in enumerate(rows):
        Residency.objects.create(organization=make_org(f"入驻日期企业{i}", cast.zone_a), enclave=cast.enclave,
                                 status=status, negotiating_since=since, confirmed_on=confirmed, entered_on=entered,
                                 department=cast.dept_a)
    base = f"subject=residencies&f.enclave={cast.enclave.pk}&measure=count&measure=resident&measure=confirmed&measure=negotiating"
    every = ask(cast.leader, base + "&window=all")
    assert [f.value for f in every.figures] == [5, 2, 3, 2]
    assert "已确定入驻企业3家" in every.sentence and "在谈企业2家" in every.sentence and "对接企业5家" in every.sentence
    assert "在谈按开始洽谈日期" in every.rule and "已入驻按入驻日期" in every.rule
    # this year: contact begun (the resident without a 洽谈 date began by the day it entered), entered,
    # confirmed, and still in talks since
    assert [f.value for f in ask(cast.leader, base + "&window=ytd").figures] == [2, 1, 2, 1]
    # a date named bounds every measure by it
    named = ask(cast.leader, base + "&window=all&date=entered_on")
    assert [f.value for f in named.figures] == [2, 2, 2, 0] and "入驻日期在" in named.rule
    # broken down, each group counted the same way
    by_status = {g.key: [f.value for f in g.figures] for g in ask(cast.leader, base + "&window=all&by=status").groups}
    assert by_status[S.NEGOTIATING] == [2, 0, 0, 2] and by_status[S.CONFIRMED] == [1, 0, 1, 0]
    # the page offers the measures' own dates first, and says them
    client.force_login(cast.leader)
    page = client.get(reverse("core:stats"), {"subject": "residencies", "window": "all",
                                              "measure": ["confirmed", "negotiating"]}, secure=True)
    html = page.content.decode()
    assert '<option value="" selected>按各统计项的日期</option>' in html and "在谈企业2家" in html


def test_the_rule_quoted_with_a_sentence_says_what_its_subject_leaves_out(cast):
    """The 口径 is copied with the sentence: "企业140家" beside a list of 177 must say that only a
    park's enterprises count, "签约项目13个" that a terminated one does not."""
    assert "只计园区内的企业" in ask(cast.leader, "subject=organizations").rule
    assert "已终止的项目不计入" in ask(cast.leader, "subject=projects&date=signed_on&window=ytd").rule
    assert "分区计入所属园区" in ask(cast.leader, "subject=zones").rule
    assert "不计入" not in ask(cast.leader, "subject=residencies&window=all").rule


def test_a_sentence_says_each_thing_once_names_every_group_and_its_workbook_reads_ratios_as_such(cast, client_for):
    """办结企业诉求2件，办结企业诉求2件 (two measures, one phrase) is said once; a project without a
    重点级别 is grouped as （未填）, not under a blank name; 办理用时较时限压缩 under its （%） header is a
    percentage cell (0.9999 read as about 1%); a question without a date bound asked for an earlier day
    names the day its records are of."""
    from python_calamine import CalamineWorkbook

    from feidi.core.stats import period_of

    for name, level in (("有级别", "city"), ("无级别", "")):
        project(cast, name, signed_on=D(2026, 3, 1), is_key=bool(level), key_level=level)
    grouped = ask(cast.leader, "subject=projects&window=all&date=any&by=key_level")
    assert "" not in [g.label for g in grouped.groups] and "（未填）" in [g.label for g in grouped.groups]
    twice = ask(cast.leader, "subject=appeals&date=closed_at&measure=count&measure=closed&window=ytd")
    assert twice.sentence.count("企业诉求") == 1, twice.sentence
    workbook = client_for("leader").get(
        f"{reverse('core:stats')}?subject=appeals&measure=count&measure=compression&window=ytd&format=xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content))
    assert book.get_sheet_by_index(0).to_python()[3][2] == "办理用时较时限压缩（%）"
    earlier = stats.parse(QueryDict("subject=projects&date=any&as_of=2025-12-31"), cast.leader, today=D(2025, 12, 31))
    assert period_of(earlier).startswith("截至") and "不限日期" in period_of(earlier)


def test_a_figure_of_an_earlier_day_counts_a_project_as_it_stood_that_day(cast):
    """A project signed on 14 August and terminated on 14 October is one of August's signings asked on
    31 August — and of none asked today; one terminated without a dated step stays left out."""
    import datetime as dt

    from django.utils import timezone

    from feidi.projects.models import Stage
    from feidi.projects.models import StageRecord

    signed = project(cast, "八月签约后终止", signed_on=D(2026, 8, 14), amount=1_500_000_000, stage=Stage.TERMINATED)
    StageRecord.objects.create(project=signed, stage=Stage.TERMINATED, entered_on=D(2026, 10, 14),
                               entered_at=timezone.make_aware(dt.datetime(2026, 10, 14, 10)))
    project(cast, "八月签约", signed_on=D(2026, 8, 20), amount=400_000_000)
    project(cast, "终止无日期", signed_on=D(2026, 8, 21), amount=100_000_000, stage=Stage.TERMINATED)
    august = ask(cast.leader, "subject=projects&measure=count&measure=sum:signed_amount&date=signed_on"
                              "&window=month&as_of=2026-08-31")
    assert [f.value for f in august.figures] == [2, 1_900_000_000]
    assert "统计截止日前已终止的项目不计入" in august.rule
    later = ask(cast.leader, "subject=projects&measure=count&date=signed_on&window=all&as_of=2026-11-30")
    assert later.figures[0].value == 1


def test_a_residency_is_counted_as_it_stood_on_the_day_asked(cast):
    """已入驻 on 1 March 2025 counts one resident then that left in May; 在谈 then counts one in talks
    then that was confirmed on 14 March — as the residency's dated steps say, not its status today."""
    from feidi.registry.models import Residency
    from feidi.testing.cast import make_org

    S = Residency.Status
    Residency.objects.filter(enclave=cast.enclave).delete()
    left = Residency.objects.create(organization=make_org("已退出企业", cast.zone_a), enclave=cast.enclave, status=S.EXITED,
                                    negotiating_since=D(2024, 3, 1), confirmed_on=D(2024, 5, 1), entered_on=D(2024, 6, 1),
                                    exited_on=D(2025, 5, 1), department=cast.dept_a)
    later = Residency.objects.create(organization=make_org("后确定企业", cast.zone_a), enclave=cast.enclave,
                                     status=S.RESIDENT, negotiating_since=D(2025, 1, 10), confirmed_on=D(2025, 3, 14),
                                     entered_on=D(2025, 9, 1), department=cast.dept_a)
    assert left.pk and later.pk
    base = f"subject=residencies&measure=resident&measure=confirmed&measure=negotiating&f.enclave={cast.enclave.pk}"
    then = ask(cast.leader, base + "&window=all&as_of=2025-03-01")
    assert [f.value for f in then.figures] == [1, 1, 1]  # the one that left was resident; the other in talks
    now = ask(cast.leader, base + "&window=all")
    assert [f.value for f in now.figures] == [1, 1, 0]  # today: the later one resident, the other gone


def test_a_question_no_date_bounds_asked_of_an_earlier_day_counts_what_there_was_then(cast):
    """不限日期 as of 31 December 2025: the projects there were by then (entered, or carrying a step
    dated by then), said with that day — not a project first heard of in 2026."""
    from feidi.projects.models import Project

    old = project(cast, "二五年签约", signed_on=D(2025, 6, 1))
    new = project(cast, "二六年线索", stage="lead")
    Project.objects.filter(pk__in=[old.pk, new.pk]).update(created_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
    a = ask(cast.leader, "subject=projects&date=any&window=all&as_of=2025-12-31", D(2026, 11, 30))
    assert a.figures[0].value == 1
    assert a.sentence.startswith("截至2025年12月31日（不限日期）")
    assert ask(cast.leader, "subject=projects&date=any&window=all", D(2026, 11, 30)).figures[0].value == 2
