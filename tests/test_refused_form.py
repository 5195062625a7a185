"""A step refused on a record's page gives back what was typed (feidi/core/refused.py): the fields of
a POST answered by a redirect with an error come back once, as inert JSON, on the page it returns
to — for the generic steps (``ObjectActionView``) and the hand-written ones alike. The browser half
(the form refilled, opened and marked) is in tests/test_browser_challenges.py."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from feidi.challenges.models import JointMilestone
from feidi.challenges.models import JointProject
from feidi.core.refused import kept_fields
from feidi.services.models import Appeal
from feidi.testing.factories import _appeal
from feidi.testing.factories import make_for

pytestmark = pytest.mark.django_db

KEPT = re.compile(r'<script id="feidi-refused-form" type="application/json">(.*?)</script>', re.S)


def kept_on(page: str):
    found = KEPT.search(page)
    return json.loads(found.group(1)) if found else None


def test_a_refused_milestone_comes_back_once_with_what_was_typed(cast, client_for):
    project = make_for(JointProject, cast)
    c = client_for("tech")
    url = reverse("challenges:milestone_add", args=[project.pk])
    before = (project.starts_on - dt.timedelta(days=30)).isoformat()
    typed = {"title": "中试线样品</script><script>alert(1)</script>", "due_on": before, "note": "甲研究院负责",
             "csrfmiddlewaretoken": "x" * 32}
    response = c.post(url, typed)
    assert response.status_code == 302 and not JointMilestone.objects.filter(project=project).exists()
    page = c.get(response["Location"]).content.decode()
    kept = kept_on(page)
    assert kept == {"action": url, "fields": {"title": [typed["title"]], "due_on": [before], "note": ["甲研究院负责"]}}
    assert "<script>alert(1)" not in page  # inert JSON: the text cannot close its script element
    assert f'action="{url}"' in page  # the form it goes back into
    assert kept_on(c.get(project.get_absolute_url()).content.decode()) is None  # once


def test_a_done_step_keeps_nothing(cast, client_for):
    project = make_for(JointProject, cast)
    c = client_for("tech")
    due = (project.starts_on + dt.timedelta(days=10)).isoformat()
    response = c.post(reverse("challenges:milestone_add", args=[project.pk]), {"title": "样机", "due_on": due})
    assert response.status_code == 302 and JointMilestone.objects.filter(project=project, title="样机").exists()
    assert kept_on(c.get(response["Location"]).content.decode()) is None


def test_a_hand_written_step_keeps_its_text_and_which_step_it_was(cast, client_for):
    """An appeal's page holds one form per step, all posting to one address: the step is a hidden field,
    kept so that the page's script finds the form it came from."""
    appeal = _appeal(cast)
    assert appeal.status == Appeal.Status.SUBMITTED
    c = client_for("leader")
    url = reverse("services:appeal_act", args=[appeal.pk])
    text = "已与供电公司对接，拟于下周完成线路改造"
    response = c.post(url, {"action": "close", "text": text, "outcome": "resolved"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.SUBMITTED
    page = c.get(response["Location"]).content.decode()
    assert kept_on(page) == {"action": url, "fields": {"action": ["close"], "text": [text], "outcome": ["resolved"]}}


def test_an_api_refusal_and_a_refused_page_keep_nothing(cast, client_for):
    """Only a redirect back with a refusal keeps fields: the API answers its own errors, and a form
    refused on its own page (200) is shown again bound."""
    c = client_for("tech")
    project = make_for(JointProject, cast)
    c.post(reverse("challenges:jointproject_edit", args=[project.pk]), {"title": ""})
    assert "feidi_refused_form" not in c.session
    assert kept_on(c.get(project.get_absolute_url()).content.decode()) is None


def test_no_secret_or_token_is_kept():
    post = QueryDict(mutable=True)
    post.update({"csrfmiddlewaretoken": "t", "next": "/x/", "password": "p", "new_password1": "p", "code": "123456",
                 "api_token": "k", "credit_code": "91360000MA000000X1", "note": "说明"})
    assert kept_fields(post) == {"credit_code": ["91360000MA000000X1"], "note": ["说明"]}
    post = QueryDict(mutable=True)
    post.setlist("experts", ["1", "2"])
    post["text"] = "长" * 30_000
    kept = kept_fields(post)
    assert kept["experts"] == ["1", "2"] and len(kept["text"][0]) == 20_000



def test_a_step_posted_twice_with_one_token_is_taken_once(cast, client_for):
    """A double click or a page sent again: the page's script gives every posting form a one-time token
    (feidi.js), and a record's steps — the generic ones (a milestone added) and the project's own (a
    follow-up) — take it once; the second POST is told so and changes nothing."""
    from feidi.projects.models import ProjectEvent
    from tests.test_projects import key_project

    project = make_for(JointProject, cast)
    c = client_for("tech")
    url = reverse("challenges:milestone_add", args=[project.pk])
    due = (project.starts_on + dt.timedelta(days=10)).isoformat()
    for _ in range(2):
        response = c.post(url, {"title": "样机", "due_on": due, "_form_token": "tok-1"}, follow=True)
    assert JointMilestone.objects.filter(project=project, title="样机").count() == 1
    assert "该操作已提交过" in response.content.decode()
    c.post(url, {"title": "样机二", "due_on": due, "_form_token": "tok-2"})  # another rendering: taken
    assert JointMilestone.objects.filter(project=project).count() == 2
    # a refused step does not spend its token: corrected, the same form goes through
    c.post(url, {"title": "样机三", "due_on": "1999-01-01", "_form_token": "tok-3"})
    c.post(url, {"title": "样机三", "due_on": due, "_form_token": "tok-3"})
    assert JointMilestone.objects.filter(project=project, title="样机三").count() == 1

    p = key_project(cast, name="跟进两次的项目")
    invest = client_for("invest")
    act = reverse("projects:project_act", args=[p.pk])
    for _ in range(2):
        invest.post(act, {"action": "followup", "text": "已电话沟通", "_form_token": "tok-4"})
    assert ProjectEvent.objects.filter(project=p, text__contains="已电话沟通").count() == 1


def test_spent_tokens_are_purged_after_a_week(cast):
    import datetime as dt

    from django.utils import timezone

    from feidi.core.jobs import purge_spent_tokens
    from feidi.core.models import FormSubmission

    old = FormSubmission.objects.create(token="old", user=cast.tech)
    FormSubmission.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    FormSubmission.objects.create(token="new", user=cast.tech)
    assert purge_spent_tokens() == 1
    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["new"]
