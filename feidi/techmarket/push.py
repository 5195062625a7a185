"""Two-way push (双向推送) of new matches, and the feedback that changes later rankings.

A published (or changed published) demand is pushed to the institutions of its best supplies (at
most ``PUSH_K``, each scoring at least ``PUSH_MIN_SHARE`` of the best); a published supply to the
enterprises of its best demands. ``schedule_push`` runs the push in the
job queue after the writer's transaction commits. Each pair (demand, supply) is pushed at most
once, ever: the ``push_unique_pair`` constraint decides between concurrent jobs and a pair that
already has a row is skipped, so re-publishing or editing never pushes an existing pair again.
The receiving organisation's users get an inbox notification (and e-mail / the department's
group robots) linking to the push.

``do_mark_push`` records a side's 感兴趣 / 不感兴趣; ``feidi.techmarket.matching`` reads these marks
when it ranks (see the rule in its docstring).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils.translation import gettext
from huey.contrib.djhuey import db_task

from feidi.core import audit
from feidi.core.actions import ConflictError
from feidi.core.context import acting

from . import matching
from .models import Demand
from .models import Push
from .models import Supply

PUSH_K = 5  # counterparts pushed per new document
# A push interrupts someone: a candidate scoring under this share of the best one is shown on the
# document's page among the recommendations, but not pushed. A score is BM25 times the share of
# the query's weight the document covers (matching/index.py), so two candidates' ratio is about
# the square of their BM25 ratio: 0.1 here is the 0.3 of BM25 alone that this rule was set at.
PUSH_MIN_SHARE = 0.1


def schedule_push(kind: str, doc_id: int) -> None:
    """Push ``kind`` ("demand" | "supply") ``doc_id`` to its best counterparts once the current
    transaction commits (in the job queue)."""
    if kind not in matching.KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    transaction.on_commit(lambda: push_job(kind, doc_id))


def schedule_push_many(kind: str, doc_ids: list[int]) -> None:
    """The batch variant (an import of many documents): one job, one matching pass."""
    ids = list(doc_ids)
    transaction.on_commit(lambda: push_many_job(kind, ids))


@db_task()
def push_job(kind: str, doc_id: int) -> None:
    with acting("job"):
        run_push(kind, doc_id)


@db_task()
def push_many_job(kind: str, doc_ids: list[int]) -> None:
    with acting("job"):
        run_push_many(kind, doc_ids)


def _published(kind: str, ids):
    model = Demand if kind == "demand" else Supply
    return list(model._base_manager.select_related("field", "segment__chain", "organization")
                .filter(pk__in=list(ids), status__in=matching.PUBLISHED[kind]).order_by("pk"))


def run_push(kind: str, doc_id: int) -> list[Push]:
    """Push one published document now; returns the new Push rows (none if it is not published)."""
    objs = _published(kind, [doc_id])
    if not objs:
        return []
    obj = objs[0]
    found = (matching.supplies_for_demand if kind == "demand" else matching.demands_for_supply)(obj, k=PUSH_K)
    pairs = _pairs(kind, obj, found)
    created = []
    for pair in pairs:
        try:
            with transaction.atomic():
                push, new = Push.objects.get_or_create(demand_id=pair.demand_id, supply_id=pair.supply_id,
                                                       defaults=_fields(pair))
        except IntegrityError:  # a concurrent job created the pair between our get and insert
            continue
        if new:
            created.append(push)
    _notify(created)
    return created


def run_push_many(kind: str, doc_ids) -> list[int]:
    """Push many published documents in one pass (one compiled BM25 call for all of them, one
    read of the pairs already pushed, bulk inserts); returns the ids of the new Push rows. The
    constraint still keeps each pair once when jobs race (a pair inserted by a concurrent job at
    the same moment may then be announced by both)."""
    objs = _published(kind, doc_ids)
    if not objs:
        return []
    found = matching.matches_for_many(kind, objs, k=PUSH_K)
    pairs = [p for obj, matches in zip(objs, found, strict=True) for p in _pairs(kind, obj, matches)]
    mine = "demand_id" if kind == "demand" else "supply_id"
    own_ids = [o.pk for o in objs]
    existing = _pairs_of(mine, own_ids)
    fresh = [p for p in pairs if (p.demand_id, p.supply_id) not in existing]
    Push.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    wanted = {(p.demand_id, p.supply_id) for p in fresh}
    created = [pk for pair, pk in _pairs_of(mine, own_ids).items() if pair in wanted]
    _notify([Push(pk=pk) for pk in created])
    return created


def _pairs_of(mine: str, ids: list[int]) -> dict[tuple[int, int], int]:
    """{(demand_id, supply_id): push id} of the pushes of these demands (or supplies)."""
    out = {}
    for i in range(0, len(ids), 1000):
        for pk, d, s in Push.objects.filter(**{f"{mine}__in": ids[i:i + 1000]}).values_list("pk", "demand_id",
                                                                                            "supply_id"):
            out[(d, s)] = pk
    return out


def worth_pushing(matches) -> list:
    """The matches good enough to push: those scoring at least PUSH_MIN_SHARE of the best."""
    floor = PUSH_MIN_SHARE * max((m.score for m in matches), default=0)
    return [m for m in matches if m.score >= floor]


def _pairs(kind: str, obj, matches) -> list[Push]:
    """Unsaved Push rows for ``obj``'s matches, ranked, each pair once."""
    if kind == "demand":
        departments = {m.id: obj.department_id for m in matches}
    else:
        departments = dict(Demand._base_manager.filter(pk__in=[m.id for m in matches])
                           .values_list("pk", "department_id"))
    out, seen = [], set()
    for m in worth_pushing(matches):
        pair = (obj.pk, m.id) if kind == "demand" else (m.id, obj.pk)
        if pair in seen:
            continue
        seen.add(pair)
        out.append(Push(demand_id=pair[0], supply_id=pair[1], rank=len(out) + 1, score=m.score, reasons=m.reasons,
                        direction=Push.Direction.TO_SUPPLIER if kind == "demand" else Push.Direction.TO_DEMANDER,
                        department_id=departments.get(m.id)))
    return out


