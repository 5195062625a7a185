"""招商情报: news items, reports and announcements read for investment leads.

An item keeps its source, date and text; the job queue extracts its fields (each with its span,
``extract.py``), finds the near-duplicates it belongs with (``dedup.py``) and scores it for the
zone with its reasons (``scoring.py``). An officer turns an item into a target (招商目标库) or a
pipeline lead (线索); the item keeps the link, so what became of a lead is traced back to it.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from feidi.core.fields import MoneyField
from feidi.core.models import FeidiModel
from feidi.core.models import OrganizationField
from feidi.core.scope import Scope


class SourceKind(models.TextChoices):
    PASTE = "paste", _("粘贴")
    UPLOAD = "upload", _("上传文件")
    FOLDER = "folder", _("本地目录")
    FEED = "feed", _("订阅源")
    API = "api", _("接口")


class DocKind(models.TextChoices):
    NEWS = "news", _("新闻")
    ANNOUNCEMENT = "announcement", _("公告")
    REPORT = "report", _("研究报告")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    PENDING = "pending", _("待分析")
    NEW = "new", _("待研判")
    TARGET = "target", _("已转目标")
    LEAD = "lead", _("已转线索")
    DISMISSED = "dismissed", _("不跟进")


class NewsItem(FeidiModel):
    """One story: where it came from, its date and text, what was extracted, its score for the
    zone and what it became (a target or a lead)."""

    title = models.CharField(_("标题"), max_length=300)
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("媒体、网站或公告平台"))
    source_kind = models.CharField(_("获取方式"), max_length=16, choices=SourceKind.choices, default=SourceKind.PASTE)
    doc_kind = models.CharField(_("类型"), max_length=16, choices=DocKind.choices, default=DocKind.NEWS)
    url = models.CharField(_("原文链接或文件"), max_length=500, blank=True)
    published_on = models.DateField(_("发布日期"), db_index=True)
    text = models.TextField(_("正文"))
    content_hash = models.CharField(_("正文指纹"), max_length=64, editable=False, db_index=True)
    # SimHash of the text's character shingles cut into six bands (dedup.py): two items within a
    # Hamming distance of 5 share at least one band (pigeonhole), so candidates come from an index.
    simhash = models.BigIntegerField(_("相似指纹"), null=True, blank=True, editable=False)
    band0 = models.IntegerField(null=True, blank=True, editable=False)
    band1 = models.IntegerField(null=True, blank=True, editable=False)
    band2 = models.IntegerField(null=True, blank=True, editable=False)
    band3 = models.IntegerField(null=True, blank=True, editable=False)
    band4 = models.IntegerField(null=True, blank=True, editable=False)
    band5 = models.IntegerField(null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey("self", verbose_name=_("同一报道"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates", editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, editable=False)
    analysed_at = models.DateTimeField(_("分析时间"), null=True, blank=True, editable=False)
    extraction = models.JSONField(_("抽取结果"), default=dict, blank=True, editable=False)
    org_name = models.CharField(_("主要企业"), max_length=200, blank=True, editable=False)
    organization = OrganizationField(_("对应主体"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     editable=False)
    event_type = models.CharField(_("事件类型"), max_length=8, blank=True, editable=False)
    amount = MoneyField(_("金额（元）"), null=True, blank=True, editable=False)
    chain_name = models.CharField(_("产业链"), max_length=50, blank=True, editable=False)
    chain = models.ForeignKey("chains.Chain", verbose_name=_("本区产业链"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", editable=False)
    segment = models.ForeignKey("chains.Segment", verbose_name=_("产业链环节"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", editable=False)
    score = models.IntegerField(_("线索评分"), default=0, editable=False, db_index=True)
    reasons = models.JSONField(_("评分理由"), default=list, blank=True, editable=False)
    project = models.ForeignKey("projects.Project", verbose_name=_("转成的线索"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", editable=False)
    target = models.ForeignKey("chains.Target", verbose_name=_("转成的招商目标"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", editable=False)

    scope = Scope(department="department", owner="created_by")
    audit_exclude = ("updated_at", "created_at", "extraction", "text", "band0", "band1", "band2", "band3", "band4", "band5",
                     "simhash")

    class Meta:
        verbose_name = verbose_name_plural = _("招商情报")
        ordering = ["-published_on", "-score", "-pk"]
        indexes = [
            models.Index(fields=["department", "published_on", "score"]),
            models.Index(fields=["band0"]), models.Index(fields=["band1"]),
            models.Index(fields=["band2"]), models.Index(fields=["band3"]),
            models.Index(fields=["band4"]), models.Index(fields=["band5"]),
        ]

    def __str__(self):
        return self.title


class Source(FeidiModel):
    """A place the investment bureau reads from on a schedule (情报来源): an RSS/Atom feed on the
    intranet or a folder on the server where reports are dropped. Only addresses the operator
    allows are accepted (``FEIDI_INTEL_FEED_HOSTS``, ``FEIDI_INTEL_FOLDERS``): a zone's user cannot
    make the server fetch an arbitrary address or read an arbitrary directory. The job queue reads
    each active source every ``every_hours``; what it found is kept on the source."""

    class Kind(models.TextChoices):
        FEED = "feed", _("订阅源")
        FOLDER = "folder", _("本地目录")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.FEED)
    location = models.CharField(_("地址或目录"), max_length=500,
                                help_text=_("订阅源填 http(s) 地址，本地目录填服务器上的绝对路径；须在运维允许的范围内"))
    active = models.BooleanField(_("启用"), default=True)
    every_hours = models.PositiveSmallIntegerField(_("读取间隔（小时）"), default=6,
                                                   validators=[MinValueValidator(1), MaxValueValidator(168)])
    read_at = models.DateTimeField(_("上次读取"), null=True, blank=True, editable=False)
    read_ok = models.BooleanField(_("上次读取成功"), null=True, blank=True, editable=False)
    read_result = models.CharField(_("上次结果"), max_length=300, blank=True, editable=False)
    read_added = models.PositiveIntegerField(_("上次新增条数"), default=0, editable=False)

    scope = Scope(department="department", owner="created_by")

    class Meta:
        verbose_name = verbose_name_plural = _("情报来源")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        from .locations import check_location

        if self.location:
            self.location = check_location(self.kind, self.location.strip())
