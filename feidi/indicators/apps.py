from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "feidi.indicators"
    label = "indicators"
    verbose_name = _("经济运行")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.chains import gaps
        from feidi.core import appstart
        from feidi.core import imports
        from feidi.core.navigation import Item
        from feidi.core.seeds import register_seeder

        from .cells import connect
        from .engine import chain_output_provider
        from .seeds import ensure_indicators

        appstart.start(self.name, stats=True, todos=True)
        imports.register("indicators", "feidi.indicators.importing.IndicatorImporter")
        register_seeder(ensure_indicators, "indicators.Indicator")
        # 规上 labels and enterprise deletions move the maintained cells (cells.py)
        connect()
        # The chain map's output per enterprise comes from the indicators when they are reported.
        if chain_output_provider not in gaps.OUTPUT_PROVIDERS:
            gaps.OUTPUT_PROVIDERS.append(chain_output_provider)
        appstart.declared_menu(self.name, "indicators", gettext_noop("经济运行"), "📈", 16, [
            Item(gettext_noop("经济运行看板"), "indicators:dashboard", "indicators.view_indicatorvalue"),
            Item(gettext_noop("指标分析"), "indicators:analysis", "indicators.view_indicatorvalue"),
            Item(gettext_noop("城市园区分布图"), "indicators:city_map", "indicators.view_indicatorvalue"),
            Item(gettext_noop("亩产地图"), "indicators:zone_map", "indicators.view_indicatorvalue"),
            Item(gettext_noop("指标填报"), "indicators:report", "indicators.add_indicatorvalue", org_users=True),
            Item(gettext_noop("指标数据"), "indicators:indicatorvalue_list", "indicators.view_indicatorvalue",
                 org_users=True),
            Item(gettext_noop("月调度排名"), "indicators:rankingrun_list", "indicators.view_rankingrun"),
            Item(gettext_noop("亩均评价结果"), "indicators:muresult_list", "indicators.view_muresult", org_users=True),
            Item(gettext_noop("批量导入"), "indicators:import", "indicators.add_indicatorvalue"),
        ])
