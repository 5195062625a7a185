"""Notifications: the in-app inbox, e-mail and group-robot webhooks (WeCom, DingTalk, Feishu).

``notify`` is called inside an action's transaction: the inbox rows and the deliveries commit with
the change, and sending starts only after the commit (a rolled-back change notifies nobody).
A failed delivery is retried with exponential backoff by a periodic job and stays visible in the
投递记录 page until it is sent or given up.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.parse

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from feidi.lib import robots

from .models import Delivery
from .models import Notification
from .models import WebhookEndpoint

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BASE_DELAY = 30  # seconds; doubled at each failure: 30 s, 1 min, 2 min, 4 min, 8 min


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BASE_DELAY * 2 ** max(attempts - 1, 0), 3600))


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.BASE_URL.rstrip("/") + url


def _said(title: str, body: str) -> tuple[str, str]:
    """A message as stored and sent, whatever text it quotes (written in bulk, no ``pre_save`` sees
    it): the title one line, neither holding a control character (``lib.cells.tidy_text``)."""
    from feidi.lib.cells import tidy_text

    return tidy_text(str(title), multiline=False), tidy_text(str(body), multiline=True)


def recipients(users) -> list:
    """The people a message goes to: each active one once, in the order named (a caller may name
    the same person twice — an appeal's new handler who was also its previous one — and he gets
    one notification and one e-mail, not two)."""
    seen: set[int] = set()
    found = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        found.append(user)
    return found


def _mailboxes(users) -> list:
    """The users to e-mail: one per address (two accounts of one person share one mailbox)."""
    seen: set[str] = set()
    found = []
    for user in users:
        address = (user.email or "").strip().lower()
        if address and address not in seen:
            seen.add(address)
            found.append(user)
    return found


def notify(users, title: str, body: str = "", url: str = "", *, department=None, email: bool = True,
           webhooks: bool = True) -> list[Delivery]:
    """One notification per person (``recipients``) in the inbox and by e-mail, and the message to
    the zone's robots; sent after the commit."""
    users = recipients(users)
    title, body = _said(title, body)
    Notification.objects.bulk_create([Notification(user=u, title=title[:200], body=body, url=url) for u in users])
    deliveries = []
    if email:
        deliveries += [Delivery(channel=Delivery.Channel.EMAIL, recipient=u.email, title=title[:200], body=body,
                                url=url, department_id=u.department_id) for u in _mailboxes(users)]
    if webhooks and department is not None:
        for endpoint in WebhookEndpoint.objects.filter(department=department, active=True):
            deliveries.append(Delivery(channel=Delivery.Channel.WEBHOOK, endpoint=endpoint, title=title[:200],
                                       body=body, url=url, department=department, recipient=endpoint.name))
    created = Delivery.objects.bulk_create(deliveries)
    _queue_after_commit(created)
    return created


def notify_many(messages: list[tuple]) -> int:
    """Many notifications at once: ``(users, title, body, url, department)`` tuples, written with
    a handful of bulk inserts (sweeps escalate hundreds of appeals in one go); each message reaches
    each of its people once, as ``notify``'s does."""
    notes, deliveries = [], []
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for users, title, body, url, department in messages:
        users = recipients(users)
        title, body = _said(title, body)
        notes += [Notification(user=u, title=title[:200], body=body, url=url) for u in users]
        deliveries += [Delivery(channel=Delivery.Channel.EMAIL, recipient=u.email, title=title[:200], body=body,
                                url=url, department_id=u.department_id) for u in _mailboxes(users)]
        if department is not None:
            if department.pk not in endpoints:
                endpoints[department.pk] = list(WebhookEndpoint.objects.filter(department=department, active=True))
            deliveries += [Delivery(channel=Delivery.Channel.WEBHOOK, endpoint=e, title=title[:200], body=body, url=url,
                                    department=department, recipient=e.name) for e in endpoints[department.pk]]
    Notification.objects.bulk_create(notes, batch_size=1000)
    created = Delivery.objects.bulk_create(deliveries, batch_size=1000)
    _queue_after_commit(created)
    return len(notes)


