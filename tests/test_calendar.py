"""The calendar cliff: a year chinesecalendar does not know is entered once from the State Council's
notice (pasted, by form or .xlsx), checked and confirmed; until then a deadline in it is a clear
message (page and API), never a 500, and the escalation sweep goes on with every appeal it can
compute; from 1 November the administrators are warned."""

from __future__ import annotations

import datetime as dt
import html
import io
import random

import chinese_calendar
import pytest
import xlsxwriter
from django.urls import reverse
from django.utils import timezone

from feidi.core.calendar import CalendarMissing
from feidi.core.calendar import current_calendar
from feidi.core.calendar import missing_next_year
from feidi.core.models import CalendarYear
from feidi.lib.holiday_notice import parse
from feidi.lib.workdays import KNOWN_YEARS
from feidi.lib.workdays import YearSchedule

# --- the notice parser -------------------------------------------------------------------------------

NOTICE_2024 = """国务院办公厅关于2024年部分节假日安排的通知
一、元旦：1月1日放假，与周末连休。
二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。
三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。
四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。
五、端午节：6月10日放假，与周末连休。
六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作。"""

NOTICE_2023 = """一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。"""

CN = "零一二三四五六七八九十"
NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
         "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
         "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"}


def next_years_new_year(day: dt.date) -> bool:
    """A December day of 元旦: the next year's notice lists it (2022-12-31 in the 2023 notice)."""
    names = (chinese_calendar.holidays.get(day), chinese_calendar.workdays.get(day))
    return day.month == 12 and "New Year's Day" in names


def same_days(schedule: YearSchedule, year: int) -> list[dt.date]:
    """Days of ``year`` where the parsed schedule and chinesecalendar disagree."""
    day, wrong = dt.date(year, 1, 1), []
    while day.year == year:
        if not next_years_new_year(day) and schedule.is_workday(day) != chinese_calendar.is_workday(day):
            wrong.append(day)
        day += dt.timedelta(days=1)
    return wrong


def schedule_of(notice) -> YearSchedule:
    return YearSchedule(notice.year, frozenset(notice.holidays), frozenset(d for _, d in notice.workdays))


@pytest.mark.parametrize("year,text", [(2024, NOTICE_2024), (2023, NOTICE_2023)])
def test_the_published_notices_parse_to_the_published_calendar(year, text):
    notice = parse(text, year)
    assert notice.problems == []
    assert same_days(schedule_of(notice), year) == []


def notice_from_package(year: int, rng: random.Random) -> str:
    """A notice in the official style for a year chinesecalendar knows, written in one of the forms
    notices have used (weekday notes, months repeated or not, full-width digits, 至 across months)."""
    def of_this_notice(d: dt.date) -> bool:
        return (d.year == year and not next_years_new_year(d)) or (d.year == year - 1 and next_years_new_year(d))

    holidays = sorted((d, n) for d, n in chinese_calendar.holidays.items() if of_this_notice(d))
    runs: list[list] = []
    for d, name in holidays:
        if runs and runs[-1][1] == name and (d - runs[-1][0][-1]).days == 1:
            runs[-1][0].append(d)
        else:
            runs.append([[d], name])
    workdays = sorted((d, n) for d, n in chinese_calendar.workdays.items() if of_this_notice(d))
    weekday = "一二三四五六日"

    def day(d: dt.date, previous: dt.date | None = None) -> str:
        text = f"{d.day}日" if previous and previous.month == d.month and rng.random() < .7 else f"{d.month}月{d.day}日"
        if d.year != year or (previous and previous.year != d.year):
            text = f"{d.year}年{text}"
        if rng.random() < .5:
            text += f"（{rng.choice(['星期', '周'])}{weekday[d.weekday()]}）"
        return text

    lines = []
    for i, (days, name) in enumerate(runs, start=1):
        label = NAMES.get(name, name)
        if len(days) == 1:
            body = f"{day(days[0])}放假，共1天。"
        else:
            body = f"{day(days[0])}至{day(days[-1], days[0])}放假调休，共{len(days)}天。"
        mine = [d for d, n in workdays if n == name]
        if mine:
            body += "、".join(day(d) for d in mine) + "上班。"
        number = CN[i] if i <= 10 else f"十{CN[i - 10]}"
        lines.append(f"{number}、{label}：{body}")
    text = "\n".join(lines)
    if rng.random() < .4:
        text = text.translate(str.maketrans("0123456789:", "０１２３４５６７８９："))
    return text


