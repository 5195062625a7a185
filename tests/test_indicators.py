"""Economic monitoring: monthly from cumulative, 同比 on a comparable basis, reporting checks,
all-or-nothing import with confirmed warnings, and the pages from the outside."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feidi.core.models import DictItem
from feidi.core.models import ImportJob
from feidi.indicators import actions
from feidi.indicators import engine
from feidi.indicators.models import Indicator
from feidi.indicators.models import IndicatorValue
from feidi.registry.models import OrganizationLabel
from feidi.testing.cast import make_org

D = Decimal


def ind(code) -> Indicator:
    return Indicator.objects.get(code=code)


def put(org, code, year, month, value):
    actions.bulk_upsert([actions._row(org, ind(code), dt.date(year, month, 1), D(value), acting_user=None,
                                      source="import")])


def above_scale(org, since, until=None):
    OrganizationLabel.objects.create(organization=org, label=DictItem.objects.get(type__code="org_label",
                                                                                  code="above_scale"),
                                     since=since, until=until, department=org.department)


# --- computation ------------------------------------------------------------------------------------

def test_monthly_from_cumulative_across_a_year_boundary():
    cum = {dt.date(2025, 11, 1): D(1100), dt.date(2025, 12, 1): D(1200), dt.date(2026, 1, 1): D(150),
           dt.date(2026, 2, 1): D(260), dt.date(2026, 4, 1): D(500)}
    monthly = engine.monthly_from_cumulative(cum)
    assert monthly[dt.date(2025, 12, 1)] == 100
    assert monthly[dt.date(2026, 1, 1)] == 150  # January is its own cumulative, not 150 − 1200
    assert monthly[dt.date(2026, 2, 1)] == 260  # the 1–2月 release: January is not subtracted
    assert monthly[dt.date(2026, 4, 1)] is None  # March missing: the difference would span two months
    assert monthly[dt.date(2025, 11, 1)] is None  # October unknown
    assert engine.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert engine.add_months(dt.date(2025, 12, 1), 1) == dt.date(2026, 1, 1)


def test_yoy_on_a_comparable_basis_with_enterprises_entering_and_leaving_scope(cast):
    a, b, c, d = cast.org_a1, cast.org_a2, make_org("丙离库企业", cast.zone_a), make_org("丁新投产企业", cast.zone_a)
    above_scale(a, dt.date(2020, 1, 1))
    above_scale(b, dt.date(2026, 1, 1))  # enters scope this year; reported last year too
    above_scale(c, dt.date(2020, 1, 1), until=dt.date(2025, 12, 31))  # left scope
    above_scale(d, dt.date(2026, 2, 1))  # new, nothing a year ago
    for org, was, now in ((a, 100, 120), (b, 50, 80), (c, 70, 60)):
        put(org, "value_added", 2025, 3, was)
        put(org, "value_added", 2026, 3, now)
    put(d, "value_added", 2026, 3, 40)
    values = IndicatorValue.objects.all()
    total = engine.yoy(values, ind("value_added"), dt.date(2026, 3, 1))[0]
    assert total.total == 240 and total.count == 3  # A + B + D; C has left scope
    # S = {A, B, D}: D, new, counts 0 a year ago; B counts its value from before it entered 规上
    assert (total.comparable_now, total.comparable_before, total.comparable_count) == (240, 150, 2)
    assert total.growth == pytest.approx(240 / 150 - 1)
    # last year's set (A and C then) would have given 240/170 − 1: the comparable basis differs
    last_year = engine.yoy(values, ind("value_added"), dt.date(2025, 3, 1))[0]
    assert last_year.total == 170 and last_year.growth is None
    # revenue counts every reporting enterprise, whatever its label
    for org, was, now in ((a, 1000, 1100), (c, 500, 400)):
        put(org, "revenue", 2025, 3, was)
        put(org, "revenue", 2026, 3, now)
    rev = engine.yoy(values, ind("revenue"), dt.date(2026, 3, 1))[0]
    assert (rev.total, rev.growth) == (1500, pytest.approx(1500 / 1500 - 1))


def test_groupings_by_zone_and_by_chain(cast):
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember

    chain = Chain.objects.create(name="光伏", department=cast.dept_a)
    seg = Segment.objects.create(chain=chain, name="组件", department=cast.dept_a)
    SegmentMember.objects.create(segment=seg, organization=cast.org_a1, department=cast.dept_a)
    put(cast.org_a1, "revenue", 2026, 3, 300)
    put(cast.org_a2, "revenue", 2026, 3, 100)
    put(cast.org_b1, "revenue", 2026, 3, 600)
    values = IndicatorValue.objects.all()
    by_zone = {r.label: r.total for r in engine.yoy(values, ind("revenue"), dt.date(2026, 3, 1), "zone")}
    assert by_zone == {"另一园区": 600, "上饶经开区": 400}
    cells = {r.key: r.total for r in engine.yoy(values, ind("revenue"), dt.date(2026, 3, 1), "zone_industry")}
    assert cells == {(cast.zone_b.pk, "38"): 600, (cast.zone_a.pk, "38"): 400}
    assert [(r.label, r.total) for r in engine.yoy(values, ind("revenue"), dt.date(2026, 3, 1), "chain")] == [
        ("光伏", 300)]
    # the chain map reads measured output
    from feidi.chains import gaps

    row = next(r for r in gaps.analyse(chain, cast.leader) if r["segment"] == seg)
    assert row["output"] == 300 and row["sources"] == ["指标"]


# --- reporting ---------------------------------------------------------------------------------------

def month_values(**values):
    return {ind(code): (None if v is None else D(v)) for code, v in values.items()}


def test_reporting_refuses_errors_and_asks_to_confirm_a_jump(cast):
    org = cast.org_a1
    march = dt.date(2026, 3, 1)
    base = dict(revenue="1000", tax="100", employees="200")
    actions.report_month(org, dt.date(2026, 1, 1), month_values(revenue="500", tax="50", employees="200"),
                         acting_user=cast.ent_a)
    actions.report_month(org, dt.date(2026, 2, 1), month_values(revenue="1000", tax="100", employees="200"),
                         acting_user=cast.ent_a)
    with pytest.raises(ValidationError) as err:
        actions.report_month(org, march, month_values(**{**base, "revenue": "900", "tax": "-1", "employees": None}),
                             acting_user=cast.ent_a)
    assert set(err.value.message_dict) == {"revenue", "tax", "employees"}
    assert "累计值不能小于上月累计" in err.value.message_dict["revenue"][0]
    assert not IndicatorValue.objects.filter(period=march).exists()
    # February's own figure was 500; March's 2,600 is a jump of 420 %
    result = actions.report_month(org, march, month_values(**{**base, "revenue": "3600"}), acting_user=cast.ent_a)
    assert set(result.warnings) == {"revenue"} and result.saved == 0
    assert not IndicatorValue.objects.filter(period=march).exists()
    result = actions.report_month(org, march, month_values(**{**base, "revenue": "3600"}), acting_user=cast.ent_a,
                                  confirm=True)
    assert result.saved == 3
    saved = IndicatorValue.objects.get(period=march, indicator__code="revenue")
    assert saved.value == 3600 and "请核实" in saved.confirmed_warning and saved.zone_id == cast.zone_a.pk
    assert "当月增长420.0%（上月500，本月2600）" in saved.confirmed_warning
    with pytest.raises(PermissionDenied):
        actions.report_month(cast.org_a2, march, month_values(**base), acting_user=cast.ent_a)
    with pytest.raises(ValidationError):
        actions.report_month(org, dt.date(2099, 1, 1), month_values(**base), acting_user=cast.ent_a)


def test_editing_an_earlier_month_cannot_exceed_the_next_cumulative(cast):
    org = cast.org_a1
    put(org, "revenue", 2026, 2, 1000)
    put(org, "revenue", 2026, 3, 1500)
    with pytest.raises(ValidationError, match="不能大于下月已报累计"):
        actions.report_month(org, dt.date(2026, 2, 1), month_values(revenue="1600", tax="1", employees="1"),
                             acting_user=None, confirm=True)


def test_the_enterprise_reports_its_month_on_the_page(cast, client_for):
    c = client_for("ent_a")
    page = c.get(reverse("indicators:report"), {"period": "2026-03"})
    assert page.status_code == 200 and "甲光伏科技有限公司" in page.content.decode()
    r = c.post(reverse("indicators:report"), {"period": "2026-03", "v_revenue": "1,250,000", "v_tax": "80000",
                                              "v_employees": "120"})
    assert r.status_code == 302
    assert IndicatorValue.objects.get(organization=cast.org_a1, indicator__code="revenue").value == 1250000
    # months, not values (three indicators of one month)
    assert "已填报 1 个月" in c.get(reverse("indicators:report"), {"period": "2026-04"}).content.decode()
    r = c.post(reverse("indicators:report"), {"period": "2026-04", "v_revenue": "abc"})
    assert "不是数字" in r.content.decode()
    # another enterprise's record cannot be reached
    r = c.post(reverse("indicators:report"), {"org": cast.org_a2.pk, "period": "2026-03", "v_revenue": "1",
                                              "v_tax": "1", "v_employees": "1"})
    assert not IndicatorValue.objects.filter(organization=cast.org_a2).exists()


# --- import --------------------------------------------------------------------------------------------

def sheet(rows, header=("统一社会信用代码", "企业名称", "月份", "主营业务收入(元)", "税收(元)", "从业人员(人)")) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet()
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is not None:
                ws.write_string(r, c, v) if c < 3 else ws.write(r, c, v)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def statistician(cast):
    from feidi.accounts.models import Role

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    return cast.clerk


def upload(client, data, **extra):
    return client.post(reverse("indicators:import"), {"file": SimpleUploadedFile("指标.xlsx", data), **extra})


def test_an_import_with_one_bad_row_stores_nothing(cast, client_for, statistician):
    a1, a2 = cast.org_a1.uscc, cast.org_a2.uscc
    bad = sheet([[a1, "", "2026-01", 100, 10, 5], [a1, "", "2026-02", 90, 10, 5],  # cumulative falls
                 [a2, "", "2026年1月", 100, -3, 5],  # negative
                 ["91360000MA00000000", "", "2026-01", 1, 1, 1],  # unknown
                 [cast.org_b1.uscc, "", "2026-01", 1, 1, 1],  # another zone's enterprise
                 [a2, "", "2026-13", 1, 1, 1], [a2, "", "2026-01", 1, 1, 1]])  # bad month, duplicate
    c = client_for("clerk")
    page = upload(c, bad).content.decode()
    assert not IndicatorValue.objects.exists()
    import re

    rows = {int(n) for n in re.findall(r"第 (\d+) 行", page)}
    assert rows == {2, 3, 4, 5, 6, 7, 8}, rows  # a falling cumulative flags both of its months
    assert "累计值不能小于上月累计" in page and "数值不能为负" in page and "不在您的管理范围" in page
    good = sheet([[a1, "", "2026-01", 100, 10, 5], [a1, "", "2026-02", 210, 20, 5], [a2, "", "202601", 300, 30, 9]])
    assert upload(c, good).status_code == 302
    assert IndicatorValue.objects.count() == 9
    assert IndicatorValue.objects.get(organization=cast.org_a1, indicator__code="revenue",
                                      period=dt.date(2026, 2, 1)).source == "import"


def test_an_import_with_warnings_waits_for_confirmation(cast, client_for, statistician):
    a1 = cast.org_a1.uscc
    jumpy = sheet([[a1, "", "2026-01", 100, 10, 5], [a1, "", "2026-02", 1000, 20, 5]])
    c = client_for("clerk")
    page = upload(c, jumpy).content.decode()
    assert "确认导入" in page and not IndicatorValue.objects.exists()
    job = ImportJob.objects.get()
    assert job.status == "awaiting" and job.warning_count >= 1
    # only its uploader may confirm it
    assert client_for("other_clerk").post(reverse("indicators:import"), {"job": job.pk}).status_code in (403, 404)
    assert client_for("other_clerk").post(job.get_absolute_url()).status_code in (403, 404)
    r = c.post(reverse("indicators:import"), {"job": job.pk})
    assert r.status_code == 302 and IndicatorValue.objects.count() == 6
    job.refresh_from_db()
    assert job.status == "done" and job.confirmed
    assert IndicatorValue.objects.get(indicator__code="revenue", period=dt.date(2026, 2, 1)).confirmed_warning


def test_a_name_that_is_not_the_codes_enterprise_waits_for_confirmation(cast, client_for, statistician):
    """企业名称 is checked against the enterprise the code finds: a row pasted from another
    company's line is a warning to confirm (full-width punctuation and spaces aside), not values
    silently written to the wrong enterprise; the right name, or none, passes."""
    a1, a2 = cast.org_a1, cast.org_a2
    mixed = sheet([[a1.uscc, a2.name, "2026-01", 100, 10, 5],
                   [a2.uscc, " " + a2.name.replace("(", "（").replace(")", "）") + " ", "2026-01", 100, 10, 5],
                   [a2.uscc, "", "2026-02", 200, 20, 5]])
    c = client_for("clerk")
    page = upload(c, mixed).content.decode()
    assert "确认导入" in page and not IndicatorValue.objects.exists()
    job = ImportJob.objects.get()
    assert job.status == "awaiting" and job.warning_count == 1
    assert job.warnings[0]["row"] == 2 and f"对应的企业“{a1.name}”不一致" in job.warnings[0]["message"]
    assert c.post(reverse("indicators:import"), {"job": job.pk}).status_code == 302
    assert IndicatorValue.objects.filter(organization=a1).count() == 3


def test_a_file_carries_only_the_indicators_it_has_columns_for(cast, client_for, statistician):
    response = upload(client_for("clerk"), sheet([[cast.org_a1.uscc, "", "2026-01", 1]],
                                                 header=("统一社会信用代码", "企业名称", "月份", "主营业务收入(元)")))
    assert response.status_code == 302
    assert list(IndicatorValue.objects.values_list("indicator__code", flat=True)) == ["revenue"]


# --- pages ------------------------------------------------------------------------------------------------

def test_the_dashboard_and_analysis_show_the_zone(cast, client_for):
    above_scale(cast.org_a1, dt.date(2020, 1, 1))
    for org, was, now in ((cast.org_a1, 1000, 1200), (cast.org_a2, 500, 550), (cast.org_b1, 9000, 9900)):
        for year, v in ((2025, was), (2026, now)):
            put(org, "revenue", year, 1, v // 3)
            put(org, "revenue", year, 2, v)
    c = client_for("leader")
    page = c.get(reverse("indicators:dashboard")).content.decode()
    assert "数据截至 2026年2月" in page and "+16.7%" in page  # (1200+550)/(1000+500) − 1
    assert "规上" in page
    export = c.get(reverse("indicators:dashboard"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd")
    analysis = c.get(reverse("indicators:analysis"), {"indicator": "revenue", "by": "zone", "period": "2026-02"})
    text = analysis.content.decode()
    assert "上饶经开区" in text and "另一园区" not in text
    body = c.get("/api/v1/indicators/yoy", {"indicator": "revenue", "period": "2026-02", "by": "total"}).json()
    assert D(body["rows"][0]["total"]) == 1750 and body["release"] == "2026年1–2月"
    assert D(body["rows"][0]["month_value"]) == 1750  # 1–2月: the cumulative itself
    assert body["sentence"].startswith("2026年1–2月，全部企业主营业务收入") and "同比增长16.7%" in body["sentence"]
    assert client_for("other_clerk").get("/api/v1/indicators/yoy").status_code == 403


# --- 亩均效益 ----------------------------------------------------------------------------------------------

def year(org, **values):
    """A year's December cumulative figures (and the same staff every month)."""
    for code, value in values.items():
        if code == "employees":
            for m in range(1, 13):
                put(org, "employees", 2025, m, value)
        else:
            put(org, code, 2025, 12, value)


