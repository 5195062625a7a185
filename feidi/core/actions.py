"""Generic write actions: validation, save and audit row in one transaction.

Domain apps write ``do_<verb>_<noun>`` functions on top of these; views, the API, importers and
commands all call the domain action, never ``Model.save()`` directly.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import check_dates


class ConflictError(Exception):
    """The record changed since the user loaded it; nothing was written."""

    message = _("该记录已被他人修改，请刷新后重新编辑")


def refuse_outside_scope(saved, user, action: str) -> None:
    """A record written for ``user`` — by a page, the API, or an action deriving it from another
    (a lead from a news item or a target, a target from a news item) — must land within the scope
    of the action (``add`` or ``change``; ``ScopedQuerySet.lands_within``): raised inside the
    save's transaction, the refusal rolls the write back. A zone one only sees (the other half of
    a two-way enclave, a city-wide view) is not a place to file or move records into."""
    from django.core.exceptions import PermissionDenied

    manager = getattr(type(saved), "objects", None)
    if user is None or not hasattr(manager, "lands_within") or getattr(type(saved), "scope", None) is None:
        return
    # a new record, or one moved to another department, lands by the user's own scope alone: the
    # relations one works by (挂点领导, 专班, 责任单位) may have been set to oneself by this very write
    moved = hasattr(saved, "department_id") and getattr(saved, "_department_before", saved.department_id) != saved.department_id
    if not manager.lands_within(user, action, strict=action == "add" or moved).filter(pk=saved.pk).exists():
        raise PermissionDenied(gettext("保存后的{verbose_name}不在您可{action}的数据范围内，未保存").format(
            verbose_name=saved._meta.verbose_name, action=gettext("新增") if action == "add" else gettext("修改")))


def plain_text(instance: models.Model) -> None:
    """Every text a record stores, whichever way it came (page, API, command), as a reader sees
    it: invisible characters (zero-width, BOM, direction marks) dropped, Word's line and page breaks
    read as line breaks, and any other control character and a bidirectional override, embedding
    or isolate refused — it would show the text as other than it is (the imports hold the same
    rule, ``lib.cells.clean_text``; ``core.models.tidy_stored_text`` drops what another path let by)."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)):
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        try:
            cleaned = checked_text(value, field.name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if cleaned != value:
            setattr(instance, field.attname, cleaned)
    if errors:
        raise ValidationError(errors)


def checked_text(value: str, field: str = "", *, one_line: bool = False) -> str:
    """``value`` as a record may store it (``plain_text``'s rule for one text: a step's note, a
    reply, a 批示 — what an action writes besides a form's record): invisible characters dropped,
    Word's line and page breaks read as line breaks (as spaces where ``one_line``), any other control
    character or a direction override refused on ``field``."""
    from feidi.lib.cells import LINE_BREAKS
    from feidi.lib.cells import clean_text

    try:  # the imports' rule (``lib.cells.clean_text``), once Word's breaks are read as line breaks
        return clean_text(value.replace("\r\n", "\n").translate(LINE_BREAKS), multiline=not one_line)
    except ValueError as exc:
        raise ValidationError({field or "text": [str(exc)]}) from None


def exact_numbers(instance: models.Model) -> None:
    """Every number a record stores is stored as given, on every path (``lib.cells.fit``: within
    its column, to its places, at most ``EXACT_DIGITS`` significant digits — on SQLite
    9999999999999999.99 became 1E+16, which its column could not read back, and every page listing
    the row failed)."""
    from feidi.lib.cells import fit

    errors = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname) if isinstance(field, models.DecimalField) else None
        if value is None:
            continue
        try:
            fit(value if isinstance(value, Decimal) else Decimal(str(value)), field.max_digits, field.decimal_places)
        except ArithmeticError:
            continue  # not a number at all: the field's own check says so
        except ValueError as exc:
            errors[field.name] = [str(exc)]
    if errors:
        raise ValidationError(errors)


