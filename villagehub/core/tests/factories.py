import factory
from django.contrib.contenttypes.models import ContentType

from villagehub.core.models import OutboxMessage, Revision


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A message the development outbox kept."""

    class Meta:
        model = OutboxMessage

    to = factory.Sequence(lambda n: f"person{n}@example.org")
    subject = "You are registered"
    body = "See you there."


class RevisionFactory(factory.django.DjangoModelFactory):
    """A change to a record (pass `record`), made in the back office."""

    class Meta:
        model = Revision
        exclude = ["record"]

    record = factory.SubFactory("villagehub.communities.tests.factories.CommunityFactory")
    content_type = factory.LazyAttribute(lambda r: ContentType.objects.get_for_model(r.record))
    object_id = factory.LazyAttribute(lambda r: str(r.record.pk))
    user = factory.SubFactory("villagehub.accounts.tests.factories.UserFactory")
    via = "back office"
    changes = factory.LazyFunction(lambda: {"description": ["Before.", "After."]})
