"""The market's background jobs live beside their rules: pushes of new matches (push.py) and the
auctions' close sweep (auction.py); importing them registers the tasks with the queue."""

from . import auction, push  # noqa: F401
