import factory
from django.utils import timezone

from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.news.models import NewsItem
from villagehub.search.services import search_document_update


def network_with_community():
    network = NetworkFactory()
    community = CommunityFactory()
    community.networks.add(network)
    return network, community


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsItem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"News {n}")
    slug = factory.Sequence(lambda n: f"news-{n}")
    summary = "What happened."
    network = factory.SubFactory(NetworkFactory)
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        # Records made by factories skip the services; index them as the services would.
        if create:
            search_document_update(obj=self)
