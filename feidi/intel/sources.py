"""情报来源: the feeds and folders the job queue reads on a schedule (``models.Source``).

What a zone's user may configure is bounded by the operator: a feed's host must be listed in
``FEIDI_INTEL_FEED_HOSTS`` (an intranet news relay, a listed companies' announcement mirror) and a
folder must lie inside one of ``FEIDI_INTEL_FOLDERS`` — so a user cannot make the server fetch
an arbitrary address (redirects to other hosts are refused too) or read an arbitrary directory
(a file that resolves outside the folder, through a link, is skipped). Reading stores each new
text through ``actions.do_add_item`` (the same text already stored in the department is not stored
twice), which queues its analysis; the outcome is kept on the source.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import urllib.request
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from . import intake
from .locations import allowed_host
from .locations import check_location
from .locations import feed_host
from .locations import inside
from .models import Source
from .models import SourceKind


class _SameHosts(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a host the operator allows."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        host, port = feed_host(newurl)
        if not allowed_host(host, port):
            raise ValidationError(gettext("订阅源跳转到了未允许的主机：{host}").format(host=host))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_feed(url: str, timeout: int = 20) -> bytes:
    check_location(Source.Kind.FEED, url)
    opener = urllib.request.build_opener(_SameHosts)
    with opener.open(url, timeout=timeout) as response:
        return response.read(intake.MAX_BYTES)


def feed_texts(data: bytes, name: str):
    """(title, text, published_on, source name, kind, url) of each entry of a feed document."""
    for entry in intake.feed_entries(data):
        if entry["text"]:
            yield entry["title"], entry["text"], entry["date"], name, SourceKind.FEED, entry["link"]


def folder_texts(location: str | Path, name: str | None = None, *, on_error=None):
    """The same of each document in a folder (its subfolders too); a file that resolves outside
    the folder (a link) is skipped, one that is no readable document is passed to ``on_error``."""
    root = Path(location).resolve()
    for path in intake.folder_files(root):
        if not inside(path.resolve(), [root]):
            continue
        try:
            title, text = intake.text_of(path.name, path.read_bytes())
        except ValidationError as exc:
            if on_error is not None:
                on_error(path, exc)
            continue
        yield (title, text, timezone.localdate(dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)),
               name or path.parent.name,
               SourceKind.FOLDER, str(path))


def _texts(source: Source):
    if source.kind == Source.Kind.FEED:
        return feed_texts(fetch_feed(source.location), source.name)
    return folder_texts(check_location(Source.Kind.FOLDER, source.location), source.name)


def read(source: Source) -> int:
    """Read ``source`` now: store what is new, queue its analysis, keep the outcome on the source.
    Returns how many items were added (a failure is kept as the outcome, not raised)."""
    from .actions import do_add_item

    started, added = timezone.now(), 0
    ok, message = True, ""
    try:
        for title, text, published_on, name, kind, url in _texts(source):
            item = do_add_item(acting_user=source.created_by, title=title, text=text, published_on=published_on,
                               source=name, source_kind=kind, url=url, department_id=source.department_id)
            added += item.created_at >= started  # a text already stored comes back as its first item
    except (ValidationError, OSError, ValueError) as exc:
        ok = False
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if ok:
        message = gettext("新增 {n} 条").format(n=added)
    Source.objects.filter(pk=source.pk).update(read_at=timezone.now(), read_ok=ok, read_result=message[:300],
                                               read_added=added)
    return added


def due(now=None):
    """Active sources whose interval has passed since they were last read."""
    now = now or timezone.now()
    sources = Source.objects.filter(active=True).select_related("created_by")
    return [s for s in sources.order_by(F("read_at").asc(nulls_first=True), "pk")
            if s.read_at is None or s.read_at + dt.timedelta(hours=s.every_hours) <= now]
