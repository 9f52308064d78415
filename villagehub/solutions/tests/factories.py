"""People, providers and solutions for the tests of solutions, strategies and matching,
made through the services."""

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User

from villagehub.accounts.services import role_grant
from villagehub.organisations.models import Organisation
from villagehub.organisations.services import organisation_create
from villagehub.solutions import services
from villagehub.solutions.models import Solution
from villagehub.taxonomy.models import Theme


def person(name: str, **roles) -> User:
    user = User.objects.create_user(name, email=f"{name}@example.org", password="x" * 20)
    for kind, target in roles.items():
        role_grant(user=user, kind=kind, target=target)
        if kind == "coordinator":
            TOTP.activate(user, generate_totp_secret())
    return user


def provider(name: str = "Fibre Co", country: str = "LV") -> Organisation:
    return organisation_create(name=name, kind=Organisation.Kind.SOLUTION_PROVIDER, country=country)


def solution(
    *,
    provider: Organisation,
    name: str = "Village fibre kit",
    summary: str = "Fibre broadband for villages, built with the residents.",
    themes: tuple[str, ...] = ("broadband",),
    published: bool = True,
    **fields,
) -> Solution:
    made = services.solution_create(
        provider=provider,
        name=name,
        summary=summary,
        trl=fields.pop("trl", 8),
        themes=Theme.objects.filter(slug__in=themes),
        **fields,
    )
    if published:
        services.solution_submit(solution=made)
        made = services.solution_publish(solution=made, by=None)
    return made
