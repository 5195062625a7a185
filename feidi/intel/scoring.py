"""Why a story is a lead for this zone: a score with its reasons.

The zone's context is read once per department and batch (``Context``): its chains and their
segments (gaps and weak segments as ``chains.gaps`` defines them), its 链主, the firms already on
its chains, in its enclaves or investing in its pipeline (以商招商), and the names of these firms
as a gazetteer for the extraction. ``score`` is a pure function of an extraction and a context.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from django.utils.translation import gettext_noop

from .extract import Extraction
from .extract import distinct_orgs

# points of each reason (one table, so the page can say how a score is made)
POINTS = {"gap": 30, "weak": 15, "chain": 10, "master": 25, "supplier": 15, "resident": 20, "investor": 20,
          "member": 10, "amount_big": 20, "amount": 10, "event_strong": 15, "event": 5}
STRONG_EVENTS = ("扩产", "新建", "融资", "上市")
BIG = Decimal(10) ** 9  # 10亿元
LARGE = Decimal(10) ** 8  # 1亿元


def zone_departments(department_id) -> list[int]:
    """The departments whose chains and records count for an item of ``department_id``: its zone's
    subtree (the nearest 园区/管委会 up the tree) and the departments above it (a city's chains)."""
    from feidi.accounts.models import Department

    if not department_id:
        return []
    dept = Department.objects.filter(pk=department_id).first()
    if dept is None:
        return []
    chain = [int(p) for p in dept.path.strip("/").split("/") if p]
    zone = Department.objects.filter(pk__in=chain, kind=Department.Kind.ZONE).order_by("-path").first() or dept
    return sorted({*zone.subtree_ids(), *chain})


@dataclass
class Context:
    department_ids: list[int] = field(default_factory=list)
    chains: dict[int, tuple[str, int]] = field(default_factory=dict)  # id → (name, weak threshold)
    segments: list[tuple[int, str, str]] = field(default_factory=list)  # (id, chain name, segment name)
    segment_chain: dict[int, int] = field(default_factory=dict)
    segment_state: dict[int, str] = field(default_factory=dict)  # gap / weak / ok; 延链 ends marked "end"
    ends: set[int] = field(default_factory=set)
    relations: dict[int, set[str]] = field(default_factory=dict)  # organization id → master/member/resident/investor
    names: dict[str, int] = field(default_factory=dict)  # gazetteer: organization name → id

    @classmethod
    def for_department(cls, department_id) -> Context:
        from django.db.models import Count

        from feidi.chains.models import Chain
        from feidi.chains.models import Segment
        from feidi.chains.models import SegmentMember
        from feidi.projects.models import Project
        from feidi.registry.models import Organization
        from feidi.registry.models import Residency

        ctx = cls(department_ids=zone_departments(department_id))
        if not ctx.department_ids:
            return ctx
        ids = ctx.department_ids
        ctx.chains = {c.pk: (c.name, c.weak_enterprises) for c in Chain.objects.filter(department_id__in=ids)}
        counts = {r["segment_id"]: r["n"] for r in SegmentMember.objects.filter(segment__chain_id__in=ctx.chains)
                  .values("segment_id").annotate(n=Count("pk"))}
        segments = list(Segment.objects.filter(chain_id__in=ctx.chains).order_by("chain_id", "order", "pk")
                        .values("pk", "chain_id", "name", "parent_id"))
        for chain_id in ctx.chains:
            top = [s["pk"] for s in segments if s["chain_id"] == chain_id and s["parent_id"] is None]
            if top:
                ctx.ends |= {top[0], top[-1]}
        for s in segments:
            name, weak = ctx.chains[s["chain_id"]]
            ctx.segments.append((s["pk"], name, s["name"]))
            ctx.segment_chain[s["pk"]] = s["chain_id"]
            n = counts.get(s["pk"], 0)
            ctx.segment_state[s["pk"]] = "gap" if n == 0 else "weak" if n < weak else "ok"
        for org_id, role in SegmentMember.objects.filter(segment__chain_id__in=ctx.chains).values_list(
                "organization_id", "role"):
            ctx.relations.setdefault(org_id, set()).add("master" if role == SegmentMember.Role.MASTER else "member")
        for org_id in Residency.objects.filter(department_id__in=ids).exclude(
                status=Residency.Status.EXITED).values_list("organization_id", flat=True):
            ctx.relations.setdefault(org_id, set()).add("resident")
        for org_id in Project.objects.filter(department_id__in=ids, organization__isnull=False).values_list(
                "organization_id", flat=True):
            ctx.relations.setdefault(org_id, set()).add("investor")
        ctx.names = {name: pk for pk, name in Organization.objects.filter(pk__in=ctx.relations).values_list("pk", "name")
                     if len(name) >= 3}
        return ctx

    def chain_for(self, lexicon_chain: str) -> int | None:
        """The zone's chain a vocabulary chain (光伏, 锂电 …) falls in: equal, or one name inside the other."""
        if not lexicon_chain:
            return None
        for pk, (name, _weak) in self.chains.items():
            if name == lexicon_chain or lexicon_chain in name or name in lexicon_chain:
                return pk
        return None


def yi(value: Decimal) -> str:
    return f"{(value / LARGE).quantize(Decimal('0.01')).normalize():f}"


def score(ex: Extraction, ctx: Context) -> tuple[int, list[dict], dict]:
    """The score, its reasons ([{code, points, text, args}]) and the links found (chain, segment,
    organization, main firm's name)."""
    reasons: list[dict] = []

    def add(code, text, **args):
        reasons.append({"code": code, "points": POINTS[code], "text": text, "args": args})

    chain_id = ctx.chain_for(ex.chain)
    segment_id = ex.segment_id if ex.segment_id in ctx.segment_state else None
    if segment_id is not None:
        chain_id = ctx.segment_chain[segment_id]
    if chain_id is not None:
        add("chain", gettext_noop("涉及本区产业链：{chain}"), chain=ctx.chains[chain_id][0])
    if segment_id is not None:
        state = ctx.segment_state[segment_id]
        name = next(s[2] for s in ctx.segments if s[0] == segment_id)
        if state == "gap":
            add("gap", gettext_noop("“{segment}”是本区缺失环节（{action}）"), segment=name,
                action="延链" if segment_id in ctx.ends else "补链")
        elif state == "weak":
            add("weak", gettext_noop("“{segment}”是本区薄弱环节（强链）"), segment=name)
    orgs = distinct_orgs(ex.orgs)
    linked = {}
    for span in ex.orgs:
        pk = int(span.value) if span.value else ctx.names.get(span.text)
        if pk and span.text not in linked:
            linked[span.text] = pk
    main = orgs[0] if orgs else ""
    main_id = linked.get(main)
    seen = set()
    for name, pk in linked.items():
        for rel in sorted(ctx.relations.get(pk, ())):
            if rel in seen:
                continue
            seen.add(rel)
            if rel == "master" and name == main:
                add("master", gettext_noop("{org}是本区链主企业"), org=name)
            elif rel == "master":
                add("supplier", gettext_noop("报道涉及本区链主{org}（配套、供应关系）"), org=name)
            elif rel == "resident":
                add("resident", gettext_noop("{org}是飞地入驻企业"), org=name)
            elif rel == "investor":
                add("investor", gettext_noop("{org}已在本区投资（以商招商）"), org=name)
            elif rel == "member" and "master" not in seen:
                add("member", gettext_noop("{org}已在本区产业链上"), org=name)
    amount = ex.max_amount
    if amount is not None and amount >= BIG:
        add("amount_big", gettext_noop("金额大：{amount}亿元"), amount=yi(amount))
    elif amount is not None and amount >= LARGE:
        add("amount", gettext_noop("金额：{amount}亿元"), amount=yi(amount))
    types = ex.event_types
    strong = [t for t in types if t in STRONG_EVENTS]
    if strong:
        add("event_strong", gettext_noop("事件：{event}"), event="、".join(strong))
    elif types:
        add("event", gettext_noop("事件：{event}"), event="、".join(types))
    total = sum(r["points"] for r in reasons)
    return total, reasons, {"chain_id": chain_id, "segment_id": segment_id, "organization_id": main_id,
                            "org_name": main, "amount": amount}
