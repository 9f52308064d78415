import factory

from villagehub.taxonomy.models import FundingSource, Goal, Theme


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingSource
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"fund-{n}")
    name = factory.Sequence(lambda n: f"Fund {n}")


class GoalFactory(factory.django.DjangoModelFactory):
    """The 17 goals are made by a migration: this finds one (`number=1..17`)."""

    class Meta:
        model = Goal
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: n % 17 + 1)