def test_mu_classes_for_a_worked_example(cast, client_for):
    from feidi.indicators import mu
    from feidi.indicators.models import MuResult
    from feidi.indicators.models import MuRule
    from feidi.registry.models import Organization

    x, y, z, w = cast.org_a1, cast.org_a2, make_org("小用地企业", cast.zone_a), make_org("非规上企业", cast.zone_a)
    year(x, land=10, tax=1_500_000, revenue=30_000_000, value_added=6_000_000, energy=200, rd=900_000, employees=10)
    year(y, land=20, tax=1_000_000, revenue=20_000_000, value_added=4_000_000, energy=400, rd=200_000, employees=40)
    year(z, land=4, tax=9_000_000, revenue=90_000_000, rd=0, employees=5)  # below the 5-mu threshold
    year(w, land=8, tax=800_000, revenue=16_000_000, energy=800, rd=480_000, employees=32)  # no value added
    put(cast.org_b1, "land", 2025, 12, 50)  # zone B: not in zone A's evaluation
    put(cast.org_b1, "revenue", 2025, 12, 1)
    target = make_org("招商目标企业", None)  # recorded by zone A, in no park: neither graded nor 未参评
    Organization.objects.filter(pk=target.pk).update(department=cast.dept_a)
    rule = MuRule.objects.create(department=cast.dept_a, year=2025, b_tax=100_000, b_output=2_000_000,
                                 b_energy=20_000, b_rd=D("0.03"), b_labour=500_000)
    results = {r.organization_id: r for r in mu.evaluate(rule)}
    assert set(results) == {x.pk, y.pk, w.pk}
    # by hand, weights 40/20/15/15/10, each ratio capped at 1.5:
    # X: 亩均税收 150,000 → 1.5×40 = 60; 亩均营收 3,000,000 → 1.5×20 = 30; 能耗增加值 30,000 → 1.5×15 = 22.5;
    #    研发强度 3 % → 1×15 = 15; 劳动生产率 600,000 → 1.2×10 = 12                      = 139.5 → A
    # Y: 50,000 → 20; 1,000,000 → 10; 10,000 → 7.5; 1 % → 5; 100,000 → 2                   = 44.5 → D
    # W (no value added: 单位能耗增加值 and 全员劳动生产率 not scored, revenue never stands in; the
    #    other weights re-scaled to 100): 100,000 → 40; 2,000,000 → 20; 3 % → 15 = 75 × 100/75 = 100 → B
    assert (results[x.pk].score, results[x.pk].grade) == (D("139.50"), "A")
    assert (results[y.pk].score, results[y.pk].grade) == (D("44.50"), "D")
    assert (results[w.pk].score, results[w.pk].grade) == (D("100.00"), "B")
    assert results[x.pk].m_tax == 150_000 and results[x.pk].m_energy == 30_000
    assert results[w.pk].m_energy is None and results[w.pk].m_labour is None
    # re-running replaces, never duplicates
    mu.evaluate(rule)
    assert MuResult.objects.filter(rule=rule).count() == 3
    # who was not graded, and why, is part of the result (the zone's other enterprises have no land)
    zone_a = mu.enterprises(rule)
    assert not zone_a.filter(pk=target.pk).exists()
    left = {why: (n, names) for why, n, names in mu.not_evaluated(rule, zone_a)}
    assert left["用地面积不足5亩"][0] == 1 and sum(n for n, _ in left.values()) == zone_a.count() - 3
    small = left["用地面积不足5亩"][1][0]
    assert all(len(names) == n for n, names in left.values())
    assert not {o.pk for _n, names in left.values() for o in names} & {x.pk, w.pk}
    assert "用地面积不足5亩" not in {why for why, _n, _names in mu.not_evaluated(rule, Organization.objects.filter(pk=x.pk))}
    page = client_for("leader").get(rule.get_absolute_url()).content.decode()
    assert "家企业未参评" in page and "用地面积不足5亩 1" in page
    assert small.name in page and small.get_absolute_url() in page  # the names behind the count, linked