def checked_date(day, name: str = ""):
    """``day`` when a record may hold it in a field called ``name`` (``lib.cells.plausible_date``:
    1900-03-01 to 30 years ahead; a date of what has happened, ``lib.cells.PAST_DATES``, not after
    today), else a ValueError in Chinese."""
    from django.utils import timezone

    from feidi.lib.cells import PAST_DATES
    from feidi.lib.cells import plausible_date

    plausible_date(day)
    if name in PAST_DATES and day > timezone.localdate():
        raise ValueError(gettext("“{day}”是将来的日期，本项不能晚于今天").format(day=day.isoformat()))
    return day


def plausible_dates(instance: models.Model) -> None:
    """Every date a record stores is one it may hold (``checked_date``), on every path: a start on
    9999-12-31 made the months counted from it overflow; a visit dated next year was one no one made."""
    import datetime as dt

    errors = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(field, models.DateField) and isinstance(value, dt.date):
            try:  # a moment by its day as entered (a lot opening in year 1 overflowed on its way to UTC)
                checked_date(value.date() if isinstance(value, dt.datetime) else value, field.name)
            except ValueError as exc:
                errors[field.name] = [str(exc)]
    if errors:
        raise ValidationError(errors)


def check_placement(instance: models.Model, current: models.Model | None, acting_user) -> None:
    """A staff user's write points a model's ``placed_by`` relations — those that decide whose view a
    record (or the records under it) falls into — only at rows the user may place records under
    (``scope.placeable``); a relation left as it was is kept whoever saves. Refused on the field."""
    names = getattr(type(instance), "placed_by", ())
    user = acting_user
    if not names or user is None or not getattr(user, "is_authenticated", False) or user.organization_id:
        return
    from .scope import placeable

    errors = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname)
        if value is None or (current is not None and value == getattr(current, field.attname)):
            continue
        if not placeable(field.related_model, user).filter(pk=value).exists():
            errors[name] = [gettext("“{value}”不在您可管理的范围内，不能作为{label}").format(
                value=getattr(instance, name), label=field.verbose_name)]
    if errors:
        raise ValidationError(errors)


def unfit_for(person, perm: str, label) -> str | None:
    """Why ``person`` cannot be given work needing ``perm`` as ``label`` (挂点干部, 负责人 …), or None:
    an account switched off, or one none of whose roles grants the work — named there, the work
    would wait on someone who cannot do it (a 挂点干部 who cannot handle appeals got the enterprise's)."""
    if person is None:
        return None
    if not person.is_active:
        return gettext("{user}的账号已停用，不能担任{label}").format(user=person, label=label)
    if not person.has_perm(perm):
        from feidi.accounts.models import permission_label

        work = permission_label(perm)
        return gettext("{user}的角色没有“{work}”的权限，不能担任{label}").format(user=person, work=work, label=label)
    return None


def check_people(instance: models.Model, current: models.Model | None) -> None:
    """The people a model gives work to (its ``acted_by``: field → the permission the work needs — a
    挂点干部 handles appeals, a task's 责任人 reports it done) can do it: whoever a write names anew
    there is an active account holding that permission. A person left as named is kept (his going is
    handled where he goes: ``accounts.actions.switched_off``). Refused on the field."""
    errors = {}
    for name, perm in getattr(type(instance), "acted_by", {}).items():
        field = instance._meta.get_field(name)
        if field.many_to_many:  # set apart from the row (a form's or an action's own choices)
            continue
        value = getattr(instance, field.attname)
        if value is None or (current is not None and value == getattr(current, field.attname)):
            continue
        person = field.related_model._base_manager.filter(pk=value).first()
        why = unfit_for(person, perm, field.verbose_name)
        if why:
            errors[name] = [why]
    if errors:
        raise ValidationError(errors)


def checked(instance: models.Model) -> None:
    """What every write checks before the model's own validation: its texts, numbers and dates."""
    plain_text(instance)
    exact_numbers(instance)
    plausible_dates(instance)


