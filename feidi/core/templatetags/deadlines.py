"""``{{ value|deadline }}``: a deadline as people read it (``core.calendar.deadline_text``)."""

from django import template

register = template.Library()


@register.filter
def deadline(value, form: str = ""):
    """``|deadline`` in full, ``|deadline:"short"`` without the year (a to-do card)."""
    from feidi.core.calendar import deadline_text

    return deadline_text(value, short=form == "short")
