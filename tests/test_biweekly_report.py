"""The biweekly special report: the .docx and .xlsx are opened and their figures equal the database's."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from feidi.chains.models import Chain
from feidi.chains.models import Segment
from feidi.projects import reports
from feidi.projects.actions import do_save_project
from feidi.projects.actions import do_transition_project
from feidi.projects.models import Alert
from feidi.projects.models import AnnualPlan
from feidi.projects.models import Milestone
from feidi.projects.models import MonthlyInvestment
from feidi.projects.models import Problem
from feidi.projects.models import Project
from feidi.projects.models import Report
from feidi.projects.models import StageGate

AS_OF = dt.date(2026, 11, 15)


def project(cast, name, *, zone=None, level="city", planned=0, segment=None, key=True, leader=None):
    return do_save_project(Project(name=name, zone=zone or cast.zone_a, is_key=key, key_level=level if key else "",
                                   planned_investment=Decimal(planned), segment=segment, owner=cast.invest,
                                   leader=leader or cast.leader), acting_user=cast.invest)


def month(p, y, m, amount):
    MonthlyInvestment.objects.create(project=p, department=p.department, month=dt.date(y, m, 1), amount=Decimal(amount))


@pytest.fixture
def world(cast):
    chain = Chain.objects.create(name="锂电新能源", department=cast.dept_a, order=2)
    cell = Segment.objects.create(chain=chain, name="电芯", department=cast.dept_a)
    p1 = project(cast, "动力电池项目", planned="1000000000", segment=cell)
    AnnualPlan.objects.create(project=p1, department=cast.dept_a, year=2026, planned_investment=Decimal("400000000"))
    month(p1, 2025, 12, "50000000")  # last year: not this year's completion
    for m in (1, 2, 3):
        month(p1, 2026, m, "30000000.10")
    month(p1, 2026, 12, "70000000")  # after the cut-off
    topped = Milestone.objects.create(project=p1, department=cast.dept_a, name="主体封顶",
                                      planned_on=dt.date(2026, 9, 30))
    # as the sweep last said it, on a later day than the report's
    Alert.objects.create(project=p1, department=cast.dept_a, rule="milestone", subject=str(topped.pk),
                         message="节点“主体封顶”计划2026-09-30完成，已逾期50天")
    p2 = project(cast, "储能电站项目", level="province", planned="200000000")
    AnnualPlan.objects.create(project=p2, department=cast.dept_a, year=2026, planned_investment=Decimal("200000000"))
    month(p2, 2026, 5, "100000000")
    Problem.objects.create(project=p2, department=cast.dept_a, description="用地指标待省里调剂", needs_leadership=True,
                           owner_department=cast.dept_a_bureau, deadline=dt.date(2026, 11, 1))
    Problem.objects.create(project=p2, department=cast.dept_a, description="一般问题", owner_department=cast.dept_a_bureau,
                           deadline=dt.date(2026, 12, 1))
    p3 = project(cast, "已终止项目", level="district", planned="999")
    do_transition_project(p3, "terminated", acting_user=cast.invest, note="投资方撤回", on=dt.date(2026, 11, 1))
    project(cast, "一般项目", key=False, planned="5")
    project(cast, "乙区重点项目", zone=cast.zone_b, planned="777777")
    # raised and entered before the reports' day (a report shows what was open on its day)
    before = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    Alert.objects.update(raised_at=before)
    Problem.objects.update(created_at=before)
    return p1, p2


def docx_text(content: bytes) -> tuple[str, list[list[list[str]]]]:
    from docx import Document

    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables


def xlsx_rows(content: bytes, sheet: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(sheet).to_python()


def wan(value: Decimal) -> str:
    return f"{(value / 10000).quantize(Decimal('0.01')):,}"


def test_the_report_prints_the_databases_figures(cast, world):
    p1, p2 = world
    report = reports.generate_biweekly(cast.dept_a, AS_OF)
    assert (report.year, report.number, report.title) == (2026, 1, "重点项目推进情况专报")

    # expected, independently from the rows
    key = Project.objects.filter(is_key=True, department=cast.dept_a).exclude(stage="terminated")
    planned = key.aggregate(s=Sum("planned_investment"))["s"]
    plan = AnnualPlan.objects.filter(project__in=key, year=2026).aggregate(s=Sum("planned_investment"))["s"]
    done = MonthlyInvestment.objects.filter(project__in=key, month__year=2026, month__lte=AS_OF).aggregate(
        s=Sum("amount"))["s"]
    assert (planned, plan, done) == (Decimal("1200000000"), Decimal("600000000"), Decimal("190000000.30"))

    text, tables = docx_text(report.docx.read())
    assert "2026年第1期" in text and "2026年11月15日" in text
    assert f"纳入调度的重点项目{key.count()}个" in text
    assert "总投资12.00亿元" in text and "年度计划投资6.00亿元" in text and "1–10月累计完成投资1.90亿元" in text
    assert f"完成年度计划的{done / plan * 100:.1f}%" in text
    by_chain, by_level, appendix, totals = tables
    assert by_chain[1:] == [["锂电新能源", "1", wan(Decimal(1e9)), wan(Decimal(4e8)), wan(Decimal("90000000.30")),
                             f"{Decimal('90000000.30') / Decimal(4e8) * 100:.1f}%"],
                            ["未归链", "1", wan(Decimal(2e8)), wan(Decimal(2e8)), wan(Decimal(1e8)), "50.0%"]]
    assert [r[0] for r in by_level[1:]] == ["省重点", "市重点"]
    # the days overdue are counted to the report's day (15 November), not to the day the alert was last said
    assert "动力电池项目" in text.split("四、红旗预警项目")[1] and "节点“主体封顶”计划2026-09-30完成，已逾期46天" in text
    assert "已逾期50天" not in text
    leadership = text.split("五、需领导协调决策事项")[1]
    assert "用地指标待省里调剂" in leadership and "（已超期）" in leadership and "一般问题" not in leadership
    # the appendix: every key project once, in level order, with the database's amounts
    assert appendix[0][:3] == ["序号", "项目名称", "级别"] and appendix[0][8] == "1–10月累计完成（万元）"
    assert by_chain[0][4] == "1–10月累计完成（万元）" and totals[0][4] == "1–10月累计完成（万元）"
    for row, p in zip(appendix[1:], [p2, p1], strict=True):
        year_done = MonthlyInvestment.objects.filter(project=p, month__year=2026, month__lte=AS_OF).aggregate(
            s=Sum("amount"))["s"]
        year_plan = AnnualPlan.objects.get(project=p, year=2026).planned_investment
        assert row[1] == p.name and row[6] == wan(p.planned_investment) and row[7] == wan(year_plan)
        assert row[8] == wan(year_done) and row[9] == f"{year_done / year_plan * 100:.1f}%"
    assert appendix[1][11] == "2"  # open problems of 储能电站项目
    assert totals[1][2:5] == [wan(planned), wan(plan), wan(done)]
    assert "乙区重点项目" not in text and "已终止项目" not in text and "一般项目" not in text

    xlsx = report.xlsx.read()
    rows = xlsx_rows(xlsx, "附表")
    body = [r for r in rows[2:] if r[0] != "合计"]
    assert [r[1] for r in body] == ["储能电站项目", "动力电池项目"]
    assert body[1][6:9] == [100000.0, 40000.0, float((Decimal("90000000.30") / 10000).quantize(Decimal("0.01")))]
    total = next(r for r in rows if r[0] == "合计")
    assert total[6:9] == [float(planned / 10000), float(plan / 10000), float((done / 10000).quantize(Decimal("0.01")))]
    assert [r[0] for r in xlsx_rows(xlsx, "分产业链")[1:]] == ["锂电新能源", "未归链"]
    assert report.figures["overall"]["count"] == 2 and report.figures["overall"]["done"] == "190000000.30"


def test_the_report_says_how_many_problems_the_units_solved_in_its_half_month(cast, world):
    """本期: the problems reported solved from the 1st (a report of the 15th) or the 16th (of the month's
    end) through the report's day, beside those open on it; a problem solved after the day is open
    on it, one solved before the half-month is in neither, and another zone's is not counted."""
    p1, p2 = world
    before = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)

    def problem(p, text, solved_on=None):
        made = Problem.objects.create(project=p, department=p.department, description=text,
                                      owner_department=cast.dept_a_bureau, deadline=dt.date(2026, 12, 1),
                                      status="solved" if solved_on else "open", solved_on=solved_on)
        Problem.objects.filter(pk=made.pk).update(created_at=before)

    problem(p1, "环评批复", dt.date(2026, 11, 1))
    problem(p1, "施工许可", dt.date(2026, 11, 15))
    problem(p2, "电力接入", dt.date(2026, 10, 31))  # the half-month before
    problem(p2, "用水指标", dt.date(2026, 11, 20))  # after the day: open on it
    problem(project(cast, "乙区项目", zone=cast.zone_b), "乙区的问题", dt.date(2026, 11, 3))
    figures = reports.biweekly_figures(Project.objects.filter(department=cast.dept_a), AS_OF)
    assert (figures["overall"]["solved"], figures["overall"]["open_problems"]) == (2, 3)
    assert "11月1日以来协调解决问题2个，尚有待解决问题3个。" in reports.overall_text(figures)
    month_end = reports.biweekly_figures(Project.objects.filter(department=cast.dept_a), dt.date(2026, 11, 30))
    assert "11月16日以来协调解决问题1个，尚有待解决问题2个。" in reports.overall_text(month_end)
    del figures["overall"]["solved"]  # the figures an earlier release stored with its report
    assert "协调解决问题" not in reports.overall_text(figures)