@pytest.mark.parametrize("year", range(max(KNOWN_YEARS[0], 2008), KNOWN_YEARS[1] + 1))
def test_every_known_year_written_as_a_notice_parses_back_to_chinesecalendar(year):
    rng = random.Random(year)
    for _ in range(3):
        notice = parse(notice_from_package(year, rng), year)
        assert notice.problems == [], notice.problems
        assert same_days(schedule_of(notice), year) == []


def test_what_the_parser_cannot_read_is_reported_not_dropped():
    notice = parse("一、春节：2月30日至3月2日放假调休，共4天。\n二、清明节：4月4日至6日放假，共5天。\n"
                   "三、劳动节：5月7日（周五）上班。", 2027)
    text = "；".join(notice.problems)
    assert "日期不存在：2027年2月30日" in text
    assert "共5天" in text  # the stated length disagrees with the range
    assert "是工作日" in text  # a make-up day on a Friday
    assert parse("放假安排另行通知", 2027).problems


# --- an unknown year is a clear message, never a 500 ----------------------------------------------

@pytest.fixture
def december(monkeypatch):
    moment = timezone.make_aware(dt.datetime(2026, 12, 20, 10, 0))  # a Sunday: 10 working days reach 2027
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知（测试用的虚构安排）
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（周四）放假调休，共7天。1月31日（周日）、2月20日（周六）上班。
三、清明节：4月3日至5日放假，共3天。
四、劳动节：5月1日至5日放假调休，共5天。4月25日（周日）上班。
五、端午节：6月9日放假，共1天。
六、中秋节：9月15日放假，共1天。
七、国庆节：10月1日至7日放假调休，共7天。9月26日（周日）、10月9日（周六）上班。"""


def enter_2027(client):
    response = client.post(reverse("core:calendaryear_enter"), {"mode": "notice", "year": 2027, "text": NOTICE_2027})
    page = response.content.decode()
    assert response.status_code == 200 and "请核对2027年节假日安排" in page, page[:3000]
    signed = html.unescape(page.split('name="signed" value="')[1].split('"')[0])
    response = client.post(reverse("core:calendaryear_enter"), {"mode": "notice", "signed": signed, "confirm": "1"})
    assert response.status_code == 302
    return CalendarYear.objects.get(year=2027)


def test_an_appeal_accepted_before_next_year_is_entered_gets_a_provisional_deadline_counted_again_at_entry(
        cast, client_for, december, django_capture_on_commit_callbacks):
    """Late December, 2027's notice not yet entered: the appeal is accepted all the same (page and
    API), its deadline counted on the weekday rule less the law's holidays (元旦 1 January is one
    whatever the notice says: the 10th working day is Monday 4 January, not Friday 1 January) and
    shown as provisional; entering the notice counts it again (here to the same day: nothing
    moves, and it is no longer marked), and the record keeps where its clock started."""
    from feidi.services.models import Appeal
    from feidi.testing.factories import make_for

    appeal = make_for(Appeal, cast)  # 用地: 10 working days
    other = make_for(Appeal, cast)
    leader = client_for("leader")
    response = leader.post(reverse("services:appeal_act", kwargs={"pk": appeal.pk}), {"action": "accept"}, follow=True)
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ACCEPTED and appeal.deadline_from == dt.date(2026, 12, 20)
    assert appeal.deadline_days == 10 and timezone.localtime(appeal.deadline).date() == dt.date(2027, 1, 5)
    page = leader.get(appeal.get_absolute_url()).content.decode()
    assert "2027-01-04 24:00（2027年节假日未录入，暂按周末和法定节日推算）" in page
    assert "暂按周末和法定节日推算" in leader.get(reverse("services:appeal_list")).content.decode()
    response = leader.post(f"/api/v1/services/appeals/{other.pk}/actions", data={"action": "accept"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    version = Appeal.objects.get(pk=appeal.pk).version
    with django_capture_on_commit_callbacks(execute=True):  # counted again once the entry commits
        saved = enter_2027(client_for("sysadmin"))
    assert saved.source == "notice" and len(saved.periods) == 7
    for pk in (appeal.pk, other.pk):
        moved = Appeal.objects.get(pk=pk)
        # 21–31 Dec: 9 working days; 1–3 Jan a holiday; the 10th is Monday 4 Jan, due at its 24:00
        assert timezone.localtime(moved.deadline).date() == dt.date(2027, 1, 5)
    assert Appeal.objects.get(pk=appeal.pk).version == version  # the guess was right: nothing moved
    page = leader.get(appeal.get_absolute_url()).content.decode()
    assert "2027-01-04 24:00" in page and "2027年节假日未录入" not in page  # the history keeps what it said


def test_the_sweep_escalates_what_is_overdue_and_reports_the_provisional_deadlines(cast, client_for, december,
                                                                                    django_capture_on_commit_callbacks):
    from feidi.core.models import Notification
    from feidi.services import actions
    from feidi.services.models import Appeal
    from feidi.services.models import ServiceSettings
    from feidi.testing.factories import make_for

    make_for(Appeal, cast)
    ServiceSettings.objects.filter(department=cast.dept_a).update(level2_days=3, level3_days=10)
    past = december - dt.timedelta(days=3)
    low, high = (make_for(Appeal, cast) for _ in range(2))
    Appeal.objects.filter(pk=low.pk).update(status="accepted", level=1, deadline=past)  # → level 2: 3 days, 2026
    Appeal.objects.filter(pk=high.pk).update(status="accepted", level=2, deadline=past)  # → level 3: 10 days, 2027
    skipped: dict[int, int] = {}
    assert actions.sweep(skipped=skipped) == 2
    assert skipped == {2027: 1}
    assert Appeal.objects.get(pk=low.pk).level == 2 and Appeal.objects.get(pk=high.pk).level == 3
    # provisional, but never on 元旦: the 10th working day is Monday 4 January
    assert timezone.localtime(Appeal.objects.get(pk=high.pk).deadline).date() == dt.date(2027, 1, 5)
    actions.report_missing_calendar(skipped, source="诉求升级巡检")
    actions.report_missing_calendar(skipped, source="诉求升级巡检")  # once a day, not every five minutes
    assert Notification.objects.filter(user=cast.sysadmin, title__contains="2027年节假日安排未录入").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(client_for("sysadmin"))
    assert actions.sweep() == 0  # nothing raised twice
    high = Appeal.objects.get(pk=high.pk)
    assert high.level == 3 and timezone.localtime(high.deadline).date() == dt.date(2027, 1, 5)


def test_entering_a_year_counts_again_the_closed_deadlines_a_guess_gave_and_the_first_levels(
        cast, client_for, django_capture_on_commit_callbacks):
    """按时办结 is judged on the calendar as entered: an appeal closed on a guessed deadline (the
    guess keeps 春节's four statutory days; the notice adds a week and a make-up Sunday) is counted
    again, and so is an escalated one's first-level deadline; a closed one in a published year
    stands as it was."""
    from feidi.core.calendar import clock
    from feidi.services.models import Appeal
    from feidi.services.models import closed_on_time
    from feidi.testing.factories import make_for

    start = dt.date(2027, 1, 25)
    guessed = clock(start, 10).deadline  # 1-26…29, 2-01…04, (除夕…初三), 2-09, 2-10
    assert timezone.localtime(guessed).date() == dt.date(2027, 2, 11)
    closed_at = timezone.make_aware(dt.datetime(2027, 2, 11, 12, 0))
    late, escalated, old = (make_for(Appeal, cast) for _ in range(3))
    Appeal.objects.filter(pk=late.pk).update(status="closed", deadline=guessed, deadline_from=start,
                                             deadline_days=10, closed_at=closed_at)
    Appeal.objects.filter(pk=escalated.pk).update(
        status="closed", level=2, first_deadline=guessed, first_deadline_from=start, first_deadline_days=10,
        deadline=timezone.make_aware(dt.datetime(2026, 12, 1)), deadline_from=dt.date(2026, 11, 20),
        deadline_days=3, closed_at=closed_at)
    kept = timezone.make_aware(dt.datetime(2026, 11, 3))  # not what its clock gives: it is history
    Appeal.objects.filter(pk=old.pk).update(status="closed", deadline=kept, deadline_from=dt.date(2026, 10, 10),
                                            deadline_days=10, closed_at=kept)
    assert not Appeal.objects.filter(pk=late.pk).filter(closed_on_time()).exists()
    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(client_for("sysadmin"))
    # the notice: 1-31 (Sun) a working day, 2-05…2-11 a holiday → the 10th working day is 2-12
    late, escalated, old = (Appeal.objects.get(pk=a.pk) for a in (late, escalated, old))
    assert timezone.localtime(late.deadline).date() == dt.date(2027, 2, 13)
    assert Appeal.objects.filter(pk=late.pk).filter(closed_on_time()).exists()
    assert timezone.localtime(escalated.first_deadline).date() == dt.date(2027, 2, 13)
    assert escalated.deadline == timezone.make_aware(dt.datetime(2026, 12, 1)) and old.deadline == kept


def test_an_adjusted_day_moves_the_open_deadlines_across_it_at_once(cast, client_for, december,
                                                                     django_capture_on_commit_callbacks):
    """A local rest day entered (or edited) after deadlines were counted: the open ones that cross
    it move by a day, at once in every process (the calendar's cache key reads the days)."""
    from feidi.core.models import CalendarDay
    from feidi.services.models import Appeal
    from feidi.testing.factories import make_for

    enter_2027(client_for("sysadmin"))
    appeal = make_for(Appeal, cast)
    client_for("leader").post(reverse("services:appeal_act", kwargs={"pk": appeal.pk}), {"action": "accept"})
    assert timezone.localtime(Appeal.objects.get(pk=appeal.pk).deadline).date() == dt.date(2027, 1, 5)
    c = client_for("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("core:calendarday_add"), {"date": "2026-12-22", "is_workday": "", "note": "本地假日",
                                                            "_form_token": "d1"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert not current_calendar().is_workday(dt.date(2026, 12, 22))
    assert timezone.localtime(Appeal.objects.get(pk=appeal.pk).deadline).date() == dt.date(2027, 1, 6)
    day = CalendarDay.objects.get(date=dt.date(2026, 12, 22))
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("core:calendarday_edit", kwargs={"pk": day.pk}), {
            "date": "2026-12-22", "is_workday": "on", "note": "改回上班", "_version": ""})
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert current_calendar().is_workday(dt.date(2026, 12, 22))  # an edit, not a new row: seen at once
    assert timezone.localtime(Appeal.objects.get(pk=appeal.pk).deadline).date() == dt.date(2027, 1, 5)


def test_the_2019_notice_with_its_make_up_day_in_december_2018_is_accepted():
    from feidi.core import holidays

    text = ("国务院办公厅关于2019年部分节假日安排的通知\n一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。"
            "2018年12月29日（星期六）上班。\n二、春节：2月4日至10日放假调休，共7天。2月2日（星期六）、2月3日（星期日）上班。"
            "\n三、清明节：4月5日放假，与周末连休。\n四、劳动节：5月1日放假。\n五、端午节：6月7日放假，与周末连休。"
            "\n六、中秋节：9月13日放假，与周末连休。\n七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。")
    draft = holidays.from_notice(text, 2019)
    assert not draft.problems, draft.problems
    assert ("元旦", dt.date(2018, 12, 29)) in [(n, d) for n, d in draft.workdays]


@pytest.mark.django_db
def test_a_working_day_in_an_unknown_year_is_a_validation_error():
    with pytest.raises(CalendarMissing) as caught:
        current_calendar().add_workdays(dt.date(2099, 3, 1), 1)
    assert caught.value.year == 2099 and "2099年的节假日安排尚未录入" in caught.value.messages[0]


# --- three ways in, one check ---------------------------------------------------------------------

def test_the_form_and_the_xlsx_give_the_same_year_and_refuse_what_is_wrong(cast, client_for):
    c = client_for("sysadmin")
    url = reverse("core:calendaryear_enter")
    data = {"mode": "form", "year": 2027, "workdays": "2027-01-31 春节\n2027-02-20", "name_1": "春节",
            "first_1": "2027-02-05", "last_1": "2027-02-11", "name_0": "元旦", "first_0": "2027-01-01",
            "last_0": "2027-01-03"}
    page = c.post(url, data).content.decode()
    assert "请核对2027年节假日安排" in page and "未见清明节" in page
    bad = {**data, "workdays": "2027-02-08"}  # a Monday inside 春节
    page = c.post(url, bad).content.decode()
    assert "未能保存" in page and "放假日" in page and not CalendarYear.objects.exists()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for r, row in enumerate([["类型", "节日名称", "开始日期", "结束日期"], ["放假", "元旦", "2027-01-01", "2027-01-03"],
                             ["放假", "春节", "2027-02-05", "2027-02-11"], ["上班", "春节", "2027-01-31", ""],
                             ["休息", "端午", "2027-06-09", ""]]):
        sheet.write_row(r, 0, row)
    book.close()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = c.post(url, {"mode": "xlsx", "year": 2027, "file": SimpleUploadedFile("h.xlsx", buffer.getvalue())})
    assert "第5行类型" in page.content.decode()
    assert c.get(url, {"template": 1, "year": 2027})["Content-Type"].startswith("application/vnd")


def test_only_the_administrator_enters_a_year_and_a_tampered_confirmation_is_refused(cast, client_for):
    for name in ("leader", "clerk", "ent_a"):
        assert client_for(name).get(reverse("core:calendaryear_enter")).status_code == 403
    c = client_for("sysadmin")
    response = c.post(reverse("core:calendaryear_enter"), {"mode": "notice", "signed": "x:y", "confirm": "1"},
                      follow=True)
    assert "确认数据无效" in response.content.decode() and not CalendarYear.objects.exists()


# --- from 1 November, the administrators are warned -----------------------------------------------

def test_from_november_the_administrators_are_warned_once(cast, client_for, monkeypatch):
    from feidi.core.jobs import notify_missing_calendar
    from feidi.core.models import Notification

    assert missing_next_year(dt.date(2026, 10, 31)) is None
    assert missing_next_year(dt.date(2026, 11, 1)) == 2027
    assert notify_missing_calendar(dt.date(2026, 10, 31)) == 0
    assert notify_missing_calendar(dt.date(2026, 11, 1)) == 2  # the system and the security administrator
    assert notify_missing_calendar(dt.date(2026, 11, 2)) == 0
    assert {n.user for n in Notification.objects.filter(title="请录入2027年法定节假日安排")} == {cast.sysadmin,
                                                                                                cast.secadmin}
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0)))
    assert "2027年法定节假日安排尚未录入" in client_for("sysadmin").get("/").content.decode()
    assert "2027年法定节假日安排尚未录入" in client_for("secadmin").get("/").content.decode()
    assert "2027年法定节假日安排尚未录入" not in client_for("leader").get("/").content.decode()


