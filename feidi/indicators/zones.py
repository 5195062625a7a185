"""Zone rankings as a leader quotes them: within the city, and among the province's zones of the
same kind ("总量位居全省国家级经开区第二"). A zone's figure is its published one (``ZoneFigure``)
when entered, else the sum of its enterprises' reported values; growth likewise (published, else
the comparable 同比 of its enterprises). Provinces and cities come from the 6-digit region code,
else from the host region's name."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from . import engine
from .models import Indicator, IndicatorValue, ZoneFigure

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
    published = {f.zone_id: f for f in ZoneFigure.objects.filter(indicator=indicator, period=period,
                                                                  zone__in=zones)}
    computed = {r.key: r for r in engine.yoy(IndicatorValue.objects.filter(zone__in=zones), indicator, period, "zone")}
    out = []
    for z in zones:
        f, c = published.get(z.pk), computed.get(z.pk)
        if f is not None:
            out.append(Standing(z, f.value, float(f.growth) if f.growth is not None else (c.growth if c else None),
                                True))
        elif c is not None and c.total:
            out.append(Standing(z, c.total, c.growth, False))
    return out


def rank_of(zone, items: list[Standing]) -> dict | None:
    by_value = sorted(items, key=lambda s: -s.value)
    mine = next((s for s in by_value if s.zone.pk == zone.pk), None)
    if mine is None:
        return None
    grown = sorted([s for s in items if s.growth is not None], key=lambda s: -s.growth)
    return {"rank": 1 + sum(1 for s in by_value if s.value > mine.value), "of": len(by_value),
            "growth_rank": (1 + sum(1 for s in grown if s.growth > mine.growth)) if mine.growth is not None else None,
            "growth_of": len(grown), "value": mine.value, "growth": mine.growth}


def rankings(zone, indicator: Indicator, period: dt.date) -> dict:
    """{"city": …, "province": …, "kind": "国家级经开区"} for one zone."""
    from feidi.registry.models import Zone

    province, city = region_keys(zone)
    candidates = [z for z in Zone.objects.select_related("kind").filter(home_zone__isnull=True, parent__isnull=True)
                  if not z.is_enclave]
    same_city = [z for z in candidates if region_keys(z)[1] == city]
    same_kind = [z for z in candidates if region_keys(z)[0] == province and z.kind_id == zone.kind_id]
    return {"city": rank_of(zone, standings(indicator, period, same_city)),
            "province": rank_of(zone, standings(indicator, period, same_kind)),
            "kind": zone.kind.label, "province_name": province if not province.isdigit() else "全省",
            "city_name": city if not city.isdigit() else "全市"}


CHINESE = "零一二三四五六七八九十"


def ordinal(n: int) -> str:
    if n <= 10:
        return CHINESE[n]
    if n < 20:
        return "十" + (CHINESE[n - 10] if n > 10 else "")
    if n < 100:
        return CHINESE[n // 10] + "十" + (CHINESE[n % 10] if n % 10 else "")
    return str(n)


def sentence(zone, indicator: Indicator, period: dt.date) -> str:
    """"1–10月主营业务收入总量位居全省国家级经开区第二、增速第一，全市第一"."""
    r = rankings(zone, indicator, period)
    parts = []
    if r["province"] and r["province"]["of"] > 1:
        p = r["province"]
        text = f"总量位居全省{r['kind']}第{ordinal(p['rank'])}（共{p['of']}个）"
        if p["growth_rank"]:
            text += f"、增速第{ordinal(p['growth_rank'])}"
        parts.append(text)
    if r["city"] and r["city"]["of"] > 1:
        parts.append(f"全市第{ordinal(r['city']['rank'])}（共{r['city']['of']}个）")
    if not parts:
        return ""
    return f"1–{period.month}月{indicator.name}" + "，".join(parts)
