from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "feidi.policies"
    label = "policies"
    verbose_name = _("惠企政策")

    def ready(self):
        from django.utils.translation import gettext_noop

        from feidi.core import appstart
        from feidi.core import imports
        from feidi.core.navigation import Item
        from feidi.indicators.ranking import REPORT_SECTIONS

        from . import jobs
        from .effect import report_section

        appstart.start(self.name, stats=True, todos=True)  # payments in 统计查询 and the reports; the todos
        REPORT_SECTIONS.append(report_section)  # the effect in the monthly report
        jobs.connect()  # matches follow labels, values, residencies and talents
        imports.register("policy_items", "feidi.policies.importers.PolicyItemImporter")
        appstart.declared_menu(self.name, "policies", gettext_noop("惠企政策"), "🎁", 25, [
            Item(gettext_noop("我的政策"), "policies:mine", "policies.view_match", org_users=True,
                 visible=lambda user: bool(user.organization_id)),
            Item(gettext_noop("匹配结果"), "policies:match_list", "policies.view_match"),
            Item(gettext_noop("政策申报"), "policies:application_list", "policies.view_application", org_users=True),
            Item(gettext_noop("政策兑现"), "policies:payment_list", "policies.view_payment", org_users=True),
            Item(gettext_noop("兑现汇总"), "policies:payment_summary", "policies.view_payment"),
        ])
