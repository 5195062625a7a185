"""招商情报 pages: the daily ranked list, the item library, intake (paste or upload), an item with
its extracted fields highlighted in the text, and the one-click actions (to a lead, to a target,
not followed up)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from feidi.core import declare
from feidi.core.actions import update_object
from feidi.core.fields import as_id
from feidi.core.views import ObjectActionView
from feidi.core.views import ObjectDetailView
from feidi.core.views import ObjectEditView
from feidi.core.views import ObjectListView
from feidi.core.views import ObjectMixin
from feidi.core.views import ScopedViewMixin
from feidi.core.views import apply_validation_error

from . import actions
from . import intake
from .filtersets import NewsItemFilterSet
from .filtersets import SourceFilterSet
from .forms import IntakeForm
from .forms import NewsItemForm
from .forms import SourceForm
from .models import NewsItem
from .models import Source
from .models import SourceKind
from .models import Status
from .tables import NewsItemTable
from .tables import SourceTable

# The kinds of extracted field, the colour each is marked with, in the order a clash is settled.
KINDS = [("org", gettext_lazy("企业"), "bg-blue-lt"), ("amount", gettext_lazy("金额"), "bg-green-lt"),
         ("date", gettext_lazy("日期"), "bg-purple-lt"), ("event", gettext_lazy("事件"), "bg-red-lt"),
         ("place", gettext_lazy("地点"), "bg-cyan-lt"), ("chain", gettext_lazy("产业链"), "bg-orange-lt"),
         ("segment", gettext_lazy("环节"), "bg-orange-lt")]
SPAN_LISTS = {"org": "orgs", "amount": "amounts", "date": "dates", "event": "events", "place": "places",
              "chain": "chain_spans", "segment": "segment_spans"}


def marked_text(item: NewsItem) -> list[dict]:
    """The item's text cut into pieces, each either plain or one extracted field (kind, colour,
    how it was found); overlapping spans keep the first kind of ``KINDS``. Escaped by the template."""
    ex = item.extraction or {}
    offset = ex.get("offset", 0)
    text = item.text
    taken: list[tuple[int, int, str, str, str]] = []
    for kind, _label, css in KINDS:
        for span in ex.get(SPAN_LISTS[kind], []) or []:
            try:
                start, end = int(span["start"]) - offset, int(span["end"]) - offset
            except (KeyError, TypeError, ValueError):
                continue
            if start < 0 or end > len(text) or start >= end:
                continue  # a span in the title
            if any(start < e and s < end for s, e, *_ in taken):
                continue
            taken.append((start, end, kind, css, str(span.get("by", ""))))
    pieces, pos = [], 0
    for start, end, kind, css, by in sorted(taken):
        if start > pos:
            pieces.append({"text": text[pos:start]})
        pieces.append({"text": text[start:end], "kind": kind, "css": css, "by": by})
        pos = end
    if pos < len(text):
        pieces.append({"text": text[pos:]})
    return pieces


# the event types and 补链/延链 are stored in Chinese in the reasons; shown through the catalogue
EVENT_NAMES = (gettext_noop("扩产"), gettext_noop("新建"), gettext_noop("融资"), gettext_noop("并购"), gettext_noop("中标"),
               gettext_noop("签约"), gettext_noop("上市"), gettext_noop("补链"), gettext_noop("延链"))


def _shown_arg(key: str, value):
    if key in ("event", "action") and isinstance(value, str):
        return gettext("、").join(gettext(v) for v in value.split("、"))
    return value


def shown_reasons(item: NewsItem) -> list[dict]:
    out = []
    for r in item.reasons or []:
        try:
            args = {k: _shown_arg(k, v) for k, v in (r.get("args") or {}).items()}
            text = gettext(r["text"]).format(**args)
        except (KeyError, IndexError, ValueError, TypeError):
            text = str(r.get("text", ""))
        out.append({"points": r.get("points", 0), "text": text})
    return out


# The menu 招商情报: 每日情报, 情报库, 录入情报, 情报来源 (the hand-made entries are in apps.py).
declare.model(NewsItem, "items", filterset=NewsItemFilterSet, table=NewsItemTable,
              menu=declare.Entry("intel", gettext_noop("情报库"), position=1))


@declare.view(NewsItem, "list")
class NewsItemListView(ObjectListView):
    empty_hint = gettext_lazy("点“新增”粘贴新闻或上传公告、研报文件，系统自动抽取企业、金额、事件并评分。")


@declare.route("", "daily")
class DailyView(ScopedViewMixin, TemplateView):
    """The day's items ranked by score, one per duplicate group, with their reasons."""

    model = NewsItem
    template_name = "intel/daily.html"

    def get(self, request, *args, **kwargs):
        from feidi.lib.cells import plausible_date

        asked = request.GET.get("day", "")
        try:
            day = dt.date.fromisoformat(asked)
        except ValueError:
            day = timezone.localdate()
        try:
            plausible_date(day)
        except ValueError as exc:  # the window before it would leave the calendar
            messages.warning(request, gettext("{reason}，已显示今天").format(reason=exc))
            day = timezone.localdate()
        try:
            days = min(max(int(request.GET.get("days", 7)), 1), 31)
        except ValueError:
            days = 7
        items = list(actions.daily_list(request.user, day, days=days).select_related("segment", "chain")[:50])
        counts = {}
        for pk in NewsItem.objects.visible_to(request.user).filter(duplicate_of_id__in=[i.pk for i in items]
                                                                     ).values_list("duplicate_of_id", flat=True):
            counts[pk] = counts.get(pk, 0) + 1
        rows = [{"item": i, "reasons": shown_reasons(i), "copies": counts.get(i.pk, 0),
                 "event": gettext(i.event_type) if i.event_type else ""} for i in items]
        return self.render_to_response(self.get_context_data(
            title=gettext("每日情报"), rows=rows, day=day, days=days,
            previous=(day - dt.timedelta(days=days)).isoformat(), next=(day + dt.timedelta(days=days)).isoformat(),
            add_url=reverse("intel:newsitem_add") if self.can("add") else None))


