import factory

from villagehub.organisations.models import Organisation
from villagehub.search.services import search_document_update


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.NGO

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        # Records made by factories skip the services; index them as the services would.
        if create:
            search_document_update(obj=self)
