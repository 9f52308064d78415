from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import Http404
from django_countries.fields import Country

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Network
from villagehub.core.types import AnyUser, User
from villagehub.notices.selectors import coordinators_of

from .models import ContactMessage

# Data-protection officers in the back office read every message.
BACK_OFFICE_PERMISSION = "contact.view_contactmessage"


def networks_reached(*, network: Network | None = None, country: str = "") -> QuerySet[Network]:
    """The networks whose coordinators read a message to a network, or to a country (the
    networks with communities there)."""
    if network is not None:
        return Network.objects.filter(pk=network.pk)
    return Network.objects.filter(
        pk__in=Network.objects.filter(communities__country=country.upper()).values("pk")
    )


def contact_possible(*, network: Network | None = None, country: str = "") -> bool:
    """Whether someone would read the message: a form nobody reads is not shown."""
    return coordinators_of(networks=networks_reached(network=network, country=country)).exists()


def contact_messages_for(user: AnyUser) -> QuerySet[ContactMessage]:
    """The messages to the networks a person coordinates (or to the countries where those
    networks have communities)."""
    if not user.is_authenticated:
        return ContactMessage.objects.none()
    if user.has_perm(BACK_OFFICE_PERMISSION):
        return ContactMessage.objects.all()
    networks = networks_coordinated(user)
    countries = Network.communities.through.objects.filter(network__in=networks).values(
        "community__country"
    )
    return ContactMessage.objects.filter(
        Q(network__in=networks) | Q(network__isnull=True, country__in=countries)
    ).select_related("network")


def contact_message_get_for_coordinator(*, pk: int, user: User) -> ContactMessage:
    message = contact_messages_for(user).filter(pk=pk).first()
    if message is None:
        raise Http404
    return message


def contact_data(*, emails: set[str]) -> list[dict[str, Any]]:
    """The messages a person sent, with the replies, for their data export."""
    return [
        {
            "to": str(m.network or cast(Country, m.country).name),
            "name": m.name,
            "email": m.email,
            "message": m.body,
            "sent_at": m.created_at.isoformat(),
            "consent_at": m.consent_at.isoformat(),
            "privacy_notice_version": m.consent_notice_version,
            "replies": [
                {"text": r.body, "sent_at": r.created_at.isoformat()} for r in m.replies.all()
            ],
        }
        for m in ContactMessage.objects.filter(email__in=emails)
        .select_related("network")
        .prefetch_related("replies")
    ]
