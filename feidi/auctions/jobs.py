"""The auctions' background job lives beside its rules: the minutely sweep opening lots and
settling due ones (``actions.sweep_auctions``); importing it registers the task."""

from . import actions  # noqa: F401
