from django import template

from villagehub.events import selectors

register = template.Library()


@register.simple_tag
def event_when(event) -> str:
    return selectors.event_when(event)
