"""The monthly unit ranking (月调度): scores from the pipeline and appeals, ranks with ties, the
bottom flagged, missing inputs said plainly, statements and follow-ups, and the .docx."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from feidi.accounts import actions as account_actions
from feidi.accounts.models import Department
from feidi.indicators import ranking
from feidi.indicators.models import RankingRule
from feidi.indicators.models import Statement
from feidi.projects.actions import do_save_project
from feidi.projects.models import AnnualPlan
from feidi.projects.models import Milestone
from feidi.projects.models import MonthlyInvestment
from feidi.projects.models import Project

OCT = dt.date(2026, 10, 1)


def bureau(cast, name):
    return account_actions.do_save_department(Department(name=name, kind="bureau", parent=cast.dept_a),
                                              acting_user=None)


def project(cast, unit, name, **fields):
    p = do_save_project(Project(name=name, zone=cast.zone_a, introducer_department=unit, owner=cast.invest),
                        acting_user=cast.invest)
    Project.objects.filter(pk=p.pk).update(**fields)
    return Project.objects.get(pk=p.pk)


@pytest.fixture
def units(cast):
    invest = cast.dept_a_bureau  # 招商局
    econ, build = bureau(cast, "经发局"), bureau(cast, "建设局")
    # 招商局: two signings (3亿 + 1亿) in October, one start; 经发局: one signing (2亿), a key project on pace;
    # 建设局: nothing signed, an overdue milestone
    project(cast, invest, "甲项目", signed_on=dt.date(2026, 10, 8), signed_amount=Decimal(3e8))
    project(cast, invest, "乙项目", signed_on=dt.date(2026, 10, 20), signed_amount=Decimal(1e8),
            started_on=dt.date(2026, 10, 25))
    project(cast, invest, "九月签约", signed_on=dt.date(2026, 9, 30), signed_amount=Decimal(9e9))  # not October
    key = project(cast, econ, "丙重点项目", signed_on=dt.date(2026, 10, 3), signed_amount=Decimal(2e8), is_key=True,
                  key_level="city")
    AnnualPlan.objects.create(project=key, department=cast.dept_a, year=2026, planned_investment=Decimal(1.2e8))
    MonthlyInvestment.objects.create(project=key, department=cast.dept_a, month=dt.date(2026, 5, 1),
                                     amount=Decimal(1e8))
    late = project(cast, build, "丁项目")
    Milestone.objects.create(project=late, department=cast.dept_a, name="开工", planned_on=dt.date(2026, 10, 15))
    rule = RankingRule.objects.create(department=cast.dept_a, name="月度调度排名", bottom_count=1)
    return rule, invest, econ, build


def test_units_are_scored_from_the_data_and_the_missing_inputs_are_said(cast, units):
    rule, invest, econ, build = units
    rows, missing = ranking.measure(rule, OCT)
    by = {r["label"]: r for r in rows}
    assert (by["招商局"]["signings"], by["招商局"]["amount"], by["招商局"]["starts"]) == (2, 40000.0, 1)
    assert (by["经发局"]["signings"], by["经发局"]["amount"]) == (1, 20000.0)
    assert by["经发局"]["completion"] == pytest.approx(1e8 / (1.2e8 * 10 / 12))  # 100 %
    assert by["建设局"]["overdue"] == 1 and by["招商局"]["completion"] is None
    assert any("诉求" in m for m in missing)  # no appeal closed in October: said, not invented
    scored = {r["label"]: r for r in ranking.score(rule, rows)}
    # 招商局: 20×2/2 + 20×4亿/4亿 + 15×1/1 + 10×(1−0/1) = 65; 经发局: 10 + 10 + 15×1 + 10 = 45;
    # 建设局: 0 + 10×(1−1/1) = 0
    assert (scored["招商局"]["score"], scored["经发局"]["score"], scored["建设局"]["score"]) == (65, 45, 0)
    assert [r["label"] for r in ranking.score(rule, rows) if r["bottom"]] == ["建设局"]


def test_the_monthly_docx_figures_equal_the_databases(cast, units):
    from docx import Document

    rule, *_ = units
    run = ranking.run(rule, OCT)
    entries = {e.label: e for e in run.entries.all()}
    assert entries["招商局"].rank == 1 and entries["建设局"].bottom
    doc = Document(io.BytesIO(run.docx.read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "10月份月度调度排名通报" in text and "2026年第10期" in text
    assert "招商局排名第一" in text and "建设局排名末位" in text and "诉求" in text
    table = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert table[0][:3] == ["名次", "单位", "得分"]
    for row in table[1:]:
        e = entries[row[1]]
        assert row[0] == str(e.rank) and row[2] == f"{e.score}"
        assert row[3] == str(e.metrics["signings"]) and row[4] == f"{e.metrics['amount']:,.2f}"


def test_statements_survive_a_recount_and_are_followed_up_next_month(cast, units, client_for):
    from feidi.accounts.models import Role

    rule, *_ = units
    cast.leader.roles.add(Role.objects.get(code="project_office"))
    c = client_for("leader")
    r = c.post(reverse("indicators:rankingrun_compute"), {"rule": rule.pk, "month": "2026-10"})
    run = rule.runs.get(month=OCT)
    assert r.status_code == 302 and r["Location"] == run.get_absolute_url()
    bottom = run.entries.get(bottom=True)
    c.post(reverse("indicators:rankingrun_statement", args=[run.pk]),
           {"entry": bottom.pk, "text": "建设局表态：本月内完成开工手续", "measures": "专人盯办"})
    assert Statement.objects.get(entry=bottom).text.startswith("建设局表态")
    ranking.run(rule, OCT)  # recomputed: the statement stays with its unit
    assert Statement.objects.get().entry.label == "建设局"
    nov = ranking.run(rule, dt.date(2026, 11, 1))
    page = c.get(nov.get_absolute_url()).content.decode()
    assert "上月末位单位跟进" in page and "本月内完成开工手续" in page
    # a stray control character, which a Word report cannot hold, is refused as any text's is; Word's
    # own line break (VT) is a line break, so every report quoting it still opens
    refused = c.post(reverse("indicators:rankingrun_statement", args=[nov.pk]),
                     {"entry": bottom.pk, "kind": "follow_up", "text": "已于11月5日开工\x01"}, follow=True)
    assert "U+0001" in refused.content.decode() and Statement.objects.get().follow_up == ""
    c.post(reverse("indicators:rankingrun_statement", args=[nov.pk]),
           {"entry": bottom.pk, "kind": "follow_up", "text": "已于11月5日开工\x0b（附开工令）"})
    assert Statement.objects.get().follow_up == "已于11月5日开工\n（附开工令）"
    from docx import Document

    docx = c.get(reverse("indicators:rankingrun_docx", args=[nov.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs)
    assert "已于11月5日开工" in text and "（附开工令）" in text
    assert client_for("other_pmo").get(run.get_absolute_url()).status_code == 404
    # a month is ranked once it is over: this month's 末位 would be named on a few days' figures
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    refused = c.post(reverse("indicators:rankingrun_compute"), {"rule": rule.pk, "month": f"{this_month:%Y-%m}"},
                     follow=True)
    assert "尚未结束，不能计算排名" in refused.content.decode() and not rule.runs.filter(month=this_month).exists()


def test_a_zone_without_projects_is_told_so(cast):
    rule = RankingRule.objects.create(department=cast.dept_b, name="乙区排名")
    bureau_b = account_actions.do_save_department(Department(name="乙区招商局", kind="bureau", parent=cast.dept_b),
                                                  acting_user=None)
    rows, missing = ranking.measure(rule, OCT)
    assert [r["label"] for r in rows] == [bureau_b.name]
    assert any("尚无本园区的项目" in m for m in missing)


def test_a_unit_without_data_is_not_ranked_and_ties_share_a_rank_and_say_so(cast, units, client_for):
    rule, invest, econ, build = units
    bureau(cast, "安商办")  # no project, no appeal: nothing measured
    run = ranking.run(rule, OCT, acting_user=cast.leader)
    entries = {e.label: e for e in run.entries.all()}
    idle = entries["安商办"]
    assert idle.rank is None and not idle.bottom and "不参与排名" in idle.note
    assert [e.label for e in run.entries.all()][-1] == "安商办"  # listed after the ranked units
    assert entries["建设局"].bottom and "末位" in entries["建设局"].note
    # two units scoring alike share a rank and say with whom
    rows = ranking.score(rule, [
        {"label": label, "who": None, "signings": 1, "amount": 1.0, "starts": 0, "completion": None, "overdue": 0,
         "on_time": None, "satisfaction": None} for label in ("甲局", "乙局")] + [
        {"label": "丙局", "who": None, "signings": 2, "amount": 2.0, "starts": 1, "completion": None, "overdue": 0,
         "on_time": None, "satisfaction": None}])
    assert {r["label"]: r["rank"] for r in rows} == {"丙局": 1, "甲局": 2, "乙局": 2}
    tied = {r["label"]: r for r in rows}
    assert tied["甲局"]["note"].startswith("与乙局同分并列第2名") and tied["甲局"]["bottom"] and tied["乙局"]["bottom"]
    docx = ranking.render_docx(run)
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "安商办本月无数据，不参与排名" in text
    # the page says the same: no score of 0.00 beside 不参与排名, and the chart leaves it out
    response = client_for("leader").get(reverse("indicators:rankingrun_detail", kwargs={"pk": run.pk}))
    row = next(r for r in response.content.decode().split("<tr") if "安商办" in r and "不参与排名" in r)
    assert "<strong>—</strong>" in row and "0.00" not in row
    assert "安商办" not in response.context["chart"]["labels"] and len(response.context["chart"]["scores"]) == 3


def test_on_time_is_one_definition_and_24_00_closes_on_its_day(cast, units):
    """按时办结: closed at its first level by that level's deadline. An appeal escalated (its deadline
    missed) and settled within the next level's deadline is late in the ranking as in 办理指标; one
    closed at a deadline's 24:00 is on time, a second later is late, and 24:00 of the month's last
    day is the month's."""
    from feidi.core.calendar import end_of
    from feidi.core.models import DictItem
    from feidi.services import measures
    from feidi.services.models import Appeal

    rule, invest, econ, build = units
    category = DictItem.objects.filter(type__code="appeal_category").first()
    accepted = dt.datetime(2026, 10, 19, 9, tzinfo=dt.UTC)
    deadline = end_of(dt.date(2026, 10, 26))  # Monday 24:00, five working days after the Monday before

    def appeal(title, closed_at, level=1, due=deadline):
        made = Appeal.objects.create(organization=cast.org_a1, category=category, title=title, content="内容",
                                     department=cast.dept_a, handling_department=invest)
        Appeal.objects.filter(pk=made.pk).update(status=Appeal.Status.CLOSED, level=level, submitted_at=accepted,
                                                 accepted_at=accepted, deadline=due, closed_at=closed_at)

    appeal("准点", deadline)
    appeal("晚一秒", deadline + dt.timedelta(seconds=1))
    appeal("升级后办结", end_of(dt.date(2026, 10, 28)), level=2, due=end_of(dt.date(2026, 10, 29)))
    appeal("月末24点", end_of(dt.date(2026, 10, 31)), due=end_of(dt.date(2026, 11, 2)))
    rows, _ = ranking.measure(rule, OCT)
    assert {r["label"]: r["on_time"] for r in rows}["招商局"] == pytest.approx(2 / 4)
    by_department = {r["key"]: r for r in measures.compute(Appeal.objects.all(), by="department")}
    figures = by_department["招商局"]
    assert (figures["closed"], figures["on_time"]) == (4, 2)
    # and 统计查询's on-time count in its 用时压缩 detail
    from feidi.core import stats

    answer = stats.evaluate(stats.parse({"subject": "appeals", "measure": "compression", "window": "all"},
                                        cast.leader), cast.leader)
    assert "4件已完成，按期2件" in answer.figures[0].detail, answer.figures[0].detail
    # 准点 took five working days (Monday 09:00 → the next Monday's 24:00), not six
    assert measures.compute(Appeal.objects.filter(title="准点"), by="department")[0]["avg_close_workdays"] == 5


