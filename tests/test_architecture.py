"""The cut of the code holds: no import cycle among Feidi's modules (an import inside a function
counts as much as one at the top), and ``core`` imports no business app (apps register with core:
their menus, to-dos, statistics, home sections; core never reaches up to them). One habit of the
queries is read off the source too: a distinct list of values drops the model's ordering."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUSINESS = ("registry", "services", "chains", "projects", "indicators", "techmarket", "challenges", "auctions",
            "policies", "intel", "cockpit", "demo")


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "feidi").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module's imports of other Feidi modules (``from pkg import mod`` names ``pkg.mod``)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                subs = [f"{base}.{a.name}" for a in node.names]
                targets = [t for t in subs if t in modules]
                if len(targets) < len(subs):
                    targets.append(base)
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_among_feidis_modules():
    assert _cycles(_imports(_modules())) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_core_imports_no_business_app():
    graph = _imports(_modules())
    upward = sorted((name, target) for name, targets in graph.items() if name.startswith("feidi.core")
                    for target in targets if target.split(".")[1] in BUSINESS)
    assert upward == []


def test_the_market_imports_neither_challenges_nor_auctions():
    """揭榜挂帅 and the auctions build on the market (its demands and supplies); the market knows
    neither: they add themselves to its menu, statistics and to-dos by registering."""
    graph = _imports(_modules())
    upward = sorted((name, target) for name, targets in graph.items() if name.startswith("feidi.techmarket")
                    for target in targets if target.split(".")[1] in ("challenges", "auctions"))
    assert upward == []


def test_every_workbook_is_made_by_the_one_constructor():
    """``core.exports.workbook`` writes a string as a string (no formula, hyperlink or number): no
    module builds an xlsxwriter workbook of its own, so none can forget it."""
    own = [f"{name}:{node.lineno}" for name, path in _modules().items() if name != "feidi.core.exports"
           for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
           if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Workbook"
           and isinstance(node.func.value, ast.Name) and node.func.value.id == "xlsxwriter"]
    assert own == []


def _method_chains(tree: ast.AST):
    """Each chain of method calls (``qs.values(…).order_by().distinct()``) once, as its names, outermost
    first, with the line it starts on."""
    inner: set[int] = set()
    for node in ast.walk(tree):  # outer calls come before the calls they are made on
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or id(node) in inner:
            continue
        names, current = [], node
        while isinstance(current, ast.Call | ast.Attribute):
            if isinstance(current, ast.Call):
                if not isinstance(current.func, ast.Attribute):
                    break
                inner.add(id(current))
                names.append(current.func.attr)
                current = current.func.value
            else:
                current = current.value
        yield node.lineno, names


def _distinct_values_keeping_the_ordering(source: str) -> list[int]:
    return [line for line, names in _method_chains(ast.parse(source))
            if "distinct" in names and {"values", "values_list"} & set(names) and "order_by" not in names]


def test_a_distinct_list_of_values_drops_the_models_ordering():
    """Django puts the columns of a model's ``Meta.ordering`` into ``SELECT DISTINCT``: the zones of the
    indicator values came back as one row a value (28,865 for a handful of zones). A chain that asks for
    distinct values says ``order_by()`` (or an ordering of its own)."""
    found = [f"{path.relative_to(ROOT)}:{line}" for path in _modules().values()
             for line in _distinct_values_keeping_the_ordering(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_distinct_values_check_finds_a_chain_keeping_the_ordering():
    source = ("a = M.objects.filter(x=1).values_list('zone_id', flat=True).distinct()\n"
              "b = M.objects.values('period').order_by().distinct()\n"
              "c = M.objects.filter(x=1).distinct()\n")
    assert _distinct_values_keeping_the_ordering(source) == [1]


def test_every_conditional_unique_constraint_says_what_it_refuses():
    """A constraint with a condition is checked by the model's validation with Django's generic
    “约束 … 是无效的”, its internal name shown to the user, unless it says its own refusal."""
    from django.apps import apps
    from django.db import models

    bare = [f"{m._meta.label}.{c.name}" for m in apps.get_models() if m.__module__.startswith("feidi.")
            for c in m._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.condition is not None
            and c.violation_error_message == c.default_violation_error_message]
    assert bare == []


def test_every_month_is_a_month_field():
    """A date that names a month (月份, 起始月份 …) is a ``MonthField``: stored as its 1st on every
    path and read as offices write a month. As a plain date, a policy item's 依据月份 kept the 15th
    a file gave it and joined no month's figures."""
    from django.apps import apps
    from django.db import models

    from feidi.core.fields import MonthField

    plain = [f"{m._meta.label}.{f.name}" for m in apps.get_models() if m.__module__.startswith("feidi.")
             for f in m._meta.concrete_fields
             if isinstance(f, models.DateField) and not isinstance(f, (MonthField, models.DateTimeField))
             and str(f.verbose_name).endswith(("月份", "月"))]
    assert plain == []


def test_every_field_a_detail_page_shows_has_a_chinese_name():
    """The generic detail page lists a record's fields by their names: one left to Django's default
    (the attribute name, "prev hash") would be English on a Chinese page."""
    import re

    from django.urls import URLPattern
    from django.urls import URLResolver
    from django.urls import get_resolver

    from feidi.core.views import ObjectDetailView

    def views(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from views(p.url_patterns)
            elif isinstance(p, URLPattern) and hasattr(p.callback, "view_class"):
                yield p.callback.view_class

    bare = set()
    for view in views(get_resolver().url_patterns):
        if not issubclass(view, ObjectDetailView) or getattr(view, "model", None) is None:
            continue
        model = view.model
        names = view.detail_fields or [f.name for f in model._meta.concrete_fields
                                       if f.name not in {"id", "version", "password", "path"}
                                       and not f.name.endswith("_secret")]
        for name in names:
            if not re.search(r"[\u4e00-\u9fff]", str(model._meta.get_field(name).verbose_name)):
                bare.add(f"{model._meta.label}.{name}")
    assert sorted(bare) == []
