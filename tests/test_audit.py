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


def rename_through_the_page(cast, client, **extra):
    """The zone's first enterprise renamed on its edit page, the rest of the form as shown."""
    url = reverse("registry:organization_edit", kwargs={"pk": cast.org_a1.pk})
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(name="甲光伏科技股份有限公司", _version=cast.org_a1.version, zone=cast.zone_a.pk)
    response = client.post(url, data, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_change_through_the_ui_is_recorded_with_user_address_before_and_after(cast, client_for):
    rename_through_the_page(cast, client_for("clerk"), REMOTE_ADDR="10.1.2.3")
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


# --- the head anchored outside the database ---------------------------------------------------------

def _rehash_from(seq: int) -> None:
    """What an attacker with write access to the table does: rewrite, then re-chain every later
    record and the head, so the chain alone verifies again."""
    from feidi.core.models import AuditHead

    prev = AuditRecord.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS
    for row in AuditRecord.objects.filter(seq__gte=seq).order_by("seq"):
        row.prev_hash = prev
        row.hash = audit._digest(row)
        AuditRecord.objects.filter(pk=row.pk).update(prev_hash=row.prev_hash, hash=row.hash)
        prev = row.hash
    last = AuditRecord.objects.order_by("-seq").first()
    AuditHead.objects.filter(pk=1).update(seq=last.seq if last else 0, hash=last.hash if last else audit.GENESIS)


@pytest.fixture
def anchored(cast, settings, tmp_path):
    settings.LOG_DIR = tmp_path
    line = audit.anchor()
    assert audit.verify().ok and line["seq"] > 3
    assert oct((tmp_path / audit.ANCHOR_FILE).stat().st_mode & 0o777) == "0o600"
    return line


@pytest.mark.parametrize("attack", ["rewrite_and_rehash", "truncate_tail_and_move_head", "wipe", "forge_anchor"])
def test_rewriting_the_table_with_new_hashes_or_wiping_it_is_caught_by_the_anchors(attack, anchored, settings):
    from feidi.core.models import AuditHead

    if attack == "rewrite_and_rehash":
        first = AuditRecord.objects.order_by("seq")[1]
        AuditRecord.objects.filter(pk=first.pk).update(object_repr="篡改后的名称")
        _rehash_from(first.seq)
    elif attack == "truncate_tail_and_move_head":
        AuditRecord.objects.filter(seq__gt=2).delete()
        _rehash_from(3)
    elif attack == "wipe":
        AuditRecord.objects.all().delete()
        AuditHead.objects.all().delete()
    else:
        path = settings.LOG_DIR / audit.ANCHOR_FILE
        line = json.loads(path.read_text().splitlines()[-1])
        line["count"] += 5
        path.write_text(path.read_text() + json.dumps(line) + "\n")
    result = audit.verify()
    assert not result.ok, attack
    expected = {"rewrite_and_rehash": "哈希与锚点不符", "truncate_tail_and_move_head": "已不存在",
                "wipe": "记录被删除", "forge_anchor": "签名不符"}[attack]
    assert any(expected in p for p in result.problems), result.problems
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_a_chain_that_only_grew_since_its_anchor_verifies(anchored, cast):
    cast.org_a1.name = "甲光伏科技股份有限公司"
    from feidi.registry.actions import do_save_organization

    do_save_organization(cast.org_a1, acting_user=cast.clerk)
    audit.anchor()
    assert audit.verify().ok
