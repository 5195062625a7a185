"""The market's background jobs live beside their rules: pushes of new matches (push.py);
importing it registers the tasks with the queue. 揭榜挂帅's review sweep and the auctions' close
sweep are registered by their own apps' jobs modules."""

from . import push  # noqa: F401
