"""Core models: the base of every business record, dictionaries, the audit trail, downloads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .context import SOURCES
from .fields import EncryptedCharField
from .scope import Scope
from .scope import ScopedManager


class DetailUrlMixin:
    """``get_absolute_url`` by the naming rule: the ``<app>:<model>_<url_page>`` page of the record,
    its detail page unless the model names another (a code list's entry opens on its edit page)."""

    url_page = "detail"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(f"{self._meta.app_label}:{self._meta.model_name}_{self.url_page}", kwargs={"pk": self.pk})


class DatesInOrder:
    """A record whose dates keep an order: ``date_order`` lists ``(later, earlier)`` pairs, each a
    field of the record or a path to a related record's (``"agreement__signed_on"``: the parent's;
    ``"milestones__done_on"``: each child's). ``full_clean`` refuses a pair out of order on the
    record's own field, on every path (forms, imports row by row, the API, actions): a commitment
    due before its agreement was signed, a meeting's task due before the meeting, a project moved
    to start after its milestones were done. An empty date on either side says nothing."""

    date_order: tuple[tuple[str, str], ...] = ()

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        from django.core.exceptions import NON_FIELD_ERRORS
        from django.core.exceptions import ValidationError

        errors: dict = {}
        try:
            super().full_clean(exclude=exclude, validate_unique=validate_unique,
                               validate_constraints=validate_constraints)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        exclude = set(exclude or ())
        for name, message, other in dates_out_of_order(self, skip=set(errors)):
            if name in exclude:  # said on the other date when the form shows that one (开始洽谈 of 确定入驻日期)
                name = other if other and other not in exclude else NON_FIELD_ERRORS
            errors.setdefault(name, []).append(message)
        if errors:
            raise ValidationError(errors)


def _day(value):
    """A moment's day as the zone reads it (a call published at 07:30 Beijing is of that day, not of
    the UTC day before), a date as it is."""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _related_day(instance, path: str, *, earliest: bool):
    """(the day at ``path`` from ``instance``, the related model's name): a parent's through its key
    as the record now holds it, or the earliest (``earliest``) or latest of its children's."""
    first, rest = path.split("__", 1)
    field = instance._meta.get_field(first)
    if (field.many_to_one or field.one_to_one) and field.concrete:
        key = getattr(instance, field.attname)
        if key is None:
            return None, ""
        day = field.related_model._base_manager.filter(pk=key).values_list(rest, flat=True).first()
    else:
        if instance.pk is None:  # a record not yet saved has no children
            return None, ""
        aggregate = models.Min(path) if earliest else models.Max(path)
        day = type(instance)._base_manager.filter(pk=instance.pk).aggregate(day=aggregate)["day"]
    return _day(day), str(field.related_model._meta.verbose_name)


def _label(model, path: str) -> str:
    *_, name = path.split("__")
    for part in path.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    return str(model._meta.get_field(name).verbose_name)


def dates_out_of_order(instance, skip=frozenset(), only=None):
    """``(field, message, other)`` for each of ``instance``'s ``date_order`` pairs out of order, the
    message in Chinese naming both dates, ``other`` the pair's other field when it is the record's; a field in ``skip`` (its value already refused) is not compared,
    and with ``only`` just the pairs with one of those fields of the record's own."""
    model = type(instance)
    for later, earlier in getattr(instance, "date_order", ()):
        if later in skip or earlier in skip or only is not None and not {later, earlier} & set(only):
            continue
        if "__" not in later and "__" not in earlier:
            late, early = _day(getattr(instance, later)), _day(getattr(instance, earlier))
            if late is not None and early is not None and late < early:
                yield later, gettext("{later}不能早于{earlier}（{day}）").format(
                    later=_label(model, later), earlier=_label(model, earlier), day=early.isoformat()), earlier
        elif "__" in earlier:  # this record's date after another record's
            late = _day(getattr(instance, later))
            if late is None:
                continue
            early, whose = _related_day(instance, earlier, earliest=False)
            if early is not None and late < early:
                yield later, gettext("{later}不能早于{whose}的{earlier}（{day}）").format(
                    later=_label(model, later), whose=whose, earlier=_label(model, earlier), day=early.isoformat()), None
        else:  # this record's date before another record's
            early = _day(getattr(instance, earlier))
            if early is None:
                continue
            late, whose = _related_day(instance, later, earliest=True)
            if late is not None and late < early:
                yield earlier, gettext("{earlier}不能晚于{whose}的{later}（{day}）").format(
                    earlier=_label(model, earlier), whose=whose, later=_label(model, later), day=late.isoformat()), None


def check_dates(instance, changes: dict) -> None:
    """Refuse ``changes`` (field → value) to ``instance`` that would put its dates out of order
    (``DatesInOrder``): for a step written by a conditional update, which passes no ``full_clean``."""
    import copy

    from django.core.exceptions import ValidationError

    probe = copy.copy(instance)
    for name, value in changes.items():
        setattr(probe, name, value)
    errors: dict = {}
    for name, message, _other in dates_out_of_order(probe, only=changes):
        errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)


