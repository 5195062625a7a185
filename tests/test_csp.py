"""No record text runs as script: a Content-Security-Policy without inline script on every page,
templates without inline script or event handlers, every chart formatter building HTML escaping
what it puts in — and, in the browser, names like <img src=x onerror=…> stored in every model the
charts and maps show, hovered, running nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

# pytest fixtures shared with the other browser tests
from tests.test_browser import browser  # noqa: F401
from tests.test_browser import world  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent / "feidi"
PAYLOADS = ['<img src=x onerror="window.__xss=(window.__xss||0)+1">', '<svg onload="window.__xss=1">',
            '"><script>window.__xss=1</script>', "{a|<b onmouseover=window.__xss=1>}"]


def test_every_page_carries_a_policy_without_inline_script(cast, client_for):
    for name, url in (("leader", "/"), ("leader", reverse("indicators:dashboard")), ("ent_a", "/"),
                      ("clerk", reverse("registry:organization_list")), (None, reverse("accounts:login"))):
        client = client_for(name) if name else Client()
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        script = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, (url, policy)
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def _templates():
    return [p for p in ROOT.rglob("*.html") if "static/vendor" not in str(p)]


def test_no_template_has_inline_script_event_handlers_or_javascript_urls():
    bad = []
    for path in _templates():
        text = path.read_text()
        for m in re.finditer(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", text, re.S):
            if m.group("body").strip() and "application/json" not in m.group("attrs"):
                bad.append(f"{path}: inline <script>")
        for m in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            bad.append(f"{path}: event handler attribute {m.group(0).strip()}")
        if re.search(r"href\s*=\s*[\"']\s*javascript:", text, re.I):
            bad.append(f"{path}: javascript: URL")
    assert not bad, "\n".join(bad)


def test_every_chart_formatter_that_builds_html_escapes_what_it_puts_in():
    bad = []
    for path in (ROOT / "static" / "feidi").rglob("*.js"):
        text = path.read_text()
        for m in re.finditer(r"formatter:\s*function\s*\([^)]*\)\s*\{", text):
            depth, i = 1, m.end()
            while depth and i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            body = text[m.end():i]
            if "<" in body and "esc(" not in body:
                bad.append(f"{path.name}: {body[:80]!r}")
    assert not bad, bad


# --- in the browser ----------------------------------------------------------------------------------

def _hostile(w):
    """Every model the charts and maps name, named with payloads."""
    import datetime as dt

    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember
    from feidi.indicators.models import Parcel
    from feidi.registry.models import Organization
    from feidi.registry.models import Zone

    from .test_browser_indicators import fill

    fill(w)
    chain = Chain.objects.get(name="光伏")
    Chain.objects.filter(pk=chain.pk).update(name=PAYLOADS[0] + "光伏")
    Segment.objects.filter(chain=chain).update(name=PAYLOADS[1] + "组件")
    other = Segment.objects.create(chain=chain, name=PAYLOADS[3], department=w.dept_a)
    SegmentMember.objects.create(segment=other, organization=w.org_a2, department=w.dept_a, role="master")
    for n, org in enumerate(Organization.objects.filter(zone=w.zone_a)):
        Organization.objects.filter(pk=org.pk).update(name=f"{PAYLOADS[n % len(PAYLOADS)]}企业{n}")
    Zone.objects.filter(pk=w.zone_a.pk).update(short_name=PAYLOADS[2], region_code="361100")
    Zone.objects.filter(pk=w.zone_b.pk).update(region_code="361102")
    for n, org in enumerate(Organization.objects.filter(zone=w.zone_a)[:2]):
        lon = 117.96 + n * 0.004
        Parcel.objects.create(zone=w.zone_a, organization=org, code=f"{PAYLOADS[n]}-{n}", department=w.dept_a,
                              geometry={"type": "Polygon", "coordinates": [[[lon, 28.43], [lon + 0.003, 28.43],
                                        [lon + 0.003, 28.433], [lon, 28.433], [lon, 28.43]]]})
    return chain, dt


HOVER = """() => {
  const out = [];
  document.querySelectorAll("[_echarts_instance_]").forEach(el => {
    const chart = echarts.getInstanceByDom(el);
    if (!chart) return;
    const option = chart.getOption();
    (option.series || []).forEach((s, si) => {
      const n = (s.data || []).length || 5;
      for (let i = 0; i < Math.min(n, 12); i++) {
        chart.dispatchAction({type: "showTip", seriesIndex: si, dataIndex: i});
        const tip = el.querySelector("div[style*='z-index']") || document.querySelector(".echarts-tooltip");
        out.push(el.innerHTML.length);
      }
    });
  });
  return out.length;
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_names_with_script_never_run_in_charts_maps_or_tooltips(browser, live_server, world):  # noqa: F811
    from .test_browser import _login
    from .test_browser import _page
    from .test_browser import _shot

    chain, _dt = _hostile(world)
    page, outside = _page(browser, live_server)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    _login(page, "leader")
    page.wait_for_url(re.compile(r"/$"))
    hovered = 0
    for url, ready in ((chain.get_absolute_url(), "#chain-map svg"), ("/indicators/", "#trend-chart svg"),
                      ("/indicators/analysis/?by=zone", "#analysis-chart svg"),
                      ("/indicators/analysis/?by=chain", "#analysis-chart svg"),
                      ("/indicators/maps/city/", "#city-map svg path"), ("/indicators/maps/zone/", "#zone-map canvas"),
                      ("/", "#home-chart-box svg")):
        page.goto(url)
        try:
            page.wait_for_selector(ready, timeout=15000)
        except Exception:
            raise AssertionError(f"{url} did not draw its chart: {outside} {violations} {page.title()}") from None
        page.wait_for_timeout(300)
        hovered += page.evaluate(HOVER)
        page.mouse.move(400, 300)
        page.wait_for_timeout(100)
        assert page.evaluate("() => window.__xss") is None, f"a stored name ran as script on {url}"
    assert hovered > 10
    # the payload is shown as text in the chain map's tooltip
    page.goto(chain.get_absolute_url())
    page.wait_for_selector("#chain-map svg")
    page.evaluate("""() => { const c = echarts.getInstanceByDom(document.getElementById("chain-map"));
                             c.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0}); }""")
    page.wait_for_timeout(300)
    tooltip = page.evaluate("""() => Array.from(document.querySelectorAll("#chain-map div"))
                                 .map(d => d.textContent).join(" ")""")
    assert "<img src=x" in tooltip or "<svg onload" in tooltip, tooltip[:500]
    _shot(page, "12-escaped-tooltip")
    assert page.evaluate("() => window.__xss") is None
    assert not violations, violations
    assert not [o for o in outside if "JavaScript error" in o], outside
