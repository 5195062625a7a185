"""The process-wide match engine: one BM25 index per kind (demands, supplies) kept in memory as
a cache of the database, persisted under ``FEIDI_VAR_DIR/match/`` and caught up from the
``IndexChange`` rows written after its watermark (the database is the source of truth; any
process, web or worker, loads the saved index and applies the changes it has not seen).

The watermark is the id of the last change applied, stamped with that row's time: if the row
at the watermark is gone or different (a restored database, a test's rolled-back transaction),
the index is rebuilt from the database instead of trusting it.

The dictionary. An index's documents were cut with the domain words of its build (the shipped
vocabulary, the chain and segment names, the thesaurus's words, the documents' keywords); it is
loaded with exactly those, so its queries and its later documents are cut the same way. When the
enclave operator adds a thesaurus entry (or a segment) with a word the dictionary lacks, the next
query that reads the thesaurus finds it out (``Engine.thesaurus``, on the one stamp query it makes
anyway), and asks the job queue to rebuild that index (``queue_rebuild``): meanwhile the new word is
expanded to as the terms its parts are cut into, and afterwards it is one term in every document.
Every process adopts the rebuilt file at its next query (``Engine.index``: the file is newer).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from . import thesaurus
from .index import BM25Index
from .segment import Segmenter
from .segment import split_keywords

log = logging.getLogger(__name__)
KINDS = ("demand", "supply")
PUBLISHED = {"demand": ("published", "challenge", "solved"), "supply": ("published",)}
# Queues ``Engine.follow_dictionary`` of a kind in the job queue: set by ``feidi.techmarket.jobs``
# when the app starts (None in a script without Django's apps: nothing is queued there)
queue_rebuild: Callable[[str], object] | None = None


def model_of(kind: str):
    from feidi.techmarket.models import Demand
    from feidi.techmarket.models import Supply

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return Demand if kind == "demand" else Supply


def other(kind: str) -> str:
    return "supply" if kind == "demand" else "demand"


def doc_of(kind: str, obj) -> dict:
    """The indexed form of a Demand or Supply (its texts, filter values and owner)."""
    segment = obj.segment if obj.segment_id else None
    chain = segment.chain if segment is not None else None
    return {
        "id": obj.pk,
        "title": obj.title,
        "description": obj.description,
        "keywords": obj.keywords,
        "field": obj.field.label if obj.field_id else "",
        "segment": " ".join(x for x in (segment.name if segment else "", chain.name if chain else "") if x),
        "field_id": obj.field_id,
        "chain_id": chain.pk if chain else None,
        "region": obj.organization.region if obj.organization_id else "",
        "transfer_mode": getattr(obj, "transfer_mode", None),
        "maturity": getattr(obj, "maturity", None),
        "published": obj.status in PUBLISHED[kind],
        "org_id": obj.organization_id,
    }


def _queryset(kind: str):
    return model_of(kind)._base_manager.select_related("field", "segment__chain", "organization")


def docs_from_db(kind: str, ids: Iterable[int] | None = None) -> list[dict]:
    qs = _queryset(kind)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return [doc_of(kind, obj) for obj in qs.iterator(chunk_size=2000)]


def domain_words(entries: list[thesaurus.Entry] | None = None) -> list[str]:
    """Chain and segment names and the thesaurus's words (``entries``: the active ones; the
    shipped vocabulary file is loaded by the segmenter)."""
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment

    words = list(Chain._base_manager.values_list("name", flat=True))
    words += list(Segment._base_manager.values_list("name", flat=True))
    entries = thesaurus_entries() if entries is None else entries
    return [w for name in words for w in split_keywords(name.replace("·", " "))] + thesaurus.words(entries)


def thesaurus_entries() -> list[thesaurus.Entry]:
    """The active entries of the domain thesaurus (all departments': it is the installation's)."""
    from feidi.techmarket.models import ThesaurusEntry

    return thesaurus.from_rows(ThesaurusEntry._base_manager.filter(active=True).order_by("pk"))


def dictionary_stamp() -> dict:
    """What changes when a thesaurus entry, a chain or a segment is added, edited or deleted: the
    count, the latest change and the highest id of each, in one query."""
    from django.db.models import Count
    from django.db.models import IntegerField
    from django.db.models import Max
    from django.db.models import Value

    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.techmarket.models import ThesaurusEntry

    def of(model, tag: int):
        return (model._base_manager.order_by().annotate(tag=Value(tag, IntegerField())).values("tag")
                .annotate(n=Count("pk"), at=Max("updated_at"), top=Max("pk")).values_list("tag", "n", "at", "top"))

    rows = of(ThesaurusEntry, 0).union(of(Chain, 1), of(Segment, 2), all=True)
    return {tag: (n, str(at), top) for tag, n, at, top in rows}


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


class Engine:
    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory or Path(settings.VAR_DIR) / "match")
        self.indexes: dict[str, BM25Index] = {}
        self.lock = threading.RLock()
        # kind → the dictionary stamp at which its index was found to lack words and a rebuild
        # was asked for (once a stamp); cleared when an index with every word is in place
        self.behind: dict[str, dict] = {}

    def path(self, kind: str) -> Path:
        return self.directory / f"{kind}.npz"

    # --------------------------------------------------------------- building
    def rebuild(self, kinds: Iterable[str] = KINDS, *, save: bool = True, workers: int = 1) -> dict[str, int]:
        """Build the indexes of ``kinds`` from the database (``workers`` processes analysing a
        large one: only where forking is safe, a command's single thread, never a web process)."""
        from feidi.techmarket.models import IndexChange

        counts = {}
        with self.lock:
            words = domain_words()
            for kind in kinds:
                last = IndexChange.objects.filter(kind=kind).order_by("-id").values_list("id", "created_at").first()
                index = BM25Index(Segmenter(words))
                index.build(docs_from_db(kind), workers=workers)
                index.watermark, index.extra = _stamp(last)
                self.indexes[kind] = index
                counts[kind] = len(index)
                if save:
                    index.save(self.path(kind))
                    index.extra_cache["mtime"] = _mtime(self.path(kind))
                self.behind.pop(kind, None)
        return counts

    def save(self) -> None:
        with self.lock:
            for kind, index in self.indexes.items():
                index.save(self.path(kind))

    def index(self, kind: str) -> BM25Index:
        """The caught-up index of ``kind`` (loaded from disk or built on first use)."""
        with self.lock:
            index = self.indexes.get(kind)
            path = self.path(kind)
            if index is not None and kind in self.behind and _mtime(path) != index.extra_cache.get("mtime"):
                index = None  # another process rebuilt it (or saved it): read it again
            if index is None:
                if path.exists():
                    mtime = _mtime(path)
                    try:
                        # cut with the words it was built with (kept in the file), none added since
                        index = BM25Index.load(path)
                        index.extra_cache["mtime"] = mtime
                    except (OSError, ValueError, KeyError) as exc:
                        log.warning("match index %s unreadable (%s); rebuilding", path, exc)
                if index is None:
                    self.rebuild([kind])
                    return self.indexes[kind]
                self.indexes[kind] = index
            self.catch_up(kind)
            return self.indexes[kind]

    def thesaurus(self, index: BM25Index) -> thesaurus.Thesaurus:
        """The thesaurus compiled for ``index``'s segmenter (kept on the index), read again from
        the database whenever an entry, a chain or a segment changed: an edit applies at the next
        query. If the domain words then hold one the index's dictionary lacks, a rebuild of the
        index is asked for (once a change; the job queue does it)."""
        stamp = dictionary_stamp()
        with self.lock:
            got = index.extra_cache.get("thesaurus")
            if got is None or got[0] != stamp:
                entries = thesaurus_entries()
                got = index.extra_cache["thesaurus"] = (stamp, thesaurus.Thesaurus(entries, index.seg))
                kind = next((k for k, ix in self.indexes.items() if ix is index), None)
                if kind is not None:
                    if not index.seg.new_words(domain_words(entries)):
                        self.behind.pop(kind, None)
                    elif self.behind.get(kind) != stamp:
                        log.info("match index %s lacks words of the domain dictionary; rebuild queued", kind)
                        self.behind[kind] = stamp
                        if queue_rebuild is not None:
                            queue_rebuild(kind)
            return got[1]

    def follow_dictionary(self, kind: str) -> bool:
        """Rebuild the index of ``kind`` if the domain words hold one its dictionary lacks (the
        job of ``thesaurus``; a process that finds the file already rebuilt does nothing).
        Returns whether it rebuilt."""
        with self.lock:
            if self.index(kind).seg.new_words(domain_words()):
                self.rebuild([kind])
                return True
            self.behind.pop(kind, None)
            return False

    def catch_up(self, kind: str) -> int:
        """Apply the changes after the watermark; returns how many documents were re-read."""
        from feidi.techmarket.models import IndexChange

        with self.lock:
            index = self.indexes[kind]
            rows = list(IndexChange.objects.filter(kind=kind, id__gte=index.watermark).order_by("id")
                        .values_list("id", "doc_id", "created_at"))
            if index.watermark:
                if not rows or rows[0][0] != index.watermark or rows[0][2].isoformat() != index.extra.get("at"):
                    log.info("match index %s does not follow the database; rebuilding", kind)
                    self.rebuild([kind], save=False)
                    return len(self.indexes[kind])
                rows = rows[1:]
            elif not rows and model_of(kind)._base_manager.count() != len(index):
                # no change recorded yet: documents written without record_change (fixtures, a
                # restore) are only noticed by their number
                self.rebuild([kind], save=False)
                return len(self.indexes[kind])
            if not rows:
                return 0
            ids = {r[1] for r in rows}
            docs = {d["id"]: d for d in docs_from_db(kind, ids)}
            for doc_id in sorted(ids):
                if doc_id in docs:
                    index.upsert(docs[doc_id])
                else:
                    index.remove(doc_id)
            index.watermark, index.extra = _stamp(rows[-1][::2])
            if index.delta_size > max(2000, index.n_main // 50):
                index.save(self.path(kind))  # compacts, then writes
                index.extra_cache["mtime"] = _mtime(self.path(kind))
            return len(ids)


def _stamp(row) -> tuple[int, dict]:
    if not row:
        return 0, {}
    return row[0], {"at": row[1].isoformat()}


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    global _engine
    with _engine_lock:
        directory = Path(settings.VAR_DIR) / "match"
        if _engine is None or _engine.directory != directory:
            _engine = Engine(directory)
        return _engine


def reset_engine() -> None:
    """Forget the in-memory indexes (the next use loads or rebuilds them)."""
    global _engine
    with _engine_lock:
        _engine = None
