"""A Tabler card with a titled header: the frame most detail pages repeat around their sections."""

from django import template
from django.template.base import token_kwargs
from django.utils.html import format_html

register = template.Library()


def card_html(title, body, *, css="", id="", header="", table=False, body_class=None) -> str:
    """The frame of a titled card around ``body`` (already safe HTML): the one way a page draws one."""
    if table:
        body = format_html('<div class="table-responsive"><table class="table table-vcenter card-table">{}</table></div>',
                           body)
    elif body_class:
        body = format_html('<div class="{}">{}</div>', " ".join(["card-body", body_class]) if isinstance(body_class, str)
                           else "card-body", body)
    return format_html('<div class="{}"{}>\n<div class="card-header"><h3 class="card-title">{}</h3>{}</div>\n{}\n</div>',
                       " ".join(filter(None, ["card", css])), format_html(' id="{}"', id) if id else "", title,
                       header, body)


CARD_OPTIONS = {"class", "id", "table", "body"}


class CardNode(template.Node):
    def __init__(self, title, options, header, body):
        self.title, self.options, self.header, self.body = title, options, header, body

    def render(self, context):
        options = {key: value.resolve(context) for key, value in self.options.items()}
        # a node list renders to safe HTML: the body and the header part go in as written
        return card_html(self.title.resolve(context), self.body.render(context), css=options.get("class") or "",
                         id=options.get("id") or "", header=self.header.render(context) if self.header else "",
                         table=bool(options.get("table")), body_class=options.get("body"))


@register.tag
def card(parser, token):
    """``{% card _("标题") class="mt-3" id="x" table=True|body=True|body="text-break" %}…{% endcard %}``.

    The body is the card's content: as written (a list group, a form, a ``card-body`` of one's own);
    with ``table=True`` the inside of its ``card-table``; with ``body=True`` (or ``body="more classes"``)
    wrapped in a ``card-body``. An optional ``{% cardbody %}`` divides what goes in the header after
    the title (card-actions) from the body: ``{% card _("标题") %}<div class="card-actions">…</div>{% cardbody %}…{% endcard %}``.
    A title with words from the page translates first: ``{% blocktranslate … asvar title %}…{% endblocktranslate %}``
    (or ``{% translate "…" as title %}`` where an ``{% if %}`` picks one of two).
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("card needs a title")
    title = parser.compile_filter(bits[1])
    options = token_kwargs(bits[2:], parser)
    if len(options) != len(bits) - 2 or set(options) - CARD_OPTIONS:
        raise template.TemplateSyntaxError(f"card takes a title, then only {', '.join(sorted(CARD_OPTIONS))}")
    first = parser.parse(("cardbody", "endcard"))
    header = None
    if parser.next_token().contents == "cardbody":
        header, first = first, parser.parse(("endcard",))
        parser.delete_first_token()
    return CardNode(title, options, header, first)


@register.simple_tag
def chart_card(title, chart_id, css=""):
    """``{% chart_card _("标题") "trend-chart" "mt-3" %}``: a titled card holding one chart's box
    (``feidi-chart``: the page's script draws into the element of that id)."""
    return card_html(title, format_html('<div id="{}" class="feidi-chart"></div>', chart_id), css=css, body_class=True)


class TileNode(template.Node):
    def __init__(self, label, options, body):
        self.label, self.options, self.body = label, options, body

    def render(self, context):
        options = {key: value.resolve(context) for key, value in self.options.items()}
        dot = format_html('<span class="badge me-1 bg-{}">&nbsp;</span>', options["dot"]) if options.get("dot") else ""
        return format_html(
            '<div class="{}"><div class="card card-sm"><div class="card-body">\n'
            '<div class="text-secondary small">{}{}</div>\n{}\n</div></div></div>',
            options.get("col") or "col-6 col-lg-3", dot, self.label.resolve(context), self.body.render(context))


@register.tag
def tile(parser, token):
    """``{% tile _("签约项目") col="col-6 col-md-3" dot="green" %}<div class="h2 m-0">…</div>…{% endtile %}``.

    One figure of a page's head row (Tabler's small card): the label above, the body below — the
    figure (``h1``–``h3``) and an optional small note. ``col`` is the grid column (default
    ``col-6 col-lg-3``: two on a phone, four on a desk); ``dot`` puts a coloured legend dot before the
    label (a Tabler colour: green, blue, orange, red, secondary-lt …).
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("tile needs a label")
    label = parser.compile_filter(bits[1])
    options = token_kwargs(bits[2:], parser)
    if len(options) != len(bits) - 2 or set(options) - {"col", "dot"}:
        raise template.TemplateSyntaxError("tile takes a label, then only col= and dot=")
    body = parser.parse(("endtile",))
    parser.delete_first_token()
    return TileNode(label, options, body)
