"""People are shown by name and title, never by their login name (except on the user list)."""

from __future__ import annotations

from django.urls import reverse


def test_a_person_is_shown_by_name_and_title_not_login_name(cast, client_for):
    from feidi.accounts.models import User
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Project

    User.objects.filter(pk=cast.invest.pk).update(title="招商局局长")
    invest = User.objects.get(pk=cast.invest.pk)
    assert str(invest) == "甲区招商干部（招商局局长）" and "invest" not in str(invest)
    assert str(cast.clerk) == "甲区办事员"
    project = do_save_project(Project(name="负责人显示测试项目", zone=cast.zone_a), acting_user=invest)
    page = client_for("leader").get(project.get_absolute_url()).content.decode()
    assert "甲区招商干部（招商局局长）" in page and "（invest）" not in page
    users = client_for("sysadmin").get(reverse("accounts:user_list")).content.decode()
    assert "invest" in users and "招商局局长" in users  # the user list keeps the login name in its own column
