"""Chain pages: the chain map (产业链图谱) with its gap table, the gap list with proposals, and the
records behind them (segments, members, targets)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core.fields import as_id
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import ScopedViewMixin

from . import actions
from . import gaps
from .filtersets import ChainFilterSet
from .filtersets import SegmentFilterSet
from .filtersets import SegmentMemberFilterSet
from .filtersets import TargetFilterSet
from .forms import ChainForm
from .forms import SegmentForm
from .forms import SegmentMemberForm
from .forms import TargetForm
from .models import Chain
from .models import Segment
from .models import SegmentMember
from .models import Target
from .tables import ChainTable
from .tables import SegmentMemberTable
from .tables import SegmentTable
from .tables import TargetTable

# The menu 产业链: 产业链图谱, 缺链补链 (hand-made, apps.py), 环节企业, 招商目标库.
declare.model(Chain, "map", form=ChainForm, filterset=ChainFilterSet, table=ChainTable, select_related=("leader",),
              save_rule=actions.do_save_chain, menu=declare.Entry("chains", gettext_noop("产业链图谱"), position=0))
declare.model(Segment, "segments", form=SegmentForm, filterset=SegmentFilterSet, table=SegmentTable,
              select_related=("chain", "parent"), save_rule=actions.do_save_segment,
              prefill={"chain": Chain})
declare.model(SegmentMember, "members", form=SegmentMemberForm, filterset=SegmentMemberFilterSet,
              table=SegmentMemberTable, select_related=("segment__chain", "organization"), save_rule=actions.do_save_member,
              prefill={"segment": Segment},
              menu=declare.Entry("chains", gettext_noop("环节企业")))
declare.model(Target, "targets", form=TargetForm, filterset=TargetFilterSet, table=TargetTable,
              select_related=("segment__chain", "organization"), save_rule=actions.do_save_target,
              prefill={"segment": Segment},
              menu=declare.Entry("chains", gettext_noop("招商目标库")))


@declare.view(Chain, "list")
class ChainListView(ObjectListView):
    title = gettext_lazy("产业链图谱")


@declare.view(Chain, "detail")
class ChainDetailView(ObjectDetailView):
    """The chain map: segments upstream → downstream, sized by output and coloured by gap state;
    clicking a segment shows its enterprises and targets."""

    template_name = "chains/chain_detail.html"

    def get_extra_context(self, chain):
        user = self.request.user
        rows = gaps.analyse(chain, user)
        return dict(rows=rows, map=gaps.map_data(chain, rows),
                    masters=[o for r in rows for o in r["masters"]],
                    gap_count=sum(1 for r in rows if r["state"] == "gap"),
                    weak_count=sum(1 for r in rows if r["state"] == "weak"),
                    can_add_segment=user.has_perm("chains.add_segment"))


@declare.route("map/<int:pk>/data.json", "chain_map_data")
class ChainMapDataView(ObjectMixin, View):
    """The map's data as JSON (the page embeds the same; the API and the benchmark read this)."""

    model = Chain

    def get(self, request, *args, **kwargs):
        chain = self.get_object()
        data = gaps.map_data(chain, gaps.analyse(chain, request.user))
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@declare.route("gaps/", "gap_list")
class GapListView(ScopedViewMixin, TemplateView):
    """Every visible chain's gap and weak segments with what to do and whom to approach."""

    model = Chain
    template_name = "chains/gaps.html"

    def get(self, request, *args, **kwargs):
        chains = list(self.base_queryset(request.user).select_related("leader").order_by("order", "name"))  # 链长
        selected = request.GET.get("chain")
        if selected and selected.isdigit():
            chains = [c for c in chains if c.pk == int(selected)]
        sections = []
        for chain in chains:
            rows = gaps.analyse(chain, request.user)
            sections.append({"chain": chain, "items": gaps.proposals(rows, request.user)})
        return self.render_to_response(self.get_context_data(
            title=gettext("缺链补链清单"), sections=sections,
            chains=self.base_queryset(request.user).order_by("order"),
            selected=selected or ""))


@declare.view(Segment, "detail")
class SegmentDetailView(ObjectDetailView):
    """A segment with its enterprises and targets; from the map it loads as a side panel."""

    template_name = "chains/segment_detail.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["chains/_segment_panel.html"]
        return [self.template_name]

    def get_extra_context(self, seg):
        user = self.request.user
        rows = {r["segment"].pk: r for r in gaps.analyse(seg.chain, user)}
        return dict(row=rows.get(seg.pk),
                    members=SegmentMember.objects.visible_to(user).filter(segment=seg).select_related("organization"),
                    targets=Target.objects.visible_to(user).filter(segment=seg).select_related("organization"),
                    children=seg.children.all())


@declare.view(Target, "detail")
class TargetDetailView(ObjectDetailView):
    template_name = "chains/target_detail.html"

    def get_extra_context(self, target):
        from feidi.registry.models import Zone

        user = self.request.user
        return {"zones": Zone.objects.visible_to(user).filter(home_zone__isnull=True) if user.has_perm(
            "projects.add_project") else []}


@declare.route("targets/<int:pk>/lead/", "target_lead")
class TargetToLeadView(ObjectActionView):
    """POST: turn a target into a pipeline lead in the chosen zone."""

    model = Target

    def act(self, target):
        from feidi.registry.models import Zone

        if not self.request.user.has_perm("projects.add_project"):
            raise PermissionDenied(gettext("您没有登记招商项目的权限"))
        zone = Zone.objects.visible_to(self.request.user).filter(pk=as_id(self.request.POST.get("zone")) or 0).first()
        if zone is None:
            raise ValidationError(gettext("请选择落地园区"))
        # a lead filed into a zone the user only sees is refused whole (by the action)
        return actions.do_target_to_lead(target, zone, acting_user=self.request.user)

    def success_message(self, target, project) -> str:
        return gettext("已转为线索：{name}").format(name=project.name)

    def target(self, target, project) -> str:
        return project.get_absolute_url() if project is not None else target.get_absolute_url()