def test_mu_ratios_of_extreme_but_valid_figures_are_stored(cast, client_for):
    """A ratio of figures each within its column can pass the column a ratio had (1 元 of revenue,
    5,000,000 元 of R&D: an intensity of 5,000,000 where 999,999.999999 fitted; the largest tax on
    the smallest plot): the evaluation stores it on both databases and the page shows it, instead
    of a numeric overflow that failed the whole evaluation on PostgreSQL."""
    from feidi.indicators import mu
    from feidi.indicators.models import MuRule

    year(cast.org_a1, land=D("5"), tax=D("9999999999999"), revenue=1, rd=5_000_000, energy=D("0.0001"),
         value_added=D("9999999999999"), employees=1)
    rule = MuRule.objects.create(department=cast.dept_a, year=2025, land_threshold=1)
    result = {r.organization_id: r for r in mu.evaluate(rule)}[cast.org_a1.pk]
    result.refresh_from_db()
    assert result.m_rd == 5_000_000 and result.m_energy == D("99999999999990000")
    assert result.m_tax == D("1999999999999.8")
    assert client_for("leader").get(rule.get_absolute_url()).status_code == 200


def test_mu_benchmarks_default_to_the_average_and_the_enterprise_sees_its_own(cast, client_for):
    from feidi.indicators import mu
    from feidi.indicators.models import MuRule

    year(cast.org_a1, land=10, tax=1_000_000, revenue=10_000_000, value_added=10_000_000, rd=300_000, employees=10,
         energy=100)
    year(cast.org_a2, land=10, tax=3_000_000, revenue=30_000_000, value_added=30_000_000, rd=900_000, employees=30,
         energy=300)
    rule = MuRule.objects.create(department=cast.dept_a, year=2025)
    results = {r.organization_id: r for r in mu.evaluate(rule)}
    # averages: 亩均税收 200,000 — A1 at 0.5, A2 at 1.5 (the cap)
    assert results[cast.org_a1.pk].score < results[cast.org_a2.pk].score
    page = client_for("ent_a").get(reverse("indicators:muresult_list")).content.decode()
    assert "甲光伏科技有限公司" in page and "乙锂电材料有限公司" not in page
    assert client_for("leader").get(rule.get_absolute_url()).status_code == 200
    # the result's page shows its figures as the list does: 万元, 万元/亩, %, never stored digits
    detail = client_for("ent_a").get(results[cast.org_a1.pk].get_absolute_url())
    shown = {f["name"]: (f["label"], f["value"]) for f in detail.context["fields"]}
    assert shown["m_tax"] == ("亩均税收（万元/亩）", "10.00") and shown["m_rd"] == ("研发强度", "3.00%")
    assert shown["tax"] == ("税收", "100.00万元") and shown["revenue"][1] == "1,000.00万元"
    assert shown["m_labour"] == ("全员劳动生产率", "100.00万元/人") and shown["employees"][1] == "10.00"
    assert shown["energy"][1] == "100.00"  # four stored places shown as two
    with pytest.raises(ValidationError):
        MuRule(department=cast.dept_a, year=2024, w_tax=50).full_clean()


