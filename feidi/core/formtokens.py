"""One-time tokens for the forms of a record's steps (a reply, a close, a suspension …).

Each rendered step form carries its own token (``issue``, posted as ``_form_token``); the step runs
inside ``once``, which claims the token (``FormSubmission``, unique) in the step's own transaction.
A second POST of the same token — a double click, the back button and 提交 again — is refused and
changes nothing; a step that fails (a rule broken, a lost race) rolls its claim back with it, so
the same form may be corrected and posted again. Two POSTs racing are serialised by the unique
index: the second waits for the first's commit and is refused. A POST without a token (a client
that never rendered the form) runs as before, as ``ObjectEditView``'s create forms do.
"""

from __future__ import annotations

import contextlib
import secrets

from django.db import IntegrityError
from django.db import transaction
from django.utils.translation import gettext

FIELD = "_form_token"
KEPT_DAYS = 7  # a spent token is kept this long (``jobs.purge_spent_tokens``): a page is not sent again later


class AlreadySubmitted(Exception):
    """The form's token was spent by an earlier POST: the step is not taken again."""

    def __init__(self):
        super().__init__(gettext("该操作已提交过，未重复执行（请勿重复点击或在返回后再次提交）"))


def issue() -> str:
    """A fresh token for one rendered form."""
    return secrets.token_urlsafe(16)


@contextlib.contextmanager
def once(request, result_url: str = ""):
    """Run the block (the step) in one transaction with the posted token claimed; raises
    ``AlreadySubmitted`` before the block runs when the token was spent."""
    from .models import FormSubmission

    token = request.POST.get(FIELD, "")[:64]
    with transaction.atomic():
        if token:
            if FormSubmission.objects.filter(token=token).exists():
                raise AlreadySubmitted
            try:
                with transaction.atomic():
                    FormSubmission.objects.create(token=token, user=request.user, result_url=result_url[:300])
            except IntegrityError:  # spent by a POST that committed while this one ran
                raise AlreadySubmitted from None
        yield
