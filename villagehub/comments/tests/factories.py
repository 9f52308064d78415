import factory
from django.contrib.contenttypes.models import ContentType

from villagehub.accounts.tests.factories import UserFactory
from villagehub.comments.models import Comment, CommentReport, CommentsOff
from villagehub.news.tests.factories import NewsItemFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a news item (any record with comments: pass `item`)."""

    class Meta:
        model = Comment
        exclude = ["item"]

    item = factory.SubFactory(NewsItemFactory)
    content_type = factory.LazyAttribute(lambda c: ContentType.objects.get_for_model(c.item))
    object_id = factory.SelfAttribute("item.pk")
    author = factory.SubFactory(UserFactory)
    body = "Well said."
    language = "en"


class CommentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommentReport

    comment = factory.SubFactory(CommentFactory)
    by = factory.SubFactory(UserFactory)
    reason = "Off topic."


class CommentsOffFactory(factory.django.DjangoModelFactory):
    """Comments closed on a network's items."""

    class Meta:
        model = CommentsOff

    network = factory.SubFactory("villagehub.communities.tests.factories.NetworkFactory")
