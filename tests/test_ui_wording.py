"""What the Chinese UI says and shows: 统计查询's 数据范围 names the data scope actually applied (the
roles granting the subject's view, not the user's department), a refused question is a refusal
(403), solid badges carry their text colour, every chart goes through the shared setup (money in
万元/亿元), and no English model or field name reaches the role editor or the audit trail."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.http import QueryDict
from django.urls import reverse

from feidi.core import stats

ROOT = Path(__file__).resolve().parent.parent / "feidi"


def _staff(username, roles, department):
    from feidi.testing.cast import _user

    return _user(username, username, roles=roles, department=department)


def _scope(user, subject: str) -> str:
    return stats.evaluate(stats.parse(QueryDict(f"subject={subject}&window=all"), user), user).scope


# --- 统计查询: the data scope applied ----------------------------------------------------------------

def test_the_scope_names_the_roles_data_scope_not_the_users_department(cast):
    cadre = _staff("cadre_self", ["service_cadre"], cast.dept_a_bureau)  # 本人数据
    office = _staff("office_zone", ["service_office"], cast.dept_a_bureau)  # 本园区
    city = _staff("city_all", ["city_leader"], cast.dept_a_bureau)  # 全部数据
    assert _scope(cadre, "visits") == "本人数据"
    assert _scope(office, "visits") == f"本园区（{cast.dept_a.name}）"
    assert _scope(city, "visits") == "全部数据"
    for user in (cadre, office, city):  # never "招商局可见的数据", whatever the role
        assert cast.dept_a_bureau.name not in _scope(user, "visits")


def test_a_department_scope_and_custom_departments_are_named(cast):
    from feidi.accounts.models import Role
    from feidi.core.scope import DataScope

    office = _staff("office_dept", ["service_office"], cast.dept_a_bureau)
    role = Role.objects.get(code="service_office")
    role.data_scope = DataScope.DEPT
    role.save()
    assert _scope(office, "visits") == f"本部门（{cast.dept_a_bureau.name}）"
    role.data_scope = DataScope.DEPT_TREE
    role.save()
    office = type(office).objects.get(pk=office.pk)  # roles are cached per instance (per request)
    assert _scope(office, "visits") == f"本部门及以下（{cast.dept_a_bureau.name}）"
    role.data_scope = DataScope.CUSTOM
    role.save()
    role.custom_departments.set([cast.dept_b])
    office = type(office).objects.get(pk=office.pk)
    assert _scope(office, "visits") == f"自定义部门（{cast.dept_b.name}）"


def test_the_records_ones_duties_link_to_are_said_only_where_there_are_some(cast):
    import datetime as dt

    from feidi.services.models import Assignment
    from feidi.testing.factories import _service_group

    cadre = _staff("cadre_linked", ["service_cadre"], cast.dept_a_bureau)
    assert _scope(cadre, "organizations") == "本人数据"  # serves no enterprise yet
    Assignment.objects.create(organization=cast.org_a1, cadre=cadre, group=_service_group(cast),
                              since=dt.date(2025, 1, 1), department=cast.dept_a)
    assert _scope(cadre, "organizations") == "本人数据，及与您的职责关联的企业"


def test_the_xlsx_states_the_scope_applied_in_its_rule(cast, client_for):
    from python_calamine import CalamineWorkbook

    _staff("cadre_xlsx", ["service_cadre"], cast.dept_a_bureau)
    from django.test import Client

    from feidi.accounts.models import User

    c = Client()
    c.force_login(User.objects.get(username="cadre_xlsx"))
    response = c.get(reverse("core:stats") + "?subject=visits&window=all&format=xlsx")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    rule = next(str(cell) for row in rows for cell in row if str(cell).startswith("口径"))
    assert "数据范围：本人数据" in rule and "可见的数据" not in rule


def test_a_subject_refused_for_permission_answers_403_page_and_export(cast, client_for):
    c = client_for("ent_a")  # an enterprise user: no view of the enclaves' zones
    assert not cast.ent_a.has_perm(stats.SUBJECTS["zones"].permission)
    url = reverse("core:stats") + "?subject=zones&window=all"
    assert c.get(url).status_code == 403
    export = c.get(url + "&format=xlsx")
    assert export.status_code == 403 and "spreadsheetml" not in export.get("Content-Type", "")


def test_an_export_of_a_wrong_question_is_no_file_and_no_200(cast, client_for):
    response = client_for("leader").get(reverse("core:stats") + "?subject=projects&measure=nonsense&format=xlsx")
    assert response.status_code == 400 and "spreadsheetml" not in response["Content-Type"]


def test_the_breakdown_chart_gets_money_in_yuan_for_the_shared_setup_to_scale(cast, client_for):
    from decimal import Decimal

    from feidi.projects.models import Project
    from feidi.projects.models import Stage

    Project.objects.create(name="签约项目", zone=cast.zone_a, investor="投资方", department=cast.dept_a,
                           stage=Stage.SIGNED, signed_on=stats.timezone.localdate(),
                           signed_amount=Decimal("1500000000"))
    response = client_for("leader").get(reverse("core:stats") + "?subject=projects&measure=sum:signed_amount"
                                        "&date=signed_on&window=all&by=zone")
    chart = response.context["chart"]
    assert chart["money"] is True and chart["values"] == [1500000000.0]
    assert "feidi/charts.js" in response.content.decode()


# --- badges, charts ------------------------------------------------------------------------------

SOLID = re.compile(r'class="([^"]*\bbadge\b[^"]*)"')


def _ours(*exts):
    for ext in exts:
        for path in ROOT.rglob(f"*.{ext}"):
            if "static/vendor" not in str(path) and "/migrations/" not in str(path):
                yield path


def test_every_solid_badge_has_its_text_colour():
    """Tabler's solid bg-* badge keeps the body's grey text: on red it cannot be read."""
    bad = []
    for path in _ours("html", "py", "js"):
        for m in SOLID.finditer(path.read_text(encoding="utf-8")):
            classes = m.group(1)
            if "&nbsp;" in path.read_text(encoding="utf-8")[m.end():m.end() + 10]:
                continue  # a colour dot, no text
            solid = re.search(r"\bbg-(?![\w-]*-lt\b)[a-z]+\b", classes)
            if solid and not re.search(r"\btext-(white|dark|light|black|body|reset)\b", classes):
                bad.append(f"{path.relative_to(ROOT)}: {classes}")
    assert not bad, bad


def test_key_projects_alert_badge_is_readable(cast, client_for):
    from feidi.projects.tables import KeyProjectTable

    column = KeyProjectTable.base_columns["open_alerts"]
    row = type("Row", (), {"open_alerts": 3})()
    assert 'class="badge bg-red text-white"' in str(column.render(row))


def test_every_chart_is_drawn_through_the_shared_setup():
    """One place applies the rules (money in 万元/亿元, legends that wrap or scroll, pie labels that
    fit): a page script calling echarts.init itself would skip them. The maps resize on their own."""
    scripts = ROOT / "static" / "feidi"
    direct = [p.name for p in scripts.rglob("*.js") if "echarts.init(" in p.read_text()
              and p.name not in ("charts.js", "maps.js")]
    assert not direct, direct
    shared = (scripts / "charts.js").read_text()
    assert "F.chart = function" in shared and "F.money = function" in shared
    # the analysis' money indicator is declared money, so its axis is in 万元/亿元, never raw 元
    assert 'money: "元"' in (scripts / "economy.js").read_text()


def test_chart_scripts_load_the_shared_setup_between_echarts_and_the_page_script():
    from django.template import Context
    from django.template import Template

    html = Template('{% load charts %}{% chart_scripts "feidi/pages/home.js" %}').render(Context({}))
    assert html.index("echarts.min.js") < html.index("feidi/charts.js") < html.index("feidi/pages/home.js")


def test_the_analysis_chart_says_its_indicators_unit(cast, client_for):
    from feidi.indicators.models import IndicatorValue
    from feidi.testing.factories import make_for

    make_for(IndicatorValue, cast)
    page = client_for("leader").get(reverse("indicators:analysis") + "?indicator=revenue&period=2026-03").content.decode()
    assert 'id="analysis-chart"' in page and 'data-unit="元"' in page


# --- no English names in the Chinese UI ----------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_role_editor_shows_no_english_model_name(cast, client_for):
    from feidi.accounts.models import Role

    role = Role.objects.get(code="zone_clerk")
    page = client_for("secadmin").get(reverse("accounts:role_edit", kwargs={"pk": role.pk})).content.decode()
    names = re.findall(r'<tr data-permission-row><td class="w-25">([^<]*)</td>', page)
    assert names and all(CJK.search(n) for n in names), [n for n in names if not CJK.search(n)]
    assert "form submission" not in page


def test_the_audit_detail_names_the_model_and_its_fields(cast, client_for):
    from feidi.core.models import AuditRecord
    from tests.test_audit import rename_through_the_page

    rename_through_the_page(cast, client_for("clerk"))
    record = AuditRecord.objects.filter(model="registry.organization", action="update").order_by("-seq").first()
    assert "created_by" in json.loads(record.before) | json.loads(record.after)
    page = client_for("auditor").get(record.get_absolute_url()).content.decode()
    assert "registry.organization" not in page and "单位" in page
    cells = re.findall(r'<td title="([^"]+)">([^<]*)</td>', page)
    shown = dict(cells)
    assert shown["name"] == "名称" and shown["created_by"] == "创建人", shown
    assert all(CJK.search(label) or label == "ID" for label in shown.values()), shown


@pytest.mark.parametrize("label", ["projects.stagegate", "no.such_model"])
def test_the_audit_detail_reads_a_label_it_cannot_resolve_as_recorded(label):
    from feidi.core.views_core import _field_labels

    labels = _field_labels(label)
    assert labels == {} if label.startswith("no.") else all(CJK.search(v) for k, v in labels.items()
                                                            if k in ("name", "created_by"))
