"""What a user typed into a refused step is not lost.

A step posted from a record's page (add a milestone, accept, a follow-up, an appeal's reply …) is
answered by a redirect back to the page with the refusal in a banner (``ObjectActionView`` and
the hand-written steps alike). The redirect used to drop what was typed: the user read why, and
typed it all again. Here, once for every such step: a POST answered by a redirect during which an
error message was added leaves its fields in the session (``RefusedFormMiddleware``); the next
full page takes them once (``{% refused_form %}`` in the layout, as inert JSON) and the page's
script puts them back into the form that posts to the same address, opening it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage

SESSION_KEY = "feidi_refused_form"
# fields never written back: the CSRF token, secrets, where to go after
_SKIPPED = ("csrfmiddlewaretoken", "next", "_form_token")  # the rendered form keeps its own fresh token
_SECRET_WORDS = ("password", "secret", "token")
_SECRET_NAMES = ("code", "otp", "totp")
MAX_VALUE = 20_000
MAX_FIELDS = 200


class RefusalAwareStorage(FallbackStorage):
    """Django's message storage, noting whether this request added an error."""

    refused = False

    def add(self, level, message, extra_tags=""):
        if level >= messages.ERROR:
            self.refused = True
        return super().add(level, message, extra_tags)


def kept_fields(post) -> dict[str, list[str]]:
    """The posted fields worth giving back: no token or secret, each value bounded."""
    fields: dict[str, list[str]] = {}
    for name, values in post.lists():
        low = name.lower()
        if name in _SKIPPED or low in _SECRET_NAMES or any(word in low for word in _SECRET_WORDS):
            continue
        fields[name] = [value[:MAX_VALUE] for value in values]
        if len(fields) >= MAX_FIELDS:
            break
    return fields


class RefusedFormMiddleware:
    """Keeps a refused step's fields for the page it returns to (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.method == "POST" and 300 <= response.status_code < 400
                and not request.path.startswith("/api/") and hasattr(request, "session")):
            storage = messages.get_messages(request)
            if getattr(storage, "refused", False):
                fields = kept_fields(request.POST)
                if fields:
                    request.session[SESSION_KEY] = {"action": request.path, "fields": fields}
        return response


def take(request) -> dict | None:
    """The refused step's fields, once (the page that shows them consumes them)."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    return session.pop(SESSION_KEY, None)
