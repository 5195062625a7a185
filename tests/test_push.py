"""Two-way push: a published demand reaches its suppliers (and a supply its demanders) once per
pair, ever; each side marks only as itself; the marks change later rankings; the receiving
organisation's users find the push in their inbox."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError
from django.db import transaction

from feidi.core.actions import ConflictError
from feidi.core.models import AuditRecord
from feidi.core.models import Notification
from feidi.techmarket import matching
from feidi.techmarket import push
from feidi.techmarket.models import Push
from tests.test_matching import _make


@pytest.fixture
def engine(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    matching.reset_engine()
    yield
    matching.reset_engine()


@pytest.fixture
def market(cast, engine):
    """Two institutions' supplies on perovskite encapsulation, one unrelated, and a draft demand."""
    from types import SimpleNamespace

    good = _make(cast, "supply", "钙钛矿组件柔性封装胶膜", "低水汽透过率封装胶膜，湿热老化后效率保持率高", "封装胶膜,钙钛矿")
    second = _make(cast, "supply", "钙钛矿叠层电池边缘密封技术", "丁基胶边缘密封与封装工艺", "钙钛矿,封装",
                   organization=cast.institution)
    unrelated = _make(cast, "supply", "动力电池热管理系统", "液冷板设计与热失控预警", "热管理系统", field="battery")
    demand = _make(cast, "demand", "钙钛矿叠层组件封装需求", "湿热老化后效率衰减小于5%，需要低水汽透过率的封装胶膜",
                   "钙钛矿,封装胶膜", status="draft")
    return SimpleNamespace(good=good, second=second, unrelated=unrelated, demand=demand)


def _publish(obj, kind, capture, **changes):
    """What the market's publish/save actions do: write, record the change, schedule the push."""
    with capture(execute=True), transaction.atomic():
        for name, value in {"status": "published", **changes}.items():
            setattr(obj, name, value)
        obj.save()
        matching.record_change(kind, obj.pk)
        push.schedule_push(kind, obj.pk)


