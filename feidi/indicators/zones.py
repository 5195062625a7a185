"""Zone rankings and shares as a leader quotes them: within the city, and among the province's zones
of the same kind ("总量位居全省国家级经开区第二，占全市比重40%以上"). A zone's figure is its published
one (``ZoneFigure``) when entered, else the sum of its enterprises' reported values; growth likewise
(published, else the comparable 同比 of its enterprises). Provinces and cities come from the 6-digit
region code, else from the host region's name.

A share of the city divides by the city's published total (``RegionFigure``) when entered, else by
the sum of the city's zones that reported — and says so; with fewer than two zones reported there is
no share to give (never "占全市100%"). Equal figures share a rank (并列). Real growth of 增加值 is the
published constant-price rate, else the nominal one deflated by the published price index."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import engine
from .models import Indicator
from .models import IndicatorValue
from .models import RegionFigure
from .models import ZoneFigure
from .reads import kept
from .reads import once as _once
from .reads import reading  # noqa: F401 (the dashboard's: zone_figures.reading())

REGION_RE = re.compile(r"^((?:北京市|天津市|上海市|重庆市)|.+?(?:省|自治区|特别行政区))(.+?(?:市|州|盟|地区))?")


def region_keys(zone) -> tuple[str, str]:
    """(province, city) keys of a zone."""
    code = (zone.region_code or "").strip()
    if len(code) == 6 and code.isdigit():
        return code[:2], code[:4] if code[:2] not in ("11", "12", "31", "50") else code[:2]
    m = REGION_RE.match((zone.host_region or "").strip())
    if not m:
        return zone.host_region or "", zone.host_region or ""
    province = m.group(1)
    if province in ("北京市", "天津市", "上海市", "重庆市"):
        return province, province  # a municipality is its own city
    return province, (m.group(2) or province)


@dataclass
class Standing:
    zone: object
    value: Decimal
    growth: float | None
    published: bool


def standings(indicator: Indicator, period: dt.date, zones) -> list[Standing]:
    zones = list(zones)

    def compute():
        published = {f.zone_id: f for f in ZoneFigure.objects.filter(indicator=indicator, period=period,
                                                                      zone__in=zones)}
        computed = {r.key: r for r in engine.yoy(IndicatorValue.objects.filter(zone__in=zones), indicator, period,
                                                 "zone")}
        return _standings(zones, published, computed)

    return _once(("standings", indicator.pk, period, tuple(z.pk for z in zones)), compute)


def prefetch_standings(indicators, period: dt.date, zones) -> None:
    """Within ``reading()``: the standings of several indicators among ``zones`` in two reads (their
    published figures, and one grouped read of the cells), for ``standings`` to find."""
    zones, indicators = list(zones), list(indicators)
    if kept() is None or not indicators:
        return
    published: dict[int, dict] = {}
    for f in ZoneFigure.objects.filter(indicator__in=indicators, period=period, zone__in=zones):
        published.setdefault(f.indicator_id, {})[f.zone_id] = f
    computed = engine.yoy_each(IndicatorValue.objects.filter(zone__in=zones), indicators, period, "zone")
    key = tuple(z.pk for z in zones)
    for i in indicators:
        kept()[("standings", i.pk, period, key)] = _standings(
            zones, published.get(i.pk, {}), {r.key: r for r in computed[i.pk]})


def _standings(zones, published: dict, computed: dict) -> list[Standing]:
    out = []
    for z in zones:
        f, c = published.get(z.pk), computed.get(z.pk)
        if f is not None:
            out.append(Standing(z, f.value, float(f.growth) if f.growth is not None else (c.growth if c else None),
                                True))
        elif c is not None and c.total:
            out.append(Standing(z, c.total, c.growth, False))
    return out


def readable(user, indicator: Indicator, period: dt.date, items: list[Standing]) -> set[int]:
    """The zones among ``items`` whose figures ``user`` may read: those published, and those whose
    every value of the month the user sees — a computed total (and its 同比) is its enterprises'
    data, so another zone's, or a zone's for one of its enterprises, shows only as a rank. The
    month's values are counted once per user within ``reading()`` (a card set's indicators alike)."""
    from django.db.models import Count
    from django.db.models import Q

    computed = [s.zone.pk for s in items if not s.published]
    out = {s.zone.pk for s in items if s.published}
    if not computed or user is None:
        return out | (set(computed) if user is None else set())

    def counts():  # (indicator, zone) → (values, values the user sees), in one grouped read
        mine = Q(pk__in=IndicatorValue.objects.visible_to(user).values("pk"))
        return {(i, z): (n, m) for i, z, n, m in IndicatorValue.objects.filter(period=period, zone__isnull=False)
                .values_list("indicator_id", "zone_id").annotate(n=Count("pk"), m=Count("pk", filter=mine)).order_by()}

    found = _once(("readable", user.pk, period), counts)
    return out | {pk for pk in computed if (n := found.get((indicator.pk, pk))) and n[0] == n[1]}


def rank_of(zone, items: list[Standing]) -> dict | None:
    """The zone's rank by value and by growth among ``items``: equal figures share a rank (并列),
    the next one after a tie skips (competition ranking, as bulletins rank)."""
    by_value = sorted(items, key=lambda s: -s.value)
    mine = next((s for s in by_value if s.zone.pk == zone.pk), None)
    if mine is None:
        return None
    grown = sorted([s for s in items if s.growth is not None], key=lambda s: -s.growth)
    growth_rank = (1 + sum(1 for s in grown if s.growth > mine.growth)) if mine.growth is not None else None
    return {"rank": 1 + sum(1 for s in by_value if s.value > mine.value), "of": len(by_value),
            "tied": sum(1 for s in by_value if s.value == mine.value) > 1,
            "growth_rank": growth_rank, "growth_of": len(grown),
            "growth_tied": mine.growth is not None and sum(1 for s in grown if s.growth == mine.growth) > 1,
            "value": mine.value, "growth": mine.growth, "published": mine.published}


def peers(zone, group: str) -> list:
    """The zones a zone is ranked among: ``city`` (the city's zones), ``province_kind`` (the
    province's zones of its level: 国家级经开区, 国家级高新区, 省级开发区 …) or ``province``."""
    from feidi.registry.models import Zone

    province, city = region_keys(zone)
    candidates = _once(("candidates",), lambda: [
        z for z in Zone.objects.select_related("kind").filter(home_zone__isnull=True, parent__isnull=True)
        if not z.is_enclave])
    if group == "city":
        return [z for z in candidates if region_keys(z)[1] == city]
    if group == "province":
        return [z for z in candidates if region_keys(z)[0] == province]
    if group == "province_kind":
        return [z for z in candidates if region_keys(z)[0] == province and z.kind_id == zone.kind_id]
    raise ValueError(gettext("未知的比较范围：{group}（可选 city、province_kind、province）").format(group=group))


PEER_GROUPS = {"city": _("全市园区"), "province_kind": _("全省同类园区"), "province": _("全省园区")}


def rankings(zone, indicator: Indicator, period: dt.date) -> dict:
    """{"city": …, "province": …, "kind": "国家级经开区"} for one zone."""
    province, city = region_keys(zone)
    return {"city": rank_of(zone, standings(indicator, period, peers(zone, "city"))),
            "province": rank_of(zone, standings(indicator, period, peers(zone, "province_kind"))),
            "kind": zone.kind.label, "province_name": province if not province.isdigit() else gettext("全省"),
            "city_name": city if not city.isdigit() else gettext("全市")}


@dataclass
class Share:
    """A zone's share of its city, with what it was divided by."""

    ratio: float | None
    basis: str  # "published": the city's published total; "reported": the zones that reported; "": none
    note: str
    zones_reported: int
    zones_total: int
    city_total: Decimal | None


def region_figure(level: str, key: str, indicator: Indicator, period: dt.date) -> RegionFigure | None:
    if kept() is None:
        figures = RegionFigure.objects.filter(level=level, indicator=indicator, period=period)
    else:  # the month's published figures of every indicator, read once
        figures = [f for f in _once(("regions", level, period), lambda: list(RegionFigure.objects.filter(
            level=level, period=period))) if f.indicator_id == indicator.pk]
    for figure in figures:
        if figure.matches(key):
            return figure
    return None


def city_share(zone, indicator: Indicator, period: dt.date, user=None) -> Share:
    """占全市比重: over the city's published total when entered, else over the zones that reported —
    for ``user``, only when every zone in that sum is published or one the user sees: another
    zone's computed total is its own data (the rankings show only its rank), and a share of a sum
    of two gives the other's total exactly (own ÷ share − own)."""
    _, city = region_keys(zone)
    city_zones = peers(zone, "city")
    items = standings(indicator, period, city_zones)
    mine = next((s for s in items if s.zone.pk == zone.pk), None)
    reported = [s for s in items if s.value]
    published = region_figure(RegionFigure.Level.CITY, city, indicator, period)
    if mine is None or not mine.value:
        return Share(None, "", gettext("本园区本期无数据"), len(reported), len(city_zones), None)

    def shown() -> set[int]:
        return readable(user, indicator, period, items)

    if user is not None and zone.pk not in shown():  # the share times the city's total is the zone's
        return Share(None, "", "", len(reported), len(city_zones), None)
    if published is not None and published.value:
        return Share(float(mine.value / published.value), "published",
                     gettext("占全市比重按全市公布总量计算（{source}）").format(
                         source=published.source or gettext("地区公布数据")), len(reported),
                     len(city_zones), published.value)
    if len(reported) < 2:
        return Share(None, "", gettext("全市仅{len}个园区有本期数据，且未录入全市公布总量，不计算占全市比重").format(len=len(reported)),
                     len(reported), len(city_zones), None)
    if user is not None:
        if {s.zone.pk for s in reported} - shown():
            return Share(None, "", gettext("占全市比重待录入全市公布总量"),
                         len(reported), len(city_zones), None)
    whole = sum((s.value for s in reported), Decimal(0))
    return Share(float(mine.value / whole), "reported",
                 gettext("占比按已报送的{len}个园区（全市共{len2}个）合计计算，非全市公布总量").format(
                     len=len(reported), len2=len(city_zones)),
                 len(reported), len(city_zones), whole)


def real_growth(indicator: Indicator, period: dt.date, zone=None, nominal: float | None = None) -> tuple[float | None, str]:
    """实际增长 (constant prices): the published rate of the zone, else its nominal growth deflated by
    the zone's or its city's published price index; (None, "") when neither is entered."""
    figure = None
    if zone is not None and kept() is None:
        figure = ZoneFigure.objects.filter(zone=zone, indicator=indicator, period=period).first()
    elif zone is not None:  # the zone's published figures of the month, read once
        figure = _once(("zone_figures", zone.pk, period), lambda: {f.indicator_id: f for f in ZoneFigure.objects.filter(
            zone=zone, period=period)}).get(indicator.pk)
    if figure is not None and figure.real_growth is not None:
        return float(figure.real_growth), gettext("公布的可比价增速（{source}）").format(
            source=figure.source or gettext("园区公布数据"))
    deflator, source = (figure.deflator, figure.source) if figure is not None else (None, "")
    if deflator is None and zone is not None:
        city = region_figure(RegionFigure.Level.CITY, region_keys(zone)[1], indicator, period)
        if city is not None and city.deflator is not None:
            deflator, source = city.deflator, city.source
    if deflator is None or nominal is None:
        return None, ""
    return (1 + nominal) / float(deflator / 100) - 1, gettext("名义增速按价格指数{deflator}折算（{source}）").format(
        deflator=deflator.normalize(), source=source or gettext("公布数据"))


CHINESE = "零一二三四五六七八九十"


def ordinal(n: int) -> str:
    """第二 in Chinese; other languages write the number."""
    if not (get_language() or "zh").startswith("zh"):
        return str(n)
    if n <= 10:
        return CHINESE[n]
    if n < 20:
        return "十" + (CHINESE[n - 10] if n > 10 else "")
    if n < 100:
        return CHINESE[n // 10] + "十" + (CHINESE[n % 10] if n % 10 else "")
    return str(n)


def sentence(zone, indicator: Indicator, period: dt.date) -> str:
    """"1–10月主营业务收入总量位居全省国家级经开区第二、增速第一，全市第一"; equal figures: 并列第二;
    "1月…" in January and "11月从业人员…" for a level (non-cumulative) indicator."""
    r = rankings(zone, indicator, period)
    parts = []
    if r["province"] and r["province"]["of"] > 1:
        p = r["province"]
        text = (gettext("总量位居全省{kind}并列第{rank}（共{of}个）") if p["tied"]
                else gettext("总量位居全省{kind}第{rank}（共{of}个）")).format(
            kind=r["kind"], rank=ordinal(p["rank"]), of=p["of"])
        if p["growth_rank"]:
            text += (gettext("、增速并列第{rank}") if p["growth_tied"] else gettext("、增速第{rank}")).format(
                rank=ordinal(p["growth_rank"]))
        parts.append(text)
    if r["city"] and r["city"]["of"] > 1:
        c = r["city"]
        parts.append((gettext("全市并列第{rank}（共{of}个）") if c["tied"] else gettext("全市第{rank}（共{of}个）")).format(
            rank=ordinal(c["rank"]), of=c["of"]))
    if not parts:
        return ""
    # the period as the release names it (engine.release_label: 1–10月, 1月, 11月 for a level)
    return gettext("{release}{indicator}").format(release=engine.release_label(period, indicator.cumulative, year=False),
                                                  indicator=indicator.name_shown) + gettext("，").join(parts)
