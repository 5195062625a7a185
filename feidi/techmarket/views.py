"""The market's pages: demands (enterprises), supplies (institutions), the two-way push inbox,
talents, and the staff's overview (科技大市场看板). Every row goes through ``visible_to``; edits,
publishing and closing go through ``actions.writable`` (a published record is seen by all but
changed only by its own organization or the staff over it)."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models import Q
from django.db.models.functions import Trunc
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core.actions import ConflictError
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDeleteView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectImportView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import ScopedViewMixin
from feidi.core.views import refusal_text

from . import actions
from .filtersets import DemandFilterSet
from .filtersets import PushFilterSet
from .filtersets import SupplyFilterSet
from .filtersets import TalentFilterSet
from .filtersets import ThesaurusEntryFilterSet
from .forms import DemandForm
from .forms import SupplyForm
from .forms import TalentForm
from .forms import ThesaurusEntryForm
from .matching.terms import normalize_text
from .matching.terms import term_spans
from .models import Demand
from .models import Push
from .models import Supply
from .models import Talent
from .models import ThesaurusEntry
from .tables import DemandTable
from .tables import PushTable
from .tables import SupplyTable
from .tables import TalentTable
from .tables import ThesaurusEntryTable

MATCH_K = 10


# --- matches shown on a detail page ---------------------------------------------------------------

def highlight(text: str, terms, limit: int = 160):
    """``text`` escaped, its matched terms wrapped in <mark>, cut to about ``limit`` characters
    around the first match; a term whose occurrences all fall outside that window gets a short
    window of its own, so every term the text holds is shown marked at least once. Terms are
    found on the index's normalisation (full-width folded, case folded) and marked on the
    original characters (``terms.term_spans``)."""
    text = " ".join(str(text or "").split())
    spans = term_spans(text, terms)
    windows = _windows(text, spans, terms, limit)
    parts, at = [], 0
    for lo, hi in windows:
        if lo > at:
            parts.append(escape("…"))
        pos = lo
        for a, b in spans:
            if a >= lo and b <= hi:
                parts.append(escape(text[pos:a]))
                parts.append(format_html("<mark>{}</mark>", text[a:b]))
                pos = b
        parts.append(escape(text[pos:hi]))
        at = hi
    if at < len(text):
        parts.append(escape("…"))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 (every piece escaped above)


def _windows(text: str, spans, terms, limit: int) -> list[tuple[int, int]]:
    """The stretches of ``text`` to show: all of it when short, else ``limit`` characters from
    a little before the first match, plus a short window for each term not shown yet; merged,
    and widened so that no marked span is cut."""
    if len(text) <= limit:
        return [(0, len(text))]
    start = max(spans[0][0] - 20, 0) if spans else 0
    windows = [(start, start + limit)]
    folded = [normalize_text(text[a:b]) for a, b in spans]
    for term in {normalize_text(str(t)) for t in terms or ()} - {""}:
        places = [(a, b) for (a, b), f in zip(spans, folded, strict=True) if term in f]
        if places and not any(lo <= a and b <= hi for a, b in places for lo, hi in windows):
            a, b = places[0]
            windows.append((max(a - 10, 0), b + 30))
    merged: list[list[int]] = []
    for lo, hi in sorted(windows):
        for a, b in spans:  # never cut a marked span
            if a < lo < b:
                lo = a
            if a < hi < b:
                hi = b
        hi = min(hi, len(text))
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def match_rows(matches, model, user, text_of=lambda o: f"{o.title} {o.keywords} {o.description}"):
    """The matched records this user may see, in rank order, with their score bar and reasons."""
    if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        return []  # nothing to show one who may not open them (a reviewing expert)
    ids = [m.id for m in matches]
    rows = (model.objects.visible_to(user).filter(pk__in=ids)
            .select_related("organization", "field", "segment__chain"))
    by_pk = {r.pk: r for r in rows}
    out = []
    for rank, m in enumerate(matches, start=1):
        obj = by_pk.get(m.id)
        if obj is None:
            continue
        reasons = m.reasons or {}
        terms = reasons.get("terms") or []
        share = reasons.get("share")
        out.append({"object": obj, "rank": rank, "score": m.score, "share": share,
                    "width": max(round(100 * (share or 0)), 3), "terms": terms, "fields": reasons.get("fields") or [],
                    "title": highlight(obj.title, terms, limit=200), "excerpt": highlight(obj.description, terms),
                    "keywords": highlight(obj.keywords, terms, limit=120) if obj.keywords else ""})
    return out


def mark_sides(pushes, user):
    """Which side of each push the user marks for (his organization's), and the other side's feedback."""
    org = getattr(user, "organization_id", None)
    can = user.has_perm("techmarket.feedback_push")
    for p in pushes:
        if org and p.demand.organization_id == org:
            p.my_side, p.my_feedback, p.other_feedback = "demand", p.demand_feedback, p.supply_feedback
            p.other_label = p.get_supply_feedback_display()
        elif org and p.supply.organization_id == org:
            p.my_side, p.my_feedback, p.other_feedback = "supply", p.supply_feedback, p.demand_feedback
            p.other_label = p.get_demand_feedback_display()
        else:
            p.my_side, p.my_feedback, p.other_feedback, p.other_label = None, "", "", ""
        p.can_mark = bool(can and p.my_side)
    return pushes


def _pushes(user, **filters):
    return mark_sides(list(Push.objects.visible_to(user).filter(**filters)
                           .select_related("demand__organization", "supply__organization").order_by("rank", "-pk")),
                      user)


# --- demands and supplies ---------------------------------------------------------------------------
# Declared once each (pages, URLs and the generated scope test); the pages they share are the
# Market* views below, registered for each as its list, detail, edit and delete.
MARKET_RELATED = ("organization", "field", "segment__chain")
# The menu 科技大市场: the overview, these two, the pushes (apps.py), then the talents and the thesaurus.
declare.model(Demand, "demands", form=DemandForm, filterset=DemandFilterSet, table=DemandTable,
              select_related=MARKET_RELATED,
              menu=declare.Entry("techmarket", gettext_noop("技术需求"), org_users=True, position=1))
declare.model(Supply, "supplies", form=SupplyForm, filterset=SupplyFilterSet, table=SupplyTable,
              select_related=MARKET_RELATED,
              menu=declare.Entry("techmarket", gettext_noop("科技成果"), org_users=True, position=2))


class MarketDetailView(ObjectDetailView):
    """Shared by demands and supplies: publish / close buttons for who may write, the matches."""

    kind = ""
    detail_fields: tuple[str, ...] = ()

    def base_queryset(self, user):
        return super().base_queryset(user).select_related("organization", "field", "segment__chain", "created_by")

    def fields(self, obj):
        from feidi.lib.money import human

        rows = super().fields(obj)
        for row in rows:
            if row["name"] in ("budget", "asking_price"):
                value = getattr(obj, row["name"])
                row["value"] = human(value) if value is not None else gettext("面议")
                row["label"] = str(row["label"]).replace("（元）", "").replace(gettext("（元）"), "")
            if row["name"] == "segment" and obj.segment_id:
                row["value"] = f"{obj.segment.chain.name} · {obj.segment.name}"
        return [r for r in rows if r["name"] != "description"]

    def can_write(self, obj) -> bool:
        """Whether the user may edit, delete, publish or close the record (asked once a page)."""
        if not hasattr(self, "_can_write"):
            self._can_write = actions.writable(self.model, self.request.user).filter(pk=obj.pk).exists()
        return self._can_write

    editable = deletable = can_write

    def get_extra_context(self, obj):
        can_write = self.can_write(obj)
        name = self.model._meta.model_name
        return dict(
            can_write=can_write, kind=self.kind,
            publish_url=self.url_for("publish", pk=obj.pk) if can_write and obj.status in ("draft", "closed") else None,
            close_url=self.url_for("close", pk=obj.pk) if can_write and obj.status in ("draft", "published") else None,
            publish_label=gettext("发布{verbose_name}").format(
                verbose_name=self.model._meta.verbose_name) if obj.status == "draft" else gettext("重新发布"),
            close_label=gettext("关闭需求") if name == "demand" else gettext("下架成果"),
            is_published=obj.status not in ("draft", "closed"),
        )


@declare.view(Demand, "detail")
class DemandDetailView(MarketDetailView):
    kind = "demand"
    template_name = "techmarket/demand_detail.html"
    detail_fields = ("organization", "field", "segment", "kind", "budget", "deadline", "keywords", "status",
                     "published_at", "created_by", "description")

    def get_extra_context(self, demand):
        from . import matching

        user = self.request.user
        return {**super().get_extra_context(demand),
                "matches": match_rows(matching.supplies_for_demand(demand, k=MATCH_K), Supply, user),
                "pushes": _pushes(user, demand=demand)}


@declare.view(Supply, "detail")
class SupplyDetailView(MarketDetailView):
    kind = "supply"
    template_name = "techmarket/supply_detail.html"
    detail_fields = ("organization", "field", "segment", "maturity", "transfer_mode", "asking_price", "keywords",
                     "status", "published_at", "created_by", "description")

    def get_extra_context(self, supply):

        from . import matching

        user = self.request.user
        return {**super().get_extra_context(supply),
                "patents": supply.patents_shown(),
                "matches": match_rows(matching.demands_for_supply(supply, k=MATCH_K), Demand, user),
                "pushes": _pushes(user, supply=supply)}


class MarketEditView(ObjectEditView):
    """New records are drafts; "保存并发布" publishes in the same request."""

    template_name = "techmarket/demand_form.html"
    save_action = None
    publish_action = None

    def base_queryset(self, user):
        return actions.writable(self.model, user)

    def new_object(self):
        obj = super().new_object()
        user = self.request.user
        if user.organization_id:
            obj.organization = user.organization
        obj.department_id = None  # the action decides (the organization's zone, else the staff's department)
        return obj

    def render_form(self, form, obj, token=""):
        response = super().render_form(form, obj, token)
        response.context_data.update(
            can_publish=obj.pk is None or obj.status in ("draft", "closed"),
            money_fields=form.money_fields, wide_fields=("description", "patents", "title"))
        return response

    def save_object(self, form, obj, *, creating, expected_version):
        saved = type(self).save_action(obj, acting_user=self.request.user, expected_version=expected_version)
        if self.request.POST.get("_publish") and saved.status in ("draft", "closed"):
            saved = type(self).publish_action(saved, acting_user=self.request.user)
            messages.info(self.request, gettext("已发布，系统将向匹配的对方推送"))
        return saved


@declare.view(Demand, "edit")
class DemandEditView(MarketEditView):
    save_action = actions.do_save_demand
    publish_action = actions.do_publish_demand


@declare.view(Supply, "edit")
class SupplyEditView(MarketEditView):
    save_action = actions.do_save_supply
    publish_action = actions.do_publish_supply


class MarketDeleteView(ObjectDeleteView):
    delete_action = None

    def base_queryset(self, user):
        return actions.writable(self.model, user)

    def delete_object(self, obj):
        type(self).delete_action(obj, acting_user=self.request.user)


@declare.view(Demand, "delete")
class DemandDeleteView(MarketDeleteView):
    delete_action = actions.do_delete_demand


@declare.view(Supply, "delete")
class SupplyDeleteView(MarketDeleteView):
    delete_action = actions.do_delete_supply


class MarketStatusView(ObjectActionView):
    """POST: publish or close a demand or a supply the user may write."""

    def base_queryset(self, user):
        return actions.writable(self.model, user)


DemandPublishView = declare.action(Demand, "publish", actions.do_publish_demand,
                                   _("需求已发布，系统将向匹配的科技成果方推送"), base=MarketStatusView)
DemandCloseView = declare.action(Demand, "close", actions.do_close_demand, _("需求已关闭"), base=MarketStatusView)
SupplyPublishView = declare.action(Supply, "publish", actions.do_publish_supply,
                                   _("成果已发布，系统将向匹配的需求企业推送"), base=MarketStatusView)
SupplyCloseView = declare.action(Supply, "close", actions.do_close_supply, _("成果已下架"), base=MarketStatusView)


# --- the push inbox ---------------------------------------------------------------------------------

# Pushes are made by the matching job and only marked (感兴趣 / 不感兴趣): a list and each push's page;
# the menu entry 匹配推送 is hand-made (apps.py), beside the overview.
declare.model(Push, "pushes", filterset=PushFilterSet, table=PushTable,
              select_related=("demand__organization", "supply__organization"), pages=("list", "detail"))


@declare.view(Push, "list")
class PushListView(ObjectListView):
    """推送收件箱: the matches pushed to (or from) the user's organization, with feedback buttons."""
    empty_hint = gettext_lazy("技术需求或科技成果发布后，系统会把最匹配的对方推送给双方，推送记录在此。")

    title = _("推送收件箱")
    template_name = "techmarket/push_list.html"

    def build_queryset(self, user, params):
        qs, filterset, order = super().build_queryset(user, params)
        if not params.get("sort"):
            # Newest pushes first; the pushes of one batch in their rank order.
            qs = qs.order_by(Trunc("created_at", "minute").desc(), "rank", "-pk")
        return qs, filterset, order

    def get_extra_context(self, rows):
        mark_sides(rows, self.request.user)
        return {}


@declare.view(Push, "detail")
class PushDetailView(ObjectDetailView):
    template_name = "techmarket/push_detail.html"

    def base_queryset(self, user):
        return super().base_queryset(user).select_related(
            "demand__organization", "demand__field", "demand__segment__chain",
            "supply__organization", "supply__field", "supply__segment__chain")

    offer_edit = offer_delete = False

    def get_extra_context(self, push):
        push = mark_sides([push], self.request.user)[0]
        terms = (push.reasons or {}).get("terms") or []
        return dict(push=push, title=str(push), terms=terms, reason_fields=(push.reasons or {}).get("fields") or [],
                    demand_excerpt=highlight(push.demand.description, terms, limit=400),
                    supply_excerpt=highlight(push.supply.description, terms, limit=400))


@declare.route("pushes/<int:pk>/mark/", "push_mark")
class PushMarkView(ObjectMixin, View):
    """POST ``interested=1|0``: the user's organization marks its side (htmx swaps the buttons)."""

    model = Push

    def get_permission(self) -> str:
        return "techmarket.feedback_push"

    def base_queryset(self, user):
        return super().base_queryset(user).select_related("demand__organization", "supply__organization")

    def post(self, request, *args, **kwargs):
        from . import push as push_rules

        obj = self.get_object()
        value = request.POST.get("interested", "")
        error = ""
        if value not in ("1", "0", "true", "false"):
            error = gettext("请选择感兴趣或不感兴趣")
        else:
            try:
                obj = push_rules.do_mark_push(obj, interested=value in ("1", "true"), acting_user=request.user)
            except (ValidationError, ConflictError, PermissionDenied) as exc:
                error = refusal_text(exc)
        if getattr(request, "htmx", False):
            obj.refresh_from_db()
            p = mark_sides([obj], request.user)[0]
            return self._fragment(request, p, error)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, gettext("已记录您的反馈"))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = obj.get_absolute_url()
        return HttpResponseRedirect(back)

    def _fragment(self, request, push, error):
        from django.http import HttpResponse

        html = render_to_string("techmarket/_push_feedback.html", {"p": push, "error": error}, request=request)
        return HttpResponse(html, status=200)


