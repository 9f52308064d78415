from datetime import date
from decimal import Decimal

import factory

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.indicators.models import IndicatorValue


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A community's broadband coverage for one year, published through the web form."""

    class Meta:
        model = IndicatorValue

    community = factory.SubFactory(CommunityFactory)
    indicator = "broadband-coverage"
    period_start = date(2025, 1, 1)
    period_end = date(2025, 12, 31)
    value = Decimal("80")
    source = "Municipal survey"
    channel = IndicatorValue.Channel.WEB
