"""Crawl the pages a signed-in user can reach from the home page and the menus, as that user.

Every link a page shows (``<a href>``, and GET forms' actions) is followed, breadth first, within
this site; each answer must be a success (2xx, or a redirect whose target is followed too). A
route seen several times is visited at most ``per_route`` times (the second project's page tells
little more than the first), so a crawl of the demo city stays in seconds per user.
"""

from __future__ import annotations

import re
from collections import Counter
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urldefrag
from urllib.parse import urljoin
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from django.urls import Resolver404
from django.urls import resolve

# Links that end the session or are not pages.
SKIP_PREFIXES = ("/accounts/logout", "/static/", "/api/v1/docs", "/media/")


def _hrefs(html: str) -> list[str]:
    """The targets of a page's ``<a href>`` and its GET forms' ``action``, in document order (lxml's
    parser: the standard library's cost a tenth of every crawled page)."""
    try:
        root = lxml.html.fromstring(html)
    except lxml.etree.ParserError:  # nothing but blanks or comments
        return []
    out = []
    for element in root.iter("a", "form"):
        if element.tag == "a":
            if href := element.get("href"):
                out.append(href)
        elif (element.get("method") or "get").lower() == "get" and (action := element.get("action")):
            out.append(action)
    return out


@dataclass
class Broken:
    url: str
    status: int
    found_on: str


@dataclass
class CrawlResult:
    pages: int = 0
    broken: list[Broken] = field(default_factory=list)


def links_of(html: str, base: str) -> list[str]:
    out = []
    for href in _hrefs(html):
        if href.startswith(("mailto:", "tel:", "javascript:", "#", "data:")):
            continue
        url = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in ("testserver", "localhost"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP_PREFIXES):
            continue
        out.append(path)
    return out


_DIGITS = re.compile(r"\d+")


def route_of(path: str) -> str:
    """The view a path reaches and the query it asks with: the same view asked for another mode
    (``?subject=projects``) is another route, asked for another instance (``?day=2025-08-09``,
    ``?chain=2``) is the same route — digits in a value name an instance (an id, a date, a page), so
    a page linking to its next day leads the crawl to one more day, not to every day."""
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return _DIGITS.sub("#", parts.path)
    query = sorted(_DIGITS.sub("#", k) for k in parts.query.split("&") if k)
    return f"{match.view_name}?{'&'.join(query)}"


def crawl(client, start: str = "/", *, per_route: int = 2, limit: int = 600, on_page=None) -> CrawlResult:
    """``on_page(url, response)`` is called with every page answered with HTML."""
    result = CrawlResult()
    seen: set[str] = set()
    per: Counter = Counter()
    queue = deque([(start, "")])
    while queue and result.pages < limit:
        url, found_on = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        route = route_of(url.split("?")[0]) if "page=" in url or "sort=" in url else route_of(url)
        if per[route] >= per_route:
            continue
        per[route] += 1
        response = client.get(url)
        result.pages += 1
        if response.status_code in (301, 302, 303, 307, 308):
            target = response["Location"]
            if urlsplit(target).path.startswith(("/accounts/login", "/accounts/password")):
                result.broken.append(Broken(url, response.status_code, found_on))  # sent away: not theirs
            else:
                queue.append((target, url))
            continue
        if response.status_code >= 400:
            result.broken.append(Broken(url, response.status_code, found_on))
            continue
        if "text/html" in response.get("Content-Type", ""):
            if on_page is not None:
                on_page(url, response)
            for link in links_of(response.content.decode(), url):
                if link not in seen:
                    queue.append((link, url))
    return result
