from django.utils.translation import gettext_lazy as _

from feidi.core.tables import BadgeColumn
from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import DecimalColumn
from feidi.core.tables import MonthColumn
from feidi.core.tables import PercentColumn
from feidi.core.tables import RelatedColumn
from feidi.core.tables import Table

from . import models


class FigureColumn(DecimalColumn):
    """An indicator's figure as every page says it: an amount of 元 in 万元/亿元 (a zone's published
    total was 59,828,277,684 on its list), any other with its unit (1,234 人); the export keeps the
    number as stored."""

    def display(self, row):
        value = self.value(row)
        if value is None:
            return "—"
        if row.indicator.unit.strip() == "元":
            from feidi.lib.money import human

            return human(value)
        return f"{super().display(row)}{row.indicator.unit_shown}"


class IndicatorValueTable(Table):
    model_class = models.IndicatorValue
    fields = ("organization", "indicator", "period", "value", "source", "confirmed_warning", "entered_at")
    organization = RelatedColumn()
    indicator = RelatedColumn(by="order")
    period = MonthColumn()
    value = FigureColumn()
    source = ChoiceColumn()
    confirmed_warning = Column(sortable=False)


class IndicatorTable(Table):
    model_class = models.Indicator
    fields = ("name", "code", "unit", "kind", "above_scale_only", "required", "warn_ratio", "active")
    name = Column(accessor="name_shown", order_by="name", link=True)
    unit = Column(accessor="unit_shown", order_by="unit")
    kind = ChoiceColumn()
    above_scale_only = Column(_("仅规上"))


class MuRuleTable(Table):
    model_class = models.MuRule
    fields = ("year", "department", "land_threshold", "evaluated_at")
    year = Column(link=True)
    department = RelatedColumn(by="path")
    land_threshold = Column(_("参评用地下限（亩）"))


GRADE_COLORS = {"A": "green", "B": "blue", "C": "orange", "D": "red"}


class _PerMuColumn(Column):
    """元 per 亩 shown in 万元 with two decimals; the export has the 万元 figure."""

    def display(self, row):
        return f"{self.value(row) / 10000:,.2f}"

    def export_cell(self, row):
        return float(self.value(row) / 10000)


class MuResultTable(Table):
    model_class = models.MuResult
    fields = ("organization", "year", "land", "m_tax", "m_output", "m_rd", "score", "grade")
    organization = RelatedColumn(link=True)
    year = Column(_("年度"), accessor="rule.year", order_by="rule__year")
    land = Column(_("用地（亩）"))
    m_tax = _PerMuColumn(_("亩均税收（万元/亩）"))
    m_output = _PerMuColumn(_("亩均营收（万元/亩）"))
    m_rd = PercentColumn(_("研发强度"), digits=2)
    grade = BadgeColumn(_("类别"), GRADE_COLORS, export_value=lambda r: r.grade)


class RankingRuleTable(Table):
    model_class = models.RankingRule
    default_order = "name"
    fields = ("name", "department", "subject", "bottom_count")
    name = Column(link=True)
    department = RelatedColumn(by="path")
    subject = ChoiceColumn()


class RankingRunTable(Table):
    model_class = models.RankingRun
    fields = ("title", "month", "computed_at")
    title = Column(_("排名"), accessor="__str__", sortable=False, link=True)
    month = MonthColumn()


class ZoneFigureTable(Table):
    model_class = models.ZoneFigure
    zone = RelatedColumn(link=True)
    indicator = RelatedColumn(by="order")
    period = MonthColumn()
    value = FigureColumn()
    growth = PercentColumn(_("同比"))
    real_growth = PercentColumn(_("可比价同比"))
    source = Column(sortable=False)


class RegionFigureTable(Table):
    model_class = models.RegionFigure
    name = Column(link=True)
    level = Column(render=lambda r: r.get_level_display())
    indicator = RelatedColumn(by="order")
    period = MonthColumn()
    value = FigureColumn()
    growth = PercentColumn()
    real_growth = PercentColumn(_("可比价同比"))
    deflator = Column(_("价格指数"), render=lambda r: "—" if r.deflator is None else f"{r.deflator.normalize()}")
    source = Column(sortable=False)


class BenefitShareTable(Table):
    model_class = models.BenefitShare
    default_order = "organization__name"
    organization = RelatedColumn(link=True)
    agreement = RelatedColumn(_("协议"), by="title")
    home_zone = RelatedColumn()
    enclave_zone = RelatedColumn()
    output_share_home = Column(_("统计分算·本地(%)"))
    tax_share_home = Column(_("税收分成·本地(%)"))
    since = Column(_("起始"))
    until = Column(_("截止"))
