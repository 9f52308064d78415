from django import template

from ..forms import CommentForm
from ..selectors import (
    comment_thread,
    comments_closed_on_item,
    comments_closed_on_network,
    comments_open,
    item_moderated_by,
    kind_of,
    network_switchable_by,
)

register = template.Library()


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comments_for(context, item):
    """`{% comments_for item %}`: an item's comments, and the forms to write, reply and
    moderate (plain forms, for pages without JavaScript)."""
    request = context["request"]
    user = request.user
    moderates = item_moderated_by(user, item)
    is_open = comments_open(item)
    return {
        "request": request,
        "user": user,
        "item": item,
        "kind": kind_of(item),
        "thread": comment_thread(item),
        "is_open": is_open,
        "closed_here": moderates and comments_closed_on_item(item),
        "moderates": moderates,
        "form": CommentForm() if user.is_authenticated and is_open else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("comments/network_switch.html", takes_context=True)
def comments_network_switch(context, network):
    """For the network's coordinators: close or open comments on all its items."""
    user = context["request"].user
    return {
        "network": network,
        "shown": network_switchable_by(user, network),
        "closed": comments_closed_on_network(network),
        "csrf_token": context.get("csrf_token"),
    }
