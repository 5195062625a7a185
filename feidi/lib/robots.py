"""Group-robot webhooks of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书): message bodies and
signatures in each platform's documented format. Pure functions; sending lives in core.notify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

KINDS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}


def _text(title: str, body: str, url: str = "") -> str:
    text = f"{title}\n{body}".strip()
    return f"{text}\n{url}" if url else text


def wecom_body(title: str, body: str, url: str = "") -> dict:
    """企业微信群机器人: markdown message (content ≤ 4096 bytes)."""
    content = f"**{title}**\n{body}" + (f"\n[查看详情]({url})" if url else "")
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
    text = f"#### {title}\n{body}" + (f"\n\n[查看详情]({url})" if url else "")
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书自定义机器人签名: base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def feishu_body(title: str, body: str, url: str = "", secret: str = "", timestamp_s: int | None = None) -> dict:
    payload = {"msg_type": "text", "content": {"text": _text(title, body, url)}}
    if secret:
        timestamp_s = timestamp_s if timestamp_s is not None else int(time.time())
        payload = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **payload}
    return payload


def request_for(kind: str, url: str, secret: str, title: str, body: str, link: str = "") -> tuple[str, dict]:
    """(URL to POST to, JSON body) for one message."""
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