def test_a_published_demand_is_pushed_to_its_suppliers(cast, market, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        push.schedule_push("demand", market.demand.pk)  # a draft: nothing
    assert not Push.objects.exists()
    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    pushes = list(Push.objects.order_by("rank"))
    assert [p.supply_id for p in pushes] == [market.good.pk, market.second.pk]
    assert [p.rank for p in pushes] == [1, 2]
    assert all(p.direction == Push.Direction.TO_SUPPLIER and p.department_id == cast.dept_a.pk for p in pushes)
    assert pushes[0].score > pushes[1].score > 0
    assert "封装胶膜" in pushes[0].reasons["terms"] and "标题" in pushes[0].reasons["fields"]
    # the receiving institutions' users get it in their inbox, the enterprise does not
    mine = Notification.objects.filter(user=cast.inst_a)
    assert mine.count() == 1 and market.demand.title in mine.get().title and "封装胶膜" in mine.get().body
    assert mine.get().url == push._url(pushes[0])
    assert Notification.objects.filter(user=cast.inst).count() == 1
    assert not Notification.objects.filter(user=cast.ent_a).exists()


def test_a_published_supply_is_pushed_to_its_demanders(cast, market, django_capture_on_commit_callbacks):
    _make(cast, "demand", "钙钛矿封装材料国产化", "封装胶膜水汽阻隔", "封装胶膜", status="published")
    new = _make(cast, "supply", "钙钛矿封装胶膜中试线", "封装胶膜量产工艺", "封装胶膜", status="draft")
    _publish(new, "supply", django_capture_on_commit_callbacks)
    pushes = list(Push.objects.filter(supply=new))
    assert len(pushes) == 1 and pushes[0].direction == Push.Direction.TO_DEMANDER
    assert pushes[0].department_id == pushes[0].demand.department_id
    assert Notification.objects.filter(user=cast.ent_a, title__contains=new.title).count() == 1


def test_the_same_pair_is_never_pushed_twice(cast, market, django_capture_on_commit_callbacks):
    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    pairs = set(Push.objects.values_list("demand_id", "supply_id"))
    notes = Notification.objects.count()
    assert len(pairs) == 2
    # re-publishing, editing the published demand, publishing the supplies again
    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    _publish(market.demand, "demand", django_capture_on_commit_callbacks,
             description=market.demand.description + "，兼容现有层压设备")
    _publish(market.good, "supply", django_capture_on_commit_callbacks)
    assert push.run_push_many("demand", [market.demand.pk]) == []
    assert set(Push.objects.values_list("demand_id", "supply_id")) == pairs
    assert Push.objects.count() == 2 and Notification.objects.count() == notes


def test_concurrent_jobs_push_a_pair_once(cast, market, monkeypatch):
    """A second job runs while the first is between ranking and writing: the first finds the pairs
    taken and creates (and announces) nothing."""
    market.demand.status = "published"
    market.demand.save()
    matching.record_change("demand", market.demand.pk)
    real = matching.supplies_for_demand
    inner: list = []

    def racing(demand, **kw):
        found = real(demand, **kw)
        if not inner:
            inner.append(None)
            inner[0] = push.run_push("demand", demand.pk)  # the other job wins the race
        return found

    monkeypatch.setattr(matching, "supplies_for_demand", racing)
    outer = push.run_push("demand", market.demand.pk)
    assert len(inner[0]) == 2 and outer == []
    assert Push.objects.count() == 2
    assert Notification.objects.filter(user=cast.inst_a).count() == 1
    # the database refuses a second row for a pair, whoever writes it
    with pytest.raises(IntegrityError), transaction.atomic():
        Push.objects.create(demand=market.demand, supply=market.good, direction="to_supplier", score=1, rank=1)
    assert Push.objects.filter(demand=market.demand, supply=market.good).count() == 1


def test_batch_push_matches_the_single_pushes(cast, market, django_capture_on_commit_callbacks):
    d2 = _make(cast, "demand", "钙钛矿电池边缘密封", "边缘密封丁基胶", "钙钛矿,封装", status="published")
    market.demand.status = "published"
    market.demand.save()
    matching.record_change("demand", market.demand.pk)
    objs = [market.demand, d2]
    many = matching.matches_for_many("demand", objs, k=5)
    assert many == [matching.supplies_for_demand(d, k=5) for d in objs]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        push.schedule_push_many("demand", [market.demand.pk, d2.pk])
    expected = {(d.pk, m.id) for d, ms in zip(objs, many, strict=True) for m in push.worth_pushing(ms)}
    assert set(Push.objects.values_list("demand_id", "supply_id")) == expected
    assert Notification.objects.filter(user=cast.inst_a).count() == Push.objects.filter(
        supply__organization=cast.institution_a).count() > 0


def test_feedback_marks_by_the_right_side_only(cast, market, django_capture_on_commit_callbacks):
    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    p = Push.objects.get(supply=market.good)
    stale = Push.objects.get(pk=p.pk)
    push.do_mark_push(p, interested=True, acting_user=cast.ent_a)
    p.refresh_from_db()
    assert (p.demand_feedback, p.supply_feedback) == ("interested", "")
    assert Notification.objects.filter(user=cast.inst_a, title__startswith="对方对匹配感兴趣").count() == 1
    push.do_mark_push(p, interested=False, acting_user=cast.inst_a)
    p.refresh_from_db()
    assert (p.demand_feedback, p.supply_feedback) == ("interested", "not_interested")
    assert AuditRecord.objects.filter(model="techmarket.push", object_id=str(p.pk)).count() == 2
    for outsider in (cast.tech, cast.ent_b, cast.inst, cast.clerk):
        with pytest.raises(PermissionDenied):
            push.do_mark_push(p, interested=True, acting_user=outsider)
    with pytest.raises(ConflictError):  # the enterprise's mark changed since this copy was loaded
        push.do_mark_push(stale, interested=False, acting_user=cast.ent_a)
    p.refresh_from_db()
    assert p.demand_feedback == "interested"


def test_feedback_changes_later_rankings(cast, market, django_capture_on_commit_callbacks):
    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    later = _make(cast, "demand", "钙钛矿组件封装可靠性提升", "封装胶膜与边缘密封，湿热老化", "钙钛矿,封装胶膜,封装",
                  status="published")
    before = {m.id: m.score for m in matching.supplies_for_demand(later)}
    assert set(before) == {market.good.pk, market.second.pk}
    p_good = Push.objects.get(supply=market.good)
    p_second = Push.objects.get(supply=market.second)
    # the enterprise declines 甲研究院's film and likes 某大学's sealing
    push.do_mark_push(p_good, interested=False, acting_user=cast.ent_a)
    push.do_mark_push(p_second, interested=True, acting_user=cast.ent_a)
    # the declined pair is never proposed to the enterprise again …
    assert market.good.pk not in [m.id for m in matching.supplies_for_demand(market.demand)]
    # … but the institution's side is not changed by the enterprise's mark
    assert market.demand.pk in [m.id for m in matching.demands_for_supply(market.good)]
    # the enterprise's other demands: the liked institution and terms rise, the declined fall
    after = {m.id: m.score for m in matching.supplies_for_demand(later)}
    assert after[market.second.pk] > before[market.second.pk]
    assert after[market.good.pk] < before[market.good.pk]
    # another enterprise's ranking is untouched
    other = _make(cast, "demand", "钙钛矿组件封装可靠性提升", "封装胶膜与边缘密封，湿热老化", "钙钛矿,封装胶膜,封装",
                  status="published", organization=cast.org_a2)
    assert {m.id: m.score for m in matching.supplies_for_demand(other)} == before
    # a re-push of the declined demand never brings the declined supply back
    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    assert Push.objects.filter(demand=market.demand).count() == 2


def test_racing_jobs_on_postgresql_push_each_pair_once(transactional_db, cast, engine):
    """Real threads, each a job pushing the same demand at the same moment: the unique pair
    constraint lets exactly one insert each pair, and only that job announces it."""
    import threading

    from django.db import connection
    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent writers)")
    _make(cast, "supply", "钙钛矿组件柔性封装胶膜", "低水汽透过率封装胶膜", "封装胶膜,钙钛矿")
    _make(cast, "supply", "钙钛矿叠层电池边缘密封技术", "边缘密封与封装工艺", "钙钛矿,封装", organization=cast.institution)
    demand = _make(cast, "demand", "钙钛矿叠层组件封装需求", "需要低水汽透过率的封装胶膜", "钙钛矿,封装胶膜")
    matching.supplies_for_demand(demand)  # load the index before the race
    barrier = threading.Barrier(6)
    created, errors = [], []

    def job():
        try:
            barrier.wait()
            created.append(len(push.run_push("demand", demand.pk)))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Push.objects.filter(demand=demand).count() == 2 == sum(created)
    assert Notification.objects.filter(user=cast.inst_a).count() == 1
    assert Notification.objects.filter(user=cast.inst).count() == 1


