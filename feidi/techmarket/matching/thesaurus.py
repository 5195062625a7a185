"""The domain thesaurus (领域词表) as weighted query expansion.

An entry holds a term, its equivalents (abbreviations, English names, other Chinese names) and
a broader term. A query that contains one of an entry's members (the term or an equivalent) is
expanded with the entry's other members at the entry's weight (0.5 by default: an expansion term
counts less than an exact one), with its broader term at half that and with its related terms
(``RELATED``) at the entry's weight; a related term found in a query expands to the entry's
members the same way (the association runs both ways; the related terms of one entry do not
expand to each other). Expansion is query-side:
the document index is not touched, so an edit of the thesaurus applies at the next query. The
words of the thesaurus also enter the segmenter's dictionary when the index is built (so that
"隧穿氧化层钝化接触" is one term in documents); a word added later is expanded to, as the terms
the segmenter cuts it into, until the index is rebuilt in the job queue, which the first query
after the edit asks for (``engine.Engine.thesaurus``).

A member is found in a query when all its (longest) terms are among the query's terms; an
expansion term already in the query is not added again (the exact term counts). The index
weights an expansion term by ``weight × min(idf(term), idf(source))`` so that a document holding
the expansion counts less than one holding the exact term (``index.BM25Index.expansion``), and
the reasons of a match show an expanded hit as "SHJ → 异质结".

The shipped entries are in ``thesaurus.txt`` (imported by a migration into
``techmarket.ThesaurusEntry``, which the enclave operator edits under 科技大市场 › 领域词表).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

THESAURUS_PATH = Path(__file__).with_name("thesaurus.txt")
WEIGHT = 0.5  # an equivalent, relative to the exact term
BROADER = 0.5  # a broader term, relative to an equivalent
RELATED = 1.0  # a related term (either way), relative to an equivalent: chosen on labelled.json (decision 0011)
_SPLIT = re.compile(r"[,，、;；\n]+")
# How an expansion term stands to the query's word (shown where the operator tries the thesaurus)
EQUIVALENT, BROADER_TERM, RELATED_TERM = "equivalent", "broader", "related"


@dataclass(frozen=True)
class Entry:
    term: str
    equivalents: tuple[str, ...] = ()
    broader: str = ""
    chain: str = ""
    weight: float = WEIGHT
    related: tuple[str, ...] = ()

    @property
    def members(self) -> tuple[str, ...]:
        return (self.term, *(e for e in self.equivalents if e != self.term))


def split_equivalents(text: str) -> tuple[str, ...]:
    """The equivalents of a comma-separated list (spaces stay inside a name: "solar cell")."""
    return tuple(w for w in (" ".join(p.split()) for p in _SPLIT.split(text or "")) if w)


def parse(text: str) -> list[Entry]:
    """Entries of the file format: ``term | equivalents | broader | related`` lines under
    ``## chain`` headings (the last columns may be left out); ``#`` starts a comment."""
    chain, out = "", []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("##"):
            chain = line[2:].strip()
            continue
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (4 - len(parts))
        if parts[0]:
            out.append(Entry(parts[0], split_equivalents(parts[1]), parts[2], chain,
                             related=split_equivalents(parts[3])))
    return out


def load_file(path: str | Path = THESAURUS_PATH) -> list[Entry]:
    return parse(Path(path).read_text(encoding="utf-8"))


def from_rows(rows: Iterable) -> list[Entry]:
    """Entries of ``ThesaurusEntry`` rows (or anything with their attributes)."""
    return [Entry(r.term.strip(), split_equivalents(r.equivalents), r.broader.strip(), r.chain, float(r.weight),
                  split_equivalents(r.related)) for r in rows]


def equivalents_of(text: str, entries: Iterable[Entry]) -> list[str]:
    """The other members of every entry that has ``text`` as a member (compared on the index's
    normalisation: full-width folded, case folded): what a list's keyword search finds besides the
    text itself ("SHJ" → 异质结, HJT, …). Equivalents only: a broader or related term is another
    thing, which a filter must not slip in."""
    from .terms import normalize_text

    key = normalize_text(" ".join(text.split()))
    out: dict[str, None] = {}
    for e in entries:
        members = e.members
        if key and any(normalize_text(m) == key for m in members):
            out.update((m, None) for m in members if normalize_text(m) != key)
    return list(out)


def words(entries: Iterable[Entry]) -> list[str]:
    """Every member, broader and related term (for the segmenter's dictionary)."""
    return [w for e in entries for w in (*e.members, e.broader, *e.related) if w]


@dataclass(frozen=True)
class Expanded:
    """One expansion term: its factor (relative to an exact term), the source member's terms
    (its idf caps the expansion's), the label shown in the reasons ("SHJ → 异质结") and how it
    stands to the source (``EQUIVALENT``, ``BROADER_TERM`` or ``RELATED_TERM``)."""

    factor: float
    source: tuple[str, ...]
    label: str
    relation: str = EQUIVALENT