def test_the_command_reads_a_notice_and_saves_it_only_when_told(tmp_path, db):
    from django.core.management import call_command

    path = tmp_path / "notice.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    call_command("calendar", "import-notice", str(path), "--year", "2027")
    assert not CalendarYear.objects.exists()
    call_command("calendar", "import-notice", str(path), "--year", "2027", "--yes")
    assert current_calendar().knows(2027) and not current_calendar().is_workday(dt.date(2027, 2, 8))
    assert current_calendar().is_workday(dt.date(2027, 1, 31))  # a make-up Sunday


def test_the_appeal_measures_count_a_year_not_entered_as_deadlines_do(cast, client_for):
    """诉求办理指标 over a range reaching a year nobody has entered: counted like a deadline (the
    weekday rule less the law's holidays), never a 500 (January's default range reaches it)."""
    from feidi.services import measures
    from feidi.services.models import Appeal
    from feidi.testing.factories import make_for

    appeal = make_for(Appeal, cast)
    accepted = timezone.make_aware(dt.datetime(2026, 12, 31, 9))
    Appeal.objects.filter(pk=appeal.pk).update(status="closed", accepted_at=accepted,
                                               closed_at=timezone.make_aware(dt.datetime(2027, 1, 8, 16)))
    (row,) = measures.compute(Appeal.objects.filter(pk=appeal.pk), by="department")
    assert row["avg_close_workdays"] == 5  # 1-01 元旦 and the weekend are not counted: 1-04…1-08
    page = client_for("leader").get(reverse("services:appeal_measures"), {"start": "2026-01-01", "end": "2027-12-31"})
    assert page.status_code == 200


