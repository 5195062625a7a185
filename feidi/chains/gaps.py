"""Gap analysis (缺链分析) and the chain map's data.

Per segment: the enterprises on it, their output, the open pipeline aimed at it and the targets
listed for it. A segment without enterprises is a gap (补链; 延链 at either end of the chain);
one below the chain's thresholds is weak (强链). Output comes from the indicator providers when
they know an enterprise, else from what the enterprise declared on the segment.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count
from django.db.models import Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Chain
from .models import Segment
from .models import SegmentMember
from .models import Target

# Functions ``(organization_ids) -> {organization_id: Decimal}`` giving measured yearly output;
# the economic-indicators module registers one. The first provider that knows an organization wins.
OUTPUT_PROVIDERS: list = []

STATES = {"gap": _("缺失"), "weak": _("薄弱"), "ok": _("健全")}
COLORS = {"gap": "#d63939", "weak": "#f59f00", "ok": "#2fb344"}


class Member(NamedTuple):
    """A membership as the map reads it: a row, not a model instance (a chain holds thousands;
    the map's request built two instances a member, 40% of its time)."""

    pk: int
    segment_id: int
    organization_id: int
    role: str
    declared_output: Decimal | None
    name: str  # the enterprise's


def member_outputs(members: list[Member]) -> dict[int, tuple[Decimal, str]]:
    """Output per membership and where it came from ("指标" or "申报"). A measured output is the
    enterprise's whole output, so an enterprise on several segments of the chain has it split
    evenly between them; a declared output is already per segment."""
    ids = {m.organization_id for m in members}
    measured: dict[int, Decimal] = {}
    for provider in OUTPUT_PROVIDERS:
        for org_id, value in provider(ids - set(measured)).items():
            measured.setdefault(org_id, Decimal(value))
    seats = defaultdict(int)
    for m in members:
        seats[m.organization_id] += 1
    result = {}
    for m in members:
        if m.organization_id in measured:
            result[m.pk] = (measured[m.organization_id] / seats[m.organization_id], gettext("指标"))
        else:
            result[m.pk] = (m.declared_output or Decimal(0), gettext("申报"))
    return result


def _open_pipeline():
    from feidi.projects.models import Stage

    return [Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED, Stage.PRODUCING]


def analyse(chain: Chain, user) -> list[dict]:
    """One row per segment of ``chain`` (upstream → downstream, children after their parent), over
    the records ``user`` may see."""
    from feidi.projects.models import Project

    segments = list(Segment.objects.filter(chain=chain).order_by("order", "pk"))
    seg_ids = [s.pk for s in segments]  # by id, not by a join: the planner then uses the FK indexes
    # A chain may hold thousands of members: read only what the rows show.
    members = [Member(*row) for row in SegmentMember.objects.visible_to(user).filter(segment_id__in=seg_ids)
               .order_by("organization__name").values_list("pk", "segment_id", "organization_id", "role",
                                                            "declared_output", "organization__name")]
    outputs = member_outputs(members)
    by_segment = defaultdict(list)
    for m in members:
        by_segment[m.segment_id].append(m)
    pipeline = {r["segment_id"]: r for r in Project.objects.visible_to(user).filter(
        segment_id__in=seg_ids, stage__in=_open_pipeline()).values("segment_id").annotate(
        count=Count("pk"), planned=Sum("planned_investment"))}
    targets = {r["segment_id"]: r["count"] for r in Target.objects.visible_to(user).filter(
        segment_id__in=seg_ids, status__in=[Target.Status.NEW, Target.Status.CONTACTED]).values("segment_id")
        .annotate(count=Count("pk"))}
    top = [s for s in segments if s.parent_id is None]
    ends = {top[0].pk, top[-1].pk} if top else set()
    children = defaultdict(list)
    for s in segments:
        if s.parent_id:
            children[s.parent_id].append(s)
    ordered: list[tuple[Segment, int, int]] = []  # (segment, depth, stage index)

    def walk(seg, depth, stage):
        ordered.append((seg, depth, stage))
        for child in children[seg.pk]:
            walk(child, depth + 1, stage)

    for i, seg in enumerate(top):
        walk(seg, 0, i)
    rows = []
    for seg, depth, stage in ordered:
        ms = by_segment[seg.pk]
        output = sum((outputs[m.pk][0] for m in ms), Decimal(0))
        if not ms:
            state = "gap"
        elif len(ms) < chain.weak_enterprises or (chain.weak_output and output < chain.weak_output):
            state = "weak"
        else:
            state = "ok"
        action = {"gap": gettext("延链") if seg.pk in ends and depth == 0 else gettext("补链"),
                  "weak": gettext("强链"), "ok": ""}[state]
        pipe = pipeline.get(seg.pk, {})
        rows.append({
            "segment": seg, "depth": depth, "stage": stage, "members": ms, "count": len(ms), "output": output,
            "sources": sorted({outputs[m.pk][1] for m in ms}),
            "masters": [m for m in ms if m.role == SegmentMember.Role.MASTER],  # each with the enterprise's name
            "pipeline_count": pipe.get("count", 0), "pipeline_planned": pipe.get("planned") or Decimal(0),
            "target_count": targets.get(seg.pk, 0), "state": state, "state_label": str(STATES[state]),
            "action": action,
        })
    return rows


def proposals(rows: list[dict], user, per_segment: int = 5) -> list[dict]:
    """For each gap or weak segment: what to do (补链/延链/强链), the best open targets and the
    open pipeline projects aimed at it."""
    from feidi.projects.models import Project

    wanted = [r for r in rows if r["state"] != "ok"]
    ids = [r["segment"].pk for r in wanted]
    order = {Target.Priority.HIGH: 0, Target.Priority.MEDIUM: 1, Target.Priority.LOW: 2}
    targets = defaultdict(list)
    for t in (Target.objects.visible_to(user).filter(segment_id__in=ids, status__in=[Target.Status.NEW,
                                                                                    Target.Status.CONTACTED])
              .select_related("organization")):
        targets[t.segment_id].append(t)
    projects = defaultdict(list)
    for p in (Project.objects.visible_to(user).filter(segment_id__in=ids, stage__in=_open_pipeline())
              .order_by("-planned_investment", "pk")):
        if len(projects[p.segment_id]) < per_segment:
            projects[p.segment_id].append(p)
    out = []
    for r in wanted:
        seg = r["segment"].pk
        out.append({**r, "targets": sorted(targets[seg], key=lambda t: (order[t.priority], t.organization.name))[
            :per_segment], "projects": projects[seg]})
    return out


def map_data(chain: Chain, rows: list[dict]) -> dict:
    """ECharts graph data: top-level segments left to right (upstream → downstream), children
    stacked under their parent; node size by output, colour by state."""
    biggest = max((r["output"] for r in rows), default=Decimal(0)) or Decimal(1)
    depth_in_stage: dict[int, int] = defaultdict(int)
    nodes, links = [], []
    prev_top = None
    for r in rows:
        seg = r["segment"]
        if r["depth"]:
            depth_in_stage[r["stage"]] += 1
        y = depth_in_stage[r["stage"]] if r["depth"] else 0
        size = 28 + 42 * math.sqrt(float(r["output"] / biggest)) if r["output"] else 24
        nodes.append({
            # value = [position upstream→downstream, depth under the parent] on hidden value axes
            "id": str(seg.pk), "name": seg.name, "value": [r["stage"], -y],
            "symbolSize": round(size, 1), "itemStyle": {"color": COLORS[r["state"]]},
            "output": float(r["output"]), "count": r["count"], "state": r["state_label"], "action": r["action"],
            "pipeline": r["pipeline_count"], "targets": r["target_count"],
            "masters": [o.name for o in r["masters"]],
        })
        if r["depth"] == 0:
            if prev_top is not None:
                links.append({"source": str(prev_top), "target": str(seg.pk)})
            prev_top = seg.pk
        elif seg.parent_id:
            links.append({"source": str(seg.parent_id), "target": str(seg.pk),
                          "lineStyle": {"type": "dashed", "curveness": 0.2}})
    return {"chain": chain.name, "nodes": nodes, "links": links,
            "stages": max((r["stage"] for r in rows), default=0) + 1, "depth": max(depth_in_stage.values(), default=0),
            "legend": [{"state": str(v), "color": COLORS[k]} for k, v in STATES.items()]}
