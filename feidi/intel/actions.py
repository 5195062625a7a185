"""Writes on 招商情报: taking items in, analysing them (the job queue, in batches), and turning an
item into a target or a pipeline lead, with the item linked to what it became."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext

from feidi.core import audit
from feidi.core.actions import create_object
from feidi.core.actions import refuse_outside_scope
from feidi.core.actions import update_object

from . import dedup
from . import extract
from . import scoring
from .models import NewsItem
from .models import SourceKind
from .models import Status

log = logging.getLogger(__name__)
BATCH = 200  # items per job: one context read, one transaction


def _department_of(user):
    return getattr(user, "department_id", None)


def do_add_item(*, acting_user, title: str, text: str, published_on: dt.date | None = None, source: str = "",
                source_kind: str = SourceKind.PASTE, doc_kind: str = "news", url: str = "",
                department_id=None, sample: bool = False, analyse: bool = True) -> NewsItem:
    """Store one item (its department is the officer's) and queue its analysis after commit. The
    same text already stored in the department is not stored twice: that item is returned, marked
    ``stored_before`` — but only once what was given passed the same checks as a new item (a
    duplicate dated 9999-12-31 is refused as the date, not answered with the item stored before)."""
    from feidi.core.actions import checked

    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": gettext("正文不能为空")})
    department_id = department_id or _department_of(acting_user)
    digest = dedup.content_hash(text)
    title = (title or "").strip() or text.splitlines()[0][:60]
    # A feed's or a file's headline and link are cut to their columns (a document is not refused
    # for a long headline); what a person types is bounded before it comes here (the API's
    # schema, the page's form) and refused there, never cut.
    item = NewsItem(title=title[:300], text=text, published_on=published_on or timezone.localdate(),
                    source=source[:100], source_kind=source_kind, doc_kind=doc_kind, url=url[:500],
                    department_id=department_id, content_hash=digest, sample=sample)
    same = NewsItem.objects.filter(department_id=department_id, content_hash=digest).first()
    if same is not None:
        checked(item)
        item.full_clean(validate_unique=False, validate_constraints=False)
        same.stored_before = True
        return same
    fingerprint(item)
    with transaction.atomic():
        create_object(item, acting_user=acting_user)
        if analyse:
            request_analysis([item.pk])
    return item


# Sent after commit with the ids of items stored for analysis; ``jobs`` queues them in batches
# (jobs imports this module, never the reverse).
items_stored = Signal()


def request_analysis(ids: list[int]) -> None:
    """Ask for the analysis of ``ids`` once the transaction commits (the job queue takes them)."""
    transaction.on_commit(lambda: items_stored.send(sender=NewsItem, ids=list(ids)))


def analysed_text(item: NewsItem) -> str:
    """What is analysed: the title, then the text (spans are offsets in this)."""
    return f"{item.title}\n{item.text}" if item.title and not item.text.startswith(item.title) else item.text


def fingerprint(item: NewsItem) -> None:
    """The SimHash and its bands, set when the item is stored: grouping never waits for another
    batch's analysis (two workers analyse batches side by side)."""
    item.simhash = dedup.simhash(analysed_text(item))
    for i, v in enumerate(dedup.bands(item.simhash)):
        setattr(item, f"band{i}", v)


def analyse_items(ids: list[int], *, contexts: dict | None = None) -> int:
    """Extract, group and score the items ``ids`` (derived fields only: no audit row, the item's
    text is unchanged): one read of the zone's context per department, one query for the
    duplicate candidates of the whole batch, one write. Returns how many were analysed."""
    items = list(NewsItem.objects.filter(pk__in=ids).order_by("pk"))
    if not items:
        return 0
    contexts = {} if contexts is None else contexts
    for item in items:
        if item.simhash is None:
            fingerprint(item)
    groups = _groups_of(items)
    now = timezone.now()
    for item in items:
        ctx = contexts.get(item.department_id)
        if ctx is None:
            ctx = contexts[item.department_id] = scoring.Context.for_department(item.department_id)
        analyse_one(item, ctx, group=groups.get(item.pk), now=now)
    NewsItem.objects.bulk_update(items, ANALYSED_FIELDS, batch_size=500)
    # a decision already taken on an item (lead, target, dismissed) is kept
    NewsItem.objects.filter(pk__in=[i.pk for i in items], status=Status.PENDING).update(status=Status.NEW)
    return len(items)


ANALYSED_FIELDS = ["extraction", "score", "reasons", "chain_name", "chain", "segment", "organization", "org_name",
                   "amount", "event_type", "simhash", "band0", "band1", "band2", "band3", "band4", "band5",
                   "duplicate_of", "analysed_at"]


def analyse_one(item: NewsItem, ctx: scoring.Context, *, group: int | None = None, now=None) -> NewsItem:
    """Fill the derived fields of ``item`` (not saved: ``analyse_items`` writes the batch)."""
    text = analysed_text(item)
    ex = extract.analyse(text, item.published_on, gazetteer=ctx.names, segments=ctx.segments)
    total, reasons, links = scoring.score(ex, ctx)
    ex_json = ex.as_json()
    ex_json["offset"] = len(text) - len(item.text)  # spans are on title + text; the page subtracts this
    item.extraction, item.score, item.reasons, item.chain_name = ex_json, total, reasons, ex.chain
    item.chain_id, item.segment_id = links["chain_id"], links["segment_id"]
    item.organization_id, item.org_name = links["organization_id"], links["org_name"][:200]
    item.amount, item.event_type = links["amount"], (ex.event_types or [""])[0]
    item.duplicate_of_id, item.analysed_at = group, now or timezone.now()
    if item.status == Status.PENDING:
        item.status = Status.NEW
    return item


DUPLICATE_WINDOW = dt.timedelta(days=14)  # the same story is reposted within days, not months


def _groups_of(items: list[NewsItem]) -> dict[int, int]:
    """For each item, the first earlier item of its department telling the same story
    (``dedup.MAX_DISTANCE``) published within two weeks of it, found through the band indexes in
    one query for the batch; the group is named by its earliest item."""
    same_band = Q()
    for i in range(len(dedup.WIDTHS)):
        same_band |= Q(**{f"band{i}__in": sorted({getattr(item, f'band{i}') for item in items})})
    first, last = min(i.published_on for i in items), max(i.published_on for i in items)
    candidates = list(NewsItem.objects.filter(
        department_id__in={i.department_id for i in items}, pk__lt=max(i.pk for i in items), simhash__isnull=False,
        published_on__gte=first - DUPLICATE_WINDOW, published_on__lte=last + DUPLICATE_WINDOW).filter(same_band)
        .values_list("pk", "department_id", "published_on", "simhash", "duplicate_of_id", *[
            f"band{i}" for i in range(len(dedup.WIDTHS))]).order_by("pk"))
    by_band: dict[tuple[int, int], list] = {}
    for row in candidates:
        for i, v in enumerate(row[5:]):
            by_band.setdefault((i, v), []).append(row)
    out = {}
    for item in items:
        best = None
        for i in range(len(dedup.WIDTHS)):
            for pk, dept, day, sim, group, *_ in by_band.get((i, getattr(item, f"band{i}")), ()):
                if pk >= item.pk or dept != item.department_id or abs((day - item.published_on).days) > 14:
                    continue
                if (best is None or pk < best[0]) and dedup.distance(item.simhash, sim) <= dedup.MAX_DISTANCE:
                    best = (pk, group)
        if best is not None:
            out[item.pk] = best[1] or best[0]
    return out


def _check_open(item: NewsItem):
    if item.status in (Status.LEAD, Status.TARGET):
        raise ValidationError(gettext("该情报{status}，不能再转").format(status=item.get_status_display()))


def _organization_for(item: NewsItem, name: str, acting_user):
    """The registry's organization the item names: linked by the analysis, else one named alike;
    None when the registry does not know the firm (a target needs one, a lead does not)."""
    from feidi.registry.models import Organization

    if item.organization_id:
        return item.organization
    if not name:
        return None
    return Organization.objects.visible_to(acting_user).filter(Q(name=name) | Q(name__startswith=name)).first()


def do_item_to_lead(item: NewsItem, zone, *, acting_user, name: str = "") -> object:
    """A pipeline lead (线索) from the item: channel 招商情报, the officer as 引进人 and owner, the
    item's firm, segment and amount, the article named in the description; the item is linked."""
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Channel
    from feidi.projects.models import Project

    if not acting_user.has_perm("projects.add_project"):
        raise PermissionDenied(gettext("您没有登记招商项目的权限"))
    with transaction.atomic():
        item = NewsItem.objects.select_for_update().get(pk=item.pk)
        _check_open(item)
        org = _organization_for(item, item.org_name, acting_user)
        firm = item.org_name or (org.name if org else "")
        # a name given is kept whole (one longer than the column is refused on ``name``); only the
        # name made up from the item is cut to fit
        project = do_save_project(Project(
            name=name or gettext("{firm}{event}项目").format(firm=firm or item.title[:40],
                                                           event=item.event_type or "")[:200],
            zone=zone, investor=firm[:200], organization=org, segment=item.segment, channel=Channel.INTEL,
            owner=acting_user, introducer=getattr(acting_user, "full_name", "")[:50],
            introducer_department_id=getattr(acting_user, "department_id", None),
            planned_investment=item.amount,
            description=gettext("由招商情报转入：{title}（{source}，{date}）{url}").format(
                title=item.title, source=item.source or item.get_source_kind_display(),
                date=item.published_on.isoformat(), url=item.url)), acting_user=acting_user)
        refuse_outside_scope(project, acting_user, "add")  # a zone one only sees takes no lead
        before = audit.snapshot(item)
        NewsItem.objects.filter(pk=item.pk).update(project=project, status=Status.LEAD, version=item.version + 1)
        item.refresh_from_db()
        audit.record(audit.AuditRecord.Action.UPDATE, item, user=acting_user, before=before, after=audit.snapshot(item))
    return project


def do_item_to_target(item: NewsItem, segment, *, acting_user, organization=None) -> object:
    """A target (招商目标库) on ``segment`` from the item: the registry's organization the item
    names, the reason the score's reasons and the article."""
    from feidi.chains.actions import do_save_target
    from feidi.chains.models import Target

    if not acting_user.has_perm("chains.add_target"):
        raise PermissionDenied(gettext("您没有新增招商目标的权限"))
    with transaction.atomic():
        item = NewsItem.objects.select_for_update().get(pk=item.pk)
        _check_open(item)
        org = organization or _organization_for(item, item.org_name, acting_user)
        if org is None:
            raise ValidationError(gettext("主体库中没有“{name}”，请先在主体库登记该企业").format(name=item.org_name or "—"))
        if Target.objects.filter(segment=segment, organization=org).exists():
            raise ValidationError(gettext("该企业已在此环节的招商目标库中"))
        reasons = "；".join(gettext(r["text"]).format(**r["args"]) for r in item.reasons)
        target = do_save_target(Target(
            segment=segment, organization=org, priority=Target.Priority.HIGH if item.score >= 60 else Target.Priority.MEDIUM,
            reason=gettext("招商情报：{title}（{source}，{date}）。{reasons}").format(
                title=item.title, source=item.source or item.get_source_kind_display(),
                date=item.published_on.isoformat(), reasons=reasons)), acting_user=acting_user)
        refuse_outside_scope(target, acting_user, "add")  # nor a chain one only sees a target
        before = audit.snapshot(item)
        NewsItem.objects.filter(pk=item.pk).update(target=target, status=Status.TARGET, version=item.version + 1)
        item.refresh_from_db()
        audit.record(audit.AuditRecord.Action.UPDATE, item, user=acting_user, before=before, after=audit.snapshot(item))
    return target


def do_dismiss_item(item: NewsItem, *, acting_user) -> NewsItem:
    _check_open(item)
    item.status = Status.DISMISSED
    return update_object(item, acting_user=acting_user)


def daily_list(user, day: dt.date | None = None, *, days: int = 1):
    """The ranked items of the day (and the ``days`` - 1 before it) the user sees: analysed, not
    dismissed, one per duplicate group, best score first. A day a record may not hold (before 1900,
    decades ahead) is the caller's error (``lib.cells.plausible_date``), not an overflow."""
    from feidi.lib.cells import plausible_date

    day = day or timezone.localdate()
    try:
        plausible_date(day)
    except ValueError as exc:
        raise ValidationError({"day": str(exc)}) from None
    return (NewsItem.objects.visible_to(user).filter(
        published_on__gt=day - dt.timedelta(days=days), published_on__lte=day, duplicate_of__isnull=True)
        .exclude(status__in=[Status.PENDING, Status.DISMISSED]).order_by("-score", "-published_on", "-pk"))


def send_digest(day: dt.date | None = None) -> int:
    """The daily digest to each zone's investment bureau: the day's best items, to the inbox of
    every user holding the investment role there and to the zone's group robots. Idempotent per
    day and user (an inbox row with the same title is not sent twice)."""
    from django.urls import reverse

    from feidi.accounts.models import User
    from feidi.core.models import Notification
    from feidi.core.notify import notify

    day = day or timezone.localdate()
    sent = 0
    depts = set(NewsItem.objects.filter(published_on=day, score__gt=0).values_list("department_id", flat=True))
    for dept_id in depts:
        if dept_id is None:
            continue
        items = list(NewsItem.objects.filter(department_id=dept_id, published_on=day, duplicate_of__isnull=True)
                     .exclude(status__in=[Status.PENDING, Status.DISMISSED]).order_by("-score", "-pk")[:10])
        if not items:
            continue
        title = gettext("招商情报日报（{day}）：{count}条").format(day=day.isoformat(), count=len(items))
        body = "\n".join(f"{i + 1}. [{it.score}] {it.title}" for i, it in enumerate(items))
        zone_ids = scoring.zone_departments(dept_id)
        users = [u for u in User.objects.filter(is_active=True, department_id__in=zone_ids,
                                                roles__code__in=["investment", "project_office"]).distinct()
                 if not Notification.objects.filter(user=u, title=title).exists()]
        if users:
            from feidi.accounts.models import Department

            notify(users, title, body, reverse("intel:daily"), department=Department.objects.get(pk=dept_id))
            sent += len(users)
    return sent
