"""Read the State Council's annual holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

The notice lists, holiday by holiday, the days off and the make-up workdays::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。…
    六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。

with variants seen over the years: a range starting in the previous year (``2022年12月31日至2023年
1月2日``), a single day (``6月10日放假，与周末连休``), the end of a range without its month
(``4月4日至6日``), weekday notes in brackets, full-width digits and punctuation. Every sentence that
names a date and is neither a holiday nor a make-up workday is reported, never dropped; a "共N天"
that disagrees with the range is reported too. The caller shows the result for confirmation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from dataclasses import field

from django.utils.translation import gettext
from django.utils.translation import pgettext

SECTION = re.compile(r"(?:^|\n|。)\s*([一二三四五六七八九十]+)、\s*([^：:\n]{1,20})[：:]")
DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日")
RANGE = re.compile(r"((?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日)\s*(?:至|到|—|–|-|~)\s*((?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日)")
BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
DAYS = re.compile(r"共\s*(\d+)\s*天")
FULL_WIDTH = str.maketrans("０１２３４５６７８９：；，。（）～—", "0123456789:;,。()~-")
WEEKDAYS = "一二三四五六日"


def weekday_name(day) -> str:
    """周一…周五 in the user's language (the calendar grid's labels, context "weekday")."""
    return pgettext("weekday", WEEKDAYS[day.weekday()])


@dataclass
class Period:
    name: str
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass
class Notice:
    year: int
    periods: list[Period] = field(default_factory=list)
    workdays: list[tuple[str, dt.date]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def holidays(self) -> set[dt.date]:
        return {d for p in self.periods for d in p.days}


def normalize(text: str) -> str:
    text = text.translate(FULL_WIDTH)
    text = text.replace("\r", "").replace("\u3000", " ")
    return re.sub(r"[ \t]+", "", text)


def _date(raw: str, year: int, month: int | None, *, section: str, before: dt.date | None = None) -> dt.date:
    m = DATE.fullmatch(raw)
    if m is None:
        raise ValueError(gettext("无法识别的日期：{raw}").format(raw=raw))
    y, mo, d = m.group(1), m.group(2), m.group(3)
    month_ = int(mo) if mo else month
    if month_ is None:
        raise ValueError(gettext("日期缺少月份：{raw}").format(raw=raw))
    if y:
        year_ = int(y)
    elif before is not None:  # the end of a range: the same year as its start, or the next one
        year_ = before.year + (1 if month_ < before.month else 0)
    elif month_ == 12 and "元旦" in section:  # 元旦 from the previous December
        year_ = year - 1
    else:
        year_ = year
    try:
        return dt.date(year_, month_, int(d))
    except ValueError:
        raise ValueError(gettext("日期不存在：{year_}年{raw}").format(year_=year_, raw=raw)) from None


def parse(text: str, year: int) -> Notice:
    """The holiday periods and make-up workdays of ``year`` that ``text`` states."""
    notice = Notice(year)
    text = normalize(text)
    starts = list(SECTION.finditer(text))
    if not starts:
        notice.problems.append(gettext("未找到“一、元旦：……”这样的分项，请粘贴通知正文"))
        return notice
    for i, start in enumerate(starts):
        name = start.group(2).strip()
        body = text[start.end(): starts[i + 1].start() if i + 1 < len(starts) else len(text)]
        for sentence in re.split(r"[。;；\n]", body):
            if not sentence or not DATE.search(BRACKETS.sub("", sentence)):
                continue  # no date of its own (a weekday or lunar date in brackets, a reminder)
            try:
                _sentence(notice, name, sentence, year)
            except ValueError as exc:
                notice.problems.append(f"{name}：“{sentence}”——{exc}")
                continue
            _weekdays_said(notice, name, sentence, year)
    seen: dict[dt.date, str] = {}
    for p in notice.periods:
        for d in p.days:
            if d in seen and seen[d] != p.name:
                notice.problems.append(gettext("{d:%Y年%m月%d日}同时列在“{value}”和“{name}”的放假时间中").format(
                    d=d, value=seen[d], name=p.name))
            seen[d] = p.name
    for name, d in notice.workdays:
        if d in seen:
            notice.problems.append(gettext("{d:%Y年%m月%d日}既是放假日（{value}）又是调休上班日（{name}）").format(
                d=d, value=seen[d], name=name))
        if d.weekday() < 5:
            notice.problems.append(gettext("{name}：调休上班日{d:%Y年%m月%d日}是工作日（周{weekday}），请核对").format(
                name=name, d=d, weekday=weekday_name(d)))
    if not notice.periods:
        notice.problems.append(gettext("没有识别出任何放假时间"))
    return notice


SAID_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")


def _weekdays_said(notice: Notice, name: str, sentence: str, year: int) -> None:
    """A weekday the notice writes after a date (“1月1日（周五）”, “（农历腊月二十八、周日）”) is that
    date's: another says the text is not this year's (a notice pasted under the wrong year) or is
    mistyped. Dates are read as the sentence reads them: a day without its month takes the month
    before it, and a range's end may run into the next year."""
    month, before = None, None
    for m in DATE.finditer(sentence):
        try:
            day = _date(m.group(0), year, month, section=name, before=before)
        except ValueError:
            return  # the sentence's own reading reports it
        month, before = day.month, day
        note = re.match(r"\(([^()]*)\)", sentence[m.end():])
        said = SAID_WEEKDAY.search(note.group(1)) if note else None
        if said is None:
            continue
        written = WEEKDAYS.index("日" if said.group(1) == "天" else said.group(1))
        if written != day.weekday():
            notice.problems.append(gettext(
                "{name}：通知写{d:%Y年%m月%d日}是周{said}，按日历是周{weekday}，请核对年份和日期").format(
                name=name, d=day, said=pgettext("weekday", WEEKDAYS[written]), weekday=weekday_name(day)))