def test_a_zones_ranking_rules_are_told_apart_by_their_names(cast):
    """Saving the add page untouched made a third 月度调度排名: a second rule of the same name in a zone
    is refused on its name."""
    from django.core.exceptions import ValidationError

    RankingRule.objects.create(department=cast.dept_a, name="月度调度排名")
    with pytest.raises(ValidationError, match="本园区已有名为“月度调度排名”的排名规则"):
        RankingRule(department=cast.dept_a, name="月度调度排名").full_clean()
    RankingRule(department=cast.dept_b, name="月度调度排名").full_clean()  # another zone's may


def test_a_month_is_ranked_as_it_stood_at_its_end(cast, units):
    """A project signed in October and terminated in November still counts in October's signings (as
    统计查询 counts it for that day); one terminated in October does not."""
    from django.utils import timezone

    from feidi.projects.models import Stage
    from feidi.projects.models import StageRecord

    rule, invest, econ, build = units
    for name, day in (("甲项目", dt.date(2026, 11, 20)), ("乙项目", dt.date(2026, 10, 28))):
        p = Project.objects.get(name=name)
        Project.objects.filter(pk=p.pk).update(stage=Stage.TERMINATED)
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        StageRecord.objects.filter(project=p, left_at__isnull=True).update(left_at=when)
        StageRecord.objects.create(project=p, stage=Stage.TERMINATED, entered_on=day,
                                   entered_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))))
    rows, _missing = ranking.measure(rule, OCT)
    assert {r["label"]: r for r in rows}["招商局"]["signings"] == 1  # 甲 (terminated in November), not 乙
