"""Synthetic but plausible data at any size, for benchmarks; never part of the demo.

Every generated record has `source = "generated"`, so it can be told apart and removed.
The same seed gives the same data.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from villagehub.communities.models import Community
from villagehub.core.services import database_analyze
from villagehub.practices.models import Practice
from villagehub.search.services import search_rebuild
from villagehub.taxonomy.models import Goal, Theme

SOURCE = "generated"
BATCH = 5000


@dataclass(frozen=True)
class Place:
    country: str
    language: str
    box: tuple[float, float, float, float]  # south, north, west, east
    heads: tuple[str, ...]
    tails: tuple[str, ...]
    regions: tuple[str, ...]


PLACES = (
    Place(
        "DK",
        "da",
        (54.8, 57.6, 8.2, 12.6),
        ("Ny", "Vester", "Øster", "Hol", "Skov", "Lund", "Strand", "Bjerg"),
        ("rup", "sted", "by", "løse", "bjerg", "holm", "lev"),
        ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland"),
    ),
    Place(
        "SE",
        "sv",
        (55.4, 67.5, 11.5, 23.5),
        ("Norr", "Söder", "Väster", "Ek", "Björk", "Lind", "Sjö", "Berg"),
        ("by", "köping", "torp", "ås", "hult", "vik", "sjö"),
        ("Skåne", "Västra Götaland", "Dalarna", "Norrbotten", "Jämtland"),
    ),
    Place(
        "FI",
        "fi",
        (60.0, 68.5, 21.5, 30.0),
        ("Järvi", "Koski", "Mäki", "Rauta", "Kivi", "Lahti", "Salo", "Kuusi"),
        ("maa", "la", "nen", "järvi", "koski", "vaara", "lahti"),
        ("Pirkanmaa", "Kanta-Häme", "Lappi", "Pohjois-Karjala", "Uusimaa"),
    ),
    Place(
        "FR",
        "fr",
        (43.0, 50.5, -1.5, 7.5),
        ("Saint-Martin", "Mont", "Ville", "Bourg", "Château", "Val", "Font"),
        ("-sur-Loire", "neuve", "-les-Bains", "rieux", "ac", "-en-Provence", "mont"),
        ("Occitanie", "Bretagne", "Grand Est", "Normandie", "Auvergne-Rhône-Alpes"),
    ),
    Place(
        "PT",
        "pt",
        (37.0, 42.0, -9.2, -6.5),
        ("Vila ", "São ", "Santa ", "Monte", "Ribeira", "Aldeia "),
        ("Nova", "do Campo", "da Serra", "Verde", "Alta", "do Rio"),
        ("Centro", "Norte", "Alentejo", "Algarve"),
    ),
    Place(
        "LV",
        "lv",
        (56.0, 57.9, 21.2, 28.0),
        ("Kal", "Priež", "Liep", "Bērz", "Ozol", "Sil"),
        ("ciems", "muiža", "kalns", "pils", "upe"),
        ("Kurzeme", "Vidzeme", "Latgale", "Zemgale"),
    ),
    Place(
        "SI",
        "sl",
        (45.5, 46.8, 13.5, 16.5),
        ("Gor", "Dol", "Nova ", "Stara ", "Breg", "Sel"),
        ("nja vas", "ovica", "išče", "je", "ca"),
        ("Gorenjska", "Štajerska", "Dolenjska", "Primorska"),
    ),
)

PHRASES = {
    "en": (
        "{topic} in {place}",
        "The village of {place} works on {topic_lower} with its residents.",
        "Volunteers, the municipality and local firms share the work.",
    ),
    "da": (
        "{topic} i {place}",
        "Landsbyen {place} arbejder med {topic_lower} sammen med beboerne.",
        "Frivillige, kommunen og lokale virksomheder deler arbejdet.",
    ),
    "sv": (
        "{topic} i {place}",
        "Byn {place} arbetar med {topic_lower} tillsammans med invånarna.",
        "Frivilliga, kommunen och lokala företag delar på arbetet.",
    ),
    "fi": (
        "{topic}: {place}",
        "{place} kehittää teemaa {topic_lower} yhdessä asukkaiden kanssa.",
        "Vapaaehtoiset, kunta ja paikalliset yritykset jakavat työn.",
    ),
    "fr": (
        "{topic} à {place}",
        "Le village de {place} agit pour {topic_lower} avec ses habitants.",
        "Bénévoles, commune et entreprises locales se partagent le travail.",
    ),
    "pt": (
        "{topic} em {place}",
        "A aldeia de {place} trabalha em {topic_lower} com os seus habitantes.",
        "Voluntários, o município e empresas locais partilham o trabalho.",
    ),
    "lv": (
        "{topic}: {place}",
        "Ciems {place} kopā ar iedzīvotājiem strādā pie tēmas {topic_lower}.",
        "Brīvprātīgie, pašvaldība un vietējie uzņēmumi dala darbu.",
    ),
    "sl": (
        "{topic}: {place}",
        "Vas {place} skupaj s prebivalci dela na področju {topic_lower}.",
        "Prostovoljci, občina in lokalna podjetja si delijo delo.",
    ),
}


def _label(theme: Theme, language: str) -> str:
    return theme.localized("name", language).text


@transaction.atomic
def data_generate(
    *,
    communities: int,
    practices: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Add `communities` communities and `practices` practices, then rebuild the index.

    Bulk inserts rather than one service call per row: the records are synthetic, built
    valid by construction, and hundreds of thousands of them must load in minutes.
    """
    if Community.objects.filter(slug__startswith=f"g{seed}-c").exists():
        raise ValueError(seed)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    themes = list(Theme.objects.all())
    goals = list(Goal.objects.all())
    made = {"communities": 0, "practices": 0}
    # Rows are made and written batch by batch, so that memory stays flat at any size.
    for start in range(0, communities, BATCH):
        batch = [
            _community(rng, seed, n, themes) for n in range(start, min(start + BATCH, communities))
        ]
        Community.objects.bulk_create(batch, batch_size=1000)
        made["communities"] += len(batch)
        if progress:
            progress(len(batch))
    places = list(
        Community.objects.filter(slug__startswith=f"g{seed}-c").values_list(
            "pk", "language", "name"
        )
    )
    for start in range(0, practices if places else 0, BATCH):
        batch, theme_links, goal_links = [], [], []
        for n in range(start, min(start + BATCH, practices)):
            practice, theme_ids, goal_id = _practice(rng, seed, n, places, themes, goals)
            batch.append((practice, theme_ids, goal_id))
        created = Practice.objects.bulk_create([b[0] for b in batch], batch_size=1000)
        for practice, (_unsaved, theme_ids, goal_id) in zip(created, batch, strict=True):
            theme_links += [
                Practice.themes.through(practice_id=practice.pk, theme_id=t) for t in theme_ids
            ]
            goal_links.append(Practice.goals.through(practice_id=practice.pk, goal_id=goal_id))
        Practice.themes.through.objects.bulk_create(theme_links, batch_size=1000)
        Practice.goals.through.objects.bulk_create(goal_links, batch_size=1000)
        made["practices"] += len(batch)
        if progress:
            progress(len(batch))
    made["documents"] = search_rebuild()
    database_analyze()
    return made


