"""Parcels imported before the GeoJSON import checked ``area_mu`` may hold a number its column cannot
(SQLite stores what it is given: 1e30, -5). Django cannot read such a row back (a decimal beyond
``max_digits``), so the zone's map and every page listing the parcel failed. Their area is emptied —
the parcel, its boundary and its enterprise stay; the map shows it without an area — and the number
is kept in the migration's log line. PostgreSQL refused such values at the time: nothing to do there."""

from django.db import migrations

LIMIT = 10 ** 10  # max_digits 12, decimal_places 2


def empty_impossible_areas(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code, CAST(area_mu AS TEXT) FROM indicators_parcel "
                       "WHERE area_mu IS NOT NULL AND (typeof(area_mu) NOT IN ('integer', 'real') "
                       "OR area_mu >= %s OR area_mu < 0)", [LIMIT])
        bad = cursor.fetchall()
        if bad:
            cursor.execute("UPDATE indicators_parcel SET area_mu = NULL WHERE id IN (%s)" % ",".join("%s" for _ in bad),
                           [row[0] for row in bad])
            print(f"\n  地块面积超出范围，已清空：" + "，".join(f"{code}（{area}）" for _, code, area in bad))


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0012_ranking_pace_label"),
    ]

    operations = [
        migrations.RunPython(empty_impossible_areas, migrations.RunPython.noop),
    ]
