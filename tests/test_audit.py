"""Audit trail: every channel leaves a record; tampering with any row is detected."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from feidi.core import audit
from feidi.core.models import AuditRecord
from feidi.registry.models import Organization


def _last(model_label, action):
    return AuditRecord.objects.filter(model=model_label, action=action).order_by("-seq").first()


def test_a_change_through_the_ui_is_recorded_with_user_address_before_and_after(cast, client_for):
    c = client_for("clerk")
    url = reverse("registry:organization_edit", kwargs={"pk": cast.org_a1.pk})
    form = c.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(name="甲光伏科技股份有限公司", _version=cast.org_a1.version, zone=cast.zone_a.pk)
    response = c.post(url, data, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302, response.content.decode()[:2000]
    rec = _last("registry.organization", "update")
    assert rec.username == "clerk" and rec.address == "10.1.2.3" and rec.source == "ui"
    assert json.loads(rec.before)["name"] == "甲光伏科技有限公司"
    assert json.loads(rec.after)["name"] == "甲光伏科技股份有限公司"


def test_a_change_through_the_api_is_recorded(cast, client_for):
    c = client_for("clerk")
    response = c.patch(f"/api/v1/registry/organizations/{cast.org_a1.pk}", data={"employees": 321},
                       content_type="application/json", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200, response.content
    rec = _last("registry.organization", "update")
    assert rec.source == "api" and rec.address == "10.9.9.9" and json.loads(rec.after)["employees"] == 321


def test_a_change_from_the_command_line_is_recorded(cast):
    call_command("createuser", "--username", "cli_user", "--full-name", "命令行用户", "--role", "zone_clerk",
                 "--department-name", "上饶经开区管委会", "--password", "Cli#Passw0rd!")
    rec = _last("accounts.user", "create")
    assert rec.source == "cli" and json.loads(rec.after)["username"] == "cli_user"


def test_encrypted_values_never_enter_the_trail(cast):
    rec = AuditRecord.objects.filter(model="registry.person", object_id=str(cast.person_a1.pk)).first()
    assert "13800001234" not in rec.after and "******" in rec.after


def test_the_untouched_chain_verifies(cast):
    result = audit.verify()
    assert result.ok and result.checked > 10


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_tail"])
def test_tampering_is_detected(cast, tamper):
    rows = list(AuditRecord.objects.order_by("seq"))
    victim = rows[len(rows) // 2]
    if tamper == "edit":
        AuditRecord.objects.filter(pk=victim.pk).update(object_repr=victim.object_repr + "（改）")
    elif tamper == "delete_middle":
        AuditRecord.objects.filter(pk=victim.pk).delete()
    else:
        AuditRecord.objects.filter(pk=rows[-1].pk).delete()
    result = audit.verify()
    assert not result.ok and result.problems
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_a_rolled_back_change_leaves_no_record(cast):
    from django.db import transaction

    from feidi.core.actions import update_object

    count = AuditRecord.objects.count()
    org = Organization.objects.get(pk=cast.org_a1.pk)
    org.name = "不会保存"
    with pytest.raises(RuntimeError), transaction.atomic():
        update_object(org, acting_user=cast.clerk)
        raise RuntimeError("crash mid-operation")
    assert AuditRecord.objects.count() == count
    assert Organization.objects.get(pk=org.pk).name == "甲光伏科技有限公司"


def test_only_the_auditor_reads_the_trail(cast, client_for):
    url = reverse("core:auditrecord_list")
    assert client_for("auditor").get(url).status_code == 200
    for name in ("sysadmin", "secadmin", "leader", "clerk", "ent_a"):
        assert client_for(name).get(url).status_code == 403, name