# --- talents ----------------------------------------------------------------------------------------

declare.model(Talent, "talents", form=TalentForm, filterset=TalentFilterSet, table=TalentTable,
              select_related=("person", "field", "employer", "enclave"), save_rule=actions.do_save_talent,
              menu=declare.Entry("techmarket", gettext_noop("引进人才")))



# --- the domain thesaurus ---------------------------------------------------------------------------

declare.model(ThesaurusEntry, "thesaurus", form=ThesaurusEntryForm, filterset=ThesaurusEntryFilterSet,
              table=ThesaurusEntryTable, save_rule=actions.do_save_thesaurus_entry,
              menu=declare.Entry("techmarket", gettext_noop("领域词表")))


@declare.route("thesaurus/import/", "thesaurusentry_import")
class ThesaurusEntryImportView(ObjectImportView):
    model = ThesaurusEntry
    import_key = "thesaurus"


@declare.view(ThesaurusEntry, "list")
class ThesaurusEntryListView(ObjectListView):
    template_name = "techmarket/thesaurusentry_list.html"


@declare.view(ThesaurusEntry, "detail")
class ThesaurusEntryDetailView(ObjectDetailView):
    """An entry, with 试查此条: the try page on its term, to see what it expands to now."""

    template_name = "techmarket/thesaurusentry_detail.html"

    def get_extra_context(self, entry):
        from django.utils.http import urlencode

        return {"try_query": urlencode({"text": entry.term, "kind": "supply"})}