@pytest.mark.django_db
def test_a_short_deadline_says_its_year_unless_it_is_this_years():
    """On a to-do card 01-01 of next year and of this year must not read the same."""
    import datetime as dt

    from django.utils import timezone

    from feidi.core.calendar import deadline_text

    this_year = timezone.localdate().year
    assert deadline_text(dt.date(this_year, 3, 5), short=True) == "03-05"
    assert deadline_text(dt.date(this_year + 1, 1, 1), short=True) == f"{this_year + 1}-01-01"
    ended = timezone.make_aware(dt.datetime(this_year + 2, 1, 2, 0, 0))  # the end of 1 January: its 24:00
    assert deadline_text(ended, short=True).startswith(f"{this_year + 2}-01-01 24:00")


def test_a_weekday_the_notice_writes_after_a_date_must_be_that_dates():
    """A notice of another year pasted under this one (its dates exist, its 共N天 add up) gives itself
    away by its weekdays: each written after a holiday's date, in brackets, is checked, not only the
    make-up workdays'."""
    from feidi.lib.holiday_notice import parse

    wrong = "一、元旦：1月1日（周一）至3日（周三）放假，共3天。二、春节：2月5日（周五）至2月12日（周五）放假，共8天。"
    problems = parse(wrong, 2027).problems
    assert any("2027年01月01日是周一，按日历是周五" in p for p in problems), problems
    assert any("2027年01月03日是周三" in p for p in problems), problems
    assert not any("02月05日" in p for p in problems)  # 2027-02-05 is a Friday, as written
    right = "一、元旦：1月1日（周五）至3日（周日）放假，共3天。二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。"
    assert not [p for p in parse(right.replace("2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）", "2月6日（周六）至13日（周六）").replace("共9天", "共8天"), 2027).problems]