# --- zone rankings ------------------------------------------------------------------------------------------

def test_zone_rankings_within_the_city_and_among_the_provinces_zones_of_the_same_kind(cast, client_for):
    from feidi.indicators import zones
    from feidi.indicators.models import ZoneFigure
    from feidi.registry.actions import do_save_zone
    from feidi.registry.models import Zone

    national = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
    provincial = DictItem.objects.get(type__code="zone_kind", code="provincial_zone")
    nanchang = do_save_zone(Zone(name="南昌经开区", kind=national, host_region="江西省南昌市"), acting_user=None)
    ganzhou = do_save_zone(Zone(name="赣州经开区", kind=national, host_region="江西省赣州市"), acting_user=None)
    local = do_save_zone(Zone(name="上饶某省级园区", kind=provincial, host_region="江西省上饶市"), acting_user=None)
    zhejiang = do_save_zone(Zone(name="外省经开区", kind=national, host_region="浙江省杭州市"), acting_user=None)
    march = dt.date(2026, 3, 1)
    revenue = ind("revenue")
    for zone, value, growth in ((nanchang, "9000", "0.05"), (ganzhou, "500", "0.20"), (local, "5000", None),
                                (zhejiang, "99999", "0.5")):
        ZoneFigure.objects.create(zone=zone, indicator=revenue, period=march, value=D(value),
                                  growth=None if growth is None else D(growth))
    # zone A from its enterprises: 1,200 now, 1,000 a year ago (+20 %… tied with 赣州) ; zone B: 700, +40 %
    put(cast.org_a1, "revenue", 2025, 3, 1000)
    put(cast.org_a1, "revenue", 2026, 3, 1200)
    put(cast.org_b1, "revenue", 2025, 3, 500)
    put(cast.org_b1, "revenue", 2026, 3, 700)
    r = zones.rankings(cast.zone_a, revenue, march)
    # the province's national zones: 南昌 9000, A 1200, B 700, 赣州 500 (浙江 and the provincial zone left out)
    assert (r["province"]["rank"], r["province"]["of"]) == (2, 4)
    assert r["province"]["growth_rank"] == 2  # B +40 %, then A and 赣州 at +20 %
    # the city: 省级园区 5000, A 1200, B 700
    assert (r["city"]["rank"], r["city"]["of"]) == (2, 3)
    text = zones.sentence(cast.zone_a, revenue, march)
    assert text == "1–3月主营业务收入总量位居全省国家级经开区第二（共4个）、增速并列第二，全市第二（共3个）"
    assert zones.region_keys(Zone(host_region="上海市松江区")) == ("上海市", "上海市")
    assert zones.region_keys(Zone(region_code="361100", host_region="")) == ("36", "3611")
    page = client_for("leader").get(reverse("indicators:dashboard"), {"period": "2026-03"}).content.decode()
    assert "总量位居全省国家级经开区第二" in page