def _community(rng: random.Random, seed: int, n: int, themes: list[Theme]) -> Community:
    place = rng.choice(PLACES)
    name = rng.choice(place.heads) + rng.choice(place.tails)
    south, north, west, east = place.box
    return Community(
        slug=f"g{seed}-c{n}",
        name=name,
        kind=rng.choice(["village", "village", "town", "municipality"]),
        country=place.country,
        region=rng.choice(place.regions),
        population=min(int(rng.lognormvariate(7.6, 1.2)), 900_000),
        population_year=rng.choice([2021, 2022, 2023, 2024]),
        latitude=Decimal(f"{rng.uniform(south, north):.5f}"),
        longitude=Decimal(f"{rng.uniform(west, east):.5f}"),
        description=PHRASES[place.language][1].format(
            place=name, topic_lower=_label(rng.choice(themes), place.language).lower()
        ),
        language=place.language,
        source=SOURCE,
    )


def _practice(rng, seed, n, places, themes, goals):
    community_id, language, place = rng.choice(places)
    theme = rng.choice(themes)
    title, summary, extra = PHRASES[language]
    topic = _label(theme, language)
    practice = Practice(
        slug=f"g{seed}-p{n}",
        title=title.format(topic=topic, place=place)[:200],
        community_id=community_id,
        summary=summary.format(place=place, topic_lower=topic.lower()),
        description=extra,
        status=rng.choice(["planned", "ongoing", "completed", ""]),
        start_year=rng.randint(2010, 2025),
        language=language,
        source=SOURCE,
    )
    return practice, {theme.pk, rng.choice(themes).pk}, rng.choice(goals).pk
