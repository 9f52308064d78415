import factory

from villagehub.accounts.tests.factories import UserFactory
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.contributions.models import Invitation, RoleRequest, Submission

# A practice as an editor proposes it (the form's fields).
PROPOSAL = {
    "title": "Village sauna cooperative",
    "summary": "The village runs its sauna as a cooperative.",
    "description": "",
    "results": "",
    "language": "fi",
    "themes": ["cooperatives"],
}

# A community not yet in the hub, as a person proposes it (the form's fields).
NEW_COMMUNITY = {
    "name": "Raudanmaa",
    "kind": "village",
    "country": "FI",
    "region": "Pohjois-Savo",
    "population": "140",
    "population_year": "2024",
    "website": "",
    "description": "Kylä järven rannalla.",
    "language": "fi",
    "themes": ["broadband"],
}


class RoleRequestFactory(factory.django.DjangoModelFactory):
    """A pending request to edit a community."""

    class Meta:
        model = RoleRequest

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    message = "I am the mayor."


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A practice proposed for a community and submitted for review (saved as it stands,
    without the checks of `services.submission_save`)."""

    class Meta:
        model = Submission

    author = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    kind = Submission.Kind.PRACTICE
    status = Submission.Status.SUBMITTED
    data = factory.LazyFunction(lambda: dict(PROPOSAL))


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation to edit a community."""

    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invited{n}@example.org")
    community = factory.SubFactory(CommunityFactory)
    invited_by = factory.SubFactory(UserFactory)
