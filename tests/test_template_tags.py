"""The shared template pieces: the card frame, the figure tiles and the chart page scripts."""

import pytest
from django.template import Context
from django.template import Template
from django.template import TemplateSyntaxError


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


def test_a_tile_is_a_small_card_in_its_grid_column_with_the_label_above_the_figure():
    html = render('{% tile label %}<div class="h2 m-0">{{ n }}</div>{% endtile %}', label="<签约>", n=3)
    assert html.startswith('<div class="col-6 col-lg-3"><div class="card card-sm"><div class="card-body">')
    assert '<div class="text-secondary small">&lt;签约&gt;</div>\n<div class="h2 m-0">3</div>' in html
    assert html.endswith("</div></div></div>")


def test_a_tile_takes_its_column_and_a_legend_dot_and_a_translated_label():
    html = render('{% blocktranslate asvar label %}{{ g }}类地块{% endblocktranslate %}'
                  '{% tile label col="col-6 col-md-2" dot=color %}x{% endtile %}', g="A", color="green")
    assert html.startswith('<div class="col-6 col-md-2">')
    assert '<div class="text-secondary small"><span class="badge me-1 bg-green">&nbsp;</span>A类地块</div>' in html


def test_a_tile_refuses_an_unknown_option():
    with pytest.raises(TemplateSyntaxError):
        render('{% tile _("x") size="h2" %}x{% endtile %}')


def test_chart_scripts_load_nothing_when_the_page_has_no_chart():
    assert render('{% chart_scripts "feidi/pages/home.js" when=chart %}', chart=[]).strip() == ""


def test_chart_scripts_load_echarts_then_the_page_script():
    html = render('{% chart_scripts "feidi/pages/home.js" %}')
    assert html.index("echarts.min.js") < html.index("feidi/pages/home.js")


def test_a_card_body_option_wraps_the_body_in_a_card_body_with_more_classes_if_given():
    assert '\n<div class="card-body"><p>x</p></div>\n' in render('{% card "t" body=True %}<p>x</p>{% endcard %}')
    html = render('{% card "t" body="text-break" id="conditions" %}x{% endcard %}')
    assert html.startswith('<div class="card" id="conditions">')
    assert '<div class="card-body text-break">x</div>' in html


def test_a_card_refuses_an_unknown_option():
    with pytest.raises(TemplateSyntaxError):
        render('{% card "t" colour="red" %}x{% endcard %}')


def test_a_chart_card_holds_the_box_the_page_script_draws_into():
    html = render('{% chart_card title "trend-chart" "mt-3" %}', title="<趋势>")
    assert html.startswith('<div class="card mt-3">')
    assert '<h3 class="card-title">&lt;趋势&gt;</h3></div>' in html
    assert '<div class="card-body"><div id="trend-chart" class="feidi-chart"></div></div>' in html


def test_a_change_is_coloured_by_one_rule_red_up_green_down():
    """The cockpit printed 同比 +11.8% in red and the economy dashboard the same figure in green: one
    filter, red for a rise as Chinese reports print it, green for a fall, on every page."""
    from decimal import Decimal
    from pathlib import Path

    render = Template("{% load money %}{{ a|growth }} {{ b|growth }} {{ c|growth }}").render
    text = render(Context({"a": Decimal("0.118"), "b": -0.032, "c": None}))
    assert text == '<span class="feidi-up">+11.8%</span> <span class="feidi-down">-3.2%</span> —'
    root = Path(__file__).resolve().parent.parent / "feidi"
    for template in root.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert "growth >= 0 %}text-green" not in source and "growth < 0 %}down" not in source, template
