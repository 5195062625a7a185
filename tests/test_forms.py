"""A refused save always says why, on a field the user sees or at the top of the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from feidi.core.forms import StyledFormMixin
from feidi.core.views import apply_validation_error


class _Form(StyledFormMixin, forms.Form):
    project = forms.IntegerField(label="项目", widget=forms.HiddenInput())
    decision = forms.CharField(label="议定事项")


def test_an_error_on_a_hidden_field_is_shown_at_the_top_with_the_fields_name():
    form = _Form({"project": "x", "decision": "协调供电"})
    assert not form.is_valid()
    assert "project" not in form.errors
    assert any(e.startswith("项目：") for e in form.non_field_errors())


def test_an_actions_refusal_on_a_hidden_or_absent_field_reaches_the_top(cast):
    form = _Form({"project": "1", "decision": "协调供电"})
    assert form.is_valid()
    apply_validation_error(form, ValidationError({"project": "该项目不属于本次调度会的园区", "owner": "责任人不在本园区",
                                                  "decision": "请写明事项"}))
    tops = list(form.non_field_errors())
    assert "项目：该项目不属于本次调度会的园区" in tops and "owner：责任人不在本园区" in tops
    assert form.errors["decision"] == ["请写明事项"]


def test_a_dispatch_decision_for_a_project_of_another_zone_says_why_on_the_page(cast, client_for):
    from django.test import Client
    from django.urls import reverse

    from feidi.accounts.actions import do_create_user
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.projects.models import Dispatch
    from feidi.projects.models import Project
    from feidi.projects.models import Task
    from feidi.testing.factories import make_for

    pmo = do_create_user(User(username="pmo_a", full_name="甲区项目办", department=cast.dept_a), password="Cast#Passw0rd!",
                         roles=[Role.objects.get(code="project_office")], acting_user=None)
    project = make_for(Project, cast)
    city_dispatch = Dispatch.objects.create(title="全市调度会", week_start=dt.date(2026, 11, 30),
                                            department=cast.dept_b)
    c = Client()
    c.force_login(pmo)
    url = reverse("projects:task_add") + f"?dispatch={city_dispatch.pk}&project={project.pk}"
    response = c.post(url, {"_form_token": "t", "dispatch": city_dispatch.pk, "project": project.pk,
                            "decision": "协调供电", "owner_department": cast.dept_a_bureau.pk,
                            "deadline": "2026-12-20", "status": "open"})
    page = response.content.decode()
    assert not Task.objects.exists()
    assert response.status_code == 200 and ("调度会" in page and "alert-danger" in page)


# --- selects written in Python (feidi/core/renderers.py) ------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_value = st.one_of(_text, st.integers(-5, 10_000), st.none(), st.decimals(-100, 10_000, places=2, allow_nan=False))
_label = st.one_of(_text, st.integers(-5, 10_000_000), _text.map(mark_safe), st.decimals(0, 10**7, places=2))
_choices = st.lists(st.one_of(st.tuples(_value, _label),
                              st.tuples(_text, st.lists(st.tuples(_value, _label), max_size=3))), max_size=6)
_attrs = st.dictionaries(st.sampled_from(["class", "data-x", "hidden", "disabled", "title", "id", "onchange"]),
                         st.one_of(st.booleans(), _text, st.integers(0, 99)), max_size=4)


@settings(max_examples=300)
@given(choices=_choices, attrs=_attrs, chosen=st.lists(_text, max_size=2), multiple=st.booleans(),
       thousands=st.booleans(), language=st.sampled_from(["zh-hans", "en"]))
def test_a_select_is_written_as_djangos_templates_write_it(choices, attrs, chosen, multiple, thousands, language):
    """The same HTML, to the character, as Django's template renderer: groups, a chosen option, True
    and False attributes, characters to escape, safe labels, numbers localised."""
    from django.forms.renderers import DjangoTemplates
    from django.test import override_settings
    from django.utils import translation

    from feidi.core.renderers import FormRenderer

    widget = (forms.SelectMultiple if multiple else forms.Select)(choices=choices, attrs=attrs)
    value = chosen if multiple else (chosen[0] if chosen else None)
    with override_settings(USE_THOUSAND_SEPARATOR=thousands), translation.override(language):
        ours = widget.render("f<1>", value, attrs={"id": "id_f"}, renderer=FormRenderer())
        django = widget.render("f<1>", value, attrs={"id": "id_f"}, renderer=DjangoTemplates())
    assert ours == django


def test_a_select_whose_options_have_a_template_of_their_own_is_rendered_by_it():
    from feidi.core.renderers import FormRenderer

    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    html = Starred(choices=[("a", "A")]).render("f", "a", renderer=FormRenderer())
    assert "<option" not in html and 'type="select"' in html


def test_every_form_renders_with_the_projects_renderer():
    from django.conf import settings as django_settings
    from django.forms.renderers import get_default_renderer

    from feidi.core.renderers import FormRenderer

    assert django_settings.FORM_RENDERER == "feidi.core.renderers.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


def test_tick_boxes_and_their_groups_are_styled_as_tick_boxes():
    """A group of tick boxes styled as a text box (form-control) draws every box without its tick,
    so a role's permissions looked all unticked."""
    from feidi.core.forms import style_fields

    class Boxes(forms.Form):
        many = forms.MultipleChoiceField(choices=[("a", "甲"), ("b", "乙")], widget=forms.CheckboxSelectMultiple)
        one = forms.ChoiceField(choices=[("a", "甲")], widget=forms.RadioSelect)
        tick = forms.BooleanField()
        text = forms.CharField()

    form = Boxes()
    style_fields(form)
    assert {name: f.widget.attrs["class"] for name, f in form.fields.items()} == {
        "many": "form-check-input", "one": "form-check-input", "tick": "form-check-input", "text": "form-control"}


