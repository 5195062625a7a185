"""The leaders' statistics at their edges: ties at the bottom of a ranking, percentages rounded half
up once, a report's figures and labels of its own day, a dispatch week across New Year, release
labels of January and of level indicators, 同比 windows over 29 February, and out-of-range query
parameters answered with a message instead of a 500."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template import Context
from django.template import Template
from django.urls import reverse

from feidi.core import stats
from feidi.indicators import engine
from feidi.indicators import ranking
from feidi.indicators.models import RankingRule
from feidi.lib import money
from feidi.projects import actions
from feidi.projects import reports
from feidi.projects.models import Alert
from feidi.projects.models import AnnualPlan
from feidi.projects.models import Dispatch
from feidi.projects.models import MonthlyInvestment
from feidi.projects.models import Problem
from feidi.projects.models import Project

# --- 1. 末位 with ties --------------------------------------------------------------------------------


@pytest.mark.parametrize(("ranks", "n", "bottom"), [
    ([1, 2, 2, 2], 2, {2}),            # 20 / 6.67 ×3: the tied three reach into the last two places, rank 1 not
    ([1, 1, 1], 2, set()),             # everybody ties: there is no last place
    ([1, 1, 1, 1], 1, set()),
    ([1, 2, 3, 3], 1, {3}),            # the December run: the tied 3s share the last place
    ([1, 2, 3, 3], 2, {3}),            # … and the last two places are both theirs
    ([1, 2, 3, 3, 5], 2, {3, 5}),      # places 4–5: the 3s reach place 4
    ([1, 2, 3, 4, 5], 2, {4, 5}),
    ([1, 2, 2, 4, 5], 1, {5}),
    ([1, 1, 3], 2, {3}),               # the tie at the top is never 末位
    ([1, 2], 2, set()),                # no more units than 末位 places: no bottom
    ([1], 1, set()),
    ([1, 2, 3], 0, set()),             # a rule without 末位
])
def test_a_tie_group_is_bottom_when_it_reaches_into_the_last_places_but_never_the_first(ranks, n, bottom):
    assert ranking.bottom_flags(ranks, n) == bottom


def _row(label, signings):
    return {"label": label, "who": None, **{m: None for m in RankingRule.METRICS}, "signings": signings}


def test_scoring_never_flags_the_top_unit(cast):
    rule = RankingRule(department=cast.dept_a, name="排名", bottom_count=2)
    rows = ranking.score(rule, [_row("甲", 3), _row("乙", 1), _row("丙", 1), _row("丁", 1)])
    flagged = {r["label"]: r["bottom"] for r in rows}
    assert flagged == {"甲": False, "乙": True, "丙": True, "丁": True}
    rows = ranking.score(rule, [_row("甲", 1), _row("乙", 1), _row("丙", 1)])
    assert not any(r["bottom"] for r in rows) and {r["rank"] for r in rows} == {1}


def test_the_page_and_the_docx_say_the_same_bottom_units(cast, client_for, monkeypatch):
    from docx import Document

    from feidi.accounts import actions as account_actions
    from feidi.accounts.models import Department

    units = [account_actions.do_save_department(Department(name=n, kind="bureau", parent=cast.dept_a),
                                                acting_user=None) for n in ("甲局", "乙局", "丙局")]
    rule = RankingRule.objects.create(department=cast.dept_a, name="月度调度排名", bottom_count=1)
    signings = {"甲局": 3, "乙局": 1, "丙局": 1}

    def measured(rule_, month):
        rows = [_row(u.name, signings.get(u.name)) | {"who": u} for u in units]
        return rows, []

    monkeypatch.setattr(ranking, "measure", measured)
    run = ranking.run(rule, dt.date(2026, 10, 1))
    entries = {e.label: e for e in run.entries.all()}
    assert {k for k, e in entries.items() if e.bottom} == {"乙局", "丙局"} and entries["甲局"].rank == 1
    text = "\n".join(p.text for p in Document(io.BytesIO(run.docx.read())).paragraphs)
    said = text.split("排名第一；")[1].split("排名末位")[0]
    assert sorted(said.split("、")) == ["丙局", "乙局"] and "甲局（第" not in text
    page = client_for("leader").get(run.get_absolute_url()).content.decode()
    assert page.count("末位表态</span>") == 2


# --- 2. one rounding rule ----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "shown"), [
    (D("0.1235"), "12.4%"), (D("0.12345"), "12.3%"), (D("0.123449"), "12.3%"), (0.0125, "1.3%"),
    (D("-0.0125"), "-1.3%"), (D("-0.0004"), "0.0%"), (None, "—"), (D("0.75449604"), "75.4%"),
])
def test_percent_rounds_half_up_once_from_the_exact_ratio(value, shown):
    assert money.percent_text(value) == shown


def test_every_published_rate_uses_the_one_rule():
    assert stats._percent(stats._growth(D("101.25"), D(100))) == "增长1.3%"
    assert stats._percent(stats._growth(D("101.2451"), D(100))) == "增长1.2%"  # not 0.0125 → 1.3
    assert stats._percent(stats._growth(D("98.75"), D(100))) == "下降1.3%"
    assert engine.percent_change(engine.growth_ratio(D("101.25"), D(100))) == "增长1.3%"
    assert engine.percent_change(engine.growth_ratio(D("100.35"), D(100))) == "增长0.4%"
    assert reports._pct(reports._rate(D(1235), D(10000))) == "12.4%"
    assert reports._pct(reports._rate(D(12345), D(100000))) == "12.3%"
    assert reports._rate(D(12345), D(100000)) == 0.123  # stored as printed (the .xlsx 0.0% cell)
    assert reports._rate(D(1), D(0)) is None
    assert ranking.cell("completion", 0.12345) == "12.3%" and ranking.cell("on_time", 0.0125) == "1.3%"
    assert Template("{% load money %}{{ v|percent }}").render(Context({"v": D("0.1235")})) == "12.4%"


# --- 3. the biweekly report of its day -----------------------------------------------------------------

def _key(cast, name="重点项目"):
    return actions.do_save_project(Project(name=name, zone=cast.zone_a, is_key=True, key_level="city",
                                           owner=cast.invest, leader=cast.leader), acting_user=cast.invest)


def test_a_report_counts_the_months_completed_by_its_day(cast):
    from feidi.projects.models import StageGate

    p = _key(cast)
    # signed at the start of 2026: its plan's pace is kept from then on (one in talks keeps none)
    StageGate.objects.all().delete()  # the gates' evidence is not this test's subject
    for stage, on in (("negotiating", dt.date(2026, 1, 2)), ("signed", dt.date(2026, 1, 5))):
        p = actions.do_transition_project(p, stage, acting_user=cast.invest, on=on)
    AnnualPlan.objects.create(project=p, department=p.department, year=2026, planned_investment=D(1200))
    for m in (9, 10, 11):
        MonthlyInvestment.objects.create(project=p, department=p.department, month=dt.date(2026, m, 1),
                                         amount=D(100))
    scope = Project.objects.all()
    for day in (dt.date(2026, 11, 1), dt.date(2026, 11, 15), dt.date(2026, 11, 30)):
        f = reports.biweekly_figures(scope, day)
        assert f["overall"]["done"] == "200.00" and f["months"] == "2026年1–10月", day
        assert "1–10月累计完成投资0.02万元" in reports.overall_text(f)
    assert reports.biweekly_figures(scope, dt.date(2026, 12, 1))["overall"]["done"] == "300.00"
    assert "本年尚无完整月份的完成投资" in reports.overall_text(reports.biweekly_figures(scope, dt.date(2026, 1, 20)))
    # February's pace shortfall names January alone
    AnnualPlan.objects.create(project=p, department=p.department, year=2027, planned_investment=D(1200))
    f = reports.biweekly_figures(scope, dt.date(2027, 2, 10))
    reasons = [x for r in f["red_flags"] for x in r["reasons"]]
    assert any(x.startswith("2027年1月完成投资") for x in reasons) and not any("1–1月" in x for x in reasons)
    # the alert the pace rule raises says the same
    alerts = actions.current_alerts(dt.date(2027, 2, 10))
    pace = [text for (pid, rule, _key), text in alerts.items() if rule == Alert.Rule.PACE and pid == p.pk]
    assert pace and pace[0].startswith("2027年1月完成投资") and "1–1月" not in pace[0]
    # January: no month of the year is complete
    f = reports.biweekly_figures(scope, dt.date(2027, 1, 15))
    assert (f["months"], f["overall"]["done"]) == ("", "0.00")


def test_an_enterprise_without_revenue_has_no_rd_intensity_not_zero():
    from feidi.indicators import mu

    figures = {"land": D(10), "tax": D(5), "revenue": D(0), "value_added": None, "energy": None, "rd": D(3),
               "employees": 4}
    assert mu.metrics(figures)["rd"] is None
    assert mu.metrics({**figures, "revenue": D(300)})["rd"] == D("0.01")


def test_a_back_dated_report_shows_what_was_open_on_its_day(cast):
    p = _key(cast)
    early, late = (dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC), dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    Alert.objects.create(project=p, department=p.department, rule="milestone", subject="1", message="旧预警已解除")
    Alert.objects.create(project=p, department=p.department, rule="milestone", subject="2", message="后来的预警")
    Alert.objects.filter(subject="1").update(raised_at=early, resolved_at=late)
    Alert.objects.filter(subject="2").update(raised_at=late)
    Problem.objects.create(project=p, department=p.department, description="已解决的问题", needs_leadership=True,
                           owner_department=cast.dept_a_bureau, deadline=dt.date(2026, 12, 1), status="solved",
                           solved_on=dt.date(2026, 11, 20))
    Problem.objects.filter(description="已解决的问题").update(created_at=early)
    f = reports.biweekly_figures(Project.objects.all(), dt.date(2026, 11, 15))
    assert [x for r in f["red_flags"] for x in r["reasons"]] == ["旧预警已解除"]
    assert [x["description"] for x in f["leadership"]] == ["已解决的问题"]
    f = reports.biweekly_figures(Project.objects.all(), dt.date(2026, 11, 30))
    assert [x for r in f["red_flags"] for x in r["reasons"]] == ["后来的预警"] and f["leadership"] == []


def test_the_command_refuses_a_future_day_and_no_projects_says_the_year(cast):
    from django.utils import timezone

    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="数据截止日期不能晚于今天"):
        call_command("report", "biweekly", "--date", future, "--department", str(cast.dept_a.pk))
    f = reports.biweekly_figures(Project.objects.none(), dt.date(2026, 12, 1))
    assert reports.overall_text(f) == "截至2026年12月1日，暂无在建或在谈的重点项目。"


# --- 4. the dispatch week across New Year -----------------------------------------------------------------

def test_a_dispatch_week_belongs_to_the_month_of_its_first_day(cast):
    p = _key(cast)
    AnnualPlan.objects.create(project=p, department=p.department, year=2026, planned_investment=D(1000))
    AnnualPlan.objects.create(project=p, department=p.department, year=2027, planned_investment=D(2000))
    MonthlyInvestment.objects.create(project=p, department=p.department, month=dt.date(2026, 12, 1), amount=D(500))
    MonthlyInvestment.objects.create(project=p, department=p.department, month=dt.date(2027, 1, 1), amount=D(30))

    def row(week_start):
        agenda = actions.dispatch_agenda(Dispatch(department=cast.dept_a, week_start=week_start, title="调度"),
                                         Project.objects.all(), today=week_start)
        return agenda, agenda["rows"][0]

    agenda, r = row(dt.date(2026, 12, 28))  # 12-28 … 01-03
    assert (agenda["plan_year"], agenda["through_month"]) == (2026, 12)
    assert (r["plan"], r["completed"], r["rate"]) == (D(1000), D(500), D("0.5"))
    agenda, r = row(dt.date(2027, 1, 4))
    assert (agenda["plan_year"], r["plan"], r["completed"]) == (2027, D(2000), D(30))
    agenda, r = row(dt.date(2026, 12, 21))
    assert (r["plan"], r["completed"]) == (D(1000), D(500))


# --- 5. release labels -------------------------------------------------------------------------------------

def test_the_zone_sentence_names_the_period_as_the_release_does(cast, monkeypatch):
    from feidi.indicators import zones
    from feidi.indicators.models import Indicator

    standing = {"province": None, "city": {"of": 2, "rank": 1, "tied": False}, "kind": ""}
    monkeypatch.setattr(zones, "rankings", lambda *a, **k: standing)
    revenue, staff = Indicator.objects.get(code="revenue"), Indicator.objects.get(code="employees")
    assert zones.sentence(cast.zone_a, revenue, dt.date(2026, 1, 1)).startswith("1月主营业务收入全市第一")
    assert zones.sentence(cast.zone_a, revenue, dt.date(2026, 11, 1)).startswith("1–11月主营业务收入")
    assert zones.sentence(cast.zone_a, staff, dt.date(2026, 11, 1)).startswith("11月从业人员")


# --- 6. 同比 windows over 29 February -----------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "as_of", "window", "shifted"), [
    ("month", dt.date(2029, 2, 28), ("2029-02-01", "2029-02-28"), ("2028-02-01", "2028-02-29")),
    ("ytd", dt.date(2029, 2, 28), ("2029-01-01", "2029-02-28"), ("2028-01-01", "2028-02-29")),
    ("month", dt.date(2028, 2, 29), ("2028-02-01", "2028-02-29"), ("2027-02-01", "2027-02-28")),
    ("month", dt.date(2029, 2, 15), ("2029-02-01", "2029-02-15"), ("2028-02-01", "2028-02-15")),
    ("last3", dt.date(2026, 2, 28), ("2025-12-01", "2026-02-28"), ("2024-12-01", "2025-02-28")),
    ("last3", dt.date(2026, 4, 30), ("2026-02-01", "2026-04-30"), ("2025-02-01", "2025-04-30")),
    ("last3", dt.date(2026, 4, 15), ("2026-01-16", "2026-04-15"), ("2025-01-16", "2025-04-15")),
])
def test_whole_months_shift_to_whole_months(kind, as_of, window, shifted):
    w = stats.window_of(kind, as_of)
    s = w.shifted_year()
    assert (w.start.isoformat(), w.end.isoformat()) == window
    assert (s.start.isoformat(), s.end.isoformat()) == shifted


# --- 7. out-of-range parameters -----------------------------------------------------------------------------

def test_out_of_range_parameters_are_told_not_a_500(cast, client_for):
    c = client_for("leader")
    r = c.get(reverse("core:stats"), {"subject": "projects", "window": "ytd", "as_of": "0001-01-01",
                                      "compare": "yoy"})
    assert r.status_code == 200 and "截止日期“0001-01-01”" in r.content.decode()  # not a date, or out of range
    for url in (reverse("indicators:dashboard"), reverse("indicators:analysis")):
        r = c.get(url, {"period": "0001-01"})
        assert r.status_code == 200 and "超出范围" in r.content.decode(), url
    r = client_for("sysadmin").get(reverse("core:calendaryear_enter"), {"year": "abc", "template": "1"})
    assert r.status_code == 200 and "年度“abc”无效" in r.content.decode()
    r = client_for("sysadmin").get(reverse("core:calendaryear_enter"), {"year": "99999", "template": "1"})
    assert r.status_code == 200
    with pytest.raises(stats.QueryError):  # out of range (or not accepted as a date at all)
        stats.parse({"subject": "projects", "as_of": "2101-01-01"}, cast.leader)
    with pytest.raises(stats.QueryError):  # out of range (or not accepted as a date at all)
        stats.parse({"subject": "projects", "as_of": "1899-12-31"}, cast.leader)


@pytest.mark.parametrize("ratio, said", [
    (D(1) / D(12000) - 1, "下降99.99%"), (D("-0.9995"), "下降99.95%"), (D(-1), "下降100.0%"),
    (D("-0.013"), "下降1.3%"), (D("0.125"), "增长12.5%"), (D("-0.99999999"), "下降99.99%"),
])
def test_a_fall_short_of_the_whole_is_never_said_as_100_percent(ratio, said):
    """From 12,000 to 1 is 下降99.99%: rounded to one place it read 下降100.0%, a figure gone to
    nothing; only a fall to exactly zero is said so."""
    from feidi.lib.money import change_text

    assert change_text(ratio) == said


@pytest.mark.parametrize("value, shown", [(D("0.9999998"), "99.99%"), (D(1), "100.0%"), (D("0.9995"), "99.95%"),
                                          (D("0.123456"), "12.3%"), (D("-0.99999"), "-99.99%"), (None, "—")])
def test_a_rate_short_of_the_whole_is_never_shown_as_100_percent(value, shown):
    """用时较时限压缩 of appeals closed in seconds is 99.99998 %: shown 100.0 % it read as no time
    at all; only the whole itself is 100 %."""
    from feidi.lib.money import percent_text

    assert percent_text(value) == shown


def test_amounts_compared_in_one_sentence_are_in_one_unit():
    """完成投资2,750.00万元，低于进度要求1.38亿元 compared two amounts in two units: a pair is said in
    万元 unless both reach 1亿."""
    from feidi.lib.money import human_together
    from feidi.projects.actions import pace_text

    assert human_together(D("27500000"), D("137500000")) == ["2,750.00万元", "13,750.00万元"]
    assert human_together(D("270000000"), D("137500000")) == ["2.70亿元", "1.38亿元"]
    assert pace_text(dt.date(2026, 12, 7), D("27500000"), D("137500000")) == \
        "2026年1–11月完成投资2,750.00万元，低于进度要求13,750.00万元"
