"""The statistics bureau's rules, tested on a worked example built from the rules themselves (not
from the demo's numbers), on the maintained cells and on the rows alike.

Enterprises of one zone, revenue reported cumulative-to-date:
- A: 规上 all along; 2025: Jan 10, Feb 25, Mar 40; 2026: no January row (1–2月 release) Feb 30, Mar 50
- B: new entrant, 规上 from 2026; 2026: Feb 8, Mar 20 (nothing in 2025)
- C: leaver, 规上 until 2025-12-31; 2025: Feb 12, Mar 18; 2026: Feb 5, Mar 9 (still reporting)
- D: crosses the 规上 threshold in 2026; 2025: Feb 6, Mar 9; 2026: Feb 10, Mar 30 (a spike month)

规上 March 2026, S = {A, B, D}: 累计 100 against Σ_S a year earlier 40 + 0 + 9 = 49;
当月 (50−30) + (20−8) + (30−10) = 52 against (40−25) + 0 + (9−6) = 18.
1–2月 2026: 累计 = 当月 = 48 against 25 + 0 + 6 = 31 (no January subtracted on either side).
全部 March 2026, S = {A, B, C, D}: 109 against 40 + 0 + 18 + 9 = 67.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from feidi.indicators import engine
from feidi.indicators.engine import Coverage
from feidi.indicators.models import IndicatorValue
from feidi.testing.cast import make_org

from .test_indicators import above_scale, ind, put

D = Decimal
MARCH, FEB = dt.date(2026, 3, 1), dt.date(2026, 2, 1)


@pytest.fixture
def example(cast):
    a, b = cast.org_a1, make_org("乙新投产企业", cast.zone_a)
    c, d = make_org("丙退规企业", cast.zone_a), make_org("丁升规企业", cast.zone_a)
    above_scale(a, dt.date(2020, 1, 1))
    above_scale(b, dt.date(2026, 1, 1))
    above_scale(c, dt.date(2020, 1, 1), until=dt.date(2025, 12, 31))
    above_scale(d, dt.date(2026, 1, 1))
    for org, series in ((a, {(2025, 1): 10, (2025, 2): 25, (2025, 3): 40, (2026, 2): 30, (2026, 3): 50}),
                        (b, {(2026, 2): 8, (2026, 3): 20}),
                        (c, {(2025, 2): 12, (2025, 3): 18, (2026, 2): 5, (2026, 3): 9}),
                        (d, {(2025, 2): 6, (2025, 3): 9, (2026, 2): 10, (2026, 3): 30})):
        for (year, month), value in series.items():
            put(org, "revenue", year, month, value)
    return {"a": a, "b": b, "c": c, "d": d}


def both_ways(monkeypatch, *args, **kwargs):
    """The answer from the cells, and the same question answered from the rows."""
    fast = engine.yoy(*args, **kwargs)
    with monkeypatch.context() as m:
        m.setattr(engine, "cells_for", lambda *a, **k: None)
        slow = engine.yoy(*args, **kwargs)
    return fast, slow


@pytest.mark.parametrize("by", ["total", "zone"])
def test_growth_counts_new_entrants_at_zero_and_leaves_leavers_out(example, monkeypatch, by):
    values = IndicatorValue.objects.all()
    for rows in both_ways(monkeypatch, values, ind("revenue"), MARCH, by, coverage=Coverage("above_scale")):
        (row,) = rows
        assert (row.total, row.count, row.comparable_before, row.comparable_count) == (100, 3, 49, 2)
        assert row.growth == pytest.approx(100 / 49 - 1)
        assert (row.month_value, row.month_before) == (52, 18)
        assert row.month_growth == pytest.approx(52 / 18 - 1)


def test_every_enterprise_for_the_all_coverage(example, monkeypatch):
    for rows in both_ways(monkeypatch, IndicatorValue.objects.all(), ind("revenue"), MARCH, "total",
                          coverage=Coverage("all")):
        (row,) = rows
        assert (row.total, row.comparable_before, row.comparable_count) == (109, 67, 3)
        assert row.month_value == 109 - (30 + 8 + 5 + 10)
        assert row.month_before == 67 - (25 + 0 + 12 + 6)


def test_the_first_release_is_1_2_months_and_nothing_is_subtracted(example, monkeypatch):
    for rows in both_ways(monkeypatch, IndicatorValue.objects.all(), ind("revenue"), FEB, "total",
                          coverage=Coverage("above_scale")):
        (row,) = rows
        assert (row.total, row.comparable_before) == (48, 31)
        assert (row.month_value, row.month_before) == (48, 31)  # not 31 − 10: January is not subtracted
    assert engine.month_label(FEB) == "2026年1–2月" and engine.release_label(MARCH) == "2026年1–3月"
    # January: its own cumulative, never minus December
    put(example["a"], "revenue", 2025, 12, 500)
    put(example["a"], "revenue", 2026, 1, 14)
    for rows in both_ways(monkeypatch, IndicatorValue.objects.all(), ind("revenue"), dt.date(2026, 1, 1), "total"):
        assert rows[0].month_value == 14 and rows[0].month_before == 10


def test_a_label_and_a_chain_are_coverages_too(example, monkeypatch, cast):
    from feidi.chains.models import Chain, Segment, SegmentMember
    from feidi.core.models import DictItem
    from feidi.registry.models import OrganizationLabel

    srdi = DictItem.objects.get(type__code="org_label", code="specialized")
    OrganizationLabel.objects.create(organization=example["d"], label=srdi, since=dt.date(2025, 6, 1),
                                     department=cast.dept_a)
    (row,) = engine.yoy(IndicatorValue.objects.all(), ind("revenue"), MARCH, "total", coverage=Coverage("label", "specialized"))
    assert (row.total, row.comparable_before, row.count) == (30, 9, 1)
    chain = Chain.objects.create(name="锂电", department=cast.dept_a)
    seg = Segment.objects.create(chain=chain, name="电芯", department=cast.dept_a)
    for org in (example["a"], example["c"]):
        SegmentMember.objects.create(segment=seg, organization=org, department=cast.dept_a)
    (row,) = engine.yoy(IndicatorValue.objects.all(), ind("revenue"), MARCH, "total",
                        coverage=Coverage("chain", str(chain.pk)))
    assert (row.total, row.comparable_before) == (59, 58)
    assert Coverage.parse(f"chain:{chain.pk}").label == "锂电企业"
    with pytest.raises(ValueError):
        Coverage.parse("bogus")


def test_a_chain_counts_an_enterprise_on_two_segments_once(example, cast):
    from feidi.chains.models import Chain, Segment, SegmentMember

    chain = Chain.objects.create(name="光伏", department=cast.dept_a)
    cells, modules = (Segment.objects.create(chain=chain, name=n, department=cast.dept_a) for n in ("电池片", "组件"))
    other = Chain.objects.create(name="储能", department=cast.dept_a)
    storage = Segment.objects.create(chain=other, name="系统集成", department=cast.dept_a)
    for segment, org in ((cells, "a"), (modules, "a"), (modules, "b"), (storage, "a")):
        SegmentMember.objects.create(segment=segment, organization=example[org], department=cast.dept_a)
    values = IndicatorValue.objects.all()
    by_chain = {r.label: r for r in engine.yoy(values, ind("revenue"), MARCH, "chain", coverage=Coverage("all"))}
    assert by_chain["光伏"].total == 70 and by_chain["光伏"].count == 2  # A once, B
    assert by_chain["储能"].total == 50  # A belongs to another chain too: counted there as well
    by_segment = {r.key: r for r in engine.yoy(values, ind("revenue"), MARCH, "segment", coverage=Coverage("all"))}
    # A's 50 is split between its two segments of the chain; the segments add up to the chain
    assert by_segment[cells.pk].total == 25 and by_segment[cells.pk].split == 1
    assert by_segment[modules.pk].total == 45 and by_segment[modules.pk].split == 1
    assert by_segment[storage.pk].total == 50 and by_segment[storage.pk].split == 0
    assert by_segment[cells.pk].total + by_segment[modules.pk].total == by_chain["光伏"].total
