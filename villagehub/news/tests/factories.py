import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.utils import timezone

from villagehub.accounts.services import role_grant
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.news.models import NewsItem
from villagehub.search.services import search_document_update


def person(name, **roles):
    """A person with roles (`coordinator=network`, `community_editor=community`);
    coordinators have two-factor authentication turned on."""
    user = User.objects.create_user(name, email=f"{name}@example.org", password="x" * 20)
    for kind, target in roles.items():
        role_grant(user=user, kind=kind, target=target)
        if kind == "coordinator":
            TOTP.activate(user, generate_totp_secret())
    return user


def network_with_community():
    network = NetworkFactory()
    community = CommunityFactory()
    community.networks.add(network)
    return network, community


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsItem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"News {n}")
    slug = factory.Sequence(lambda n: f"news-{n}")
    summary = "What happened."
    network = factory.SubFactory(NetworkFactory)
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def search_document(self, create, extracted, **kwargs):
        # Records made by factories skip the services; index them as the services would.
        if create:
            search_document_update(obj=self)
