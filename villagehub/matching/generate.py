"""Synthetic needs and solutions with known good pairs, in every interface language, to
measure the matching (`villagehub generate --solutions N --needs M`, bench/matching_bench.py).

Each solution offers a product named by two international words (`lorawan`, `biogas`, ...)
for a theme, in its provider's language; each need is drawn from one solution (its known
good pair) and written in its community's language: the same two words, the theme's label
in that language, the theme tagged, a country the solution serves, a funding source it
qualifies for, a budget its price fits, and a community of the size of its references.
The same seed gives the same data.
"""

import random
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from villagehub.communities.models import SIZE_BANDS, Community
from villagehub.core.generate import PLACES, SOURCE
from villagehub.organisations.models import Organisation
from villagehub.solutions.models import ReferenceInstallation, Solution
from villagehub.solutions.services import text_terms
from villagehub.strategies.models import Need, Strategy
from villagehub.taxonomy.models import FundingSource, Theme

BATCH = 2000

# Product words that read the same in every language, as technical names do
# ("lorawan", "biogas"): 12 prefixes × 10 stems.
WORDS = tuple(
    prefix + stem
    for prefix in ("agri", "aqua", "bio", "cyber", "eco", "geo", "hydro", "lora", "solar",
                   "tele", "wind", "zigbee")
    for stem in ("box", "bus", "care", "farm", "grid", "hub", "link", "meter", "path", "sense")
)  # fmt: skip

SOLUTION_TEXT = {
    "en": "{a} and {b} for {theme}: a service for villages and small towns.",
    "sv": "{a} och {b} för {theme}: en tjänst för byar och småorter.",
    "lv": "{a} un {b} tēmai {theme}: pakalpojums ciemiem un mazpilsētām.",
    "fr": "{a} et {b} pour {theme} : un service pour les villages et petites villes.",
    "fi": "{a} ja {b}: {theme}. Palvelu kylille ja pikkukaupungeille.",
    "pt": "{a} e {b} para {theme}: um serviço para aldeias e pequenas vilas.",
    "da": "{a} og {b} til {theme}: en tjeneste for landsbyer og småbyer.",
    "sl": "{a} in {b} za {theme}: storitev za vasi in majhna mesta.",
}
NEED_TEXT = {
    "en": "We need {a} with {b} for {theme}.",
    "sv": "Vi behöver {a} med {b} för {theme}.",
    "lv": "Mums vajag {a} ar {b}: {theme}.",
    "fr": "Nous cherchons {a} avec {b} pour {theme}.",
    "fi": "Tarvitsemme {a} ja {b}: {theme}.",
    "pt": "Precisamos de {a} com {b} para {theme}.",
    "da": "Vi har brug for {a} med {b} til {theme}.",
    "sl": "Potrebujemo {a} in {b} za {theme}.",
}
BANDS = ("under-2000", "2000-5000", "5000-50000")


def _population(rng: random.Random, band: str) -> int:
    _label, low, high = SIZE_BANDS[band]
    return rng.randint(max(low, 100), high)


