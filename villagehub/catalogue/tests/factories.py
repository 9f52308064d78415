import factory

from villagehub.catalogue.models import Dataset, Distribution
from villagehub.communities.tests.factories import CommunityFactory


class DatasetFactory(factory.django.DjangoModelFactory):
    """A published data set of a community."""

    class Meta:
        model = Dataset

    slug = factory.Sequence(lambda n: f"dataset-{n}")
    title = factory.Sequence(lambda n: f"Data set {n}")
    description = "Counts kept by the village."
    publisher_community = factory.SubFactory(CommunityFactory)


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    dataset = factory.SubFactory(DatasetFactory)
    title = "CSV"
    download_url = "https://data.example.org/counts.csv"
    format = "CSV"
    media_type = "text/csv"