class FeidiModel(DatesInOrder, DetailUrlMixin, models.Model):
    """Base of every business record: owning department, creator, timestamps, and a version
    number for optimistic concurrency (an edit based on a stale version is refused)."""

    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("所属部门"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    sample = models.BooleanField(_("示例数据"), default=False, help_text=_("演示用的虚构数据，显示“示例”标记"))

    objects = ScopedManager()
    scope = Scope()
    # Fields left out of audit snapshots (derived or secret).
    audit_exclude: tuple[str, ...] = ("updated_at", "created_at")

    class Meta:
        abstract = True


class WorkdayClock(models.Model):
    """Where a record's deadline was counted from and how many working days it runs
    (``core.calendar.clock``): kept so that the deadline can be counted again when the calendar
    changes (a year's notice entered after a deadline was counted on the weekday rule, a day
    adjusted). The record's own ``deadline`` field holds the result."""

    deadline_from = models.DateField(_("期限起算日"), null=True, blank=True, editable=False)
    deadline_days = models.PositiveSmallIntegerField(_("期限工作日数"), null=True, blank=True, editable=False)
    # the spells the clock stood still ([first day, day resumed, at most this many working days]): the
    # working days inside them are counted on the calendar in force, so a holiday entered later moves
    # the deadline by what it changes inside a suspension too (``core.calendar.credited``)
    deadline_pauses = models.JSONField(_("期限中止期间"), default=list, blank=True, editable=False)

    class Meta:
        abstract = True


class ReferenceModel(DetailUrlMixin, models.Model):
    """A record of reference that belongs to no department and no person (a code list's entry, a
    calendar adjustment, an indicator, a published figure): every holder of its view permission
    reads all of it; its audit snapshots keep every field."""

    objects = ScopedManager()
    scope = Scope(department=None, owner=None, public=models.Q(pk__isnull=False))
    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True


class PersonalModel(models.Model):
    """A user's own record (a download, an import, an inbox message, a saved question, an API
    token): reached through its ``user`` alone, whatever the roles of whoever else asks."""

    objects = ScopedManager()
    scope = Scope(department=None, owner="user", owner_only=True)

    class Meta:
        abstract = True


def seeded_label(text: str) -> str:
    """A code list's label in the user's language: the seeded labels are in the catalogue (marked in
    seeds.py), a label users typed or edited is shown as typed."""
    return gettext(text) if text else text


def DictField(type_code: str, verbose_name: str, **kwargs):  # noqa: N802 (reads like a field class)
    """A foreign key to an item of the editable code list ``type_code``."""
    kwargs.setdefault("on_delete", models.PROTECT)
    kwargs.setdefault("related_name", "+")
    return models.ForeignKey("core.DictItem", verbose_name=verbose_name,
                             limit_choices_to={"type__code": type_code, "active": True}, **kwargs)


def OrganizationField(verbose_name: str = _("企业"), **kwargs):  # noqa: N802 (reads like a field class)
    """The enterprise or institution (主体库) a record is about: a foreign key that keeps the record
    (PROTECT) unless told otherwise."""
    kwargs.setdefault("on_delete", models.PROTECT)
    return models.ForeignKey("registry.Organization", verbose_name=verbose_name, **kwargs)


class DictType(models.Model):
    """A code list users may edit (categories, stage labels, industries, enclave kinds…)."""

    code = models.SlugField(_("编码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    system = models.BooleanField(_("系统内置"), default=True, help_text=_("内置字典不能删除，但其条目可编辑"))

    objects = models.Manager()

    class Meta:
        verbose_name = verbose_name_plural = _("数据字典")
        ordering = ["code"]

    def __str__(self):
        return seeded_label(self.name)


class DictItem(ReferenceModel):
    """One entry of a code list. Items in use are deactivated rather than deleted."""

    url_page = "edit"

    type = models.ForeignKey(DictType, verbose_name=_("字典"), on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("编码"), max_length=50)
    label = models.CharField(_("名称"), max_length=100)
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    extra = models.JSONField(_("附加属性"), default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("字典条目")
        ordering = ["type", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["type", "code"], name="dictitem_unique_code")]

    def __str__(self):
        return seeded_label(self.label)


class CalendarDay(ReferenceModel):
    """A day whose status differs from the national schedule (a local holiday, a make-up workday,
    or a year chinesecalendar does not know yet). Deadlines in working days read these first."""

    url_page = "edit"

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("工作日历调整")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} " + (gettext("上班") if self.is_workday else gettext("休息"))


class CalendarYear(ReferenceModel):
    """A year's statutory holiday schedule as the State Council's annual notice states it — the
    holiday periods (``[{"name": "春节", "first": "2027-02-06", "last": "2027-02-13"}, …]``) and the
    make-up workdays (``[{"name": "春节", "date": "2027-02-14"}, …]``) — entered once a year when the
    notice is published (November), for the years chinesecalendar does not know. Every other day
    of the year follows the weekday rule."""

    class Source(models.TextChoices):
        FORM = "form", _("表单录入")
        XLSX = "xlsx", _("Excel导入")
        NOTICE = "notice", _("粘贴通知原文")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    periods = models.JSONField(_("放假安排"), default=list)
    workdays = models.JSONField(_("调休上班日"), default=list)
    source = models.CharField(_("录入方式"), max_length=16, choices=Source.choices, default=Source.FORM)
    notice = models.TextField(_("通知原文"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    audit_exclude: tuple[str, ...] = ("entered_at",)

    class Meta:
        verbose_name = verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return gettext("{year}年节假日安排").format(year=self.year)

    def schedule(self):
        from feidi.lib.workdays import YearSchedule

        holidays = set()
        for p in self.periods:
            first, last = dt.date.fromisoformat(p["first"]), dt.date.fromisoformat(p["last"])
            holidays |= {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
        return YearSchedule(self.year, frozenset(holidays),
                            frozenset(dt.date.fromisoformat(w["date"]) for w in self.workdays))


class JobLease(models.Model):
    """Who runs a periodic job now, until when (``core.leases``): taken by a conditional UPDATE,
    renewed while the job works, free again when it ends or when its holder died and it expired."""

    name = models.CharField(_("任务"), max_length=100, unique=True)
    holder = models.CharField(_("执行者"), max_length=200, blank=True)
    acquired_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    renewed_at = models.DateTimeField(_("最近续期"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("定时任务租约")

    def __str__(self):
        return gettext("{name}（{holder}）").format(name=self.name, holder=self.holder or gettext("空闲"))


class AuditHead(models.Model):
    """The chain's head: last sequence number and hash. Locked while a record is appended so
    concurrent writers chain one after another."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


class AuditRecord(DetailUrlMixin, models.Model):
    """One change or sensitive read, hash-chained to the previous record (tamper-evident)."""

    text_as_written = True  # hashed as given: ``tidy_stored_text`` leaves it alone

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        REVEAL = "reveal", _("查看敏感信息")
        TRANSITION = "transition", _("状态变更")
        EXPORT = "export", _("导出")

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    user_id_snapshot = models.BigIntegerField(_("用户ID"), null=True, blank=True)
    username = models.CharField(_("用户"), max_length=150, blank=True)
    address = models.CharField(_("来源地址"), max_length=64, blank=True)
    source = models.CharField(_("渠道"), max_length=16, choices=list(SOURCES.items()))
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=100, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.TextField(_("变更前"), blank=True)
    after = models.TextField(_("变更后"), blank=True)
    prev_hash = models.CharField(_("前序哈希"), max_length=64)
    hash = models.CharField(_("本条哈希"), max_length=64)

    objects = ScopedManager()
    scope = Scope(department=None, owner=None)

    class Meta:
        verbose_name = verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        permissions = [("verify_auditrecord", _("校验审计链"))]

    def __str__(self):
        return f"#{self.seq} {self.get_action_display()} {self.object_repr}"


class FormSubmission(models.Model):
    """A create form's one-time token: a form posted twice creates one record."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = models.Manager()

    def __str__(self):
        return self.token


class ExportFile(PersonalModel):
    """An export built by the job queue, waiting in the user's download centre (下载中心)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="+")
    title = models.CharField(_("名称"), max_length=200)
    view_name = models.CharField(max_length=100)
    query = models.TextField(blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("下载中心")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:exportfile_list")


class ImportJob(DetailUrlMixin, PersonalModel):
    """One uploaded import file and what became of it (导入记录): checked in the request when small,
    in the job queue when large, refused whole with its row-by-row report, waiting for its uploader
    to confirm the warnings, or written whole. The file is kept for the record."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        REFUSED = "refused", _("未导入")
        AWAITING = "awaiting", _("待确认")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(_("导入类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=100)
    filename = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField(_("文件大小"), default=0)
    address = models.CharField(_("来源地址"), max_length=64, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    sheet = models.CharField(_("读取的工作表"), max_length=300, blank=True)
    total = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("写入条数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveIntegerField(_("提醒数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)  # the first 1,000, by row
    warnings = models.JSONField(_("提醒"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)  # why the file as a whole was refused, or failed
    confirmed = models.BooleanField(_("已确认提醒"), default=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("导入记录")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title}：{self.filename}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.REFUSED, self.Status.DONE, self.Status.FAILED)


class Notification(DetailUrlMixin, PersonalModel):
    """One message in a user's in-app inbox (站内消息)."""

    url_page = "open"  # opening a message marks it read, then follows its link

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                             related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("站内消息")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


class WebhookEndpoint(DetailUrlMixin, models.Model):
    """A group robot of WeCom, DingTalk or Feishu that receives a department's notifications."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")
        FEISHU = "feishu", _("飞书")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("平台"), max_length=16, choices=Kind.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = EncryptedCharField(_("签名密钥"), max_length=200, blank=True, kind="secret",
                                help_text=_("钉钉“加签”或飞书“签名校验”的密钥；企业微信留空"))
    department = models.ForeignKey("accounts.Department", verbose_name=_("接收哪个部门的通知"),
                                   on_delete=models.CASCADE,
                                   related_name="+")
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None)
    audit_exclude: tuple[str, ...] = ()

    class Meta:
        verbose_name = verbose_name_plural = _("机器人通知")
        ordering = ["department", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def clean(self):
        from django.core.exceptions import ValidationError

        from feidi.lib import robots

        try:
            robots.check_url(self.kind, self.url or "", settings.WEBHOOK_ALLOWED_HOSTS)
        except robots.UnsafeWebhook as exc:
            raise ValidationError({"url": str(exc)}) from None


class Delivery(models.Model):
    """One attempt-tracked sending of a notification by e-mail or a robot webhook. Failures are
    retried with exponential backoff and stay visible until they succeed or give up."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        WEBHOOK = "webhook", _("机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已送达")
        RETRY = "retry", _("等待重试")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("机器人"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.CharField(_("收件人"), max_length=254, blank=True)
    department = models.ForeignKey("accounts.Department", verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True, db_index=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(department="department", owner=None)

    class Meta:
        verbose_name = verbose_name_plural = _("通知投递")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.title}"


class SavedQuery(PersonalModel):
    """A 统计查询 question kept by its author (its parameters, so it is asked again with the day's
    data), optionally a block of the department's biweekly and monthly .docx reports."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("accounts.Department", verbose_name=_("所属部门"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    params = models.CharField(_("查询参数"), max_length=2000)
    in_reports = models.BooleanField(_("写入专报"), default=False,
                                     help_text=_("勾选后，本部门的半月专报和月调度通报按报告日期重新计算并写入这句话"))
    order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("保存的统计查询")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Attachment(models.Model):
    """A file belonging to one record (an appeal's evidence, a project's gate documents, a policy's
    original text, an application's materials): stored under the media root by the record's own
    ``upload_to``, never a public URL — read only through its record's scope
    (``core.attachments``)."""

    file = models.FileField(_("文件"))
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = models.Manager()

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class EventLog(models.Model):
    """A record's log entry (a project's transitions and follow-ups, an appeal's replies and
    notes): when, by whom, what kind of step and its text. Concrete logs add the foreign key to
    their record, their own ordering and ``__str__``; entries are read through that record's
    scope, hence the plain manager."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("事项"), max_length=16)
    text = models.TextField(_("内容"), blank=True)

    objects = models.Manager()

    class Meta:
        abstract = True


def tidy_stored_text(sender, instance, **kwargs) -> None:
    """``pre_save``: a record's texts hold no control character, whichever path
    wrote them (a text box, the API, an action): a Word line break pasted into a statement stopped
    every Word report that quoted it. Line breaks are kept (a one-line field's form makes them spaces
    already; ``lib.cells.tidy_text``)."""
    if not sender.__module__.startswith("feidi.") or getattr(sender, "text_as_written", False):
        return
    from feidi.lib.cells import tidy_text
    from feidi.lib.cells import untidy

    for f in sender._meta.concrete_fields:
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices:
            value = getattr(instance, f.attname)
            if value.__class__ is str and untidy(value):
                setattr(instance, f.attname, tidy_text(value, multiline=True))