@transaction.atomic
def matching_generate(
    *,
    solutions: int,
    needs: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[tuple[int, frozenset[int]]]:
    """Add published solutions and needs; return each need's id with its good solutions:
    the one it was drawn from and any other of the same product, theme and country."""
    prefix = f"g{seed}-m"
    if Solution.objects.filter(slug__startswith=prefix).exists():
        raise ValueError(seed)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    themes = list(Theme.objects.all())
    labels = {(t.pk, lang): t.localized("name", lang).text for t in themes for lang in NEED_TEXT}
    funding = list(FundingSource.objects.values_list("pk", flat=True))
    countries = [(p.country, p.language) for p in PLACES]

    providers = Organisation.objects.bulk_create(
        Organisation(slug=f"{prefix}-o{n}", name=f"Provider {seed}-{n}",
                     kind=Organisation.Kind.SOLUTION_PROVIDER, source=SOURCE)
        for n in range(max(1, solutions // 20))
    )  # fmt: skip
    # Communities by (country, size band), each with a strategy, for needs and references.
    places: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for country, language in countries:
        for band in BANDS:
            made = Community.objects.bulk_create(
                Community(slug=f"{prefix}-c-{country}-{band}-{n}", name=f"{country} {band} {n}",
                          kind="village", country=country, language=language,
                          population=_population(rng, band), source=SOURCE)
                for n in range(max(2, needs // 60))
            )  # fmt: skip
            strategies = Strategy.objects.bulk_create(
                Strategy(community=c, title=c.name, language=language) for c in made
            )
            places[country, band] = [(c.pk, s.pk) for c, s in zip(made, strategies, strict=True)]

    offers = []  # (solution, words, theme, countries, band, funding ids, price)
    for start in range(0, solutions, BATCH):
        batch, links = [], []
        for n in range(start, min(start + BATCH, solutions)):
            a, b = rng.sample(WORDS, 2)
            theme = rng.choice(themes)
            language = rng.choice(list(SOLUTION_TEXT))
            served = sorted({c for c, _l in rng.sample(countries, rng.randint(1, 3))})
            band = rng.choice(BANDS)
            money = sorted(rng.sample(funding, 2))
            price = rng.choice([500, 2000, 10000, 40000])
            solution = Solution(
                slug=f"{prefix}-s{n}",
                provider=rng.choice(providers),
                name=f"{a.capitalize()} {b}",
                summary=SOLUTION_TEXT[language].format(a=a, b=b, theme=labels[theme.pk, language]),
                language=language,
                trl=rng.randint(4, 9),
                price_min=price,
                languages=" ".join(sorted({language, "en"})),
                countries=" ".join(served),
                status=Solution.Status.PUBLISHED,
                source=SOURCE,
            )
            solution.search_terms = text_terms(solution, Solution.translatable_fields)
            batch.append(solution)
            links.append((a, b, theme.pk, served, band, money, price))
        created = Solution.objects.bulk_create(batch)
        Solution.themes.through.objects.bulk_create(
            Solution.themes.through(solution_id=s.pk, theme_id=link[2])
            for s, link in zip(created, links, strict=True)
        )
        Solution.funding_sources.through.objects.bulk_create(
            Solution.funding_sources.through(solution_id=s.pk, fundingsource_id=f)
            for s, link in zip(created, links, strict=True)
            for f in link[5]
        )
        ReferenceInstallation.objects.bulk_create(
            ReferenceInstallation(solution=s, community_id=c, year=rng.randint(2015, 2026))
            for s, link in zip(created, links, strict=True)
            for c, _strategy in rng.sample(places[link[3][0], link[4]], 2)
        )
        offers.extend(zip(created, links, strict=True))
        if progress:
            progress(len(batch))

    same = defaultdict(set)  # (words, theme, country) → solutions
    for solution, (a, b, theme, served, _band, _money, _price) in offers:
        for country in served:
            same[frozenset((a, b)), theme, country].add(solution.pk)
    language_of = dict(countries)
    pairs = []
    for start in range(0, needs if offers else 0, BATCH):
        batch, keys = [], []
        for _n in range(start, min(start + BATCH, needs)):
            solution, (a, b, theme, served, band, money, price) = rng.choice(offers)
            country = rng.choice(served)
            language = language_of[country]
            _community, strategy = rng.choice(places[country, band])
            words = [a, b]
            rng.shuffle(words)
            need = Need(
                strategy_id=strategy,
                title=f"{words[0]} {words[1]}",
                description=NEED_TEXT[language].format(
                    a=words[0], b=words[1], theme=labels[theme, language].lower()
                ),
                language=language,
                budget_min=price // 2,
                budget_max=price * 2,
                funding_source_id=rng.choice(money),
                is_published=True,
            )
            need.search_terms = text_terms(need, Need.translatable_fields)
            batch.append(need)
            keys.append((theme, frozenset(same[frozenset((a, b)), theme, country])))
        created = Need.objects.bulk_create(batch)
        Need.themes.through.objects.bulk_create(
            Need.themes.through(need_id=need.pk, theme_id=theme)
            for need, (theme, _good) in zip(created, keys, strict=True)
        )
        pairs.extend((need.pk, good) for need, (_theme, good) in zip(created, keys, strict=True))
        if progress:
            progress(len(batch))
    return pairs
