"""The English interface: every page a user reaches is in English, the catalogue is complete, and
the .xlsx exports and .docx reports speak the user's language.

The pages are crawled as every role of the cast (and the standard roles the cast lacks) over a
world holding one record of every model (the factories of the scope tests). Record data is the
users' own and is not translated: every text a record holds is replaced by ASCII before the crawl,
except what the catalogue translates — the code lists and definitions the system seeds
(dictionaries, roles, indicators, stage gates), which must be shown translated. What Chinese is
left on a page is then the interface's own.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from feidi.testing.crawl import crawl
from feidi.testing.factories import make_for

pytestmark = pytest.mark.long  # handed out first (conftest.py)

CJK = re.compile(r"[\u4e00-\u9fff]+")
# Seeded by the system and shown through the catalogue: their rows keep what the catalogue
# translates (a factory's own row there is still data).
SEEDED = {"core.dicttype", "core.dictitem", "accounts.role", "auth.permission", "indicators.indicator",
          "projects.stagegate"}
CATALOGUE = Path(settings.BASE_DIR) / "feidi" / "locale" / "en" / "LC_MESSAGES"
# Shown in their own language on purpose: the language menu's entry for Chinese and its label.
OWN_LANGUAGE = ("简体中文", "Language / 语言")
# Attributes a user reads (or hears) as text.
READ_ATTRIBUTES = re.compile(r'\s(?:placeholder|title|aria-label|alt)="([^"]*)"')
# The standard roles the cast has no member of get one here (zone A), in ASCII.
EXTRA_ROLES = ("city_leader", "project_office", "service_office", "service_cadre", "statistics", "policy_office")


@pytest.fixture(autouse=True)
def _chinese_again():
    """A request activates the language of its locale for the thread (LocaleMiddleware): the next
    test in this process calls code directly and expects the default language."""
    yield
    translation.deactivate()


def english(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ascii_for(text: str, seeded: bool = False) -> str:
    """The same Chinese text always becomes the same ASCII (a review's scores stay keyed by its
    challenge's criteria); in a seeded table, text the catalogue translates is kept."""
    if not CJK.search(text):
        return text
    if seeded:
        with translation.override("en"):
            if translation.gettext(text) != text:
                return text
    return CJK.sub(lambda m: "x" + hashlib.sha1(m.group().encode()).hexdigest()[:6], text)


def _asciified(value, seeded: bool):
    if isinstance(value, str):
        return ascii_for(value, seeded)
    if isinstance(value, list):
        return [_asciified(v, seeded) for v in value]
    if isinstance(value, dict):
        return {_asciified(k, seeded): _asciified(v, seeded) for k, v in value.items()}
    return value


def replace_record_text() -> None:
    """Every text and JSON field of every record in ASCII, but for the seeded labels."""
    for model in apps.get_models():
        if not model.__module__.startswith(("feidi.", "django.contrib.auth")):
            continue
        seeded = model._meta.label_lower in SEEDED
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))
                  and not getattr(f, "encrypted", False)]
        if not fields:
            continue
        for row in model._base_manager.all():
            changed = {}
            for f in fields:
                value = getattr(row, f.attname)
                new = _asciified(value, seeded)
                if new != value:
                    changed[f.attname] = new
            if changed:
                model._base_manager.filter(pk=row.pk).update(**changed)


@pytest.fixture
def world(cast):
    """The cast, a record of every model, a member of each remaining standard role, all in ASCII."""
    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.testing import factories

    for model in factories.all_factories():
        make_for(model, cast)
    extra = {}
    for code in EXTRA_ROLES:
        user = User(username=f"en_{code}", full_name=f"User {code}", password_changed_at=timezone.now(),
                    department=cast.city if code == "city_leader" else cast.dept_a)
        do_create_user(user, password=None, roles=[Role.objects.get(code=code)], acting_user=None)
        extra[code] = User.objects.get(pk=user.pk)
    replace_record_text()
    return {**{name: User.objects.get(pk=u.pk) for name, u in cast.users().items()}, **extra}


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    attributes = " ".join(READ_ATTRIBUTES.findall(page))
    text = html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)
    for word in OWN_LANGUAGE:
        text = text.replace(word, "")
    return text


def chinese_on(page: str) -> list[str]:
    text = visible_text(page)
    found = []
    for m in CJK.finditer(text):
        snippet = " ".join(text[max(0, m.start() - 25):m.end() + 25].split())
        if snippet not in found:
            found.append(snippet)
    return found


HX_GET = re.compile(r'hx-get="([^"#]+)"')


@pytest.mark.sweep("pages")
def test_every_page_of_every_role_is_in_english(world):
    untranslated: dict[str, list[str]] = {}
    pages = 0
    crawled = set()
    for name, user in sorted(world.items()):
        # What the interface says is fixed by the roles and the kind of account; the records differ,
        # and are ASCII. A second user of the same roles (the zone-B clerk beside zone A's, another
        # enterprise's user) reads the same words on fewer records: crawled once.
        account = (frozenset(user.roles.values_list("code", flat=True)), user.department.kind if user.department else None,
                   user.organization.kind if user.organization else None)
        if account in crawled:
            continue
        crawled.add(account)
        client = english(user)
        partials = set()

        def check(url, response, client=client, partials=partials):
            nonlocal pages
            pages += 1
            body = response.content.decode()
            if found := chinese_on(body):
                untranslated.setdefault(url, found)
            partials.update(u for u in HX_GET.findall(html.unescape(body)) if u.startswith("/"))

        result = crawl(client, "/", per_route=1, limit=400, on_page=check)
        assert result.pages > 3, f"{name} reached almost nothing"
        for url in sorted(partials):  # the HTMX fragments a page loads (live panels, filters)
            response = client.get(url, HTTP_HX_REQUEST="true")
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                if found := chinese_on(response.content.decode()):
                    untranslated.setdefault(url, found)
    assert pages > 100
    assert not untranslated, f"{len(untranslated)} pages with Chinese in the English interface:\n" + "\n".join(
        f"{url}: {' | '.join(found[:8])}" for url, found in sorted(untranslated.items()))