RELATIONS = {"equivalent": gettext_noop("同义词"), "broader": gettext_noop("上位词"), "related": gettext_noop("相关词")}
LEFT_OUT = {"absent": gettext_noop("没有文档含此词，不扩展"), "common": gettext_noop("过于常见，不扩展")}


def _as_written(term: str, label: str) -> str:
    """An expansion term as the entry writes it ("SHJ", where the index holds "shj"), when the
    term is the whole of the label's target; else as the index holds it (a part of a longer word)."""
    target = label.rpartition(" → ")[2]
    return target if normalize_text(target) == term else term


@declare.route("thesaurus/try/", "thesaurusentry_try")
class ThesaurusTryView(ScopedViewMixin, TemplateView):
    """领域词表 › 试查: what the thesaurus does to a text — each expansion term with its source,
    relation and weight, used or left out and why — and the top ten published supplies (or
    demands) with and without it, those the thesaurus brought marked. An edit applies at the next
    query, so the operator checks it here at once. The records shown are those the user sees."""

    model = ThesaurusEntry
    template_name = "techmarket/thesaurus_try.html"
    title = _("词表试查")

    def get(self, request, *args, **kwargs):
        from . import matching
        from .forms import ThesaurusTryForm

        form = ThesaurusTryForm(request.GET or None)
        context = {"title": self.get_title(), "form": form}
        if form.is_bound and form.is_valid():
            kind = form.cleaned_data["kind"]
            trial = matching.try_thesaurus(kind, form.cleaned_data["text"], k=MATCH_K)
            model = Supply if kind == "supply" else Demand
            with_rows = match_rows(trial.with_thesaurus, model, request.user)
            without_rows = match_rows(trial.without, model, request.user)
            plain = {r["object"].pk for r in without_rows}
            for r in with_rows:
                r["added"] = r["object"].pk not in plain
            expansions = [{**x, "shown": _as_written(x["term"], x["label"]),
                           "relation_label": gettext(RELATIONS[x["relation"]]),
                           "left_out": gettext(LEFT_OUT[x["status"]]) if x["status"] else ""}
                          for x in trial.expansions]
            context.update(
                trial=trial, with_rows=with_rows, without_rows=without_rows,
                added=sum(r["added"] for r in with_rows), kind_label=model._meta.verbose_name,
                expansions=expansions, used=[x for x in expansions if not x["left_out"]],
                left_out=[x for x in expansions if x["left_out"]])
        return self.render_to_response(self.get_context_data(**context))


