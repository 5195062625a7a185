"""The zone overview's figures (and their .xlsx export)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import pgettext

from . import engine
from .models import Indicator

HEADLINE = ("revenue", "value_added", "rd", "tax")


def home_zone(user):
    """The zone a staff user works for (its administration, a 管委会, is the user's department or
    above): the nearest one's, and of its zones the whole one before its parts (a park's 产业园 A区
    shares the zone's department) — never left to the database's row order. A bureau of the city
    that runs several stations and enclaves (科技局) works for none of them in particular: None,
    and its figures are the sum over its zones."""
    from django.db.models import F

    from feidi.accounts.models import Department
    from feidi.registry.models import Zone

    dept = user.department
    if dept is None:
        return None
    ids = [d.pk for d in (dept, *dept.ancestors()) if d.kind == Department.Kind.ZONE]
    if not ids:
        return None
    return (Zone.objects.filter(department_id__in=ids, home_zone__isnull=True).select_related("kind")
            .order_by("-department__path", F("parent").asc(nulls_first=True), "pk").first())


def reporting(values, period: dt.date | None = None):
    """The month the overview shows (``engine.reporting_month`` of 主营业务收入): ``period`` when
    asked for, else the latest month whose reporting is complete — with its coverage."""
    revenue = Indicator.objects.filter(code="revenue").first()
    return engine.reporting_month(values, revenue, period) if revenue else None


def figures(user, values, period: dt.date | None, *, brief: bool = False) -> dict:
    """The overview's figures over ``values`` (the user's rows) for ``period``. ``brief`` (the
    cockpit) leaves out what only the zone dashboard shows: the zones' table and the labels."""
    from . import zones as zone_figures

    with zone_figures.reading():  # the card set's standings, published figures and zones read once
        return _figures(user, values, period, brief)


def _figures(user, values, period: dt.date | None, brief: bool) -> dict:
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    out = {"cards": [], "chart": None, "by_chain": [], "by_zone": [], "labels": {}, "period": period}
    if period is None:
        return out
    zone = home_zone(user)
    headline = [indicators[code] for code in HEADLINE if code in indicators]
    # the card set: one grouped read of the cells for all its indicators (total, the zone's own)
    totals = engine.yoy_each(values, headline, period, "total")
    own = engine.yoy_each(values, headline, period, "zone") if zone is not None else {}
    if zone is not None:
        from .zones import peers
        from .zones import prefetch_standings

        prefetch_standings(headline, period, peers(zone, "city"))
    own_row = {}
    for i in headline:
        # a zone's own figure, else the sum over the user's zones — both after 飞地利益共享 (engine)
        total = next(iter(totals[i.pk]), None)
        if zone is not None:
            mine = next((r for r in own[i.pk] if r.key == zone.pk), None)
            own_row[i.code] = mine is not None
            total = mine or total
        card = {"indicator": i, "total": total.total if total else Decimal(0),
                "shared": total.shared if total else Decimal(0), "growth": total.growth if total else None,
                "count": total.count if total else 0, "month": total.month_value if total else None,
                "month_growth": total.month_growth if total else None,
                "month_left_out": total.month_left_out if total else 0, "share": None, "share_note": "",
                # 同口径: an enterprise of this year's scope without a row a year earlier counts 0 there
                # (issue 13's rule); the card says how many, as the statistics sentence does
                "unpaired": (total.count - total.comparable_count) if total and total.growth is not None else 0,
                "real_growth": None, "real_note": ""}
        if zone is not None and total is not None:
            from .zones import city_share
            from .zones import real_growth

            share = city_share(zone, i, period, user)
            card["share"], card["share_note"] = share.ratio, share.note
            card["real_growth"], card["real_note"] = real_growth(i, period, zone, total.growth)
        out["cards"].append(card)
    # whose the cards are: the user's own zone's when it has figures (the page's reporting line and
    # the analysis total count every zone the user sees — 111 enterprises against the card's 110)
    out["cards_of"] = zone.name if zone is not None and any(own_row.values()) else ""
    revenue = indicators.get("revenue")
    if revenue:
        # each month's 当月 on the cards' basis: the zone's own after sharing, else the user's zones'
        by, key = ("zone", zone.pk) if own_row.get(revenue.code) else ("total", None)
        start = dt.date(period.year - 1, 1, 1)
        months_read = [engine.add_months(start, n) for n in range(12 + period.month)]
        found = engine.yoy_months(values, revenue, months_read, by)

        def month_value(day: dt.date):
            row = next((r for r in found.get(day, []) if r.key == key), None)
            return None if row is None else row.month_value

        # as releases give it: 1–2月 together (1月 alone only while January is the latest month), then 3–12月
        months = [1] + list(range(3, 13)) if period.month == 1 else list(range(2, 13))

        def wan(v):
            return None if v is None else float((v / 10000).quantize(Decimal("0.01")))

        out["chart"] = {
            "months": [pgettext("release", "1–2月") if m == 2 else engine.month_name(m) for m in months],
            "this_year": [wan(month_value(dt.date(period.year, m, 1))) if m <= period.month else None for m in months],
            "last_year": [wan(month_value(dt.date(period.year - 1, m, 1))) for m in months],
            "chains": [], "chain_values": [],
        }
        out["by_chain"] = engine.yoy(values, revenue, period, "chain")
        if not brief:
            out["by_zone"] = engine.yoy(values, revenue, period, "zone")
        out["chart"]["chains"] = [r.label for r in out["by_chain"]]
        out["chart"]["chain_values"] = [wan(r.total) for r in out["by_chain"]]
        rd = indicators.get("rd")
        if rd is not None and rd.pk in totals:
            rows = own if own_row.get(revenue.code) else totals
            key = zone.pk if own_row.get(revenue.code) else None
            intensity = rd_intensity(next((r for r in rows.get(rd.pk, []) if r.key == key), None),
                                     next((r for r in rows.get(revenue.pk, []) if r.key == key), None))
            if intensity is not None:
                out["rd_intensity"] = float(intensity)
    from feidi.registry.models import Organization

    if zone is not None and revenue:
        from .zones import sentence

        out["standing"] = sentence(zone, revenue, period)
    if brief:
        return out
    visible = Organization.objects.visible_to(user)
    # the trend's last month is the month's counts: one read of the labels answers both
    trend = engine.labelled_trend(visible, period)
    out["labels"] = {label: counts[-1] for label, counts in trend["series"].items() if counts[-1]}
    if out["chart"] is not None:
        out["chart"]["labels"] = trend
    return out