def test_pages_the_crawl_does_not_reach_are_in_english(world):
    """Pages no link of the crawl leads to (the sign-in page, edit forms behind a detail page the
    crawl saw once, a live HTMX panel): each as the user who may open it."""
    from feidi.auctions.models import Lot
    from feidi.challenges.models import Application
    from feidi.challenges.models import Challenge
    from feidi.projects.models import AnnualPlan
    from feidi.projects.models import StageGate

    challenge = Challenge.objects.first()
    challenge.experts.add(world["expert"])
    second = Challenge.objects.create(demand=challenge.demand, title="Second challenge", status="open",
                                      bounty=challenge.bounty, deadline=challenge.deadline,
                                      criteria=challenge.criteria,
                                      department=challenge.department)
    Challenge.objects.filter(pk=challenge.pk).update(status="review")
    pages = [
        (None, reverse("accounts:login")),
        ("project_office", reverse("projects:annualplan_list")),
        ("project_office", reverse("projects:annualplan_edit", args=[AnnualPlan.objects.first().pk])),
        ("project_office", reverse("projects:stagegate_edit",
                                   args=[StageGate.objects.exclude(department=None).first().pk])),
        ("auditor", reverse("core:auditrecord_verify")),
        ("expert", reverse("challenges:review", args=[Application.objects.first().pk])),
        ("inst_a", reverse("challenges:application_add") + f"?challenge={second.pk}"),
        ("tech", reverse("auctions:lot_live", args=[Lot.objects.first().pk])),
    ]
    untranslated, answered = {}, 0
    for name, url in pages:
        client = english(world[name]) if name else Client()
        if not name:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(url, HTTP_HX_REQUEST="true" if url.endswith("/live/") else None)
        if response.status_code != 200:
            continue
        answered += 1
        if found := chinese_on(response.content.decode()):
            untranslated[url] = found
    assert answered == len(pages)
    assert not untranslated, "\n".join(f"{url}: {' | '.join(found[:8])}" for url,
                                       found in untranslated.items())


def _unquote(lines: list[str]) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    text = "".join(re.match(r'^(?:\S+ )?"(.*)"$', line).group(1) for line in lines)
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text)


def po_entries(po: Path):
    """(context, msgid, [msgstr…], flags) of each entry of an English .po, the header left out."""
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        fields: dict[str, list[str]] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            if not line.startswith('"'):
                key = line.split(" ", 1)[0]
                fields[key] = []
            fields[key].append(line)
        if not fields.get("msgid") or not _unquote(fields["msgid"]):
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        strs = [_unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        yield (_unquote(fields["msgctxt"]) if "msgctxt" in fields else None), _unquote(fields["msgid"]), strs, flags


@pytest.mark.parametrize(("domain", "least"), [("django", 2000), ("djangojs", 30)])
def test_the_english_catalogue_is_complete_and_compiled(domain, least):
    import gettext

    po = CATALOGUE / f"{domain}.po"
    entries = list(po_entries(po))
    assert len(entries) > least
    assert not [m for _, m, _, flags in entries if "fuzzy" in flags], f"fuzzy entries in {po.name}"
    untranslated = [m for _, m, strs, _ in entries if not all(strs)]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    with open(po.with_suffix(".mo"), "rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    stale = [m for ctxt, m, strs, _ in entries
             if catalog.get(f"{ctxt}\x04{m}" if ctxt else m, catalog.get((f"{ctxt}\x04{m}" if ctxt else m,
                                                                          0)))
             != strs[0]]
    assert not stale, f"{po.with_suffix('.mo').name} is older than {po.name} (run compilemessages): {stale[:10]}"


def test_the_charts_get_their_texts_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    script = client.get(reverse("javascript_catalog")).content.decode()
    assert "Same period last year" in script and "Save image" in script


def test_an_xlsx_export_has_english_headers(world):
    from python_calamine import CalamineWorkbook

    response = english(world["clerk"]).get(reverse("registry:organization_list") + "?export=xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert not CJK.search(book.sheet_names[0]), book.sheet_names
    header = book.get_sheet_by_name(book.sheet_names[0]).to_python()[0]
    assert "Name" in header and not any(CJK.search(str(h)) for h in header), header


def test_a_docx_report_is_written_in_english(world):
    from docx import Document

    client = english(world["project_office"])
    response = client.post(reverse("projects:report_generate"), {"as_of": timezone.localdate().isoformat()})
    assert response.status_code == 302
    report_page = response["Location"]
    docx = client.get(report_page.rstrip("/") + "/docx/")
    assert docx.status_code == 200
    document = Document(io.BytesIO(b"".join(docx.streaming_content) if docx.streaming else docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "1. Overall progress" in text and "Appendix" in text, text[:500]
    assert not CJK.search(text + cells), CJK.findall(text + cells)

