from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn, Column, StatusColumn, Table


class SourceTable(Table):
    default_order = "name"
    name = Column(_("名称"), link=True)
    kind = ChoiceColumn(_("类型"))
    location = Column(_("地址或目录"))
    every_hours = Column(_("读取间隔（小时）"))
    active = Column(_("启用"))
    read_at = Column(_("上次读取"))
    read_result = Column(_("上次结果"))


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
    status = StatusColumn()
