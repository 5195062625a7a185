"""Every column of every list can be clicked to sort without an error: generated over the URL conf
(the 半月专报 list once answered 500 when sorted by its 专报 column, whose value is a method)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feidi.core.tables import orderable

from .test_scope_outside import ROUTES

LISTS = [r for r in ROUTES if r.values[2] == "list"]
VIEWERS = ("leader", "clerk", "invest", "tech", "other_pmo", "sysadmin", "secadmin", "auditor", "ent_a", "inst")


@pytest.mark.sweep("queries")
@pytest.mark.parametrize("route,view_class,kind", LISTS)
def test_every_column_sorts_both_ways(route, view_class, kind, cast, client_for):
    url = reverse(route)
    client = next((c for c in map(client_for, VIEWERS) if c.get(url).status_code == 200), None)
    if client is None:
        pytest.skip("no member of the cast opens this list")
    for name in view_class.table_class.base_columns:
        for order in (name, f"-{name}"):
            response = client.get(url, {"sort": order})
            assert response.status_code == 200, (route, order, response.status_code)


def test_a_column_showing_a_method_offers_no_sorting():
    from feidi.projects.models import Report
    from feidi.projects.tables import ReportTable

    assert not orderable(Report, "__str__")
    assert ReportTable.order_field("title", Report) is None and ReportTable.order_field("-as_of", Report) == "-as_of"
    table = ReportTable([], model=Report)
    assert [c["sortable"] for c in table.header_cells()][:2] == [False, True]


def test_a_filter_given_only_by_a_link_shows_no_empty_field_but_says_it_filters(cast, client_for):
    """A hidden filter (an enterprise's id, from its page's link) is not a label beside nothing in
    the filter bar; when it is set the bar says the list is filtered by it."""
    c = client_for("leader")
    url = reverse("services:appeal_list")
    page = c.get(url).content.decode()
    assert 'for="id_organization"' not in page and 'type="hidden" name="organization"' in page
    page = c.get(url, {"organization": cast.org_a1.pk}).content.decode()
    assert "已按企业筛选" in page


def test_a_filter_offers_none_only_where_a_row_can_have_none(cast, client_for):
    """（空） was offered on 59 lists for a status or a kind every row has (and found nothing): it is
    offered where the field may be empty (a project's chain), not where it may not (its stage)."""
    from feidi.projects.filtersets import ProjectFilterSet
    from feidi.projects.models import Project

    form = ProjectFilterSet(queryset=Project.objects.all(), user=cast.leader).form
    assert "null" not in [value for value, _ in form.fields["stage"].choices]
    page = client_for("leader").get("/services/appeals/").content.decode()
    status = page.split('name="status"')[1].split("</select>")[0]
    assert "（空）" not in status and "全部" in status
    # a project may be in no chain (its segment is optional): （空） finds those
    assert "null" in [str(value) for value, _ in form.fields["chain"].choices]
