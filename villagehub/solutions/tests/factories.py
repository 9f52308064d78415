"""People, providers and solutions for the tests of solutions, strategies and matching,
made through the services."""

from villagehub.organisations.models import Organisation
from villagehub.organisations.services import organisation_create
from villagehub.solutions import services
from villagehub.solutions.models import Solution
from villagehub.taxonomy.models import Theme


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
