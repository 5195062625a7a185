"""What the investment pipeline answers in 统计查询: projects signed, started, produced … in a window,
their amounts, by park, chain, stage, programme (签约活动, 联动开工批次) or channel."""

from __future__ import annotations

from feidi.core import stats

from .models import Channel, KeyLevel, Project, Stage

MONEY = (
    ("signed_amount", "签约资金"), ("planned_investment", "总投资"), ("fixed_asset_investment", "固定资产投资"),
    ("foreign_investment", "利用外资"), ("expected_output", "预计年产值"),
)


def register() -> None:
    stats.register(stats.Subject(
        key="projects", label="招商项目", model=Project, noun="项目", unit="个", order=10,
        help="按签约、开工、投产日期统计项目个数与金额，如“1至10月引进项目62个，签约资金322亿元”",
        measures=(stats.Measure("count", "项目数"),) + tuple(
            stats.Measure(f"sum:{name}", label, "sum", name, "元") for name, label in MONEY),
        dates=(
            stats.DateField("signed_on", "签约日期", "签约"), stats.DateField("started_on", "开工日期", "开工"),
            stats.DateField("produced_on", "投产日期", "投产"), stats.DateField("created_at", "登记时间", "新增"),
        ),
        dimensions=(
            stats.Dimension("zone", "园区", "zone_id", model="registry.Zone"),
            stats.Dimension("chain", "产业链", "segment__chain_id", model="chains.Chain", suffix="产业链"),
            stats.Dimension("segment", "产业链环节", "segment_id", model="chains.Segment", inline=False),
            stats.Dimension("stage", "阶段", "stage", "choice", choices_of=tuple(Stage.choices), inline=False),
            stats.Dimension("programme", "活动/批次", "programmes", "dict", dict_type="project_programme", multi=True),
            stats.Dimension("key", "重点项目", "is_key", "bool"),
            stats.Dimension("key_level", "重点级别", "key_level", "choice", choices_of=tuple(KeyLevel.choices)),
            stats.Dimension("channel", "来源渠道", "channel", "choice", choices_of=tuple(Channel.choices), inline=False),
            stats.Dimension("department", "责任单位", "introducer_department_id", model="accounts.Department",
                            inline=False),
        ),
        bands=tuple(stats.Band(name, label, "元") for name, label in MONEY[:3]),
    ))
