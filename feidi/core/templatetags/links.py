"""Links shown only to those who may follow them."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can_open(context, target, **kwargs):
    """``{% can_open "projects:pool" as ok %}{% if ok %}<a …>{% endif %}`` — also for a path."""
    from feidi.core.views import can_open as check

    request = context.get("request")
    return bool(request) and check(request.user, str(target), **kwargs)
