"""The shared template pieces: the card frame and the chart page scripts."""

import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(source, **context):
    return Template("{% load cards charts i18n %}" + source).render(Context(context))


def test_a_card_has_its_title_its_options_and_its_body():
    html = render('{% card title class="mt-3" %}<p>{{ body }}</p>{% endcard %}', title="<标题>", body="正文")
    assert html.startswith('<div class="card mt-3">')
    assert '<h3 class="card-title">&lt;标题&gt;</h3></div>' in html
    assert "<p>正文</p>" in html


def test_a_table_card_wraps_its_body_and_puts_the_header_part_after_the_title():
    html = render('{% card _("资质标签") table=True %}<a href="/x">添加</a>{% cardbody %}<tbody></tbody>{% endcard %}')
    assert '<h3 class="card-title">资质标签</h3><a href="/x">添加</a></div>' in html
    assert ('<div class="table-responsive"><table class="table table-vcenter card-table"><tbody></tbody>'
            "</table></div>") in html
    assert html.startswith('<div class="card">')


def test_a_card_without_a_title_is_refused():
    with pytest.raises(TemplateSyntaxError):
        render("{% card %}x{% endcard %}")


def test_chart_scripts_load_nothing_when_the_page_has_no_chart():
    assert render('{% chart_scripts "feidi/pages/home.js" when=chart %}', chart=[]).strip() == ""


def test_chart_scripts_load_echarts_then_the_page_script():
    html = render('{% chart_scripts "feidi/pages/home.js" %}')
    assert html.index("echarts.min.js") < html.index("feidi/pages/home.js")