# --- 飞地利益共享 --------------------------------------------------------------------------------------------

def test_enclave_benefit_sharing_splits_output_and_tax_between_the_two_sides(cast, client_for):
    from feidi.indicators.models import BenefitShare
    from feidi.registry.models import Agreement

    agreement = Agreement.objects.create(title="沪饶科创飞地合作协议", party_a="上饶市", party_b="松江区",
                                         signed_on=dt.date(2024, 5, 1), output_share_a=D(70), tax_share_a=D(50),
                                         department=cast.dept_a)
    # an enterprise reporting in the enclave (zone = the enclave), counted 70 % at home for output
    incubated = make_org("飞地孵化企业", cast.enclave)
    BenefitShare.objects.create(agreement=agreement, organization=incubated, home_zone=cast.zone_a,
                                enclave_zone=cast.enclave, output_share_home=D(70), tax_share_home=D(50),
                                since=dt.date(2025, 1, 1), department=cast.dept_a)
    put(incubated, "revenue", 2025, 3, 1000)
    put(incubated, "revenue", 2026, 3, 2000)
    put(incubated, "tax", 2026, 3, 100)
    put(cast.org_a1, "revenue", 2025, 3, 500)
    put(cast.org_a1, "revenue", 2026, 3, 600)
    values = IndicatorValue.objects.all()
    zones = {r.key: r for r in engine.yoy(values, ind("revenue"), dt.date(2026, 3, 1), "zone")}
    home, enclave = zones[cast.zone_a.pk], zones[cast.enclave.pk]
    assert (home.total, home.shared) == (600 + 1400, 1400)
    assert (enclave.total, enclave.shared) == (600, -1400)
    # the growth moves the same share of last year's value: (600 + 1400) / (500 + 700) − 1
    assert home.growth == pytest.approx(2000 / 1200 - 1)
    assert home.total + enclave.total == 2600  # nothing created or lost
    tax = {r.key: r.total for r in engine.yoy(values, ind("tax"), dt.date(2026, 3, 1), "zone")}
    assert tax == {cast.zone_a.pk: 50, cast.enclave.pk: 50}
    # before the agreement applies nothing moves
    BenefitShare.objects.update(since=dt.date(2026, 4, 1))
    assert {r.key: r.total for r in engine.yoy(values, ind("revenue"), dt.date(2026, 3, 1), "zone")} == {
        cast.zone_a.pk: 600, cast.enclave.pk: 2000}