def create_object(instance: models.Model, *, acting_user, m2m: dict | None = None) -> models.Model:
    with transaction.atomic():
        if hasattr(instance, "created_by_id") and instance.created_by_id is None and getattr(acting_user, "pk", None):
            instance.created_by = acting_user
        checked(instance)
        check_placement(instance, None, acting_user)
        check_people(instance, None)
        instance.full_clean()
        instance.save(force_insert=True)
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        audit.record(audit.AuditRecord.Action.CREATE, instance, user=acting_user, after=audit.snapshot(instance))
    return instance


def update_object(instance: models.Model, *, acting_user, expected_version: int | None = None,
                  m2m: dict | None = None) -> models.Model:
    """Save ``instance``. A versioned record saved by someone else since it was loaded (or since
    ``expected_version``, the version a form was rendered at) raises ConflictError instead of
    being overwritten (optimistic concurrency)."""
    model = type(instance)
    with transaction.atomic():
        current = model._base_manager.select_for_update().get(pk=instance.pk)
        if hasattr(current, "department_id"):  # where it was: a move is checked strictly (refuse_outside_scope)
            instance._department_before = current.department_id
        before = audit.snapshot(current)
        versioned = hasattr(current, "version")
        expected = expected_version if expected_version is not None else getattr(instance, "version", None)
        if versioned and current.version != expected:
            raise ConflictError(ConflictError.message)
        checked(instance)
        check_placement(instance, current, acting_user)
        check_people(instance, current)
        instance.full_clean()
        if versioned:
            instance.version = current.version + 1
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        after = audit.snapshot(instance)
        if audit.changed_fields(before, after):
            audit.record(audit.AuditRecord.Action.UPDATE, instance, user=acting_user, before=before, after=after)
    return instance


def delete_object(instance: models.Model, *, acting_user) -> None:
    with transaction.atomic():
        before = audit.snapshot(instance)
        label, pk, text = instance._meta.label_lower, str(instance.pk), str(instance)
        try:
            instance.delete()
        except models.ProtectedError as exc:
            names = gettext("、").join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))
            raise ValidationError(gettext("该记录仍被{names}引用，不能删除").format(names=names)) from None
        audit.record(audit.AuditRecord.Action.DELETE, user=acting_user, before=before,
                     model_label=label, object_id=pk, object_repr=text)


def guarded_update(instance: models.Model, changes: dict, *, where: dict, conflict: str, acting_user,
                   action=audit.AuditRecord.Action.TRANSITION) -> models.Model:
    """Write ``changes`` to ``instance``'s row only while it still matches ``where`` and the version
    the user acted on — one conditional UPDATE, so of two people acting at once one succeeds — else
    refuse with ``conflict``. The version goes up, the instance is read back and the change audited."""
    model = type(instance)
    for name, value in list(changes.items()):  # a conditional UPDATE passes no save: its texts checked here
        if isinstance(value, str):
            field = model._meta.get_field(name)
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                changes[name] = checked_text(value, name, one_line=not isinstance(field, models.TextField))
    check_dates(instance, changes)
    with transaction.atomic():
        before = audit.snapshot(instance)
        done = model.objects.filter(pk=instance.pk, version=instance.version, **where).update(
            **changes, version=instance.version + 1)
        if not done:
            raise ConflictError(conflict)
        instance.refresh_from_db()
        audit.record(action, instance, user=acting_user, before=before, after=audit.snapshot(instance))
    return instance


def overdue_batches(model, now, batch: int = 500):
    """The ids of ``model``'s open rows (``status`` in ``model.OPEN``) past their ``deadline`` and
    below the last level (4), ``batch`` at a time by ascending id: an escalation sweep raises each
    batch in a transaction of its own."""
    last = 0
    while ids := list(model.objects.filter(status__in=model.OPEN, deadline__lt=now, level__lt=4, pk__gt=last)
                      .order_by("pk").values_list("pk", flat=True)[:batch]):
        yield ids
        last = ids[-1]


def bump_version(model, pk) -> None:
    model._base_manager.filter(pk=pk).update(version=F("version") + 1)
