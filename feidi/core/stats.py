"""统计查询: any quotable figure over the platform's records, in one call.

A leader's report is made of sentences such as "1至10月引进项目62个，签约资金322亿元，其中近3个月36个、
102.4亿元" or "科技型中小企业从1711家增至2412家，增长41%". Each app declares here, once, what its records
can answer (a ``Subject``): the records (always through the user's data scope), the dates a window may
bound (签约日期, 开工日期 …, each with the verb a sentence uses), the measures (count, sum of a field,
a figure computed from the rows such as the time taken against the limit), the classifications a
question may filter or break down by (park, chain, programme, tier, label held on the day, status …,
editable dictionaries where the zone defines them) and the numeric fields a band may bound
(签约资金 ≥ 10亿元).

A ``Query`` is read from plain parameters (the page's form, the API, a saved report block: the same
names everywhere, so a question is shareable as a link) and ``evaluate`` answers it: the figures,
the comparison (同比 over the same window a year earlier, 环比 over the window before, or for a
state such as "labels held" the change between two dates), the part within a shorter window
(其中近3个月), the breakdown with each group's share, and the sentence in the house style with its rule
and scope. Counts are of distinct records and sums are taken over distinct records, so a record in
two groups of a multi-valued classification (an enterprise on two chains) counts once in the total
and once in each group.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from decimal import ROUND_HALF_UP
from decimal import Decimal

from django.db.models import Count
from django.db.models import Q
from django.db.models import Sum
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.utils.translation import pgettext_lazy

from feidi.lib.dates import add_months
from feidi.lib.dates import add_years
from feidi.lib.dates import month_end
from feidi.lib.money import change_text
from feidi.lib.money import growth
from feidi.lib.money import percent
from feidi.lib.money import percent_text
from feidi.lib.money import ratio

SUBJECTS: dict[str, Subject] = {}
# The days a question may name (as_of, start, end, a month of the indicators): wide enough for any
# record and its 同比/环比 windows, narrow enough that no shifted window leaves the calendar.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
MAX_GROUPS = 60  # groups of a breakdown shown (the rest are summed as 其他)


class QueryError(ValueError):
    """A question that cannot be asked as put: the message names the parameter, in the user's language."""


