"""The maintained cells (IndicatorCell) always equal a from-scratch computation over the rows —
after a report, an update, an import, a 规上 label change, a zone change and a deleted enterprise —
and 同比 answered from them equals 同比 over the rows for every grouping and scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from feidi.accounts import actions as account_actions
from feidi.accounts.models import Role
from feidi.accounts.models import User
from feidi.core.actions import delete_object
from feidi.core.models import DictItem
from feidi.indicators import actions
from feidi.indicators import cells
from feidi.indicators import engine
from feidi.indicators import importing
from feidi.indicators.models import Indicator
from feidi.indicators.models import IndicatorCell
from feidi.indicators.models import IndicatorValue
from feidi.registry import actions as registry_actions
from feidi.registry.models import OrganizationLabel
from feidi.testing.cast import make_org

from .test_indicators import sheet

D = Decimal
GROUPINGS = ("total", "zone", "industry", "zone_industry")


def ind(code) -> Indicator:
    return Indicator.objects.get(code=code)


def put(org, code, period, value, acting_user=None):
    actions.bulk_upsert([actions._row(org, ind(code), period, D(value), acting_user=acting_user, source="import")])


def expected_cells() -> dict:
    """The cells computed in Python from the rows and labels, independently of cells.py's SQL."""
    rows = list(IndicatorValue.objects.values_list("organization_id", "indicator_id", "period", "value", "zone_id",
                                                   "department_id", "industry"))
    value_of = {(o, i, p): v for o, i, p, v, *_ in rows}
    labels = list(OrganizationLabel.objects.filter(label__type__code="org_label", label__code="above_scale")
                  .values_list("organization_id", "since", "until"))
    out: dict = defaultdict(lambda: [D(0), 0, D(0), 0, D(0), D(0), 0, 0])
    for o, i, p, v, zone, dept, industry in rows:
        above = any(org == o and since <= engine.month_end(p) and (until is None or until >= p)
                    for org, since, until in labels)
        cell = out[(i, p, zone, dept, industry, above)]
        cell[0] += v
        cell[1] += 1
        # this month's set: an enterprise without a row a year earlier counts 0 there
        was = value_of.get((o, i, engine.add_months(p, -12)))
        if was is not None:
            cell[2] += was
            cell[3] += 1
        if p.month >= 3:  # 当月 subtracts the month before, never for January or 1–2月
            prev = value_of.get((o, i, engine.add_months(p, -1)))
            prev_was = value_of.get((o, i, engine.add_months(p, -13)))
            if prev is None:  # no 当月 without the month before: left out (adds v − v = 0)
                cell[4] += v
                cell[5] += was or D(0)
                cell[6] += 1
            else:
                cell[4] += prev
                cell[5] += prev_was or D(0)
                cell[7] += (was is None) != (prev_was is None)  # its 当月 a year earlier is unknown
    return {k: tuple(v) for k, v in out.items()}


def stored_cells() -> dict:
    found = {}
    for c in IndicatorCell.objects.all():
        key = (c.indicator_id, c.period, c.zone_id, c.department_id, c.industry, c.above_scale)
        assert key not in found, f"two cells for {key}"
        found[key] = (c.total, c.count, c.comparable_before, c.comparable_count, c.previous, c.previous_before,
                      c.month_left_out, c.month_unpaired)
    return found


def assert_cells_agree():
    assert stored_cells() == expected_cells()