class Thesaurus:
    """Entries compiled against a segmenter (each member as the terms the segmenter cuts it
    into), looked up by the terms of a query."""

    def __init__(self, entries: Iterable[Entry], segmenter):
        self.entries = list(entries)
        self._rules: dict[str, list[tuple[frozenset, str, list[tuple[tuple[str, ...], str, float, str]]]]] = {}
        terms = segmenter.longest_terms

        def cut(words):
            return [(w, t) for w, t in ((w, terms(w)) for w in words) if t]

        for e in self.entries:
            members = cut(e.members)
            related = [(r, t) for r, t in cut(e.related) if all(t != m for _, m in members)]
            broader = terms(e.broader) if e.broader else ()
            for m, src in members:
                targets = [(t, other, e.weight, EQUIVALENT) for other, t in members if t != src]
                if broader and broader != src:
                    targets.append((broader, e.broader, e.weight * BROADER, BROADER_TERM))
                targets += [(t, r, e.weight * RELATED, RELATED_TERM) for r, t in related]
                if targets:
                    self._rules.setdefault(src[0], []).append((frozenset(src), m, targets))
            for r, src in related:  # the association, the other way
                targets = [(t, m, e.weight * RELATED, RELATED_TERM) for m, t in members]
                if targets:
                    self._rules.setdefault(src[0], []).append((frozenset(src), r, targets))

    def __len__(self) -> int:
        return len(self.entries)

    def expand(self, query_terms: Iterable[str]) -> dict[str, Expanded]:
        """The expansion terms of a query's terms (none already in it), each with its best
        factor."""
        ordered = list(dict.fromkeys(query_terms))
        have = set(ordered)
        out: dict[str, Expanded] = {}
        for term in ordered:
            for src, name, targets in self._rules.get(term, ()):
                if not src <= have:
                    continue
                for terms_, target, factor, relation in targets:
                    for t in terms_:
                        if t in have:
                            continue
                        got = out.get(t)
                        if got is None or got.factor < factor:
                            out[t] = Expanded(factor, tuple(sorted(src)), f"{name} → {target}", relation)
        return out


def _shipped_row(entry_model, chain: str, term: str):
    return entry_model.objects.filter(chain=chain, term=term, department__isnull=True,
                                      created_by__isnull=True).first()


def extend_shipped(entry_model, extended, *, max_length: int = 500) -> int:
    """A release's new words for the shipped entries an installation holds (``extended``: ``(chain,
    term, equivalents, related)``, used by the migrations; ``entry_model`` the migration's
    ``ThesaurusEntry``): each word is appended after the words the entry holds unless it holds it
    already (case folded) or it is the entry's own term; a field that would grow past
    ``max_length`` is left as it is, and an operator's own entry is never touched. Returns how
    many entries changed."""
    changed_rows = 0
    for chain, term, more_equivalents, more_related in extended:
        row = _shipped_row(entry_model, chain, term)
        if row is None:
            continue
        changed = []
        for field, more in (("equivalents", more_equivalents), ("related", more_related)):
            have = list(split_equivalents(getattr(row, field)))
            folded = {w.casefold() for w in have} | {row.term.casefold()}
            new = list(dict.fromkeys(w for w in more if w.casefold() not in folded))
            value = ", ".join([*have, *new])
            if new and len(value) <= max_length:
                setattr(row, field, value)
                changed.append(field)
        if changed:
            row.save(update_fields=changed)
            changed_rows += 1
    return changed_rows


def retract_shipped(entry_model, extended) -> None:
    """The way back of ``extend_shipped``: the release's words taken out of the shipped entries."""
    for chain, term, more_equivalents, more_related in extended:
        row = _shipped_row(entry_model, chain, term)
        if row is None:
            continue
        for field, more in (("equivalents", more_equivalents), ("related", more_related)):
            setattr(row, field, ", ".join(w for w in split_equivalents(getattr(row, field)) if w not in more))
        row.save(update_fields=["equivalents", "related"])


def ensure_shipped() -> int:
    """The shipped thesaurus (``thesaurus.txt``) as entries when none of it is there — a new
    installation or a test database just flushed; an installation whose operators edited, removed
    or deactivated shipped entries is left as they made it. Returns how many were added."""
    from feidi.techmarket.models import ThesaurusEntry

    if ThesaurusEntry.objects.filter(department__isnull=True, created_by__isnull=True).exists():
        return 0
    unique = {}
    for e in load_file():  # one entry per (chain, term): a term listed twice keeps its first line
        unique.setdefault((e.chain, e.term), ThesaurusEntry(
            term=e.term, equivalents=", ".join(e.equivalents), broader=e.broader, chain=e.chain, weight=e.weight,
            related=", ".join(e.related)))
    ThesaurusEntry.objects.bulk_create(list(unique.values()))
    return len(unique)
