"""The form renderer (``FORM_RENDERER``): Django's, with a select's options written in Python.

Django renders every ``<option>`` of a select through a template include of its own (and the
attributes through another). A filter bar's selects (industries, zones, stages, departments) hold
hundreds of options, so rendering them cost about two thirds of a list page. The select is written
here to the character as Django's templates write it (``django/forms/widgets/select.html``,
``select_option.html`` and ``attrs.html``, tests/test_forms.py compares them); a select whose options
use another template, or any other widget, is rendered by the templates as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class _Context:
    """What ``{{ value }}`` consults in the form renderer's templates: autoescaping on, the
    project's localisation and time zone settings."""

    autoescape = True
    use_l10n = None
    use_tz = None


def _shown(value) -> str:
    """``{{ value }}``: localised, as text, escaped unless safe."""
    return render_value_in_context(value, _Context)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: as text by ``%s``, escaped unless the value was safe."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 — the stringformat filter's own operation
    except (ValueError, TypeError):
        text = ""
    return _shown(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs) -> str:
    """``attrs.html``: ``name="value"``, a True value as the bare name, a False one left out."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(out)


def select_html(widget: dict) -> str:
    """A select widget's HTML from its template context (``widget``)."""
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            parts.append(f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_shown(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """Django's template renderer; a select whose options are Django's own is written in Python."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(option.get("template_name") == OPTION
                                      for _name, options, _index in widget.get("optgroups", ())
                                      for option in options):
            return select_html(widget)
        return super().render(template_name, context, request=request)
