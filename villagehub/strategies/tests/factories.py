from decimal import Decimal

import factory
from django.utils import timezone

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.strategies.models import (
    Action,
    Indicator,
    Need,
    Objective,
    Strategy,
    StrategyVersion,
)


class StrategyFactory(factory.django.DjangoModelFactory):
    """A community's draft strategy."""

    class Meta:
        model = Strategy

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Smart village strategy {n}")
    vision = "A village where young families stay."


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    strategy = factory.SubFactory(StrategyFactory)
    title = "Fibre to every home"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    objective = factory.SubFactory(ObjectiveFactory)
    strategy = factory.SelfAttribute("objective.strategy")
    title = "Dig the trenches together"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    strategy = factory.SubFactory(StrategyFactory)
    name = "Homes with fibre"
    unit = "%"
    baseline = Decimal("20")
    target = Decimal("90")
    target_year = 2030


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    objective = factory.SubFactory(ObjectiveFactory)
    strategy = factory.SelfAttribute("objective.strategy")
    title = "A fibre network built with the residents"
    description = "We need a provider who builds with volunteers."


class StrategyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyVersion

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    snapshot = factory.LazyAttribute(lambda v: {"title": v.strategy.title, "objectives": []})
    published_at = factory.LazyFunction(timezone.now)
