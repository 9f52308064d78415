import factory
from django.utils import timezone

from villagehub.accounts.tests.factories import UserFactory
from villagehub.communities.tests.factories import NetworkFactory
from villagehub.contact.models import ContactMessage, ContactReply


class ContactMessageFactory(factory.django.DjangoModelFactory):
    """A message through a network's contact form (pass `network=None, country="LV"` for a
    country's)."""

    class Meta:
        model = ContactMessage

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Sender {n}")
    email = factory.Sequence(lambda n: f"sender{n}@example.org")
    body = "Can our village join?"
    language = "en"
    consent_at = factory.LazyFunction(timezone.now)
    consent_notice_version = "2026-11-23"


class ContactReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactReply

    message = factory.SubFactory(ContactMessageFactory)
    by = factory.SubFactory(UserFactory)
    body = "Yes: write to the coordinator."
