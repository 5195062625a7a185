"""Links shown only to those who may follow them."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can_open(context, target, **kwargs):
    """``{% can_open "projects:pool" as ok %}{% if ok %}<a …>{% endif %}`` — also for a path."""
    from feidi.core.views import can_open as check

    request = context.get("request")
    return bool(request) and check(request.user, str(target), **kwargs)


@register.simple_tag(takes_context=True)
def refused_form(context):
    """The fields of a step refused on the way here, as inert JSON for the page's script to put
    back into the form that posted them (``feidi.core.refused``); nothing when there are none."""
    from django.utils.html import json_script

    from feidi.core.refused import take

    request = context.get("request")
    kept = take(request) if request is not None else None
    return json_script(kept, "feidi-refused-form") if kept else ""
