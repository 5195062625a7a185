"""Notifications: inbox, e-mail, and robot webhooks checked against each platform's documented
format by a local HTTP receiver; failures are retried with backoff."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feidi.core import notify
from feidi.core.models import Delivery
from feidi.core.models import Notification
from feidi.core.models import WebhookEndpoint


class Receiver:
    """A local robot endpoint: records each POST and answers with the queued replies."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                parsed = urllib.parse.urlparse(self.path)
                receiver.requests.append({"path": parsed.path, "query": urllib.parse.parse_qs(parsed.query),
                                          "json": json.loads(self.rfile.read(length)),
                                          "content_type": self.headers.get("Content-Type")})
                status, body = receiver.replies.pop(0) if receiver.replies else (200, {"errcode": 0, "code": 0})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _endpoint(cast, receiver, kind, secret=""):
    return WebhookEndpoint.objects.create(name=f"{kind}机器人", kind=kind, url=f"{receiver.url}/{kind}", secret=secret,
                                          department=cast.dept_a)


def _notify(cast, capture, **kw):
    with capture(execute=True):
        return notify.notify([cast.clerk], "诉求即将超期", "甲光伏科技有限公司：用地诉求", "/registry/zones/",
                             department=cast.dept_a, **kw)


def test_the_inbox_and_email_get_the_message(cast, client_for, django_capture_on_commit_callbacks):
    cast.clerk.email = "clerk@example.cn"
    cast.clerk.save(update_fields=["email"])
    _notify(cast, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["clerk@example.cn"] and mail.outbox[0].subject == "诉求即将超期"
    assert "http://localhost:8000/registry/zones/" in mail.outbox[0].body
    c = client_for("clerk")
    page = c.get(reverse("home")).content.decode()
    assert "feidi-unread" in page
    note = Notification.objects.get(user=cast.clerk)
    url = reverse("core:notification_open", kwargs={"pk": note.pk})
    assert c.get(url).status_code == 200 and Notification.objects.get(pk=note.pk).read_at is None  # GET reads only
    assert c.post(url).url == "/registry/zones/"
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert client_for("other_clerk").get(url).status_code == 404
    # one's own records need no permission, only one's own sign-in: the link check says so too
    from feidi.core.views import can_open

    assert can_open(cast.clerk, url) and not can_open(cast.other_clerk, url)
    assert can_open(cast.clerk, reverse("core:notification_list"))
    assert can_open(cast.clerk, reverse("accounts:apitoken_list"))


def test_wecom_markdown(cast, receiver, django_capture_on_commit_callbacks):
    _endpoint(cast, receiver, "wecom")
    _notify(cast, django_capture_on_commit_callbacks)
    body = receiver.requests[0]["json"]
    assert body["msgtype"] == "markdown" and body["markdown"]["content"].startswith("**诉求即将超期**")
    assert receiver.requests[0]["content_type"].startswith("application/json")
    assert Delivery.objects.get(channel="webhook").status == "sent"


def test_dingtalk_markdown_with_its_signature(cast, receiver, django_capture_on_commit_callbacks):
    secret = "SEC0123456789abcdef"
    _endpoint(cast, receiver, "dingtalk", secret)
    _notify(cast, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    timestamp = request["query"]["timestamp"][0]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert request["query"]["sign"][0] == expected.decode()  # parse_qs has undone the URL-encoding
    assert abs(int(timestamp) / 1000 - timezone.now().timestamp()) < 60
    body = request["json"]
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "诉求即将超期"


def test_feishu_text_with_its_signature(cast, receiver, django_capture_on_commit_callbacks):
    secret = "feishu-secret"
    _endpoint(cast, receiver, "feishu", secret)
    _notify(cast, django_capture_on_commit_callbacks)
    body = receiver.requests[0]["json"]
    key = f"{body['timestamp']}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "text" and body["content"]["text"].startswith("诉求即将超期")


def test_a_refused_message_is_retried_with_backoff_until_it_is_taken(cast, receiver,
                                                                    django_capture_on_commit_callbacks):
    _endpoint(cast, receiver, "dingtalk")
    receiver.replies = [(500, {}), (200, {"errcode": 310000, "errmsg": "sign not match"})]
    _notify(cast, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.status == "retry" and delivery.attempts == 1 and "HTTP 500" in delivery.last_error
    assert notify.retry_due() == 0  # not due yet
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    notify.retry_due()
    delivery.refresh_from_db()
    assert delivery.status == "retry" and delivery.attempts == 2 and "310000" in delivery.last_error
    assert delivery.next_attempt_at - timezone.now() > dt.timedelta(seconds=50)  # doubled: 60 s
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    notify.retry_due()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3 and len(receiver.requests) == 3


def test_a_delivery_is_given_up_after_the_last_attempt_and_shown_to_the_service_office(
        cast, receiver, client_for, django_capture_on_commit_callbacks):
    _endpoint(cast, receiver, "wecom")
    receiver.replies = [(503, {})] * notify.MAX_ATTEMPTS
    _notify(cast, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="webhook")
    for _ in range(notify.MAX_ATTEMPTS):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
        notify.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == notify.MAX_ATTEMPTS
    assert notify.deliver(delivery.pk) == ""  # never sent again
    page = client_for("sysadmin").get(reverse("core:delivery_list"), {"status": "failed"}).content.decode()
    assert "诉求即将超期" in page


def test_a_rolled_back_change_notifies_nobody(cast, receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    _endpoint(cast, receiver, "wecom")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify.notify([cast.clerk], "不会发出", department=cast.dept_a)
        raise RuntimeError
    assert not Notification.objects.exists() and not receiver.requests


@pytest.mark.parametrize("kind,url,why", [
    ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "https"),
    ("wecom", "https://evil.example.com/cgi-bin/webhook/send", "qyapi.weixin.qq.com"),
    ("dingtalk", "https://qyapi.weixin.qq.com/robot/send", "oapi.dingtalk.com"),
    ("feishu", "https://169.254.169.254/latest/meta-data", "IP 地址"),
    ("feishu", "https://10.0.0.8/hook", "IP 地址"),
    ("wecom", "https://user:pw@qyapi.weixin.qq.com/x", "用户名或密码"),
    ("wecom", "https://qyapi.weixin.qq.com@127.0.0.1/x", "用户名或密码"),
    ("dingtalk", "https://oapi.dingtalk.com:8443/robot/send", "443"),
    ("wecom", "https://[::1]/hook", "IP 地址"),
    ("feishu", "file:///etc/passwd", "https://"),
])
def test_a_robot_address_outside_the_vendors_hosts_is_refused(kind, url, why, cast, client_for, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    response = client_for("sysadmin").post(reverse("core:webhookendpoint_add"), {
        "name": "机器人", "kind": kind, "url": url, "department": cast.dept_a.pk, "active": "on", "_form_token": "t"})
    assert response.status_code == 200 and why in response.content.decode(), response.content.decode()[-3000:]
    assert not WebhookEndpoint.objects.exists()


def test_the_vendors_hosts_and_an_allowlisted_relay_are_accepted_and_internal_names_refused_at_send(settings):
    from feidi.lib import robots

    settings.WEBHOOK_ALLOWED_HOSTS = []
    assert robots.check_url("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", []) == (
        "qyapi.weixin.qq.com", 443, "https")
    assert robots.check_url("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", [])[0] == "open.feishu.cn"
    assert robots.check_url("wecom", "http://10.1.2.3:8080/relay", ["10.1.2.3:8080"]) == ("10.1.2.3", 8080, "http")
    with pytest.raises(robots.UnsafeWebhook):
        robots.check_url("wecom", "http://10.1.2.3:9090/relay", ["10.1.2.3:8080"])
    with pytest.raises(robots.UnsafeWebhook, match="内部地址"):
        robots.public_addresses("localhost", 443)  # a name that points inside


def test_a_robot_message_shows_typed_text_as_written_never_as_markdown(cast, client_for):
    """An enterprise's appeal title reaches the zone's chat group: a link, a heading, emphasis or
    WeCom's coloured <font> it typed arrive as text (full-width forms), the title on one line; the
    message's own link to the record stays a link."""
    from feidi.lib import robots

    typed = "用电问题\n\n[点此领取补贴](http://evil.example/x) <font color=\"warning\">**急**</font> # 标题"
    for kind in ("wecom", "dingtalk"):
        _url, payload = robots.request_for(kind, "https://qyapi.weixin.qq.com/x", "", typed, typed,
                                           "https://feidi.example/services/appeals/8/")
        text = payload["markdown"].get("content") or payload["markdown"]["text"]
        assert "](http://evil" not in text and "<font" not in text and "**急**" not in text
        assert "［点此领取补贴］（http://evil.example/x）" in text
        assert text.count("](") == 1 and text.endswith("(https://feidi.example/services/appeals/8/)")
        first = text.split("\n", 1)[0]
        assert "用电问题 ［点此领取补贴］" in first  # the title's line breaks are spaces
    # Feishu's text message: its <at user_id="all"> tag would page the whole group
    _url, payload = robots.request_for("feishu", "https://open.feishu.cn/x", "", '<at user_id="all">所有人</at>' + typed,
                                       "对方：<at user_id=\"ou_1\">张</at>", "https://feidi.example/services/appeals/8/")
    text = payload["content"]["text"]
    assert "<at" not in text and "＜at user＿id=\"all\"＞所有人" in text
    assert text.split("\n", 1)[0].startswith("＜at") and text.endswith("\nhttps://feidi.example/services/appeals/8/")
    # the form itself keeps a one-line field on one line
    from feidi.core.models import DictItem
    from feidi.services.models import Appeal

    category = DictItem.objects.filter(type__code="appeal_category").first()
    page = client_for("ent_a").post(reverse("services:appeal_add"), {
        "organization": cast.org_a1.pk, "category": category.pk, "title": "用电\n问题\r\n\x07再",
        "content": "第一行\n第二行", "_form_token": "t"})
    assert page.status_code == 302, page.content.decode()[-2000:]
    appeal = Appeal.objects.get(created_by=cast.ent_a)
    assert appeal.title == "用电 问题 再" and appeal.content == "第一行\n第二行"


def test_a_title_with_a_line_break_still_reaches_the_mailbox(cast, django_capture_on_commit_callbacks):
    """A title typed through the API may hold a line break: the e-mail's subject is one line (Django
    refuses a header with a newline, and the delivery would fail for ever)."""
    cast.clerk.email = "clerk@example.cn"
    cast.clerk.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify([cast.clerk], "新的企业诉求：用电\n问题\r\nBcc: x@evil.example", "正文", "/registry/zones/",
                      department=cast.dept_a)
    assert mail.outbox[0].subject == "新的企业诉求：用电 问题 Bcc: x@evil.example"
    assert mail.outbox[0].bcc == [] and mail.outbox[0].to == ["clerk@example.cn"]


def test_a_delivery_stranded_by_a_dead_worker_is_sent_by_the_minutes_sweep(cast, receiver,
                                                                           django_capture_on_commit_callbacks):
    """A delivery claimed by a worker killed mid-send stays 待发送 with its claim's five minutes; one
    whose queueing was lost was never claimed. Both are the retry sweep's once due — never twice."""
    _endpoint(cast, receiver, "wecom")
    with django_capture_on_commit_callbacks(execute=False):  # the send after commit never happens
        notify.notify([cast.clerk], "诉求即将超期", "正文", "/registry/zones/", department=cast.dept_a)
    never_queued = Delivery.objects.get(channel="webhook")
    assert never_queued.status == "pending" and never_queued.attempts == 0
    assert notify.retry_due() == 1 and len(receiver.requests) == 1
    never_queued.refresh_from_db()
    assert never_queued.status == "sent"
    with django_capture_on_commit_callbacks(execute=False):
        notify.notify([cast.clerk], "诉求即将超期二", "正文", "/registry/zones/", department=cast.dept_a)
    claimed = Delivery.objects.get(channel="webhook", title="诉求即将超期二")
    Delivery.objects.filter(pk=claimed.pk).update(attempts=1, next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    assert notify.retry_due() == 0  # the claim may still be sending
    Delivery.objects.filter(pk=claimed.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert notify.retry_due() == 1
    claimed.refresh_from_db()
    assert claimed.status == "sent" and claimed.attempts == 2 and len(receiver.requests) == 2
    assert notify.retry_due() == 0


def test_a_mail_server_that_never_answers_costs_a_delivery_its_timeout_not_the_worker(cast, settings):
    """A server that accepts the connection and stays silent: the send gives up after EMAIL_TIMEOUT and
    the delivery is retried later, so the thread returns to the escalation and auction sweeps."""
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", listener.getsockname()[1], 1
        delivery = Delivery.objects.create(channel=Delivery.Channel.EMAIL, recipient="clerk@example.cn",
                                           title="诉求即将超期", body="正文")
        started = time.monotonic()
        assert notify.deliver(delivery.pk) == "retry"
        assert time.monotonic() - started < 10
        delivery.refresh_from_db()
        assert delivery.status == "retry" and "timed out" in delivery.last_error.lower()
    finally:
        listener.close()
