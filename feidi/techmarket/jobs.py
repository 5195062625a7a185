"""The market's background jobs live beside their rules: pushes of new matches (push.py), the
challenges' review sweep (challenges.py) and the auctions' close sweep (auction.py); importing them
registers the tasks with the queue."""

from . import auction, challenges, push  # noqa: F401