@declare.view(NewsItem, "detail")
class NewsItemDetailView(ObjectDetailView):
    template_name = "intel/newsitem_detail.html"
    detail_fields = ("source", "doc_kind", "source_kind", "published_on", "url", "status", "score")

    def get_extra_context(self, item):
        from feidi.chains.models import Segment
        from feidi.registry.models import Zone

        user = self.request.user
        ex = item.extraction or {}
        fields = []
        for kind, label, css in KINDS:
            spans = ex.get(SPAN_LISTS[kind], []) or []
            seen, values = set(), []
            for s in spans:
                key = (s.get("text"), s.get("value"))
                if key in seen:
                    continue
                seen.add(key)
                values.append({"text": s.get("text", ""), "value": s.get("value", ""), "by": s.get("by", ""),
                               "start": s.get("start"), "end": s.get("end"), "extra": s.get("extra") or {}})
            if values:
                fields.append({"kind": kind, "label": label, "css": css, "values": values})
        group = item.duplicate_of_id or item.pk
        copies = NewsItem.objects.visible_to(user).filter(duplicate_of_id=group).exclude(pk=item.pk)
        leader = NewsItem.objects.visible_to(user).filter(pk=item.duplicate_of_id).first() if item.duplicate_of_id else None
        open_item = item.status not in (Status.LEAD, Status.TARGET) and self.reaches(item, "change")
        return dict(
            pieces=marked_text(item), extracted=fields, reasons=shown_reasons(item), copies=copies, leader=leader,
            kinds=KINDS, event=gettext(item.event_type) if item.event_type else "",
            zones=Zone.objects.visible_to(user).filter(home_zone__isnull=True) if open_item and user.has_perm(
                "projects.add_project") else [],
            segments=Segment.objects.visible_to(user).select_related("chain").order_by("chain__order", "order")
            if open_item and user.has_perm("chains.add_target") else [],
            can_dismiss=open_item and item.status != Status.DISMISSED,
            project=item.project if item.project_id and user.has_perm("projects.view_project") else None,
            target=item.target if item.target_id and user.has_perm("chains.view_target") else None,
        )


