"""One definition per figure: a ratio's parts on one basis, a window answered as asked or refused,
a money string tested as the amount it spells, last month's follow-up from last month."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.http import QueryDict

from feidi.core import stats
from feidi.indicators.models import IndicatorValue
from feidi.testing.cast import make_org
from tests.test_indicators import put
from tests.test_indicators import year

D = Decimal


# --- 亩均: value added or nothing -------------------------------------------------------------------------

def test_a_firm_without_value_added_is_not_scored_on_revenue_in_its_place(cast, client_for):
    """Three firms alike in every figure they share; one (规下) reports no value added. Revenue
    stood in for it and was averaged with the others' value added into one benchmark: the firm
    without value added took 1.5× on both metrics of value added and an A, the others the D. Now
    those two metrics are blank for it, the benchmarks are over the firms that have them, and its
    other weights are re-scaled to 100: alike, they score alike."""
    from feidi.indicators import mu
    from feidi.indicators.models import MuRule

    small = make_org("规下企业", cast.zone_a)
    no_energy = make_org("未报能耗企业", cast.zone_a)
    common = dict(land=10, tax=1_000_000, revenue=10_000_000, rd=300_000, employees=20)
    year(cast.org_a1, value_added=2_000_000, energy=100, **common)
    year(cast.org_a2, value_added=2_000_000, energy=100, **common)
    year(small, energy=100, **common)  # no value added
    year(no_energy, value_added=2_000_000, **common)  # no energy: that metric scores 0, as before
    rule = MuRule.objects.create(department=cast.dept_a, year=2025)
    results = {r.organization_id: r for r in mu.evaluate(rule)}
    a1, a2, w, z = (results[o.pk] for o in (cast.org_a1, cast.org_a2, small, no_energy))
    assert w.m_energy is None and w.m_labour is None  # blank, not revenue ÷ energy
    assert a1.m_energy == 20_000 and a1.m_labour == 100_000
    # every ratio is 1 against the averages (the benchmarks of value added over the firms with it)
    assert a1.score == a2.score == D("100.00")
    assert w.score == D("100.00")  # (40 + 20 + 15) × 100 / 75, not 140-odd
    assert w.grade == a1.grade
    assert z.score == D("85.00")  # a missing energy figure is not re-scaled: 100 − 15
    page = client_for("leader").get(rule.get_absolute_url()).content.decode()
    assert "未报增加值的企业，单位能耗增加值、全员劳动生产率不参评，其权重按其余指标折算" in page


def test_the_score_rescales_only_the_metrics_of_value_added():
    from feidi.indicators import mu
    from feidi.indicators.models import MuRule

    rule = MuRule(w_tax=40, w_output=20, w_energy=15, w_rd=15, w_labour=10, cap=D("1.5"))
    bench = {"tax": D(1), "output": D(1), "energy": D(1), "rd": D(1), "labour": D(1)}
    f = {"land": D(1), "tax": D(1), "revenue": D(1), "value_added": None, "energy": D(1), "rd": D(0), "employees": D(1)}
    m = mu.metrics(f)
    assert m["energy"] is None and m["labour"] is None
    # tax 40 + output 20 + rd 0 = 60 over weights 75
    assert mu.score(rule, f, m, bench) == D("80.00")
    with_added = {**f, "value_added": D(1)}
    assert mu.score(rule, with_added, mu.metrics(with_added), bench) == D("85.00")


# --- 研发投入强度: both parts before 飞地利益共享 ----------------------------------------------------------------

def test_rd_intensity_divides_rd_by_the_revenue_of_the_same_enterprises_before_sharing(cast):
    """An agreement moves 30 % of a zone-A enterprise's revenue to the enclave and none of its R&D:
    the zone's intensity is its enterprises' R&D over their own revenue (70 ÷ 2,000), not over
    the revenue left after sharing (70 ÷ 1,700)."""
    from feidi.indicators import dashboard
    from feidi.indicators.models import BenefitShare
    from feidi.registry.models import Agreement

    agreement = Agreement.objects.create(title="飞地协议", party_a="上饶市", party_b="松江区", signed_on=dt.date(2024, 5, 1),
                                         output_share_a=D(70), tax_share_a=D(60), department=cast.dept_a)
    shared = make_org("飞地共享企业", cast.zone_a)
    BenefitShare.objects.create(agreement=agreement, organization=shared, home_zone=cast.zone_a,
                                enclave_zone=cast.enclave, output_share_home=D(70), tax_share_home=D(60),
                                since=dt.date(2025, 1, 1), department=cast.dept_a)
    for org, revenue, rd in ((cast.org_a1, 1000, 30), (shared, 1000, 40)):
        put(org, "revenue", 2026, 3, revenue)
        put(org, "rd", 2026, 3, rd)
    values = IndicatorValue.objects.visible_to(cast.leader)
    data = dashboard.figures(cast.leader, values, dt.date(2026, 3, 1), brief=True)
    revenue = next(c for c in data["cards"] if c["indicator"].code == "revenue")
    assert revenue["total"] == 1700  # the card stays after sharing
    assert data["rd_intensity"] == pytest.approx(70 / 2000)


def test_rd_intensity_has_no_value_without_revenue():
    from feidi.indicators import dashboard
    from feidi.indicators.engine import Row

    def row(total, shared=0):
        return Row(key=None, label="", total=D(total), count=1, comparable_now=D(total), comparable_before=D(0),
                   comparable_count=0, shared=D(shared))

    assert dashboard.rd_intensity(row(10), row(300, shared=-100)) == D(10) / D(400)
    assert dashboard.rd_intensity(row(10), row(0)) is None
    assert dashboard.rd_intensity(None, row(300)) is None


# --- 半月专报: a plan of 0.00 is no plan ---------------------------------------------------------------------

def test_a_year_without_plans_says_so_though_its_figures_spell_zero():
    from feidi.projects import reports

    overall = {"count": 2, "planned": "50000000.00", "plan": "0.00", "done": "1200000.00", "rate": None,
               "started": 1, "started_rate": 0.5, "red_flags": 0, "leadership": 0}
    figures = {"as_of": "2027-03-10", "year": 2027, "months": "2027年1–2月", "overall": overall}
    text = reports.overall_text(figures)
    assert "2027年度计划投资尚未填报" in text and "年度计划投资0.00" not in text
    assert "1–2月累计完成投资120.00万元" in text and "完成年度计划的" not in text
    planned = reports.overall_text({**figures, "overall": {**overall, "plan": "2400000.00", "rate": 0.5}})
    assert "2027年度计划投资240.00万元" in planned and "完成年度计划的50.0%" in planned


# --- 月调度: 上月 is the month before ----------------------------------------------------------------------

def test_the_follow_up_names_last_months_bottom_units_never_an_older_runs(cast):
    from docx import Document

    from feidi.indicators import ranking
    from feidi.indicators.models import RankingEntry
    from feidi.indicators.models import RankingRule
    from feidi.indicators.models import RankingRun

    rule = RankingRule.objects.create(department=cast.dept_a, name="月度调度排名", bottom_count=1)

    def past(month, label):
        run = RankingRun.objects.create(rule=rule, department=cast.dept_a, month=month)
        RankingEntry.objects.create(run=run, label=label, score=0, rank=3, bottom=True)
        return run

    def text(run):
        run.refresh_from_db()
        return "\n".join(p.text for p in Document(io.BytesIO(run.docx.read())).paragraphs)

    past(dt.date(2026, 6, 1), "六月末位局")
    october = ranking.run(rule, dt.date(2026, 10, 1))
    assert ranking.previous_run(october) is None
    said = text(october)
    assert "六月末位局" not in said and "9月未进行排名" in said
    september = past(dt.date(2026, 9, 1), "九月末位局")
    october = ranking.run(rule, dt.date(2026, 10, 1))
    assert ranking.previous_run(october) == september
    said = text(october)
    assert "九月末位局" in said and "六月末位局" not in said
    # January follows December of the year before
    december = past(dt.date(2026, 12, 1), "十二月末位局")
    assert ranking.previous_run(ranking.run(rule, dt.date(2027, 1, 1))) == december


# --- 统计查询 经济指标: the window asked, or a refusal ----------------------------------------------------------

def ask(user, query):
    return stats.evaluate(stats.parse(QueryDict(query), user, today=dt.date(2026, 12, 1)), user)


def test_economic_indicators_answer_the_month_as_its_own_figure_and_refuse_other_windows(cast):
    for org, months in ((cast.org_a1, ((2025, 9, 900), (2025, 10, 1000), (2026, 9, 1080), (2026, 10, 1200))),
                        (cast.org_a2, ((2025, 9, 450), (2025, 10, 500), (2026, 9, 495), (2026, 10, 550)))):
        for y, m, value in months:
            put(org, "revenue", y, m, value)
    cumulative = ask(cast.leader, "subject=indicators&window=ytd&compare=yoy&as_of=2026-10-31")
    assert (cumulative.period, cumulative.figures[0].value) == ("2026年1–10月", 1750)
    month = ask(cast.leader, "subject=indicators&window=month&compare=yoy&as_of=2026-10-31")
    # 当月: (1200 − 1080) + (550 − 495) = 175, a year earlier (1000 − 900) + (500 − 450) = 150
    assert (month.period, month.figures[0].value, month.previous[0].value) == ("2026年10月", 175, 150)
    assert month.growth == pytest.approx(D(175) / D(150) - 1, abs=D("0.0001"))
    assert month.sentence.startswith("2026年10月，") and "主营业务收入当月0.02万元，同比增长16.7%" in month.sentence
    by_zone = ask(cast.leader, "subject=indicators&window=month&by=zone&as_of=2026-10-31")
    assert [g.figures[0].value for g in by_zone.groups] == [175]
    assert ask(cast.leader, "subject=indicators&window=all&as_of=2026-10-31").figures[0].value == 1750
    for window in ("last3", "last6", "last12", "year", "day"):
        with pytest.raises(stats.QueryError, match="年初至今.*当月"):
            ask(cast.leader, f"subject=indicators&window={window}&as_of=2026-10-31")
    with pytest.raises(stats.QueryError, match="年初至今.*当月"):
        ask(cast.leader, "subject=indicators&window=range&start=2026-08-01&end=2026-10-31")
    with pytest.raises(stats.QueryError):
        ask(cast.leader, "subject=indicators&window=ytd&within=last3&as_of=2026-10-31")
