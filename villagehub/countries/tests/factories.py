import factory

from villagehub.countries.models import CapSupport, Factsheet


class FactsheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Factsheet
        django_get_or_create = ["country"]

    country = factory.Iterator(["LV", "SE", "FI", "DK", "FR", "PT", "SI"])
    definition = "Rural communities that use innovative solutions."
    managing_authority = "Ministry of Agriculture"


class CapSupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapSupport

    factsheet = factory.SubFactory(FactsheetFactory)
    period = CapSupport.Period.P2023_2027
    support = CapSupport.Support.SPECIFIC
