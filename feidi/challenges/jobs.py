"""揭榜挂帅's background job lives beside its rules: the hourly sweep moving challenges whose call
has closed to expert review (``actions.review_sweep``); importing it registers the task."""

from . import actions  # noqa: F401