def test_a_weak_match_is_recommended_but_not_pushed(cast, market, django_capture_on_commit_callbacks):
    """A candidate far below the best one stays among the page's recommendations, unpushed."""
    _make(cast, "supply", "锂电池极片辊压设备", "辊压机压辊加热与厚度闭环控制，适用于电芯极片，设备外壳密闭防尘、防水汽", "辊压,极片",
          field="battery")
    found = matching.supplies_for_demand(market.demand, k=10)
    best = max(m.score for m in found)
    weak = [m for m in found if m.score < push.PUSH_MIN_SHARE * best]
    strong = [m for m in found if m.score >= push.PUSH_MIN_SHARE * best]
    assert strong and weak and push.worth_pushing(found) == strong
    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    pushed = set(Push.objects.filter(demand=market.demand).values_list("supply_id", flat=True))
    assert pushed == {m.id for m in strong[:push.PUSH_K]}
    assert not pushed & {m.id for m in weak}


def test_a_push_shows_its_match_as_the_share_of_the_terms_held(cast, market, client_for,
                                                                 django_capture_on_commit_callbacks):
    """匹配度 is the share of the query's weighted terms the counterpart holds (0–100%, comparable
    between pushes); the raw ranking score stays in the export and the API, never as 匹配度."""
    from feidi.core import workbench
    from feidi.core.exports import xlsx_bytes
    from feidi.techmarket.tables import PushTable
    from tests.test_exports import rows_of

    _publish(market.demand, "demand", django_capture_on_commit_callbacks)
    first = Push.objects.get(supply=market.good)
    assert 0 < first.share <= 1 and first.reasons["share"] == first.share
    shown = f"{first.share * 100:.0f}%"
    page = client_for("inst_a").get(first.get_absolute_url()).content.decode()
    assert shown in page and f"匹配得分 {first.score:.2f}" in page  # the ranking score only on hover
    inbox = client_for("inst_a").get("/techmarket/pushes/").content.decode()
    assert shown in inbox and "匹配得分" not in inbox  # the ranking score is a column of the export only
    header, line = rows_of(xlsx_bytes(PushTable, [first], "推送"))[:2]
    row = dict(zip(header, line, strict=True))
    assert row["匹配度"] == first.share and row["匹配得分"] == round(first.score, 4)
    notes = [item.note for todo in workbench.for_user(cast.inst_a) for item in todo.items if todo.key == "push_answer"]
    assert notes and all(note.endswith("%") for note in notes)
    # a push made before the share was recorded shows a dash, not a number of another kind
    kept = {p.pk: p.share for p in Push.objects.all()}
    Push.objects.update(reasons={"terms": ["封装胶膜"], "fields": []})
    first.refresh_from_db()
    assert first.share is None
    assert client_for("inst_a").get(first.get_absolute_url()).status_code == 200
    # … until `feidi match rebuild` computes it as the push did (the documents unchanged since),
    # keeping the rest of the stored reasons
    out = io.StringIO()
    call_command("match", "rebuild", stdout=out)
    assert len(kept) == 2 and "为 2 条早先的匹配推送补算了匹配度" in out.getvalue()
    for p in Push.objects.all():
        assert p.share == pytest.approx(kept[p.pk], rel=1e-9) and p.reasons["terms"] == ["封装胶膜"]
    assert push.fill_shares() == 0  # nothing left to fill