def _sentence(notice: Notice, name: str, sentence: str, year: int) -> None:
    plain = BRACKETS.sub("", sentence)
    if "鼓励" in plain or "安排职工" in plain:
        return  # "鼓励各单位……安排职工在除夕休息": advice, not the schedule
    if "上班" in plain and "放假" not in plain:
        _workdays(notice, name, plain, year)
        return
    if "放假" in plain:
        head = plain.split("放假")[0]
        ranged = RANGE.search(head)
        if ranged:
            first = _date(ranged.group(1), year, None, section=name)
            last = _date(ranged.group(2), year, first.month, section=name, before=first)
        else:
            dates = list(DATE.finditer(head))
            if len(dates) != 1:
                raise ValueError(gettext("放假时间应为一天或“某日至某日”"))
            first = last = _date(dates[0].group(0), year, None, section=name)
        if last < first:
            raise ValueError(gettext("放假结束日期早于开始日期"))
        if (last - first).days > 15:
            raise ValueError(gettext("放假时间超过两周，请核对"))
        period = Period(name, first, last)
        stated = DAYS.search(plain)
        if stated and int(stated.group(1)) != len(period.days):
            notice.problems.append(gettext("{name}：通知写“共{group}天”，按日期计算为{len}天，请核对").format(
                name=name, group=stated.group(1), len=len(period.days)))
        notice.periods.append(period)
        # a make-up workday in the same sentence ("……放假调休，共7天，10月8日上班")
        tail = plain.split("放假", 1)[1]
        if "上班" in tail:
            _workdays(notice, name, tail, year)
        return
    raise ValueError(gettext("既不是放假时间也不是调休上班日"))


def _workdays(notice: Notice, name: str, text: str, year: int) -> None:
    """Record every date of ``text`` as a make-up workday; a date without a month ("8日")
    takes the month of the date before it."""
    month = None
    for m in DATE.finditer(text):
        d = _date(m.group(0), year, month, section=name)
        month = d.month
        notice.workdays.append((name, d))
