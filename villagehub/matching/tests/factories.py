import factory
from django.utils import timezone

from villagehub.accounts.tests.factories import UserFactory
from villagehub.matching.models import FollowUp
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies.tests.factories import NeedFactory


class FollowUpFactory(factory.django.DjangoModelFactory):
    """A match between a need and a published solution, just contacted."""

    class Meta:
        model = FollowUp

    need = factory.SubFactory(NeedFactory)
    solution = factory.Sequence(
        lambda n: solution(provider=provider(name=f"Provider {n}"), name=f"Village kit {n}")
    )
    stage = FollowUp.Stage.CONTACTED
    history = factory.LazyFunction(
        lambda: [{"stage": FollowUp.Stage.CONTACTED, "at": timezone.now().isoformat()}]
    )
    created_by = factory.SubFactory(UserFactory)