def fill_shares(batch: int = 1000) -> int:
    """Give 匹配度 to the pushes stored before it was kept (``reasons`` without ``share``): the
    share of the pushed document's weighted terms its counterpart holds, computed as a push
    computes it, from the documents as the index holds them now (a counterpart missing from the
    index is left without). Derived data, not audited; returns how many pushes gained one
    (``feidi match rebuild`` runs it)."""
    engine = matching.get_engine()
    # the counterpart's index and its thesaurus, once for the run (each asks the database)
    indexes = {kind: engine.index(matching.other(kind)) for kind in ("demand", "supply")}
    words = {kind: engine.thesaurus(index) for kind, index in indexes.items()}
    read = [f"{side}__{field}" for side in ("demand", "supply") for field in ("field", "segment__chain", "organization")]
    todo = Push.objects.exclude(reasons__has_key="share").select_related(*read).order_by("pk")
    filled = last = 0
    while chunk := list(todo.filter(pk__gt=last)[:batch]):
        last = chunk[-1].pk
        queries: dict = {}
        changed = []
        for p in chunk:
            kind = "demand" if p.direction == Push.Direction.TO_SUPPLIER else "supply"
            source, target = (p.demand, p.supply) if kind == "demand" else (p.supply, p.demand)
            index = indexes[kind]
            if (kind, source.pk) not in queries:
                queries[kind, source.pk] = index.query(matching.doc_of(kind, source), words[kind])
            slot = index.slot_of(target.pk)
            if slot is None:
                continue
            qterms, expansion = queries[kind, source.pk]
            p.reasons = {**(p.reasons or {}), "share": index.reasons(slot, qterms, expansion)["share"]}
            changed.append(p)
        Push.objects.bulk_update(changed, ["reasons"])
        filled += len(changed)
    return filled


