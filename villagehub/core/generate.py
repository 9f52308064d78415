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


def _batched_create(model, rows, on_batch: Callable[[int], None] | None):
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        model.objects.bulk_create(chunk, batch_size=1000)
        if on_batch:
            on_batch(len(chunk))


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
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    themes = list(Theme.objects.all())
    goals = list(Goal.objects.all())
    taken = set(Community.objects.values_list("slug", flat=True))
    rows = []
    for n in range(communities):
        place = rng.choice(PLACES)
        name = rng.choice(place.heads) + rng.choice(place.tails)
        slug = f"g{seed}-{n}-{place.country.lower()}"
        if slug in taken:
            continue
        population = int(rng.lognormvariate(7.6, 1.2))
        south, north, west, east = place.box
        rows.append(
            Community(
                slug=slug,
                name=name,
                kind=rng.choice(["village", "village", "town", "municipality"]),
                country=place.country,
                region=rng.choice(place.regions),
                population=min(population, 900_000),
                population_year=rng.choice([2021, 2022, 2023, 2024]),
                latitude=Decimal(f"{rng.uniform(south, north):.5f}"),
                longitude=Decimal(f"{rng.uniform(west, east):.5f}"),
                description=PHRASES[place.language][1].format(
                    place=name, topic_lower=_label(rng.choice(themes), place.language).lower()
                ),
                language=place.language,
                source=SOURCE,
            )
        )
    _batched_create(Community, rows, progress)
    community_ids = list(
        Community.objects.filter(source=SOURCE, slug__startswith=f"g{seed}-").values_list(
            "pk", "language", "name"
        )
    )
    practice_rows, chosen_themes, chosen_goals = [], [], []
    for n in range(practices if community_ids else 0):
        community_id, language, place = rng.choice(community_ids)
        theme = rng.choice(themes)
        title, summary, extra = PHRASES[language]
        topic = _label(theme, language)
        practice_rows.append(
            Practice(
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
        )
        chosen_themes.append({theme.pk, rng.choice(themes).pk})
        chosen_goals.append({rng.choice(goals).pk})
    _batched_create(Practice, practice_rows, progress)
    ids = dict(Practice.objects.filter(slug__startswith=f"g{seed}-p").values_list("slug", "pk"))
    theme_links, goal_links = [], []
    for practice, theme_ids, goal_ids in zip(
        practice_rows, chosen_themes, chosen_goals, strict=True
    ):
        pk = ids[practice.slug]
        theme_links += [Practice.themes.through(practice_id=pk, theme_id=t) for t in theme_ids]
        goal_links += [Practice.goals.through(practice_id=pk, goal_id=g) for g in goal_ids]
    Practice.themes.through.objects.bulk_create(theme_links, batch_size=5000)
    Practice.goals.through.objects.bulk_create(goal_links, batch_size=5000)
    documents = search_rebuild()
    return {"communities": len(rows), "practices": len(practice_rows), "documents": documents}