def test_a_card_set_read_at_once_gives_each_indicators_own_figures(cast, django_assert_max_num_queries):
    """``yoy_each`` (the dashboard's and the cockpit's cards: one grouped read of the cells for all
    their indicators) gives what ``yoy`` gives each indicator alone — with a 规上-only indicator,
    an enclave's shared enterprise, every grouping and the scopes of all rows, of either zone and
    of an enterprise (whose rows the cells cannot answer)."""
    from feidi.indicators.models import BenefitShare
    from feidi.registry.models import Agreement

    agreement = Agreement.objects.create(title="飞地协议", party_a="上饶市", party_b="松江区", signed_on=dt.date(2024, 5, 1),
                                         output_share_a=D(70), tax_share_a=D(50), department=cast.dept_a)
    incubated = make_org("飞地孵化企业", cast.enclave)
    BenefitShare.objects.create(agreement=agreement, organization=incubated, home_zone=cast.zone_a,
                                enclave_zone=cast.enclave, output_share_home=D(70), tax_share_home=D(50),
                                since=dt.date(2025, 1, 1), department=cast.dept_a)
    above_scale(cast.org_a1, dt.date(2020, 1, 1))
    Indicator.objects.filter(code="rd").update(above_scale_only=True)
    for org, base in ((cast.org_a1, 1000), (cast.org_a2, 300), (cast.org_b1, 700), (incubated, 2000)):
        for code in ("revenue", "tax", "rd"):
            put(org, code, 2025, 3, base)
            put(org, code, 2026, 3, base * 2 if org != cast.org_a2 else base)
    indicators = [ind(code) for code in ("revenue", "tax", "rd", "value_added")]
    march = dt.date(2026, 3, 1)
    scopes = {"all": IndicatorValue.objects.all, "zone A": lambda: IndicatorValue.objects.visible_to(cast.leader),
              "zone B": lambda: IndicatorValue.objects.visible_to(cast.other_clerk),
              "enterprise": lambda: IndicatorValue.objects.visible_to(cast.ent_a)}
    for scope, values in scopes.items():
        for by in ("total", "zone", "industry", "zone_industry", "chain"):
            each = engine.yoy_each(values(), indicators, march, by)
            for i in indicators:
                assert [vars(r) for r in each[i.pk]] == [vars(r) for r in engine.yoy(values(), i, march, by)], (
                    scope, by, i.code)
    assert engine.yoy_each(scopes["zone A"](), indicators, march, "zone")[indicators[0].pk]  # not all empty
    values = IndicatorValue.objects.visible_to(cast.leader)
    engine.yoy_each(values, indicators, march, "zone")  # the scope's translation is kept on the queryset
    # the cells, the zones' names, the agreements, their values and which of their enterprises are 规上
    with django_assert_max_num_queries(5):
        engine.yoy_each(values, indicators, march, "zone")


