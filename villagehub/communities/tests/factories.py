import factory

from villagehub.communities.models import Community, Network
from villagehub.search.services import search_document_update


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")
    kind = Network.Kind.EU_PROJECT


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Village {n}")
    slug = factory.Sequence(lambda n: f"village-{n}")
    kind = Community.Kind.VILLAGE
    country = "DK"

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        # Records made by factories skip the services; index them as the services would.
        if create:
            search_document_update(obj=self)
