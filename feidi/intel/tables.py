from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feidi.core.tables import ChoiceColumn
from feidi.core.tables import Column
from feidi.core.tables import StatusColumn
from feidi.core.tables import Table

from . import models


class SourceTable(Table):
    model_class = models.Source
    fields = ("name", "kind", "location", "every_hours", "active", "read_at", "read_result")
    name = Column(link=True)
    kind = ChoiceColumn()


class NewsItemTable(Table):
    model_class = models.NewsItem
    fields = ("title", "published_on", "source", "score", "org_name", "event_type", "amount", "chain_name", "status")
    title = Column(link=True)
    event_type = Column(render=lambda r: gettext(r.event_type) if r.event_type else "")
    amount = Column(_("金额"), money=True)
    status = StatusColumn()
