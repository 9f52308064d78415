from django import template
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext

from villagehub.events import selectors

register = template.Library()


@register.simple_tag
def event_when(event) -> str:
    return selectors.event_when(event)


@register.simple_tag(takes_context=True)
def estimate(context, e, percent: bool = False) -> str:
    """A figure with its 90 % interval and n, or a dash when withheld. A tag rather than an
    included template, and the decimal separator looked up once per page: a series' results
    table shows hundreds of figures. (Figures have one decimal and no thousands.)"""
    if not e:
        return "—"
    separator = context.render_context.get("estimate_separator")
    if separator is None:
        separator = context.render_context["estimate_separator"] = get_format("DECIMAL_SEPARATOR")

    def number(value) -> str:
        return str(value).replace(".", separator)

    interval = gettext("(90 %% interval %(low)s to %(high)s; n = %(n)s)") % {
        "low": number(e.low),
        "high": number(e.high),
        "n": e.n,
    }
    return format_html(
        '{}{} <span class="small">{}</span>', number(e.value), " %" if percent else "", interval
    )
