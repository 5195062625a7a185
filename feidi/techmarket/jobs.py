"""The market's background jobs live beside their rules: pushes of new matches (push.py) and the
rebuild of a match index whose dictionary lacks a new domain word (here); importing it registers
the tasks with the queue. 揭榜挂帅's review sweep and the auctions' close sweep are registered by
their own apps' jobs modules."""

from huey.contrib.djhuey import db_task

from . import push  # noqa: F401
from .matching import engine


@db_task()
def rebuild_match_index(kind: str) -> None:
    """Rebuild the match index of ``kind`` if a thesaurus entry, chain or segment brought a word its
    dictionary lacks (``Engine.follow_dictionary``): seconds for a large index, never a request's."""
    engine.get_engine().follow_dictionary(kind)


engine.queue_rebuild = rebuild_match_index
