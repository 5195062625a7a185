"""Money (Decimal yuan) in the units a report uses, and rates as percentages."""

from django import template

from feidi.lib import money

register = template.Library()


@register.filter
def wan(value, places=2):
    """¥1,234,567 → '123.46' (万元)."""
    return "—" if value in (None, "") else money.wan(value, int(places))


@register.filter
def yi(value, places=2):
    return "—" if value in (None, "") else money.yi(value, int(places))


@register.filter
def human_money(value):
    """亿元 from 1亿 up, else 万元, with the unit."""
    return "—" if value in (None, "") else money.human(value)


@register.filter
def growth(value, places=1):
    """A change as every page colours it: '+11.8%' in red (up, as Chinese reports print it), '−3.2%'
    in green, '—' when there is none; one rule for the cockpit, the dashboards and the tables."""
    from django.utils.html import format_html

    if value is None:
        return "—"
    kind = "feidi-up" if value >= 0 else "feidi-down"
    return format_html('<span class="{}">{}{}</span>', kind, "+" if value >= 0 else "", money.percent_text(value, int(places)))


@register.filter
def percent(value, places=1):
    """0.4567 → '45.7%', rounded half up (0.12345 → '12.3%', 0.1235 → '12.4%'); None → '—'."""
    return money.percent_text(value, int(places))