@pytest.mark.parametrize("url_name", ["indicators:dashboard", "indicators:indicatorvalue_list", "indicators:analysis"])
def test_indicator_pages_cost_the_same_whatever_the_number_of_enterprises(cast, client_for, url_name,
                                                                           django_assert_max_num_queries):
    def add(n, start):
        for i in range(start, start + n):
            org = make_org(f"测算企业{i}", cast.zone_a)
            for year in (2025, 2026):
                put(org, "revenue", year, 3, 100 + i)

    add(2, 0)
    c = client_for("leader")
    c.get(reverse(url_name))
    with django_assert_max_num_queries(60) as few:
        assert c.get(reverse(url_name)).status_code == 200
    add(20, 2)
    base = len(few.captured_queries)
    c.get(reverse(url_name))  # the writes moved the to-do counts' generation on: recounted once, not per row
    with django_assert_max_num_queries(base):
        assert c.get(reverse(url_name)).status_code == 200


def test_labelled_enterprises_counted_month_by_month(cast):
    above_scale(cast.org_a1, dt.date(2026, 1, 15))
    above_scale(cast.org_a2, dt.date(2025, 6, 1), until=dt.date(2026, 2, 10))
    trend = engine.labelled_trend(cast.zone_a.organizations.all(), dt.date(2026, 3, 1), months=4)
    assert trend["months"] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert trend["series"]["规上"] == [1, 2, 1, 1]  # A2 leaves in February, A1 joins in January


@pytest.mark.parametrize("chunk", [1, 2, 5000])
def test_an_import_read_in_chunks_checks_across_them_as_in_one(cast, statistician, monkeypatch, chunk):
    # the rows of one enterprise far apart in the file: its months are still each other's
    # neighbours, a repeated month is still a duplicate, whatever the chunk
    from feidi.indicators import cells
    from feidi.indicators import importing

    monkeypatch.setattr(importing, "CHUNK", chunk)
    monkeypatch.setattr(cells, "SMALL_WRITE", chunk)
    a1, a2 = cast.org_a1.uscc, cast.org_a2.uscc
    bad = sheet([[a1, "", "2026-02", 90, 10, 5], [a2, "", "2026-01", 100, 10, 5], [a2, "", "2026-02", 200, 20, 5],
                 [a1, "", "2026-01", 100, 10, 5], [a2, "", "2026-01", 100, 10, 5]])
    outcome = importing.run(bad, "指标.xlsx", cast.clerk)
    assert {(e.row, e.message.split("（")[0]) for e in outcome.errors} == {
        (2, "累计值不能小于上月累计"), (5, "累计值不能大于下月已报累计"), (6, "与第3行重复")}
    assert not IndicatorValue.objects.exists()
    jumpy = sheet([[a1, "", "2026-02", 1000, 20, 5], [a2, "", "2026-01", 100, 10, 5], [a1, "", "2026-01", 100, 10, 5]])
    outcome = importing.run(jumpy, "指标.xlsx", cast.clerk)  # whichever enterprise is written first, none is kept
    assert outcome.needs_confirmation and [e.row for e in outcome.warnings] == [2]
    assert not IndicatorValue.objects.exists()
    outcome = importing.run(jumpy, "指标.xlsx", cast.clerk, confirmed=True)
    assert outcome.applied and IndicatorValue.objects.count() == 9
    assert IndicatorValue.objects.get(organization=cast.org_a1, indicator__code="revenue",
                                      period=dt.date(2026, 2, 1)).confirmed_warning


