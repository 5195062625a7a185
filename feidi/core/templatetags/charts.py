"""What a page with ECharts charts loads at its end."""

from django import template
from django.utils.html import json_script

register = template.Library()


@register.inclusion_tag("generic/_chart_scripts.html")
def chart_scripts(page_script, when=True, data=None, data_id=""):
    """``{% block scripts %}{% chart_scripts "feidi/pages/x.js" data=chart data_id="x-data" when=chart %}{% endblock %}``.

    The page's figures as a ``json_script`` island (``data`` under the element id ``data_id``, where
    given), ECharts, then the page's own script (a path under static/) that draws from them;
    none of it when ``when`` is false (the page has no chart to draw).
    """
    return {"page_script": page_script, "when": when, "data": json_script(data, data_id) if when and data_id else ""}
