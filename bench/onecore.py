"""One core for the matching benches: import it first (before numpy or numba load), so that their
thread pools take one thread, and call ``pin()`` to keep the process on one CPU; timings are then
comparable between runs on a shared machine."""

from __future__ import annotations

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


def pin() -> None:
    """Keep this process on the first CPU it may use (where the OS allows it)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