def by_rows(values, indicator, period, by, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(engine, "cells_for", lambda *a, **k: None)
        return engine.yoy(values, indicator, period, by)


def as_dict(rows):
    return {r.key: (r.label, r.total, r.count, r.comparable_now, r.comparable_before, r.comparable_count, r.shared,
                    r.previous, r.previous_before, r.month_left_out, r.month_unpaired) for r in rows}


def city_user(cast) -> User:
    user = User(username="city", full_name="市领导", department=cast.city)
    account_actions.do_create_user(user, password="Cast#Passw0rd!", roles=[Role.objects.get(code="city_leader")],
                                   acting_user=None)
    return user


def importer(cast) -> User:
    """The zone's statistics officer: an indicator import matches the enterprises of its add scope."""
    from feidi.accounts.models import Role

    cast.leader.roles.add(Role.objects.get(code="statistics"))
    return User.objects.get(pk=cast.leader.pk)


def label(org, since, until=None):
    item = DictItem.objects.get(type__code="org_label", code="above_scale")
    return registry_actions.do_save_label(OrganizationLabel(organization=org, label=item, since=since, until=until),
                                          acting_user=None)


MARCH, MARCH_BEFORE = dt.date(2026, 3, 1), dt.date(2025, 3, 1)


@pytest.fixture
def data(cast):
    """Two zones, an enterprise new this year, one gone this year, one 规上 all along."""
    new, gone = make_org("丁新投产企业", cast.zone_a), make_org("戊迁出企业", cast.zone_b)
    for org, before, now in ((cast.org_a1, 100, 130), (cast.org_a2, 50, 40), (cast.org_b1, 70, 77),
                             (new, None, 20), (gone, 30, None)):
        for period, value in ((MARCH_BEFORE, before), (MARCH, now)):
            if value is not None:
                put(org, "revenue", period, value)
                put(org, "value_added", period, value / 2)
    label(cast.org_a1, dt.date(2020, 1, 1))
    return {"new": new, "gone": gone}


def test_cells_follow_a_report_and_an_update_and_pair_a_year_later(cast):
    month = dict(revenue="1000", tax="100", employees="200")
    values = {ind(k): D(v) for k, v in month.items()}
    actions.report_month(cast.org_a1, MARCH_BEFORE, values, acting_user=cast.ent_a, confirm=True)
    assert_cells_agree()
    actions.report_month(cast.org_a1, MARCH, {**values, ind("revenue"): D(1200)}, acting_user=cast.ent_a, confirm=True)
    assert_cells_agree()
    cell = IndicatorCell.objects.get(indicator=ind("revenue"), period=MARCH)
    assert (cell.total, cell.comparable_before, cell.comparable_count) == (1200, 1000, 1)
    # last year's value corrected: this year's comparable base moves with it
    actions.report_month(cast.org_a1, MARCH_BEFORE, {**values, ind("revenue"): D(800)}, acting_user=cast.ent_a,
                         confirm=True)
    assert_cells_agree()
    assert IndicatorCell.objects.get(indicator=ind("revenue"), period=MARCH).comparable_before == 800


@pytest.mark.parametrize("small_write", [cells.SMALL_WRITE, 0], ids=["pairs", "whole-slices"])
def test_an_import_recomputes_the_cells_in_its_transaction(cast, monkeypatch, small_write, data):
    monkeypatch.setattr(cells, "SMALL_WRITE", small_write)
    rows = [[cast.org_a1.uscc, "", "2025-04", 200, 10, 5], [cast.org_a1.uscc, "", "2026-04", 260, 12, 5],
            [cast.org_a2.uscc, "", "2026-03", 45, 3, 2], [cast.org_a2.uscc, "", "2026-04", 90, 6, 2]]
    # values stored already are replaced only once confirmed (the import says old → new first)
    outcome = importing.run(sheet(rows), "指标.xlsx", importer(cast), confirmed=True)
    assert outcome.applied, outcome.errors
    assert_cells_agree()


def test_a_large_import_copies_new_keys_and_overwrites_stored_ones(cast, monkeypatch, data):
    # as an import of more than FRESH_CHECK values: the new keys by COPY, the stored ones by ON CONFLICT
    monkeypatch.setattr(actions, "FRESH_CHECK", 0)
    march = f"{MARCH:%Y-%m}"
    rows = [[cast.org_a1.uscc, "", march, 140, 10, 5], [data["new"].uscc, "", march, 25, 3, 2],
            [cast.org_a2.uscc, "", "2026-04", 90, 6, 2]]
    # values stored already are replaced only once confirmed (the import says old → new first)
    outcome = importing.run(sheet(rows), "指标.xlsx", importer(cast), confirmed=True)
    assert outcome.applied, outcome.errors
    revenue = dict(IndicatorValue.objects.filter(indicator=ind("revenue"), period=MARCH)
                   .values_list("organization_id", "value"))
    assert revenue[cast.org_a1.pk] == 140 and revenue[data["new"].pk] == 25 and revenue[cast.org_a2.pk] == 40
    assert IndicatorValue.objects.get(organization=cast.org_a2, indicator=ind("tax"), period=dt.date(2026, 4, 1)).value == 6
    assert IndicatorValue.objects.filter(organization=cast.org_a1, indicator=ind("revenue"), period=MARCH).count() == 1
    assert_cells_agree()


def test_a_crash_mid_import_leaves_neither_rows_nor_cells(cast, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("审计写入失败")

    monkeypatch.setattr(importing.audit, "record", boom)  # after the rows and cells are written
    with pytest.raises(RuntimeError):
        importing.run(sheet([[cast.org_a1.uscc, "", "2026-01", 100, 10, 5]]), "指标.xlsx", importer(cast))
    assert not IndicatorValue.objects.exists() and not IndicatorCell.objects.exists()


def test_a_label_added_changed_or_removed_moves_the_enterprise_between_cells(cast, data, monkeypatch):
    va = ind("value_added")
    first = label(cast.org_a2, dt.date(2026, 1, 1))  # enters 规上 this year
    assert_cells_agree()
    first.until = dt.date(2026, 2, 28)  # ends before March
    registry_actions.do_save_label(first, acting_user=None)
    assert_cells_agree()
    delete_object(first, acting_user=None)
    assert_cells_agree()
    everyone = IndicatorValue.objects.all()
    assert as_dict(engine.yoy(everyone, va, MARCH)) == as_dict(by_rows(everyone, va, MARCH, "total", monkeypatch))


def test_an_enterprise_moving_zone_keeps_its_history_where_it_happened(cast, data):
    org = cast.org_a1
    org.zone = cast.zone_b
    registry_actions.do_save_organization(org, acting_user=None)
    assert_cells_agree()  # rows keep the zone they were reported in; nothing moved
    put(org, "revenue", dt.date(2026, 4, 1), 150)  # the new month counts in the new zone
    put(org, "revenue", MARCH, 135)  # a rewrite moves March's row to the new zone too
    assert_cells_agree()
    assert IndicatorValue.objects.get(organization=org, indicator__code="revenue", period=MARCH).zone == cast.zone_b


def test_a_deleted_enterprise_leaves_no_cell_behind(cast, data):
    delete_object(data["gone"], acting_user=None)
    assert_cells_agree()


def test_a_deleted_zone_leaves_its_rows_in_cells_without_a_zone(cast):
    from feidi.core.models import DictItem as Item
    from feidi.registry.models import Zone

    kind = Item.objects.get(type__code="zone_kind", code="national_etdz")
    old = registry_actions.do_save_zone(Zone(name="撤并园区", kind=kind, host_region="江西省上饶市"), acting_user=None)
    org = make_org("撤并园区企业", old)
    put(org, "revenue", MARCH, 10)
    org.zone = cast.zone_a  # the enterprise moves; its March row stays where it was reported
    registry_actions.do_save_organization(org, acting_user=None)
    old.delete()
    assert IndicatorValue.objects.get(organization=org).zone_id is None
    assert_cells_agree()


def test_rebuild_cells_command_restores_drifted_cells(cast, data):
    IndicatorCell.objects.filter(period=MARCH).update(total=0)
    IndicatorCell.objects.filter(period=MARCH_BEFORE).delete()
    call_command("indicators", "rebuild-cells")
    assert_cells_agree()


def test_fast_yoy_equals_row_yoy_for_every_grouping_and_scope(cast, data, monkeypatch):
    city = city_user(cast)
    label(data["new"], dt.date(2026, 1, 1))
    scopes = {name: IndicatorValue.objects.visible_to(user) for name, user in
              (("city", city), ("zone", cast.leader), ("other zone clerk", cast.other_clerk), ("enterprise", cast.ent_a))}
    scopes["zones"] = IndicatorValue.objects.filter(zone__in=[cast.zone_a])
    assert cells.cell_filter(scopes["city"]) is not None and cells.cell_filter(scopes["zone"]) is not None
    assert cells.cell_filter(scopes["zones"]) is not None
    assert cells.cell_filter(scopes["enterprise"]) is None  # an enterprise's own rows: from the rows
    for name, values in scopes.items():
        for code in ("revenue", "value_added"):
            for by in GROUPINGS:
                fast = engine.yoy(values, ind(code), MARCH, by)
                assert as_dict(fast) == as_dict(by_rows(values, ind(code), MARCH, by, monkeypatch)), (name, code, by)
        start = dt.date(2025, 1, 1)
        with monkeypatch.context() as m:
            m.setattr(engine, "cells_for", lambda *a, **k: None)
            slow = engine.series(values, ind("value_added"), start, MARCH)
        assert engine.series(values, ind("value_added"), start, MARCH) == slow


def test_yoy_from_cells_with_enterprises_entering_and_leaving_scope(cast, data):
    # 规上: a1 all along, "new" from this year (nothing a year ago), a2 left 规上 last year
    label(data["new"], dt.date(2026, 1, 1))
    label(cast.org_a2, dt.date(2020, 1, 1), until=dt.date(2025, 12, 31))
    zone_a = IndicatorValue.objects.filter(zone__in=[cast.zone_a])
    row = engine.yoy(zone_a, ind("value_added"), MARCH)[0]
    # a1 65 (50 a year ago) and new 10 (0 a year ago: a new entrant) make this year's set; a2 is in neither
    assert (row.total, row.count, row.comparable_now, row.comparable_before) == (75, 2, 75, 50)
    assert row.growth == pytest.approx(0.5)
    revenue = engine.yoy(zone_a, ind("revenue"), MARCH)[0]  # not 规上-only: everyone reporting
    assert (revenue.total, revenue.comparable_now, revenue.comparable_before) == (190, 190, 150)


def test_an_owner_clause_reaching_outside_the_zones_falls_back_to_the_rows(cast, monkeypatch):
    # the zone leader once entered a value of another zone's enterprise: they keep seeing it
    put(cast.org_b1, "revenue", MARCH, 10, acting_user=cast.leader)
    put(cast.org_a1, "revenue", MARCH, 20)
    values = IndicatorValue.objects.visible_to(cast.leader)
    assert cells.cell_filter(values) is None
    assert engine.yoy(values, ind("revenue"), MARCH)[0].total == 30


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["revenue", "value_added"]),
                                 st.sampled_from([dt.date(2025, 2, 1), MARCH_BEFORE, dt.date(2025, 4, 1),
                                                  dt.date(2026, 1, 1), dt.date(2026, 2, 1), MARCH,
                                                  dt.date(2026, 4, 1)]),
                                 st.integers(0, 500)), min_size=1, max_size=12),
       labels=st.lists(st.tuples(st.integers(0, 3), st.sampled_from([dt.date(2024, 1, 1), dt.date(2025, 4, 1),
                                                                     dt.date(2026, 3, 15)]),
                                 st.sampled_from([None, dt.date(2025, 12, 31), dt.date(2026, 3, 1)])), max_size=3),
       moves=st.lists(st.integers(0, 3), max_size=2))
