"""The environment of a ``feidi`` child process started by a test."""

from __future__ import annotations

import os

# This run's settings (FEIDI_*, DJANGO_*) and pytest-xdist's worker name, which would put the
# child's files under a worker's subdirectory (settings.VAR_DIR), are not the child's.
_OURS = ("FEIDI_", "DJANGO_", "PYTEST_XDIST_")


def child_env(var_dir, **settings: str) -> dict[str, str]:
    """``os.environ`` without this run's own variables, with ``FEIDI_VAR_DIR=var_dir`` and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env.update(FEIDI_VAR_DIR=str(var_dir), **settings)
    return env