def test_a_resume_whose_deadline_is_guessed_says_so_like_the_accept(cast, december):
    """Resuming counts the days waited and then the deadline on one calendar: the guess of 2027 made
    by the first count was lost to the second, and the resume's note (which the enterprise reads)
    said nothing of it."""
    from feidi.services import actions as appeals
    from feidi.services.models import Appeal
    from feidi.services.models import AppealEvent
    from feidi.testing.factories import make_for

    appeal = appeals.do_accept_appeal(make_for(Appeal, cast), acting_user=cast.leader)
    assert "暂按周末和法定节日推算" in AppealEvent.objects.filter(appeal=appeal, kind="accept").get().text
    appeal = appeals.do_suspend_appeal(appeal, "等待企业补充用地红线图", acting_user=cast.leader)
    later = timezone.make_aware(dt.datetime(2027, 1, 6, 10, 0))
    appeals.do_resume_appeal(Appeal.objects.get(pk=appeal.pk), acting_user=cast.leader, now=later)
    said = AppealEvent.objects.filter(appeal=appeal, kind="resume").get().text
    assert "顺延" in said and "期限落在2027年" in said and "暂按周末和法定节日推算" in said


def test_a_day_made_a_holiday_inside_a_suspension_moves_the_deadline_back(cast, client_for, december,
                                                                          django_capture_on_commit_callbacks):
    """The working days a suspension credited were baked into the clock: a rest day entered later
    inside the suspension left them as counted (the deadline 1 working day late). The spell is kept
    and its working days counted on the calendar in force."""
    from feidi.services import actions as appeals
    from feidi.services.models import Appeal
    from feidi.testing.factories import make_for

    enter_2027(client_for("sysadmin"))
    appeal = appeals.do_accept_appeal(make_for(Appeal, cast), acting_user=cast.leader)  # Sunday 20 Dec
    assert timezone.localtime(appeal.deadline).date() == dt.date(2027, 1, 5)
    appeal = appeals.do_suspend_appeal(appeal, "等待企业补充材料", acting_user=cast.leader)
    resumed_at = timezone.make_aware(dt.datetime(2026, 12, 24, 10, 0))  # Sunday → Thursday: 4 working days
    appeal = appeals.do_resume_appeal(Appeal.objects.get(pk=appeal.pk), acting_user=cast.leader, now=resumed_at)
    appeal.refresh_from_db()
    assert appeal.deadline_days == 10 and appeal.deadline_pauses == [["2026-12-20", "2026-12-24", 10]]
    before = timezone.localtime(appeal.deadline).date()
    c = client_for("sysadmin")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("core:calendarday_add"), {"date": "2026-12-22", "is_workday": "", "note": "本地假日",
                                                            "_form_token": "d2"})
    assert response.status_code == 302
    # 22 Dec is a rest day: one working day fewer before the deadline and one fewer inside the
    # suspension — the deadline stays where it was, not a working day later
    after = Appeal.objects.get(pk=appeal.pk)
    assert timezone.localtime(after.deadline).date() == before
    assert after.deadline_days == 10
