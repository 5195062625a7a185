"""A Tabler card with a titled header: the frame most detail pages repeat around their sections."""

from django import template
from django.template.base import token_kwargs
from django.utils.html import format_html

register = template.Library()


class CardNode(template.Node):
    def __init__(self, title, options, header, body):
        self.title, self.options, self.header, self.body = title, options, header, body

    def render(self, context):
        options = {key: value.resolve(context) for key, value in self.options.items()}
        body = self.body.render(context)
        if options.get("table"):
            body = format_html('<div class="table-responsive"><table class="table table-vcenter card-table">{}</table></div>',
                               body)
        css = " ".join(filter(None, ["card", options.get("class")]))
        return format_html('<div class="{}">\n<div class="card-header"><h3 class="card-title">{}</h3>{}</div>\n{}\n</div>',
                           css, self.title.resolve(context), self.header.render(context) if self.header else "", body)


@register.tag
def card(parser, token):
    """``{% card _("标题") class="mt-3" table=True %}…{% endcard %}``.

    The body is the card's content (with ``table=True``: the inside of its ``card-table``); an
    optional ``{% cardbody %}`` divides what goes in the header after the title (card-actions)
    from the body: ``{% card _("标题") %}<div class="card-actions">…</div>{% cardbody %}…{% endcard %}``.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("card needs a title")
    title = parser.compile_filter(bits[1])
    options = token_kwargs(bits[2:], parser)
    if len(options) != len(bits) - 2:
        raise template.TemplateSyntaxError("card takes a title, then only name=value options")
    first = parser.parse(("cardbody", "endcard"))
    header = None
    if parser.next_token().contents == "cardbody":
        header, first = first, parser.parse(("endcard",))
        parser.delete_first_token()
    return CardNode(title, options, header, first)


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
