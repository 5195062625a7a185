"""Maps from local GeoJSON: the city's districts from the npm package, a zone's parcels imported
all-or-nothing and coloured by 亩均 class; nothing fetched from outside (browser test)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feidi.indicators import geo
from feidi.indicators.models import MuResult
from feidi.indicators.models import MuRule
from feidi.indicators.models import Parcel


def square(lon, lat, size=0.002):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                 [lon, lat + size], [lon, lat]]]}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features]}).encode()


def test_the_city_boundaries_come_from_the_package_on_disk(cast, client_for):
    assert "3611" in geo.city_index()  # 上饶市, found by its districts' codes
    r = client_for("leader").get(reverse("indicators:geo_city", args=["3611"]))
    body = json.loads(b"".join(r.streaming_content) if r.streaming else r.content)
    names = {f["properties"]["name"] for f in body["features"]}
    assert r["Content-Type"] == "application/geo+json" and {"信州区", "广丰区", "婺源县"} <= names
    assert client_for("leader").get(reverse("indicators:geo_city", args=["9999"])).status_code == 404
    cast.zone_a.region_code = "361102"
    assert geo.zone_point(cast.zone_a) == pytest.approx((117.966268, 28.431006))


def test_the_city_map_places_the_zones(cast, client_for):
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import ZoneFigure

    for zone, code in ((cast.zone_a, "361100"), (cast.zone_b, "361102")):
        zone.region_code = code
        zone.save()
    revenue = Indicator.objects.get(code="revenue")
    ZoneFigure.objects.create(zone=cast.zone_b, indicator=revenue, period=dt.date(2026, 3, 1), value=Decimal(5e9))
    page = client_for("leader").get(reverse("indicators:city_map")).content.decode()
    data = json.loads(page.split('id="city-map-data" type="application/json">')[1].split("</script>")[0])
    assert {p["name"] for p in data["points"]} == {"上饶经开区", "另一园区"}
    assert data["geo_url"] == "/indicators/maps/geo/3611.json"


def test_the_city_map_shows_a_zones_computed_total_only_to_whoever_sees_every_value_in_it(cast, client_for):
    """A zone's total computed from its enterprises' values is their data: the other zone's user, and
    an enterprise of the zone itself, see where the zone is, not its total or 同比; a published figure
    shows to all — as the rankings API says, and the share of the city is withheld alike."""
    from feidi.indicators import actions
    from feidi.indicators.models import Indicator
    from feidi.indicators.models import ZoneFigure

    for zone, code in ((cast.zone_a, "361100"), (cast.zone_b, "361102")):
        zone.region_code = code
        zone.save()
    revenue = Indicator.objects.get(code="revenue")
    march = dt.date(2026, 3, 1)
    actions.bulk_upsert([actions._row(org, revenue, march, Decimal(value), acting_user=None, source="import")
                         for org, value in ((cast.org_a1, 1200), (cast.org_a2, 800), (cast.org_b1, 700))])

    def points(user):
        page = client_for(user).get(reverse("indicators:city_map"), {"city": "3611"}).content.decode()
        data = json.loads(page.split('id="city-map-data" type="application/json">')[1].split("</script>")[0])
        return {p["name"]: (p["value"][2], p["withheld"]) for p in data["points"]}

    assert points("leader")["上饶经开区"] == (2000.0, False)
    assert points("leader")["另一园区"] == (0, True)
    assert points("ent_a")["上饶经开区"] == (0, True)  # one of the zone's enterprises: not the others' data
    api = client_for("leader").get(f"/api/v1/indicators/zones/{cast.zone_a.pk}/rankings",
                                   {"indicator": "revenue", "period": "2026-03", "peers": "city"}).json()
    assert {s["zone"]: s["value"] and Decimal(s["value"]) for s in api["standings"]} == {"上饶经开区": 2000, "另一园区": None}
    ZoneFigure.objects.create(zone=cast.zone_b, indicator=revenue, period=march, value=Decimal(900))
    assert points("leader")["另一园区"] == (900.0, False)


def test_parcels_import_all_or_nothing_and_take_their_enterprises_class(cast, client_for):
    from feidi.accounts.models import Role

    cast.clerk.roles.add(Role.objects.get(code="statistics"))
    c = client_for("clerk")
    bad = collection(({"code": "A-01", "uscc": cast.org_a1.uscc, "area_mu": 30}, square(117.96, 28.43)),
                     ({"code": "A-02"}, {"type": "Point", "coordinates": [117.9, 28.4]}),
                     ({"code": "A-03"}, square(10, 10)),
                     ({"code": "A-04", "uscc": cast.org_b1.uscc}, square(117.97, 28.43)),
                     ({"code": "A-01"}, square(117.98, 28.43)))
    page = c.post(reverse("indicators:zone_map"), {"zone": cast.zone_a.pk,
                                                   "file": SimpleUploadedFile("p.geojson", bad)}).content.decode()
    assert not Parcel.objects.exists()
    for n, text in ((2, "Polygon"), (3, "不在中国境内"), (4, "不在您的管理范围"), (5, "重复")):
        assert f"第 {n} 个地块" in page and text in page
    good = collection(({"code": "A-01", "uscc": cast.org_a1.uscc, "area_mu": 30}, square(117.96, 28.43)),
                      ({"code": "A-02", "uscc": cast.org_a2.uscc}, square(117.965, 28.43)),
                      ({"code": "A-03"}, square(117.97, 28.43)))
    r = c.post(reverse("indicators:zone_map"), {"zone": cast.zone_a.pk, "file": SimpleUploadedFile("p.geojson", good)})
    assert r.status_code == 302 and Parcel.objects.filter(zone=cast.zone_a).count() == 3
    rule = MuRule.objects.create(department=cast.dept_a, year=2025)
    MuResult.objects.create(rule=rule, organization=cast.org_a1, department=cast.dept_a, zone=cast.zone_a, land=30,
                            tax=1, revenue=1, rd=0, m_tax=1, m_output=1, m_rd=0, score=120, grade="A")
    page = client_for("leader").get(reverse("indicators:zone_map"), {"zone": cast.zone_a.pk}).content.decode()
    data = json.loads(page.split('id="zone-map-data" type="application/json">')[1].split("</script>")[0])
    assert {f["properties"]["name"]: f["properties"]["grade"] for f in data["features"]} == {
        "A-01": "A", "A-02": "", "A-03": ""}
    # another zone's staff sees none of it
    other = client_for("other_pmo").get(reverse("indicators:zone_map"), {"zone": cast.zone_a.pk})
    assert other.status_code in (200, 403) and "A-01" not in other.content.decode()