def test_the_role_editor_draws_its_permissions_as_tick_boxes(cast, client_for):
    import re

    from django.urls import reverse

    from feidi.accounts.models import Role

    role = Role.objects.get(code="zone_leader")
    html = client_for("secadmin").get(reverse("accounts:role_edit", kwargs={"pk": role.pk})).content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert boxes and not [b for b in boxes if "form-control" in b]


def test_a_text_that_would_show_as_another_is_refused_and_invisible_characters_dropped(cast, client_for):
    import json

    c = client_for("clerk")
    url = f"/api/v1/registry/organizations/{cast.org_a1.pk}"
    response = c.patch(url, data=json.dumps({"name": "探针\u202e司公限有"}), content_type="application/json")
    assert response.status_code == 422 and "显示方向" in response.json()["fields"]["name"][0]
    response = c.patch(url, data=json.dumps({"address": "上饶\u200b经开区\u200f大道"}), content_type="application/json")
    assert response.status_code == 200, response.content
    cast.org_a1.refresh_from_db()
    assert cast.org_a1.address == "上饶经开区大道"
    # a joiner that is part of what is written stays: an emoji family is one family, not three people;
    # between Chinese characters it is dropped like any zero-width character
    written = "👍🏽团队👨\u200d👩\u200d👧 می\u200cخواهم 晶科\u200d能源"
    response = c.patch(url, data=json.dumps({"description": written}), content_type="application/json")
    assert response.status_code == 200, response.content
    cast.org_a1.refresh_from_db()
    assert cast.org_a1.description == "👍🏽团队👨\u200d👩\u200d👧 می\u200cخواهم 晶科能源"


class _Limits(forms.Form):
    name = forms.CharField(max_length=5)
    amount = forms.DecimalField(max_digits=4, decimal_places=1)
    note = forms.CharField()
    count = forms.IntegerField(min_value=1, max_value=10)


def test_djangos_own_messages_read_in_feidis_chinese_and_stay_djangos_in_english():
    """feidi/locale/zh_Hans words Django's validation messages (the stock catalogue said "确保该变量包含
    不超过 5 字符 (目前字符数 6)。" and called a NUL an empty string); English keeps Django's text."""
    from django.utils import translation

    data = {"name": "一二三四五六", "amount": "123.45", "note": "甲\x00乙", "count": "11"}
    with translation.override("zh-hans"):
        errors = {k: list(v) for k, v in _Limits(data).errors.items()}
        low = list(_Limits({**data, "count": "0"}).errors["count"])
    assert errors == {"name": ["最多 5 个字，现有 6 个。"], "amount": ["数字最多 4 位。"],
                      "note": ["不能包含空字符（\\x00）"], "count": ["不能大于 10。"]}, errors
    assert low == ["不能小于 1。"]
    with translation.override("en"):
        errors = {k: list(v) for k, v in _Limits(data).errors.items()}
    assert errors["name"] == ["Ensure this value has at most 5 characters (it has 6)."]
    assert errors["note"] == ["Null characters are not allowed."]


