"""Group-robot webhooks of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书): message bodies and
signatures in each platform's documented format. Pure functions; sending lives in core.notify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

KINDS = {"wecom": _("企业微信"), "dingtalk": _("钉钉"), "feishu": _("飞书")}


# Markdown's syntax in the robots' markdown (links, emphasis, headings, code, the <font> tag of
# WeCom) written as the full-width forms Chinese text uses anyway: a title or body an enterprise
# typed cannot become a link, a heading or a coloured alarm in a government chat group.
_MARKDOWN = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "*": "＊", "`": "｀",
                           "#": "＃", "_": "＿", "~": "～", "|": "｜", "!": "！", "\\": "＼"})


def literal(text: str, *, one_line: bool = False) -> str:
    """``text`` shown as written in a markdown message (``_MARKDOWN``); a title on one line."""
    text = str(text).translate(_MARKDOWN)
    return " ".join(text.split()) if one_line else text


def _text(title: str, body: str, url: str = "") -> str:
    text = f"{title}\n{body}".strip()
    return f"{text}\n{url}" if url else text


def wecom_body(title: str, body: str, url: str = "") -> dict:
    """企业微信群机器人: markdown message (content ≤ 4096 bytes). ``title`` and ``body`` are literal
    (``request_for``)."""
    content = f"**{title}**\n{body}" + (gettext("\n[查看详情]({url})").format(url=url) if url else "")
    return {"msgtype": "markdown", "markdown": {"content": content.encode()[:4096].decode(errors="ignore")}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str = "", timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def dingtalk_body(title: str, body: str, url: str = "") -> dict:
    """钉钉群机器人: markdown message; ``title`` and ``body`` are literal (``request_for``)."""
    text = f"#### {title}\n{body}" + (gettext("\n\n[查看详情]({url})").format(url=url) if url else "")
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书自定义机器人签名: base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def feishu_body(title: str, body: str, url: str = "", secret: str = "", timestamp_s: int | None = None) -> dict:
    """飞书自定义机器人: text message, whose ``<at user_id="all">`` tag pages the whole group; ``title``
    and ``body`` are literal (``request_for``), so a typed tag arrives as text."""
    payload = {"msg_type": "text", "content": {"text": _text(title, body, url)}}
    if secret:
        timestamp_s = timestamp_s if timestamp_s is not None else int(time.time())
        payload = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **payload}
    return payload


def request_for(kind: str, url: str, secret: str, title: str, body: str, link: str = "") -> tuple[str, dict]:
    """(URL to POST to, JSON body) for one message. What was typed (the title on one line, the body)
    is made literal here, once for every kind (``literal``: a markdown link, a heading, WeCom's
    <font>, Feishu's <at user_id="all"> arrive as text) — a body builder never sees it raw; only
    the record's own link stays a link."""
    title, body = literal(title, one_line=True), literal(body)
    if kind == "wecom":
        return url, wecom_body(title, body, link)
    if kind == "dingtalk":
        return dingtalk_url(url, secret), dingtalk_body(title, body, link)
    if kind == "feishu":
        return url, feishu_body(title, body, link, secret)
    raise ValueError(f"unknown robot kind {kind!r}")


def accepted(kind: str, status: int, reply: dict | None) -> tuple[bool, str]:
    """Whether the platform took the message. All three answer HTTP 200 with an error code in the
    body when they refuse (bad signature, rate limit …)."""
    if status != 200:
        return False, f"HTTP {status}"
    reply = reply or {}
    if kind in ("wecom", "dingtalk"):
        code = reply.get("errcode", 0)
        return code == 0, "" if code == 0 else f"errcode {code}: {reply.get('errmsg', '')}"
    code = reply.get("code", reply.get("StatusCode", 0))
    return code == 0, "" if code == 0 else f"code {code}: {reply.get('msg', reply.get('StatusMessage', ''))}"


# --- where a robot may be reached: the vendors' own hosts over HTTPS, or an allowlisted relay -------

VENDOR_HOSTS = {"wecom": {"qyapi.weixin.qq.com"}, "dingtalk": {"oapi.dingtalk.com"},
                "feishu": {"open.feishu.cn", "open.larksuite.com"}}


class UnsafeWebhook(ValueError):
    """A webhook address the server must not call."""


def host_allowed(host: str, port: int | None, allowed: list[str]) -> bool:
    """Whether ``host`` (and ``port``) is one of ``allowed`` ("name" or "name:port")."""
    for entry in allowed:
        name, _, entry_port = entry.strip().lower().rpartition(":") if ":" in entry and not entry.startswith("[") \
            else (entry.strip().lower(), "", "")
        if name == host and (not entry_port or (port is not None and str(port) == entry_port)):
            return True
    return False


def check_url(kind: str, url: str, allowed: list[str]) -> tuple[str, int, str]:
    """(host, port, scheme) of a robot address the server may call, or ``UnsafeWebhook`` saying why:
    https on the platform's own host and port 443, or a host listed in ``allowed``
    (``FEIDI_WEBHOOK_ALLOWED_HOSTS``, for an intranet relay). Never credentials in the address, never
    a bare IP address unless allowlisted."""
    import ipaddress

    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        raise UnsafeWebhook(gettext("请填写完整的 https:// 机器人地址"))
    if parts.username or parts.password or "@" in parts.netloc:
        raise UnsafeWebhook(gettext("机器人地址中不能包含用户名或密码"))
    try:
        port = parts.port
    except ValueError:
        raise UnsafeWebhook(gettext("端口号无效")) from None
    if host_allowed(host, port, allowed) or host_allowed(host, None, allowed):
        return host, port or (443 if parts.scheme == "https" else 80), parts.scheme
    try:
        ipaddress.ip_address(host)
        raise UnsafeWebhook(gettext("机器人地址不能是 IP 地址，请使用平台提供的域名地址（内网转发地址须由管理员加入白名单）"))
    except ValueError as exc:
        if isinstance(exc, UnsafeWebhook):
            raise
    if parts.scheme != "https":
        raise UnsafeWebhook(gettext("机器人地址必须使用 https://"))
    if port not in (None, 443):
        raise UnsafeWebhook(gettext("机器人地址只能使用 443 端口"))
    hosts = VENDOR_HOSTS.get(kind, set())
    if host not in hosts:
        raise UnsafeWebhook(gettext("{get}机器人地址应为 https://{join} 下的地址").format(
            get=KINDS.get(kind, kind), join='、'.join(sorted(hosts))))
    return host, 443, "https"


def public_addresses(host: str, port: int) -> list[str]:
    """The host's addresses, all of them public; ``UnsafeWebhook`` when any is private, loopback,
    link-local (the cloud metadata address) or reserved — a name that points inside is refused."""
    import ipaddress
    import socket

    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise UnsafeWebhook(gettext("无法解析 {host}：{exc}").format(host=host, exc=exc)) from None
    addresses = sorted({info[4][0] for info in infos})
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise UnsafeWebhook(gettext("{host} 解析到内部地址 {address}，已拒绝发送").format(host=host, address=address))
    return addresses
