"""揭榜挂帅 and the auctions became apps of their own (``challenges``, ``auctions``): their models
leave the market's migration state (their tables stay, now named by ``Meta.db_table`` in the new
apps, whose 0001 migrations took them into their state), and their content types are relabelled
so that the permissions — and the roles (so the users) and groups granted them — follow the models.

No other app holds a foreign key to a moved model, so no AlterField elsewhere is needed; the moved
models' own keys to Demand, Supply, Organization … were declared by the new apps' 0001.

Audit records keep the model label they were written with (``techmarket.challenge``): the hash
chain covers it, and history is not rewritten; new records carry the new label."""

from django.db import migrations

MOVED = {
    "challenges": ("challenge", "application", "review", "jointproject", "jointparty", "jointmilestone"),
    "auctions": ("auction", "lot", "registration", "bid"),
}


def _move(apps, source: str, target: str, models: tuple[str, ...]) -> None:
    """Relabel ``source``'s content type of each model to ``target``. Where ``target`` already has
    one (a data migration's ``create_permissions`` ran in between), its permissions take over the
    grants of the old ones and the old content type goes."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    holders = (apps.get_model("accounts", "Role"), apps.get_model("auth", "Group"))  # users hold roles
    for model in models:
        old = content_type.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = content_type.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for perm in permission.objects.filter(content_type=old):
            twin = permission.objects.filter(content_type=new, codename=perm.codename).first()
            if twin is None:
                permission.objects.filter(pk=perm.pk).update(content_type=new)
                continue
            for holder in holders:
                for row in holder.objects.filter(permissions=perm):
                    row.permissions.add(twin)
            perm.delete()
        old.delete()


def forward(apps, schema_editor):
    for app, models in MOVED.items():
        _move(apps, "techmarket", app, models)


def backward(apps, schema_editor):
    for app, models in MOVED.items():
        _move(apps, app, "techmarket", models)


class Migration(migrations.Migration):
    dependencies = [
        ("techmarket", "0005_seed_thesaurus"),
        ("challenges", "0001_initial"),
        ("auctions", "0001_initial"),
        ("accounts", "0005_user_title"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
            migrations.DeleteModel(name=name) for name in (
                "Bid", "Registration", "Lot", "Auction",
                "Review", "JointMilestone", "JointParty", "JointProject", "Application", "Challenge")
        ]),
        migrations.RunPython(forward, backward),
    ]
