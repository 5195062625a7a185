"""Every page as every demo user, to show that a refactoring changed no page.

``snapshot`` renders every routed GET page (a record's pages with the first two and the last
record of its model) as each of the demo's users, inside a transaction it rolls back, and writes
the normalised HTML to a JSON file; ``compare`` prints how many responses differ between two
snapshots and the first differences. Normalised: white space between tags, CSRF and form tokens,
nonces, the cockpit's refresh time and the auction clock's server time.

    cd <a var dir with the demo> && FEIDI_VAR_DIR=$PWD .venv/bin/python scripts/pages_snapshot.py snapshot before.json
    (change the code)
    FEIDI_VAR_DIR=$PWD .venv/bin/python scripts/pages_snapshot.py snapshot after.json [--paths '^/core/']
    .venv/bin/python scripts/pages_snapshot.py compare before.json after.json

Needs the demo city (``feidi demo``) and collected static files in that var dir.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VOLATILE = [
    (re.compile(r'(csrfmiddlewaretoken" value|nonce|csrf-token" content|data-server-now|name="_form_token" value)="[^"]*"'),
     r'\1=""'),
    (re.compile(r'("X-CSRFToken": ")[^"]*"'), r'\1"'),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d 更新"), "更新"),
]


def normalise(html: str) -> str:
    for pattern, replacement in VOLATILE:
        html = pattern.sub(replacement, html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _paths(only: str | None) -> list[str]:
    from django.urls import URLPattern
    from django.urls import URLResolver
    from django.urls import get_resolver
    from django.urls import reverse

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and p.name:
                yield ns, p

    found = set()
    for ns, p in walk(get_resolver().url_patterns):
        name = f"{ns}:{p.name}" if ns else p.name
        converters = set(p.pattern.converters)
        model = getattr(getattr(p.callback, "view_class", None), "model", None)
        if not converters:
            found.add(reverse(name))
        elif converters == {"pk"} and model is not None:
            manager = model._default_manager
            for pk in [*manager.order_by("pk").values_list("pk", flat=True)[:2],
                       *manager.order_by("-pk").values_list("pk", flat=True)[:1]]:
                found.add(reverse(name, kwargs={"pk": pk}))
    return sorted(p for p in found if "logout" not in p and "/api/" not in p and (not only or re.search(only, p)))


def snapshot(out: str, only: str | None) -> None:
    import logging

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")
    django.setup()
    logging.disable(logging.CRITICAL)  # the 403s and 404s of other roles' pages are expected
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    from feidi.accounts.models import User
    from feidi.demo.logins import DEMO_USERS

    settings.ALLOWED_HOSTS = ["*"]
    paths, pages = _paths(only), {}
    with transaction.atomic():  # opening a message marks it read: nothing a page does is kept
        for username, _ in DEMO_USERS:
            client = Client()
            client.force_login(User.objects.get(username=username))
            for path in paths:
                r = client.get(path, secure=True)
                html = r.content.decode("utf-8", "replace") if "html" in r.get("Content-Type", "") else ""
                pages[f"{username} {path}"] = [r.status_code, normalise(html)]
        transaction.set_rollback(True)
    Path(out).write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    print(f"{len(paths)} paths, {len(pages)} responses, {sum(v[0] >= 500 for v in pages.values())} server errors")


def compare(a_path: str, b_path: str, shown: int) -> int:
    a, b = (json.loads(Path(p).read_text(encoding="utf-8")) for p in (a_path, b_path))
    differ = [k for k in a if k in b and a[k] != b[k]]
    print(f"{len(a)} vs {len(b)} responses; {len(differ)} differ; {len(set(a) ^ set(b))} in one only")
    for key in differ[:shown]:
        print(f"== {key}: {a[key][0]} → {b[key][0]}")
        before, after = (x[1].replace("><", ">\n<").splitlines() for x in (a[key], b[key]))
        for line in list(difflib.unified_diff(before, after, lineterm="", n=1))[2:30]:
            print("  ", line[:200])
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("out")
    snap.add_argument("--paths", help="only the paths this regular expression finds")
    comp = sub.add_parser("compare")
    comp.add_argument("before")
    comp.add_argument("after")
    comp.add_argument("--shown", type=int, default=5)
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.out, args.paths)
    else:
        sys.exit(compare(args.before, args.after, args.shown))


if __name__ == "__main__":
    main()
