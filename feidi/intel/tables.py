from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import Column, Table


class NewsItemTable(Table):
    default_order = "-published_on"
    title = Column(_("标题"), link=True)
    published_on = Column(_("发布日期"))
    source = Column(_("来源"))
    score = Column(_("线索评分"))
    org_name = Column(_("主要企业"))
    event_type = Column(_("事件类型"), render=lambda r: gettext(r.event_type) if r.event_type else "")
    amount = Column(_("金额"), money=True)
    chain_name = Column(_("产业链"))
    status = Column(_("状态"), accessor="get_status_display", order_by="status")
