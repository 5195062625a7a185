"""What a page with ECharts charts loads at its end."""

from django import template

register = template.Library()


@register.inclusion_tag("generic/_chart_scripts.html")
def chart_scripts(page_script, when=True):
    """``{% block scripts %}{% chart_scripts "feidi/pages/x.js" when=chart %}{% endblock %}``.

    ECharts, then the page's own script (a path under static/) that draws from the page's
    ``json_script`` data; nothing when ``when`` is false (the page has no chart to draw).
    """
    return {"page_script": page_script, "when": when}