# --- declarations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    """One figure of a subject: ``count`` of records, ``sum`` of a field (over the records matching
    ``where``, e.g. the price of sold lots only), or ``computed`` by ``compute(queryset) → (value,
    detail)`` for figures that are not a sum (the time taken against the limit)."""

    key: str
    label: str
    kind: str = "count"  # count | sum | computed
    field: str = ""
    unit: str = ""  # 元 (shown in 万元/亿元), 亩, 人, %; a count uses the subject's unit
    # the records counted: a Q, or a function of the day the figure is of (已入驻 on 1 March 2025:
    # entered by then and not left — a status as it stood that day, not as it stands today)
    where: Q | Callable[[dt.date], Q] | None = None
    compute: Callable | None = None
    verb: str = ""  # a count of some records says its own verb: 办结企业诉求180余件, 成交拍品5项
    noun: str = ""  # …and its own noun where the subject's names more than it counts (已入驻企业, not 已入驻对接企业)
    # the date that bounds this measure when the question names none: a status reached on a day of its
    # own (已确定入驻 on its 确定入驻日期, 在谈 since its 开始洽谈日期), which the subject's first date
    # (入驻日期) would leave out
    date: str = ""

    @property
    def money(self) -> bool:
        return self.unit == "元"


@dataclass(frozen=True)
class Dimension:
    """A classification a question filters or breaks down by.

    ``kind``: ``fk`` (a foreign key, ``model`` names its rows), ``dict`` (an item of the editable list
    ``dict_type``), ``choice`` (a field's fixed choices), ``bool``, or ``label`` (an enterprise label
    held on the question's day, through ``path`` to the enterprise). ``multi``: a record may carry
    several values (a many-to-many, an enterprise on several chains) — filtering then goes through a
    sub-query so that nothing is counted twice. ``inline``: the value is named in the sentence
    ("光伏新能源产业链签约项目…"); otherwise it is said in the rule."""

    key: str
    label: str
    path: str
    kind: str = "fk"
    model: str = ""
    dict_type: str = ""
    choices_of: tuple[tuple[str, str], ...] = ()
    multi: bool = False
    inline: bool = True
    suffix: str = ""  # how a value reads in the sentence: "产业链" after a chain's name
    names_kind: bool = False  # a value names a kind of the records, said instead of the noun: 人才飞地2个
    # the value as it stood on the question's day, where the field says only today's (a project's stage
    # from its stage records, an appeal's status from its dated steps): ``on_day(day)`` → an expression
    # the records are annotated with (``records``), then filtered and grouped on
    on_day: Callable | None = None

    @property
    def alias(self) -> str:
        return f"_on_day_{self.key}"

    def choices(self, user) -> list[tuple[str, str]]:
        """The values a user may pick (fk rows through the user's scope)."""
        if self.kind == "choice":
            return [(str(v), str(label)) for v, label in self.choices_of]
        if self.kind == "bool":
            return [("true", gettext("是")), ("false", gettext("否"))]
        if self.kind in ("dict", "label"):
            from .dictionaries import labels
            from .models import seeded_label

            return [(code, seeded_label(label)) for code, label in labels(self.dict_type or "org_label").items()]
        model = _model(self.model)
        qs = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else model.objects.all()
        return [(str(pk), str(name)) for pk, name in _named(qs)[:500]]

    def labels(self, keys) -> dict[str, str]:
        keys = [k for k in keys if k not in (None, "")]
        if self.kind == "choice":
            return {str(v): str(label) for v, label in self.choices_of}
        if self.kind == "bool":
            yes, no = gettext("是"), gettext("否")
            return {"True": yes, "False": no, "true": yes, "false": no}
        if self.kind in ("dict", "label"):
            from .models import DictItem  # every item, so that a deactivated one still has its name
            from .models import seeded_label

            return {code: seeded_label(label) for code, label in DictItem.objects.filter(
                type__code=self.dict_type or "org_label").values_list("code", "label")}
        model = _model(self.model)
        return {str(pk): str(name) for pk, name in _named(model.objects.filter(pk__in=keys))}

    def q(self, values: list[str], day: dt.date, model) -> Q:
        """Records carrying any of ``values`` (a label: held on ``day``)."""
        if self.kind == "label":
            held = Q()
            for code in values:
                held |= _label_held(self.path, code, day)
            return Q(pk__in=model.objects.filter(held).values("pk"))
        if self.kind == "bool":
            wanted = {v.lower() in ("true", "1", "是", "yes") for v in values}
            condition = Q(**{f"{self.path}__in": list(wanted)})
        elif self.kind == "dict":  # an item by its code: links read f.outcome=land, not an id
            condition = Q(**{f"{self.path}__code__in": values})
        elif self.kind == "fk":
            ids = [int(v) for v in values]
            # a row of a tree (a park and its 分区, a department and its sections) stands for its subtree
            condition = Q(**{f"{self.path}__in": _with_descendants(_model(self.model), ids)})
        else:
            condition = Q(**{f"{self.alias if self.on_day else self.path}__in": values})
        if self.multi:
            return Q(pk__in=model.objects.filter(condition).values("pk"))
        return condition

    @property
    def group_path(self) -> str:
        """What a breakdown groups on: an item's code for a dictionary, the value on the question's day
        where it has one, else the path itself."""
        if self.on_day is not None:
            return self.alias
        return f"{self.path}__code" if self.kind == "dict" else self.path

    def parse(self, text: str, user) -> str:
        """One filter value as given (a key, or the name a person would type) → its key."""
        text = str(text).strip()
        options = self.choices(user)
        for key, label in options:
            if text in (key, label):
                return key
        raise QueryError(gettext("{label}没有“{text}”这一项（可选：{options}）").format(
            label=self.label, text=text[:30], options=_enum(label for __, label in options[:20])))


def _with_descendants(model, ids: list[int]) -> list[int]:
    """``ids`` and, when ``model`` is a tree (a ``parent`` of its own kind), every row under them
    (one query a level)."""
    parent = next((f for f in model._meta.concrete_fields if f.name == "parent"), None)
    if parent is None or parent.related_model is not model:
        return ids
    found, level = set(ids), set(ids)
    while level:
        level = set(model._base_manager.filter(parent_id__in=level).values_list("pk", flat=True)) - found
        found |= level
    return sorted(found)


@dataclass(frozen=True)
class DateField:
    """A date a window may bound, and the verb a sentence says for it (签约 for the signing date).
    ``ends``: a date-time that ends something (a closing): 00:00 sharp is the day before's 24:00
    (``core.calendar.day_ended``), so a window counts it in the day it ended."""

    key: str
    label: str
    verb: str = ""
    ends: bool = False
    # dates that stand in when a record never had this one, in order: a step recorded without the one
    # before it (入驻 entered without a 确定入驻日期 was confirmed by then)
    fallback: tuple[str, ...] = ()


@dataclass(frozen=True)
class Band:
    """A numeric field a question may bound: 签约资金 ≥ 10亿元, 从业人员 ≥ 1000人."""

    field: str
    label: str
    unit: str = ""


@dataclass(frozen=True)
class Subject:
    """What one kind of record can answer. ``as_of``: a state (the records existing, or a label held,
    on a day) rather than events in a window — ``as_of(queryset, day)`` keeps the records of that day,
    and a comparison is between two days."""

    key: str
    label: str
    model: object
    noun: str
    unit: str
    measures: tuple[Measure, ...]
    dates: tuple[DateField, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    bands: tuple[Band, ...] = ()
    as_of: Callable | None = None
    # the records counted at all: a Q, or a function of the day the figures are of (a project terminated
    # in October still counts in August's signings: as the record stood that day)
    base: Q | Callable[[dt.date], Q] | None = None
    base_note: str = ""  # what ``base`` leaves out, said in the rule the sentence is quoted with
    # the records that existed by a day, for a question no date bounds (不限日期) asked of an earlier
    # day: a function of the day → Q, from the dates the records carry (a project signed before it
    # was entered existed then); a subject that declares none counts its records as they are
    existed: Callable[[dt.date], Q] | None = None
    order: int = 100
    help: str = ""
    # a subject whose figures are not sums of records (经济指标: a month's cumulative values and their
    # 同口径 同比): ``answer(query, user) → Answer`` computes them, with its own sentence and rule
    answer: Callable | None = None

    @property
    def permission(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.view_{meta.model_name}"

    def _pick(self, items, key: str, wanted):
        """The declared item named ``key`` (its ``key``, a band its ``field``), else why not."""
        for item in items:
            if getattr(item, "key", None) == key or getattr(item, "field", None) == key and isinstance(item, Band):
                return item
        names = _enum(getattr(i, "key", None) or i.field for i in items)
        raise QueryError(str(wanted).format(subject=self.label, key=key, names=names))

    def measure(self, key: str) -> Measure:
        return self._pick(self.measures, key, _("“{subject}”没有统计项“{key}”（可选：{names}）"))

    def dimension(self, key: str) -> Dimension:
        return self._pick(self.dimensions, key, _("“{subject}”不能按此筛选或分组：“{key}”（可选：{names}）"))

    def date(self, key: str) -> DateField:
        return self._pick(self.dates, key, _("“{subject}”没有日期“{key}”（可选：{names}）"))

    def band(self, key: str) -> Band:
        return self._pick(self.bands, key, _("“{subject}”不能按此分档：“{key}”（可选：{names}）"))


def register(subject: Subject) -> None:
    SUBJECTS[subject.key] = subject


def subjects_for(user) -> list[Subject]:
    """The subjects the user may ask about (the view permission of their records)."""
    return sorted((s for s in SUBJECTS.values() if user.has_perm(s.permission)), key=lambda s: s.order)


def catalogue(user) -> list[dict]:
    """What the page's form and the API offer: each subject with its measures, dates, dimensions
    (with the values this user may pick) and bands."""
    out = []
    for s in subjects_for(user):
        out.append({
            "key": s.key, "label": str(s.label), "noun": str(s.noun), "unit": s.unit, "state": s.as_of is not None,
            "help": str(s.help),
            "measures": [{"key": m.key, "label": str(m.label), "unit": m.unit or s.unit} for m in s.measures],
            "dates": [{"key": d.key, "label": str(d.label)} for d in s.dates],
            "own_dates": any(m.date for m in s.measures),  # date="" bounds each measure by its own
            "dimensions": [{"key": d.key, "label": str(d.label), "choices": d.choices(user)} for d in s.dimensions],
            "bands": [{"field": b.field, "label": str(b.label), "unit": b.unit,
                       "unit_name": str(UNIT_NAMES.get(b.unit, b.unit))} for b in s.bands],
        })
    return out


# --- windows ---------------------------------------------------------------------------------------

WINDOWS = {
    "ytd": _("年初至今（1至N月）"), "month": _("当月"), "last3": _("近3个月"), "last6": _("近6个月"),
    "last12": _("近12个月"), "year": _("全年"), "day": _("当日"), "all": _("累计"), "range": _("自定义起止日期"),
}
COMPARES = {"": _("不比较"), "yoy": _("同比（上年同期）"), "prev": _("环比（上一同长时段）"),
            "change": _("较起始日变化（状态类）")}


@dataclass(frozen=True)
class Window:
    start: dt.date | None  # None: from the beginning (累计)
    end: dt.date
    label: str

    def shifted_year(self, years: int = -1) -> Window:
        """The same window ``years`` earlier (同比). Whole months stay whole months: a window ending
        on a month's last day ends on that month's last day (1–2月 2029 ↔ 2028-01-01…02-29, and
        2028-02 ↔ 2027-02-01…02-28); another day keeps its date (29 February becomes the 28th)."""
        start = add_years(self.start, years) if self.start else None
        end = add_years(self.end, years)
        if self.end == month_end(self.end):
            end = month_end(end)
        return Window(start, end, _range_label(start, end) if start else _until(end))

    def before(self) -> Window:
        """The window of the same length just before (whole months stay whole months)."""
        if self.start is None:
            raise QueryError(gettext("累计口径没有上一时段，请选择同比或指定起止日期"))
        if self.start.day == 1 and self.end == month_end(self.end):
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = add_months(self.start, -months)
            end = self.start - dt.timedelta(days=1)
        else:
            length = (self.end - self.start).days + 1
            end = self.start - dt.timedelta(days=1)
            start = end - dt.timedelta(days=length - 1)
        return Window(start, end, _range_label(start, end))


def window_of(kind: str, as_of: dt.date, start: dt.date | None = None, end: dt.date | None = None) -> Window:
    """A named window ending on ``as_of`` (or the explicit ``start``–``end``)."""
    if kind == "range":
        if start is None or end is None:
            raise QueryError(gettext("自定义时段需要起始日期和截止日期"))
        if start > end:
            raise QueryError(gettext("起始日期晚于截止日期"))
        return Window(start, end, _range_label(start, end))
    if kind == "ytd":
        start = as_of.replace(month=1, day=1)
        return Window(start, as_of, _range_label(start, as_of))
    if kind == "month":
        start = as_of.replace(day=1)
        return Window(start, as_of, _range_label(start, as_of))
    if kind in ("last3", "last6", "last12"):
        # ending on a month's last day: the last N whole months (近3个月 to 2026-02-28 is
        # 2025-12-01…2026-02-28); else the N months back to the day after the same date
        months = int(kind[4:])
        if as_of == month_end(as_of):
            start = add_months(as_of.replace(day=1), 1 - months)
        else:
            start = add_months(as_of, -months) + dt.timedelta(days=1)
        return Window(start, as_of, gettext("近{months}个月").format(months=months))
    if kind == "year":
        return Window(as_of.replace(month=1, day=1), as_of.replace(month=12, day=31),
                      gettext("{year}年").format(year=as_of.year))
    if kind == "day":
        return Window(as_of, as_of, _day(as_of))
    if kind == "all":
        return Window(None, as_of, _until(as_of))
    raise QueryError(gettext("未知的时段“{kind}”（可选：{names}）").format(kind=kind, names=_enum(WINDOWS)))


def _month(month: int) -> str:
    return str(MONTHS[month])


def _day(day: dt.date) -> str:
    """2026年3月1日, 1 March 2026."""
    # xgettext:no-python-brace-format
    return pgettext("stats date", "{year}年{month}月{day}日").format(year=day.year, month=day.month, day=day.day,
                                                  month_name=_month(day.month))


def _until(day: dt.date) -> str:
    return gettext("截至{day}").format(day=_day(day))


def _enum(items) -> str:
    """Items as a list in running text: 甲、乙、丙 / a, b, c."""
    return gettext("、").join(str(i) for i in items)


def _english() -> bool:
    return not (get_language() or "zh").startswith("zh")


def _tidy(text: str) -> str:
    """Fragments joined in a spaced language: no doubled spaces, no space before a comma, a capital
    first letter (a Chinese text is returned as it is)."""
    if not _english():
        return text
    import re

    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r" +([,;:)])", r"\1", text).strip()
    return text[:1].upper() + text[1:]


def _range_label(start: dt.date, end: dt.date) -> str:
    """As reports say it: 2026年1–10月, 2026年10月, 2026年3月1日至5月20日, 2025年11月至2026年1月 (in English
    January–October 2026 …: the translations name the months, {month_name}, instead of numbering them,
    hence the no-python-brace-format marks, a check that would require every number)."""
    whole = start.day == 1 and end == month_end(end)
    names = {"year": start.year, "month": start.month, "day": start.day, "month_name": _month(start.month),
             "end_year": end.year, "end_month": end.month, "end_day": end.day, "end_month_name": _month(end.month)}
    if start.year == end.year:
        if whole:
            if start.month == end.month:
                # xgettext:no-python-brace-format
                return gettext("{year}年{month}月").format(**names)
            # xgettext:no-python-brace-format
            return gettext("{year}年{month}–{end_month}月").format(**names)
        if start == end:
            return _day(start)
        # xgettext:no-python-brace-format
        return gettext("{year}年{month}月{day}日至{end_month}月{end_day}日").format(**names)
    if whole:
        # xgettext:no-python-brace-format
        return gettext("{year}年{month}月至{end_year}年{end_month}月").format(**names)
    return gettext("{start}至{end}").format(start=_day(start), end=_day(end))


# --- the question ----------------------------------------------------------------------------------

@dataclass
class Query:
    subject: Subject
    measures: list[Measure]
    window: Window
    window_kind: str
    date: DateField | None = None
    date_named: bool = False  # the question named its date: it bounds every measure
    filters: dict[str, list[str]] = field(default_factory=dict)
    by: Dimension | None = None
    band: tuple[Band, Decimal | None, Decimal | None] | None = None
    compare: str = ""
    within: Window | None = None
    within_kind: str = ""
    approx: bool = False
    params: dict[str, list[str]] = field(default_factory=dict)

    def date_of(self, measure: Measure) -> DateField | None:
        """The date bounding ``measure``: the question's, unless it named none and the measure has its
        own (date=any: none for every measure)."""
        if self.date is None or self.date_named or not measure.date:
            return self.date
        return self.subject.date(measure.date)

    @property
    def dates(self) -> list[DateField | None]:
        """The dates bounding the measures, each once, in the measures' order."""
        out = []
        for m in self.measures:
            d = self.date_of(m)
            if d not in out:
                out.append(d)
        return out


def _values(params: Mapping, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        found = params.getlist(name)
    else:
        found = params.get(name, [])
        found = found if isinstance(found, (list, tuple)) else [found]
    return [str(v).strip() for v in found if v is not None and str(v).strip()]


def _one(params: Mapping, name: str, default: str = "") -> str:
    found = _values(params, name)
    return found[0] if found else default


def _date_param(params, name: str, label: str) -> dt.date | None:
    text = _one(params, name)
    if not text:
        return None
    from feidi.lib.cells import parse_date

    try:
        day = parse_date(text)
    except ValueError:
        raise QueryError(gettext("{label}“{text}”不是日期（如 2026-10-31）").format(label=label, text=text[:20])) from None
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise QueryError(gettext("{label}“{text}”超出可统计的范围（{first}年至{last}年）").format(
            label=label, text=text[:20], first=FIRST_DAY.year, last=LAST_DAY.year))
    return day


def parse(params: Mapping, user, today: dt.date | None = None) -> Query:
    """A question from its parameters:

    ``subject`` · ``measure`` (repeatable; default the count) · ``date`` (which date the window
    bounds; default the subject's first) · ``window`` (ytd, month, last3, last6, last12, year, day,
    all, range) with ``as_of`` (default today) or ``start``/``end`` · ``compare`` (yoy, prev; change for
    a state) · ``within`` (a shorter window ending on the same day: 其中近3个月) · ``f.<dimension>``
    (repeatable values) · ``by`` (a dimension) · ``band`` (a field) with ``min``/``max`` (万/亿 may be
    written: 10亿) · ``approx`` (1: 180余件)."""
    today = today or timezone.localdate()
    key = _one(params, "subject")
    subject = SUBJECTS.get(key)
    if subject is None:
        raise QueryError(gettext("请选择统计对象（可选：{names}）").format(
            names=_enum(s.key for s in subjects_for(user))))
    if not user.has_perm(subject.permission):
        raise QueryError(gettext("您没有查看“{subject}”的权限").format(subject=subject.label))
    measures = [subject.measure(m) for m in _values(params, "measure")] or [subject.measures[0]]
    as_of = _date_param(params, "as_of", gettext("截止日期")) or today
    kind = _one(params, "window", "all" if subject.as_of else "ytd")
    window = window_of(kind, as_of, _date_param(params, "start", gettext("起始日期")),
                       _date_param(params, "end", gettext("截止日期")))
    date = None
    if subject.as_of is None and _one(params, "date") != ANY_DATE:
        date = subject.date(_one(params, "date")) if _one(params, "date") else (subject.dates[0] if subject.dates else None)
    query = Query(subject, measures, window, kind, date=date, date_named=bool(_one(params, "date")),
                  approx=_one(params, "approx") in ("1", "true", "是"))
    for name in (params.keys() if hasattr(params, "keys") else ()):
        if name.startswith("f.") and _values(params, name):
            dim = subject.dimension(name[2:])
            query.filters[dim.key] = [dim.parse(v, user) for v in _values(params, name)]
    if _one(params, "by"):
        query.by = subject.dimension(_one(params, "by"))
    if _one(params, "band"):
        from feidi.lib.cells import parse_number

        band = subject.band(_one(params, "band"))
        try:
            low, high = (parse_number(_one(params, n) or None) for n in ("min", "max"))
        except ValueError as exc:
            raise QueryError(gettext("分档的界限：{error}").format(error=exc)) from None
        if low is None and high is None:
            raise QueryError(gettext("请填写“{label}”的下限或上限（如 10亿）").format(label=band.label))
        query.band = (band, low, high)
    compare = _one(params, "compare")
    if compare not in COMPARES:
        raise QueryError(gettext("未知的比较方式“{compare}”（可选：yoy、prev、change）").format(compare=compare))
    if compare == "change" and subject.as_of is None:
        raise QueryError(gettext("“{subject}”按时段统计，请用同比（yoy）或环比（prev）").format(subject=subject.label))
    if compare in ("yoy", "prev") and subject.as_of is not None:
        compare = "change_yoy" if compare == "yoy" else compare
    if compare == "change" and window.start is None:
        raise QueryError(gettext("较起始日变化需要起始日期：请选择“年初至今”“自定义起止日期”等时段"))
    query.compare = compare
    within = _one(params, "within")
    if within:
        if within not in ("last3", "last6", "last12", "month", "day"):
            raise QueryError(gettext("“其中”只能是近3个月、近6个月、近12个月、当月或当日"))
        query.within, query.within_kind = window_of(within, window.end), within
    query.params = {k: _values(params, k) for k in (params.keys() if hasattr(params, "keys") else ())
                    if k in PARAMS or k.startswith("f.")}
    return query


ANY_DATE = "any"  # date=any: every record, whatever its dates (在库项目总数)
PARAMS = ("subject", "measure", "date", "window", "as_of", "start", "end", "compare", "within", "by", "band",
          "min", "max", "approx")


# --- evaluation ------------------------------------------------------------------------------------

@dataclass
class Figure:
    measure: Measure
    value: Decimal | None
    detail: str = ""
    text: str = ""  # as the report writes it (set once the question is known)


@dataclass
class Group:
    key: str
    label: str
    figures: list[Figure]
    share: float | None = None


@dataclass
class Answer:
    query: Query
    figures: list[Figure]
    previous: list[Figure] | None = None
    previous_label: str = ""
    within: list[Figure] | None = None
    groups: list[Group] = field(default_factory=list)
    sentence: str = ""
    rule: str = ""
    scope: str = ""
    # the period the figures are of, as the total's row names it (a subject answering for itself
    # names its own: 经济指标 quote the latest month reported, 2026年1–11月, whatever the window)
    period: str = ""

    @property
    def params_text(self) -> str:
        return querystring(self.query.params)

    @property
    def link(self) -> str:
        from django.urls import reverse

        return reverse("core:stats") + "?" + self.params_text

    def as_dict(self) -> dict:
        def figs(items):
            return None if items is None else [
                {"measure": f.measure.key, "label": str(f.measure.label), "value": _number(f.value), "shown": f.text,
                 "detail": f.detail} for f in items]

        return {
            "subject": self.query.subject.key, "sentence": self.sentence, "rule": self.rule, "scope": self.scope,
            "window": {"start": self.query.window.start, "end": self.query.window.end, "label": self.query.window.label},
            "figures": figs(self.figures), "previous": figs(self.previous), "previous_label": self.previous_label,
            "growth": _number(_four(self.growth)), "within": figs(self.within),
            "groups": [{"key": g.key, "label": g.label, "share": g.share, "figures": figs(g.figures)} for g in self.groups],
            "link": self.link,
        }

    @property
    def growth(self) -> Decimal | None:
        if not self.previous:
            return None
        return _growth(self.figures[0].value, self.previous[0].value)


def querystring(params: Mapping[str, list[str]]) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, values in params.items() for v in values])


def _four(value: Decimal | None) -> Decimal | None:
    """A ratio to 4 decimals for the API (rounded half up once, from the exact value)."""
    return None if value is None else value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _growth(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The exact change ratio (unrounded: the sentence rounds it once, ``lib.money.percent``), by
    the one rule of every growth rate (``lib.money.growth``: none without a positive base)."""
    return growth(now, before)


def records(query: Query, user, day: dt.date):
    """The subject's records this user may see, filtered (a label as held on ``day``) and banded,
    no window yet."""
    s = query.subject
    qs = s.model.objects.visible_to(user)
    if s.base is not None:
        qs = qs.filter(s.base(day) if callable(s.base) else s.base)
    used = [s.dimension(key) for key in query.filters] + ([query.by] if query.by is not None else [])
    qs = qs.annotate(**{d.alias: d.on_day(day) for d in used if d.on_day is not None})
    for key, values in query.filters.items():
        qs = qs.filter(s.dimension(key).q(values, day, s.model))
    if query.band is not None:
        band, low, high = query.band
        if low is not None:
            qs = qs.filter(**{f"{band.field}__gte": low})
        if high is not None:
            qs = qs.filter(**{f"{band.field}__lte": high})
    return qs


def _window_q(model, date: DateField, window: Window) -> Q:
    """The records whose ``date`` (or, where empty, its first filled fallback) falls in ``window``."""
    out, empty = Q(), Q()
    for name in (date.key, *date.fallback):
        out |= empty & _field_in_window(model, name, date.ends, window)
        empty &= Q(**{f"{name}__isnull": True})
    return out


def _field_in_window(model, name: str, ends: bool, window: Window) -> Q:
    if model._meta.get_field(name).get_internal_type() == "DateTimeField":
        tz = timezone.get_current_timezone()
        end = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time(), tz)
        start = dt.datetime.combine(window.start, dt.time(), tz) if window.start is not None else None
        if ends:  # (start's 00:00, the end's 24:00]: an end at 24:00 is its own day's
            q = Q(**{f"{name}__lte": end})
            return q & Q(**{f"{name}__gt": start}) if start is not None else q
        q = Q(**{f"{name}__lt": end})
        return q & Q(**{f"{name}__gte": start}) if start is not None else q
    q = Q(**{f"{name}__lte": window.end})
    return q & Q(**{f"{name}__gte": window.start}) if window.start is not None else q


def _in_window(qs, query: Query, window: Window):
    """The records counted over ``window``, and each measure's own window where the measures are
    bounded by different dates (else ``None``: the records are filtered once)."""
    s = query.subject
    if s.as_of is not None:
        return s.as_of(qs, window.end), None
    dates = query.dates
    if dates == [None]:  # no date bounds them: the records there were by the window's end
        return qs.filter(existed_by(s, window.end)), None
    if len(dates) == 1:
        return qs.filter(_window_q(s.model, dates[0], window)), None
    windows = [_window_q(s.model, d, window) if d is not None else None for d in map(query.date_of, query.measures)]
    if None in windows:  # a measure counts every record
        return qs, windows
    either = Q()
    for w in windows:
        either |= w
    return qs.filter(either), windows


def existed_by(subject: Subject, day: dt.date) -> Q:
    """The subject's records that existed by the end of ``day`` (``Subject.existed``): a question of
    31 December 2025 counts no project first heard of in 2026."""
    return subject.existed(day) if subject.existed is not None else Q()


def _where(where: Q | None, window: Q | None) -> Q | None:
    if window is None:
        return where
    return window if where is None else where & window


def _aggregates(measures: list[Measure], windows: list | None = None) -> dict:
    out = {}
    for i, m in enumerate(measures):
        where = _where(m.where, windows[i] if windows else None)
        if m.kind == "count":
            out[f"m{i}"] = Count("pk", distinct=True, filter=where)
        elif m.kind == "sum":
            out[f"m{i}"] = Sum(m.field, filter=where)
            out[f"n{i}"] = Count("pk", filter=where)  # a sum over no record is 0, over unknowns unknown
    return out


def _computed(qs, windows: list | None, i: int):
    """The records measure ``i`` computes over (its own window, when it has one)."""
    window = windows[i] if windows else None
    return qs.filter(window) if window is not None else qs


def _aggregated(found: dict, i: int, m: Measure) -> Decimal | None:
    """Measure ``i`` of an ``_aggregates`` result: a count, or a sum — 0 over no record, unknown (None)
    when every record counted leaves the field empty."""
    value = found.get(f"m{i}")
    if value is not None:
        return Decimal(value)
    return Decimal(0) if m.kind == "count" or not found.get(f"n{i}") else None


def _on_day(measures: list[Measure], day: dt.date) -> list[Measure]:
    """The measures as they count on ``day`` (a ``where`` that is a function of the day, resolved)."""
    return [replace(m, where=m.where(day)) if callable(m.where) else m for m in measures]


def _figures(qs, measures: list[Measure], windows: list | None = None) -> list[Figure]:
    aggregates = _aggregates(measures, windows)
    found = qs.aggregate(**aggregates) if aggregates else {}
    out = []
    for i, m in enumerate(measures):
        if m.kind == "computed":
            value, detail = m.compute(_computed(qs, windows, i))
            out.append(Figure(m, value, detail))
        else:
            out.append(Figure(m, _aggregated(found, i, m)))
    return out


def evaluate(query: Query, user) -> Answer:
    if query.subject.answer is not None:
        answer = query.subject.answer(query, user)
        for figures in [answer.figures, answer.previous or []] + [g.figures for g in answer.groups]:
            for f in figures:
                f.text = shown(f, query)
        answer.scope = scope_label(user, query.subject)
        answer.period = answer.period or period_of(query)
        return answer

    def over(window: Window) -> list[Figure]:
        qs, windows = _in_window(records(query, user, window.end), query, window)
        return _figures(qs, _on_day(query.measures, window.end), windows)

    current, windows = _in_window(records(query, user, query.window.end), query, query.window)
    answer = Answer(query, _figures(current, _on_day(query.measures, query.window.end), windows))
    if query.compare in ("yoy", "change_yoy"):
        answer.previous, answer.previous_label = over(query.window.shifted_year()), gettext("上年同期")
    elif query.compare == "prev":
        answer.previous, answer.previous_label = over(query.window.before()), gettext("上期")
    elif query.compare == "change":
        earlier = Window(None, query.window.start, _day(query.window.start))
        answer.previous, answer.previous_label = over(earlier), _day(query.window.start)
    if query.within is not None:
        start = max(query.within.start, query.window.start) if query.window.start else query.within.start
        answer.within = over(Window(start, query.within.end, query.within.label))
    if query.by is not None:
        answer.groups = _groups(current, query, windows)
    for figures in [answer.figures, answer.previous or [], answer.within or []] + [g.figures for g in answer.groups]:
        for f in figures:
            f.text = shown(f, query)
    answer.scope = scope_label(user, query.subject)
    answer.period = period_of(query)
    answer.sentence = sentence(answer)
    answer.rule = rule(answer)
    return answer


def _groups(qs, query: Query, windows: list | None = None) -> list[Group]:
    dim, measures, model = query.by, _on_day(query.measures, query.window.end), query.subject.model
    if dim.kind == "label" or dim.multi:
        if dim.kind == "label":
            keys = list(dim.labels([]))
        else:
            keys = sorted({str(k) for k in qs.order_by().values_list(dim.group_path, flat=True).distinct()
                           if k is not None})
        names = dim.labels(keys)
        groups = [Group(k, names.get(k, k), _figures(qs.filter(dim.q([k], query.window.end, model)), measures, windows))
                  for k in keys[:MAX_GROUPS]]
    else:
        aggregates = _aggregates(measures, windows)
        path = dim.group_path
        rows = list(qs.order_by().values(path).annotate(**aggregates)) if aggregates else [
            {path: k} for k in qs.order_by().values_list(path, flat=True).distinct()]
        names = dim.labels([str(r[path]) for r in rows if r[path] is not None])
        groups = []
        for r in rows[:MAX_GROUPS]:
            key = r[path]
            figures = []
            for i, m in enumerate(measures):
                if m.kind == "computed":
                    value, detail = m.compute(_computed(qs, windows, i).filter(
                        **({path: key} if key is not None else {f"{path}__isnull": True})))
                    figures.append(Figure(m, value, detail))
                else:
                    figures.append(Figure(m, _aggregated(r, i, m)))
            # an empty choice (a project of no 重点级别) is as unsaid as a missing one, never a blank name
            label = gettext("（未填）") if key is None or key == "" else names.get(str(key), str(key)) or gettext("（未填）")
            groups.append(Group("" if key is None else str(key), label, figures))
    total = _figures(qs, measures[:1], windows[:1] if windows else None)[0].value if measures else None
    for g in groups:
        value = g.figures[0].value if g.figures else None
        g.share = float(value / total) if total and value is not None and measures[0].kind != "computed" else None
    groups = [g for g in groups if any(f.value for f in g.figures)]
    groups.sort(key=lambda g: (-(g.figures[0].value or 0), g.label))
    return groups


# --- the sentence ---------------------------------------------------------------------------------

# How a number reads with its unit: the Chinese measure word, which English leaves to the noun.
UNITS = {
    "个": _("{n}个"), "家": _("{n}家"), "件": _("{n}件"), "名": _("{n}名"), "项": _("{n}项"), "次": _("{n}次"),
    "人": _("{n}人"), "亩": _("{n}亩"),
}
# The unit alone, as a column header says it.
UNIT_NAMES = {
    "元": pgettext_lazy("stats unit", "元"), "个": pgettext_lazy("stats unit", "个"),
    "家": pgettext_lazy("stats unit", "家"), "件": pgettext_lazy("stats unit", "件"),
    "名": pgettext_lazy("stats unit", "名"), "项": pgettext_lazy("stats unit", "项"),
    "次": pgettext_lazy("stats unit", "次"), "人": pgettext_lazy("stats unit", "人"),
    "亩": pgettext_lazy("stats unit", "亩"),
}


def _with_unit(n: str, unit: str) -> str:
    template = UNITS.get(unit)
    return str(template).format(n=n) if template is not None else f"{n}{unit}"


def _approx(n: int) -> str:
    """A report's round figure: 20余 for 23, 180余 for 183, 1000余 for 1036 (tens below 1,000, the
    leading digit from 1,000); a figure already round, or below 10, is said as it is."""
    if n < 10:
        return str(n)
    step = 10 if n < 1000 else 10 ** (len(str(n)) - 1)
    floor = n // step * step
    return gettext("{n}余").format(n=floor) if floor != n else str(n)


def shown(figure: Figure, query: Query) -> str:
    m, value = figure.measure, figure.value
    if value is None:
        return "—"
    if m.kind == "computed" and m.unit == "%":
        return percent_text(value)
    if m.money:
        from feidi.lib.money import human

        return human(value)
    if m.kind == "count":
        n = int(value)
        return _with_unit(_approx(n) if query.approx else str(n), query.subject.unit)
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"
    return _with_unit(text, m.unit)


def _filter_words(query: Query, inline: bool) -> list[str]:
    words = []
    for key, values in query.filters.items():
        dim = query.subject.dimension(key)
        if dim.inline != inline:
            continue
        names = dim.labels(values)
        said = _enum(names.get(v, v) for v in values)
        if dim.kind == "bool":
            said = str(dim.label) if values == ["true"] else gettext("非{label}").format(label=dim.label)
        if inline:
            words.append(gettext("{value}{suffix}").format(value=said, suffix=dim.suffix) if dim.suffix else said)
        else:
            words.append(gettext("{label}：{value}").format(label=dim.label, value=said))
    return words


def _percent(change: Decimal) -> str:
    """增长1.3% / 下降1.3% / 持平 (no change at all): ``lib.money.change_text``."""
    return change_text(change, flat=gettext("持平"))


def _verb_noun(verb: str, noun: str) -> tuple[str, str]:
    """A verb and the subject's noun said once each where they overlap: 入驻 + 入驻企业 → 入驻企业,
    科技型中小企业 + 企业 → 科技型中小企业."""
    verb, noun = str(verb or ""), str(noun or "")
    if noun and verb.endswith(noun):
        return verb, ""
    if verb and verb in noun:  # 兑现 + 惠企政策兑现 → 惠企政策兑现
        return "", noun
    return verb, noun


def _measure_phrase(query: Query, figure: Figure, head: str) -> str:
    """签约项目62个 / 签约资金322.00亿元."""
    if figure.measure.kind == "count":
        verb, noun = _verb_noun(figure.measure.verb or head, figure.measure.noun or query.subject.noun)
        return gettext("{verb}{noun}{n}").format(verb=verb, noun=noun, n=shown(figure, query))
    return gettext("{label}{value}").format(label=figure.measure.label, value=shown(figure, query))


def period_of(q: Query) -> str:
    """The period a query's figures are of: the window, up to its end for a state counted on a day
    (截至…), and 截至目前 when no date bounds them (不限日期) — asked for an earlier day (a back-dated
    report's saved question), the records that existed by then, as they stood (``existed_by``),
    said with that day."""
    if q.subject.as_of is not None:
        return _until(q.window.end)
    if any(d is not None for d in q.dates):
        return q.window.label
    if q.window.end < timezone.localdate():
        return gettext("截至{day}（不限日期）").format(day=_day(q.window.end))
    return gettext("截至目前")


def sentence(answer: Answer) -> str:
    """The figure as a report states it: "2026年1–10月，光伏新能源产业链签约项目62个，签约资金322.00亿元，
    同比增长12.5%；其中近3个月36个、102.40亿元"."""
    q = answer.query
    s = q.subject
    noun_text = str(s.noun)
    when = answer.period or period_of(q)
    first_date = q.date_of(q.measures[0]) if q.measures else q.date
    verb = str(first_date.verb) if first_date is not None else ""
    comma = pgettext("stats", "，")
    scope = "".join(_filter_words(q, inline=True))
    if q.band is not None:
        band, low, high = q.band
        scope = gettext("{label}{range}的{scope}").format(label=band.label, range=_band_words(band, low, high),
                                                          scope=scope)
    # the scope names the records itself: 科技型中小企业 (…企业), 人才飞地 (a kind of 园区与飞地)
    says_noun = scope.endswith(noun_text) or any(
        q.subject.dimension(key).names_kind and q.subject.dimension(key).inline and len(values) == 1
        for key, values in q.filters.items())
    if q.compare == "change" and answer.previous:
        before, now = answer.previous[0], answer.figures[0]
        rose = (now.value or 0) >= (before.value or 0)
        verb, noun = _verb_noun(verb, "" if says_noun else noun_text)
        template = (gettext("{when}，{scope}{verb}{noun}保持{now}（{before_label}亦为{before}）")
                    if (now.value or 0) == (before.value or 0) else  # not 从140家增至140家
                    gettext("{when}，{scope}{verb}{noun}从{before}（{before_label}）增至{now}") if rose else
                    gettext("{when}，{scope}{verb}{noun}从{before}（{before_label}）减至{now}"))
        text = template.format(when=when, scope=scope, verb=verb, noun=noun, before=shown(before, q),
                               before_label=answer.previous_label, now=shown(now, q))
        growth = _growth(now.value, before.value)
        if growth is not None and (now.value or 0) != (before.value or 0):
            text += comma + _percent(growth)
        rest = [_measure_phrase(q, f, verb) for f in answer.figures[1:]]
        if rest:
            text += gettext("；") + comma.join(rest)
        return _tidy(text)
    parts = [_measure_phrase(q, f, verb if i == 0 else "") for i, f in enumerate(answer.figures)]
    # two measures saying the same words and figure (办结企业诉求2件 twice: the count by 办结 date, and 办结) once
    parts = [p for i, p in enumerate(parts) if p not in parts[:i] or answer.previous is not None]
    first = answer.figures[0]
    if first.measure.kind == "count" and not first.measure.verb and says_noun:
        # 科技型中小企业2412家, not …企业企业
        parts[0], scope = gettext("{scope}{verb}{n}").format(scope=scope, verb=verb, n=shown(first, q)), ""
    if answer.previous is not None:
        # each measure's change right after its own figure (the money's 同比 is not the count's)
        yoy = q.compare in ("yoy", "change_yoy")
        template = gettext("{text}，同比{growth}") if yoy else gettext("{text}，环比{growth}")
        for i, (now, before) in enumerate(zip(answer.figures, answer.previous, strict=False)):
            growth = _growth(now.value, before.value)
            if growth is not None:
                parts[i] = template.format(text=parts[i], growth=_percent(growth))
    text = gettext("{when}，{scope}{figures}").format(when=when, scope=scope, figures=comma.join(parts))
    if answer.previous is not None:
        text = gettext("{text}（{label}{figures}）").format(
            text=text, label=answer.previous_label, figures=gettext("、").join(shown(f, q) for f in answer.previous))
    if answer.within is not None:
        text = gettext("{text}；其中{label}{figures}").format(
            text=text, label=q.within.label, figures=gettext("、").join(shown(f, q) for f in answer.within))
    if answer.groups:
        top = answer.groups[:5]
        groups = comma.join(gettext("{label}{value}").format(label=g.label, value=shown(g.figures[0], q)) for g in top)
        if len(answer.groups) > 5:
            groups = gettext("{groups}等").format(groups=groups)
        text = gettext("{text}；按{label}：{groups}").format(text=text, label=q.by.label, groups=groups)
    return _tidy(text)


def _band_words(band: Band, low, high) -> str:
    def amount(v):
        if band.unit == "元":
            from feidi.lib.money import human

            return human(v)
        return _with_unit(f"{v.normalize():f}", band.unit)

    if low is not None and high is not None:
        return gettext("在{low}至{high}之间").format(low=amount(low), high=amount(high))
    if low is not None:
        return gettext("{amount}及以上").format(amount=amount(low))
    return gettext("{amount}及以下").format(amount=amount(high))


def rule(answer: Answer) -> str:
    """口径: what was counted, over which dates, filters and scope."""
    q, s = answer.query, answer.query.subject
    parts = [gettext("统计对象：{subject}").format(subject=s.label)]
    if s.base_note:
        parts.append(str(s.base_note))
    if s.as_of is not None:
        parts.append(gettext("状态日：{day}").format(day=_day(q.window.end)))
    elif any(d is not None for d in q.dates):
        start = _day(q.window.start) if q.window.start else gettext("最早记录")
        if len(q.dates) == 1:
            label = q.dates[0].label
        else:  # 已确定入驻按确定入驻日期、在谈按开始洽谈日期
            label = gettext("、").join(gettext("{measures}按{date}").format(
                measures=gettext("、").join(str(m.label) for m in q.measures if q.date_of(m) == d),
                date=d.label if d is not None else gettext("不限日期")) for d in q.dates)
            parts.append(gettext("{label}，日期在{start}至{end}之间").format(label=label, start=start,
                                                                  end=_day(q.window.end)))
            label = None
        if label is not None:
            parts.append(gettext("{label}在{start}至{end}之间").format(label=label, start=start,
                                                                  end=_day(q.window.end)))
    else:
        parts.append(gettext("不限日期（全部记录）"))
    words = _filter_words(q, inline=False) + [
        gettext("{label}：{value}").format(label=s.dimension(k).label, value=_enum(
            s.dimension(k).labels(v).get(x, x) for x in v)) for k, v in q.filters.items() if s.dimension(k).inline]
    if words:
        parts.append(gettext("筛选：{filters}").format(filters=gettext("；").join(words)))
    if q.band is not None:
        band, low, high = q.band
        parts.append(gettext("分档：{label}{range}").format(label=band.label, range=_band_words(band, low, high)))
    if q.compare in ("yoy", "change_yoy"):
        parts.append(gettext("同比：与上年同一时段比较"))
    elif q.compare == "prev":
        parts.append(gettext("环比：与之前同样长度的时段比较"))
    elif q.compare == "change":
        parts.append(gettext("变化：{start}与{end}两日的状态比较").format(start=_day(q.window.start),
                                                                 end=_day(q.window.end)))
    details = [f.detail for f in answer.figures if f.detail]
    if details:
        parts.append(gettext("；").join(details))
    parts.append(gettext("计数为不重复的记录数（同一记录属于多个分组时在合计中只计一次）"))
    parts.append(gettext("数据范围：{scope}").format(scope=answer.scope))
    return _tidy(gettext("；").join(parts))


def scope_label(user, subject=None) -> str:
    """Whose records a figure counts, as the scope layer applies it (``core.scope``): an
    organization's own (and, for a subject published to all — the market's demands and supplies,
    the auctions' lots — everyone's published ones); for staff, the data scopes of the roles
    granting the subject's view permission (全部数据, 本园区, 本部门, 本人, chosen departments) — the
    roles that decide which records are counted, not the user's department: a cadre with 本人数据
    and an officer with 本园区 work in the same department but count different records."""
    model = getattr(subject, "model", None)
    model = _model(model) if isinstance(model, str) else model
    scope = getattr(model, "scope", None)
    if getattr(user, "organization_id", None):
        if scope is not None and scope.public is not None:
            return gettext("{organization}的数据及公开发布的{noun}").format(organization=user.organization,
                                                                    noun=subject.noun)
        return gettext("{organization}的数据").format(organization=user.organization)
    if model is None or scope is None:
        return gettext("您可见的数据")
    from .scope import DataScope

    meta = model._meta
    roles = user.roles_granting(f"{meta.app_label}.view_{meta.model_name}")
    if any(role.data_scope == DataScope.ALL for role in roles):
        return str(DataScope.ALL.label)
    parts: list[str] = []
    for role in roles:
        part = _role_scope_words(role, user)
        if part and part not in parts:
            parts.append(part)
    text = gettext("、").join(parts) if parts else gettext("无可见数据")
    # what the scope layer adds to every staff scope of the model: the records one's duties link
    # one to (a project's 挂点领导 and 专班, an enterprise's 服务干部, the other half of an enclave),
    # said where there are any, and those published to all
    linked = Q(pk__in=[])
    for relation in (scope.works, scope.also):
        if relation is not None:
            linked |= relation(user)
    if linked != Q(pk__in=[]) and model._base_manager.filter(linked).exists():
        text = gettext("{scope}，及与您的职责关联的{noun}").format(scope=text, noun=subject.noun)
    if scope.public is not None:
        text = gettext("{scope}，及公开发布的{noun}").format(scope=text, noun=subject.noun)
    return text


def _role_scope_words(role, user) -> str:
    """One role's data scope in words, naming the departments it reaches ("" when none)."""
    from .scope import DataScope

    kind, department = role.data_scope, user.department
    named = gettext("{label}（{unit}）")  # the scope's own name, then what it reaches: 本部门（招商局）
    if kind == DataScope.SELF:
        return str(DataScope.SELF.label)
    if kind == DataScope.CUSTOM:
        names = [d.name for d in role.custom_departments.all()]
        return named.format(label=DataScope.CUSTOM.label, unit=gettext("、").join(names)) if names else ""
    if department is None:  # a department scope without a department reaches nothing
        return ""
    if kind == DataScope.ZONE_TREE:
        return gettext("本园区（{zone}）").format(zone=_zone_of(department))
    return named.format(label=DataScope(kind).label, unit=department)  # 本部门, 本部门及以下


def _zone_of(department):
    """The administration (管委会) a department is in — what ``zone_subtree_ids`` reaches from it —
    else the department itself."""
    from feidi.accounts.models import Department

    chain = [int(p) for p in department.path.strip("/").split("/") if p]
    return Department.objects.filter(pk__in=chain, kind=Department.Kind.ZONE).order_by("-path").first() or department


# --- export ---------------------------------------------------------------------------------------

def xlsx_bytes(answer: Answer) -> bytes:
    """The answer as a workbook: the sentence and rule on top, then the figures and the breakdown."""
    from .exports import workbook

    q = answer.query
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet(gettext("统计查询")[:31])
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 2 + len(q.measures) * 2, 16)
    sheet.merge_range(0, 0, 0, 5, answer.sentence, wrap)
    sheet.set_row(0, 60)
    sheet.merge_range(1, 0, 1, 5, gettext("口径：{rule}").format(rule=answer.rule), wrap)
    sheet.set_row(1, 60)
    row = 3
    def unit_name(unit: str) -> str:
        return str(UNIT_NAMES.get(unit, unit))

    measures = [f.measure for f in answer.figures]  # as answered (an indicator's measure carries its unit)

    def column(m) -> str:
        unit = unit_name("元" if m.money else (m.unit or q.subject.unit))
        return gettext("{label}（{unit}）").format(label=m.label, unit=unit) if unit else str(m.label)

    header = [pgettext("stats column", "项目")] + [column(m) for m in measures]
    if answer.previous is not None:
        header += [gettext("{period}{label}").format(period=answer.previous_label, label=m.label) for m in measures]
    for c, text in enumerate(header):
        sheet.write_string(row, c, text, head)
    row += 1

    ratio = book.add_format({"num_format": "0.00%"})

    def write(label: str, figures, previous=None, share=None):
        nonlocal row
        sheet.write_string(row, 0, label)
        for c, f in enumerate(list(figures) + list(previous or []), start=1):
            if f.value is not None:  # a ratio under a （%） header reads as one (0.9999 was read as about 1%)
                sheet.write_number(row, c, float(f.value), ratio if f.measure.unit == "%" else None)
        if share is not None:
            sheet.write_string(row, len(header), percent_text(share))
        row += 1

    write(gettext("合计（{period}）").format(period=answer.period), answer.figures, answer.previous)
    if answer.within is not None:
        write(gettext("其中{period}").format(period=q.within.label), answer.within)
    if answer.groups:
        row += 1
        sheet.write_string(row, 0, gettext("按{label}").format(label=q.by.label), bold)
        sheet.write_string(row, len(header), gettext("占比"), bold)
        row += 1
        for g in answer.groups:
            write(g.label, g.figures, share=g.share)
    book.close()
    return buffer.getvalue()


# --- helpers for the declarations -----------------------------------------------------------------

def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _named(qs):
    names = [f.name for f in qs.model._meta.fields]
    name = next((n for n in ("name", "title", "label") if n in names), None)
    if name is None:
        return [(obj.pk, str(obj)) for obj in qs]
    if hasattr(qs.model, "name_shown"):  # a seeded name in the user's language (an indicator's)
        return [(obj.pk, obj.name_shown) for obj in qs.order_by(name)]
    return qs.order_by(name).values_list("pk", name)


def _label_held(path: str, code: str, day: dt.date) -> Q:
    prefix = f"{path}__" if path else ""
    return Q(**{
        f"{prefix}labels__label__type__code": "org_label", f"{prefix}labels__label__code": code,
        f"{prefix}labels__since__lte": day,
    }) & (Q(**{f"{prefix}labels__until__isnull": True}) | Q(**{f"{prefix}labels__until__gte": day}))


def existing_on(date_field: str):
    """``as_of`` for records that exist from a date on (null: always): the enterprises established by
    the day, the residencies entered by the day."""

    def keep(qs, day: dt.date):
        return qs.filter(Q(**{f"{date_field}__lte": day}) | Q(**{f"{date_field}__isnull": True}))

    return keep


def time_against_limit(start: str, end: str, limit, what=None, on_time: Q | None = None):
    """A computed measure: how much of the allowed time the finished records took — 1 − Σ taken ÷
    Σ allowed (压缩比例), with the on-time share in the detail: finished by the limit, or by the
    subject's own rule (``on_time``: an appeal escalated past its deadline is late whatever the next
    level's). ``limit`` is a field or an expression (an appeal's first level's deadline, kept past
    escalation). Records without an end or a limit are left out and counted in the detail."""

    def compute(qs):
        doing = what or pgettext("stats", "办理")
        field = limit
        if not isinstance(limit, str):
            qs, field = qs.annotate(limit_at=limit), "limit_at"
        finished_qs = qs.filter(**{f"{end}__isnull": False, f"{field}__isnull": False})
        rows = list(finished_qs.values_list(start, end, field))
        taken = allowed = Decimal(0)
        timely = 0
        for begun, finished, due in rows:
            taken += Decimal((finished - begun).total_seconds())
            allowed += Decimal(max((due - begun).total_seconds(), 0))
            timely += finished <= due
        if on_time is not None:
            timely = finished_qs.filter(on_time).count()
        if not rows or not allowed:
            return None, gettext("{what}时限：无已完成的记录").format(what=doing)
        value = 1 - taken / allowed  # exact: shown once, rounded half up (``lib.money.percent``)
        return value, gettext("{what}用时较时限压缩比例＝1－实际用时合计÷时限合计（{finished}件已完成，"
                              "按期{on_time}件，按期率{rate}%）").format(
            what=doing, finished=len(rows), on_time=timely, rate=f"{percent(ratio(timely, len(rows))):f}")

    return compute


# --- report blocks ------------------------------------------------------------------------------

def report_blocks(department, as_of: dt.date) -> list[dict]:
    """The saved questions a department writes into its reports, asked again for the report's day
    (each as its author sees the data): [{"name", "sentence", "rule"}]. A question that no longer
    parses (a classification deleted) is reported as such, not dropped silently."""
    from django.http import QueryDict

    from .models import SavedQuery

    if department is None:
        return []
    out = []
    for saved in SavedQuery.objects.filter(in_reports=True, department=department, user__is_active=True).select_related(
            "user"):
        params = QueryDict(saved.params, mutable=True)
        if params.get("window") != "range":
            params["as_of"] = as_of.isoformat()
        try:
            answer = evaluate(parse(params, saved.user, today=as_of), saved.user)
        except QueryError as exc:
            out.append({"name": saved.name, "sentence": gettext("（该查询已无法计算：{error}）").format(error=exc),
                        "rule": ""})
            continue
        out.append({"name": saved.name, "sentence": answer.sentence, "rule": answer.rule})
    return out


def write_blocks(doc, heading: str, blocks: list[dict]) -> None:
    """The blocks as a report section: the heading, then one paragraph per sentence with its rule
    in a smaller note (nothing when the department keeps no blocks)."""
    from .officedoc import HEITI
    from .officedoc import para

    if not blocks:
        return
    para(doc, heading, font=HEITI)
    for i, block in enumerate(blocks, start=1):
        para(doc, gettext("{n}. {sentence}。").format(n=i, sentence=block["sentence"]))
        if block["rule"]:
            para(doc, gettext("（口径：{rule}）").format(rule=block["rule"]), size=12)
