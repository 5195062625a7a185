"""List columns of demands, supplies, pushes and talents: the same columns render the page and
the .xlsx export; money in 万元."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import BadgeColumn
from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import NameColumn
from feidi.core.tables import PercentColumn
from feidi.core.tables import RelatedColumn
from feidi.core.tables import Table
from feidi.core.tables import WordsColumn
from feidi.core.tables import badge

from . import models
from .matching.thesaurus import split_equivalents

STATUS_COLORS = {"draft": "secondary", "published": "green", "challenge": "orange", "solved": "blue",
                 "closed": "dark"}


def _chain(row):
    return f"{row.segment.chain.name} · {row.segment.name}" if row.segment_id else "—"


def _feedback(value, label):
    if not value:
        return format_html('<span class="text-secondary">{}</span>', gettext("未反馈"))
    color = "green" if value == "interested" else "secondary"
    return badge(label, color)


class DemandTable(Table):
    model_class = models.Demand
    fields = ("title", "organization", "field", "segment", "kind", "budget", "deadline", "status", "published_at")
    title = NameColumn(wrap=True)
    organization = RelatedColumn()
    field = RelatedColumn(by="order")
    segment = Column(render=_chain, export_value=_chain, order_by="segment__chain__order")
    kind = ChoiceColumn(_("类型"))
    budget = Column(_("预算"), money=True)
    status = BadgeColumn(colors=STATUS_COLORS)


class SupplyTable(Table):
    model_class = models.Supply
    fields = ("title", "organization", "region", "field", "segment", "maturity", "transfer_mode", "asking_price",
              "status", "published_at")
    title = NameColumn(wrap=True)
    organization = RelatedColumn()
    region = Column(_("所在地区"), accessor="organization.region", order_by="organization__region")
    field = RelatedColumn(by="order")
    segment = Column(render=_chain, export_value=_chain, order_by="segment__chain__order")
    maturity = ChoiceColumn()
    transfer_mode = ChoiceColumn()
    asking_price = Column(_("意向价格"), money=True)
    status = BadgeColumn(colors=STATUS_COLORS)


def _side(obj):
    return format_html('<div class="text-wrap" style="min-width: 12rem"><a href="{}">{}</a>'
                       '<div class="small text-secondary">{}</div></div>', obj.get_absolute_url(), obj.title,
                       obj.organization.name)


def _my_feedback(row):
    """The buttons of the user's side (rows are marked by ``views.mark_sides`` before rendering)."""
    from django.template.loader import render_to_string

    if not getattr(row, "can_mark", False):
        return "—"
    return render_to_string("techmarket/_push_feedback.html", {"p": row, "error": ""})


class PushTable(Table):
    model_class = models.Push
    fields = ("created_at", "direction", "demand", "supply", "share", "score", "rank", "demand_feedback", "supply_feedback",
              "mine")
    created_at = Column(link=True)
    direction = Column(_("方向"), order_by="direction", export_value=lambda r: r.get_direction_display(),
                       render=lambda r: format_html('<span title="{}">{}</span>', r.get_direction_display(),
                                                    gettext("需求→成果") if r.direction == "to_supplier" else gettext("成果→需求")))
    demand = Column(accessor="demand.title", order_by="demand__title",
                    render=lambda r: _side(r.demand),
                    export_value=lambda r: f"{r.demand.title}（{r.demand.organization.name}）")
    supply = Column(accessor="supply.title", order_by="supply__title",
                    render=lambda r: _side(r.supply),
                    export_value=lambda r: f"{r.supply.title}（{r.supply.organization.name}）")
    share = PercentColumn(_("匹配度"), digits=0, sortable=False)
    score = Column(export_value=lambda r: round(r.score, 4), page=False)
    demand_feedback = Column(render=lambda r: _feedback(r.demand_feedback,
                                                                    r.get_demand_feedback_display()),
                             export_value=lambda r: r.get_demand_feedback_display() or gettext("未反馈"))
    supply_feedback = Column(render=lambda r: _feedback(r.supply_feedback,
                                                                    r.get_supply_feedback_display()),
                             export_value=lambda r: r.get_supply_feedback_display() or gettext("未反馈"))
    mine = Column(_("我的反馈"), render=_my_feedback, sortable=False, export=False)


class TalentTable(Table):
    model_class = models.Talent
    fields = ("person", "title", "field", "employer", "enclave", "how", "introduced_on")
    person = Column(_("姓名"), link=True, order_by="person__name")
    field = RelatedColumn(by="order")
    employer = RelatedColumn()
    enclave = RelatedColumn()
    how = ChoiceColumn()


class ThesaurusEntryTable(Table):
    model_class = models.ThesaurusEntry
    default_order = "-updated_at"  # the latest edits first; sort by 产业链/领域 to browse
    fields = ("term", "equivalents", "broader", "related", "chain", "weight", "active", "updated_at")
    term = Column(link=True)
    equivalents = WordsColumn(split=split_equivalents, limit=6)
    related = WordsColumn(split=split_equivalents, limit=5)
    active = Column(render=lambda r: gettext("是") if r.active else gettext("否"),
                    export_value=lambda r: gettext("是") if r.active else gettext("否"))