def rd_intensity(rd, revenue) -> Decimal | None:
    """研发投入强度 = R&D ÷ revenue of the same enterprises, both before 飞地利益共享: an agreement
    moves part of an enterprise's revenue (统计分算) to the other zone but none of its R&D, so the
    R&D of a zone's enterprises over their revenue after sharing would be two bases in one ratio.
    ``rd`` and ``revenue`` are the same grouping's rows (``engine.Row``, the zone's own or the
    user's zones' total); the revenue before sharing is its total less what sharing moved
    (``Row.shared``). None without R&D or revenue."""
    if rd is None or revenue is None:
        return None
    before = revenue.total - revenue.shared
    if before <= 0:
        return None
    return (rd.total - rd.shared) / before


def xlsx(data: dict) -> bytes:
    from feidi.core.exports import workbook

    buffer = io.BytesIO()
    book = workbook(buffer)
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    pct = book.add_format({"num_format": "0.0%"})
    num = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet(gettext("主要指标"))
    period = data.get("period")
    sheet.write(0, 0, gettext("截至{period:%Y年%m月}").format(period=period) if period else gettext("暂无数据"))
    for c, h in enumerate([gettext("指标"), gettext("单位"), gettext("累计值"), gettext("同比（同口径）"),
                           gettext("占全市比重")]):
        sheet.write(1, c, h, head)
    for r, card in enumerate(data["cards"], start=2):
        sheet.write(r, 0, str(card["indicator"]))
        sheet.write(r, 1, card["indicator"].unit_shown)
        sheet.write_number(r, 2, float(card["total"]), num)
        for c, key in ((3, "growth"), (4, "share")):
            if card[key] is not None:
                sheet.write_number(r, c, card[key], pct)
    sheet.set_column(0, 4, 16)
    for name, first, rows in ((gettext("分产业链"), gettext("产业链"), data["by_chain"]),
                              (gettext("分园区"), gettext("园区"), data["by_zone"])):
        s = book.add_worksheet(name)
        for c, h in enumerate([first, gettext("主营业务收入（元）"), gettext("企业数"), gettext("同比（同口径）")]):
            s.write(0, c, h, head)
        for r, row in enumerate(rows, start=1):
            s.write(r, 0, row.label)
            s.write_number(r, 1, float(row.total), num)
            s.write_number(r, 2, row.count)
            if row.growth is not None:
                s.write_number(r, 3, row.growth, pct)
        s.set_column(0, 3, 18)
    labels = book.add_worksheet(gettext("认定企业"))
    for r, (name, n) in enumerate(data["labels"].items()):
        labels.write(r, 0, name)
        labels.write_number(r, 1, n)
    book.close()
    return buffer.getvalue()