@declare.view(NewsItem, "add")
class NewsItemAddView(ScopedViewMixin, TemplateView):
    """Paste a story or upload files; each is stored and analysed in the job queue."""

    permission_action = "add"
    template_name = "intel/newsitem_add.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(title=gettext("录入情报"), form=IntakeForm()))

    def post(self, request, *args, **kwargs):
        form = IntakeForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(title=gettext("录入情报"), form=form))
        data = form.cleaned_data
        common = {"source": data["source"], "doc_kind": data["doc_kind"], "published_on": data["published_on"],
                  "url": data["url"]}
        added, errors = [], []
        try:
            with transaction.atomic():
                if (data.get("text") or "").strip():
                    added.append(actions.do_add_item(acting_user=request.user, title=data["title"], text=data["text"],
                                                     source_kind=SourceKind.PASTE, **common))
                for upload in data["files"]:
                    try:
                        title, text = intake.text_of(upload.name, upload.read())
                    except ValidationError as exc:
                        errors.append(f"{upload.name}：{'；'.join(exc.messages)}")
                        continue
                    if not text.strip():
                        errors.append(gettext("{name}：没有可读的文字").format(name=upload.name))
                        continue
                    added.append(actions.do_add_item(
                        acting_user=request.user, title=data["title"] if len(data["files"]) == 1 and not data["text"]
                        else title, text=text, source_kind=SourceKind.UPLOAD,
                        **{**common, "url": common["url"] or upload.name}))
        except ValidationError as exc:
            apply_validation_error(form, exc)  # a date refused is said on its field
            return self.render_to_response(self.get_context_data(title=gettext("录入情报"), form=form))
        for e in errors:
            messages.error(request, e)
        if not added:
            return self.render_to_response(self.get_context_data(title=gettext("录入情报"), form=form))
        messages.success(request, gettext("已录入{count}条情报，正在分析").format(count=len(added)))
        if len(added) == 1:
            return HttpResponseRedirect(added[0].get_absolute_url())
        return HttpResponseRedirect(reverse("intel:newsitem_list"))


@declare.view(NewsItem, "edit")
class NewsItemEditView(ObjectEditView):
    form_class = NewsItemForm

    def save_object(self, form, obj, *, creating, expected_version):
        from . import dedup

        obj.content_hash = dedup.content_hash(obj.text)
        actions.fingerprint(obj)
        saved = update_object(obj, acting_user=self.request.user, expected_version=expected_version)
        actions.request_analysis([saved.pk])
        return saved


class _ItemAction(ObjectActionView):
    model = NewsItem


@declare.route("items/<int:pk>/lead/", "newsitem_lead")
class ToLeadView(_ItemAction):
    """POST: the item becomes a pipeline lead in the chosen zone."""

    def act(self, item):
        from feidi.registry.models import Zone

        zone = Zone.objects.visible_to(self.request.user).filter(pk=as_id(self.request.POST.get("zone")) or 0).first()
        if zone is None:
            raise ValidationError(gettext("请选择落地园区"))
        # a lead filed into a zone the user only sees is refused whole (by the action)
        return actions.do_item_to_lead(item, zone, acting_user=self.request.user, name=self.request.POST.get("name", ""))

    def success_message(self, item, project) -> str:
        return gettext("已转为线索：{name}").format(name=project.name)

    def target(self, item, project) -> str:
        return project.get_absolute_url() if project is not None else item.get_absolute_url()


@declare.route("items/<int:pk>/target/", "newsitem_target")
class ToTargetView(_ItemAction):
    """POST: the item's firm becomes a target on the chosen segment."""

    def act(self, item):
        from feidi.chains.models import Segment

        segment = Segment.objects.visible_to(self.request.user, "view").filter(
            pk=as_id(self.request.POST.get("segment")) or 0).first()
        if segment is None:
            raise ValidationError(gettext("请选择目标环节"))
        return actions.do_item_to_target(item, segment, acting_user=self.request.user)

    def success_message(self, item, target) -> str:
        return gettext("已加入招商目标库：{target}").format(target=target)


@declare.route("items/<int:pk>/dismiss/", "newsitem_dismiss")
class DismissView(_ItemAction):
    rule = actions.do_dismiss_item
    success = gettext_lazy("已标记为不跟进")

    def target(self, item, result) -> str:
        return reverse("intel:daily") if result is not None else item.get_absolute_url()


# --- 情报来源: feeds and folders read on a schedule -----------------------------------------------
declare.model(Source, "sources", form=SourceForm, filterset=SourceFilterSet, table=SourceTable,
              menu=declare.Entry("intel", gettext_noop("情报来源"), position=3))


@declare.view(Source, "detail")
class SourceDetailView(ObjectDetailView):
    template_name = "intel/source_detail.html"
    detail_fields = ("kind", "location", "every_hours", "active", "read_at", "read_ok", "read_result", "read_added",
                     "department", "created_by")

    def get_extra_context(self, source):
        return {"can_read": self.reaches(source, "change")}


@declare.route("sources/<int:pk>/read/", "source_read")
class SourceReadView(ObjectMixin, View):
    """Read a source now (in the job queue); its page shows the outcome."""

    model = Source

    def get_permission(self) -> str:
        return "intel.change_source"

    def post(self, request, *args, **kwargs):
        from . import jobs

        source = self.get_object()
        jobs.read_source_task(source.pk)
        messages.success(request, gettext("已开始读取“{name}”，结果见本页").format(name=source.name))
        return HttpResponseRedirect(source.get_absolute_url())
