"""What is left where a person stood: the records naming someone to do their work (a model's
``acted_by``: 链长, 服务小组组长, the heads of 服务设置, a challenge's 评审专家 …) whose person is switched
off, moved to another zone, or no longer holds the work's permission. The apps hand on their own
kinds of work (appeals, projects, tasks: a model's ``handed_on_by_app``); for every other kind, the
people who may change the record are told whom to name anew — nothing waits silently on someone who
is gone."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext

from feidi.core.notify import notify


def left_in_place(user, *, acting_user, everything: bool = True) -> int:
    """Tell, for each record still naming ``user`` where he can no longer act, whoever may change it.
    ``everything``: he is switched off or moved (all of it), else his roles changed (what they no
    longer grant). Returns how many records were named."""
    from .models import User

    fresh = User.objects.filter(pk=user.pk).first()
    gone = everything or fresh is None or not fresh.is_active
    told = 0
    for model in apps.get_models():
        acted_by = getattr(model, "acted_by", None)
        if not acted_by or not model.__module__.startswith("feidi."):
            continue
        for name, perm in acted_by.items():
            if name in getattr(model, "handed_on_by_app", ()) or not (gone or not fresh.has_perm(perm)):
                continue
            rows = model._base_manager.filter(Q(**{name: user.pk}) & getattr(model, "acted_while", Q()))
            label = model._meta.get_field(name).verbose_name
            for row in rows.select_related("department")[:200]:
                editors = (User.objects.staff_of(row.department)
                           .holding(f"{model._meta.app_label}.change_{model._meta.model_name}").exclude(pk=user.pk))
                why = gettext("已停用或调离") if gone else gettext("已不再具有相应权限")
                notify(list(editors), gettext("{label}需重新指定：{record}").format(label=label, record=row),
                       gettext("{model}“{record}”的{label}{user}{why}，请重新指定").format(
                           model=model._meta.verbose_name, record=row, label=label, user=user, why=why),
                       row.get_absolute_url() if hasattr(row, "get_absolute_url") else "", department=row.department)
                told += 1
    return told
