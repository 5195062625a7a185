"""The labelled news items (``news.jsonl``) and the per-field precision and recall of the
extraction on them.

Each item names the firms it mentions (each a list of accepted names: the full name and the short
name the story uses), every money amount as written (``"35亿元"``, ``"5000万美元"``), the event
types the story reports and the chain it concerns ("" when none of the eight). The items were
written for this set, in the styles officers read (公告, 新闻, 研报), before the rules were
measured on them. Odd ids are the development half, even ids the held-out half: the rules are
never adjusted on the held-out half, and both halves are reported.

Matching: a predicted firm counts when it equals one of an item's accepted names (each gold firm
at most once; firms folded into a longer name of the same item count once); an amount when its
value in its own currency is within 0.5% of a gold amount in the same currency; event types and
the chain as sets.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path

PATH = Path(__file__).with_name("news.jsonl")
FIELDS = ("orgs", "amounts", "events", "chain")
_GOLD_AMOUNT = re.compile(r"^([\d.]+)(万亿|亿|千万|百万|万)?(元|美元|欧元|港元|日元|英镑)$")
_MULT = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
         "万": Decimal(10) ** 4, None: Decimal(1)}


def load(path: str | Path = PATH) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split(items: list[dict]) -> dict[str, list[dict]]:
    return {"dev": [i for i in items if i["id"] % 2 == 1], "heldout": [i for i in items if i["id"] % 2 == 0]}


def gold_amount(text: str) -> tuple[Decimal, str]:
    m = _GOLD_AMOUNT.match(text)
    if not m:
        raise ValueError(f"bad gold amount {text!r}")
    return Decimal(m[1]) * _MULT[m[2]], m[3]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _score_sets(counts: Counts, item_id, predicted: set, gold: set):
    counts.tp += len(predicted & gold)
    counts.fp += len(predicted - gold)
    counts.fn += len(gold - predicted)
    if predicted != gold:
        counts.errors.append((item_id, sorted(predicted - gold), sorted(gold - predicted)))


def evaluate(items: list[dict], analyse=None) -> dict[str, Counts]:
    """Per field counts of the extraction (``analyse(text, date)``, by default ``extract.analyse``)."""
    from feidi.intel.extract import analyse as default
    from feidi.intel.extract import distinct_orgs

    analyse = analyse or default
    result = {f: Counts() for f in FIELDS}
    for item in items:
        ex = analyse(item["text"], dt.date.fromisoformat(item["date"]))
        # firms
        names = distinct_orgs(ex.orgs)
        gold = [set(g) for g in item["orgs"]]
        matched, c = set(), result["orgs"]
        wrong = []
        for name in names:
            hit = next((i for i, g in enumerate(gold) if name in g and i not in matched), None)
            if hit is None:
                wrong.append(name)
            else:
                matched.add(hit)
        c.tp += len(matched)
        c.fp += len(wrong)
        missed = [sorted(g)[0] for i, g in enumerate(gold) if i not in matched]
        c.fn += len(missed)
        if wrong or missed:
            c.errors.append((item["id"], wrong, missed))
        # amounts, in their own currency
        predicted = [(Decimal(s.extra["original"]), s.extra["currency"]) for s in ex.amounts]
        golds = [gold_amount(a) for a in item["amounts"]]
        c, used, wrong = result["amounts"], set(), []
        for value, cur in predicted:
            hit = next((i for i, (gv, gc) in enumerate(golds) if i not in used and gc == cur
                        and abs(gv - value) <= gv * Decimal("0.005")), None)
            if hit is None:
                wrong.append(f"{value}{cur}")
            else:
                used.add(hit)
        c.tp += len(used)
        c.fp += len(wrong)
        missed = [item["amounts"][i] for i in range(len(golds)) if i not in used]
        c.fn += len(missed)
        if wrong or missed:
            c.errors.append((item["id"], wrong, missed))
        _score_sets(result["events"], item["id"], set(ex.event_types), set(item["events"]))
        _score_sets(result["chain"], item["id"], {ex.chain} - {""}, {item["chain"]} - {""})
    return result