def test_a_back_dated_report_counts_each_projects_stage_on_its_day(cast, world):
    """开工 and 终止 are read from the stage records' business dates: a project started after the
    report's day is not yet started in it, one terminated after it is still scheduled, and a move
    entered late but dated before the day counts."""
    p1, p2 = world
    StageGate.objects.all().delete()  # the gates' evidence is not this test's subject
    for stage, on in (("negotiating", dt.date(2026, 10, 1)), ("signed", dt.date(2026, 10, 10)),
                      ("started", dt.date(2026, 11, 20))):
        p1 = do_transition_project(p1, stage, acting_user=cast.invest, on=on)
    for stage in ("negotiating", "signed", "started"):  # entered today, dated before the report's day
        p2 = do_transition_project(p2, stage, acting_user=cast.invest, on=dt.date(2026, 11, 10))
    late = project(cast, "后终止项目", level="district", planned="100")
    late = do_transition_project(late, "negotiating", acting_user=cast.invest, on=dt.date(2026, 11, 1))
    do_transition_project(late, "terminated", acting_user=cast.invest, note="撤回", on=dt.date(2026, 11, 30))

    figures = reports.biweekly_figures(Project.objects.filter(department=cast.dept_a), AS_OF)
    stages = {r["name"]: (r["stage"], r["started_on"]) for r in figures["appendix"]}
    assert stages == {"动力电池项目": ("签约", ""), "储能电站项目": ("开工", "2026-11-10"), "后终止项目": ("洽谈", "")}
    assert (figures["overall"]["count"], figures["overall"]["started"]) == (3, 1)
    # a project in talks on the day is not behind an investment pace (its plan starts when it is signed)
    AnnualPlan.objects.create(project=late, department=cast.dept_a, year=2026, planned_investment=Decimal("9000000"))
    figures = reports.biweekly_figures(Project.objects.filter(department=cast.dept_a), AS_OF)
    assert "后终止项目" not in {f["name"] for f in figures["red_flags"]}

    today = reports.biweekly_figures(Project.objects.filter(department=cast.dept_a), dt.date(2026, 11, 30))
    assert {r["name"]: r["stage"] for r in today["appendix"]} == {"动力电池项目": "开工", "储能电站项目": "开工"}
    assert today["overall"]["started"] == 2