def test_cells_equal_the_rows_for_any_small_history(cast, monkeypatch, writes, labels, moves):
    from django.db import transaction

    from feidi.registry.models import Organization

    with transaction.atomic():  # each example starts from the cast again
        orgs = [Organization.objects.get(pk=o.pk) for o in (cast.org_a1, cast.org_a2, cast.org_b1)]
        orgs.append(make_org("己随机企业", cast.zone_b))
        for org_index, code, period, value in writes:
            put(orgs[org_index], code, period, value)
        for org_index, since, until in labels:
            if until is None or until >= since:
                label(orgs[org_index], since, until)
        for org_index in moves:
            org = orgs[org_index]
            org.zone = cast.zone_b if org.zone_id == cast.zone_a.pk else cast.zone_a
            registry_actions.do_save_organization(org, acting_user=None)
            put(org, "revenue", MARCH, 999)
        assert_cells_agree()
        everyone = IndicatorValue.objects.all()
        for code in ("revenue", "value_added"):
            for by in GROUPINGS:
                assert as_dict(engine.yoy(everyone, ind(code), MARCH, by)) == \
                    as_dict(by_rows(everyone, ind(code), MARCH, by, monkeypatch))
        transaction.set_rollback(True)


def test_a_write_naming_a_deleted_reference_is_refused_like_a_constraint(cast):
    from django.db import IntegrityError

    good = actions._row(cast.org_a1, ind("revenue"), MARCH, D(5), acting_user=cast.leader, source="import")
    for field in ("organization_id", "indicator_id", "zone_id", "department_id", "entered_by_id"):
        bad = actions.Entry(**{**{k: getattr(good, k) for k in actions.Entry._fields}, field: 987654})
        with pytest.raises(IntegrityError):
            actions.bulk_upsert([bad])
        assert not IndicatorValue.objects.exists()
    actions.bulk_upsert([good])
    assert IndicatorValue.objects.get().entered_by_id == cast.leader.pk


def test_an_entry_is_the_rows_columns_in_order_but_the_writes_moment():
    columns = actions.KEY_COLUMNS + actions.UPDATE_COLUMNS
    assert actions.Entry._fields + ("entered_at",) == columns  # a row is entry + (now,)
