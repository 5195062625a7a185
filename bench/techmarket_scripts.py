"""Issue 16 benchmark: the same sets in another script or language, in one run.

- Traditional characters: the evaluation sets with their supplies converted by OpenCC (s2hk or
  s2tw: what a Hong Kong or Taiwan institution writes), searched by the demands as written in
  simplified characters: the engine as it runs (traditional read as simplified,
  ``feidi.lib.script``) beside the same engine with that reading turned off (the baseline, what it
  did before); the sets as written, as the ceiling.
- English: ``independent_en.json`` (independent.json translated, demands in plain business
  English, supplies in patent English; never used for tuning): the engine as it runs (an English
  word as its dictionary form, function words in English prose no terms) beside the same engine
  with both rules turned off, and plain BM25 with jieba.

nDCG@10, recall@10 of every related supply and of the useful ones, recall@50, and the ratio of the
two engines' nDCG@10.

    .venv/bin/python bench/techmarket_scripts.py              # Hong Kong characters
    .venv/bin/python bench/techmarket_scripts.py --variant s2twp  # Taiwan's characters and words
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")


def in_script(data: dict, convert) -> dict:
    out = copy.deepcopy(data)
    for s in out["supplies"]:
        for key in ("title", "description", "institution"):
            if s.get(key):
                s[key] = convert(s[key])
        s["keywords"] = [convert(k) for k in s.get("keywords") or []]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="s2hk", choices=["s2hk", "s2tw", "s2t", "s2twp"],
                        help="OpenCC's conversion of the supplies (s2twp: Taiwan's words as well)")
    args = parser.parse_args()

    import django

    django.setup()
    import opencc

    from feidi.techmarket.evaluation.metrics import INDEPENDENT_PATH
    from feidi.techmarket.evaluation.metrics import evaluate
    from feidi.techmarket.evaluation.metrics import load_labelled
    from feidi.techmarket.matching import segment
    from feidi.techmarket.matching import terms
    from feidi.techmarket.matching import thesaurus as th
    from feidi.techmarket.matching.evaluate import Labelled

    convert = opencc.OpenCC(args.variant).convert
    entries = th.load_file()
    reading = terms.simplified
    print(f"supplies converted with OpenCC {args.variant}; demands as written; the engine as it runs "
          "(thesaurus with related terms, feedback)")
    print(f"{'set':<13}{'supplies':<12}{'engine':<24}{'nDCG@10':>9}{'R@10':>8}{'R@10≥2':>9}{'R@50':>8}")
    for name, data in (("labelled", load_labelled()), ("independent", load_labelled(INDEPENDENT_PATH))):
        converted = in_script(data, convert)
        changed = sum(a["title"] != b["title"] for a, b in zip(data["supplies"], converted["supplies"], strict=True))
        figures = {}
        for label, supplies, on in (("as written", data, True), (args.variant, converted, True),
                                    (args.variant, converted, False)):
            terms.simplified = reading if on else (lambda text: text)
            try:
                labelled = Labelled(supplies, thesaurus=entries, feedback={})
                r50 = evaluate(labelled.rank_bm25, supplies)
                r10 = evaluate(labelled.rank_bm25, supplies, k_recall=10)
                useful = evaluate(labelled.rank_bm25, supplies, k_recall=10, min_grade=2)
            finally:
                terms.simplified = reading
            engine = "traditional as simplified" if on else "baseline: as written"
            figures[(label, on)] = r50["ndcg"]
            print(f"{name:<13}{label:<12}{engine:<24}{r50['ndcg']:>9.4f}{r10['recall']:>8.4f}"
                  f"{useful['recall']:>9.4f}{r50['recall']:>8.4f}")
        ratio = figures[(args.variant, True)] / max(figures[(args.variant, False)], 1e-9)
        print(f"{'':<13}{changed} of {len(data['supplies'])} supplies' titles changed by the conversion; "
              f"nDCG@10 {ratio:.2f}× the baseline's")

    english = load_labelled(INDEPENDENT_PATH.with_name("independent_en.json"))
    print("\nindependent.json in English (independent_en.json), the kept setting")
    print(f"{'engine':<44}{'nDCG@10':>9}{'R@10':>8}{'R@10≥2':>9}{'R@50':>8}")
    lemma, prose = segment.english_lemma, segment.Segmenter.__dict__["_english"]  # the staticmethod itself
    figures = {}
    for label, rules, options in (
            ("engine as it runs (thesaurus, feedback)", True, {"thesaurus": entries, "feedback": {}}),
            ("baseline: English rules off", False, {"thesaurus": entries, "feedback": {}}),
            ("engine alone, English rules on", True, {}),
            ("engine alone, English rules off", False, {}),
            ("plain BM25 (jieba)", True, {"plain": True})):
        if not rules:
            segment.english_lemma = lambda token, known=(): token
            segment.Segmenter._english = staticmethod(lambda cut, infos, i, step: False)
        try:
            labelled = Labelled(english, **options)
            r50 = evaluate(labelled.rank_bm25, english)
            r10 = evaluate(labelled.rank_bm25, english, k_recall=10)
            useful = evaluate(labelled.rank_bm25, english, k_recall=10, min_grade=2)
        finally:
            segment.english_lemma, segment.Segmenter._english = lemma, prose
        figures[label] = r50["ndcg"]
        print(f"{label:<44}{r50['ndcg']:>9.4f}{r10['recall']:>8.4f}{useful['recall']:>9.4f}{r50['recall']:>8.4f}")
    print(f"nDCG@10 {figures['engine as it runs (thesaurus, feedback)'] / figures['baseline: English rules off']:.2f}× "
          f"the baseline's; the engine alone {figures['engine alone, English rules on'] / figures['engine alone, English rules off']:.2f}×")


if __name__ == "__main__":
    main()
