from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "feidi.chains"
    label = "chains"
    verbose_name = _("产业链")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core.navigation import Item, register

        register("chains", gettext_noop("产业链"), "🔗", 12, [
            Item(gettext_noop("产业链图谱"), "chains:chain_list", "chains.view_chain"),
            Item(gettext_noop("缺链补链"), "chains:gap_list", "chains.view_chain"),
            Item(gettext_noop("环节企业"), "chains:segmentmember_list", "chains.view_segmentmember"),
            Item(gettext_noop("招商目标库"), "chains:target_list", "chains.view_target"),
        ])