# The job queue that hands deliveries to the worker: ``core.jobs`` registers it when the app is
# ready (jobs imports this module, never the reverse). Unqueued deliveries are not lost: the
# minute's retry sweep (``core.jobs.retry_deliveries``) sends what is due.
_delivery_queue = None


def use_delivery_queue(queue) -> None:
    """``queue(ids)`` is called after commit with the ids of the deliveries just written."""
    global _delivery_queue
    _delivery_queue = queue


def _queue_after_commit(created: list[Delivery]) -> None:
    queue = _delivery_queue
    if created and queue is not None:
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: queue(ids))


def _post_json(kind: str, url: str, payload: dict) -> tuple[int, dict | None]:
    """POST to a robot: the address checked again (``robots.check_url``), and unless the host is
    allowlisted, resolved here, every address public, and the connection made to the checked
    address (a name re-pointed inside between check and connect reaches nothing)."""
    import http.client
    import socket
    import ssl

    host, port, scheme = robots.check_url(kind, url, settings.WEBHOOK_ALLOWED_HOSTS)
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "Host": parts.netloc}
    allowlisted = scheme == "http" or host not in set().union(*robots.VENDOR_HOSTS.values())
    if allowlisted:
        conn_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = conn_class(host, port, timeout=10)
    else:
        address = robots.public_addresses(host, port)[0]

        class Pinned(http.client.HTTPSConnection):
            def connect(self):
                sock = socket.create_connection((address, self.port), self.timeout)
                self.sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)

        conn = Pinned(host, port, timeout=10)
    try:
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        status, raw = response.status, response.read()
    finally:
        conn.close()
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, None


def _send(delivery: Delivery) -> tuple[bool, str]:
    link = absolute(delivery.url)
    if delivery.channel == Delivery.Channel.EMAIL:
        # a subject is one line (a title with a line break would be refused as a header injection)
        send_mail(" ".join(delivery.title.split())[:200], f"{delivery.body}\n\n{link}".strip(), None,
                  [delivery.recipient])
        return True, ""
    endpoint = delivery.endpoint
    secret = endpoint.secret.reveal() if endpoint.secret else ""
    url, payload = robots.request_for(endpoint.kind, endpoint.url, secret, delivery.title, delivery.body, link)
    status, reply = _post_json(endpoint.kind, url, payload)
    return robots.accepted(endpoint.kind, status, reply)


def deliver(delivery_id: int) -> str:
    """Send one delivery if it is due; claimed with a conditional update so two workers never
    send the same message twice. Returns the resulting status."""
    now = timezone.now()
    due = Delivery.objects.filter(pk=delivery_id, status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY])
    due = due.exclude(next_attempt_at__gt=now)
    delivery = due.select_related("endpoint").first()
    if delivery is None:
        return ""
    claimed = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts, status=delivery.status).update(
        attempts=delivery.attempts + 1, next_attempt_at=now + dt.timedelta(minutes=5))
    if not claimed:
        return ""
    attempts = delivery.attempts + 1
    try:
        ok, error = _send(delivery)
    except Exception as exc:  # network errors, SMTP refusals: recorded and retried
        ok, error = False, f"{type(exc).__name__}: {exc}"
    if ok:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(),
                                                       last_error="", next_attempt_at=None)
        return Delivery.Status.SENT
    final = attempts >= MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED if final else Delivery.Status.RETRY, last_error=error[:500],
        next_attempt_at=None if final else timezone.now() + backoff(attempts))
    log.warning("delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)
    return Delivery.Status.FAILED if final else Delivery.Status.RETRY


def retry_due(budget: dt.timedelta = dt.timedelta(seconds=45)) -> int:
    """Send what is due: a failed delivery whose backoff is over, and a pending one that was never
    sent — its queueing lost, or claimed by a worker that died mid-send (the claim's five minutes are
    over). Within ``budget`` (the sweep runs each minute: a mail server that answers slowly leaves
    the rest to the next run, not the worker's threads to it). Returns how many were tried."""
    started = timezone.now()
    ids = list(Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY])
               .exclude(next_attempt_at__gt=started).order_by("pk").values_list("pk", flat=True)[:500])
    tried = 0
    for pk in ids:
        if timezone.now() - started > budget:
            break
        deliver(pk)
        tried += 1
    return tried