def test_numbers_follow_per_department_and_year_and_the_command_works(cast, world, capsys, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2027, 1, 20))
    assert reports.generate_biweekly(cast.dept_a, AS_OF).number == 1
    assert reports.generate_biweekly(cast.dept_a, dt.date(2026, 11, 30)).number == 2
    assert reports.generate_biweekly(cast.dept_a, dt.date(2027, 1, 15)).number == 1
    call_command("report", "biweekly", "--date", "2026-12-15", "--department", str(cast.dept_a.pk))
    assert Report.objects.filter(department=cast.dept_a, year=2026).order_by("-number").first().number == 3
    call_command("report", "biweekly", "--date", "2026-12-31")  # every zone with key projects: A and B
    assert set(Report.objects.filter(as_of=dt.date(2026, 12, 31)).values_list("department__name", flat=True)) == {
        "上饶经开区管委会", "另一园区管委会"}
    out = capsys.readouterr().out
    assert "另一园区管委会" in out and "2026年第4期" in out


def test_the_scheduled_run_does_not_number_twice(cast, world):
    first = reports.generate_for_zones(AS_OF)
    assert len(first) == 2 and reports.generate_for_zones(AS_OF) == []
    assert reports.period_end(dt.date(2026, 11, 16)) == AS_OF
    assert reports.period_end(dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)
    assert reports.period_end(dt.date(2028, 3, 1)) == dt.date(2028, 2, 29)


