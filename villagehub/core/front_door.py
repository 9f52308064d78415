"""What the home page and a network's page show a newcomer, gathered from every app (above
the apps' selectors, like `accounts.overview`): upcoming events, the next café to join, the
latest news and practices; and a community's latest news on its page."""

from django.db.models import Q

from villagehub.communities.models import Community, Network
from villagehub.events.models import Event
from villagehub.events.selectors import event_upcoming
from villagehub.news.selectors import news_list
from villagehub.practices.selectors import practice_list


def front_door(*, network: Network | None = None) -> dict:
    """The hub's (or one network's) upcoming events, next café open for registration,
    latest news, latest practices and the communities whose profiles changed last."""
    events = event_upcoming()
    practices = practice_list(filters={})
    communities = Community.objects.order_by("-updated_at", "-pk")
    if network is not None:
        events = events.filter(
            pk__in=Event.objects.filter(
                Q(organiser_networks=network) | Q(series__networks=network)
            ).values("pk")
        )
        practices = practices.filter(community__networks=network)
        communities = communities.filter(networks=network)
    cafe = events.filter(kind=Event.Kind.CAFE, registration_open=True).first()
    return {
        "upcoming_events": list(events[:3]),
        "next_cafe": cafe,
        "latest_news": list(news_list(filters={"network": network.slug} if network else {})[:3]),
        "latest_practices": list(practices[:6]),
        "latest_communities": list(communities[:3]),
    }


def community_latest_news(*, community: Community) -> list:
    """The latest news a community published or is named in (as `/news/?community=`)."""
    return list(news_list(filters={"community": community.slug})[:3])