def _fields(push: Push) -> dict:
    return {"direction": push.direction, "score": push.score, "rank": push.rank, "reasons": push.reasons,
            "department_id": push.department_id}


def _url(push: Push) -> str:
    try:
        return push.get_absolute_url()
    except NoReverseMatch:
        return ""


def _receivers(org_ids):
    from feidi.accounts.models import User

    users = defaultdict(list)
    for user in User.objects.filter(organization_id__in=set(org_ids), is_active=True):
        users[user.organization_id].append(user)
    return users


def _notify(pushes: list[Push]) -> None:
    """Tell each receiving organisation's users about the pushes made to it."""
    from feidi.core.notify import notify_many

    if not pushes:
        return
    ids = [p.pk for p in pushes]
    related = ("demand__organization", "supply__organization", "department")
    pushes = [p for i in range(0, len(ids), 1000)
              for p in Push.objects.filter(pk__in=ids[i:i + 1000]).select_related(*related)]
    to_supplier = Push.Direction.TO_SUPPLIER
    receiver = {p.pk: (p.supply.organization_id if p.direction == to_supplier else p.demand.organization_id)
                for p in pushes}
    users = _receivers(receiver.values())
    messages = []
    for p in pushes:
        terms = "、".join(p.reasons.get("terms", [])[:5])
        if p.direction == to_supplier:
            title = f"技术需求匹配：{p.demand.title}"
            body = f"{p.demand.organization} 发布的技术需求与贵单位成果《{p.supply.title}》匹配"
        else:
            title = f"科技成果匹配：{p.supply.title}"
            body = f"{p.supply.organization} 的科技成果与贵企业需求《{p.demand.title}》匹配"
        if terms:
            body += f"（命中：{terms}）"
        messages.append((users.get(receiver[p.pk], []), title, body + "。", _url(p), p.department))
    notify_many(messages)


def do_mark_push(push: Push, *, interested: bool, acting_user) -> Push:
    """The acting user's organisation marks the push 感兴趣 / 不感兴趣 as its side: the demand's
    enterprise sets ``demand_feedback``, the supply's institution ``supply_feedback``; anyone
    else (the zone's staff included) may not. The update is conditional on the mark the user
    saw (``push``'s loaded value): if it changed meanwhile, nothing is written and ConflictError
    says so. Audited; a 感兴趣 tells the other side."""
    from feidi.core.notify import notify

    org = getattr(acting_user, "organization_id", None)
    if not org or not acting_user.has_perm("techmarket.feedback_push"):
        raise PermissionDenied(gettext("只有需求企业或成果单位可以反馈匹配推送"))
    pair = Push.objects.select_related("demand__organization", "supply__organization").get(pk=push.pk)
    if org == pair.demand.organization_id:
        field, other_org = "demand_feedback", pair.supply.organization_id
    elif org == pair.supply.organization_id:
        field, other_org = "supply_feedback", pair.demand.organization_id
    else:
        raise PermissionDenied(gettext("只有该推送的需求企业或成果单位可以反馈"))
    before = getattr(push, field)
    value = Push.Feedback.INTERESTED if interested else Push.Feedback.NOT_INTERESTED
    with transaction.atomic():
        if not Push.objects.filter(pk=push.pk, **{field: before}).update(**{field: value}):
            raise ConflictError(gettext("该推送的反馈已被他人修改，请刷新后重试"))
        push.refresh_from_db()
        audit.record(audit.AuditRecord.Action.UPDATE, push, user=acting_user, before={field: before},
                     after={field: value})
        if interested and before != value:
            side = pair.demand.organization if field == "demand_feedback" else pair.supply.organization
            notify(_receivers([other_org]).get(other_org, []), f"对方对匹配感兴趣：{pair}",
                   f"{side} 对「{pair}」的匹配表示感兴趣，可进一步对接。", _url(push), department=push.department)
    return push