def test_a_failure_mid_generation_leaves_no_report_and_no_file(cast, world, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(reports, "render_xlsx", broken)
    with pytest.raises(RuntimeError):
        reports.generate_biweekly(cast.dept_a, AS_OF)
    assert not Report.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_another_zones_user_gets_none_of_zone_as_figures(cast, world, client_for):
    figures = reports.biweekly_figures(Project.objects.visible_to(cast.other_pmo), AS_OF)
    assert [r["name"] for r in figures["appendix"]] == ["乙区重点项目"]
    r = client_for("other_pmo").post("/api/v1/projects/reports/biweekly", {"as_of": "2026-11-15"},
                                     content_type="application/json")
    assert r.status_code == 201
    report = Report.objects.get(pk=r.json()["id"])
    assert report.department == cast.dept_b and "动力电池项目" not in docx_text(report.docx.read())[0]
    assert client_for("leader").get(f"/projects/reports/{report.pk}/docx/").status_code == 404
    assert client_for("other_pmo").get(f"/projects/reports/{report.pk}/docx/").status_code == 200


def test_the_page_generates_and_shows_a_report(cast, world, client_for):
    from feidi.accounts.models import Role

    cast.leader.roles.add(Role.objects.get(code="project_office"))
    c = client_for("leader")
    r = c.post("/projects/reports/generate/", {"as_of": "2026-11-15"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "纳入调度的重点项目2个" in page and "用地指标待省里调剂" in page
    assert c.post("/projects/reports/generate/", {"as_of": "2999-01-01"}).status_code == 302
    assert Report.objects.count() == 1


def test_a_second_issue_for_the_same_day_is_refused_on_every_path(cast, world, client_for):
    """A double click or a retried request numbers no second issue for one cut-off day: the page
    says which issue exists, the API answers 422 naming it, nothing more is written."""
    from feidi.accounts.models import Role

    cast.leader.roles.add(Role.objects.get(code="project_office"))
    c = client_for("leader")
    assert c.post("/projects/reports/generate/", {"as_of": "2026-11-15"}).status_code == 302
    again = c.post("/projects/reports/generate/", {"as_of": "2026-11-15"}, follow=True)
    assert "截至2026年11月15日的专报已生成" in again.content.decode()
    r = c.post("/api/v1/projects/reports/biweekly", {"as_of": "2026-11-15"}, content_type="application/json")
    assert r.status_code == 422 and "已生成" in json.dumps(r.json(), ensure_ascii=False)
    assert Report.objects.filter(department=cast.dept_a).count() == 1


@pytest.mark.parametrize("title", ["重点项目\\..\\x", "../../../tmp/pwn", "专报/第二版", "..", "专报\t\n\"第二版\"", "CON:<>|*?"])
def test_a_report_title_is_never_a_path(cast, world, client_for, settings, tmp_path, title):
    """The title names the report's files: whatever it holds, the files stay in the report folder
    under a plain name (a title with ..\\ stopped the report, one with / made a folder), and the
    download's name reads the title without the characters no file name holds."""
    from feidi.projects.models import ProjectSettings

    settings.MEDIA_ROOT = str(tmp_path)
    ProjectSettings.objects.update_or_create(department=cast.dept_a, defaults={"report_title": title})
    report = reports.generate_biweekly(cast.dept_a, AS_OF)
    for field in (report.docx, report.xlsx):
        path = Path(field.path).resolve()
        assert path.is_file() and path.parent == (tmp_path / "reports" / "2026").resolve(), field.name
    from feidi.accounts.models import Role

    cast.leader.roles.add(Role.objects.get(code="project_office"))
    response = client_for("leader").get(f"/projects/reports/{report.pk}/docx/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\t" not in disposition and "\n" not in disposition and "/" not in disposition.split("''")[-1]


def test_one_zone_failing_leaves_the_others_their_issue(cast, world, monkeypatch):
    """The scheduled run goes on past a zone whose report fails (logged): the other zone has its
    issue, and the failed one is made by the next run."""
    real = reports.generate_biweekly

    def failing_for_a(department, as_of, **kwargs):
        if department == cast.dept_a:
            raise RuntimeError("磁盘已满")
        return real(department, as_of, **kwargs)

    monkeypatch.setattr(reports, "generate_biweekly", failing_for_a)
    done = reports.generate_for_zones(AS_OF)
    assert [r.department for r in done] == [cast.dept_b]
    monkeypatch.setattr(reports, "generate_biweekly", real)
    assert [r.department for r in reports.generate_for_zones(AS_OF)] == [cast.dept_a]


def test_a_january_report_says_what_is_not_there_yet(cast, world):
    """On 15 January the year's plans may not be entered and no month is complete: the first
    paragraph says so, not "年度计划投资0.00万元…完成年度计划的—"."""
    figures = reports.biweekly_figures(Project.objects.filter(department=cast.dept_a), dt.date(2027, 1, 15))
    text = reports.overall_text(figures)
    assert "本年尚无完整月份的完成投资。" in text and "完成年度计划的" not in text
    if not figures["overall"]["plan"]:
        assert "2027年度计划投资尚未填报" in text and "0.00" not in text.split("已开工")[0]
