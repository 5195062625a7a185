"""List columns of demands, supplies, pushes and talents: the same columns render the page and
the .xlsx export; money in 万元."""

from __future__ import annotations

from django.utils.html import format_html

from feidi.core.tables import Column, Table

STATUS_COLORS = {"draft": "secondary", "published": "green", "challenge": "orange", "solved": "blue",
                 "closed": "dark"}


def status_badge(row):
    return format_html('<span class="badge bg-{}-lt">{}</span>', STATUS_COLORS.get(row.status, "secondary"),
                       row.get_status_display())


def title_link(row):
    """A long title wraps instead of widening the table."""
    sample = format_html(' <span class="badge bg-yellow-lt">{}</span>', "示例") if getattr(row, "sample", False) else ""
    return format_html('<div class="text-wrap" style="min-width: 12rem"><a href="{}">{}</a>{}</div>',
                       row.get_absolute_url(), row.title, sample)


def _chain(row):
    return f"{row.segment.chain.name} · {row.segment.name}" if row.segment_id else "—"


def _feedback(value, label):
    if not value:
        return format_html('<span class="text-secondary">{}</span>', "未反馈")
    color = "green" if value == "interested" else "secondary"
    return format_html('<span class="badge bg-{}-lt">{}</span>', color, label)


class DemandTable(Table):
    default_order = "-created_at"
    title = Column("需求名称", render=title_link)
    organization = Column("需求企业", order_by="organization__name")
    field = Column("技术领域", order_by="field__order")
    segment = Column("产业链环节", render=_chain, export_value=_chain, order_by="segment__chain__order")
    kind = Column("类型", accessor="get_kind_display", order_by="kind")
    budget = Column("预算", money=True)
    deadline = Column("截止日期")
    status = Column("状态", render=status_badge, order_by="status", export_value=lambda r: r.get_status_display())
    published_at = Column("发布时间")


class SupplyTable(Table):
    default_order = "-created_at"
    title = Column("成果名称", render=title_link)
    organization = Column("成果单位", order_by="organization__name")
    region = Column("所在地区", accessor="organization.region", order_by="organization__region")
    field = Column("技术领域", order_by="field__order")
    segment = Column("适用产业链环节", render=_chain, export_value=_chain, order_by="segment__chain__order")
    maturity = Column("成熟度", accessor="get_maturity_display", order_by="maturity")
    transfer_mode = Column("转化方式", accessor="get_transfer_mode_display", order_by="transfer_mode")
    asking_price = Column("意向价格", money=True)
    status = Column("状态", render=status_badge, order_by="status", export_value=lambda r: r.get_status_display())
    published_at = Column("发布时间")


def _score(row):
    return f"{row.score:.2f}"


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
    default_order = "-created_at"
    created_at = Column("推送时间", link=True)
    direction = Column("方向", order_by="direction", export_value=lambda r: r.get_direction_display(),
                       render=lambda r: format_html('<span title="{}">{}</span>', r.get_direction_display(),
                                                    "需求→成果" if r.direction == "to_supplier" else "成果→需求"))
    demand = Column("技术需求", accessor="demand.title", order_by="demand__title", render=lambda r: _side(r.demand),
                    export_value=lambda r: f"{r.demand.title}（{r.demand.organization.name}）")
    supply = Column("科技成果", accessor="supply.title", order_by="supply__title", render=lambda r: _side(r.supply),
                    export_value=lambda r: f"{r.supply.title}（{r.supply.organization.name}）")
    score = Column("匹配度", render=_score, export_value=lambda r: round(r.score, 4))
    rank = Column("名次")
    demand_feedback = Column("需求方反馈", render=lambda r: _feedback(r.demand_feedback, r.get_demand_feedback_display()),
                             export_value=lambda r: r.get_demand_feedback_display() or "未反馈")
    supply_feedback = Column("成果方反馈", render=lambda r: _feedback(r.supply_feedback, r.get_supply_feedback_display()),
                             export_value=lambda r: r.get_supply_feedback_display() or "未反馈")
    mine = Column("我的反馈", render=_my_feedback, sortable=False, export=False)


class TalentTable(Table):
    default_order = "-introduced_on"
    person = Column("姓名", link=True, order_by="person__name")
    title = Column("职称/头衔")
    field = Column("专业领域", order_by="field__order")
    employer = Column("工作单位", order_by="employer__name")
    enclave = Column("引进飞地", order_by="enclave__name")
    how = Column("引进方式", accessor="get_how_display", order_by="how")
    introduced_on = Column("引进日期")


class ThesaurusEntryTable(Table):
    default_order = "-updated_at"  # the latest edits first; sort by 产业链/领域 to browse
    term = Column("术语", link=True)
    equivalents = Column("同义词/缩写")
    broader = Column("上位词")
    chain = Column("产业链/领域")
    weight = Column("扩展权重")
    active = Column("启用", render=lambda r: "是" if r.active else "否", export_value=lambda r: "是" if r.active else "否")
    updated_at = Column("更新时间")
