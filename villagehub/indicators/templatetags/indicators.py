from django import template

from villagehub.contributions.selectors import communities_edited_by

from ..selectors import MIN_PEERS, community_indicators

register = template.Library()


@register.inclusion_tag("indicators/community_section.html", takes_context=True)
def community_indicators_section(context, community):
    """The community's indicators against its peers, for its page (the communities app
    knows nothing of indicators; its template asks for them here)."""
    user = context["request"].user
    return {
        "community": community,
        "rows": community_indicators(community=community),
        "min_peers": MIN_PEERS,
        "user_edits": user.is_authenticated
        and communities_edited_by(user).filter(pk=community.pk).exists(),
    }
