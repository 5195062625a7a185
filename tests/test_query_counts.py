"""Query counts are pinned on lists and dashboards, so an N+1 fails the build."""

import pytest
from django.urls import reverse

from feidi.testing.cast import make_org


@pytest.mark.parametrize("url_name,user,limit", [
    ("registry:organization_list", "clerk", 18),
    ("registry:person_list", "clerk", 18),
    ("registry:residency_list", "clerk", 18),
    ("registry:zone_list", "clerk", 18),
    ("accounts:user_list", "sysadmin", 18),
    ("core:auditrecord_list", "auditor", 18),
    ("home", "leader", 30),  # with 我的待办: a count per kind of waiting work, the items of those not empty
    ("workbench", "leader", 20),
    ("workbench", "clerk", 20),
])
def test_the_page_costs_the_same_whatever_the_number_of_rows(cast, client_for, django_assert_max_num_queries,
                                                             url_name, user, limit):
    c = client_for(user)
    c.get(reverse(url_name))  # warm the per-process caches (content types, policy)
    with django_assert_max_num_queries(limit) as few:
        assert c.get(reverse(url_name)).status_code == 200
    for i in range(20):
        make_org(f"加测公司{i}", cast.zone_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(reverse(url_name)).status_code == 200