@pytest.mark.parametrize("value, said", [
    (9007199254740993, "Excel 已丢失精度"),  # read as …992: beyond 2**53 a float has lost digits
    (1234567890123456, "有效位数不能超过15位"), (1234567890123456.5, "有效位数不能超过15位"),
])
def test_an_indicator_import_refuses_a_number_of_more_than_fifteen_digits_as_every_import_does(cast, value, said):
    """The fast path for plain float cells reads only numbers of at most 15 whole digits; a longer
    one is judged as the organizations' import judges it, never stored as another number."""
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.indicators import importing

    cast.clerk.roles.add(Role.objects.get(code="statistics"))  # who imports figures
    cast.clerk = User.objects.get(pk=cast.clerk.pk)  # its permissions read again
    rows = [[cast.org_a1.uscc, "", "2026-01", 100, 10, 5], [cast.org_a2.uscc, "", "2026-01", value, 10, 5]]
    outcome = importing.run(sheet(rows), "指标.xlsx", cast.clerk)
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "主营业务收入(元)")], list(outcome.errors)
    assert said in outcome.errors[0].message
    assert not IndicatorValue.objects.exists()
    rows[1][3] = 123456789012345  # fifteen digits: read exactly
    assert importing.run(sheet(rows), "指标.xlsx", cast.clerk).applied
    assert IndicatorValue.objects.get(organization=cast.org_a2, indicator__code="revenue").value == 123456789012345


def test_the_zones_of_values_are_read_as_one_row_a_zone(cast):
    """A distinct list of values is read without the model's ordering: the ordering's columns
    (period, enterprise, indicator) would make every value a row of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feidi.indicators.engine import users_zones

    for org in (cast.org_a1, cast.org_a2, cast.org_b1):
        for code in ("revenue", "tax"):
            IndicatorValue.objects.create(organization=org, zone=org.zone, period=dt.date(2026, 3, 1), value=1,
                                          indicator=Indicator.objects.get(code=code))
    with CaptureQueriesContext(connection) as queries:
        zones = users_zones(IndicatorValue.objects.filter(entered_by__isnull=True))  # the rows say, not the filter
    assert zones == {cast.zone_a.pk, cast.zone_b.pk}
    assert "ORDER BY" not in queries[0]["sql"]


def test_a_count_of_persons_is_whole_in_the_form_and_the_import(cast):
    """从业人员 is counted in 人: 12.5 is refused on its row (the organizations' import refused it;
    the indicators' stored it), and by the monthly form; 12 and 12.0 are taken."""
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.indicators import importing

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    cast.clerk = User.objects.get(pk=cast.clerk.pk)
    rows = [[cast.org_a1.uscc, "", "2026-01", 100, 10, 12], [cast.org_a2.uscc, "", "2026-01", 100, 10, 12.5]]
    outcome = importing.run(sheet(rows), "指标.xlsx", cast.clerk)
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "从业人员(人)")], list(outcome.errors)
    assert "应为整数" in outcome.errors[0].message and not IndicatorValue.objects.exists()
    with pytest.raises(ValidationError) as err:
        actions.report_month(cast.org_a1, dt.date(2026, 1, 1), month_values(revenue="1", tax="1", employees="12.5"),
                             acting_user=cast.ent_a)
    assert "应为整数" in err.value.message_dict["employees"][0]
    rows[1][5] = 12.0
    assert importing.run(sheet(rows), "指标.xlsx", cast.clerk).applied


def test_a_record_of_reference_is_not_offered_to_a_role_that_could_file_it_nowhere(cast, client_for, statistician):
    """A zone's 统计局 (its roles reach its own departments) was offered 园区公布数据's add page and 18
    zones, and every save was refused as outside its scope: no add page nor button where no new
    record could land; the list still shows the figures."""
    from feidi.indicators.models import ZoneFigure

    client = client_for("clerk")
    assert statistician.has_perm("indicators.add_zonefigure")
    listing = client.get(reverse("indicators:zonefigure_list"))
    assert listing.status_code == 200 and reverse("indicators:zonefigure_add") not in listing.content.decode()
    refused = client.get(reverse("indicators:zonefigure_add"))
    assert refused.status_code == 403 and "您的数据范围内不能新增园区公布数据" in refused.content.decode()
    assert not ZoneFigure.objects.exists()


def test_a_published_figure_is_listed_in_the_units_the_pages_use(cast, client_for):
    """园区公布数据 listed 59,828,277,684 (元, 11 digits) beside cards saying 598.28亿元: an indicator's
    amount of 元 is shown in 万元/亿元, a count with its unit; the export keeps the number."""
    from feidi.indicators.models import ZoneFigure

    ZoneFigure.objects.create(zone=cast.zone_b, indicator=ind("revenue"), period=dt.date(2026, 10, 1),
                              value=Decimal("59828277684"))
    ZoneFigure.objects.create(zone=cast.zone_b, indicator=ind("employees"), period=dt.date(2026, 10, 1), value=Decimal("1234"))
    page = client_for("leader").get(reverse("indicators:zonefigure_list")).content.decode()
    assert "598.28亿元" in page and "59,828,277,684" not in page and "1,234人" in page
