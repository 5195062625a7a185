from feidi.core.tables import Column, Table


class IndicatorValueTable(Table):
    default_order = "-period"
    organization = Column("企业", order_by="organization__name")
    indicator = Column("指标", order_by="indicator__order")
    period = Column("月份", render=lambda r: f"{r.period:%Y-%m}", export_value=lambda r: r.period)
    value = Column("数值", render=lambda r: f"{r.value.normalize():,f}", export_value=lambda r: float(r.value))
    source = Column("来源", accessor="get_source_display", order_by="source")
    confirmed_warning = Column("已确认的提醒", sortable=False)
    entered_at = Column("填报时间")


class IndicatorTable(Table):
    default_order = "order"
    name = Column("名称", link=True)
    code = Column("编码")
    unit = Column("单位")
    kind = Column("口径", accessor="get_kind_display", order_by="kind")
    above_scale_only = Column("仅规上")
    required = Column("每月必报")
    warn_ratio = Column("波动提醒阈值")
    active = Column("启用")
