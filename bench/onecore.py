"""One core for the matching benches: import it first (before numpy or numba load), so that their
thread pools take one thread, and call ``pin()`` to keep the process on one CPU; timings are then
comparable between runs on a shared machine."""

from __future__ import annotations

import os
from contextlib import contextmanager

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


_ALL = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def pin() -> None:
    """Keep this process on the first CPU it may use (where the OS allows it)."""
    if _ALL:
        os.sched_setaffinity(0, {_ALL[0]})


@contextmanager
def all_cores():
    """Let this process (and what it forks) use every CPU it was given for a while, then pin it again."""
    if _ALL:
        os.sched_setaffinity(0, set(_ALL))
    try:
        yield len(_ALL) or os.cpu_count() or 1
    finally:
        pin()


def calibrate() -> str:
    """This core's speed on two fixed workloads like the matching's, to compare figures taken on
    different machines: the interpreter (a dictionary loop, as the index build's analysis) and
    memory (a compiled scatter of 1.5 million sorted postings into a million float32 scores, as
    a large query's accumulation); the best of five runs of each."""
    import time

    import numpy as np
    from numba import njit

    @njit(cache=False)
    def scatter(docs, scores):
        for p in range(docs.shape[0]):
            scores[docs[p]] += np.float32(0.5)

    rng = np.random.default_rng(0)
    docs = np.concatenate([np.sort(rng.choice(1_000_000, size, replace=False)).astype(np.int32)
                           for size in (500_000, 400_000, 300_000, 200_000, 100_000)])
    scores = np.zeros(1_000_000, np.float32)
    scatter(docs[:10], scores)  # compiled before it is timed
    table = {i: i for i in range(1000)}

    def loop():
        s = 0
        for i in range(2_000_000):
            s += table.get(i % 1000, 0)
        return s

    def best(fn):
        times = []
        for _ in range(5):
            c0 = time.thread_time()
            fn()
            times.append(time.thread_time() - c0)
        return min(times)

    python = best(loop)
    memory = best(lambda: scatter(docs, scores))
    return (f"this core: 2,000,000 dictionary steps in {python * 1000:.0f} ms, 1,500,000 postings scattered in "
            f"{memory * 1000:.2f} ms (bench/onecore.py calibrate: compare machines by these)")
