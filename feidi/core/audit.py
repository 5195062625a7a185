"""The audit trail: every create, update, delete and sensitive read, hash-chained.

Each record's hash covers its fields and the previous record's hash, so editing or deleting a row
breaks the chain, and ``feidi audit verify`` finds where. Records are appended in the caller's
transaction: if the change rolls back, so does its record.

A chain alone does not stop someone who can write the table from rewriting it and re-hashing every
record after the change, deleting its tail and moving the head, or emptying it. So the chain's head
is anchored outside the database: every day (and on ``feidi audit anchor``) a line with the head's
sequence number and hash, the count and the time, signed with an HMAC under ``FEIDI_AUDIT_KEY``, is
appended to ``FEIDI_LOG_DIR/audit-anchors.jsonl``. ``verify`` checks every anchor's signature and
that the table still holds that record with that hash, and at least that many records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db import models
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .context import current
from .models import AuditHead
from .models import AuditRecord

GENESIS = "0" * 64
MASKED = "******"


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model) -> dict:
    """Field values of a record as JSON-safe data. Encrypted fields appear masked, never in clear."""
    exclude = set(getattr(instance, "audit_exclude", ()))
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        if getattr(field, "encrypted", False):
            data[field.name] = MASKED if getattr(instance, field.attname) else ""
            continue
        data[field.name] = _jsonable(getattr(instance, field.attname))
    if instance.pk:
        for field in instance._meta.many_to_many:
            if field.name in exclude:
                continue
            cache = getattr(instance, "_prefetched_objects_cache", {})
            manager = getattr(instance, field.name)
            values = cache.get(field.name) or manager.all()
            data[field.name] = sorted(v.pk for v in values)
    return data


def _canonical(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(record: AuditRecord) -> str:
    payload = [
        record.seq,
        record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        record.user_id_snapshot,
        record.username,
        record.address,
        record.source,
        record.action,
        record.model,
        record.object_id,
        record.object_repr,
        record.before,
        record.after,
        record.prev_hash,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def record(action: str, instance: models.Model | None = None, *, user=None, before: dict | None = None,
           after: dict | None = None, model_label: str = "", object_id: str = "", object_repr: str = "",
           statements: tuple | list = ()) -> AuditRecord:
    """Append one record to the chain (inside the caller's transaction). ``statements``: the
    caller's own writes as ``(sql, params)``, run just before the append; on PostgreSQL they go to
    the server with it in one round trip, so a write under a lock costs one trip fewer."""
    ctx = current()
    if instance is not None:
        model_label = model_label or instance._meta.label_lower
        object_id = object_id or str(instance.pk or "")
        object_repr = object_repr or str(instance)[:200]
    # No savepoint: a failed append must fail the caller's write anyway, and every audited write
    # saves two round trips (SAVEPOINT, RELEASE) while it holds the chain's head.
    with transaction.atomic(savepoint=False):
        entry = AuditRecord(
            user_id_snapshot=getattr(user, "pk", None),
            username=getattr(user, "username", "") or "",
            address=ctx.address[:64],
            source=ctx.source,
            action=action,
            model=model_label,
            object_id=object_id,
            object_repr=object_repr[:200],
            before=_canonical(before) if before is not None else "",
            after=_canonical(after) if after is not None else "",
        )
        if connection.vendor == "postgresql":
            _append_pg(entry, statements)
        else:
            if statements:
                with connection.cursor() as cursor:
                    for sql, params in statements:
                        cursor.execute(sql, params)
            head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
            _chain(entry, head.seq, head.hash)
            entry.save(force_insert=True)
            head.seq, head.hash = entry.seq, entry.hash
            head.save(update_fields=["seq", "hash"])
    return entry


def _chain(entry: AuditRecord, seq: int, prev_hash: str) -> None:
    """Link ``entry`` after the head (``seq``, ``prev_hash``), stamped now: call under the head's lock."""
    entry.seq, entry.at, entry.prev_hash = seq + 1, timezone.now(), prev_hash
    entry.hash = _digest(entry)


_RECORD_COLUMNS = ("user_id_snapshot", "username", "address", "source", "action", "model", "object_id",
                   "object_repr", "before", "after")


def _append_pg(entry: AuditRecord, statements=()) -> None:
    """PostgreSQL: one statement locks the head, stamps the record with the database's clock once
    the lock is held, chains it (the same SHA-256 as ``_digest``, over the same JSON text: the
    fields other than seq, time and previous hash are serialised here, before the lock), inserts it
    and moves the head. The head is then held only for that statement and the caller's commit. The
    hash is checked against ``_digest`` before the caller may commit."""
    from psycopg import ClientCursor

    head_table, record_table = AuditHead._meta.db_table, AuditRecord._meta.db_table
    values = [getattr(entry, name) for name in _RECORD_COLUMNS]
    middle = json.dumps(values, ensure_ascii=False)[1:-1]  # the payload between time and prev_hash
    sql = (
        f'WITH h AS (SELECT seq, hash FROM "{head_table}" WHERE id = 1 FOR UPDATE), '
        f't AS MATERIALIZED (SELECT h.seq + 1 AS seq, clock_timestamp() AS at, h.hash AS prev FROM h), '
        f'r AS (INSERT INTO "{record_table}" (seq, at, {", ".join(_RECORD_COLUMNS)}, prev_hash, hash) '
        f'SELECT t.seq, t.at, {", ".join(["%s"] * len(_RECORD_COLUMNS))}, t.prev, '
        "encode(sha256(convert_to('[' || t.seq || ', \"' "
        "|| to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00\", ' "
        "|| %s || ', \"' || t.prev || '\"]', 'UTF8')), 'hex') FROM t RETURNING id, seq, at, prev_hash, hash) "
        f'UPDATE "{head_table}" SET seq = r.seq, hash = r.hash FROM r WHERE "{head_table}".id = 1 '
        'RETURNING r.id, r.seq, r.at, r.prev_hash, r.hash')
    with connection.cursor() as cursor:
        if statements and isinstance(cursor.cursor, ClientCursor):  # client-side binding: one trip
            cursor.execute("; ".join([*(s for s, _ in statements), sql]),
                           [*(p for _, params in statements for p in params), *values, middle])
            for _ in statements:
                cursor.nextset()
        else:
            for own_sql, params in statements:
                cursor.execute(own_sql, params)
            cursor.execute(sql, [*values, middle])
        row = cursor.fetchone()
        if row is None:  # the first record ever: create the head, then append under its lock
            AuditHead.objects.get_or_create(pk=1)
            cursor.execute(sql, [*values, middle])
            row = cursor.fetchone()
    entry.pk, entry.seq, entry.at, entry.prev_hash, entry.hash = row
    entry._state.adding = False
    if entry.at.tzinfo is None:
        entry.at = entry.at.replace(tzinfo=dt.UTC)
    if _digest(entry) != entry.hash:  # never commit a link the verifier would reject
        raise RuntimeError(f"audit record #{entry.seq}: the database's hash differs from _digest")


def record_many(entries: list[dict], *, user=None) -> int:
    """Append many records at once (sweeps, imports): the head is locked once and the rows are
    inserted in one statement, each still chained to the one before. ``entries`` hold ``action``,
    ``instance``, ``before`` and ``after``."""
    if not entries:
        return 0
    ctx = current()
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev = head.seq, head.hash
        rows = []
        now = timezone.now()
        for e in entries:
            instance = e["instance"]
            seq += 1
            row = AuditRecord(
                seq=seq, at=now, user_id_snapshot=getattr(user, "pk", None), username=getattr(user, "username", "") or "",
                address=ctx.address[:64], source=ctx.source, action=e["action"], model=instance._meta.label_lower,
                object_id=str(instance.pk), object_repr=str(instance)[:200],
                before=_canonical(e["before"]) if e.get("before") is not None else "",
                after=_canonical(e["after"]) if e.get("after") is not None else "", prev_hash=prev)
            row.hash = _digest(row)
            prev = row.hash
            rows.append(row)
        AuditRecord.objects.bulk_create(rows, batch_size=1000)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return len(rows)


def changed_fields(before: dict, after: dict) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report every broken link, altered record, gap or missing tail."""
    problems: list[str] = []
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = list(AuditRecord.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                problems.append(gettext("序号 {expected_seq}–{value} 的记录缺失（被删除）").format(
                    expected_seq=expected_seq, value=row.seq - 1))
                prev_hash = row.prev_hash  # resynchronise to keep reporting later problems
            if row.prev_hash != prev_hash:
                problems.append(gettext("#{seq}: 前序哈希不符（上一条记录被修改或删除）").format(seq=row.seq))
            if _digest(row) != row.hash:
                problems.append(gettext("#{seq}: 内容与哈希不符（记录被篡改）").format(seq=row.seq))
            prev_hash, expected_seq, last_seq = row.hash, row.seq + 1, row.seq
            checked += 1
    problems += check_anchors()
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq != last_seq:
        problems.append(gettext("链尾不符：应有 {seq} 条，实有最后序号 {last_seq}（末尾记录被删除）").format(
            seq=head.seq, last_seq=last_seq))
    if head is not None and head.seq == last_seq and head.hash != prev_hash and last_seq:
        problems.append(gettext("链头哈希与最后一条记录不符"))
    return VerifyResult(ok=not problems, checked=checked, problems=problems)


# --- anchors outside the database ----------------------------------------------------------------------

ANCHOR_FILE = "audit-anchors.jsonl"


def _anchor_path():
    from django.conf import settings

    return settings.LOG_DIR / ANCHOR_FILE


def _mac(seq: int, head_hash: str, count: int, at: str) -> str:
    from django.conf import settings

    message = f"{seq}|{head_hash}|{count}|{at}".encode()
    return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def anchor() -> dict:
    """Append the chain's current head, signed, to the anchor file (created 0600)."""
    head = AuditHead.objects.filter(pk=1).first()
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    count = AuditRecord.objects.count()
    at = timezone.now().isoformat(timespec="seconds")
    line = {"seq": seq, "hash": head_hash, "count": count, "at": at, "mac": _mac(seq, head_hash, count, at)}
    path = _anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(json.dumps(line) + "\n")
    return line


def check_anchors() -> list[str]:
    """Every anchor signed with the key, its record still in the table with the same hash, and the
    table no shorter than any anchor said."""
    path = _anchor_path()
    if not path.exists():
        return []
    problems = []
    hashes = {}
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    anchors = []
    for n, line in enumerate(lines, start=1):
        try:
            a = json.loads(line)
            valid = hmac.compare_digest(a["mac"], _mac(int(a["seq"]), a["hash"], int(a["count"]), a["at"]))
        except (ValueError, KeyError, TypeError):
            problems.append(gettext("锚点文件第{n}行无法读取（被改动）").format(n=n))
            continue
        if not valid:
            problems.append(gettext("锚点文件第{n}行签名不符（锚点被伪造或改动，或审计密钥已更换）").format(n=n))
            continue
        anchors.append(a)
    if anchors:
        seqs = [a["seq"] for a in anchors if a["seq"]]
        hashes = dict(AuditRecord.objects.filter(seq__in=seqs).values_list("seq", "hash"))
        count = AuditRecord.objects.count()
        top = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for a in anchors:
        if a["seq"] and a["seq"] not in hashes:
            problems.append(gettext("锚点 {value}：第{value2}条记录已不存在（记录被删除或清空）").format(
                value=a['at'], value2=a['seq']))
        elif a["seq"] and hashes[a["seq"]] != a["hash"]:
            problems.append(gettext("锚点 {value}：第{value2}条记录的哈希与锚点不符（记录表被改写并重新计算哈希）").format(
                value=a['at'], value2=a['seq']))
        if a["count"] > count:
            problems.append(gettext("锚点 {value} 时有{value2}条记录，现只有{count}条（记录被删除）").format(
                value=a['at'], value2=a['count'], count=count))
        if a["seq"] > top:
            problems.append(gettext("锚点 {value} 时链头为第{value2}条，现链尾为第{top}条（链头被回退）").format(
                value=a['at'], value2=a['seq'], top=top))
    return problems
