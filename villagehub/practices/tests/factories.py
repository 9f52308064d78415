import factory

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.models import Practice
from villagehub.search.services import search_document_update


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Practice {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    summary = "What the village does."
    community = factory.SubFactory(CommunityFactory)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def goals(self, create, extracted, **kwargs):
        if create and extracted:
            self.goals.set(extracted)

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        # Records made by factories skip the services; index them as the services would.
        if create:
            search_document_update(obj=self)
