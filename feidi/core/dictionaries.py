"""Reading the editable code lists: label maps cached briefly (60 s, shared through Redis in
production) and dropped when an item changes."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.dispatch import receiver

TTL = 60


def _key(type_code: str) -> str:
    return f"feidi:dict:{type_code}"


def _stored(type_code: str) -> dict[str, str]:
    """{code: label as stored} of the active items of a list, through the cache."""
    from .models import DictItem

    found = cache.get(_key(type_code))
    if found is None:
        found = dict(DictItem.objects.filter(type__code=type_code, active=True).values_list("code", "label"))
        cache.set(_key(type_code), found, TTL)
    return found


def labels(type_code: str) -> dict[str, str]:
    """{code: label} of the active items of a list, in the user's language."""
    from .models import seeded_label

    return {code: seeded_label(label) for code, label in _stored(type_code).items()}


def label(type_code: str, code: str) -> str | None:
    """One code's label in the user's language, None when it is no active item of the list: a row's
    label without translating the whole list (the industries are about a hundred) for every row."""
    from .models import seeded_label

    found = _stored(type_code).get(code)
    return seeded_label(found) if found is not None else None


@receiver([post_save, post_delete], sender="core.DictItem")
def _forget(sender, instance, **kwargs):
    cache.delete(_key(instance.type.code))