def test_every_date_field_renders_its_value_as_a_date_input_reads_it():
    """<input type="date"> holds ISO 8601 and shows nothing for 2026/12/07 (the first of Django's
    Chinese input formats): a plain form's date field renders ISO too, and the Chinese spellings
    are still read."""
    import datetime as dt

    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override("zh-hans"):
        assert 'value="2026-12-07"' in str(Form(initial={"on": dt.date(2026, 12, 7)})["on"])
        for typed in ("2026-12-07", "2026/12/07", "2026年12月7日"):
            form = Form(data={"on": typed})
            assert form.is_valid() and form.cleaned_data["on"] == dt.date(2026, 12, 7), typed


def test_a_records_text_holds_no_control_character_whichever_path_wrote_it(cast):
    """Saved through no form at all (an action, the API): Word's line break (VT), a page break and the
    Unicode separators are line breaks, any other control character is dropped — a Word report
    quoting the text could not be written with it."""
    from feidi.core.officedoc import new_document
    from feidi.core.officedoc import para
    from feidi.core.officedoc import to_bytes
    from feidi.registry.models import Zone

    zone = Zone.objects.create(name="控制\x0b字符\x01园区", kind=cast.zone_a.kind, department=cast.dept_a)
    zone.refresh_from_db()
    assert zone.name == "控制\n字符园区"
    doc = new_document()
    para(doc, "第一段\x0b第二段\x07\ufffe")
    assert to_bytes(doc)  # written, not refused by the XML writer


def test_a_steps_text_is_held_to_the_records_rule_and_a_message_quotes_it_clean(cast):
    """A step's note (a residency's change, an appeal's reply, a project's follow-up) passed by a
    conditional update or an event of its own: \\x01 and a direction override were stored, silently
    dropped elsewhere, refused only on create. One rule now: refused on the field; Word's breaks are
    line breaks. A notification quoting a text never carries a control character."""
    from django.core.exceptions import ValidationError

    from feidi.core import notify
    from feidi.core.models import Notification
    from feidi.registry.actions import do_transition_residency
    from feidi.registry.models import Residency
    from feidi.services.actions import do_reply_appeal
    from feidi.services.models import Appeal
    from feidi.testing.cast import make_org
    from feidi.testing.factories import make_for

    res = Residency.objects.create(organization=make_org("步骤备注企业", cast.zone_a), enclave=cast.enclave,
                                   status=Residency.Status.NEGOTIATING, department=cast.dept_a)
    for bad, code in (("备注\x01", "U\\+0001"), ("备注\u202e反", "U\\+202E")):
        with pytest.raises(ValidationError, match=code):
            do_transition_residency(res, "confirmed", note=bad, acting_user=cast.leader)
    res = do_transition_residency(res, "confirmed", note="第一行\x0b第二行", acting_user=cast.leader)
    assert Residency.objects.get(pk=res.pk).note == "第一行 第二行"  # a one-line note
    appeal = make_for(Appeal, cast)
    with pytest.raises(ValidationError, match="U\\+001F"):
        do_reply_appeal(appeal, "答复\x1f", public=True, acting_user=cast.leader)
    notify.notify([cast.clerk], "标题\x0b换行\x01", "正文\x0b第二行\u202e", "/")
    note = Notification.objects.filter(user=cast.clerk).latest("pk")
    assert note.title == "标题 换行" and note.body == "正文\n第二行"


def test_a_staff_count_no_enterprise_can_have_is_refused_on_every_path(cast):
    """从业人员 50,000,000 was stored for one enterprise (the registry and the monthly figures alike) and
    summed into the zone's: refused, saying to check the unit."""
    import datetime as dt
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from feidi.indicators import actions as indicator_actions
    from feidi.indicators.models import Indicator

    org = cast.org_a1
    org.employees = 50_000_000
    with pytest.raises(ValidationError, match="超过一家单位可能的人数"):
        org.full_clean()
    org.employees = 12_000
    org.full_clean()
    employees = Indicator.objects.get(code="employees")
    with pytest.raises(ValidationError, match="超过一家单位可能的人数"):
        indicator_actions.report_month(cast.org_a1, dt.date(2026, 10, 1), {employees: Decimal(50_000_000)},
                                       acting_user=cast.ent_a, confirm=True)
