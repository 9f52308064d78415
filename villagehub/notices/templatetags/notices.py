from django import template

from villagehub.notices.selectors import notices_unread_count

register = template.Library()


@register.inclusion_tag("notices/summary.html", takes_context=True)
def notices_summary(context):
    """`{% notices_summary %}`: how many notices wait for the person, linking to the inbox."""
    return {"unread": notices_unread_count(context["request"].user)}