# --- the staff's overview ---------------------------------------------------------------------------

@declare.route("", "overview")
class OverviewView(ScopedViewMixin, TemplateView):
    """科技大市场看板: demands, supplies and pushes by chain and status, the pushes' interest rate,
    the latest published demands and supplies — over what the user sees."""

    model = Demand
    template_name = "techmarket/demand_overview.html"
    title = _("科技大市场看板")

    def get_permission(self) -> str:
        return "techmarket.view_push"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.organization_id:
            raise PermissionDenied(gettext("看板供科技局与园区工作人员使用"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        demands = Demand.objects.visible_to(user)
        supplies = Supply.objects.visible_to(user)
        pushes = Push.objects.visible_to(user)
        d_status = Counter(dict(demands.values_list("status").annotate(n=Count("pk")).order_by()))
        s_status = Counter(dict(supplies.values_list("status").annotate(n=Count("pk")).order_by()))
        chains: dict[str, dict[str, int]] = defaultdict(lambda: {"demand": 0, "supply": 0, "push": 0})
        for name, n in demands.values_list("segment__chain__name").annotate(n=Count("pk")).order_by():
            chains[name or gettext("未归链")]["demand"] += n
        for name, n in supplies.values_list("segment__chain__name").annotate(n=Count("pk")).order_by():
            chains[name or gettext("未归链")]["supply"] += n
        for name, n in pushes.values_list("demand__segment__chain__name").annotate(n=Count("pk")).order_by():
            chains[name or gettext("未归链")]["push"] += n
        order = sorted(chains, key=lambda c: (c == gettext("未归链"), -sum(chains[c].values()), c))
        p = pushes.aggregate(
            total=Count("pk"),
            answered=Count("pk", filter=~Q(demand_feedback="") | ~Q(supply_feedback="")),
            interested=Count("pk", filter=Q(demand_feedback="interested") | Q(supply_feedback="interested")),
            both=Count("pk", filter=Q(demand_feedback="interested", supply_feedback="interested")))
        rate = (p["interested"] / p["answered"]) if p["answered"] else None
        chart = {"chains": order, "demand": [chains[c]["demand"] for c in order],
                 "supply": [chains[c]["supply"] for c in order], "push": [chains[c]["push"] for c in order]}
        latest_demands = (demands.filter(status__in=["published", "challenge", "solved"])
                          .select_related("organization", "segment__chain").order_by("-published_at", "-pk")[:8])
        latest_supplies = (supplies.filter(status="published")
                           .select_related("organization", "segment__chain").order_by("-published_at", "-pk")[:8])
        return super().get_context_data(
            title=self.title, chart=chart, rows=[(c, chains[c]) for c in order],
            demand_status=" · ".join(f"{s.label} {d_status[s.value]}" for s in Demand.Status if d_status.get(s.value)),
            supply_status=" · ".join(f"{s.label} {s_status[s.value]}" for s in Supply.Status if s_status.get(s.value)),
            demand_total=sum(d_status.values()), supply_total=sum(s_status.values()), pushes=p, rate=rate,
            latest_demands=latest_demands, latest_supplies=latest_supplies, **kwargs)
