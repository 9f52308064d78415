from typing import cast

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User

from villagehub.accounts.models import ApiToken, Consent, Profile, Role, ThemeFollow
from villagehub.accounts.services import api_key_hash, role_grant
from villagehub.communities.tests.factories import NetworkFactory

PASSWORD = "x" * 20


class UserFactory(factory.django.DjangoModelFactory):
    """An account that signs in with `PASSWORD`; `verified=True` also records its address as
    verified, as signing up and confirming does."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def person(name: str, **roles) -> User:
    """A person with roles (`coordinator=network`, `community_editor=community`, ...);
    coordinators have two-factor authentication turned on, as the review pages require."""
    user = cast(User, UserFactory(username=name))
    for kind, target in roles.items():
        role_grant(user=user, kind=kind, target=target)
        if kind == "coordinator":
            TOTP.activate(user, generate_totp_secret())
    return user


class RoleFactory(factory.django.DjangoModelFactory):
    """A coordinator of a network by default; pass `kind` with `community` or `organisation`."""

    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.COORDINATOR
    network = factory.SubFactory(NetworkFactory)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token whose key is `key` (not stored; only its hash is)."""

    class Meta:
        model = ApiToken
        exclude = ["key"]

    user = factory.SubFactory(UserFactory)
    name = "Script"
    key = factory.Sequence(lambda n: f"vh_test-key-{n:08d}")
    prefix = factory.LazyAttribute(lambda token: token.key[:10])
    key_hash = factory.LazyAttribute(lambda token: api_key_hash(token.key))


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    user = factory.SubFactory(UserFactory)
    notice_version = "2026-11-23"


class ThemeFollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThemeFollow

    user = factory.SubFactory(UserFactory)
    theme = factory.SubFactory("villagehub.taxonomy.tests.factories.ThemeFactory")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    language = "sv"
