"""Selects written in Python (feidi/core/renderers.py) beside Django's template renderer.

Builds a list page's filter bar: the industry list (GB/T 4754's 97 divisions in their 20 sections
as option groups), ``--zones`` zones, the pipeline's stages, a multiple select with two chosen, each
with a chosen value and the Tabler class. Renders it ``--renders`` times with Django's
``DjangoTemplates`` renderer (the baseline) and with ``FormRenderer``, in the same run, best of
``--rounds``; checks the two give the same HTML, then prints each time per bar and the ratio.

    .venv/bin/python bench/forms.py [--zones 40] [--renders 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup() -> None:
    var = Path(os.environ.setdefault("FEIDI_VAR_DIR", tempfile.mkdtemp(prefix="feidi-bench-")))
    (var / "static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")
    import django

    django.setup()


def filter_bar(zones: int):
    """The widgets of a filter bar and their values, as a list page's form holds them."""
    from django import forms

    from feidi.lib import gbt4754

    industries = [("", "全部行业")] + [
        (f"{letter} {name}", [(f"{letter}{n:02d}", f"{n:02d} {gbt4754.DIVISIONS[n]}") for n in divisions])
        for letter, (name, divisions) in gbt4754.SECTIONS.items()]
    zone_choices = [("", "全部园区"), *((str(i), f"第{i}园区（示例）") for i in range(1, zones + 1))]
    stages = [("", "全部阶段"), *((s, s) for s in ("线索", "洽谈", "签约", "开工", "投产", "达产", "终止"))]
    attrs = {"class": "form-select form-select-sm", "onchange": "this.form.requestSubmit()"}
    return [
        (forms.Select(choices=industries, attrs=attrs), "industry", "C38"),
        (forms.Select(choices=zone_choices, attrs=attrs), "zone", str(zones // 2)),
        (forms.Select(choices=stages, attrs=attrs), "stage", "签约"),
        (forms.SelectMultiple(choices=zone_choices[1:], attrs=attrs), "zones", ["1", str(zones)]),
    ]


def render(bar, renderer) -> str:
    return "".join(w.render(name, value, attrs={"id": f"id_{name}"}, renderer=renderer) for w, name, value in bar)


def best(fn, renders: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(renders):
            fn()
        times.append((time.perf_counter() - start) / renders)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=40)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup()
    from django.forms.renderers import DjangoTemplates

    from feidi.core.renderers import FormRenderer

    bar = filter_bar(args.zones)
    django, ours = DjangoTemplates(), FormRenderer()
    html = render(bar, django)
    assert render(bar, ours) == html, "the two renderers differ"
    options = html.count("<option")
    baseline = best(lambda: render(bar, django), args.renders, args.rounds)
    fast = best(lambda: render(bar, ours), args.renders, args.rounds)
    print(f"filter bar: 4 selects, {options} options, {len(html):,} characters of HTML (the same from both)")
    print(f"  Django's template renderer  {baseline * 1000:7.2f} ms per bar")
    print(f"  feidi FormRenderer          {fast * 1000:7.2f} ms per bar")
    print(f"  ratio                       {baseline / fast:7.1f}x")


if __name__ == "__main__":
    main()
